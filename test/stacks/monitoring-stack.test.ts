import * as fs from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { ConfigError, MonitoringConfig, secret } from "../../stacks/config";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { DEFAULT_APPLICATION_METRICS } from "../../alerts/catalog";
import { parseYaml, resources } from "../constructs/helpers";

function build(config: MonitoringConfig = {}): { stack: MonitoringStack; out: string; json: any } {
  const app = Testing.app();
  const stack = new MonitoringStack(app, "monitoring", config);
  const out = Testing.synth(stack);
  return { stack, out, json: JSON.parse(out) };
}

function containers(out: string): Record<string, any> {
  return Object.fromEntries(Object.values(resources(out, "docker_container")).map((c: any) => [c.name, c]));
}

describe("MonitoringStack defaults", () => {
  const { stack, out, json } = build();
  const all = containers(out);

  test("every service of the guide runs as its own container, plus the Docker API gate of Alloy and cAdvisor", () => {
    expect(Object.keys(all).sort()).toEqual(
      [
        "alertmanager",
        "alloy",
        "blackbox-exporter",
        "cadvisor",
        "docker-socket-proxy",
        "grafana",
        "jaeger",
        "loki",
        "node-exporter",
        "postgres-exporter",
        "prometheus",
        "redis-exporter",
      ].map((s) => `monitoring-${s}`),
    );
  });

  test("secure defaults on every container: limits, no-new-privileges, no capabilities, log rotation, restart", () => {
    for (const [name, c] of Object.entries(all)) {
      expect({ name, memory: c.memory > 0, cpus: Number(c.cpus) > 0 }).toEqual({ name, memory: true, cpus: true });
      // node-exporter shares the host's PID namespace, for which Docker adds label=disable.
      expect(c.security_opts.filter((o: string) => o !== "label=disable")).toEqual(["no-new-privileges:true"]);
      expect(c.capabilities.drop).toEqual(["ALL"]);
      expect(c.log_driver).toBe("json-file");
      expect(c.log_opts).toEqual({ "max-size": "10m", "max-file": "3" });
      expect(c.restart).toBe("unless-stopped");
    }
  });

  test("published ports bind to 127.0.0.1; exporters publish nothing", () => {
    for (const c of Object.values(all)) {
      for (const p of c.ports ?? []) {
        expect(p.ip).toBe("127.0.0.1");
      }
    }
    for (const exporter of ["node-exporter", "cadvisor", "postgres-exporter", "redis-exporter", "alloy", "loki"]) {
      expect(all[`monitoring-${exporter}`].ports ?? []).toEqual([]);
    }
    const published = Object.values(all).flatMap((c: any) => (c.ports ?? []).map((p: any) => p.external)).sort((a: number, b: number) => a - b);
    expect(published).toEqual([3000, 4317, 4318, 9090, 9093, 16686]);
  });

  test("images are pinned, never latest", () => {
    for (const image of Object.values(resources(out, "docker_image"))) {
      expect(image.name).toMatch(/^[a-z0-9./_-]+:[A-Za-z0-9_.-]+$/);
      expect(image.name).not.toMatch(/:latest$/);
    }
  });

  test("a named volume for each stateful service", () => {
    const names = Object.values(resources(out, "docker_volume")).map((v: any) => v.name).sort();
    expect(names).toEqual(expect.arrayContaining(["monitoring-prometheus-data", "monitoring-alertmanager-data", "monitoring-grafana-data", "monitoring-loki-data"]));
  });

  test("Prometheus scrapes the guide's performance-metrics job at 5s, every exporter and every stack component", () => {
    const config = parseYaml(stack.prometheus.config);
    const jobs = config.scrape_configs.map((j: any) => j.job_name).sort();
    expect(jobs).toEqual(
      ["alertmanager", "alloy", "blackbox-health", "blackbox-websocket", "cadvisor", "grafana", "jaeger", "loki", "node-exporter", "performance-metrics", "postgres-exporter", "prometheus", "redis-exporter"],
    );
    const app = config.scrape_configs.find((j: any) => j.job_name === "performance-metrics");
    expect(app.scrape_interval).toBe("5s");
    // The guide's four services, each discovered per replica on Docker's DNS (type A, every 10s) and
    // labelled with its service name; no static target.
    expect(app.static_configs).toBeUndefined();
    expect(app.dns_sd_configs).toEqual([
      { names: ["chat-server"], type: "A", port: 8080, refresh_interval: "10s" },
      { names: ["group-service"], type: "A", port: 8083, refresh_interval: "10s" },
      { names: ["presence-service"], type: "A", port: 8081, refresh_interval: "10s" },
      { names: ["notification-service"], type: "A", port: 8082, refresh_interval: "10s" },
    ]);
    expect(app.relabel_configs).toEqual([{ source_labels: ["__meta_dns_name"], regex: "(.+)", target_label: "service" }]);
    const node = config.scrape_configs.find((j: any) => j.job_name === "node-exporter");
    expect(node.static_configs[0].targets).toEqual(["172.30.0.1:9100"]);
  });

  test("the stack network has the fixed subnet node-exporter listens on", () => {
    const net = Object.values(resources(out, "docker_network")).find((n: any) => n.name === "monitoring") as any;
    expect(net.internal).toBeUndefined();
    expect(net.ipam_config).toEqual([{ subnet: "172.30.0.0/24", gateway: "172.30.0.1" }]);
  });

  test("the Docker host is a variable and the admin password a sensitive output", () => {
    expect(json.variable.docker_host.default).toBe("unix:///var/run/docker.sock");
    expect(json.provider.docker[0].host).toBe("${var.docker_host}");
    expect(json.output.grafana_admin_password.sensitive).toBe(true);
    expect(json.output.grafana_url.value).toBe("http://localhost:3000/");
  });

  test("the postgres DSN is a required sensitive variable", () => {
    expect(json.variable.postgres_exporter_password).toMatchObject({ type: "string", sensitive: true, nullable: false });
    expect(all["monitoring-postgres-exporter"].upload).toContainEqual(expect.objectContaining({ content: "${var.postgres_exporter_password}" }));
  });

  test("no Grafana or Prometheus template reaches Terraform interpolation", () => {
    // Terraform would try to resolve these; they must only exist inside uploaded files.
    expect(out).not.toMatch(/\$\{(datasource|__value|labels|value|\$)/);
    expect(out).not.toContain("{{ $value");
  });

  test("stack-wide rule groups are loaded", () => {
    const names = stack.ruleGroups.map((g) => g.name);
    expect(names.length).toBeGreaterThan(3);
    const files = (all["monitoring-prometheus"].upload as any[]).map((u) => u.file).filter((f) => f.startsWith("/etc/prometheus/rules/"));
    expect(files.length).toBe(names.length);
  });
});

describe("MonitoringStack props", () => {
  test("bindAddress, ports and names", () => {
    const { out } = build({
      name: "obs",
      bindAddress: "0.0.0.0",
      prometheus: { publishedPort: 19090 },
      grafana: { publishedPort: 13000 },
      alertmanager: { publishedPort: false },
      jaeger: { publish: false },
    });
    const all = containers(out);
    expect(Object.keys(all)).toContain("obs-prometheus");
    expect(all["obs-prometheus"].ports).toEqual([{ internal: 9090, external: 19090, ip: "0.0.0.0", protocol: "tcp" }]);
    expect(all["obs-grafana"].ports[0].external).toBe(13000);
    expect(all["obs-alertmanager"].ports ?? []).toEqual([]);
    expect(all["obs-jaeger"].ports ?? []).toEqual([]);
  });

  test("application targets, interval and path", () => {
    const { stack } = build({ application: { targets: ["api:9000"], scrapeInterval: "10s", metricsPath: "/prom" } });
    const app = parseYaml(stack.prometheus.config).scrape_configs.find((j: any) => j.job_name === "performance-metrics");
    expect(app).toMatchObject({ scrape_interval: "10s", metrics_path: "/prom", static_configs: [{ targets: ["api:9000"] }] });
  });

  test("application services: discovered per replica, with their own port, path and refresh; static targets beside them", () => {
    const { stack } = build({
      application: {
        services: [
          { name: "api", port: 9000 },
          { name: "worker", port: 9000, metricsPath: "/internal/metrics" },
          { name: "gateway.chat", port: 8443 },
        ],
        targets: ["10.0.0.5:8080"],
        discoveryRefreshInterval: "30s",
      },
    });
    const jobs = parseYaml(stack.prometheus.config).scrape_configs;
    const app = jobs.find((j: any) => j.job_name === "performance-metrics");
    // One dns_sd entry per port (names on the same port share one), at the configured refresh.
    expect(app.dns_sd_configs).toEqual([
      { names: ["api", "worker"], type: "A", port: 9000, refresh_interval: "30s" },
      { names: ["gateway.chat"], type: "A", port: 8443, refresh_interval: "30s" },
    ]);
    // The static host keeps its service label from its host name.
    expect(app.static_configs).toEqual([{ targets: ["10.0.0.5:8080"], labels: { service: "10.0.0.5" } }]);
    // service comes from the DNS name; worker's own metrics path applies to worker only (the dot is escaped).
    expect(app.relabel_configs).toEqual([
      { source_labels: ["__meta_dns_name"], regex: "(.+)", target_label: "service" },
      { source_labels: ["__meta_dns_name"], regex: "worker", target_label: "__metrics_path__", replacement: "/internal/metrics" },
    ]);
    // The health probes follow the same replicas: each probed at its own address, which is its instance.
    const health = jobs.find((j: any) => j.job_name === "blackbox-health");
    expect(health.dns_sd_configs).toEqual(app.dns_sd_configs);
    expect(health.static_configs).toEqual([{ targets: ["http://10.0.0.5:8080/health"], labels: { service: "10.0.0.5" } }]);
    expect(health.relabel_configs).toEqual(
      expect.arrayContaining([
        { source_labels: ["__meta_dns_name", "__address__"], regex: "(.+);(.+)", target_label: "__param_target", replacement: "http://$2/health" },
        { source_labels: ["__meta_dns_name", "__address__"], regex: "(.+);(.+)", target_label: "instance", replacement: "$2" },
      ]),
    );
    expect(health.relabel_configs.at(-1)).toEqual({ target_label: "__address__", replacement: "blackbox-exporter:9115" });
  });

  test("a WebSocket target on a discovered service is probed on every replica; one on a static host stays static", () => {
    const { stack } = build({
      application: { services: [{ name: "chat-server", port: 8080 }], targets: ["10.0.0.5:8080"] },
      exporters: { blackbox: { websocketTargets: ["chat-server:8080", "10.0.0.5:8080"] } },
    });
    const ws = parseYaml(stack.prometheus.config).scrape_configs.find((j: any) => j.job_name === "blackbox-websocket");
    expect(ws.dns_sd_configs).toEqual([{ names: ["chat-server"], type: "A", port: 8080, refresh_interval: "10s" }]);
    expect(ws.static_configs).toEqual([{ targets: ["10.0.0.5:8080"], labels: { service: "10.0.0.5" } }]);
  });

  test("the rules know the discovered services: ServiceDown names each, so a service never discovered still pages", () => {
    const { stack } = build({ application: { services: [{ name: "api", port: 9000 }, { name: "worker", port: 9001 }] } });
    const down = stack.ruleGroups.flatMap((g) => g.rules).find((r) => "name" in r && r.name === "ServiceDown")!;
    expect(down.expr).toBe(
      'job_service:up:sum == 0 or absent(job_service:up:sum{job="performance-metrics", service="api"}) or absent(job_service:up:sum{job="performance-metrics", service="worker"})',
    );
  });

  test("an application network is joined by Prometheus, Jaeger and blackbox only; the database exporters stay off it", () => {
    const { out } = build({ network: { applicationNetwork: "chat_default" } });
    const joined = Object.entries(containers(out))
      .filter(([, c]) => (c.networks_advanced ?? []).some((n: any) => n.name === "chat_default"))
      .map(([n]) => n)
      .sort();
    expect(joined).toEqual(["monitoring-blackbox-exporter", "monitoring-jaeger", "monitoring-prometheus"]);
  });

  test("the database exporters reach the databases on a network of their own, created by the stack unless named", () => {
    const { out, stack } = build({ network: { applicationNetwork: "chat_default" } });
    const nets = Object.entries(resources(out, "docker_network") as Record<string, any>);
    const [dbId, db] = nets.find(([, n]) => n.name === "monitoring-databases")!;
    const ref = `\${docker_network.${dbId}.name}`;
    const onDb = Object.entries(containers(out))
      .filter(([, c]) => (c.networks_advanced ?? []).some((n: any) => n.name === ref))
      .map(([n]) => n)
      .sort();
    expect(onDb).toEqual(["monitoring-postgres-exporter", "monitoring-redis-exporter"]);
    expect(db.internal).toBeUndefined();
    const notes = stack.node.metadata.filter((m) => m.type === "@cdktf/info").map((m) => String(m.data));
    expect(notes).toContainEqual(
      expect.stringMatching(
        /^the database exporters reach PostgreSQL at postgres:5432 and Redis at redis:\/\/redis:6379 on the network "monitoring-databases", which this stack creates: the database containers must join it under the names "postgres" and "redis"\./,
      ),
    );
    const named = build({ network: { applicationNetwork: "chat_default", databaseNetwork: "chat_backend" } });
    expect(Object.values(resources(named.out, "docker_network") as Record<string, any>).map((n) => n.name)).not.toContain("monitoring-databases");
    expect(containers(named.out)["monitoring-postgres-exporter"].networks_advanced.map((n: any) => n.name)).toContain("chat_backend");
    const same = build({ network: { applicationNetwork: "chat_default", databaseNetwork: "chat_default" } }).stack;
    expect(same.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data))).toContainEqual(
      expect.stringContaining('network.databaseNetwork is the application network "chat_default"'),
    );
  });

  test("disabled exporters and components disappear with their scrape jobs and rules", () => {
    const { stack, out } = build({
      exporters: { redis: { enabled: false }, postgres: { enabled: false }, cadvisor: { enabled: false } },
      jaeger: { enabled: false },
      alloy: { enabled: false },
    });
    const names = Object.keys(containers(out));
    for (const gone of ["redis-exporter", "postgres-exporter", "cadvisor", "jaeger", "alloy"]) {
      expect(names).not.toContain(`monitoring-${gone}`);
    }
    const jobs = parseYaml(stack.prometheus.config).scrape_configs.map((j: any) => j.job_name);
    expect(jobs).not.toContain("redis-exporter");
    const exprs = stack.ruleGroups.flatMap((g) => g.rules.map((r) => r.expr)).join("\n");
    expect(exprs).not.toMatch(/redis_|pg_stat/);
    expect(JSON.parse(out).variable?.postgres_exporter_password).toBeUndefined();
  });

  test("MinIO is scraped when enabled", () => {
    const { stack } = build({ exporters: { minio: { enabled: true, targets: ["media:9000"] } } });
    const job = parseYaml(stack.prometheus.config).scrape_configs.find((j: any) => j.job_name === "minio");
    expect(job).toMatchObject({ metrics_path: "/minio/metrics/v3", static_configs: [{ targets: ["media:9000"] }] });
  });

  test("receivers' secrets become sensitive variables, shared by name", () => {
    const { json, stack } = build({
      alertmanager: {
        receivers: [
          { name: "oncall", pagerduty: [{ routingKey: secret("pagerduty_key") }] },
          { name: "team", slack: [{ apiUrl: secret("slack_url"), channel: "#ops" }, { apiUrl: secret("slack_url"), channel: "#ops2" }] },
        ],
        routing: { defaultReceiver: "team", critical: "oncall" },
      },
    });
    expect(json.variable.pagerduty_key).toMatchObject({ sensitive: true });
    expect(json.variable.slack_url).toMatchObject({ sensitive: true });
    const route = parseYaml(stack.alertmanager.config).route.routes.find((r: any) => r.matchers[0] === 'severity="critical"');
    expect(route.receiver).toBe("oncall");
  });

  test("a threshold override moves the alert and the dashboard line together", () => {
    const { stack, out } = build({ rules: { overrides: { HighCPUUsage: { threshold: 0.9 } } } });
    const cpu = stack.ruleGroups.flatMap((g) => g.rules).find((r: any) => r.name === "HighCPUUsage") as any;
    expect(cpu.expr).toMatch(/> 0\.9\b/);
    const steps = (stack.dashboards.find((d) => d.uid === "performance-overview")!.json as any).panels
      .filter((p: any) => /CPU/.test(p.title ?? ""))
      .flatMap((p: any) => p.fieldConfig?.defaults?.thresholds?.steps ?? [])
      .map((step: any) => step.value);
    expect(steps).toContain(0.9);
    expect(steps).not.toContain(0.8);
    const grafana = containers(out)["monitoring-grafana"];
    expect(grafana.upload.find((u: any) => u.file.endsWith("performance-overview.json")).source_hash).not.toEqual(
      containers(build().out)["monitoring-grafana"].upload.find((u: any) => u.file.endsWith("performance-overview.json")).source_hash,
    );
  });

  test("rule overrides reach the rendered rules", () => {
    const { stack } = build({ rules: { overrides: { HighCPUUsage: { enabled: false } } } });
    const alerts = stack.ruleGroups.flatMap((g) => g.rules).map((r: any) => r.name);
    expect(alerts).not.toContain("HighCPUUsage");
    expect(alerts).toContain("HighMessageLatency");
  });

  test("a config change replaces only that container's config (source_hash), never a volume", () => {
    const a = build().out;
    const b = build({ alertmanager: { repeatInterval: "2h" } }).out;
    const hashes = (out: string) =>
      Object.fromEntries(Object.entries(containers(out)).map(([n, c]) => [n, JSON.stringify((c.upload ?? []).map((u: any) => u.source_hash))]));
    const ha = hashes(a);
    const hb = hashes(b);
    const changed = Object.keys(ha).filter((n) => ha[n] !== hb[n]);
    expect(changed).toEqual(["monitoring-alertmanager"]);
    expect(resources(a, "docker_volume")).toEqual(resources(b, "docker_volume"));
  });
});

