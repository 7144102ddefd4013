import { SYMPTOMS } from "../model";
import { AlertDefinition } from "./types";
import { RATE_WINDOW as W, RECORDED, REDIS_MEMORY_LIMIT_LABEL, SELECTORS as S } from "./selectors";

/**
 * Free-space ratio of writable real filesystems below `threshold`. One expression for both filesystem twins,
 * so they return the same series (job, instance, device, fstype, mountpoint) and inhibition pairs them.
 */
function filesystemAvailableBelow(threshold: number): string {
  return (
    `node_filesystem_avail_bytes{${S.filesystem}} / node_filesystem_size_bytes{${S.filesystem}} < ${threshold}` +
    ` and node_filesystem_readonly{${S.filesystem}} == 0`
  );
}

/** Hosts (node exporter), database, cache and media storage: the guide's YAML and metric table. */
export const INFRASTRUCTURE_ALERTS: readonly AlertDefinition[] = [
  // --- hosts ---
  {
    name: "HighCPUUsage",
    group: "host-alerts",
    severity: "warning",
    condition: "cpuUtilisation",
    requires: { exporter: "node" },
    valueUnit: "ratio",
    origin: "guide YAML",
    runbook:
      "The host's CPUs are busy most of the time. Find the container using them (Containers dashboard) " +
      "and scale it out or up; sustained load means the capacity plan is due.",
    build: (c) => ({
      expr: `${RECORDED.cpuUtilisation} > ${c.threshold}`,
      summary: (a) => `High CPU usage on ${a.label("instance")}`,
      description: (a) => `CPU utilisation is ${a.value} (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HighCapacityUsage",
    group: "host-alerts",
    severity: "warning",
    condition: "memoryUtilisation",
    // Warning twin of LowAvailableMemory: used = 1 - available of the same series, the same labels.
    symptom: SYMPTOMS.hostMemory,
    requires: { exporter: "node" },
    valueUnit: "ratio",
    origin: "guide YAML",
    runbook: "Memory use has stayed high for an hour: plan capacity (Capacity planning dashboard) before LowAvailableMemory fires.",
    build: (c) => ({
      expr: `${RECORDED.memoryUtilisation} > ${c.threshold}`,
      summary: (a) => `High memory capacity usage on ${a.label("instance")}`,
      description: (a) => `Memory usage is ${a.value} (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "LowAvailableMemory",
    group: "host-alerts",
    severity: "critical",
    condition: "memoryAvailable",
    symptom: SYMPTOMS.hostMemory,
    requires: { exporter: "node" },
    valueUnit: "ratio",
    origin: "guide table",
    runbook:
      "The kernel is close to reclaiming aggressively or OOM-killing. Find the growing container (Containers " +
      "dashboard), restart or limit it, and add memory.",
    build: (c) => ({
      expr: `${RECORDED.memoryAvailable} < ${c.threshold}`,
      summary: (a) => `Low available memory on ${a.label("instance")}`,
      description: (a) => `Only ${a.value} of memory is available (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "NetworkErrors",
    group: "host-alerts",
    severity: "critical",
    condition: "networkReceiveErrors",
    requires: { exporter: "node" },
    valueUnit: "errorsPerSecond",
    origin: "guide YAML",
    runbook: "An interface drops received frames: check cabling/virtual NIC, `ethtool -S`, MTU mismatches and driver logs.",
    build: (c) => ({
      expr: `rate(node_network_receive_errs_total{${S.node}}[${W}]) > ${c.threshold}`,
      summary: (a) => `High network error rate on ${a.label("instance")} ${a.label("device")}`,
      description: (a) => `Network receive error rate is ${a.value} (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HighNetworkReceive",
    group: "host-alerts",
    severity: "warning",
    condition: "networkReceiveBaseline",
    requires: { exporter: "node" },
    valueUnit: "bytesPerSecond",
    origin: "guide table",
    runbook:
      "Inbound traffic is more than twice its daily average: a traffic spike, a load test, a client retry " +
      "storm or an attack. Compare with request rates and k6 runs.",
    build: (c) => ({
      expr:
        `${RECORDED.networkReceiveBytes} > ${c.threshold} * sum by (job, instance) ` +
        `(rate(node_network_receive_bytes_total{${S.networkDevice}}[${c.thresholds.networkReceiveBaselineWindow}]))` +
        ` and ${RECORDED.networkReceiveBytes} > ${c.thresholds.networkReceiveFloor.value}`,
      summary: (a) => `Network receive above ${c.thresholdText} its baseline on ${a.label("instance")}`,
      description: (a) =>
        `Receiving ${a.value}, more than ${c.thresholdText} the average of the past ` +
        `${c.thresholds.networkReceiveBaselineWindow}.`,
    }),
  },
  {
    name: "HostFilesystemFillingUp",
    group: "host-alerts",
    severity: "warning",
    condition: "filesystemTimeUntilFull",
    requires: { exporter: "node" },
    valueUnit: "none",
    origin: "stack health",
    runbook:
      "At the growth rate of the last hours this filesystem is full within the horizon. Prometheus TSDB " +
      "and Loki live on Docker volumes here: check their retention settings, then free or add space.",
    build: (c) => ({
      expr:
        `predict_linear(node_filesystem_avail_bytes{${S.filesystem}}[${c.thresholds.filesystemPredictionWindow}], ${c.threshold}) < 0` +
        ` and node_filesystem_readonly{${S.filesystem}} == 0`,
      summary: (a) => `Filesystem ${a.label("mountpoint")} on ${a.label("instance")} is filling up`,
      description: () =>
        `At the rate of the last ${c.thresholds.filesystemPredictionWindow} it will be full within ${c.thresholdText}.`,
    }),
  },
  {
    name: "HostFilesystemAlmostFull",
    group: "host-alerts",
    severity: "warning",
    condition: "filesystemAvailable",
    symptom: SYMPTOMS.filesystemSpace,
    requires: { exporter: "node" },
    valueUnit: "ratio",
    origin: "stack health",
    runbook:
      "Little space is left: free some today, before HostFilesystemFull pages (which silences this alert while " +
      "it fires). Prune images/volumes, lower Prometheus/Loki retention, or grow the disk.",
    build: (c) => ({
      expr: filesystemAvailableBelow(c.threshold),
      summary: (a) => `Filesystem ${a.label("mountpoint")} on ${a.label("instance")} is almost full`,
      description: (a) => `Only ${a.value} of the space is left (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HostFilesystemFull",
    group: "host-alerts",
    severity: "critical",
    condition: "filesystemAvailableCritical",
    symptom: SYMPTOMS.filesystemSpace,
    requires: { exporter: "node" },
    valueUnit: "ratio",
    origin: "stack health",
    runbook: "Free space now, before Prometheus, Loki or PostgreSQL stop writing: prune images/volumes, lower retention, grow the disk.",
    build: (c) => ({
      expr: filesystemAvailableBelow(c.threshold),
      summary: (a) => `Filesystem ${a.label("mountpoint")} on ${a.label("instance")} is full`,
      description: (a) => `Only ${a.value} of the space is left (threshold ${c.thresholdText}).`,
    }),
  },
  // --- database ---
  {
    name: "PostgresDown",
    group: "database-alerts",
    severity: "critical",
    condition: "dependencyDown",
    requires: { exporter: "postgres" },
    valueUnit: "none",
    origin: "stack health",
    runbook:
      "postgres-exporter runs but cannot connect to PostgreSQL: the database is down, refuses connections " +
      "(max_connections, pg_hba.conf) or the DSN is wrong. Every request that needs the database fails. " +
      "Check the database container and the exporter's log for the connection error.",
    build: (c) => ({
      expr: `pg_up{${S.postgres}} == 0`,
      summary: (a) => `PostgreSQL unreachable from ${a.label("instance")}`,
      description: () => `postgres-exporter has not been able to connect to PostgreSQL for ${c.for}.`,
    }),
  },
  {
    name: "HighDatabaseLatency",
    group: "database-alerts",
    severity: "critical",
    condition: "databaseTransactionDuration",
    requires: { exporter: "postgres" },
    valueUnit: "seconds",
    origin: "guide YAML",
    runbook:
      "A transaction has been open for long (possibly idle in transaction), holding locks and blocking vacuum. " +
      "Find it in `pg_stat_activity` (order by xact_start), then fix or cancel it (`pg_cancel_backend`).",
    build: (c) => ({
      // Client sessions only: autovacuum workers and WAL senders hold long transactions by design.
      expr: `max by (job, instance, datname) (pg_stat_activity_max_tx_duration{${S.postgres}, backend_type="client backend"}) > ${c.threshold}`,
      summary: (a) => `High database transaction duration on ${a.label("datname")}`,
      description: (a) => `The longest open transaction has run for ${a.value} (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HighDatabaseQueryTime",
    group: "database-alerts",
    severity: "warning",
    condition: "databaseQueryTime",
    requires: { exporter: "postgres" },
    valueUnit: "seconds",
    origin: "guide table",
    runbook:
      "Statements take long on average (guide target < 10ms). Find the top statements by total time in " +
      "`pg_stat_statements`, check missing indexes and cache hit ratio (Database dashboard).",
    build: (c) => ({
      expr: `${RECORDED.databaseQueryTime} > ${c.threshold}`,
      summary: (a) => `High database query time on ${a.label("datname")}`,
      description: (a) => `Mean statement execution time is ${a.value} (threshold ${c.thresholdText}).`,
    }),
  },
  // --- cache ---
  {
    name: "RedisDown",
    group: "cache-alerts",
    severity: "critical",
    condition: "dependencyDown",
    requires: { exporter: "redis" },
    valueUnit: "none",
    origin: "stack health",
    runbook:
      "redis_exporter runs but cannot reach Redis: Redis is down, refuses connections (maxclients, AUTH) or " +
      "the address is wrong. Sessions, presence and caching fail or fall through to the database. Check the " +
      "Redis container and the exporter's log.",
    build: (c) => ({
      expr: `redis_up{${S.redis}} == 0`,
      summary: (a) => `Redis unreachable from ${a.label("instance")}`,
      description: () => `redis_exporter has not been able to reach Redis for ${c.for}.`,
    }),
  },
  {
    name: "LowCacheHitRatio",
    group: "cache-alerts",
    severity: "warning",
    condition: "cacheHitRatio",
    requires: { exporter: "redis" },
    valueUnit: "ratio",
    origin: "guide YAML",
    runbook: "Many lookups miss the cache: check evictions (memory too small), TTLs and recent changes to cache keys.",
    build: (c) => ({
      expr: `${RECORDED.cacheHitRatio} < ${c.threshold}`,
      summary: (a) => `Low cache hit ratio on ${a.label("instance")}`,
      description: (a) => `Cache hit ratio is ${a.value} (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HighCacheMemory",
    group: "cache-alerts",
    severity: "warning",
    condition: "cacheMemoryUtilisation",
    requires: { exporter: "redis" },
    valueUnit: "ratio",
    origin: "guide YAML",
    runbook:
      "Redis is close to its memory limit (label `memory_limit`). `maxmemory`: it will evict (or reject writes, " +
      "depending on the policy); raise maxmemory or shorten TTLs. `system`: no maxmemory is set and Redis uses " +
      "most of the machine's memory, so the kernel's (or the container's) OOM killer will stop it, losing " +
      "what is not persisted; set a maxmemory with an eviction policy below the machine's (container's) limit.",
    build: (c) => ({
      expr: `${RECORDED.cacheMemoryUtilisation} > ${c.threshold}`,
      summary: (a) => `High cache memory usage on ${a.label("instance")}`,
      description: (a) => `Cache memory usage is ${a.value} of its ${a.label(REDIS_MEMORY_LIMIT_LABEL)} memory (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HighCacheLatency",
    group: "cache-alerts",
    severity: "warning",
    condition: "cacheCommandLatency",
    requires: { exporter: "redis" },
    valueUnit: "seconds",
    origin: "guide table",
    runbook: "Redis commands are slow (guide target < 5ms): look for slow commands (`SLOWLOG GET`), big keys, and fork/persistence stalls.",
    build: (c) => ({
      expr: `${RECORDED.cacheCommandLatency} > ${c.threshold}`,
      summary: (a) => `High cache command latency on ${a.label("instance")}`,
      description: (a) => `Mean Redis command duration is ${a.value} (threshold ${c.thresholdText}).`,
    }),
  },
  // --- media storage ---
  {
    name: "StorageGrowth",
    group: "storage-alerts",
    severity: "warning",
    condition: "storageProjectedUtilisation",
    requires: { exporter: "minio" },
    valueUnit: "ratio",
    origin: "guide YAML",
    runbook: "Media storage will pass the threshold within the horizon at its current growth: add drives or apply lifecycle rules.",
    build: (c) => ({
      expr:
        `1 - predict_linear(minio_cluster_health_capacity_usable_free_bytes{${S.minio}}[${c.thresholds.storageGrowthWindow}], ` +
        `${c.thresholds.storageGrowthHorizon.seconds}) / minio_cluster_health_capacity_usable_total_bytes{${S.minio}} > ${c.threshold}`,
      summary: () => "Rapid storage growth detected",
      description: (a) =>
        `Storage is projected to reach ${a.value} of its capacity in ${c.thresholds.storageGrowthHorizon} ` +
        `(threshold ${c.thresholdText}).`,
    }),
  },
];
