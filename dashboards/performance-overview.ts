import * as units from "@grafana/grafana-foundation-sdk/units";
import { alertLine, serviceVariable, assembleDashboard, type DashboardContext, type DashboardFile, promQuery, stat, timeseries, withWarning } from "./common";
import {
  CACHE_COMMAND_LATENCY,
  CPU_UTILISATION,
  deliveryLatencyQuantile,
  httpErrorRatio,
  httpLatencyQuantile,
  httpRequestRate,
  MEMORY_AVAILABLE,
  MEMORY_UTILISATION,
  NETWORK_RECEIVE,
  serviceReplicasUp,
  websocketConnections,
} from "./queries";

/** Which exporters feed this dashboard; panels of a disabled exporter are left out. */
export interface PerformanceOverviewSources {
  readonly node: boolean;
  readonly postgres: boolean;
  readonly redis: boolean;
}

// ─── Core performance metrics (the guide's table, one stat per row of it) ────────────────────────

function deliveryLatencyStat(ctx: DashboardContext) {
  return stat({
    title: "Message delivery p95",
    description: "Guide target < 500ms.",
    unit: units.Seconds,
    alert: alertLine("HighMessageLatency", ctx.thresholds.messageDeliveryLatency.threshold),
    queries: [promQuery(deliveryLatencyQuantile(ctx.applicationJob, 0.95), "{{service}} p95")],
  });
}

function websocketConnectionsStat(ctx: DashboardContext) {
  return stat({
    title: "WebSocket connections",
    description: "Open WebSocket connections across the chat services. Guide target > 95% uptime.",
    unit: units.Short,
    queries: [promQuery(`sum(${websocketConnections(ctx.applicationJob)})`, "connections")],
  });
}

function replicasUpStat(ctx: DashboardContext) {
  return stat({
    title: "Replicas up",
    description: "Replicas of each service that answer Prometheus; ServiceDown pages at 0, ServiceReplicaDown warns when one is lost.",
    unit: units.Short,
    queries: [promQuery(serviceReplicasUp(ctx.applicationJob), "{{service}}")],
  });
}

function requestRateStat(ctx: DashboardContext) {
  return stat({
    title: "Requests per second",
    description: "HTTP requests per second per service: the traffic signal of the four golden signals.",
    unit: units.RequestsPerSecond,
    queries: [promQuery(httpRequestRate(ctx.applicationJob), "{{service}}")],
  });
}

function errorRatioStat(ctx: DashboardContext) {
  return stat({
    title: "HTTP error ratio",
    description: "Share of HTTP requests answered 5xx per service (HighErrorRate pages, ElevatedErrorRate warns).",
    unit: units.PercentUnit,
    alert: withWarning(alertLine("HighErrorRate", ctx.thresholds.httpErrorRatio.threshold), "ElevatedErrorRate", ctx.thresholds.httpErrorRatioWarning.threshold),
    queries: [promQuery(httpErrorRatio(ctx.applicationJob), "{{service}}")],
  });
}

function httpLatencyStat(ctx: DashboardContext) {
  return stat({
    title: "HTTP API p95",
    description: "Guide target < 200ms.",
    unit: units.Seconds,
    alert: alertLine("HighHTTPLatency", ctx.thresholds.httpLatency.threshold),
    queries: [promQuery(httpLatencyQuantile(ctx.applicationJob, 0.95), "{{service}} p95")],
  });
}

function databaseTransactionStat(ctx: DashboardContext) {
  return stat({
    title: "Longest DB transaction",
    description: "Longest open transaction in PostgreSQL (pg_stat_activity_max_tx_duration). Guide target < 10ms query time.",
    unit: units.Seconds,
    alert: alertLine("HighDatabaseLatency", ctx.thresholds.databaseTransactionDuration.threshold),
    queries: [promQuery("max(pg_stat_activity_max_tx_duration)", "longest transaction")],
  });
}