describe("MonitoringStack validation", () => {
  test.each<[string, MonitoringConfig, RegExp]>([
    ["bad duration", { prometheus: { scrapeInterval: "15 seconds" } }, /prometheus.scrapeInterval: "15 seconds" is not a valid duration; use a number followed by a unit/],
    ["bad application interval", { application: { scrapeInterval: "5" } }, /application.scrapeInterval: "5" is not a valid duration/],
    ["no service and no target", { application: { targets: [] } }, /application: no service to scrape; give application.services \(e.g. \[\{ name: "chat-server", port: 8080 \}\]\) or application.targets/],
    ["empty services", { application: { services: [] } }, /application: no service to scrape/],
    ["service name with a port", { application: { services: [{ name: "chat:8080", port: 8080 }] } }, /application.services\[0\].name: "chat:8080" is not a DNS name .*the port goes in application.services\[0\].port/],
    ["service name with a scheme", { application: { services: [{ name: "http://chat", port: 8080 }] } }, /application.services\[0\].name: "http:\/\/chat" is not a DNS name/],
    ["service listed twice", { application: { services: [{ name: "chat", port: 8080 }, { name: "chat", port: 9090 }] } }, /application.services\[1\].name: "chat" is listed twice/],
    ["service port out of range", { application: { services: [{ name: "chat", port: 70000 }] } }, /application.services\[0\].port: 70000 is not a port 1-65535/],
    ["service port not whole", { application: { services: [{ name: "chat", port: 80.5 }] } }, /application.services\[0\].port: 80.5 is not a port 1-65535/],
    ["service metrics path", { application: { services: [{ name: "chat", port: 8080, metricsPath: "metrics" }] } }, /application.services\[0\].metricsPath: "metrics" must be a path such as "\/metrics"/],
    ["a service both discovered and static", { application: { services: [{ name: "chat", port: 8080 }], targets: ["chat:8080"] } }, /application.targets\[0\]: "chat:8080" is also application.services' "chat"; a service is either discovered or static, not both/],
    ["bad discovery refresh", { application: { discoveryRefreshInterval: "10" } }, /application.discoveryRefreshInterval: "10" is not a valid duration/],
    ["discovery refresh too fast", { application: { discoveryRefreshInterval: "500ms" } }, /application.discoveryRefreshInterval: "500ms" is shorter than 1s/],
    ["bad target", { application: { targets: ["chat-server"] } }, /application.targets\[0\]: "chat-server" is not host:port/],
    ["port clash", { grafana: { publishedPort: 9090 } }, /port clash: host port 9090 is published by both .* and .*; give one of them another publishedPort/],
    ["bad port", { prometheus: { publishedPort: 0 } }, /prometheus.publishedPort: 0 is not a port; allowed: 1-65535/],
    ["latest tag", { grafana: { image: { repository: "grafana/grafana", tag: "latest" } } }, /grafana.image.tag: "latest" is a moving tag/],
    ["unknown severity", { rules: { overrides: { HighCPUUsage: { severity: "page" as never } } } }, /HighCPUUsage.*severity.*"page"/],
    ["unknown alert", { rules: { overrides: { NoSuchAlert: { enabled: false } } } }, /unknown alert "NoSuchAlert"/],
    ["negative memory", { prometheus: { resources: { memoryMb: -1, cpus: 1 } } }, /prometheus.resources.memoryMb: -1 is too small; allowed: at least 16 \(MiB\)/],
    ["MinIO target without a port", { exporters: { minio: { enabled: true, targets: ["minio"] } } }, /exporters.minio.targets\[0\]: "minio" is not host:port/],
    ["missing secret", { alertmanager: { receivers: [{ name: "t", slack: [{ apiUrl: undefined as never, channel: "#a" }] }] } }, /slack\[0\].apiUrl: a secret is required/],
    ["bad secret name", { exporters: { postgres: { password: secret("my password") } } }, /exporters.postgres.password: secret variable name "my password" is not a Terraform identifier/],
    ["bad bind address", { bindAddress: "localhost" }, /bindAddress: "localhost" is not an IPv4 address/],
    ["bad subnet", { network: { subnet: "172.30.0.5/24" } }, /network.subnet: "172.30.0.5\/24" is not an IPv4 network address/],
    ["bad name", { name: "My Stack" }, /name: "My Stack" must be a lower-case name/],
    ["bad log size", { logging: { maxSize: "10MB" } }, /logging.maxSize: "10MB" must be a size such as "10m"/],
    ["bad retention", { prometheus: { retentionSize: "lots" } }, /prometheus.retentionSize: "lots" is not a size/],
  ])("%s", (_name, config, message) => {
    expect(() => build(config)).toThrow(message);
  });

  test("all problems are reported at once", () => {
    expect(() => build({ bindAddress: "x", application: { targets: [] }, prometheus: { scrapeInterval: "x" } })).toThrow(
      /invalid monitoring config:\n  - .*\n  - .*\n  - /,
    );
  });
});

describe("MonitoringStack metric provenance", () => {
  const withoutConnections = DEFAULT_APPLICATION_METRICS.filter((m) => m.name !== "messenger_websocket_connections");
  const coarseBuckets = DEFAULT_APPLICATION_METRICS.map((m) =>
    m.name === "messenger_message_delivery_latency_seconds" ? { ...m, buckets: [0.1, 0.25, 0.75, 2.5] } : m,
  );

  test("an application metric that the app does not declare fails synth, naming the alert and the panel", () => {
    expect(() => build({ application: { metrics: withoutConnections } })).toThrow(
      /metric provenance: error: .*messenger_websocket_connections/,
    );
    try {
      build({ application: { metrics: withoutConnections } });
    } catch (e) {
      const message = (e as Error).message;
      expect(message).toMatch(/recording rule|alert /);
      expect(message).toMatch(/dashboard "Messaging & WebSocket"/);
    }
  });

  test("a threshold between histogram buckets is an error by default and a warning when configured", () => {
    expect(() => build({ application: { metrics: coarseBuckets } })).toThrow(/metric provenance: error: .*bucket/);
    const { stack } = build({ application: { metrics: coarseBuckets }, provenance: { bucketPolicy: "warning" } });
    const warnings = stack.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings.some((w) => /metric provenance: warning: .*bucket/.test(w))).toBe(true);
  });

  test("custom rule groups are rendered into their own file and checked like the library's", () => {
    const ok = build({
      rules: {
        additionalGroups: [
          { name: "team-alerts", alerts: [{ name: "QueueBacklog", expr: "sum(messenger_offline_messages_queued) > 10000", severity: "warning", summary: "Offline queue backlog" }] },
        ],
      },
    });
    const prometheus = containers(ok.out)["monitoring-prometheus"];
    expect((prometheus.upload as any[]).map((u) => u.file)).toContain("/etc/prometheus/rules/team-alerts.rules.yml");
    expect(() =>
      build({
        rules: {
          additionalGroups: [
            { name: "team-alerts", alerts: [{ name: "QueueBacklog", expr: "sum(messenger_offline_messages_queue) > 10000", severity: "warning", summary: "s" }] },
          ],
        },
      }),
    ).toThrow(/metric provenance: error: alert QueueBacklog \(group team-alerts\): metric "messenger_offline_messages_queue": .*did you mean "messenger_offline_messages_queued"/);
    expect(() =>
      build({ rules: { additionalGroups: [{ name: "team-alerts", alerts: [{ name: "Broken", expr: "sum(up", severity: "warning", summary: "s" }] }] } }),
    ).toThrow(/rule group "team-alerts", alert "Broken": invalid PromQL at position/);
  });

  test("disabling Alloy and Jaeger removes their panels instead of leaving them without data", () => {
    const { stack } = build({ alloy: { enabled: false }, jaeger: { enabled: false } });
    const grafana = containers(Testing.synth(stack))["monitoring-grafana"];
    const files = (grafana.upload as any[]).map((u) => u.file);
    expect(files).toContain("/etc/grafana/dashboards/monitoring-stack/monitoring-stack-health.json");
    expect(parseYaml(stack.grafana!.datasourcesConfig).datasources.map((d: any) => d.uid)).not.toContain("jaeger");
  });
  test("disabling Loki synthesizes, and no panel queries the Loki datasource or a Loki metric", () => {
    const { stack } = build({ loki: { enabled: false } });
    const text = JSON.stringify(stack.dashboards.map((d) => d.json));
    expect(stack.dashboards.length).toBeGreaterThan(0);
    expect(text).not.toContain('"uid":"loki"');
    expect(text).not.toMatch(/loki_(distributor|request)_/);
    expect(parseYaml(stack.grafana!.datasourcesConfig).datasources.map((d: any) => d.uid)).not.toContain("loki");
    // With Loki, both are there: the test would see a regression that drops them.
    const withLoki = JSON.stringify(build({}).stack.dashboards.map((d) => d.json));
    expect(withLoki).toContain('"uid":"loki"');
    expect(withLoki).toContain("loki_distributor_lines_received_total");
  });
});

