import { Duration } from "./duration";

/**
 * The unit a threshold is expressed in. Ratios are always 0..1 (never percent), so that the alert,
 * the dashboard panel (unit `percentunit`) and the annotation (`humanizePercentage`) agree.
 */
export type ThresholdUnit =
  | "seconds"
  | "ratio"
  | "percent"
  | "bytes"
  | "bytesPerSecond"
  | "errorsPerSecond"
  | "count"
  | "factor";

/** Key of a service level objective (alerts/rules/slo.ts). */
export type SloKey = "httpAvailability" | "httpLatency" | "messageDelivery";

/** One SLO's target: the share of good events over a window, and for latency SLOs the bound. */
export interface SloObjective {
  /** `false` drops its recording rules and alerts. @default true */
  readonly enabled: boolean;
  /** Share of good events, e.g. 0.999; its error budget is 1 - objective. */
  readonly objective: number;
  /** The compliance window the burn rates are relative to (the SRE workbook's factors assume 30d). */
  readonly window: Duration;
  /** Latency SLOs: an event is good when faster than this many seconds (a histogram bucket bound). */
  readonly latencyThreshold?: number;
}

/** A threshold value with its unit, e.g. `{ value: 1, unit: "seconds" }`. */
export interface Threshold {
  readonly value: number;
  readonly unit: ThresholdUnit;
}

/**
 * What an alert compares against and how long the condition must hold.
 * `threshold` is absent for alerts that have no number to tune (target down, Watchdog).
 */
export interface AlertCondition {
  readonly threshold?: Threshold;
  readonly for: Duration;
}

/** Shorthand for a condition with a threshold. */
function cond(value: number, unit: ThresholdUnit, forText: string): Required<AlertCondition> {
  return { threshold: { value, unit }, for: Duration.parse(forText) };
}

/**
 * Every threshold, window and `for` of the rule set, in one place (the node-mixin `_config` idea).
 * Alerts and dashboard panels both read from here; change a value once and both follow.
 *
 * Latency thresholds on the messenger histograms lie on a bucket boundary of the default buckets
 * (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5), otherwise `histogram_quantile` cannot tell
 * "just above" from "just below".
 */
