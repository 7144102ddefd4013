import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { Duration } from "../../alerts/duration";
import { alertmanagerFlags } from "../../constructs/alertmanager";
import { prometheusFlags, renderPrometheusConfig } from "../../constructs/prometheus";
import { routePrefix } from "../../constructs/service";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { PrometheusApi } from "../rehearsal/apis";
import { getJson, request, waitUntil } from "../rehearsal/http";
import { freePorts } from "../rehearsal/ports";
import { findTool } from "../tools";

const PROM_URL = "https://ops.example.com/prometheus";
const AM_URL = "https://ops.example.com/alertmanager/";

function stack() {
  const s = new MonitoringStack(Testing.app(), "monitoring", {
    prometheus: { externalUrl: PROM_URL },
    alertmanager: {
      externalUrl: AM_URL,
      receivers: [{ name: "team", webhooks: [{ url: "http://hooks.example.com/x" }] }],
      routing: { defaultReceiver: "team" },
    },
  });
  return { s, tf: JSON.parse(Testing.synth(s)) };
}

describe("external URLs with a path: everything follows the route prefix", () => {
  const { s, tf } = stack();
  const container = (name: string) => Object.values(tf.resource.docker_container as Record<string, any>).find((c) => c.name === name);

  test("routePrefix is the external URL's path without the trailing slash", () => {
    expect(routePrefix(PROM_URL)).toBe("/prometheus");
    expect(routePrefix(AM_URL)).toBe("/alertmanager");
    expect(routePrefix("http://localhost:9090")).toBe("");
    expect(routePrefix(undefined)).toBe("");
  });

  test("healthchecks, the self-scrape, Prometheus' Alertmanager path_prefix and Grafana's datasources use it", () => {
    expect(container("monitoring-prometheus").healthcheck.test).toEqual(["CMD", "wget", "-q", "--spider", "http://127.0.0.1:9090/prometheus/-/healthy"]);
    expect(container("monitoring-alertmanager").healthcheck.test).toEqual(["CMD", "wget", "-q", "--spider", "http://127.0.0.1:9093/alertmanager/-/healthy"]);
    const jobs = s.prometheus.configOptions.scrapeTargets;
    expect(jobs.find((j) => j.job === "prometheus")?.metricsPath).toBe("/prometheus/metrics");
    expect(jobs.find((j) => j.job === "alertmanager")?.metricsPath).toBe("/alertmanager/metrics");
    expect(s.prometheus.config).toContain("path_prefix: /alertmanager");
    expect(s.prometheus.url).toBe("http://prometheus:9090/prometheus");
    expect(s.alertmanager.url).toBe("http://alertmanager:9093/alertmanager");
    const datasources = s.grafana!.datasourcesConfig;
    expect(datasources).toContain("url: http://prometheus:9090/prometheus");
    expect(datasources).toContain("url: http://alertmanager:9093/alertmanager");
  });

  test("a query or fragment in an external URL is refused", () => {
    expect(() => new MonitoringStack(Testing.app(), "monitoring", { prometheus: { externalUrl: "https://ops.example.com/p?x=1" } })).toThrow(
      'prometheus.externalUrl: "https://ops.example.com/p?x=1" has a query or fragment; give the base URL',
    );
  });

  // The real programs with the rendered flags and config (listen addresses and peers moved to loopback):
  // the prefixed healthcheck answers, the self-scrape and the Alertmanager scrape are up, and Prometheus
  // discovers Alertmanager under its path.
  const prometheus = findTool("prometheus");
  const alertmanager = findTool("alertmanager");
  (prometheus && alertmanager ? test : test.skip)(
    "Prometheus and Alertmanager serve under the prefix and find each other there",
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "route-prefix-"));
      const children: ChildProcess[] = [];
      try {
        const [pp, ap] = await freePorts(2);
        const promConfig = renderPrometheusConfig({
          ...s.prometheus.configOptions,
          scrapeInterval: Duration.parse("1s"),
          ruleFilesGlob: path.join(dir, "none-*.yml"),
          alertmanagers: [`127.0.0.1:${ap}`],
          scrapeTargets: s.prometheus.configOptions.scrapeTargets
            .filter((t) => t.job === "prometheus" || t.job === "alertmanager")
            .map((t) => ({ ...t, targets: [t.job === "prometheus" ? `127.0.0.1:${pp}` : `127.0.0.1:${ap}`] })),
        });
        fs.writeFileSync(path.join(dir, "prometheus.yml"), promConfig);
        fs.writeFileSync(path.join(dir, "alertmanager.yml"), s.alertmanager.config);
        const log = fs.openSync(path.join(dir, "log"), "a");
        const start = (bin: string, args: string[]) => {
          const c = spawn(bin, args, { stdio: ["ignore", log, log] });
          children.push(c);
        };
        start(alertmanager!, alertmanagerFlags({ configFile: path.join(dir, "alertmanager.yml"), dataPath: path.join(dir, "am"), listenAddress: `127.0.0.1:${ap}`, externalUrl: AM_URL }));
        start(prometheus!, prometheusFlags({ ...s.prometheus.flagOptions, configFile: path.join(dir, "prometheus.yml"), dataPath: path.join(dir, "prom"), listenAddress: `127.0.0.1:${pp}` }));

        const until = <T>(what: string, probe: () => Promise<T | undefined | false>) =>
          waitUntil(what, probe, { timeoutMs: 30_000, intervalMs: 500 }).catch((e: Error) => {
            throw new Error(`${e.message}; log:\n${fs.readFileSync(path.join(dir, "log"), "utf8").slice(-3000)}`);
          });
        const prom = new PrometheusApi(`http://127.0.0.1:${pp}/prometheus`);
        // The containers' healthcheck paths.
        await until("Prometheus /prometheus/-/healthy", async () => (await request(`http://127.0.0.1:${pp}/prometheus/-/healthy`)).status === 200);
        await until("Alertmanager /alertmanager/-/healthy", async () => (await request(`http://127.0.0.1:${ap}/alertmanager/-/healthy`)).status === 200);
        expect((await request(`http://127.0.0.1:${pp}/-/healthy`)).status).toBe(404);
        // Both scrapes up, through the prefixed metrics paths.
        const up = await until("both targets up", async () => {
          const active = await prom.targets();
          return active.length === 2 && active.every((t) => t.health === "up") && active;
        });
        expect(up.map((t) => new URL(t.scrapeUrl).pathname).sort()).toEqual(["/alertmanager/metrics", "/prometheus/metrics"]);
        // Prometheus found Alertmanager under its path.
        const ams = await until("an active Alertmanager", async () => {
          const a = (await getJson<{ data: { activeAlertmanagers: { url: string }[] } }>(`http://127.0.0.1:${pp}/prometheus/api/v1/alertmanagers`)).data.activeAlertmanagers;
          return a.length > 0 && a;
        });
        expect(ams.map((a) => a.url)).toEqual([`http://127.0.0.1:${ap}/alertmanager/api/v2/alerts`]);
      } finally {
        for (const c of children) c.kill("SIGKILL");
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