describe("MonitoringStack output on disk", () => {
  // Values a deployer would set for the sensitive variables: synth must never read or write them.
  const SECRET_VALUES = {
    TF_VAR_slack_api_url: "https://hooks.slack.com/services/T000/B000/s3cr3t-slack",
    TF_VAR_redis_password: "s3cr3t-redis",
    TF_VAR_postgres_exporter_password: "s3cr3t-pg",
  };
  Object.assign(process.env, SECRET_VALUES);
  afterAll(() => Object.keys(SECRET_VALUES).forEach((k) => delete process.env[k]));
  const app = Testing.app();
  const stack = new MonitoringStack(app, "monitoring", {
    alertmanager: {
      receivers: [{ name: "team", slack: [{ apiUrl: secret("slack_api_url"), channel: "#ops" }] }],
      routing: { defaultReceiver: "team" },
    },
    exporters: { redis: { password: secret("redis_password") } },
  });
  const outdir = Testing.fullSynth(stack);
  const stackDir = path.join(outdir, "stacks", "monitoring");
  const tf = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));

  function files(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  }

  test("every uploaded config file exists as a plain, reviewable file under cdktf.out/stacks/monitoring", () => {
    const uploads = Object.values(tf.resource.docker_container).flatMap((c: any) => c.upload ?? []);
    const sources = uploads.filter((u: any) => u.source).map((u: any) => u.source as string);
    expect(sources.length).toBeGreaterThan(20);
    for (const source of sources) {
      expect(source).not.toMatch(/^\//);
      expect(fs.existsSync(path.join(stackDir, source))).toBe(true);
    }
    const names = sources.map((s) => path.basename(s));
    expect(names).toEqual(expect.arrayContaining(["prometheus.yml", "alertmanager.yml", "config.alloy", "datasources.yaml", "performance-overview.json"]));
  });

  test("secrets appear only as references to sensitive variables or generated resources", () => {
    const uploads = Object.values(tf.resource.docker_container).flatMap((c: any) => c.upload ?? []);
    for (const u of uploads.filter((u: any) => u.content !== undefined)) {
      // A variable, a generated password, or redis_exporter's password file built around a variable.
      expect(u.content).toMatch(/^\$\{(var\.[a-z_]+|random_password\.[^}]+\.result|jsonencode\(\{"redis:\/\/[a-z0-9.:-]+" = var\.[a-z_]+\}\))\}$/);
    }
    for (const name of ["slack_api_url", "redis_password", "postgres_exporter_password"]) {
      expect(tf.variable[name].sensitive).toBe(true);
    }
    const everything = files(outdir).map((f) => fs.readFileSync(f, "utf8")).join("\n");
    expect(everything).not.toMatch(/s3cr3t/);
  });

  test("a healthcheck on every container whose image can run one", () => {
    const without = Object.values(tf.resource.docker_container).filter((c: any) => !c.healthcheck).map((c: any) => c.name);
    // redis_exporter is a scratch image: no shell, no wget, and no health subcommand (docs/services.md).
    expect(without).toEqual(["monitoring-redis-exporter"]);
    // The provider errors on `wait` without a healthcheck; with one, deploy fails on an unhealthy container.
    for (const c of Object.values(tf.resource.docker_container) as any[]) {
      expect({ name: c.name, wait: c.wait === true }).toEqual({ name: c.name, wait: c.healthcheck !== undefined });
    }
  });

  test("no absolute path of this machine reaches the output", () => {
    const text = fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8");
    expect(text).not.toContain(process.cwd());
    expect(text).not.toContain(outdir);
  });
});

