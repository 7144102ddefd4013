import { Duration } from "./duration";
import { formatThreshold, templateContext } from "./format";
import { AlertRule, RecordingRule, RuleGroup, Severity, SEVERITIES, SYMPTOM_LABEL } from "./model";
import { assertValidPromQL } from "./promql";
import { suggest } from "./catalog/check";
import { GUIDE_APPLICATION_SERVICES } from "./jobs";
import { ALERT_DEFINITIONS, AlertDefinition, BuildContext, ClusterTopology, ConditionKey, ExporterKey, GROUP_NAMES, RECORDING_RULES, Requirement } from "./rules";
import { AlertCondition, resolveThresholds, Thresholds } from "./thresholds";

/** Per-alert changes from the stack config, without copying the rule set. */
export interface AlertOverride {
  /** `false` drops the alert. @default true */
  readonly enabled?: boolean;
  /** New threshold, in the unit of the alert's threshold (see docs/alert-catalog.md). @default from thresholds */
  readonly threshold?: number;
  /** New `for`, e.g. `"10m"`. @default from thresholds */
  readonly for?: string | Duration;
  /** @default the alert's own severity */
  readonly severity?: Severity;
}

/** Options of {@link buildRuleGroups}. */
export interface RuleSetOptions {
  /** Prometheus' scrape interval; used for the detection-latency budget. */
  readonly scrapeInterval: Duration;
  /** Prometheus' rule evaluation interval; used for the detection-latency budget. */
  readonly evaluationInterval: Duration;
  /** Which exporters the stack scrapes; rules on a disabled exporter's metrics are left out. */
  readonly exporters: Readonly<Record<ExporterKey, boolean>>;
  /** Jobs of the stack's own components that are enabled (values of `JOBS`). */
  readonly stackJobs: readonly string[];
  /** Whether the messenger application (`JOBS.application`) is scraped. @default true */
  readonly application?: boolean;
  /**
   * The application services Prometheus discovers by DNS (every replica a target), by name: ServiceDown
   * pages for each one that has no replica left. Services scraped at static addresses need no entry (their
   * targets stay listed, `up` 0). @default the guide's four services (GUIDE_APPLICATION_SERVICES)
   */
  readonly discoveredServices?: readonly string[];
  /** The cluster the stack runs as; its alerts (NodeDown, the Alertmanager cluster, the HA pair) need it. @default none (one host) */
  readonly cluster?: ClusterTopology;
  /** Replaces entries of `DEFAULT_THRESHOLDS`. @default none */
  readonly thresholds?: Partial<Thresholds>;
  /** Per-alert overrides keyed by alert name. @default none */
  readonly overrides?: Readonly<Record<string, AlertOverride>>;
  /** Base of the `runbook_url` annotation; the alert name, lower-cased, is appended as an anchor. @default "docs/alert-catalog.md" */
  readonly runbookBaseUrl?: string;
  /** The `runbook_url` of an alert, when links are not `<base>#<anchor>` (Grafana's runbook dashboard). Wins over runbookBaseUrl. @default none */
  readonly runbookLink?: (alertName: string) => string;
}

/** Default of {@link RuleSetOptions.runbookBaseUrl}: the committed catalog, relative to the repository. */
export const DEFAULT_RUNBOOK_BASE_URL = "docs/alert-catalog.md";

/** Every alert name, in catalog order. */
export const ALERT_NAMES: readonly string[] = ALERT_DEFINITIONS.map((d) => d.name);

const OVERRIDE_FIELDS = ["enabled", "threshold", "for", "severity"];

/** The runbook link of an alert: `<base>#<alertname lower-cased>`, which is the catalog's heading anchor. */
export function runbookUrl(name: string, base = DEFAULT_RUNBOOK_BASE_URL): string {
  return `${base}#${name.toLowerCase()}`;
}

function requirementMet(req: Requirement | readonly Requirement[], options: RuleSetOptions): boolean {
  const all: readonly Requirement[] = Array.isArray(req) ? req : [req as Requirement];
  return all.every((r) => {
    if ("exporter" in r) {
      return options.exporters[r.exporter] === true;
    }
    if ("job" in r) {
      return options.stackJobs.includes(r.job);
    }
    if ("application" in r) {
      return options.application !== false;
    }
    if ("cluster" in r) {
      return options.cluster !== undefined;
    }
    return true;
  });
}

/** Where overrides sit in the stack config: every message names the field as the user wrote it. */
const OVERRIDES_FIELD = "rules.overrides";

