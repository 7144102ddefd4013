import { JOBS, SERVICE_LABEL } from "../jobs";
import { AlertDefinition } from "./types";
import { RATE_WINDOW as W, SELECTORS as S } from "./selectors";

/**
 * What the guide's alerts do not cover but an outage runs into: the monitoring pipeline losing data
 * (Prometheus, the log and trace pipeline), the node-mixin staples (inodes, clock, conntrack, file
 * descriptors, OOM kills), and PostgreSQL, Redis and the offline message queue reaching their limits.
 */
export const SATURATION_ALERTS: readonly AlertDefinition[] = [
  // --- the application ---
  {
    name: "OfflineMessageQueueGrowing",
    group: "performance-alerts",
    severity: "warning",
    condition: "offlineQueueGrowth",
    requires: { application: true },
    valueUnit: "count",
    origin: "added",
    runbook:
      "Messages for offline recipients pile up faster than they are delivered: the notification service or " +
      "push provider is failing or too slow. Check notification-service errors and its queue consumers.",
    build: (c) => ({
      expr: `sum by (job, ${SERVICE_LABEL}) (delta(messenger_offline_messages_queued{${S.application}}[1h])) > ${c.threshold}`,
      summary: (a) => `Offline message queue of ${a.label(SERVICE_LABEL)} keeps growing`,
      description: (a) => `The offline message queue grew by ${a.value} messages in the last hour (threshold ${c.thresholdText}).`,
    }),
  },
  // --- hosts (node-mixin) ---
  {
    name: "HostInodesAlmostExhausted",
    group: "host-alerts",
    severity: "warning",
    condition: "filesystemInodesAvailable",
    requires: { exporter: "node" },
    valueUnit: "ratio",
    origin: "added",
    runbook: "The filesystem runs out of inodes before bytes (many small files: logs, sockets, caches): find the directory with `find <mount> -xdev | cut -d/ -f2 | sort | uniq -c` and clean it.",
    build: (c) => ({
      expr:
        `node_filesystem_files_free{${S.filesystem}} / node_filesystem_files{${S.filesystem}} < ${c.threshold}` +
        ` and node_filesystem_readonly{${S.filesystem}} == 0`,
      summary: (a) => `Filesystem ${a.label("mountpoint")} on ${a.label("instance")} is running out of inodes`,
      description: (a) => `Only ${a.value} of the inodes are free (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HostClockSkew",
    group: "host-alerts",
    severity: "warning",
    condition: "clockOffset",
    requires: { exporter: "node" },
    valueUnit: "seconds",
    origin: "added",
    runbook: "The host clock is off: TLS, token expiry and message ordering break. Check the NTP/chrony service (`chronyc tracking`).",
    build: (c) => ({
      expr: `abs(node_timex_offset_seconds{${S.node}}) > ${c.threshold}`,
      summary: (a) => `Clock skew on ${a.label("instance")}`,
      description: (a) => `The clock is ${a.value} off its time source (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HostClockNotSynchronising",
    group: "host-alerts",
    severity: "warning",
    condition: "clockUnsynchronised",
    requires: { exporter: "node" },
    valueUnit: "none",
    origin: "added",
    runbook: "The kernel reports the clock as unsynchronised: NTP is not running or cannot reach a server. Start chrony/ntpd and check its sources.",
    build: (c) => ({
      expr: `min_over_time(node_timex_sync_status{${S.node}}[${W}]) == 0 and node_timex_maxerror_seconds{${S.node}} >= 16`,
      summary: (a) => `Clock of ${a.label("instance")} is not synchronising`,
      description: () => `The kernel has reported the clock as unsynchronised for ${c.for}.`,
    }),
  },
  {
    name: "HostConntrackTableFull",
    group: "host-alerts",
    severity: "warning",
    condition: "conntrackUtilisation",
    requires: { exporter: "node" },
    valueUnit: "ratio",
    origin: "added",
    runbook: "When the conntrack table is full the kernel drops new connections (WebSocket clients fail to connect). Raise net.netfilter.nf_conntrack_max or shorten timeouts.",
    build: (c) => ({
      expr: `node_nf_conntrack_entries{${S.node}} / node_nf_conntrack_entries_limit{${S.node}} > ${c.threshold}`,
      summary: (a) => `Conntrack table of ${a.label("instance")} is filling up`,
      description: (a) => `${a.value} of the conntrack table is used (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HostFileDescriptorsExhausted",
    group: "host-alerts",
    severity: "warning",
    condition: "fileDescriptorUtilisation",
    requires: { exporter: "node" },
    valueUnit: "ratio",
    origin: "added",
    runbook: "The kernel is close to its open-file limit (fs.file-max): every WebSocket is a file descriptor. Find the process holding most (`lsof | awk '{print $1}' | sort | uniq -c`) and raise the limit.",
    build: (c) => ({
      expr: `node_filefd_allocated{${S.node}} / node_filefd_maximum{${S.node}} > ${c.threshold}`,
      summary: (a) => `File descriptors of ${a.label("instance")} nearly exhausted`,
      description: (a) => `${a.value} of the kernel's file descriptors are allocated (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HostOOMKill",
    group: "host-alerts",
    severity: "warning",
    condition: "oomKills",
    requires: { exporter: "node" },
    valueUnit: "count",
    origin: "added",
    runbook: "The kernel killed a process for lack of memory. Find it in `dmesg`/the Containers dashboard (restarts), then raise its limit or fix the leak.",
    build: (c) => ({
      expr: `increase(node_vmstat_oom_kill{${S.node}}[${W}]) > ${c.threshold}`,
      summary: (a) => `OOM kill on ${a.label("instance")}`,
      description: (a) => `${a.value} processes were killed by the OOM killer in the last ${W}.`,
    }),
  },
  // --- database ---
  {
    name: "PostgresConnectionsNearLimit",
    group: "database-alerts",
    severity: "warning",
    condition: "databaseConnectionUtilisation",
    requires: { exporter: "postgres" },
    valueUnit: "ratio",
    origin: "added",
    runbook: "New connections will soon be refused (FATAL: too many clients). Look for connection leaks or an undersized pool; use a pooler (PgBouncer) rather than raising max_connections blindly.",
    build: (c) => ({
      expr:
        `sum by (job, instance) (pg_stat_activity_count{${S.postgres}})` +
        ` / max by (job, instance) (pg_settings_max_connections{${S.postgres}}) > ${c.threshold}`,
      summary: (a) => `PostgreSQL on ${a.label("instance")} is close to max_connections`,
      description: (a) => `${a.value} of max_connections are in use (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "PostgresDeadlocks",
    group: "database-alerts",
    severity: "warning",
    condition: "databaseDeadlocks",
    requires: { exporter: "postgres" },
    valueUnit: "count",
    origin: "added",
    runbook: "Transactions deadlock repeatedly; PostgreSQL aborts one of each pair. Find the statements in the server log (log_lock_waits) and take locks in one order.",
    build: (c) => ({
      expr: `increase(pg_stat_database_deadlocks{${S.postgres}}[${W}]) > ${c.threshold}`,
      summary: (a) => `Deadlocks in database ${a.label("datname")}`,
      description: (a) => `${a.value} deadlocks in the last ${W} (threshold ${c.thresholdText}).`,
    }),
  },
  // --- cache ---
  {
    name: "RedisRejectedConnections",
    group: "cache-alerts",
    severity: "critical",
    condition: "cacheRejectedConnections",
    requires: { exporter: "redis" },
    valueUnit: "count",
    origin: "added",
    runbook: "Redis refuses clients because it reached maxclients: sessions and presence fail. Check for connection leaks and raise maxclients.",
    build: (c) => ({
      expr: `increase(redis_rejected_connections_total{${S.redis}}[${W}]) > ${c.threshold}`,
      summary: (a) => `Redis on ${a.label("instance")} rejects connections`,
      description: (a) => `${a.value} connections were rejected in the last ${W}.`,
    }),
  },
  {
    name: "RedisEvictingKeys",
    group: "cache-alerts",
    severity: "warning",
    condition: "cacheEvictions",
    requires: { exporter: "redis" },
    valueUnit: "count",
    origin: "added",
    runbook: "Redis evicts keys to stay under maxmemory: cache hits drop and load moves to the database. Give Redis more memory or shorten TTLs.",
    build: (c) => ({
      expr: `increase(redis_evicted_keys_total{${S.redis}}[${W}]) > ${c.threshold}`,
      summary: (a) => `Redis on ${a.label("instance")} is evicting keys`,
      description: (a) => `${a.value} keys were evicted in the last ${W} (threshold ${c.thresholdText}).`,
    }),
  },
  // --- Prometheus itself ---
  {
    name: "PrometheusWALCorruptions",
    group: "stack-health",
    severity: "critical",
    condition: "walCorruptions",
    requires: { job: JOBS.prometheus },
    valueUnit: "count",
    origin: "stack health",
    runbook: "Prometheus found a corrupted write-ahead log and dropped data from it: check the volume's disk and free space, and the Prometheus log.",
    build: (c) => ({
      expr: `increase(prometheus_tsdb_wal_corruptions_total{${S.prometheus}}[${W}]) > ${c.threshold}`,
      summary: () => "Prometheus WAL corruption",
      description: (a) => `${a.value} write-ahead-log corruptions in the last ${W}.`,
    }),
  },
  {
    name: "PrometheusMissedRuleEvaluations",
    group: "stack-health",
    severity: "warning",
    condition: "missedRuleEvaluations",
    requires: { job: JOBS.prometheus },
    valueUnit: "count",
    origin: "stack health",
    runbook: "A rule group takes longer than its interval, so evaluations are skipped and alerts come late. Find the slow group on the Rules page; simplify its queries or raise its interval.",
    build: (c) => ({
      expr: `increase(prometheus_rule_group_iterations_missed_total{${S.prometheus}}[${W}]) > ${c.threshold}`,
      summary: (a) => `Prometheus misses evaluations of ${a.label("rule_group")}`,
      description: (a) => `${a.value} evaluations of the group were skipped in the last ${W}.`,
    }),
  },
  {
    name: "PrometheusNotificationsDropped",
    group: "stack-health",
    severity: "critical",
    condition: "notificationsDropped",
    requires: [{ job: JOBS.prometheus }, { job: JOBS.alertmanager }],
    valueUnit: "count",
    origin: "stack health",
    runbook: "Prometheus dropped alerts before they reached Alertmanager (queue overflow or send errors): alerts were lost. Check Alertmanager's health and the notification queue.",
    build: (c) => ({
      expr: `increase(prometheus_notifications_dropped_total{${S.prometheus}}[${W}]) > ${c.threshold}`,
      summary: () => "Prometheus drops alert notifications",
      description: (a) => `${a.value} alerts were dropped in the last ${W} instead of reaching Alertmanager.`,
    }),
  },
  {
    name: "PrometheusNotificationQueueFull",
    group: "stack-health",
    severity: "warning",
    condition: "notificationQueueUtilisation",
    requires: [{ job: JOBS.prometheus }, { job: JOBS.alertmanager }],
    valueUnit: "ratio",
    origin: "stack health",
    runbook: "Alerts queue up faster than Alertmanager takes them; when the queue is full they are dropped. Check Alertmanager's latency and resources.",
    build: (c) => ({
      expr: `prometheus_notifications_queue_length{${S.prometheus}} / prometheus_notifications_queue_capacity{${S.prometheus}} > ${c.threshold}`,
      summary: () => "Prometheus' alert notification queue is filling up",
      description: (a) => `The queue is ${a.value} full (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "PrometheusNotIngestingSamples",
    group: "stack-health",
    severity: "critical",
    condition: "samplesIngested",
    requires: { job: JOBS.prometheus },
    valueUnit: "count",
    origin: "stack health",
    runbook: "Prometheus stores no new samples: every alert is blind. Check its log (disk full, TSDB errors, no targets) and the volume.",
    build: (c) => ({
      expr: `sum by (job, instance) (rate(prometheus_tsdb_head_samples_appended_total{${S.prometheus}}[${W}])) <= ${c.threshold}`,
      summary: () => "Prometheus is not ingesting samples",
      description: () => `Prometheus has appended no samples for ${c.for}.`,
    }),
  },
  {
    name: "PrometheusRemoteWriteReceiverErrors",
    group: "stack-health",
    severity: "warning",
    condition: "remoteWriteErrors",
    requires: { job: JOBS.prometheus },
    valueUnit: "count",
    origin: "stack health",
    runbook: "Prometheus refuses remote-write requests (k6 results): check the sender's log for the reason (out-of-order samples, too old, bad labels) and Prometheus' log.",
    build: (c) => ({
      expr: `sum by (job, instance) (rate(prometheus_http_requests_total{${S.prometheus}, handler="/api/v1/write", code!~"2.."}[${W}])) > ${c.threshold}`,
      summary: () => "Prometheus refuses remote-write requests",
      description: (a) => `${a.value} remote-write requests per second fail.`,
    }),
  },
  // --- the log and trace pipeline ---
  {
    name: "AlloyDroppingLogs",
    group: "stack-health",
    severity: "warning",
    condition: "logsDropped",
    requires: { job: JOBS.alloy },
    valueUnit: "count",
    origin: "stack health",
    runbook: "Alloy drops log entries it cannot deliver to Loki (rate limits, Loki down, too old): logs are lost. Check Loki's health and Alloy's log for the reason label.",
    build: (c) => ({
      expr: `sum by (job, instance, reason) (increase(loki_write_dropped_entries_total{job="${JOBS.alloy}"}[${W}])) > ${c.threshold}`,
      summary: (a) => `Alloy drops log entries (${a.label("reason")})`,
      description: (a) => `${a.value} log entries were dropped in the last ${W}.`,
    }),
  },
  {
    name: "LokiPushFailures",
    group: "stack-health",
    severity: "warning",
    condition: "logPushFailures",
    requires: { job: JOBS.loki },
    valueUnit: "count",
    origin: "stack health",
    runbook: "Loki answers pushes with 5xx: logs are not stored. Check Loki's log, its volume's free space and the compactor.",
    build: (c) => ({
      expr:
        `sum by (job, instance) (rate(loki_request_duration_seconds_count{job="${JOBS.loki}", route=~"loki_api_v1_push|api_prom_push", status_code=~"5.."}[${W}]))` +
        ` > ${c.threshold}`,
      summary: () => "Loki fails log pushes",
      description: (a) => `${a.value} pushes per second fail with a 5xx.`,
    }),
  },
  {
    name: "JaegerRefusingSpans",
    group: "stack-health",
    severity: "warning",
    condition: "spansRefused",
    requires: { job: JOBS.jaeger },
    valueUnit: "count",
    origin: "stack health",
    runbook: "Jaeger's OTLP receiver refuses spans (memory limiter, queue full): traces are lost. Raise its memory (with the memory store, or lower maxTraces); with badger, check its volume's free space; check its log.",
    build: (c) => ({
      expr: `sum by (job, instance) (rate(otelcol_receiver_refused_spans_total{job="${JOBS.jaeger}"}[${W}])) > ${c.threshold}`,
      summary: () => "Jaeger refuses spans",
      description: (a) => `${a.value} spans per second are refused.`,
    }),
  },
];
