import { JOBS } from "../jobs";

/**
 * The rate window of every `rate()` shared by alerts and dashboards. It is part of the recording rule
 * names (`..._rate5m`, `p95_5m`), so it is a constant rather than a tunable: at a 15s scrape interval 5m
 * holds 20 samples, enough to survive a missed scrape.
 */
export const RATE_WINDOW = "5m";

/** Series selectors, one per scrape job (node-mixin's `nodeExporterSelector` idea). */
export const SELECTORS = {
  application: `job="${JOBS.application}"`,
  node: `job="${JOBS.nodeExporter}"`,
  postgres: `job="${JOBS.postgresExporter}"`,
  redis: `job="${JOBS.redisExporter}"`,
  minio: `job="${JOBS.minio}"`,
  prometheus: `job="${JOBS.prometheus}"`,
  alertmanager: `job="${JOBS.alertmanager}"`,
  /**
   * Docker containers only. cAdvisor (in `--docker_only` mode) also exports the root cgroup `/`, whose
   * series have no `name`; `name` is the container name, `id` its cgroup, `image` its image.
   */
  container: `job="${JOBS.cadvisor}", name!=""`,
  /** Real filesystems only: container layers and memory filesystems come and go. */
  filesystem: `job="${JOBS.nodeExporter}", fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|autofs|fuse.lxcfs", mountpoint!=""`,
  /** Physical interfaces only: Docker's veth/bridge devices double-count container traffic. */
  networkDevice: `job="${JOBS.nodeExporter}", device!~"lo|veth.+|docker.+|br-.+"`,
} as const;

/**
 * Names of the recording rules, `level:metric:operation`. Dashboards query these instead of repeating
 * the expression, so a panel and its alert show the same number.
 */
export const RECORDED = {
  messageDeliveryLatencyP95: "job_service:messenger_message_delivery_latency_seconds:p95_5m",
  messageDeliveryLatencyP50: "job_service:messenger_message_delivery_latency_seconds:p50_5m",
  websocketLatencyP95: "job_service:messenger_websocket_latency_seconds:p95_5m",
  httpRequestDurationP95: "job_service:messenger_http_request_duration_seconds:p95_5m",
  httpRequestDurationP50: "job_service:messenger_http_request_duration_seconds:p50_5m",
  httpErrorRatio: "job_service:messenger_http_requests_errors:ratio_rate5m",
  websocketConnections: "job_service:messenger_websocket_connections:sum",
  /** Replicas of a service that answer their scrape (`up` summed per service). */
  serviceReplicasUp: "job_service:up:sum",
  cpuUtilisation: "instance:node_cpu_utilisation:ratio_rate5m",
  memoryUtilisation: "instance:node_memory_utilisation:ratio",
  memoryAvailable: "instance:node_memory_available:ratio",
  networkReceiveBytes: "instance:node_network_receive_bytes_physical:rate5m",
  networkTransmitBytes: "instance:node_network_transmit_bytes_physical:rate5m",
  databaseQueryTime: "instance_datname:pg_stat_statements_seconds:mean_rate5m",
  cacheHitRatio: "instance:redis_keyspace_hits:ratio_rate5m",
  cacheMemoryUtilisation: "instance:redis_memory_used:ratio",
  cacheCommandLatency: "instance:redis_commands_duration_seconds:mean_rate5m",
} as const;

/**
 * Label of the Redis memory ratio (`RECORDED.cacheMemoryUtilisation`) saying what it divides by:
 * `maxmemory`, or `system` (the machine's memory, Redis' `total_system_memory`) when no maxmemory is set.
 */
export const REDIS_MEMORY_LIMIT_LABEL = "memory_limit";
