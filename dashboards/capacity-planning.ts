import * as units from "@grafana/grafana-foundation-sdk/units";
import { alertLine, serviceVariable, assembleDashboard, type DashboardContext, type DashboardFile, promQuery, type RowSpec, timeseries } from "./common";
import { appSelector, CPU_UTILISATION, FS_SELECTOR, MEMORY_UTILISATION } from "./queries";

/** Which sources feed capacity planning; rows of a disabled source are left out. */
export interface CapacitySources {
  readonly node: boolean;
  readonly postgres: boolean;
  readonly minio: boolean;
}

/** The guide's forecasting method: project 90 days ahead from a 30-day trend. */
const TREND = "30d";
const PROJECTION_DAYS = 90;
const PROJECTION = `${PROJECTION_DAYS} * 86400`;

// ─── Growth (the guide's 7d / 30d ratios) ────────────────────────────────────────────────────────

function messageGrowth(ctx: DashboardContext) {
  const total = `messenger_messages_total${appSelector(ctx.applicationJob)}`;
  return timeseries({
    title: "Message volume: 7d share of 30d",
    description: "The guide's growth ratio: messages in the last 7 days over the last 30. Flat traffic gives 7/30 ≈ 23%; more means growth.",
    unit: units.PercentUnit,
    queries: [promQuery(`sum(increase(${total}[7d])) / sum(increase(${total}[30d]))`, "7d / 30d")],
  });
}

function messagesPerDay(ctx: DashboardContext) {
  const perDay = `sum(increase(messenger_messages_total${appSelector(ctx.applicationJob)}[1d]))`;
  return timeseries({
    title: "Messages per day, 90-day projection",
    description: `Messages in the last 24h, and that count projected ${PROJECTION_DAYS} days ahead from its ${TREND} trend.`,
    unit: units.Short,
    queries: [
      promQuery(perDay, "last 24h"),
      promQuery(`predict_linear((${perDay})[${TREND}:1h], ${PROJECTION})`, `in ${PROJECTION_DAYS} days`),
    ],
  });
}

// ─── Hosts ───────────────────────────────────────────────────────────────────────────────────────

function cpuTrend(ctx: DashboardContext) {
  return timeseries({
    title: "CPU: 30-day average and 90-day projection",
    description: `CPU utilisation per host averaged over ${TREND}, and projected ${PROJECTION_DAYS} days ahead. Plan for peaks at 2x the average (guide).`,
    unit: units.PercentUnit,
    min: 0,
    alert: alertLine("HighCPUUsage", ctx.thresholds.cpuUtilisation.threshold),
    queries: [
      promQuery(`avg_over_time(${CPU_UTILISATION}[${TREND}])`, "30d avg {{instance}}"),
      promQuery(`predict_linear(${CPU_UTILISATION}[${TREND}], ${PROJECTION})`, "in 90d {{instance}}"),
    ],
  });
}

function memoryTrend(ctx: DashboardContext) {
  return timeseries({
    title: "Memory: 30-day average and 90-day projection",
    description: `Memory used per host averaged over ${TREND}, and projected ${PROJECTION_DAYS} days ahead.`,
    unit: units.PercentUnit,
    min: 0,
    alert: alertLine("HighCapacityUsage", ctx.thresholds.memoryUtilisation.threshold),
    queries: [
      promQuery(`avg_over_time(${MEMORY_UTILISATION}[${TREND}])`, "30d avg {{instance}}"),
      promQuery(`predict_linear(${MEMORY_UTILISATION}[${TREND}], ${PROJECTION})`, "in 90d {{instance}}"),
    ],
  });
}

function filesystemProjection() {
  const fs = FS_SELECTOR;
  return timeseries({
    title: "Filesystem free space in 90 days",
    description: `Free bytes per filesystem now and projected ${PROJECTION_DAYS} days ahead from the ${TREND} trend; below 0 means it fills up before then.`,
    unit: units.BytesIEC,
    queries: [
      promQuery(`node_filesystem_avail_bytes${fs}`, "now {{instance}} {{mountpoint}}"),
      promQuery(`predict_linear(node_filesystem_avail_bytes${fs}[${TREND}], ${PROJECTION})`, "in 90d {{instance}} {{mountpoint}}"),
    ],
  });
}

