/**
 * Metric names the performance guide uses that no pinned exporter exposes, with what to use instead.
 * The checker quotes these in its "did you mean"; docs/metric-catalog.md explains each.
 */
export const GUIDE_RENAMES: Readonly<Record<string, string>> = {
  pg_stat_activity_max_duration_seconds: "pg_stat_activity_max_tx_duration",
  redis_keyspace_hits: "redis_keyspace_hits_total",
  redis_keyspace_misses: "redis_keyspace_misses_total",
  redis_commands_duration_seconds: "redis_commands_duration_seconds_total",
  redis_commands: "redis_commands_total",
  minio_bucket_usage_bytes: "minio_cluster_usage_buckets_total_bytes",
  minio_bucket_capacity_bytes: "minio_cluster_usage_buckets_quota_total_bytes",
  k6_http_req_duration: "k6_http_req_duration_p99",
  k6_http_reqs: "k6_http_reqs_total",
  k6_checks: "k6_checks_rate",
};
