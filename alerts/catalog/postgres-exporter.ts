import { IMAGES } from "../../constructs/versions";
import { JOBS } from "../jobs";
import { GO_PROCESS_METRICS } from "./go-runtime";
import { CatalogSource, counter, gauge, many } from "./types";

const ACTIVITY = ["datname", "state", "usename", "application_name", "backend_type", "wait_event_type", "wait_event"];
const DB = ["datid", "datname"];
const TABLE = ["datname", "schemaname", "relname"];
const STATEMENT = ["user", "datname", "queryid"];

/**
 * prometheuscommunity/postgres-exporter with its default collectors plus `stat_statements`, which the
 * stack enables with `--collector.stat_statements` (needs the `pg_stat_statements` extension).
 */
export const POSTGRES_EXPORTER: CatalogSource = {
  job: JOBS.postgresExporter,
  version: IMAGES.postgresExporter.tag,
  source:
    "github.com/prometheus-community/postgres_exporter @ v0.20.1: collector/pg_*.go (registerCollector defaults), exporter/postgres_exporter.go (pg_up, pg_exporter_*)",
  note:
    "Default collectors (database, locks, replication, replication_slots, roles, settings, stat_activity, stat_archiver, stat_bgwriter, " +
    "stat_database, stat_progress_vacuum, stat_replication, stat_user_tables, statio_user_tables, wal) and stat_statements. " +
    "pg_settings_* (one gauge per server setting) are not listed individually. pg_stat_database_* counters have no _total suffix.",
  metrics: [
    gauge("pg_up", [], "Whether the last scrape was able to connect to the server (1 for yes, 0 for no)."),
    gauge("pg_exporter_last_scrape_duration_seconds"),
    gauge("pg_exporter_last_scrape_error"),
    counter("pg_exporter_scrapes_total"),
    gauge("pg_scrape_collector_duration_seconds", ["collector"]),
    gauge("pg_scrape_collector_success", ["collector"]),
    gauge("pg_stat_activity_count", ACTIVITY, "Number of connections in this state."),
    // One of the pg_settings_* gauges (settings collector, on by default): the server's max_connections.
    gauge("pg_settings_max_connections", [], "Server Parameter: max_connections."),
    gauge("pg_stat_activity_max_tx_duration", ACTIVITY, "Max duration in seconds any active transaction has been running."),
    gauge("pg_database_size_bytes", ["datname"], "Disk space used by the database."),
    gauge("pg_database_connection_limit", ["datname"]),
    gauge("pg_locks_count", ["datname", "mode"], "Number of locks."),
    gauge("pg_stat_database_numbackends", DB, "Number of backends currently connected to this database."),
    ...many("counter", [
      "pg_stat_database_xact_commit", "pg_stat_database_xact_rollback", "pg_stat_database_blks_read",
      "pg_stat_database_blks_hit", "pg_stat_database_tup_returned", "pg_stat_database_tup_fetched",
      "pg_stat_database_tup_inserted", "pg_stat_database_tup_updated", "pg_stat_database_tup_deleted",
      "pg_stat_database_conflicts", "pg_stat_database_temp_files", "pg_stat_database_temp_bytes",
      "pg_stat_database_deadlocks", "pg_stat_database_blk_read_time", "pg_stat_database_blk_write_time",
      "pg_stat_database_stats_reset", "pg_stat_database_active_time_seconds_total",
    ], DB),
    counter("pg_stat_statements_calls_total", STATEMENT, "Number of times executed."),
    counter("pg_stat_statements_seconds_total", STATEMENT, "Total time spent in the statement, in seconds."),
    counter("pg_stat_statements_rows_total", STATEMENT, "Total number of rows retrieved or affected by the statement."),
    counter("pg_stat_statements_block_read_seconds_total", STATEMENT),
    counter("pg_stat_statements_block_write_seconds_total", STATEMENT),
    ...many("counter", [
      "pg_stat_user_tables_seq_scan", "pg_stat_user_tables_seq_tup_read", "pg_stat_user_tables_idx_scan",
      "pg_stat_user_tables_idx_tup_fetch", "pg_stat_user_tables_n_tup_ins", "pg_stat_user_tables_n_tup_upd",
      "pg_stat_user_tables_n_tup_del", "pg_stat_user_tables_n_tup_hot_upd", "pg_stat_user_tables_vacuum_count",
      "pg_stat_user_tables_autovacuum_count", "pg_stat_user_tables_analyze_count", "pg_stat_user_tables_autoanalyze_count",
    ], TABLE),
    ...many("gauge", [
      "pg_stat_user_tables_n_live_tup", "pg_stat_user_tables_n_dead_tup", "pg_stat_user_tables_n_mod_since_analyze",
      "pg_stat_user_tables_last_vacuum", "pg_stat_user_tables_last_autovacuum", "pg_stat_user_tables_last_analyze",
      "pg_stat_user_tables_last_autoanalyze", "pg_stat_user_tables_index_size_bytes", "pg_stat_user_tables_table_size_bytes",
    ], TABLE),
    ...many("counter", [
      "pg_statio_user_tables_heap_blocks_read", "pg_statio_user_tables_heap_blocks_hit", "pg_statio_user_tables_idx_blocks_read",
      "pg_statio_user_tables_idx_blocks_hit", "pg_statio_user_tables_toast_blocks_read", "pg_statio_user_tables_toast_blocks_hit",
      "pg_statio_user_tables_tidx_blocks_read", "pg_statio_user_tables_tidx_blocks_hit",
    ], TABLE),
    ...many("counter", [
      "pg_stat_bgwriter_checkpoints_timed_total", "pg_stat_bgwriter_checkpoints_req_total",
      "pg_stat_bgwriter_checkpoint_write_time_total", "pg_stat_bgwriter_checkpoint_sync_time_total",
      "pg_stat_bgwriter_buffers_checkpoint_total", "pg_stat_bgwriter_buffers_clean_total",
      "pg_stat_bgwriter_maxwritten_clean_total", "pg_stat_bgwriter_buffers_backend_total",
      "pg_stat_bgwriter_buffers_backend_fsync_total", "pg_stat_bgwriter_buffers_alloc_total",
      "pg_stat_bgwriter_stats_reset_total",
    ]),
    counter("pg_stat_archiver_archived_count"),
    counter("pg_stat_archiver_failed_count"),
    gauge("pg_stat_archiver_last_archive_age"),
    gauge("pg_replication_lag_seconds"),
    gauge("pg_replication_is_replica"),
    gauge("pg_replication_last_replay_seconds"),
    gauge("pg_roles_connection_limit", ["rolname"]),
    gauge("pg_wal_segments"),
    gauge("pg_wal_size_bytes"),
    ...GO_PROCESS_METRICS,
  ],
};
