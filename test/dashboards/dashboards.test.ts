import { DEFAULT_THRESHOLDS, resolveThresholds } from "../../alerts/thresholds";
import { Duration } from "../../alerts/duration";
import { RECORDED, SELECTORS } from "../../alerts/rules/selectors";
import { ALERT_DEFINITIONS } from "../../alerts";
import { leMatcher } from "../../alerts/rules/slo";
import { renderDashboard } from "../../dashboards";
import { DATASOURCE_VARIABLE, FIRING_ALERTS_EXPR } from "../../dashboards/common";
import { DATASOURCES } from "../../dashboards/datasources";
import { ALL_EXPORTERS, alertStep, build, byUid, panel, panels } from "./helpers";

const EXPECTED: Record<string, string[]> = {
  "performance-overview": ["Requests per second", "HTTP error ratio", "HTTP API p95", "Message delivery p95", "WebSocket connections", "Replicas up", "Longest DB transaction", "Redis command time", "CPU busy (max host)", "Memory available (min host)", "Network receive", "System Resource Utilization", "Message Delivery Performance"],
  slos: [
    "http-availability: error budget left", "http-availability: burn rate",
    "http-latency: error budget left", "http-latency: burn rate",
    "message-delivery: error budget left", "message-delivery: burn rate",
  ],
  "messaging-websocket": ["Message delivery latency", "Message throughput", "Offline message queue", "WebSocket connections", "WebSocket availability", "WebSocket message rate", "WebSocket latency"],
  "http-api-red": ["Request rate per replica", "Requests by status class", "Replicas up per service", "Error ratio (5xx)", "Error ratio per replica", "Error ratio by route", "Latency quantiles", "p95 latency per replica", "Slowest routes (p95)"],
  "database-postgres": ["PostgreSQL up", "Connections by state", "Longest open transaction", "Transactions", "Mean statement time", "Tuples per second", "Buffer cache hit ratio", "Locks by mode", "Database size"],
  "cache-redis": ["Redis up", "Keyspace hit ratio", "Mean command time", "Commands per second", "Memory used vs maxmemory", "Memory utilisation", "Evicted keys", "Connected clients"],
  "hosts-network": ["CPU utilisation", "CPU by mode", "Memory used", "Memory available", "Filesystem space available", "Disk throughput", "Disk busy", "Network bandwidth", "Network errors", "TCP sockets"],
  "containers-cadvisor": ["CPU per container", "Memory working set per container", "Network per container", "Restarts per container", "Containers restarted in range"],
  "capacity-planning": ["Message volume: 7d share of 30d", "Messages per day, 90-day projection", "CPU: 30-day average and 90-day projection", "Memory: 30-day average and 90-day projection", "Filesystem free space in 90 days", "Database size, 90-day projection", "Media storage growth (7d share of 30d)", "Media storage used, projected"],
  "load-testing": ["k6 requests per second", "k6 request duration p99", "k6 failed requests and checks", "k6 virtual users", "Server message delivery p95 under load", "Server HTTP p95 under load", "Server WebSocket connections", "Host CPU under load"],
  "monitoring-stack-health": ["Scrape targets", "Stack component memory", "Prometheus samples ingested", "Prometheus head series", "Prometheus storage", "Rule evaluation failures", "Alerts failing to reach Alertmanager", "Alertmanager alerts", "Notification failures by integration", "Loki lines received", "Loki request p99 by route", "Alloy log shipping", "Jaeger spans", "Grafana request p95"],
  "logs-traces": ["Service logs", "Errors across the application", "HTTP p95 with exemplars", "Recent traces", "Slow traces", "Traces with errors"],
};

const PROVISIONED_UIDS = Object.values(DATASOURCES).map((d) => d.uid as string);
const VARIABLE_REF = `\${${DATASOURCE_VARIABLE}}`;

