import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { Duration } from "../../alerts/duration";
import { Prometheus, prometheusFlags, renderPrometheusConfig } from "../../constructs/prometheus";
import { CONTEXT, only, parseYaml } from "./helpers";
import { findTool, run } from "../tools";

const TARGETS = [{ job: "node-exporter", targets: ["172.30.0.1:9100"] }];

function synth(props: Partial<ConstructorParameters<typeof Prometheus>[2]> = {}): { out: string; prom: Prometheus } {
  let prom!: Prometheus;
  const out = Testing.synthScope((scope) => {
    prom = new Prometheus(scope, "prometheus", { context: CONTEXT, scrapeTargets: TARGETS, ...props });
  });
  return { out, prom };
}

describe("Prometheus", () => {
  test("defaults: 15s intervals, 15d/10GB retention, exemplars on, remote write OFF, port 9090 on loopback", () => {
    const { out, prom } = synth();
    const container = only(out, "docker_container") as any;

    expect(prom.url).toBe("http://prometheus:9090");
    expect(container.name).toBe("monitoring-prometheus");
    expect(container.user).toBe("65534:65534");
    expect(container.command).toEqual([
      "--config.file=/etc/prometheus/prometheus.yml",
      "--storage.tsdb.path=/prometheus",
      "--storage.tsdb.retention.time=15d",
      "--storage.tsdb.retention.size=10GB",
      "--enable-feature=exemplar-storage",
      "--web.external-url=http://localhost:9090",
    ]);
    expect(container.ports).toEqual([{ internal: 9090, external: 9090, ip: "127.0.0.1", protocol: "tcp" }]);
    expect(container.memory).toBe(2048);
    expect(container.cpus).toBe("1.0");
    expect(container.security_opts).toEqual(["no-new-privileges:true"]);
    expect(container.capabilities).toEqual({ drop: ["ALL"] });
    expect(container.log_opts).toEqual({ "max-size": "10m", "max-file": "3" });
    expect(container.restart).toBe("unless-stopped");
    expect(container.healthcheck.test).toEqual(["CMD", "wget", "-q", "--spider", "http://127.0.0.1:9090/-/healthy"]);
    // deploy waits for health: start period 30s + 4 × (interval 30s + timeout 5s)
    expect(container.wait).toBe(true);
    expect(container.wait_timeout).toBe(170);

    const config = parseYaml(prom.config);
    expect(config.global).toEqual({
      scrape_interval: "15s",
      scrape_timeout: "10s",
      evaluation_interval: "15s",
      external_labels: { stack: "monitoring" },
    });
    expect(config.rule_files).toEqual(["/etc/prometheus/rules/*.yml"]);
    expect(config.storage).toEqual({ exemplars: { max_exemplars: 100000 } });
    expect(config.scrape_configs.map((j: any) => j.job_name)).toEqual(["prometheus", "node-exporter"]);
    expect(config.scrape_configs[0].static_configs).toEqual([{ targets: ["localhost:9090"] }]);
  });

  test("data lives on a named volume; config reaches the container as a file asset with its hash", () => {
    const { out, prom } = synth();
    const volume = only(out, "docker_volume") as any;
    expect(volume.name).toBe("monitoring-prometheus-data");
    const container = only(out, "docker_container") as any;
    expect(container.volumes).toEqual([
      { volume_name: expect.stringMatching(/^\$\{docker_volume\..*\.name\}$/), container_path: "/prometheus" },
    ]);
    const upload = container.upload.find((u: any) => u.file === "/etc/prometheus/prometheus.yml");
    expect(upload.source).toMatch(/^assets\/.+\/prometheus\.yml$/);
    expect(upload.source_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(upload.content).toBeUndefined();
    expect(prom.service.configAssets["/etc/prometheus/prometheus.yml"]).toBeDefined();
  });

  test("each prop reaches the config or the flags", () => {
    const { out, prom } = synth({
      scrapeInterval: Duration.parse("30s"),
      evaluationInterval: Duration.parse("1m"),
      retentionTime: Duration.parse("30d"),
      retentionSize: "50GB",
      remoteWriteReceiver: true,
      maxExemplars: 5000,
      publishedPort: 19090,
      externalUrl: "https://prom.example.com",
      alertmanagers: ["alertmanager:9093"],
      resources: { memoryMb: 4096, cpus: 2 },
      ruleFiles: [{ fileName: "a.rules.yml", content: "groups: []\n" }],
    });
    const container = only(out, "docker_container") as any;
    expect(container.command).toContain("--storage.tsdb.retention.time=30d");
    expect(container.command).toContain("--storage.tsdb.retention.size=50GB");
    expect(container.command).toContain("--web.enable-remote-write-receiver");
    expect(container.command).toContain("--web.external-url=https://prom.example.com");
    expect(container.ports[0]).toMatchObject({ internal: 9090, external: 19090 });
    expect(container.memory).toBe(4096);
    expect(container.cpus).toBe("2.0");
    expect(container.upload.map((u: any) => u.file)).toContain("/etc/prometheus/rules/a.rules.yml");
    const config = parseYaml(prom.config);
    expect(config.global.scrape_interval).toBe("30s");
    expect(config.global.evaluation_interval).toBe("1m");
    expect(config.storage.exemplars.max_exemplars).toBe(5000);
    expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual(["alertmanager:9093"]);
  });

  test("publishedPort false publishes nothing", () => {
    const { out } = synth({ publishedPort: false });
    const container = only(out, "docker_container") as any;
    expect(container.ports ?? []).toEqual([]);
    expect(container.command.some((f: string) => f.startsWith("--web.external-url"))).toBe(false);
  });

  test("a config change changes only the container's source_hash, never the volume", () => {
    const a = synth({ scrapeInterval: Duration.parse("15s") }).out;
    const b = synth({ scrapeInterval: Duration.parse("20s") }).out;
    const hash = (s: string) => (only(s, "docker_container") as any).upload[0].source_hash;
    expect(hash(a)).not.toEqual(hash(b));
    expect(only(a, "docker_volume")).toEqual(only(b, "docker_volume"));
  });

  test.each([
    [{ retentionTime: Duration.parse("1h") }, /prometheus.retentionTime: "1h" is too short; allowed: at least 2h/],
    [{ retentionSize: "10 gigs" }, /prometheus.retentionSize: "10 gigs" is not a size; use a whole number with B, KB/],
    [{ scrapeInterval: Duration.parse("0s") }, /prometheus.scrapeInterval: "0s" is not allowed/],
    [{ evaluationInterval: Duration.parse("0s") }, /prometheus.evaluationInterval: "0s" is not allowed/],
    [{ maxExemplars: -1 }, /prometheus.maxExemplars: -1 must be a whole number >= 0/],
    [{ publishedPort: 70000 }, /prometheus.publishedPort: 70000 is not a port; allowed: 1-65535/],
    [{ ruleFiles: [{ fileName: "../x.yml", content: "" }] }, /prometheus.ruleFiles: "..\/x.yml" must be a plain file name/],
    [{ image: { repository: "prom/prometheus", tag: "latest" } }, /prometheus.image.tag: "latest" is a moving tag; pin an exact version/],
    [{ scrapeTargets: [TARGETS[0], TARGETS[0]] }, /job "node-exporter" is defined twice/],
  ])("rejects %p", (props, message) => {
    expect(() => synth(props as any)).toThrow(message);
  });
});

describe("renderPrometheusConfig", () => {
  const base = {
    scrapeInterval: Duration.parse("15s"),
    evaluationInterval: Duration.parse("15s"),
    externalLabels: { stack: "t" },
    ruleFilesGlob: "/rules/*.yml",
    alertmanagers: ["127.0.0.1:9093"],
    maxExemplars: 100,
    scrapeTargets: [
      { job: "performance-metrics", targets: ["a:1"], scrapeInterval: Duration.parse("5s"), labels: { env: "x" } },
      { job: "slow", targets: ["b:2"], scrapeInterval: Duration.parse("1m"), metricsPath: "/m" },
    ],
  };

  test("a job faster than the global timeout gets its own timeout; labels and paths are kept", () => {
    const config = parseYaml(renderPrometheusConfig(base));
    expect(config.scrape_configs[0]).toEqual({
      job_name: "performance-metrics",
      scrape_interval: "5s",
      scrape_timeout: "5s",
      metrics_path: "/metrics",
      static_configs: [{ targets: ["a:1"], labels: { env: "x" } }],
    });
    expect(config.scrape_configs[1]).toEqual({
      job_name: "slow",
      scrape_interval: "1m",
      metrics_path: "/m",
      static_configs: [{ targets: ["b:2"] }],
    });
  });

  test("targetLabels give each target its own static config, merged with the job's labels", () => {
    const config = parseYaml(
      renderPrometheusConfig({
        ...base,
        scrapeTargets: [{ job: "app", targets: ["chat:1", "group:2"], labels: { env: "x" }, targetLabels: [{ service: "chat" }, { service: "group" }] }],
      }),
    );
    expect(config.scrape_configs[0].static_configs).toEqual([
      { targets: ["chat:1"], labels: { env: "x", service: "chat" } },
      { targets: ["group:2"], labels: { env: "x", service: "group" } },
    ]);
  });

  test("targetLabels must match the targets one to one", () => {
    expect(() =>
      renderPrometheusConfig({ ...base, scrapeTargets: [{ job: "app", targets: ["chat:1", "group:2"], targetLabels: [{ service: "chat" }] }] }),
    ).toThrow('prometheus.scrapeTargets: job "app" has 2 targets but 1 targetLabels entries');
  });

  test("a global interval below 10s lowers the global timeout", () => {
    const config = parseYaml(renderPrometheusConfig({ ...base, scrapeInterval: Duration.parse("5s") }));
    expect(config.global.scrape_timeout).toBe("5s");
  });

  test("loads in the installed Prometheus (promtool check config)", () => {
    const promtool = findTool("promtool");
    if (!promtool) {
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prom-"));
    fs.mkdirSync(path.join(dir, "rules"));
    fs.writeFileSync(path.join(dir, "rules", "empty.yml"), "groups: []\n");
    const file = path.join(dir, "prometheus.yml");
    fs.writeFileSync(file, renderPrometheusConfig({ ...base, ruleFilesGlob: path.join(dir, "rules", "*.yml") }));
    const result = run(promtool, ["check", "config", file]);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  test("flags include retention by time and size, exemplars and the remote-write receiver", () => {
    expect(
      prometheusFlags({
        configFile: "/c.yml",
        dataPath: "/d",
        retentionTime: Duration.parse("1d"),
        retentionSize: "1GB",
        remoteWriteReceiver: true,
        listenAddress: "127.0.0.1:1",
      }),
    ).toEqual([
      "--config.file=/c.yml",
      "--storage.tsdb.path=/d",
      "--storage.tsdb.retention.time=1d",
      "--storage.tsdb.retention.size=1GB",
      "--enable-feature=exemplar-storage",
      "--web.enable-remote-write-receiver",
      "--web.listen-address=127.0.0.1:1",
    ]);
  });
});
