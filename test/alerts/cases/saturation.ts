import { Duration } from "../../../alerts/duration";
import { DEFAULT_THRESHOLDS as T } from "../../../alerts/thresholds";
import { AlertTestCase } from "./types";

const APP = `job="performance-metrics", instance="notification-service:8082", service="notification-service"`;
const NODE_SEL = `job="node-exporter", instance="host:9100"`;
const NODE = { job: "node-exporter", instance: "host:9100" };
const FS = `${NODE_SEL}, device="/dev/sda1", fstype="ext4", mountpoint="/"`;
const FS_LABELS = { ...NODE, device: "/dev/sda1", fstype: "ext4", mountpoint: "/" };
const PG = `job="postgres-exporter", instance="postgres-exporter:9187"`;
const PG_LABELS = { job: "postgres-exporter", instance: "postgres-exporter:9187" };
const REDIS = `job="redis-exporter", instance="redis-exporter:9121"`;
const REDIS_LABELS = { job: "redis-exporter", instance: "redis-exporter:9121" };
const PROM = `job="prometheus", instance="localhost:9090"`;
const PROM_LABELS = { job: "prometheus", instance: "localhost:9090" };
/** One event a minute: `increase(...[5m])` is 5. */
const ONE_A_MINUTE = 1 / 60;

/** A counter that stays flat below and counts one event a minute above: `increase(...[5m]) > 0` fires with 5. */
function eventCounter(alert: string, series: string, labels: Record<string, string>): AlertTestCase {
  return { alert, signals: [{ kind: "rate", series, perSecond: { below: 0, above: ONE_A_MINUTE } }], expected: { labels, value: 5 } };
}

/** A used/limit pair: `used` just under the threshold below, at `above` of the limit above. */
function utilisation(alert: string, used: string, limit: string, threshold: number, above: number, labels: Record<string, string>): AlertTestCase {
  return {
    alert,
    signals: [
      { kind: "gauge", series: used, values: { below: 1000 * (threshold - 0.02), above: 1000 * above } },
      { kind: "gauge", series: limit, values: { below: 1000, above: 1000 } },
    ],
    expected: { labels, value: above },
  };
}

