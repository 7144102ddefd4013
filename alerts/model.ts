import { Duration } from "./duration";
import { Threshold } from "./thresholds";

/**
 * How urgent an alert is. `critical` pages, `warning` goes to a ticket/chat channel, `info` is for
 * signals that are not problems (the Watchdog heartbeat).
 */
export type Severity = "critical" | "warning" | "info";

/** Every allowed {@link Severity}, for validation messages. */
export const SEVERITIES: readonly Severity[] = ["critical", "warning", "info"];

/**
 * Label shared by the warning and the critical alert of one symptom (e.g. HostFilesystemAlmostFull and
 * HostFilesystemFull). Alertmanager's inhibit rule `source: severity="critical"`, `target: severity="warning",
 * symptom=~".+"`, `equal: [symptom, instance]` then silences the warning while its critical twin fires.
 * The Alertmanager construct imports this name rather than repeating the string.
 *
 * @see https://prometheus.io/docs/alerting/latest/configuration/#inhibit_rule
 */
export const SYMPTOM_LABEL = "symptom";

/**
 * The symptoms that have a warning and a critical alert, as values of {@link SYMPTOM_LABEL}. The twins of
 * one symptom return the same label set, so `equal` matches them one to one.
 */
export const SYMPTOMS = {
  /** ElevatedErrorRate (warning) and HighErrorRate (critical): share of a job's requests answered 5xx. */
  httpErrorRatio: "http-error-ratio",
  /** HostFilesystemAlmostFull (warning) and HostFilesystemFull (critical): free space of a filesystem. */
  filesystemSpace: "filesystem-space",
  /** HighCapacityUsage (warning) and LowAvailableMemory (critical): memory of a host. */
  hostMemory: "host-memory",
  /** HealthCheckFailing (warning, some replicas) and ServiceUnhealthy (critical, every replica): a service's health probes fail. */
  serviceHealth: "service-health",
  /**
   * HighMessageLatency and HighNetworkLatency: the guide measures both with the message delivery p95, so
   * one slow delivery would notify twice. Same severity: {@link SYMPTOM_ROLE_LABEL} says which one speaks.
   */
  messageDeliveryLatency: "message-delivery-latency",
} as const;

/**
 * For two alerts of one symptom with the same severity: `primary` inhibits `secondary` (Alertmanager
 * cannot compare `for` durations, so the rule library says which of the two notifies).
 */
export const SYMPTOM_ROLE_LABEL = "symptom_role";

/**
 * The labels that identify the object an alert is about; an inhibiting alert must agree on all of them
 * (a label both lack counts as equal), so HostFilesystemFull on /var/lib/docker never silences
 * HostFilesystemAlmostFull on /, and HighErrorRate of one service never that of another.
 */
export const OBJECT_LABELS = ["job", "service", "instance", "datname", "device", "mountpoint"] as const;

/**
 * Label of the alerts that mean something is out, not slow: `service` (ServiceDown: one application
 * service has no replica up) or `application` (ApplicationDown). Alertmanager silences the symptom alerts
 * of a service that is out (its probes, errors, latency, replicas), and ServiceDown while the whole
 * application is out, so one outage pages once.
 */
export const OUTAGE_LABEL = "outage";

/** Values of {@link OUTAGE_LABEL}. */
export const OUTAGES = { application: "application", service: "service", node: "node" } as const;

/** A value of {@link SYMPTOM_LABEL}. */
export type Symptom = (typeof SYMPTOMS)[keyof typeof SYMPTOMS];

/**
 * One alerting rule, ready to be rendered into a Prometheus rule file.
 *
 * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
 */
export interface AlertRule {
  /** PascalCase alert name (`alertname` label). */
  readonly name: string;
  /** PromQL; the alert fires for every series it returns. */
  readonly expr: string;
  /** How long the expression must return a series before the alert fires. */
  readonly for: Duration;
  readonly severity: Severity;
  /** One line, may use `{{ $labels.x }}`. */
  readonly summary: string;
  /** Longer text with the formatted `$value` and the threshold. */
  readonly description: string;
  readonly runbookUrl: string;
  /** Extra labels besides `severity`. @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /** The number the expression compares against, with its unit; absent for alerts without one. */
  readonly threshold?: Threshold;
}

/**
 * A recording rule; named `level:metric:operation` (e.g. `job:messenger_http_requests:error_ratio_rate5m`).
 *
 * @see https://prometheus.io/docs/practices/rules/#naming-and-aggregation
 */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  /** @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A rule group. Rules of a group run in order, so recording rules come before the alerts using them. */
export interface RuleGroup {
  readonly name: string;
  /** @default the global `evaluation_interval` of Prometheus */
  readonly interval?: Duration;
  readonly rules: ReadonlyArray<AlertRule | RecordingRule>;
}

/** True for an alerting rule, false for a recording rule. */
export function isAlertRule(rule: AlertRule | RecordingRule): rule is AlertRule {
  return (rule as AlertRule).name !== undefined && (rule as RecordingRule).record === undefined;
}