describe("buildDashboards", () => {
  const files = build();

  test("GIVEN every exporter WHEN built THEN the 12 dashboards come in the README's order with stable uids and file names", () => {
    expect(files.map((f) => f.uid)).toEqual(Object.keys(EXPECTED));
    for (const f of files) {
      expect(f.json.uid).toBe(f.uid);
      expect(f.fileName).toBe(`${f.uid}.json`);
      expect(f.json.title).toBe(f.title);
    }
  });

  test.each(Object.entries(EXPECTED))("%s has its panels, tags, folder and unique panel ids", (uid, titles) => {
    const { json, folder } = byUid(files, uid);
    expect(panels(json).map((p) => p.title)).toEqual(titles);
    expect(json.tags).toContain("monitoring-stack-as-code");
    expect(json.tags!.length).toBeGreaterThan(1);
    expect(folder).toEqual(expect.any(String));
    const ids = (json.panels ?? []).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => typeof id === "number" && id > 0)).toBe(true);
  });

  test.each(Object.keys(EXPECTED))("%s: every panel has a unit", (uid) => {
    for (const p of panels(byUid(files, uid).json)) {
      expect({ panel: p.title, unit: p.fieldConfig?.defaults?.unit }).toEqual({ panel: p.title, unit: expect.stringMatching(/.+/) });
    }
  });

  test.each(Object.keys(EXPECTED))("%s: every panel and target points at a provisioned datasource or ${datasource}", (uid) => {
    for (const p of panels(byUid(files, uid).json)) {
      const refs = [p.datasource, ...((p.targets ?? []) as Array<{ datasource?: { uid?: string } }>).map((t) => t.datasource)];
      for (const ref of refs) {
        expect(ref?.uid).toBeDefined();
        expect([...PROVISIONED_UIDS, VARIABLE_REF]).toContain(ref!.uid);
      }
    }
  });

  test.each(Object.keys(EXPECTED))("%s: the datasource variable is of type prometheus and defaults to the provisioned uid", (uid) => {
    const variable = byUid(files, uid).json.templating?.list?.find((v) => v.name === DATASOURCE_VARIABLE);
    expect(variable).toMatchObject({ type: "datasource", query: "prometheus", current: { value: DATASOURCES.prometheus.uid } });
  });

  test.each(Object.keys(EXPECTED))("%s: firing alerts are annotations", (uid) => {
    expect(byUid(files, uid).json.annotations?.list).toEqual([
      expect.objectContaining({ expr: FIRING_ALERTS_EXPR, enable: true, datasource: { type: "prometheus", uid: VARIABLE_REF } }),
    ]);
  });

  test("no query matches the histogram `le` label by string, only as a number (leMatcher, the SLO latency bounds)", () => {
    const numeric = [0.2, 0.5].map((b) => JSON.stringify(leMatcher(b)).slice(1, -1));
    for (const f of files) {
      const rest = numeric.reduce((text: string, m: string) => text.split(m).join(""), renderDashboard(f));
      expect(rest).not.toMatch(/le\s*=~?\s*\\?"/);
    }
  });

  test("the SLO dashboard shows each SLO's budget left over its window and the burn rate of every alert window", () => {
    const { json } = byUid(files, "slos");
    const budget = panel(json, "http-availability: error budget left");
    expect((budget.targets as unknown as Array<{ expr: string }>)[0].expr).toMatch(/^1 - \(.*\[30d\].*\) \/ 0\.001$/);
    const burn = panel(json, "http-latency: burn rate");
    expect((burn.targets as unknown as Array<{ expr: string }>).map((t) => t.expr)).toEqual(
      ["1h", "6h", "1d", "3d"].map((w) => `job_service:slo_errors:ratio_rate${w}{slo="http-latency", job="performance-metrics", service=~"$service"} / 0.05`),
    );
    const without = build({ thresholds: { ...DEFAULT_THRESHOLDS, slos: { ...DEFAULT_THRESHOLDS.slos, httpLatency: { ...DEFAULT_THRESHOLDS.slos.httpLatency, enabled: false } } } });
    expect(panels(byUid(without, "slos").json).map((p) => p.title)).not.toContain("http-latency: burn rate");
  });

  test("a panel that asks for exemplars queries raw _bucket series (recorded series carry none)", () => {
    let seen = 0;
    for (const f of files) {
      for (const p of panels(f.json)) {
        for (const t of (p.targets ?? []) as unknown as Array<{ expr?: string; exemplar?: boolean }>) {
          if (!t.exemplar) continue;
          seen++;
          expect({ panel: p.title, raw: /_bucket\{/.test(t.expr ?? "") }).toEqual({ panel: p.title, raw: true });
        }
      }
    }
    expect(seen).toBeGreaterThanOrEqual(3);
  });

  test("up stats show a red DOWN for 0 and reduce with last, not lastNotNull", () => {
    for (const [uid, title] of [["database-postgres", "PostgreSQL up"], ["cache-redis", "Redis up"]]) {
      const p = panel(byUid(files, uid).json, title) as unknown as {
        options: { reduceOptions: { calcs: string[] } };
        fieldConfig: { defaults: { mappings: Array<{ options: Record<string, { text: string; color: string }> }> } };
      };
      expect(p.options.reduceOptions.calcs).toEqual(["last"]);
      expect(p.fieldConfig.defaults.mappings[0].options["0"]).toMatchObject({ text: "DOWN", color: "red" });
    }
  });

  test("the filesystem panel and the filesystem alerts share one selector", () => {
    const fs = panel(byUid(files, "hosts-network").json, "Filesystem space available");
    const expr = (fs.targets as unknown as Array<{ expr: string }>)[0].expr;
    expect(expr).toContain(`{${SELECTORS.filesystem}}`);
    const alert = ALERT_DEFINITIONS.find((d) => d.name === "HostFilesystemAlmostFull")!;
    expect(alert.build({ thresholds: DEFAULT_THRESHOLDS, threshold: 0.1, thresholdText: "10%", for: Duration.parse("15m"), stackJobs: [], discoveredServices: [] }).expr).toContain(SELECTORS.filesystem);
  });

  test("every target has a refId and queries carry the datasource variable literally", () => {
    for (const f of files) {
      for (const p of panels(f.json)) {
        for (const t of (p.targets ?? []) as unknown as Array<{ refId?: string }>) expect(t.refId).toMatch(/^[A-Z]$/);
      }
    }
  });
});

