import { CatalogSource, counter, gauge, MetricDeclaration } from "./types";

/**
 * Job of the k6 load-test metrics: k6 remote-writes them to the stack's k6 receiver, and Prometheus
 * federates the `k6_*` series from it under this job (constructs/load-test-receiver.ts).
 */
export const K6_JOB = "k6";

/** Tags k6 attaches to HTTP samples (system tags), plus the test-wide `testid` tag users commonly set. */
const HTTP_TAGS = ["scenario", "group", "method", "name", "status", "url", "expected_response", "proto", "tls_version", "error_code", "testid"];
const TEST_TAGS = ["scenario", "group", "testid"];

/** The trend stats the output writes by default (`K6_PROMETHEUS_RW_TREND_STATS` = `p(99)`, named `p99`). */
const DEFAULT_TREND_STATS = ["p99"];

/**
 * A k6 Trend becomes one gauge per configured stat, `k6_<name>_<stat>`: no unit suffix (the output passes
 * an empty suffix for trends), values of time trends converted to seconds (`adaptUnit`).
 * @see https://github.com/grafana/k6/blob/v2.2.0/internal/output/prometheusrw/remotewrite/trend.go
 */
function trend(base: string, labels: readonly string[], stats: readonly string[]): MetricDeclaration[] {
  return stats.map((stat) => gauge(`${base}_${stat}`, labels));
}

/**
 * The built-in k6 metrics as the `experimental-prometheus-rw` output writes them, for the given trend
 * stats (`K6_PROMETHEUS_RW_TREND_STATS`, e.g. `["p95", "p99", "avg"]`). Native histograms
 * (`K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true`) are not modelled.
 */
export function k6Metrics(trendStats: readonly string[] = DEFAULT_TREND_STATS): MetricDeclaration[] {
  return [
    counter("k6_http_reqs_total", HTTP_TAGS, "How many HTTP requests k6 generated."),
    gauge("k6_http_req_failed_rate", HTTP_TAGS, "Rate of failed requests (k6 Rate metric)."),
    ...["http_req_duration", "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking", "http_req_sending", "http_req_waiting", "http_req_receiving"]
      .flatMap((m) => trend(`k6_${m}`, HTTP_TAGS, trendStats)),
    ...trend("k6_iteration_duration", TEST_TAGS, trendStats),
    counter("k6_iterations_total", TEST_TAGS),
    counter("k6_dropped_iterations_total", TEST_TAGS),
    // Counters get `_total` and no unit suffix (remotewrite.go, MapPrompb: metrics.Counter).
    counter("k6_data_sent_total", TEST_TAGS),
    counter("k6_data_received_total", TEST_TAGS),
    gauge("k6_checks_rate", [...TEST_TAGS, "check"], "Rate of successful checks (k6 Rate metric)."),
    gauge("k6_vus", ["testid"], "Current number of active virtual users."),
    gauge("k6_vus_max", ["testid"], "Max possible number of virtual users."),
    counter("k6_ws_sessions_total", TEST_TAGS),
    counter("k6_ws_msgs_sent_total", TEST_TAGS),
    counter("k6_ws_msgs_received_total", TEST_TAGS),
    ...trend("k6_ws_session_duration", TEST_TAGS, trendStats),
    ...trend("k6_ws_connecting", TEST_TAGS, trendStats),
  ];
}

/** k6 with the output's defaults. The series carry job/instance of the federation scrape (job "k6"). */
export const K6: CatalogSource = {
  job: K6_JOB,
  version: "experimental-prometheus-rw output, default options",
  source:
    "grafana/k6 v2.2.0: internal/output/prometheusrw/remotewrite/remotewrite.go (MapPrompb: Counter → _total, Gauge → no suffix, Rate → _rate) " +
    "and trend.go (trendAsGauges: k6_<name>_<stat>, no unit suffix, time in seconds)",
  note:
    "Counters end in _total, Rates in _rate, Trends become one gauge per K6_PROMETHEUS_RW_TREND_STATS stat (default p(99) → _p99). " +
    "Trend stats carry no unit suffix but time values are in seconds, so the guide's k6_http_req_duration p99 is k6_http_req_duration_p99 and k6_http_reqs is k6_http_reqs_total. " +
    "Tags become labels; only the system tags k6 sets by default are listed.",
  targetLabels: ["job", "instance"],
  metrics: k6Metrics(),
};