export interface Thresholds {
  /** HighMessageLatency: the guide's YAML, p95 message delivery above 1s for 10m (its table says 5m; the YAML stands). */
  readonly messageDeliveryLatency: Required<AlertCondition>;
  /** HighNetworkLatency: the guide measures network latency with the same delivery p95, above 1s but held for 15m. */
  readonly networkLatency: Required<AlertCondition>;
  /** HighWebSocketLatency: guide YAML, p95 WebSocket latency above 0.5s for 15m. */
  readonly websocketLatency: Required<AlertCondition>;
  /** HighHTTPLatency: guide table, HTTP API p95 above 500ms for 10m (target is < 200ms). */
  readonly httpLatency: Required<AlertCondition>;
  /** HighErrorRate: guide YAML, more than 5% of a job's requests answered 5xx for 10m (critical). */
  readonly httpErrorRatio: Required<AlertCondition>;
  /**
   * ElevatedErrorRate: more than 1% of a job's requests answered 5xx for 10m (warning). Users already see
   * failures well before the guide's 5% page; this opens a ticket early, and is inhibited while
   * HighErrorRate fires. The same `for` as HighErrorRate, so the warning never arrives after the page.
   */
  readonly httpErrorRatioWarning: Required<AlertCondition>;
  /**
   * LowWebSocketAvailability: the guide's "< 90% for 15m" as uptime: under 90% of the WebSocket upgrade
   * probes succeeded over the availability window (15m), for 5m so one slow probe does not page.
   */
  readonly websocketAvailability: Required<AlertCondition>;
  /** The window the WebSocket availability (share of successful upgrade probes) is measured over. */
  readonly websocketAvailabilityWindow: Duration;
  /** HighDatabaseLatency: guide YAML, a transaction open longer than 0.5s for 15m (critical). */
  readonly databaseTransactionDuration: Required<AlertCondition>;
  /** HighDatabaseQueryTime: guide table, mean statement time above 50ms for 15m (target < 10ms); needs pg_stat_statements. */
  readonly databaseQueryTime: Required<AlertCondition>;
  /** HighCPUUsage: guide YAML, CPU busy above 80% for 15m (its table says 85%; the YAML stands). */
  readonly cpuUtilisation: Required<AlertCondition>;
  /** HighCapacityUsage: guide YAML, memory used above 75% for 1h: time to plan capacity, not to page. */
  readonly memoryUtilisation: Required<AlertCondition>;
  /** LowAvailableMemory: guide table, less than 10% memory available for 10m: the OOM killer is near. */
  readonly memoryAvailable: Required<AlertCondition>;
  /** NetworkErrors: guide YAML, more than 0.1 receive errors per second on an interface for 5m. */
  readonly networkReceiveErrors: Required<AlertCondition>;
  /** HighNetworkReceive: guide table, receive rate above 2x its baseline for 5m. */
  readonly networkReceiveBaseline: Required<AlertCondition>;
  /** Baseline of HighNetworkReceive: the average receive rate over the past day. */
  readonly networkReceiveBaselineWindow: Duration;
  /** HighNetworkReceive stays quiet below this rate, so that an idle host doubling 2 KB/s to 4 KB/s does not page. */
  readonly networkReceiveFloor: Threshold;
  /** LowCacheHitRatio: guide YAML, Redis hit ratio below 70% for 30m. */
  readonly cacheHitRatio: Required<AlertCondition>;
  /**
   * HighCacheMemory: guide YAML, Redis memory above 85% of `maxmemory` for 15m. Without a maxmemory
   * (`maxmemory 0`, Redis' default) the share of the machine's memory Redis reports
   * (`total_system_memory`): an unbounded Redis is the riskier one (docs/guide-deviations.md).
   */
  readonly cacheMemoryUtilisation: Required<AlertCondition>;
  /** HighCacheLatency: guide table, mean Redis command time above 20ms for 10m (target < 5ms). */
  readonly cacheCommandLatency: Required<AlertCondition>;
  /** StorageGrowth: guide YAML, media storage projected to pass 90% of capacity within the horizon, for 1h. */
  readonly storageProjectedUtilisation: Required<AlertCondition>;
  /** StorageGrowth: history used for the linear projection (guide: 7d). */
  readonly storageGrowthWindow: Duration;
  /** StorageGrowth: how far ahead the projection looks (guide: 30 days). */
  readonly storageGrowthHorizon: Duration;
  /** Watchdog: always firing, no threshold; `for` is 0 so the heartbeat starts with Prometheus. */
  readonly watchdog: AlertCondition;
  /** TargetDown: a scrape target unreachable for 5m; shorter blips are restarts and deploys. */
  readonly targetDown: AlertCondition;
  /** AlertmanagerDown, LokiDown, AlloyDown, JaegerDown: a stack component unreachable for 5m. */
  readonly componentDown: AlertCondition;
  /**
   * PostgresDown, RedisDown: the exporter runs but cannot reach its database for 1m. Every request that
   * needs it fails meanwhile, and the exporter's own `up` stays 1, so TargetDown never sees it.
   */
  readonly dependencyDown: AlertCondition;
  /** ApplicationDown: no application target up (or none configured) for 2m: the whole service is out. */
  readonly applicationDown: AlertCondition;
  /**
   * ServiceDown: no replica of one application service up, or none discovered, for 1m (critical). Every
   * request to that service fails meanwhile, and its symptom alerts have no data to fire on.
   */
  readonly serviceDown: AlertCondition;
  /**
   * ServiceReplicaDown: fewer replicas of a service up than at any time in `replicaLossWindow`, with at
   * least one left, for 1m (warning). A restart that is back within the minute stays silent.
   */
  readonly serviceReplicaDown: AlertCondition;
  /**
   * How far back ServiceReplicaDown looks for the number of replicas a service runs. A replica that stops
   * leaves the DNS answer and its series go stale, so the recent past is the expectation; a deliberate
   * scale-down therefore warns until this window has passed.
   */
  readonly replicaLossWindow: Duration;
  /**
   * HealthCheckFailing (warning: the health probe of some replica of a service fails) and ServiceUnhealthy
   * (critical: that of every replica), for 2m: two failed probes in a row at the default 15s interval are
   * not a blip.
   */
  readonly serviceHealth: AlertCondition;
  /** NodeDown: every agent target of a cluster node down for 1m (critical): the node is lost or cut off. */
  readonly nodeDown: AlertCondition;
  /**
   * AlertmanagerClusterMembersMissing / AlertmanagerClusterFailedPeers: a replica sees fewer members than
   * the cluster has, or peers it cannot reach, for 5m (warning): silences and deduplication are at risk.
   */
  readonly alertmanagerCluster: AlertCondition;
  /** PrometheusReplicaDown: fewer replicas of the HA pair up than configured, for 2m (warning). */
  readonly prometheusReplicaDown: AlertCondition;
  /**
   * The SLOs: HTTP availability 99.9% (non-5xx over all requests), HTTP latency 95% within 200 ms (the
   * guide's target), message delivery 95% within 500 ms, each over 30 days.
   */
  readonly slos: Readonly<Record<SloKey, SloObjective>>;
  /** OfflineMessageQueueGrowing: the offline queue grew by more than 1000 messages in an hour, for 30m. */
  readonly offlineQueueGrowth: Required<AlertCondition>;
  /** HostInodesAlmostExhausted: under 5% of a filesystem's inodes free for 1h (node-mixin). */
  readonly filesystemInodesAvailable: Required<AlertCondition>;
  /** HostClockSkew: the clock more than 50ms off its source for 10m (node-mixin). */
  readonly clockOffset: Required<AlertCondition>;
  /** HostClockNotSynchronising: the kernel reports the clock unsynchronised for 10m (node-mixin). */
  readonly clockUnsynchronised: AlertCondition;
  /** HostConntrackTableFull: over 75% of the conntrack table used for 5m (node-mixin). */
  readonly conntrackUtilisation: Required<AlertCondition>;
  /** HostFileDescriptorsExhausted: over 80% of the kernel's file descriptors allocated for 15m. */
  readonly fileDescriptorUtilisation: Required<AlertCondition>;
  /** HostOOMKill: any OOM kill in 5m, at once. */
  readonly oomKills: Required<AlertCondition>;
  /** PostgresConnectionsNearLimit: over 80% of max_connections in use for 5m. */
  readonly databaseConnectionUtilisation: Required<AlertCondition>;
  /** PostgresDeadlocks: deadlocks in every 5m window for 5m. */
  readonly databaseDeadlocks: Required<AlertCondition>;
  /** RedisRejectedConnections: any connection rejected (maxclients) in 5m, at once. */
  readonly cacheRejectedConnections: Required<AlertCondition>;
  /** RedisEvictingKeys: keys evicted in every 5m window for 15m. */
  readonly cacheEvictions: Required<AlertCondition>;
  /** PrometheusWALCorruptions: any WAL corruption, at once. */
  readonly walCorruptions: Required<AlertCondition>;
  /** PrometheusMissedRuleEvaluations: rule group iterations skipped for 15m. */
  readonly missedRuleEvaluations: Required<AlertCondition>;
  /** PrometheusNotificationsDropped: any alert dropped before Alertmanager, at once. */
  readonly notificationsDropped: Required<AlertCondition>;
  /** PrometheusNotificationQueueFull: the notification queue over 90% full for 15m. */
  readonly notificationQueueUtilisation: Required<AlertCondition>;
  /** PrometheusNotIngestingSamples: no sample appended for 10m. */
  readonly samplesIngested: Required<AlertCondition>;
  /** PrometheusRemoteWriteReceiverErrors: remote-write requests failing for 15m. */
  readonly remoteWriteErrors: Required<AlertCondition>;
  /** AlloyDroppingLogs: log entries dropped for 5m. */
  readonly logsDropped: Required<AlertCondition>;
  /** LokiPushFailures: pushes failing with 5xx for 5m. */
  readonly logPushFailures: Required<AlertCondition>;
  /** JaegerRefusingSpans: spans refused for 5m. */
  readonly spansRefused: Required<AlertCondition>;
  /** Page: the budget burns 14.4x too fast over 1h and 5m (2% of a 30-day budget in an hour), for 2m. */
  readonly sloBurnRate1h: Required<AlertCondition>;
  /** Page: 6x over 6h and 30m (5% of the budget in 6 hours), for 15m. */
  readonly sloBurnRate6h: Required<AlertCondition>;
  /** Ticket: 3x over 1d and 2h (10% of the budget in a day), for 1h. */
  readonly sloBurnRate1d: Required<AlertCondition>;
  /** Ticket: 1x over 3d and 6h (on course to spend exactly the budget), for 3h. */
  readonly sloBurnRate3d: Required<AlertCondition>;
  /** PrometheusRuleEvaluationFailures: any failed rule evaluation for 15m; a failing rule is a silent alert. */
  readonly ruleEvaluationFailures: Required<AlertCondition>;
  /** PrometheusNotificationsFailing: more than 1% of alerts failing to reach Alertmanager for 15m. */
  readonly prometheusNotificationErrorRatio: Required<AlertCondition>;
  /** PrometheusAlertmanagerNotConnected: Prometheus knows fewer than 1 Alertmanager for 10m. */
  readonly alertmanagersDiscovered: Required<AlertCondition>;
  /** AlertmanagerNotificationsFailing: more than 1% of notifications to a receiver integration failing for 10m. */
  readonly alertmanagerNotificationFailureRatio: Required<AlertCondition>;
  /** PrometheusConfigReloadFailed / AlertmanagerConfigReloadFailed: the running config is stale for 10m. */
  readonly configReloadFailure: AlertCondition;
  /** HostFilesystemFillingUp: a filesystem predicted to be full within 24h (seconds), held for 1h. */
  readonly filesystemTimeUntilFull: Required<AlertCondition>;
  /** HostFilesystemFillingUp: history used for the projection; 6h smooths out log rotation and compaction. */
  readonly filesystemPredictionWindow: Duration;
  /** HostFilesystemAlmostFull: less than 10% space left for 15m (warning); Prometheus TSDB and Loki stop writing soon. */
  readonly filesystemAvailable: Required<AlertCondition>;
  /**
   * HostFilesystemFull: less than 5% space left for 5m (critical). At that level an ordinary burst of writes
   * (a TSDB compaction needs room for a copy of a block) fails within minutes, so `for` is short.
   */
  readonly filesystemAvailableCritical: Required<AlertCondition>;
  /**
   * ContainerRestarting: more than 2 restarts of one container within `containerRestartWindow`, held as long
   * as that window. A burst of restarts at boot (a service up before its database) drops out of the window
   * just before `for` elapses; a crash loop keeps the count up, since Docker's restart back-off doubles from
   * 100ms to at most 1m (a looping container restarts 10+ times in 15m).
   */
  readonly containerRestarts: Required<AlertCondition>;
  /** Lookback of ContainerRestarting's restart count; 15m holds many restarts at Docker's longest back-off. */
  readonly containerRestartWindow: Duration;
  /**
   * ContainerMemoryNearLimit: working set above 90% of the container's memory limit for 5m. The working set
   * (usage minus inactive file cache, which the kernel reclaims first) is what it cannot easily drop; at the limit the OOM killer ends the
   * container. Containers without a limit have none to approach and are left out.
   */
  readonly containerMemoryLimitUtilisation: Required<AlertCondition>;
  /** PrometheusTSDBCompactionsFailing / PrometheusTSDBReloadsFailing: any failure in 3h, held for 15m. */
  readonly tsdbFailures: Required<AlertCondition>;
  /** Lookback of the TSDB failure counters; compactions run every 2h, so 3h always sees one. */
  readonly tsdbFailureWindow: Duration;
}

