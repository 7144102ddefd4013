import { IMAGES } from "../../../constructs/versions";
import { JOBS } from "../../../alerts/jobs";
import { buildCatalog, CATALOG, DEFAULT_APPLICATION_METRICS, DEFAULT_LATENCY_BUCKETS, GUIDE_RENAMES, k6Metrics, fullCatalog } from "../../../alerts/catalog";

describe("CATALOG", () => {
  it("has a source for every exporter and component job", () => {
    expect(Object.keys(CATALOG).sort()).toEqual(
      [JOBS.nodeExporter, JOBS.postgresExporter, JOBS.redisExporter, JOBS.cadvisor, JOBS.prometheus, JOBS.alertmanager, JOBS.loki, JOBS.alloy, JOBS.jaeger, JOBS.grafana, JOBS.minio, JOBS.probeHealth, JOBS.probeWebsocket, "k6"].sort(),
    );
  });

  it("is checked against the exact image versions the stack pins (a version bump must refresh the catalog)", () => {
    const pins: Record<string, string> = {
      [JOBS.nodeExporter]: IMAGES.nodeExporter.tag,
      [JOBS.postgresExporter]: IMAGES.postgresExporter.tag,
      [JOBS.redisExporter]: IMAGES.redisExporter.tag,
      [JOBS.cadvisor]: IMAGES.cadvisor.tag,
      [JOBS.prometheus]: IMAGES.prometheus.tag,
      [JOBS.alertmanager]: IMAGES.alertmanager.tag,
      [JOBS.loki]: IMAGES.loki.tag,
      [JOBS.alloy]: IMAGES.alloy.tag,
      [JOBS.jaeger]: IMAGES.jaeger.tag,
      [JOBS.grafana]: IMAGES.grafana.tag,
      [JOBS.probeHealth]: IMAGES.blackboxExporter.tag,
      [JOBS.probeWebsocket]: IMAGES.blackboxExporter.tag,
    };
    for (const [job, tag] of Object.entries(pins)) {
      expect(`${job} ${CATALOG[job].version}`).toBe(`${job} ${tag}`);
    }
  });

  it.each(Object.values(CATALOG).map((s) => [s.job, s] as const))("%s: names are valid, unique, typed by convention", (_job, source) => {
    const names = source.metrics.map((m) => m.name);
    const duplicates = names.filter((n, i) => names.indexOf(n) !== i && !n.startsWith("go_") && !n.startsWith("process_"));
    expect(duplicates).toEqual([]);
    for (const m of source.metrics) {
      expect(m.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      m.labels.forEach((l) => expect(l).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/));
      if (m.type === "histogram") expect(m.name).not.toMatch(/_(bucket|sum|count)$/);
      // Upstream names that end in _total but are gauges (counts, not counters).
      const gaugesNamedTotal = ["container_fs_inodes_total", "minio_api_requests_inflight_total"];
      if (m.name.endsWith("_total") && !gaugesNamedTotal.includes(m.name)) {
        expect(`${m.name} ${m.type}`).toBe(`${m.name} counter`);
      }
      if (m.buckets) expect([...m.buckets].sort((a, b) => a - b)).toEqual(m.buckets);
    }
  });

  it("says where every list came from", () => {
    for (const s of Object.values(CATALOG)) {
      expect(s.source.length).toBeGreaterThan(10);
      expect(s.note.length).toBeGreaterThan(10);
    }
  });
});

describe("DEFAULT_APPLICATION_METRICS", () => {
  it("declares the guide's messenger metrics", () => {
    expect(DEFAULT_APPLICATION_METRICS.map((m) => `${m.name}:${m.type}`)).toEqual([
      "messenger_message_delivery_latency_seconds:histogram",
      "messenger_websocket_connections:gauge",
      "messenger_websocket_messages_total:counter",
      "messenger_websocket_latency_seconds:histogram",
      "messenger_http_requests_total:counter",
      "messenger_http_request_duration_seconds:histogram",
      "messenger_messages_total:counter",
      "messenger_offline_messages_queued:gauge",
    ]);
  });

  it("puts the guide's latency thresholds on bucket boundaries", () => {
    for (const t of [0.02, 0.05, 0.5, 1]) expect(DEFAULT_LATENCY_BUCKETS).toContain(t);
  });
});