describe("MonitoringStack snapshots (a safety net; explicit assertions above)", () => {
  test("default stack", () => {
    expect(build().json).toMatchSnapshot();
  });

  test("rendered prometheus.yml and alertmanager.yml of the default stack", () => {
    const { stack } = build();
    expect(stack.prometheus.config).toMatchSnapshot();
    expect(stack.alertmanager.config).toMatchSnapshot();
  });
});

describe("synth warnings and the no-cascade rule", () => {
  const warnings = (stack: MonitoringStack) => stack.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));

  test("without network.applicationNetwork, synth warns and names every target that will not resolve", () => {
    const { stack } = build();
    const w = warnings(stack).find((x) => x.startsWith("network.applicationNetwork is not set"));
    expect(w).toBe(
      "network.applicationNetwork is not set: the application (chat-server:8080, group-service:8083, presence-service:8081, notification-service:8082); " +
        "the blackbox probes of them and of chat-server:8080 " +
        "resolve only on the application's Docker network, so they will be down. Set network.applicationNetwork to that network (e.g. the Compose project's \"chat_default\").",
    );
    const withNetwork = build({ network: { applicationNetwork: "chat_default" } }).stack;
    expect(warnings(withNetwork).filter((x) => x.startsWith("network.applicationNetwork"))).toEqual([]);
  });

  test.each<[string, MonitoringConfig, string]>([
    ["a too-wide subnet", { network: { subnet: "10.0.0.0/8" } }, 'network.subnet: "10.0.0.0/8" is not an IPv4 network address with a prefix from /16 to /28'],
    ["a bad Redis address", { exporters: { redis: { address: "not an address!!" } } }, 'exporters.redis.address: "not an address!!" is not a Redis address'],
    ["a bad Alertmanager URL", { alertmanager: { externalUrl: "not a url" } }, 'alertmanager.externalUrl: "not a url" is not an http(s) URL'],
    ["a bad Docker host", { dockerHost: { url: "ftp://x" } }, "dockerHost.url"],
  ])("%s is one problem, with no provenance cascade and no nested header", (_what, config, first) => {
    let problems: readonly string[] = [];
    try {
      build(config);
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toContain(first);
    expect(problems.filter((p) => p.startsWith("metric provenance"))).toEqual([]);
    expect(problems).not.toContain("invalid monitoring config:");
    expect(new Set(problems).size).toBe(problems.length);
  });
});
