import { Duration } from "../duration";
import { AnnotationContext, ValueUnit } from "../format";
import { JobName } from "../jobs";
import { Severity, Symptom } from "../model";
import { AlertCondition, SloKey, Thresholds } from "../thresholds";

/** The exporters a rule set can be built for (their rules are dropped when disabled). */
export type ExporterKey = "node" | "cadvisor" | "postgres" | "redis" | "minio";

/**
 * What must be scraped for a rule to make sense. A rule whose requirement is not met is left out,
 * so no alert watches a metric nobody exports.
 */
export type Requirement =
  | { readonly exporter: ExporterKey }
  | { readonly job: JobName }
  | { readonly application: true }
  /** The stack runs as a cluster (several nodes, an Alertmanager cluster): see {@link ClusterTopology}. */
  | { readonly cluster: true }
  | { readonly always: true };

/**
 * The shape of a clustered stack, as the rules need it: how many Alertmanager and Prometheus replicas
 * there should be. Per-node agents carry the `node` label (NODE_LABEL).
 */
export interface ClusterTopology {
  readonly alertmanagerReplicas: number;
  readonly prometheusReplicas: number;
}

/** The rule groups, in rendering order. */
export const GROUP_NAMES = [
  "performance-alerts",
  "host-alerts",
  "database-alerts",
  "cache-alerts",
  "storage-alerts",
  "container-alerts",
  "slo-alerts",
  "stack-health",
] as const;

/** Name of a rule group. */
export type GroupName = (typeof GROUP_NAMES)[number];

/** A key of {@link Thresholds} whose entry is an {@link AlertCondition}. */
export type ConditionKey = {
  [K in keyof Thresholds]: Thresholds[K] extends AlertCondition ? K : never;
}[keyof Thresholds];

/** What a rule's builder gets: resolved thresholds and the effective condition of this alert. */
export interface BuildContext {
  readonly thresholds: Thresholds;
  /** The effective threshold value (override, else thresholds), in the condition's unit; NaN if none. */
  readonly threshold: number;
  /** The effective threshold in words (`1s`, `5%`), for annotations. */
  readonly thresholdText: string;
  readonly for: Duration;
  /** Jobs of the stack's own components that are enabled. */
  readonly stackJobs: readonly string[];
  /**
   * The application services found by discovery (DNS), by name. A service with no replica left has no
   * series at all, so ServiceDown asks for each of them by name (`absent`).
   */
  readonly discoveredServices: readonly string[];
  /** Set when the stack runs as a cluster. @default none */
  readonly cluster?: ClusterTopology;
}

/** The expression and annotations of an alert for one {@link BuildContext}. */
export interface BuiltAlert {
  readonly expr: string;
  readonly summary: (c: AnnotationContext) => string;
  readonly description: (c: AnnotationContext) => string;
}

/** An alert before options are applied. */
export interface AlertDefinition {
  readonly name: string;
  readonly group: GroupName;
  readonly severity: Severity;
  /** Where threshold and `for` come from. */
  readonly condition: ConditionKey;
  /** All must be met. */
  readonly requires: Requirement | readonly Requirement[];
  /** Unit of `$value`. */
  readonly valueUnit: ValueUnit;
  /** Extra labels. */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The symptom this alert shares with its twin of the other severity; rendered as the `SYMPTOM_LABEL`
   * label so that Alertmanager inhibits the warning while the critical twin fires. @default none
   */
  readonly symptom?: Symptom;
  /** The SLO it belongs to: left out when that SLO is disabled. @default none */
  readonly slo?: SloKey;
  /** What the alert means and what to do first: the runbook entry in docs/alert-catalog.md. */
  readonly runbook: string;
  /**
   * Where the rule came from: `guide YAML`, `guide table`, `stack health` (the monitoring stack watching
   * itself and its host), or `added` (not in the guide: warning twins, containers; see docs/guide-deviations.md).
   */
  readonly origin: "guide YAML" | "guide table" | "stack health" | "added";
  build(ctx: BuildContext): BuiltAlert;
}

/** A recording rule before options are applied. */
export interface RecordingDefinition {
  readonly record: string;
  readonly group: GroupName;
  readonly requires: Requirement;
  /** The expression, or a function of the thresholds when it depends on them (an SLO's latency bound). */
  readonly expr: string | ((thresholds: Thresholds) => string);
  /** Static labels of the recorded series. @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /** The SLO it belongs to: left out when that SLO is disabled. @default none */
  readonly slo?: SloKey;
}
