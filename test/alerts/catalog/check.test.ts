import {
  assertProvenance,
  buildCatalog,
  checkProvenance,
  DEFAULT_APPLICATION_METRICS,
  Finding,
  formatFindings,
  fullCatalog,
} from "../../../alerts/catalog";
import { JOBS } from "../../../alerts/jobs";

const catalog = fullCatalog();

/** GIVEN the full catalog WHEN one expression is checked THEN its findings, formatted. */
function check(expr: string, options: { bucketPolicy?: "error" | "warning"; recordingRules?: { record: string; expr: string; labels?: Record<string, string> }[] } = {}): string {
  return formatFindings(
    checkProvenance({ catalog, expressions: [{ where: 'alert "T"', expr }], recordingRules: options.recordingRules ?? [], bucketPolicy: options.bucketPolicy }),
  );
}

describe("checkProvenance: passing expressions", () => {
  it.each([
    // The guide's expressions, with the names the pinned exporters really expose.
    'histogram_quantile(0.95, sum(rate(messenger_message_delivery_latency_seconds_bucket[5m])) by (le)) > 1',
    'pg_stat_activity_max_tx_duration{state="active"} > 0.5',
    '100 - (avg(rate(node_cpu_seconds_total{mode="idle"}[5m])) by (instance) * 100) > 80',
    'rate(messenger_http_requests_total{status=~"5.."}[5m]) / rate(messenger_http_requests_total[5m]) > 0.05',
    'histogram_quantile(0.95, sum(rate(messenger_websocket_latency_seconds_bucket[5m])) by (le)) > 0.5',
    'rate(node_network_receive_errs_total[5m]) > 0.1',
    'sum(rate(redis_keyspace_hits_total[5m])) / (sum(rate(redis_keyspace_hits_total[5m])) + sum(rate(redis_keyspace_misses_total[5m]))) < 0.7',
    'redis_memory_used_bytes / redis_memory_max_bytes > 0.85',
    'rate(redis_commands_duration_seconds_total[5m]) / rate(redis_commands_total[5m]) > 0.02',
    'sum by (datname) (rate(pg_stat_statements_seconds_total[5m])) / sum by (datname) (rate(pg_stat_statements_calls_total[5m])) > 0.05',
    'predict_linear(minio_cluster_usage_buckets_total_bytes[7d], 30 * 24 * 3600) > on(bucket) 0.9 * minio_cluster_usage_buckets_quota_total_bytes',
    '(node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes) / node_memory_MemTotal_bytes * 100 > 75',
    'up{job="node-exporter"} == 0',
    'sum by (name) (rate(container_cpu_usage_seconds_total{container_label_com_docker_compose_service!=""}[$__rate_interval]))',
    'k6_http_req_duration_p99{scenario="Chat Load Test"}',
    'increase(prometheus_rule_evaluation_failures_total[5m]) > 0',
    'rate(prometheus_notifications_latency_seconds_sum[5m]) / rate(prometheus_notifications_latency_seconds_count[5m])',
    'ALERTS{alertstate="firing", severity="critical"}',
    // A subquery over a computed expression is gauge-like, whatever it selects.
    'predict_linear((sum(increase(messenger_messages_total[1d])))[30d:1h], 90 * 86400)',
    'sum by (instance) (rate(node_cpu_seconds_total[5m])) / on(instance) group_left(nodename) node_uname_info',
    'label_replace(up, "host", "$1", "instance", "(.*):.*") * on(host) group_left() label_replace(node_load1, "host", "$1", "instance", "(.*):.*")',
  ])("%s", (expr) => {
    expect(check(expr)).toBe("");
  });

  it("accepts a series produced by a recording rule, with the labels of its by clause and static labels", () => {
    const recordingRules = [
      { record: "job:messenger_http_requests:rate5m", expr: "sum by (job, route) (rate(messenger_http_requests_total[5m]))", labels: { team: "chat" } },
    ];
    expect(check('job:messenger_http_requests:rate5m{route="/send", team="chat"} > 10', { recordingRules })).toBe("");
  });
});