describe("buildCatalog", () => {
  it("leaves out a disabled exporter's metrics and keeps the synthetic series", () => {
    const catalog = buildCatalog({ scrapedJobs: [JOBS.prometheus], application: [] });
    expect(catalog.resolve("redis_up")).toBeUndefined();
    expect(catalog.resolve("prometheus_tsdb_head_series")?.jobs).toEqual([JOBS.prometheus]);
    for (const s of ["up", "scrape_duration_seconds", "scrape_samples_scraped", "ALERTS", "ALERTS_FOR_STATE"]) {
      expect(catalog.resolve(s)).toBeDefined();
    }
    expect(catalog.resolve("ALERTS")?.labels).toBeUndefined();
  });

  it("exposes a histogram as _bucket (with le), _sum and _count, and adds target labels (the application's service too)", () => {
    const catalog = buildCatalog({ scrapedJobs: [JOBS.application], application: DEFAULT_APPLICATION_METRICS });
    const bucket = catalog.resolve("messenger_http_request_duration_seconds_bucket");
    expect(bucket?.kind).toBe("bucket");
    expect([...(bucket?.labels ?? [])].sort()).toEqual(["instance", "job", "le", "method", "route", "service"]);
    expect(catalog.resolve("messenger_http_request_duration_seconds_count")?.kind).toBe("count");
    expect(catalog.resolve("messenger_http_request_duration_seconds")).toBeUndefined();
  });

  it("adds extra target labels per job", () => {
    const catalog = buildCatalog({ scrapedJobs: [JOBS.application, JOBS.nodeExporter], application: DEFAULT_APPLICATION_METRICS, extraTargetLabels: { [JOBS.nodeExporter]: ["rack"] } });
    expect(catalog.resolve("node_load1")?.labels?.has("rack")).toBe(true);
    expect(catalog.resolve("node_load1")?.labels?.has("service")).toBe(false);
  });

  it("gives k6 series the job/instance of the federation scrape, beside k6's own tags", () => {
    const catalog = buildCatalog({ scrapedJobs: ["k6"], application: [] });
    const labels = catalog.resolve("k6_http_reqs_total")?.labels;
    expect(labels?.has("job")).toBe(true);
    expect(labels?.has("instance")).toBe(true);
    expect(labels?.has("scenario")).toBe(true);
  });

  it("maps every guide rename to a name the full catalog knows", () => {
    const catalog = fullCatalog();
    for (const [old, now] of Object.entries(GUIDE_RENAMES)) {
      expect(`${old} → ${catalog.resolve(now) ? now : "missing"}`).toBe(`${old} → ${now}`);
      expect(catalog.resolve(old)).toBeUndefined();
    }
  });

  it("derives k6 trend gauges from the configured stats", () => {
    expect(k6Metrics(["p95", "avg"]).map((m) => m.name)).toContain("k6_http_req_duration_p95");
  });

  // As k6 v2.2.0 writes them: internal/output/prometheusrw/remotewrite/trend.go builds trend series with
  // MapSeries(series, "") (no unit suffix) plus "_" + stat, values adapted to seconds; remotewrite.go
  // gives counters "_total" (no unit), rates "_rate", gauges no suffix.
  it("names k6 series as its remote-write output does (no unit suffix on trends and counters)", () => {
    const names = k6Metrics().map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(["k6_http_req_duration_p99", "k6_iteration_duration_p99", "k6_http_reqs_total", "k6_data_sent_total", "k6_http_req_failed_rate", "k6_vus"]));
    for (const wrong of ["k6_http_req_duration_seconds_p99", "k6_data_sent_bytes_total", "k6_iteration_duration_seconds_p99"]) {
      expect(names).not.toContain(wrong);
    }
  });
});
