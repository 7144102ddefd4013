import { RATE_WINDOW, RECORDED, SELECTORS } from "../alerts/rules/selectors";
import { JOBS, SERVICE_LABEL } from "../alerts/jobs";
import { histogramQuantile, INSTANCE_VARIABLE, promString, RATE_INTERVAL, SERVICE_VARIABLE } from "./common";

/**
 * The PromQL expressions that alerts and dashboards share. A panel that carries an alert's threshold
 * line shows the very series the alert compares (same expression, same 5m window), so the line and
 * the curve are comparable; everything else uses Grafana's `$__rate_interval`.
 *
 * Kept in one module so that switching an expression to its recording rule is a one-line change.
 */

/** Window of the alerting expressions and recording rules (the guide's `[5m]`). */
export const ALERT_WINDOW = RATE_WINDOW;

/** `{job="…", service=~"$service"}` for the messenger application's metrics (the dashboard's service selector). */
export function appSelector(job: string, extra = ""): string {
  return `{job=${promString(job)}, ${SERVICE_LABEL}=~"$${SERVICE_VARIABLE}"${extra ? `, ${extra}` : ""}}`;
}

/**
 * {@link appSelector} narrowed to the selected replicas (`instance=~"$instance"`), for the panels of the
 * dashboards that have the replica variable. Recorded series are per service and carry no instance.
 */
export function replicaSelector(job: string, extra = ""): string {
  return appSelector(job, `instance=~"$${INSTANCE_VARIABLE}"${extra ? `, ${extra}` : ""}`);
}

/** The application's replicas up, per service (recording rule): how many answer Prometheus. */
export function serviceReplicasUp(job: string): string {
  return `${RECORDED.serviceReplicasUp}${appSelector(job)}`;
}

// ─── Messaging ────────────────────────────────────────────────────────────────────────────────────

/**
 * A quantile over the application's histogram: the recording rule when one records this quantile at
 * the alert window, else computed here (same shape as the rule: `sum by (job, service, le)`).
 */
function appQuantile(job: string, metric: string, q: number, window: string, recorded: Partial<Record<number, string>>): string {
  const rule = window === ALERT_WINDOW ? recorded[q] : undefined;
  return rule ? `${rule}${appSelector(job)}` : histogramQuantile(q, metric, appSelector(job), ["job", SERVICE_LABEL], window);
}

/** Message delivery latency quantile (HighMessageLatency compares p95); recording rules for p50/p95. */
export function deliveryLatencyQuantile(job: string, q: number, window = ALERT_WINDOW): string {
  return appQuantile(job, "messenger_message_delivery_latency_seconds", q, window, {
    0.5: RECORDED.messageDeliveryLatencyP50,
    0.95: RECORDED.messageDeliveryLatencyP95,
  });
}

/** WebSocket latency quantile (HighWebSocketLatency compares p95); recording rule for p95. */
export function websocketLatencyQuantile(job: string, q: number, window = ALERT_WINDOW): string {
  return appQuantile(job, "messenger_websocket_latency_seconds", q, window, { 0.95: RECORDED.websocketLatencyP95 });
}

/** Open WebSocket connections of the application (recording rule). */
export function websocketConnections(job: string): string {
  return `${RECORDED.websocketConnections}${appSelector(job)}`;
}

/** Share of successful WebSocket upgrade probes over the window, per service (LowWebSocketAvailability). */
export function websocketAvailability(window: string): string {
  return `avg by (job, ${SERVICE_LABEL}) (avg_over_time(probe_success{job=${promString(JOBS.probeWebsocket)}, ${SERVICE_LABEL}=~"$${SERVICE_VARIABLE}"}[${window}]))`;
}

// ─── HTTP API ─────────────────────────────────────────────────────────────────────────────────────

/** HTTP latency quantile of the whole job (HighHTTPLatency compares p95); recording rules for p50/p95. */
export function httpLatencyQuantile(job: string, q: number, window = ALERT_WINDOW): string {
  return appQuantile(job, "messenger_http_request_duration_seconds", q, window, {
    0.5: RECORDED.httpRequestDurationP50,
    0.95: RECORDED.httpRequestDurationP95,
  });
}

/**
 * HTTP latency quantile per service from the raw `_bucket` series, for panels that show exemplars:
 * recorded series carry none.
 */
export function httpLatencyQuantileWithExemplars(job: string, q: number): string {
  return histogramQuantile(q, "messenger_http_request_duration_seconds", appSelector(job), ["job", SERVICE_LABEL], RATE_INTERVAL);
}

/** HTTP latency quantile per label set (per replica, per route), no recording rule. */
export function httpLatencyQuantileBy(job: string, q: number, by: readonly string[], window = RATE_INTERVAL, selector = appSelector(job)): string {
  return histogramQuantile(q, "messenger_http_request_duration_seconds", selector, by, window);
}

/** HTTP requests per second per service (the golden signal "traffic"). */
export function httpRequestRate(job: string): string {
  return `sum by (${SERVICE_LABEL}) (rate(messenger_http_requests_total${appSelector(job)}[${RATE_INTERVAL}]))`;
}

/** Share of requests answered 5xx (HighErrorRate), recording rule. */
export function httpErrorRatio(job: string): string {
  return `${RECORDED.httpErrorRatio}${appSelector(job)}`;
}

// ─── Hosts ────────────────────────────────────────────────────────────────────────────────────────

/** CPU busy ratio per instance, 0..1 (HighCPUUsage), recording rule. */
export const CPU_UTILISATION = RECORDED.cpuUtilisation;

/** Memory in use per instance, 0..1 (HighCapacityUsage), recording rule. */
export const MEMORY_UTILISATION = RECORDED.memoryUtilisation;

/** Memory available per instance, 0..1 (LowAvailableMemory), recording rule. */
export const MEMORY_AVAILABLE = RECORDED.memoryAvailable;

/** Bytes/s received on physical interfaces per instance, recording rule. */
export const NETWORK_RECEIVE = RECORDED.networkReceiveBytes;

/** Bytes/s transmitted on physical interfaces per instance, recording rule. */
export const NETWORK_TRANSMIT = RECORDED.networkTransmitBytes;

/**
 * Real filesystems only: the very selector of the filesystem alerts (alerts/rules/selectors.ts), so the
 * panel shows what HostFilesystemAlmostFull/Full and HostFilesystemFillingUp watch.
 */
export const FS_SELECTOR = `{${SELECTORS.filesystem}}`;

/** Free space per filesystem, 0..1 (HostFilesystemAlmostFull). */
export const FILESYSTEM_AVAILABLE = `node_filesystem_avail_bytes${FS_SELECTOR} / node_filesystem_size_bytes${FS_SELECTOR}`;

// ─── Cache ────────────────────────────────────────────────────────────────────────────────────────

/** Redis keyspace hit ratio per instance, 0..1 (LowCacheHitRatio), recording rule. */
export const CACHE_HIT_RATIO = RECORDED.cacheHitRatio;

/** Mean Redis command time in seconds per instance (HighCacheLatency), recording rule. */
export const CACHE_COMMAND_LATENCY = RECORDED.cacheCommandLatency;

/** Redis memory used over `maxmemory`, else over the machine's memory, 0..1 (HighCacheMemory), recording rule. */
export const CACHE_MEMORY_UTILISATION = RECORDED.cacheMemoryUtilisation;

// ─── Database ─────────────────────────────────────────────────────────────────────────────────────

/** Mean statement time per database, seconds (HighDatabaseQueryTime), recording rule over pg_stat_statements. */
export const DATABASE_QUERY_TIME = RECORDED.databaseQueryTime;
