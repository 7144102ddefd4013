import { Duration } from "../../../alerts/duration";
import { DEFAULT_THRESHOLDS as T } from "../../../alerts/thresholds";
import { AlertTestCase } from "./types";

const NODE = { job: "node-exporter", instance: "host:9100" };
const NODE_SEL = `job="node-exporter", instance="host:9100"`;
const FS = `${NODE_SEL}, device="/dev/sda1", fstype="ext4", mountpoint="/"`;
const FS_LABELS = { ...NODE, device: "/dev/sda1", fstype: "ext4", mountpoint: "/" };
const PG = `job="postgres-exporter", instance="postgres-exporter:9187"`;
const PG_LABELS = { job: "postgres-exporter", instance: "postgres-exporter:9187", datname: "messenger" };
const REDIS = `job="redis-exporter", instance="redis-exporter:9121"`;
const REDIS_LABELS = { job: "redis-exporter", instance: "redis-exporter:9121" };
const MINIO = `job="minio", instance="minio:9000"`;
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const memTotal = 1000 * MiB;
const fsSize = 100 * GiB;

export const INFRASTRUCTURE_CASES: readonly AlertTestCase[] = [
  {
    // idle 0.25 → 75% busy; idle 0.1 → 90% busy
    alert: "HighCPUUsage",
    signals: [
      { kind: "rate", series: `node_cpu_seconds_total{${NODE_SEL}, cpu="0", mode="idle"}`, perSecond: { below: 1 - T.cpuUtilisation.threshold.value + 0.05, above: 0.1 } },
      { kind: "rate", series: `node_cpu_seconds_total{${NODE_SEL}, cpu="0", mode="user"}`, perSecond: { below: T.cpuUtilisation.threshold.value - 0.05, above: 0.9 } },
    ],
    expected: { labels: NODE, value: 0.9 },
  },
  {
    alert: "HighCapacityUsage",
    signals: [
      { kind: "gauge", series: `node_memory_MemTotal_bytes{${NODE_SEL}}`, values: { below: memTotal, above: memTotal } },
      { kind: "gauge", series: `node_memory_MemAvailable_bytes{${NODE_SEL}}`, values: { below: memTotal * (1 - T.memoryUtilisation.threshold.value + 0.05), above: memTotal * 0.2 } },
    ],
    expected: { labels: NODE, value: 0.8 },
  },
  {
    alert: "LowAvailableMemory",
    signals: [
      { kind: "gauge", series: `node_memory_MemTotal_bytes{${NODE_SEL}}`, values: { below: memTotal, above: memTotal } },
      { kind: "gauge", series: `node_memory_MemAvailable_bytes{${NODE_SEL}}`, values: { below: memTotal * (T.memoryAvailable.threshold.value + 0.02), above: memTotal * 0.05 } },
    ],
    expected: { labels: NODE, value: 0.05 },
  },
  {
    alert: "NetworkErrors",
    signals: [
      { kind: "rate", series: `node_network_receive_errs_total{${NODE_SEL}, device="eth0"}`, perSecond: { below: T.networkReceiveErrors.threshold.value * 0.9, above: 0.5 } },
    ],
    expected: { labels: { ...NODE, device: "eth0" }, value: 0.5 },
  },
  {
    // a day at 2 MiB/s sets the baseline; 3.5 MiB/s is under 2x, 8 MiB/s is over; veth traffic is ignored
    alert: "HighNetworkReceive",
    prelude: T.networkReceiveBaselineWindow,
    signals: [
      { kind: "rate", series: `node_network_receive_bytes_total{${NODE_SEL}, device="eth0"}`, perSecond: { prelude: 2 * MiB, below: 3.5 * MiB, above: 8 * MiB, recover: 2 * MiB } },
      { kind: "rate", series: `node_network_receive_bytes_total{${NODE_SEL}, device="veth1234"}`, perSecond: { prelude: 0, below: 0, above: 100 * MiB, recover: 0 } },
    ],
    expected: { labels: NODE, value: 8 * MiB },
  },
  {
    // 50 GiB free; shrinking so it would be full in ~40h (fine), then in ~10h (alert), then stable
    alert: "HostFilesystemFillingUp",
    interval: Duration.parse("5m"),
    lag: T.filesystemPredictionWindow,
    signals: [
      { kind: "gauge", series: `node_filesystem_size_bytes{${FS}}`, values: { below: fsSize, above: fsSize } },
      { kind: "gauge", series: `node_filesystem_readonly{${FS}}`, values: { below: 0, above: 0 } },
      { kind: "rate", series: `node_filesystem_avail_bytes{${FS}}`, start: 50 * GiB, perSecond: { below: -(50 * GiB) / (40 * 3600), above: -(40 * GiB) / (10 * 3600), recover: 0 } },
    ],
    expected: { labels: FS_LABELS, value: 0 },
  },
  {
    alert: "HostFilesystemAlmostFull",
    signals: [
      { kind: "gauge", series: `node_filesystem_size_bytes{${FS}}`, values: { below: fsSize, above: fsSize } },
      { kind: "gauge", series: `node_filesystem_readonly{${FS}}`, values: { below: 0, above: 0 } },
      { kind: "gauge", series: `node_filesystem_avail_bytes{${FS}}`, values: { below: fsSize * (T.filesystemAvailable.threshold.value + 0.02), above: fsSize * 0.05 } },
      // a read-only filesystem that is full is not a problem
      { kind: "gauge", series: `node_filesystem_size_bytes{${NODE_SEL}, device="/dev/sr0", fstype="iso9660", mountpoint="/media"}`, values: { below: fsSize, above: fsSize } },
      { kind: "gauge", series: `node_filesystem_avail_bytes{${NODE_SEL}, device="/dev/sr0", fstype="iso9660", mountpoint="/media"}`, values: { below: 0, above: 0 } },
      { kind: "gauge", series: `node_filesystem_readonly{${NODE_SEL}, device="/dev/sr0", fstype="iso9660", mountpoint="/media"}`, values: { below: 1, above: 1 } },
    ],
    expected: { labels: FS_LABELS, value: 0.05 },
  },
  {
    // 6% free is under the warning level but not critical; 2% is
    alert: "HostFilesystemFull",
    signals: [
      { kind: "gauge", series: `node_filesystem_size_bytes{${FS}}`, values: { below: fsSize, above: fsSize } },
      { kind: "gauge", series: `node_filesystem_readonly{${FS}}`, values: { below: 0, above: 0 } },
      { kind: "gauge", series: `node_filesystem_avail_bytes{${FS}}`, values: { below: fsSize * (T.filesystemAvailableCritical.threshold.value + 0.01), above: fsSize * 0.02 } },
      // a container layer (overlay) that is full is not a host filesystem
      { kind: "gauge", series: `node_filesystem_size_bytes{${NODE_SEL}, device="overlay", fstype="overlay", mountpoint="/var/lib/docker/overlay2/x/merged"}`, values: { below: fsSize, above: fsSize } },
      { kind: "gauge", series: `node_filesystem_avail_bytes{${NODE_SEL}, device="overlay", fstype="overlay", mountpoint="/var/lib/docker/overlay2/x/merged"}`, values: { below: 0, above: 0 } },
      { kind: "gauge", series: `node_filesystem_readonly{${NODE_SEL}, device="overlay", fstype="overlay", mountpoint="/var/lib/docker/overlay2/x/merged"}`, values: { below: 0, above: 0 } },
    ],
    expected: { labels: FS_LABELS, value: 0.02 },
  },
  {
    alert: "HighDatabaseLatency",
    signals: [
      { kind: "gauge", series: `pg_stat_activity_max_tx_duration{${PG}, datname="messenger", state="active", backend_type="client backend"}`, values: { below: T.databaseTransactionDuration.threshold.value * 0.8, above: 2 } },
      { kind: "gauge", series: `pg_stat_activity_max_tx_duration{${PG}, datname="messenger", state="idle", backend_type="client backend"}`, values: { below: 0, above: 0 } },
      // an autovacuum worker's long transaction is not a client waiting: it must never fire
      { kind: "gauge", series: `pg_stat_activity_max_tx_duration{${PG}, datname="messenger", state="active", backend_type="autovacuum worker"}`, values: { below: 600, above: 600, recover: 600 } },
    ],
    expected: { labels: PG_LABELS, value: 2 },
  },
  {
    // 100 statements/s; 40ms mean below, 100ms above
    alert: "HighDatabaseQueryTime",
    signals: [
      { kind: "rate", series: `pg_stat_statements_calls_total{${PG}, datname="messenger", user="app", queryid="1"}`, perSecond: { below: 100, above: 100 } },
      { kind: "rate", series: `pg_stat_statements_seconds_total{${PG}, datname="messenger", user="app", queryid="1"}`, perSecond: { below: 100 * (T.databaseQueryTime.threshold.value - 0.01), above: 10 } },
    ],
    expected: { labels: PG_LABELS, value: 0.1 },
  },
  {
    alert: "LowCacheHitRatio",
    lag: Duration.parse("5m"),
    signals: [
      { kind: "rate", series: `redis_keyspace_hits_total{${REDIS}, db="db0"}`, perSecond: { below: 100 * (T.cacheHitRatio.threshold.value + 0.05), above: 50 } },
      { kind: "rate", series: `redis_keyspace_misses_total{${REDIS}, db="db0"}`, perSecond: { below: 100 * (1 - T.cacheHitRatio.threshold.value - 0.05), above: 50 } },
    ],
    expected: { labels: REDIS_LABELS, value: 0.5 },
  },
  {
    // No maxmemory (Redis' default, max = 0): the ratio is over the machine's memory, so an unbounded Redis
    // growing towards the OOM killer fires (docs/guide-deviations.md). A Redis with a maxmemory is measured
    // against it, not against the machine: 450 of 1000 MiB stays quiet although it is 90% of its (small)
    // machine. A Redis without maxmemory that reports no system memory has no ratio and never fires.
    alert: "HighCacheMemory",
    signals: [
      { kind: "gauge", series: `redis_memory_max_bytes{${REDIS}}`, values: { below: 0, above: 0 } },
      { kind: "gauge", series: `redis_total_system_memory_bytes{${REDIS}}`, values: { below: 2000 * MiB, above: 2000 * MiB } },
      { kind: "gauge", series: `redis_memory_used_bytes{${REDIS}}`, values: { below: 2000 * MiB * (T.cacheMemoryUtilisation.threshold.value - 0.05), above: 1900 * MiB } },
      { kind: "gauge", series: `redis_memory_max_bytes{job="redis-exporter", instance="redis-max:9121"}`, values: { below: 1000 * MiB, above: 1000 * MiB } },
      { kind: "gauge", series: `redis_total_system_memory_bytes{job="redis-exporter", instance="redis-max:9121"}`, values: { below: 500 * MiB, above: 500 * MiB } },
      { kind: "gauge", series: `redis_memory_used_bytes{job="redis-exporter", instance="redis-max:9121"}`, values: { below: 450 * MiB, above: 450 * MiB } },
      { kind: "gauge", series: `redis_memory_max_bytes{job="redis-exporter", instance="redis-nomax:9121"}`, values: { below: 0, above: 0 } },
      { kind: "gauge", series: `redis_memory_used_bytes{job="redis-exporter", instance="redis-nomax:9121"}`, values: { below: 5000 * MiB, above: 5000 * MiB } },
    ],
    expected: { labels: { ...REDIS_LABELS, memory_limit: "system" }, value: 0.95 },
  },
  {
    // 100 commands/s; 10ms mean below, 50ms above
    alert: "HighCacheLatency",
    signals: [
      { kind: "rate", series: `redis_commands_total{${REDIS}, cmd="get"}`, perSecond: { below: 100, above: 100 } },
      { kind: "rate", series: `redis_commands_duration_seconds_total{${REDIS}, cmd="get"}`, perSecond: { below: 100 * (T.cacheCommandLatency.threshold.value / 2), above: 5 } },
    ],
    expected: { labels: REDIS_LABELS, value: 0.05 },
  },
  {
    // 1 TB usable, 800 GB free. Slow growth projects ~68% used in 30 days, fast growth projects
    // free space to run out: 1 - predicted_free / total (the value) is then above 100%.
    alert: "StorageGrowth",
    interval: Duration.parse("1h"),
    lag: T.storageGrowthWindow,
    signals: [
      { kind: "gauge", series: `minio_cluster_health_capacity_usable_total_bytes{${MINIO}}`, values: { below: 1e12, above: 1e12 } },
      { kind: "rate", series: `minio_cluster_health_capacity_usable_free_bytes{${MINIO}}`, start: 8e11, perSecond: { below: -1.5e5, above: -5e5, recover: 0 } },
    ],
    expected: {
      labels: { job: "minio", instance: "minio:9000" },
      value: (t, firingAt) => {
        const belowSeconds = t.aboveStart.seconds - t.belowStart.seconds;
        const freeNow = 8e11 - 1.5e5 * belowSeconds - 5e5 * (firingAt.seconds - t.aboveStart.seconds);
        return 1 - (freeNow - 5e5 * T.storageGrowthHorizon.seconds) / 1e12;
      },
    },
  },
  {
    // the exporter is up (its own `up` is 1) but cannot reach the database
    alert: "PostgresDown",
    signals: [
      { kind: "gauge", series: `up{${PG}}`, values: { below: 1, above: 1 } },
      { kind: "gauge", series: `pg_up{${PG}}`, values: { below: 1, above: 0, recover: 1 } },
    ],
    expected: { labels: { job: "postgres-exporter", instance: "postgres-exporter:9187" }, value: 0 },
  },
  {
    alert: "RedisDown",
    signals: [
      { kind: "gauge", series: `up{${REDIS}}`, values: { below: 1, above: 1 } },
      { kind: "gauge", series: `redis_up{${REDIS}}`, values: { below: 1, above: 0, recover: 1 } },
    ],
    expected: { labels: REDIS_LABELS, value: 0 },
  },
];