// ─── Storage ─────────────────────────────────────────────────────────────────────────────────────

// MinIO metrics API v3 names (alerts/catalog/minio.ts): the guide's minio_bucket_usage_bytes and
// minio_bucket_capacity_bytes exist in no MinIO version.
const BUCKET_BYTES = "minio_cluster_usage_buckets_total_bytes";
const FREE_BYTES = "minio_cluster_health_capacity_usable_free_bytes";
const TOTAL_BYTES = "minio_cluster_health_capacity_usable_total_bytes";

function databaseGrowth() {
  return timeseries({
    title: "Database size, 90-day projection",
    description: `PostgreSQL database size now and projected ${PROJECTION_DAYS} days ahead.`,
    unit: units.BytesIEC,
    queries: [
      promQuery('sum by (datname) (pg_database_size_bytes{datname!~"template0|template1"})', "now {{datname}}"),
      promQuery(`predict_linear(sum by (datname) (pg_database_size_bytes{datname!~"template0|template1"})[${TREND}:1h], ${PROJECTION})`, "in 90d {{datname}}"),
    ],
  });
}

function mediaStorageGrowth() {
  return timeseries({
    title: "Media storage growth (7d share of 30d)",
    description: "The guide's storage growth ratio on MinIO bucket usage: bytes added in 7 days over bytes added in 30.",
    unit: units.PercentUnit,
    queries: [promQuery(`sum(delta(${BUCKET_BYTES}[7d])) / sum(delta(${BUCKET_BYTES}[30d]))`, "7d / 30d")],
  });
}

function mediaStorageProjection(ctx: DashboardContext) {
  const t = ctx.thresholds;
  return timeseries({
    title: "Media storage used, projected",
    description: `MinIO capacity used now and projected ${t.storageGrowthHorizon} ahead from the ${t.storageGrowthWindow} trend (the StorageGrowth alert's projection).`,
    unit: units.PercentUnit,
    min: 0,
    max: 1,
    alert: alertLine("StorageGrowth", t.storageProjectedUtilisation.threshold),
    queries: [
      promQuery(`1 - sum(${FREE_BYTES}) / sum(${TOTAL_BYTES})`, "used now"),
      promQuery(
        `1 - sum(predict_linear(${FREE_BYTES}[${t.storageGrowthWindow}], ${t.storageGrowthHorizon.seconds})) / sum(${TOTAL_BYTES})`,
        `in ${t.storageGrowthHorizon}`,
      ),
    ],
  });
}

/** Trends and projections: when does each resource run out at today's growth? */
export function capacityPlanning(ctx: DashboardContext, sources: CapacitySources): DashboardFile {
  const rows: RowSpec[] = [{ title: "Traffic growth", panels: [messageGrowth(ctx), messagesPerDay(ctx)] }];
  if (sources.node) {
    rows.push({ title: "Hosts", panels: [cpuTrend(ctx), memoryTrend(ctx), filesystemProjection()] });
  }
  const storage = [...(sources.postgres ? [databaseGrowth()] : []), ...(sources.minio ? [mediaStorageGrowth(), mediaStorageProjection(ctx)] : [])];
  if (storage.length > 0) {
    rows.push({ title: "Storage", panels: storage });
  }
  return assembleDashboard(
    {
      uid: "capacity-planning",
      variables: [serviceVariable(ctx.applicationJob)],
      title: "Capacity Planning",
      description: "At today's growth, when does each resource run out? The guide's 7d/30d trends and 90-day projections.",
      tags: ["capacity", "planning"],
      folder: "Capacity & load",
      from: "now-30d",
      rows,
    },
    ctx,
  );
}
