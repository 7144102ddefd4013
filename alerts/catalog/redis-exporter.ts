import { IMAGES } from "../../constructs/versions";
import { JOBS } from "../jobs";
import { GO_PROCESS_METRICS } from "./go-runtime";
import { CatalogSource, counter, gauge, histogram, many, summary } from "./types";

/** oliver006/redis_exporter against a standalone Redis (or Valkey) 7+. */
export const REDIS_EXPORTER: CatalogSource = {
  job: JOBS.redisExporter,
  version: IMAGES.redisExporter.tag,
  source:
    "github.com/oliver006/redis_exporter @ cd5941f (v1.89 line; the v1.90-v1.91.1 changes are bug fixes and dependency bumps): " +
    "exporter/exporter.go (metricMapGauges, metricMapCounters, metric descriptions), exporter/info.go, exporter/latency.go",
  note:
    "INFO-derived gauges and counters, per-command stats, keyspace, replication basics. Counters end in _total " +
    "(redis_keyspace_hits_total, redis_commands_duration_seconds_total); there is no redis_commands_duration_seconds histogram: " +
    "mean command latency is rate(redis_commands_duration_seconds_total) / rate(redis_commands_total). " +
    "redis_total_system_memory_bytes only with --include-system-metrics (off upstream; the stack sets it). " +
    "INFO's instantaneous_ops_per_sec is not exported (use rate(redis_commands_processed_total)). Cluster, sentinel, streams, key-group and search families are left out.",
  metrics: [
    gauge("redis_up", [], "Information about the Redis instance (1 when the exporter reached it)."),
    gauge("redis_instance_info", ["role", "redis_version", "redis_build_id", "redis_mode", "os", "maxmemory_policy", "tcp_port", "run_id", "process_id", "master_replid"]),
    gauge("redis_uptime_in_seconds"),
    gauge("redis_start_time_seconds"),
    ...many("gauge", [
      "redis_connected_clients", "redis_blocked_clients", "redis_max_clients", "redis_tracking_clients",
      "redis_pubsub_clients", "redis_connected_slaves", "redis_memory_used_bytes", "redis_memory_used_rss_bytes",
      "redis_memory_used_peak_bytes", "redis_memory_used_lua_bytes", "redis_memory_used_overhead_bytes",
      "redis_memory_used_startup_bytes", "redis_memory_used_dataset_bytes", "redis_memory_max_bytes",
      "redis_mem_fragmentation_ratio", "redis_mem_fragmentation_bytes", "redis_total_system_memory_bytes",
      "redis_rdb_changes_since_last_save", "redis_rdb_last_save_timestamp_seconds", "redis_aof_enabled",
      "redis_last_slow_execution_duration_seconds", "redis_slowlog_length", "redis_slowlog_last_id",
      "redis_exporter_last_scrape_duration_seconds", "redis_exporter_last_scrape_connect_time_seconds",
    ]),
    gauge("redis_exporter_last_scrape_error", ["err"]),
    counter("redis_exporter_scrapes_total"),
    gauge("redis_exporter_build_info", ["version", "commit_sha", "build_date", "golang_version"]),
    ...many("counter", [
      "redis_connections_received_total", "redis_commands_processed_total", "redis_rejected_connections_total",
      "redis_net_input_bytes_total", "redis_net_output_bytes_total", "redis_expired_keys_total",
      "redis_evicted_keys_total", "redis_keyspace_hits_total", "redis_keyspace_misses_total",
      "redis_cpu_sys_seconds_total", "redis_cpu_user_seconds_total",
    ]),
    counter("redis_commands_total", ["cmd"], "Total number of calls per command."),
    counter("redis_commands_duration_seconds_total", ["cmd"], "Total amount of time in seconds spent per command."),
    counter("redis_commands_failed_calls_total", ["cmd"]),
    counter("redis_commands_rejected_calls_total", ["cmd"]),
    counter("redis_errors_total", ["err"]),
    summary("redis_latency_percentiles_usec", ["cmd"], "Latency percentile distribution per command (microseconds)."),
    histogram("redis_commands_latencies_usec", ["cmd"], "Latency histogram per command (microseconds), from LATENCY HISTOGRAM."),
    gauge("redis_db_keys", ["db"]),
    gauge("redis_db_keys_expiring", ["db"]),
    gauge("redis_db_avg_ttl_seconds", ["db"]),
    gauge("redis_master_link_up", ["master_host", "master_port"]),
    gauge("redis_connected_slave_lag_seconds", ["slave_ip", "slave_port", "slave_state"]),
    gauge("redis_config_maxclients"),
    gauge("redis_config_maxmemory"),
    ...GO_PROCESS_METRICS,
  ],
};