/**
 * Checks every override and throws one error listing every problem (one per line, each naming
 * `rules.overrides.<alert>`), so that three bad entries are three problems in one synth.
 */
function validateOverrides(overrides: Readonly<Record<string, AlertOverride>>, thresholds: Thresholds): void {
  const problems: string[] = [];
  for (const [name, override] of Object.entries(overrides)) {
    const field = `${OVERRIDES_FIELD}.${name}`;
    const def = ALERT_DEFINITIONS.find((d) => d.name === name);
    if (!def) {
      const hint = suggest(name, ALERT_NAMES);
      problems.push(
        hint
          ? `${field}: unknown alert "${name}"${hint} (every alert is listed in docs/alert-catalog.md)`
          : `${field}: unknown alert "${name}"; valid alert names are: ${ALERT_NAMES.join(", ")}`,
      );
      continue;
    }
    if (override === null || typeof override !== "object") {
      problems.push(`${field}: ${JSON.stringify(override)} is not an object; give { enabled?, threshold?, for?, severity? }`);
      continue;
    }
    for (const key of Object.keys(override)) {
      if (!OVERRIDE_FIELDS.includes(key)) {
        problems.push(`${field}: unknown field "${key}"; allowed fields are: ${OVERRIDE_FIELDS.join(", ")}`);
      }
    }
    if (override.enabled !== undefined && typeof override.enabled !== "boolean") {
      problems.push(`${field}.enabled: ${JSON.stringify(override.enabled)} is not a boolean; use true or false`);
    }
    if (override.severity !== undefined && !SEVERITIES.includes(override.severity)) {
      problems.push(`${field}.severity: "${String(override.severity)}" is not a severity; allowed values are: ${SEVERITIES.join(", ")}`);
    }
    if (override.for !== undefined && !(override.for instanceof Duration)) {
      try {
        Duration.parse(String(override.for), `${field}.for`);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    if (override.threshold !== undefined) {
      const threshold = thresholds[def.condition].threshold;
      if (!threshold) {
        problems.push(`${field}.threshold: ${name} has no threshold to override; only enabled, for and severity apply`);
      } else if (typeof override.threshold !== "number" || !Number.isFinite(override.threshold)) {
        problems.push(`${field}.threshold: ${JSON.stringify(override.threshold)} is not a finite number (unit: ${threshold.unit})`);
      } else if (threshold.unit === "ratio" && (override.threshold < 0 || override.threshold > 1)) {
        problems.push(`${field}.threshold: ${override.threshold} is not a ratio; use a value between 0 and 1 (e.g. 0.05 for 5%)`);
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(problems.join("\n"));
  }
}

function validateOptions(options: RuleSetOptions): void {
  const valid = ["node", "cadvisor", "postgres", "redis", "minio"];
  for (const key of Object.keys(options.exporters)) {
    if (!valid.includes(key)) {
      throw new Error(`exporters: unknown exporter "${key}"; allowed exporters are: ${valid.join(", ")}`);
    }
  }
}

/** The condition one alert uses: its thresholds entry with the alert's own override applied. */
function effectiveCondition(def: AlertDefinition, thresholds: Thresholds, override: AlertOverride): AlertCondition {
  const condition = thresholds[def.condition];
  const forDuration =
    override.for === undefined
      ? condition.for
      : override.for instanceof Duration
        ? override.for
        : Duration.parse(override.for, `${OVERRIDES_FIELD}.${def.name}.for`);
  const threshold = condition.threshold
    ? { value: override.threshold ?? condition.threshold.value, unit: condition.threshold.unit }
    : undefined;
  return threshold ? { threshold, for: forDuration } : { for: forDuration };
}

function sameCondition(a: AlertCondition, b: AlertCondition): boolean {
  return a.for.compare(b.for) === 0 && a.threshold?.value === b.threshold?.value && a.threshold?.unit === b.threshold?.unit;
}

/**
 * The thresholds the rule set of `options` really uses: `DEFAULT_THRESHOLDS` with `options.thresholds`, and
 * every per-alert `overrides[name].threshold` / `for` written onto the entry that alert reads. Give this to
 * the dashboards, so that a panel draws its line where the overridden alert fires.
 *
 * An entry read by several alerts (`componentDown`, `configReloadFailure`, `tsdbFailures`) follows an
 * override only when every enabled alert reading it ends up with the same value; otherwise it keeps the
 * value that the alerts without an override still use. Disabled alerts do not count. Options are validated
 * as {@link buildRuleGroups} validates them.
 */
export function effectiveThresholds(options: RuleSetOptions): Thresholds {
  validateOptions(options);
  const thresholds = resolveThresholds(options.thresholds);
  const overrides = options.overrides ?? {};
  validateOverrides(overrides, thresholds);
  const byEntry = new Map<ConditionKey, AlertCondition[]>();
  for (const def of ALERT_DEFINITIONS) {
    const override = overrides[def.name] ?? {};
    if (override.enabled === false) {
      continue;
    }
    byEntry.set(def.condition, [...(byEntry.get(def.condition) ?? []), effectiveCondition(def, thresholds, override)]);
  }
  const effective: Record<string, unknown> = { ...thresholds };
  for (const [entry, conditions] of byEntry) {
    if (conditions.every((c) => sameCondition(c, conditions[0]))) {
      effective[entry] = conditions[0];
    }
  }
  return effective as unknown as Thresholds;
}

/** An alert with options applied, plus what the catalog needs to describe it. */
export interface ResolvedAlert {
  readonly definition: AlertDefinition;
  readonly group: string;
  readonly rule: AlertRule;
  /** What the definition was built with (tests rebuild annotations for concrete values from it). */
  readonly buildContext: BuildContext;
}

/** Applies thresholds and overrides to every enabled alert definition. */
export function resolveAlerts(options: RuleSetOptions): ResolvedAlert[] {
  validateOptions(options);
  const thresholds = resolveThresholds(options.thresholds);
  const overrides = options.overrides ?? {};
  validateOverrides(overrides, thresholds);
  const base = options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL;

  const resolved: ResolvedAlert[] = [];
  for (const def of ALERT_DEFINITIONS) {
    const override = overrides[def.name] ?? {};
    if (override.enabled === false || !requirementMet(def.requires, options) || (def.slo && !thresholds.slos[def.slo].enabled)) {
      continue;
    }
    const { for: forDuration, threshold } = effectiveCondition(def, thresholds, override);
    const buildContext: BuildContext = {
      thresholds,
      threshold: threshold?.value ?? Number.NaN,
      thresholdText: threshold ? formatThreshold(threshold) : "",
      for: forDuration,
      stackJobs: options.stackJobs,
      discoveredServices: options.discoveredServices ?? GUIDE_APPLICATION_SERVICES.map((s) => s.name),
      cluster: options.cluster,
    };
    const built = def.build(buildContext);
    const ctx = templateContext(def.valueUnit);
    resolved.push({
      definition: def,
      group: def.group,
      buildContext,
      rule: {
        name: def.name,
        expr: built.expr,
        for: forDuration,
        severity: override.severity ?? def.severity,
        summary: built.summary(ctx),
        description: built.description(ctx),
        runbookUrl: options.runbookLink ? options.runbookLink(def.name) : runbookUrl(def.name, base),
        labels: def.symptom ? { ...def.labels, [SYMPTOM_LABEL]: def.symptom } : def.labels,
        threshold,
      },
    });
  }
  return resolved;
}

/**
 * The rule groups for a stack: guide alerts, the guide table's extra alerts, stack health, and the
 * recording rules they share. Rules whose exporter or component is disabled are left out; groups left
 * empty are dropped. Every expression is parsed; a syntax error names group, rule and position.
 */
export function buildRuleGroups(options: RuleSetOptions): RuleGroup[] {
  const alerts = resolveAlerts(options);
  const groups: RuleGroup[] = [];
  const thresholds = resolveThresholds(options.thresholds);
  for (const groupName of GROUP_NAMES) {
    const recording: RecordingRule[] = RECORDING_RULES.filter(
      (r) => r.group === groupName && requirementMet(r.requires, options) && (!r.slo || thresholds.slos[r.slo].enabled),
    ).map((r) => ({
      record: r.record,
      expr: typeof r.expr === "string" ? r.expr : r.expr(thresholds),
      ...(r.labels ? { labels: { ...r.labels } } : {}),
    }));
    const groupAlerts = alerts.filter((a) => a.group === groupName).map((a) => a.rule);
    if (groupAlerts.length === 0 && recording.length === 0) {
      continue;
    }
    groups.push({ name: groupName, rules: [...recording, ...groupAlerts] });
  }
  validateRuleGroups(groups);
  return groups;
}

/** Parses every expression of the groups; throws naming group, rule and position. */
export function validateRuleGroups(groups: readonly RuleGroup[]): void {
  for (const group of groups) {
    for (const rule of group.rules) {
      const kind = "record" in rule ? `recording rule "${rule.record}"` : `alert "${(rule as AlertRule).name}"`;
      assertValidPromQL(rule.expr, `rule group "${group.name}", ${kind}`);
    }
  }
}