/** The defaults: the guide's values where it gives them, upstream mixins' values otherwise. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  messageDeliveryLatency: cond(1, "seconds", "10m"),
  networkLatency: cond(1, "seconds", "15m"),
  websocketLatency: cond(0.5, "seconds", "15m"),
  httpLatency: cond(0.5, "seconds", "10m"),
  httpErrorRatio: cond(0.05, "ratio", "10m"),
  httpErrorRatioWarning: cond(0.01, "ratio", "10m"),
  websocketAvailability: cond(0.9, "ratio", "5m"),
  websocketAvailabilityWindow: Duration.parse("15m"),
  databaseTransactionDuration: cond(0.5, "seconds", "15m"),
  databaseQueryTime: cond(0.05, "seconds", "15m"),
  cpuUtilisation: cond(0.8, "ratio", "15m"),
  memoryUtilisation: cond(0.75, "ratio", "1h"),
  memoryAvailable: cond(0.1, "ratio", "10m"),
  networkReceiveErrors: cond(0.1, "errorsPerSecond", "5m"),
  networkReceiveBaseline: cond(2, "factor", "5m"),
  networkReceiveBaselineWindow: Duration.parse("1d"),
  networkReceiveFloor: { value: 1024 * 1024, unit: "bytesPerSecond" },
  cacheHitRatio: cond(0.7, "ratio", "30m"),
  cacheMemoryUtilisation: cond(0.85, "ratio", "15m"),
  cacheCommandLatency: cond(0.02, "seconds", "10m"),
  storageProjectedUtilisation: cond(0.9, "ratio", "1h"),
  storageGrowthWindow: Duration.parse("7d"),
  storageGrowthHorizon: Duration.parse("30d"),
  watchdog: { for: Duration.parse("0s") },
  targetDown: { for: Duration.parse("5m") },
  componentDown: { for: Duration.parse("5m") },
  dependencyDown: { for: Duration.parse("1m") },
  slos: {
    httpAvailability: { enabled: true, objective: 0.999, window: Duration.parse("30d") },
    httpLatency: { enabled: true, objective: 0.95, window: Duration.parse("30d"), latencyThreshold: 0.2 },
    messageDelivery: { enabled: true, objective: 0.95, window: Duration.parse("30d"), latencyThreshold: 0.5 },
  },
  offlineQueueGrowth: cond(1000, "count", "30m"),
  filesystemInodesAvailable: cond(0.05, "ratio", "1h"),
  clockOffset: cond(0.05, "seconds", "10m"),
  clockUnsynchronised: { for: Duration.parse("10m") },
  conntrackUtilisation: cond(0.75, "ratio", "5m"),
  fileDescriptorUtilisation: cond(0.8, "ratio", "15m"),
  oomKills: cond(0, "count", "0s"),
  databaseConnectionUtilisation: cond(0.8, "ratio", "5m"),
  databaseDeadlocks: cond(0, "count", "5m"),
  cacheRejectedConnections: cond(0, "count", "0s"),
  cacheEvictions: cond(0, "count", "15m"),
  walCorruptions: cond(0, "count", "0s"),
  missedRuleEvaluations: cond(0, "count", "15m"),
  notificationsDropped: cond(0, "count", "0s"),
  notificationQueueUtilisation: cond(0.9, "ratio", "15m"),
  samplesIngested: cond(0, "count", "10m"),
  remoteWriteErrors: cond(0, "count", "15m"),
  logsDropped: cond(0, "count", "5m"),
  logPushFailures: cond(0, "count", "5m"),
  spansRefused: cond(0, "count", "5m"),
  sloBurnRate1h: cond(14.4, "factor", "2m"),
  sloBurnRate6h: cond(6, "factor", "15m"),
  sloBurnRate1d: cond(3, "factor", "1h"),
  sloBurnRate3d: cond(1, "factor", "3h"),
  applicationDown: { for: Duration.parse("2m") },
  serviceDown: { for: Duration.parse("1m") },
  serviceReplicaDown: { for: Duration.parse("1m") },
  replicaLossWindow: Duration.parse("15m"),
  serviceHealth: { for: Duration.parse("2m") },
  nodeDown: { for: Duration.parse("1m") },
  alertmanagerCluster: { for: Duration.parse("5m") },
  prometheusReplicaDown: { for: Duration.parse("2m") },
  ruleEvaluationFailures: cond(0, "count", "15m"),
  prometheusNotificationErrorRatio: cond(0.01, "ratio", "15m"),
  alertmanagersDiscovered: cond(1, "count", "10m"),
  alertmanagerNotificationFailureRatio: cond(0.01, "ratio", "10m"),
  configReloadFailure: { for: Duration.parse("10m") },
  filesystemTimeUntilFull: cond(24 * 3600, "seconds", "1h"),
  filesystemPredictionWindow: Duration.parse("6h"),
  filesystemAvailable: cond(0.1, "ratio", "15m"),
  filesystemAvailableCritical: cond(0.05, "ratio", "5m"),
  containerRestarts: cond(2, "count", "15m"),
  containerRestartWindow: Duration.parse("15m"),
  containerMemoryLimitUtilisation: cond(0.9, "ratio", "5m"),
  tsdbFailures: cond(0, "count", "15m"),
  tsdbFailureWindow: Duration.parse("3h"),
};

/** Defaults with the given top-level entries replaced. */
export function resolveThresholds(overrides: Partial<Thresholds> = {}): Thresholds {
  return { ...DEFAULT_THRESHOLDS, ...overrides };
}
