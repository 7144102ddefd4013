import { REDIS_MEMORY_LIMIT_LABEL } from "../alerts/rules/selectors";
import * as units from "@grafana/grafana-foundation-sdk/units";
import { alertLine, assembleDashboard, type DashboardContext, type DashboardFile, promQuery, RATE_INTERVAL, timeseries, upStat } from "./common";
import { CACHE_COMMAND_LATENCY, CACHE_HIT_RATIO, CACHE_MEMORY_UTILISATION } from "./queries";

// ─── Effectiveness ───────────────────────────────────────────────────────────────────────────────

function up() {
  return upStat({
    title: "Redis up",
    description: "DOWN when the exporter cannot reach Redis (redis_up; RedisDown pages after 1m).",
    queries: [promQuery("min(redis_up)", "up")],
  });
}

function hitRatio(ctx: DashboardContext) {
  return timeseries({
    title: "Keyspace hit ratio",
    description: "Share of key lookups that found their key (hits / (hits + misses)).",
    unit: units.PercentUnit,
    max: 1,
    alert: alertLine("LowCacheHitRatio", ctx.thresholds.cacheHitRatio.threshold, "below"),
    queries: [promQuery(CACHE_HIT_RATIO, "{{instance}}")],
  });
}

function commandLatency(ctx: DashboardContext) {
  return timeseries({
    title: "Mean command time",
    description: "Mean time Redis spends per command (commands_duration_seconds_total / commands_total). Guide target < 5ms.",
    unit: units.Seconds,
    alert: alertLine("HighCacheLatency", ctx.thresholds.cacheCommandLatency.threshold),
    queries: [promQuery(CACHE_COMMAND_LATENCY, "{{instance}}")],
  });
}

function opsPerSecond() {
  return timeseries({
    title: "Commands per second",
    description: "Commands processed per second, top 10 commands.",
    unit: units.OpsPerSecond,
    stacked: true,
    queries: [promQuery(`topk(10, sum by (cmd) (rate(redis_commands_total[${RATE_INTERVAL}])))`, "{{cmd}}")],
  });
}

// ─── Memory & clients ────────────────────────────────────────────────────────────────────────────

function memoryVsMax() {
  return timeseries({
    title: "Memory used vs maxmemory",
    description: "Bytes used by Redis next to its maxmemory limit (0 = no limit set) and the memory of the machine it runs on, its only bound without a maxmemory.",
    unit: units.BytesIEC,
    queries: [
      promQuery("sum by (instance) (redis_memory_used_bytes)", "used {{instance}}"),
      promQuery("sum by (instance) (redis_memory_max_bytes)", "max {{instance}}"),
      promQuery("sum by (instance) (redis_total_system_memory_bytes)", "system {{instance}}"),
    ],
  });
}

function memoryUtilisation(ctx: DashboardContext) {
  return timeseries({
    title: "Memory utilisation",
    description: `Memory used as a share of maxmemory, or of the machine's memory when no maxmemory is set (label ${REDIS_MEMORY_LIMIT_LABEL}), as HighCacheMemory measures it.`,
    unit: units.PercentUnit,
    max: 1,
    alert: alertLine("HighCacheMemory", ctx.thresholds.cacheMemoryUtilisation.threshold),
    queries: [promQuery(CACHE_MEMORY_UTILISATION, `{{instance}} of {{${REDIS_MEMORY_LIMIT_LABEL}}}`)],
  });
}

function evictions() {
  return timeseries({
    title: "Evicted keys",
    description: "Keys evicted per second to stay under maxmemory; steady evictions lower the hit ratio.",
    unit: units.OpsPerSecond,
    queries: [promQuery(`sum by (instance) (rate(redis_evicted_keys_total[${RATE_INTERVAL}]))`, "{{instance}}")],
  });
}

function clients() {
  return timeseries({
    title: "Connected clients",
    description: "Client connections; compare with the application's pool size (guide: PoolSize 100).",
    unit: units.Short,
    queries: [promQuery("sum by (instance) (redis_connected_clients)", "{{instance}}")],
  });
}

/** Redis through the redis exporter: does the cache save the database work, and is it healthy? */
export function cache(ctx: DashboardContext): DashboardFile {
  return assembleDashboard(
    {
      uid: "cache-redis",
      title: "Cache (Redis)",
      description: "Does the cache absorb reads (hit ratio), is it fast, and is it running out of memory or clients?",
      tags: ["cache", "redis"],
      folder: "Infrastructure",
      rows: [
        { title: "Effectiveness", panels: [up(), hitRatio(ctx), commandLatency(ctx), opsPerSecond()] },
        { title: "Memory & clients", panels: [memoryVsMax(), memoryUtilisation(ctx), evictions(), clients()] },
      ],
    },
    ctx,
  );
}
