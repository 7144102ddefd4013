import { SERVICE_LABEL } from "../jobs";
import { RecordingDefinition } from "./types";
import { SLO_RECORDING_RULES } from "./slo";
import { RATE_WINDOW as W, RECORDED, REDIS_MEMORY_LIMIT_LABEL, SELECTORS as S } from "./selectors";

/** Per service: all four share the application job, and one failing service must not drown in the others. */
const BY_SERVICE = `job, ${SERVICE_LABEL}`;

/** `histogram_quantile` per service; `le` is only grouped by, never matched as a string. */
function serviceQuantile(q: number, metric: string): string {
  return `histogram_quantile(${q}, sum by (${BY_SERVICE}, le) (rate(${metric}_bucket{${S.application}}[${W}])))`;
}

/**
 * Every recording rule. Quantiles and ratios are computed here once; alerts compare the recorded
 * series and dashboards plot them.
 */
export const RECORDING_RULES: readonly RecordingDefinition[] = [
  ...SLO_RECORDING_RULES,
  // --- messenger application (guide: performance-metrics job) ---
  {
    record: RECORDED.messageDeliveryLatencyP95,
    group: "performance-alerts",
    requires: { application: true },
    expr: serviceQuantile(0.95, "messenger_message_delivery_latency_seconds"),
  },
  {
    record: RECORDED.messageDeliveryLatencyP50,
    group: "performance-alerts",
    requires: { application: true },
    expr: serviceQuantile(0.5, "messenger_message_delivery_latency_seconds"),
  },
  {
    record: RECORDED.websocketLatencyP95,
    group: "performance-alerts",
    requires: { application: true },
    expr: serviceQuantile(0.95, "messenger_websocket_latency_seconds"),
  },
  {
    record: RECORDED.httpRequestDurationP95,
    group: "performance-alerts",
    requires: { application: true },
    expr: serviceQuantile(0.95, "messenger_http_request_duration_seconds"),
  },
  {
    record: RECORDED.httpRequestDurationP50,
    group: "performance-alerts",
    requires: { application: true },
    expr: serviceQuantile(0.5, "messenger_http_request_duration_seconds"),
  },
  {
    // Sum over series before dividing: a per-series ratio would alert on one quiet endpoint.
    record: RECORDED.httpErrorRatio,
    group: "performance-alerts",
    requires: { application: true },
    expr:
      `sum by (${BY_SERVICE}) (rate(messenger_http_requests_total{${S.application}, status=~"5.."}[${W}]))` +
      ` / sum by (${BY_SERVICE}) (rate(messenger_http_requests_total{${S.application}}[${W}]))`,
  },
  {
    // Every discovered replica is a target: the sum is how many of a service's replicas answer.
    record: RECORDED.serviceReplicasUp,
    group: "performance-alerts",
    requires: { application: true },
    expr: `sum by (${BY_SERVICE}) (up{${S.application}})`,
  },
  {
    record: RECORDED.websocketConnections,
    group: "performance-alerts",
    requires: { application: true },
    expr: `sum by (${BY_SERVICE}) (messenger_websocket_connections{${S.application}})`,
  },
  // --- node exporter ---
  {
    // The guide's definition (busy = not idle), as a ratio instead of percent.
    record: RECORDED.cpuUtilisation,
    group: "host-alerts",
    requires: { exporter: "node" },
    expr: `1 - avg by (job, instance) (rate(node_cpu_seconds_total{${S.node}, mode="idle"}[${W}]))`,
  },
  {
    record: RECORDED.memoryUtilisation,
    group: "host-alerts",
    requires: { exporter: "node" },
    expr: `1 - node_memory_MemAvailable_bytes{${S.node}} / node_memory_MemTotal_bytes{${S.node}}`,
  },
  {
    record: RECORDED.memoryAvailable,
    group: "host-alerts",
    requires: { exporter: "node" },
    expr: `node_memory_MemAvailable_bytes{${S.node}} / node_memory_MemTotal_bytes{${S.node}}`,
  },
  {
    record: RECORDED.networkReceiveBytes,
    group: "host-alerts",
    requires: { exporter: "node" },
    expr: `sum by (job, instance) (rate(node_network_receive_bytes_total{${S.networkDevice}}[${W}]))`,
  },
  {
    record: RECORDED.networkTransmitBytes,
    group: "host-alerts",
    requires: { exporter: "node" },
    expr: `sum by (job, instance) (rate(node_network_transmit_bytes_total{${S.networkDevice}}[${W}]))`,
  },
  // --- postgres exporter (pg_stat_statements collector) ---
  {
    record: RECORDED.databaseQueryTime,
    group: "database-alerts",
    requires: { exporter: "postgres" },
    expr:
      `sum by (job, instance, datname) (rate(pg_stat_statements_seconds_total{${S.postgres}}[${W}]))` +
      ` / sum by (job, instance, datname) (rate(pg_stat_statements_calls_total{${S.postgres}}[${W}]))`,
  },
  // --- redis exporter ---
  {
    record: RECORDED.cacheHitRatio,
    group: "cache-alerts",
    requires: { exporter: "redis" },
    expr:
      `sum by (job, instance) (rate(redis_keyspace_hits_total{${S.redis}}[${W}]))` +
      ` / (sum by (job, instance) (rate(redis_keyspace_hits_total{${S.redis}}[${W}]))` +
      ` + sum by (job, instance) (rate(redis_keyspace_misses_total{${S.redis}}[${W}])))`,
  },
  {
    // Used over maxmemory; without one (redis_memory_max_bytes 0, Redis' default) over the memory of the
    // machine Redis runs on, which is then its only bound. `memory_limit` says which, for the alert text.
    record: RECORDED.cacheMemoryUtilisation,
    group: "cache-alerts",
    requires: { exporter: "redis" },
    expr:
      `label_replace(redis_memory_used_bytes{${S.redis}} / (redis_memory_max_bytes{${S.redis}} > 0), "${REDIS_MEMORY_LIMIT_LABEL}", "maxmemory", "", "")` +
      ` or ignoring (${REDIS_MEMORY_LIMIT_LABEL}) ` +
      `label_replace(redis_memory_used_bytes{${S.redis}} / (redis_total_system_memory_bytes{${S.redis}} > 0), "${REDIS_MEMORY_LIMIT_LABEL}", "system", "", "")`,
  },
  {
    record: RECORDED.cacheCommandLatency,
    group: "cache-alerts",
    requires: { exporter: "redis" },
    expr:
      `sum by (job, instance) (rate(redis_commands_duration_seconds_total{${S.redis}}[${W}]))` +
      ` / sum by (job, instance) (rate(redis_commands_total{${S.redis}}[${W}]))`,
  },
];
