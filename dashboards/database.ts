import * as units from "@grafana/grafana-foundation-sdk/units";
import { alertLine, assembleDashboard, type DashboardContext, type DashboardFile, promQuery, RATE_INTERVAL, timeseries, upStat } from "./common";
import { DATABASE_QUERY_TIME } from "./queries";

/** Per-database selector: the exporter also reports template databases nobody queries. */
const DB = '{datname!~"template0|template1"}';

// ─── Connections & transactions ──────────────────────────────────────────────────────────────────

function up() {
  return upStat({
    title: "PostgreSQL up",
    description: "DOWN when the exporter cannot reach PostgreSQL (pg_up; PostgresDown pages after 1m).",
    queries: [promQuery("min(pg_up)", "up")],
  });
}

function connectionsByState() {
  return timeseries({
    title: "Connections by state",
    description: "Backends per state (active, idle, idle in transaction…). Many 'idle in transaction' hold locks and snapshots.",
    unit: units.Short,
    stacked: true,
    queries: [promQuery(`sum by (state) (pg_stat_activity_count${DB})`, "{{state}}")],
  });
}

function longestTransaction(ctx: DashboardContext) {
  return timeseries({
    title: "Longest open transaction",
    description: "Age of the oldest open transaction per database and state (pg_stat_activity_max_tx_duration).",
    unit: units.Seconds,
    alert: alertLine("HighDatabaseLatency", ctx.thresholds.databaseTransactionDuration.threshold),
    queries: [promQuery(`max by (datname) (pg_stat_activity_max_tx_duration${DB})`, "{{datname}}")],
  });
}

function transactions() {
  return timeseries({
    title: "Transactions",
    description: "Commits and rollbacks per second per database.",
    unit: units.OpsPerSecond,
    queries: [
      promQuery(`sum by (datname) (rate(pg_stat_database_xact_commit${DB}[${RATE_INTERVAL}]))`, "commit {{datname}}"),
      promQuery(`sum by (datname) (rate(pg_stat_database_xact_rollback${DB}[${RATE_INTERVAL}]))`, "rollback {{datname}}"),
    ],
  });
}

// ─── Query work ──────────────────────────────────────────────────────────────────────────────────

function meanQueryTime(ctx: DashboardContext) {
  return timeseries({
    title: "Mean statement time",
    description: "Mean execution time per statement per database, from pg_stat_statements (the exporter's stat_statements collector must be on). Guide target < 10ms.",
    unit: units.Seconds,
    alert: alertLine("HighDatabaseQueryTime", ctx.thresholds.databaseQueryTime.threshold),
    queries: [promQuery(DATABASE_QUERY_TIME, "{{datname}}")],
  });
}

function tupleRates() {
  return timeseries({
    title: "Tuples per second",
    description: "Rows fetched, returned, inserted, updated and deleted per second (all databases).",
    unit: units.OpsPerSecond,
    queries: ["fetched", "returned", "inserted", "updated", "deleted"].map((kind) =>
      promQuery(`sum(rate(pg_stat_database_tup_${kind}${DB}[${RATE_INTERVAL}]))`, kind),
    ),
  });
}

function cacheHitRatio() {
  return timeseries({
    title: "Buffer cache hit ratio",
    description: "Share of block reads served from shared buffers (blks_hit / (blks_hit + blks_read)); below ~99% means the working set no longer fits.",
    unit: units.PercentUnit,
    max: 1,
    queries: [
      promQuery(
        `sum by (datname) (rate(pg_stat_database_blks_hit${DB}[${RATE_INTERVAL}])) / (sum by (datname) (rate(pg_stat_database_blks_hit${DB}[${RATE_INTERVAL}])) + sum by (datname) (rate(pg_stat_database_blks_read${DB}[${RATE_INTERVAL}])))`,
        "{{datname}}",
      ),
    ],
  });
}

function locks() {
  return timeseries({
    title: "Locks by mode",
    description: "Locks held per mode (pg_locks_count); exclusive locks that pile up mean blocked writers.",
    unit: units.Short,
    stacked: true,
    queries: [promQuery(`sum by (mode) (pg_locks_count${DB})`, "{{mode}}")],
  });
}

function databaseSize() {
  return timeseries({
    title: "Database size",
    description: "On-disk size per database.",
    unit: units.BytesIEC,
    queries: [promQuery(`sum by (datname) (pg_database_size_bytes${DB})`, "{{datname}}")],
  });
}

/** PostgreSQL through the postgres exporter: is the database keeping up, and what holds it back? */
export function database(ctx: DashboardContext): DashboardFile {
  return assembleDashboard(
    {
      uid: "database-postgres",
      title: "Database (PostgreSQL)",
      description: "Is PostgreSQL keeping up: connections, long transactions, query work, cache hits, locks and growth.",
      tags: ["database", "postgres"],
      folder: "Infrastructure",
      rows: [
        { title: "Connections & transactions", panels: [up(), connectionsByState(), longestTransaction(ctx), transactions()] },
        { title: "Query work", panels: [meanQueryTime(ctx), tupleRates(), cacheHitRatio(), locks(), databaseSize()] },
      ],
    },
    ctx,
  );
}