describe("thresholds shared with the alerts", () => {
  const line = (uid: string, title: string, thresholds = DEFAULT_THRESHOLDS) => alertStep(panel(byUid(build({ thresholds }), uid).json, title));

  test("GIVEN the default thresholds THEN each alerting panel's red step is the alert's threshold", () => {
    const t = DEFAULT_THRESHOLDS;
    expect(line("performance-overview", "Message Delivery Performance")).toBe(t.messageDeliveryLatency.threshold.value);
    expect(line("messaging-websocket", "WebSocket latency")).toBe(t.websocketLatency.threshold.value);
    expect(line("messaging-websocket", "WebSocket availability")).toBe(t.websocketAvailability.threshold.value);
    expect(line("http-api-red", "Error ratio (5xx)")).toBe(t.httpErrorRatio.threshold.value);
    expect(line("http-api-red", "Latency quantiles")).toBe(t.httpLatency.threshold.value);
    expect(line("database-postgres", "Longest open transaction")).toBe(t.databaseTransactionDuration.threshold.value);
    expect(line("database-postgres", "Mean statement time")).toBe(t.databaseQueryTime.threshold.value);
    expect(line("cache-redis", "Keyspace hit ratio")).toBe(t.cacheHitRatio.threshold.value);
    expect(line("cache-redis", "Mean command time")).toBe(t.cacheCommandLatency.threshold.value);
    expect(line("cache-redis", "Memory utilisation")).toBe(t.cacheMemoryUtilisation.threshold.value);
    expect(line("hosts-network", "CPU utilisation")).toBe(t.cpuUtilisation.threshold.value);
    expect(line("hosts-network", "Memory used")).toBe(t.memoryUtilisation.threshold.value);
    expect(line("hosts-network", "Memory available")).toBe(t.memoryAvailable.threshold.value);
    expect(line("hosts-network", "Network errors")).toBe(t.networkReceiveErrors.threshold.value);
    expect(line("capacity-planning", "Media storage used, projected")).toBe(t.storageProjectedUtilisation.threshold.value);
  });

  test("GIVEN an overridden threshold WHEN built THEN the panel's line follows", () => {
    const thresholds = resolveThresholds({
      messageDeliveryLatency: { threshold: { value: 2, unit: "seconds" }, for: Duration.parse("10m") },
      cacheHitRatio: { threshold: { value: 0.5, unit: "ratio" }, for: Duration.parse("30m") },
    });
    expect(line("performance-overview", "Message Delivery Performance", thresholds)).toBe(2);
    expect(line("performance-overview", "Message delivery p95", thresholds)).toBe(2);
    expect(line("load-testing", "Server message delivery p95 under load", thresholds)).toBe(2);
    expect(line("cache-redis", "Keyspace hit ratio", thresholds)).toBe(0.5);
  });

  test("a `below` alert colours the low side red", () => {
    const p = panel(byUid(build(), "cache-redis").json, "Keyspace hit ratio");
    expect(p.fieldConfig?.defaults?.thresholds?.steps).toEqual([
      { value: null, color: "red" },
      { value: DEFAULT_THRESHOLDS.cacheHitRatio.threshold.value, color: "green" },
    ]);
  });

  test("a critical alert with a warning twin draws both: orange from the warning, red from the critical", () => {
    const errors = panel(byUid(build(), "http-api-red").json, "Error ratio (5xx)");
    expect(errors.fieldConfig?.defaults?.thresholds?.steps).toEqual([
      { value: null, color: "green" },
      { value: DEFAULT_THRESHOLDS.httpErrorRatioWarning.threshold.value, color: "orange" },
      { value: DEFAULT_THRESHOLDS.httpErrorRatio.threshold.value, color: "red" },
    ]);
    expect(errors.description).toMatch(/ElevatedErrorRate warns above 1%/);
    const disk = panel(byUid(build(), "hosts-network").json, "Filesystem space available");
    expect(disk.fieldConfig?.defaults?.thresholds?.steps).toEqual([
      { value: null, color: "red" },
      { value: DEFAULT_THRESHOLDS.filesystemAvailableCritical.threshold.value, color: "orange" },
      { value: DEFAULT_THRESHOLDS.filesystemAvailable.threshold.value, color: "green" },
    ]);
  });

  test("panels with a threshold line draw it dashed", () => {
    const p = panel(byUid(build(), "hosts-network").json, "CPU utilisation");
    expect(p.fieldConfig?.defaults?.custom).toMatchObject({ thresholdsStyle: { mode: "dashed" } });
  });

  test("the slow-trace search starts at the HTTP latency threshold", () => {
    const thresholds = resolveThresholds({ httpLatency: { threshold: { value: 0.2, unit: "seconds" }, for: Duration.parse("10m") } });
    const p = panel(byUid(build({ thresholds }), "logs-traces").json, "Slow traces");
    expect(p.targets).toEqual([expect.objectContaining({ queryType: "search", minDuration: "200ms", service: "$service" })]);
  });
});

