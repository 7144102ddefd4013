import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import * as yaml from "js-yaml";
import { K6_FEDERATE_MATCH, LoadTestReceiver, LoadTestReceiverProps } from "../../constructs/load-test-receiver";
import { IMAGES } from "../../constructs/versions";
import { MonitoringConfig } from "../../stacks/config";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { findTool, run } from "../tools";
import { context, synth, theContainer } from "./service-test-support";

function build(props: Partial<LoadTestReceiverProps> = {}) {
  return synth((scope) => new LoadTestReceiver(scope, "k6", { context, ...props }));
}

describe("LoadTestReceiver", () => {
  const { json, built } = build();
  const c = theContainer(json);

  test("a Prometheus of its own with the remote-write receiver, published on the bind address (9091)", () => {
    expect(c.name).toBe("monitoring-k6-receiver");
    expect(c.command).toContain("--web.enable-remote-write-receiver");
    expect(c.command).toContain("--storage.tsdb.retention.time=7d");
    expect(c.ports).toEqual([{ internal: 9090, external: 9091, ip: "127.0.0.1", protocol: "tcp" }]);
    expect(c.user).toBe("65534:65534");
    expect(Object.values(json.resource.docker_image as Record<string, any>)[0].name).toBe(`${IMAGES.prometheus.repository}:${IMAGES.prometheus.tag}`);
    expect(yaml.load(built.config)).toEqual({ scrape_configs: [] });
    expect(built.writeUrl).toBe("http://k6-receiver:9090/api/v1/write");
  });

  test("the stack's Prometheus federates k6 series only, under job k6 (the writer's job label does not count)", () => {
    expect(built.federateTarget).toEqual({
      job: "k6",
      targets: ["k6-receiver:9090"],
      metricsPath: "/federate",
      params: { "match[]": [K6_FEDERATE_MATCH] },
    });
    expect(new RegExp(`^${/"(.+)"/.exec(K6_FEDERATE_MATCH)![1]}$`).test("k6_vus")).toBe(true);
    expect(new RegExp(`^${/"(.+)"/.exec(K6_FEDERATE_MATCH)![1]}$`).test("up")).toBe(false);
  });

  test("publishedPort and retentionTime", () => {
    const c2 = theContainer(build({ publishedPort: false }).json);
    expect(c2.ports).toEqual([]);
  });

  test.each<[Partial<LoadTestReceiverProps>, string]>([
    [{ publishedPort: 70000 }, "loadTesting.publishedPort: 70000 is not a port; allowed: 1-65535 or false"],
  ])("%j is refused", (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

describe("load testing in the stack", () => {
  function stack(config: MonitoringConfig = {}) {
    const app = Testing.app();
    const s = new MonitoringStack(app, "monitoring", config);
    return { s, tf: JSON.parse(Testing.synth(s)) };
  }
  const containers = (tf: any) => Object.values(tf.resource.docker_container as Record<string, any>);
  const byName = (tf: any, name: string) => containers(tf).find((c) => c.name === name);

  test("off by default: nothing accepts remote write, no k6 job, no Load Testing dashboard", () => {
    const { s, tf } = stack({ network: { applicationNetwork: "chat_default" } });
    for (const c of containers(tf)) expect(c.command ?? []).not.toContain("--web.enable-remote-write-receiver");
    expect(byName(tf, "monitoring-k6-receiver")).toBeUndefined();
    expect(s.scrapeTargets.map((t) => t.job)).not.toContain("k6");
    expect(s.dashboards.map((d) => d.uid)).not.toContain("load-testing");
  });

  test("on: the receiver joins the stack network only, Prometheus federates it and still takes no remote write", () => {
    const { s, tf } = stack({ network: { applicationNetwork: "chat_default" }, loadTesting: { enabled: true, retentionTime: "3d" } });
    const receiver = byName(tf, "monitoring-k6-receiver");
    expect(receiver.networks_advanced.map((n: any) => n.name)).toEqual([expect.stringMatching(/^\$\{docker_network\.network\./)]);
    expect(receiver.command).toContain("--storage.tsdb.retention.time=3d");
    expect(byName(tf, "monitoring-prometheus").networks_advanced.map((n: any) => n.name)).toContain("chat_default");
    expect(byName(tf, "monitoring-prometheus").command).not.toContain("--web.enable-remote-write-receiver");
    expect(s.scrapeTargets.find((t) => t.job === "k6")).toMatchObject({ metricsPath: "/federate" });
    expect(s.dashboards.map((d) => d.uid)).toContain("load-testing");
  });

  test("an invalid loadTesting.retentionTime is a config error naming the field", () => {
    expect(() => stack({ loadTesting: { enabled: true, retentionTime: "soon" } })).toThrow(/loadTesting\.retentionTime: "soon" is not a valid duration/);
  });

  const promtool = findTool("promtool");
  (promtool ? test : test.skip)("promtool accepts both configs: the receiver's and the stack's with the federation job", () => {
    const { s } = stack({ loadTesting: { enabled: true } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k6-config-"));
    try {
      const receiver = s.node.findAll().find((n) => n instanceof LoadTestReceiver) as LoadTestReceiver;
      fs.writeFileSync(path.join(dir, "receiver.yml"), receiver.config);
      const promConfig = yaml.load(s.prometheus!.config) as any;
      // Rule files are checked elsewhere; this is about the scrape config.
      delete promConfig.rule_files;
      fs.writeFileSync(path.join(dir, "prometheus.yml"), yaml.dump(promConfig));
      for (const f of ["receiver.yml", "prometheus.yml"]) {
        const r = run(promtool!, ["check", "config", "--syntax-only", path.join(dir, f)]);
        expect([f, r.status, r.output]).toEqual([f, 0, expect.stringContaining("SUCCESS")]);
      }
      const k6 = promConfig.scrape_configs.find((j: any) => j.job_name === "k6");
      expect(k6).toEqual({ job_name: "k6", metrics_path: "/federate", params: { "match[]": [K6_FEDERATE_MATCH] }, static_configs: [{ targets: ["k6-receiver:9090"] }] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