describe("checkProvenance: each kind of violation", () => {
  it("reports a metric nothing exports, with the closest catalog names", () => {
    expect(check("messenger_mesages_total")).toBe(
      'error: alert "T": metric "messenger_mesages_total": not exported by any scraped job nor recorded by a rule; did you mean "messenger_messages_total"?',
    );
  });

  it("names the right metric for the guide's outdated names", () => {
    expect(check("pg_stat_activity_max_duration_seconds > 0.5")).toBe(
      'error: alert "T": metric "pg_stat_activity_max_duration_seconds": not exported by any scraped job nor recorded by a rule (an outdated name); did you mean "pg_stat_activity_max_tx_duration"?',
    );
    expect(check("predict_linear(minio_bucket_usage_bytes[7d], 86400)")).toBe(
      'error: alert "T": metric "minio_bucket_usage_bytes": not exported by any scraped job nor recorded by a rule (an outdated name); did you mean "minio_cluster_usage_buckets_total_bytes"?',
    );
  });

  it("reports a metric whose exporter is disabled", () => {
    const withoutRedis = buildCatalog({ scrapedJobs: [JOBS.prometheus, JOBS.application], application: DEFAULT_APPLICATION_METRICS });
    const findings = checkProvenance({ catalog: withoutRedis, recordingRules: [], expressions: [{ where: 'alert "LowCacheHitRatio"', expr: "redis_up == 0" }] });
    expect(formatFindings(findings)).toBe(
      'error: alert "LowCacheHitRatio": metric "redis_up": exported only by job "redis-exporter", which the stack does not scrape (disabled)',
    );
  });

  it("reports rate() on a gauge", () => {
    expect(check("rate(node_memory_MemAvailable_bytes[5m])")).toBe(
      'error: alert "T": metric "node_memory_MemAvailable_bytes": rate() needs a counter, but "node_memory_MemAvailable_bytes" is a gauge; use deriv() or delta() for a gauge, or the gauge itself',
    );
  });

  it("reports increase() on a summary's quantile series", () => {
    expect(check("increase(go_gc_duration_seconds[5m])")).toBe(
      'error: alert "T": metric "go_gc_duration_seconds": increase() needs a counter, but "go_gc_duration_seconds" is a summary\'s quantile series; use its _sum or _count',
    );
  });

  it("reports rate() over a subquery of a raw gauge", () => {
    expect(check("rate(node_load1[30m:1m])")).toBe(
      'error: alert "T": metric "node_load1": rate() needs a counter, but "node_load1" is a gauge; use deriv() or delta() for a gauge, or the gauge itself',
    );
  });

  it("reports deriv() on a counter", () => {
    expect(check("deriv(node_cpu_seconds_total[5m])")).toBe(
      'error: alert "T": metric "node_cpu_seconds_total": deriv() is for gauges, but "node_cpu_seconds_total" is a counter; use rate() or increase()',
    );
  });

  it("reports histogram_quantile() over a series that is not _bucket", () => {
    expect(check("histogram_quantile(0.95, rate(messenger_http_request_duration_seconds_sum[5m]))")).toBe(
      'error: alert "T": metric "messenger_http_request_duration_seconds_sum": histogram_quantile() needs _bucket series, but "messenger_http_request_duration_seconds_sum" is a histogram\'s _sum series',
    );
  });

  it("reports histogram_quantile() over a recorded series whose name does not say bucket", () => {
    const recordingRules = [{ record: "job:messenger_messages:rate5m", expr: "sum by (job) (rate(messenger_messages_total[5m]))" }];
    expect(check("histogram_quantile(0.9, job:messenger_messages:rate5m)", { recordingRules })).toBe(
      'error: alert "T": metric "job:messenger_messages:rate5m": histogram_quantile() needs _bucket series, but recorded series "job:messenger_messages:rate5m" does not say bucket in its name',
    );
  });

  it("reports an unknown label in a matcher", () => {
    expect(check('node_cpu_seconds_total{mdoe="idle"}')).toBe(
      'error: alert "T": label "mdoe" of "node_cpu_seconds_total": no such label on "node_cpu_seconds_total" (labels: cpu, instance, job, mode); did you mean "mode"?',
    );
  });

  it("reports an unknown label in by", () => {
    expect(check("sum by (route) (rate(messenger_messages_total[5m]))")).toBe(
      'error: alert "T": label "route": sum by (route): the aggregated series have no label "route" (labels: instance, job, service)',
    );
  });

  it("reports an unknown label in without", () => {
    expect(check("sum without (cpus) (rate(node_cpu_seconds_total[5m]))")).toBe(
      'error: alert "T": label "cpus": sum without (cpus): the aggregated series have no label "cpus" (labels: cpu, instance, job, mode); did you mean "cpu"?',
    );
  });

  it("reports an on() label missing on one side", () => {
    expect(check("messenger_websocket_connections / on(route) messenger_offline_messages_queued")).toBe(
      'error: alert "T": label "route": on (route): the left side has no label "route" (labels: instance, job, service)\n' +
        'error: alert "T": label "route": on (route): the right side has no label "route" (labels: instance, job, service)',
    );
  });

  it("reports an ignoring() label neither side has", () => {
    expect(check("messenger_websocket_connections / ignoring(podd) messenger_offline_messages_queued")).toBe(
      'error: alert "T": label "podd": ignoring (podd): neither side has label "podd"',
    );
  });

  it("reports a group_left() label the one side lacks", () => {
    expect(check("rate(node_cpu_seconds_total[5m]) * on(instance) group_left(nodname) node_uname_info")).toBe(
      'error: alert "T": label "nodname": group_left (nodname): the "one" side has no label "nodname" to copy (labels: domainname, instance, job, machine, nodename, release, sysname, version); did you mean "nodename"?',
    );
  });

  it("reports a latency threshold off the histogram's bucket boundaries, as an error by default", () => {
    expect(check("histogram_quantile(0.95, sum by (le) (rate(messenger_message_delivery_latency_seconds_bucket[5m]))) > 0.3")).toBe(
      'error: alert "T": metric "messenger_message_delivery_latency_seconds": threshold 0.3 is not a bucket boundary of histogram "messenger_message_delivery_latency_seconds" ' +
        "(buckets: 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5), so histogram_quantile interpolates and the comparison is not exact; did you mean 0.2 or 0.5?",
    );
  });

  it("reports an off-boundary threshold as a warning with bucketPolicy warning, also through recorded series", () => {
    const recordingRules = [
      { record: "job:messenger_http_request_duration_seconds_bucket:rate5m", expr: "sum by (job, le) (rate(messenger_http_request_duration_seconds_bucket[5m]))" },
      { record: "job:messenger_http_request_duration_seconds:p95", expr: "histogram_quantile(0.95, job:messenger_http_request_duration_seconds_bucket:rate5m)" },
    ];
    const out = check("job:messenger_http_request_duration_seconds:p95 > 0.25", { recordingRules, bucketPolicy: "warning" });
    expect(out).toBe(
      'warning: alert "T": metric "messenger_http_request_duration_seconds": threshold 0.25 is not a bucket boundary of histogram "messenger_http_request_duration_seconds" ' +
        "(buckets: 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5), so histogram_quantile interpolates and the comparison is not exact; did you mean 0.2 or 0.5?",
    );
    expect(check("job:messenger_http_request_duration_seconds:p95 > 0.5", { recordingRules })).toBe("");
  });

  it("reports a syntax error", () => {
    expect(check("rate(up[5m]")).toMatch(/^error: alert "T": invalid PromQL at position \d+/);
  });

  it("checks recording rule expressions too, naming the rule", () => {
    const findings = checkProvenance({
      catalog,
      expressions: [],
      recordingRules: [{ record: "instance:node_cpu:rate5m", expr: "sum by (instance) (rate(node_cpu_second_total[5m]))" }],
    });
    expect(findings).toEqual<Finding[]>([
      {
        severity: "error",
        where: 'recording rule "instance:node_cpu:rate5m"',
        metric: "node_cpu_second_total",
        message: 'not exported by any scraped job nor recorded by a rule; did you mean "node_cpu_seconds_total"?',
      },
    ]);
  });
});

describe("assertProvenance", () => {
  it("throws with one line per error", () => {
    expect(() =>
      assertProvenance({ catalog, recordingRules: [], expressions: [{ where: 'dashboard "Cache", panel "Hits"', expr: "rate(redis_keyspace_hits[5m])" }] }),
    ).toThrow(
      'metric provenance: 1 error(s)\nerror: dashboard "Cache", panel "Hits": metric "redis_keyspace_hits": not exported by any scraped job nor recorded by a rule (an outdated name); did you mean "redis_keyspace_hits_total"?',
    );
  });

  it("returns warnings and prints them, without throwing", () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    const warnings = assertProvenance({
      catalog,
      recordingRules: [],
      bucketPolicy: "warning",
      expressions: [{ where: "a", expr: "histogram_quantile(0.99, sum by (le) (rate(messenger_websocket_latency_seconds_bucket[5m]))) > 0.03" }],
    });
    expect(warnings).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