describe("recording rules", () => {
  const text = build().map(renderDashboard).join("\n");
  test.each(Object.entries(RECORDED))("%s (%s) is queried by a dashboard", (_key, record) => {
    expect(text).toContain(record);
  });

  test("recorded application series are selected by the application job and the service variable", () => {
    const p = panel(byUid(build({ applicationJob: "chat" }), "http-api-red").json, "Error ratio (5xx)");
    expect((p.targets as unknown as Array<{ expr: string }>)[0].expr).toBe(`${RECORDED.httpErrorRatio}{job="chat", service=~"$service"}`);
  });

  test("every dashboard that filters by $service defines the service variable (values from the application job)", () => {
    const files = build({ applicationJob: "chat" });
    const using = files.filter((f) => renderDashboard(f).includes('=~\\"$service\\"'));
    expect(using.map((f) => f.json.uid).sort()).toEqual(
      ["capacity-planning", "http-api-red", "load-testing", "logs-traces", "messaging-websocket", "performance-overview", "slos"].sort(),
    );
    for (const f of using) {
      const variables = ((f.json.templating as { list?: Array<{ name: string; query?: unknown }> }).list ?? []).filter((v) => v.name === "service");
      expect({ uid: f.json.uid, count: variables.length }).toEqual({ uid: f.json.uid, count: 1 });
    }
    const overview = byUid(files, "performance-overview").json.templating as unknown as { list: Array<{ name: string; query: { query: string }; includeAll: boolean; multi: boolean }> };
    const service = overview.list.find((v) => v.name === "service")!;
    expect(service.query.query).toBe('label_values(up{job="chat"}, service)');
    expect([service.includeAll, service.multi]).toEqual([true, true]);
  });
});

describe("replicas", () => {
  test("the HTTP/RED and WebSocket dashboards break a service down by replica: an instance variable of the selected services, used by their per-replica panels", () => {
    const files = build({ applicationJob: "chat" });
    const using = files.filter((f) => renderDashboard(f).includes('instance=~\\"$instance\\"'));
    expect(using.map((f) => f.json.uid).sort()).toEqual(["http-api-red", "messaging-websocket"]);
    for (const f of using) {
      const list = (f.json.templating as unknown as { list: Array<{ name: string; query: { query: string }; includeAll: boolean; multi: boolean; allValue: string }> }).list;
      const instance = list.find((v) => v.name === "instance")!;
      // It follows the service selection, so a replica list is never longer than the services chosen.
      expect(instance.query.query).toBe('label_values(up{job="chat", service=~"$service"}, instance)');
      expect([instance.includeAll, instance.multi, instance.allValue]).toEqual([true, true, ".*"]);
      // Defined after the service variable it reads.
      expect(list.findIndex((v) => v.name === "instance")).toBeGreaterThan(list.findIndex((v) => v.name === "service"));
    }
    const perReplica = panel(byUid(files, "http-api-red").json, "Error ratio per replica");
    const expr = (perReplica.targets as unknown as Array<{ expr: string; legendFormat: string }>)[0];
    expect(expr.expr).toContain('sum by (service, instance) (rate(messenger_http_requests_total{job="chat", service=~"$service", instance=~"$instance", status=~"5.."}');
    expect(expr.legendFormat).toBe("{{service}} {{instance}}");
  });

  test("the overview stays per service: no instance variable, and its replicas stat reads the recorded replicas per service", () => {
    const overview = byUid(build(), "performance-overview").json;
    expect(overview.templating?.list?.map((v) => v.name)).not.toContain("instance");
    expect(renderDashboard(byUid(build(), "performance-overview"))).not.toContain("$instance");
    const replicas = panel(overview, "Replicas up");
    expect((replicas.targets as unknown as Array<{ expr: string }>)[0].expr).toBe('job_service:up:sum{job="performance-metrics", service=~"$service"}');
  });
});

