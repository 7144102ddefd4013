import { JOBS } from "../jobs";
import { CatalogSource, counter, gauge } from "./types";

/**
 * MinIO (the guide's media storage) scraped on its metrics v3 API (`/minio/metrics/v3`), which MinIO
 * recommends for new deployments. The guide's `minio_bucket_usage_bytes` and `minio_bucket_capacity_bytes`
 * exist in neither API: bucket size is `minio_cluster_usage_buckets_total_bytes{bucket}` (v3;
 * `minio_bucket_usage_total_bytes` in v2) and capacity is cluster-wide,
 * `minio_cluster_health_capacity_usable_total_bytes` (v3; `minio_cluster_capacity_usable_total_bytes` in v2),
 * or per bucket the quota `minio_cluster_usage_buckets_quota_total_bytes`.
 */
export const MINIO: CatalogSource = {
  job: JOBS.minio,
  version: "metrics API v3",
  source: "github.com/minio/minio: docs/metrics/v3.md (stored copy of master)",
  note: "Cluster health/capacity, bucket usage, API request and drive families of the v3 API. MinIO is the application's service; the stack only scrapes it.",
  metrics: [
    gauge("minio_cluster_health_drives_offline_count"),
    gauge("minio_cluster_health_drives_online_count"),
    gauge("minio_cluster_health_drives_count"),
    gauge("minio_cluster_health_nodes_offline_count"),
    gauge("minio_cluster_health_nodes_online_count"),
    gauge("minio_cluster_health_capacity_raw_total_bytes"),
    gauge("minio_cluster_health_capacity_raw_free_bytes"),
    gauge("minio_cluster_health_capacity_usable_total_bytes"),
    gauge("minio_cluster_health_capacity_usable_free_bytes"),
    gauge("minio_cluster_usage_objects_total_bytes"),
    gauge("minio_cluster_usage_objects_count"),
    gauge("minio_cluster_usage_objects_buckets_count"),
    gauge("minio_cluster_usage_buckets_since_last_update_seconds"),
    gauge("minio_cluster_usage_buckets_total_bytes", ["bucket"], "Total bucket size in bytes."),
    gauge("minio_cluster_usage_buckets_objects_count", ["bucket"]),
    gauge("minio_cluster_usage_buckets_quota_total_bytes", ["bucket"], "Total bucket quota in bytes."),
    counter("minio_api_requests_total", ["name", "type", "pool_index", "server"]),
    counter("minio_api_requests_errors_total", ["name", "type", "pool_index", "server"]),
    counter("minio_api_requests_5xx_errors_total", ["name", "type", "pool_index", "server"]),
    counter("minio_api_requests_4xx_errors_total", ["name", "type", "pool_index", "server"]),
    gauge("minio_api_requests_inflight_total", ["name", "type", "pool_index", "server"]),
    // Bucketed like a histogram but exposed as a counter with `le`, without _bucket/_sum/_count series.
    counter("minio_api_requests_ttfb_seconds_distribution", ["name", "type", "le", "pool_index", "server"]),
    counter("minio_api_requests_traffic_sent_bytes", ["type", "pool_index", "server"]),
    counter("minio_api_requests_traffic_received_bytes", ["type", "pool_index", "server"]),
    gauge("minio_system_drive_used_bytes", ["drive", "set_index", "drive_index", "pool_index", "server"]),
    gauge("minio_system_drive_free_bytes", ["drive", "set_index", "drive_index", "pool_index", "server"]),
    gauge("minio_system_drive_total_bytes", ["drive", "set_index", "drive_index", "pool_index", "server"]),
    gauge("minio_system_process_uptime_seconds", ["server"]),
    gauge("minio_system_process_resident_memory_bytes", ["server"]),
  ],
};