function cacheLatencyStat(ctx: DashboardContext) {
  return stat({
    title: "Redis command time",
    description: "Mean Redis command duration. Guide target < 5ms.",
    unit: units.Seconds,
    alert: alertLine("HighCacheLatency", ctx.thresholds.cacheCommandLatency.threshold),
    queries: [promQuery(`max(${CACHE_COMMAND_LATENCY})`, "mean command time")],
  });
}

function cpuStat(ctx: DashboardContext) {
  return stat({
    title: "CPU busy (max host)",
    description: "Busiest host's CPU utilisation. Guide target < 70%.",
    unit: units.PercentUnit,
    alert: alertLine("HighCPUUsage", ctx.thresholds.cpuUtilisation.threshold),
    queries: [promQuery(`max(${CPU_UTILISATION})`, "CPU")],
  });
}

function memoryAvailableStat(ctx: DashboardContext) {
  return stat({
    title: "Memory available (min host)",
    description: "Least available memory of any host. Guide target > 20% free.",
    unit: units.PercentUnit,
    alert: alertLine("LowAvailableMemory", ctx.thresholds.memoryAvailable.threshold, "below"),
    queries: [promQuery(`min(${MEMORY_AVAILABLE})`, "available")],
  });
}

function networkReceiveStat() {
  return stat({
    title: "Network receive",
    description: "Bytes received per second on all hosts' physical interfaces. Guide: alert at 2x its baseline.",
    unit: units.BytesPerSecondSI,
    queries: [promQuery(`sum(${NETWORK_RECEIVE})`, "receive")],
  });
}

// ─── The guide's two graphs ──────────────────────────────────────────────────────────────────────

function systemResourceUtilisation() {
  return timeseries({
    title: "System Resource Utilization",
    description: "CPU busy and memory used per host (the guide's panel, shown as 0-100% of each resource).",
    unit: units.PercentUnit,
    min: 0,
    max: 1,
    queries: [
      promQuery(CPU_UTILISATION, "CPU Usage - {{instance}}"),
      promQuery(MEMORY_UTILISATION, "Memory Usage - {{instance}}"),
    ],
  });
}

function messageDeliveryPerformance(ctx: DashboardContext) {
  return timeseries({
    title: "Message Delivery Performance",
    description: "p95 and median message delivery latency (the guide's panel).",
    unit: units.Seconds,
    alert: alertLine("HighMessageLatency", ctx.thresholds.messageDeliveryLatency.threshold),
    queries: [
      promQuery(deliveryLatencyQuantile(ctx.applicationJob, 0.95), "{{service}} 95th Percentile Latency"),
      promQuery(deliveryLatencyQuantile(ctx.applicationJob, 0.5), "{{service}} Median Latency"),
    ],
  });
}

/**
 * The guide's "Performance Overview": the four golden signals (request rate, error ratio, latency, and
 * host saturation), its two graphs, and one stat per row of its core metrics table, each coloured by the
 * alert that watches it.
 */
export function performanceOverview(ctx: DashboardContext, sources: PerformanceOverviewSources): DashboardFile {
  const core = [
    // The four golden signals first: traffic, errors, latency (saturation: the host stats below).
    requestRateStat(ctx),
    errorRatioStat(ctx),
    httpLatencyStat(ctx),
    deliveryLatencyStat(ctx),
    websocketConnectionsStat(ctx),
    replicasUpStat(ctx),
    ...(sources.postgres ? [databaseTransactionStat(ctx)] : []),
    ...(sources.redis ? [cacheLatencyStat(ctx)] : []),
    ...(sources.node ? [cpuStat(ctx), memoryAvailableStat(ctx), networkReceiveStat()] : []),
  ];
  return assembleDashboard(
    {
      uid: "performance-overview",
      variables: [serviceVariable(ctx.applicationJob)],
      title: "Performance Overview",
      description: "Is the messenger fast right now? The guide's core metrics against their targets and alert thresholds.",
      tags: ["performance", "overview"],
      folder: "Messenger",
      rows: [
        { title: "Core performance metrics", panels: core },
        {
          title: "Performance",
          panels: [...(sources.node ? [systemResourceUtilisation()] : []), messageDeliveryPerformance(ctx)],
        },
      ],
    },
    ctx,
  );
}