describe("exporters", () => {
  test.each([
    ["postgres", "database-postgres"],
    ["redis", "cache-redis"],
    ["node", "hosts-network"],
    ["cadvisor", "containers-cadvisor"],
  ] as const)("GIVEN %s disabled THEN %s is omitted", (exporter, uid) => {
    const uids = build({ exporters: { ...ALL_EXPORTERS, [exporter]: false } }).map((f) => f.uid);
    expect(uids).not.toContain(uid);
    expect(uids).toHaveLength(11);
  });

  test("GIVEN redis, postgres and node disabled THEN no panel queries their metrics", () => {
    const files = build({ exporters: { node: false, cadvisor: true, postgres: false, redis: false, minio: false } });
    const text = files.map(renderDashboard).join("\n");
    expect(text).not.toMatch(/redis_|pg_|node_|minio_|instance:node_|instance:redis_|instance_datname:pg_/);
    expect(panels(byUid(files, "performance-overview").json).map((p) => p.title)).toEqual([
      "Requests per second",
      "HTTP error ratio",
      "HTTP API p95",
      "Message delivery p95",
      "WebSocket connections",
      "Replicas up",
      "Message Delivery Performance",
    ]);
  });

  test("GIVEN minio disabled THEN capacity planning has no media storage panels", () => {
    const p = panels(byUid(build({ exporters: { ...ALL_EXPORTERS, minio: false } }), "capacity-planning").json);
    expect(p.map((x) => x.title).filter((t) => t?.startsWith("Media"))).toEqual([]);
  });
});

describe("options", () => {
  test("GIVEN a scrape interval THEN every Prometheus panel uses it as its minimum step", () => {
    const files = build({ scrapeInterval: Duration.parse("15s") });
    for (const f of files) {
      for (const p of panels(f.json)) expect(p.interval).toBe("15s");
    }
  });

  test("GIVEN an empty application job THEN it fails naming the option", () => {
    expect(() => build({ applicationJob: " " })).toThrow(/applicationJob/);
  });

  test("GIVEN a job name with quotes THEN it is escaped, not injected", () => {
    const p = panel(byUid(build({ applicationJob: 'a"b' }), "messaging-websocket").json, "Message throughput");
    expect((p.targets as unknown as Array<{ expr: string }>)[0].expr).toContain('job="a\\"b"');
  });

  test("GIVEN application services THEN Logs & Traces offers them", () => {
    const json = byUid(build({ applicationServices: ["api", "worker"] }), "logs-traces").json;
    expect(json.templating?.list?.find((v) => v.name === "service")).toMatchObject({ query: "api,worker", current: { value: "api" } });
    expect(() => build({ applicationServices: [] })).toThrow(/applicationServices/);
  });
});

describe("renderDashboard", () => {
  const files = build();

  test("keeps ${datasource} literally (no Terraform interpolation happens on files)", () => {
    const text = renderDashboard(byUid(files, "performance-overview"));
    expect(text).toContain('"uid": "${datasource}"');
    expect(text).not.toContain("$${");
  });

  test("is deterministic and 2-space indented", () => {
    const again = build();
    files.forEach((f, i) => expect(renderDashboard(f)).toBe(renderDashboard(again[i])));
    expect(renderDashboard(files[0])).toMatch(/^\{\n {2}"/);
  });

  test.each(Object.keys(EXPECTED))("%s JSON snapshot", (uid) => {
    expect(renderDashboard(byUid(files, uid))).toMatchSnapshot();
  });
});