export const SATURATION_CASES: readonly AlertTestCase[] = [
  {
    // 10 messages a minute is 600 an hour (fine); 40 a minute is 2400 (alert)
    alert: "OfflineMessageQueueGrowing",
    lag: Duration.parse("1h"),
    signals: [{ kind: "rate", series: `messenger_offline_messages_queued{${APP}}`, start: 100, perSecond: { below: 10 / 60, above: 40 / 60 } }],
    expected: { labels: { job: "performance-metrics", service: "notification-service" }, value: 2400 },
  },
  {
    alert: "HostInodesAlmostExhausted",
    signals: [
      { kind: "gauge", series: `node_filesystem_files{${FS}}`, values: { below: 1e6, above: 1e6 } },
      { kind: "gauge", series: `node_filesystem_files_free{${FS}}`, values: { below: 1e6 * (T.filesystemInodesAvailable.threshold.value + 0.02), above: 1e6 * 0.02 } },
      { kind: "gauge", series: `node_filesystem_readonly{${FS}}`, values: { below: 0, above: 0 } },
    ],
    expected: { labels: FS_LABELS, value: 0.02 },
  },
  {
    alert: "HostClockSkew",
    signals: [{ kind: "gauge", series: `node_timex_offset_seconds{${NODE_SEL}}`, values: { below: T.clockOffset.threshold.value * 0.6, above: -0.2 } }],
    expected: { labels: NODE, value: 0.2 },
  },
  {
    // unsynchronised with a small max error is a short blip: silent
    alert: "HostClockNotSynchronising",
    signals: [
      { kind: "gauge", series: `node_timex_sync_status{${NODE_SEL}}`, values: { below: 0, above: 0, recover: 1 } },
      { kind: "gauge", series: `node_timex_maxerror_seconds{${NODE_SEL}}`, values: { below: 0.5, above: 16 } },
    ],
    expected: { labels: NODE, value: 0 },
  },
  utilisation("HostConntrackTableFull", `node_nf_conntrack_entries{${NODE_SEL}}`, `node_nf_conntrack_entries_limit{${NODE_SEL}}`, T.conntrackUtilisation.threshold.value, 0.9, NODE),
  utilisation("HostFileDescriptorsExhausted", `node_filefd_allocated{${NODE_SEL}}`, `node_filefd_maximum{${NODE_SEL}}`, T.fileDescriptorUtilisation.threshold.value, 0.9, NODE),
  eventCounter("HostOOMKill", `node_vmstat_oom_kill{${NODE_SEL}}`, NODE),
  {
    // connections of several states add up
    alert: "PostgresConnectionsNearLimit",
    signals: [
      { kind: "gauge", series: `pg_stat_activity_count{${PG}, datname="messenger", state="active", backend_type="client backend"}`, values: { below: 40, above: 50 } },
      { kind: "gauge", series: `pg_stat_activity_count{${PG}, datname="messenger", state="idle", backend_type="client backend"}`, values: { below: 100 * T.databaseConnectionUtilisation.threshold.value - 42, above: 40 } },
      { kind: "gauge", series: `pg_settings_max_connections{${PG}}`, values: { below: 100, above: 100 } },
    ],
    expected: { labels: PG_LABELS, value: 0.9 },
  },
  eventCounter("PostgresDeadlocks", `pg_stat_database_deadlocks{${PG}, datid="16384", datname="messenger"}`, { ...PG_LABELS, datid: "16384", datname: "messenger" }),
  eventCounter("RedisRejectedConnections", `redis_rejected_connections_total{${REDIS}}`, REDIS_LABELS),
  eventCounter("RedisEvictingKeys", `redis_evicted_keys_total{${REDIS}}`, REDIS_LABELS),
  eventCounter("PrometheusWALCorruptions", `prometheus_tsdb_wal_corruptions_total{${PROM}}`, PROM_LABELS),
  eventCounter(
    "PrometheusMissedRuleEvaluations",
    `prometheus_rule_group_iterations_missed_total{${PROM}, rule_group="/etc/prometheus/rules/slo-alerts.rules.yml;slo-alerts"}`,
    { ...PROM_LABELS, rule_group: "/etc/prometheus/rules/slo-alerts.rules.yml;slo-alerts" },
  ),
  eventCounter("PrometheusNotificationsDropped", `prometheus_notifications_dropped_total{${PROM}}`, PROM_LABELS),
  utilisation("PrometheusNotificationQueueFull", `prometheus_notifications_queue_length{${PROM}}`, `prometheus_notifications_queue_capacity{${PROM}}`, T.notificationQueueUtilisation.threshold.value, 0.95, PROM_LABELS),
  {
    // 100 samples/s, then none
    alert: "PrometheusNotIngestingSamples",
    signals: [{ kind: "rate", series: `prometheus_tsdb_head_samples_appended_total{${PROM}, type="float"}`, perSecond: { below: 100, above: 0 } }],
    expected: { labels: PROM_LABELS, value: 0 },
  },
  {
    // successful writes (204) do not count; refused ones (400) do
    alert: "PrometheusRemoteWriteReceiverErrors",
    signals: [
      { kind: "rate", series: `prometheus_http_requests_total{${PROM}, handler="/api/v1/write", code="204"}`, perSecond: { below: 5, above: 5 } },
      { kind: "rate", series: `prometheus_http_requests_total{${PROM}, handler="/api/v1/write", code="400"}`, perSecond: { below: 0, above: 1 } },
    ],
    expected: { labels: PROM_LABELS, value: 1 },
  },
  eventCounter(
    "AlloyDroppingLogs",
    `loki_write_dropped_entries_total{job="alloy", instance="alloy:12345", component_id="loki.write.default", reason="ingester_error"}`,
    { job: "alloy", instance: "alloy:12345", reason: "ingester_error" },
  ),
  {
    alert: "LokiPushFailures",
    signals: [
      { kind: "rate", series: `loki_request_duration_seconds_count{job="loki", instance="loki:3100", method="POST", route="loki_api_v1_push", status_code="204", ws="false"}`, perSecond: { below: 10, above: 10 } },
      { kind: "rate", series: `loki_request_duration_seconds_count{job="loki", instance="loki:3100", method="POST", route="loki_api_v1_push", status_code="500", ws="false"}`, perSecond: { below: 0, above: 1 } },
    ],
    expected: { labels: { job: "loki", instance: "loki:3100" }, value: 1 },
  },
  {
    alert: "JaegerRefusingSpans",
    signals: [{ kind: "rate", series: `otelcol_receiver_refused_spans_total{job="jaeger", instance="jaeger:8888", receiver="otlp", transport="grpc"}`, perSecond: { below: 0, above: 2 } }],
    expected: { labels: { job: "jaeger", instance: "jaeger:8888" }, value: 2 },
  },
];
