import { Duration } from "./duration";
import { AlertRule, RecordingRule, RuleGroup, SEVERITIES, Severity } from "./model";
import { ALERT_NAMES, runbookUrl, validateRuleGroups } from "./rule-set";
import { GROUP_NAMES } from "./rules";

/** An alert the user adds beside the library's. */
export interface CustomAlert {
  /** PascalCase, unique across the library and the custom groups. */
  readonly name: string;
  /** PromQL; checked at synth for syntax and metric provenance. */
  readonly expr: string;
  /** @default 5m */
  readonly for?: Duration | string;
  readonly severity: Severity;
  readonly summary: string;
  /** @default the summary */
  readonly description?: string;
  /** @default the runbook base URL with the alert's anchor */
  readonly runbookUrl?: string;
  /** Extra labels; `severity` is set from {@link severity}. @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A recording rule the user adds; named `level:metric:operation`. */
export interface CustomRecordingRule {
  readonly record: string;
  readonly expr: string;
  /** @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A rule group of the user's own, rendered into its own rule file. */
export interface CustomRuleGroup {
  /** kebab-case, unique; also the rule file's name. */
  readonly name: string;
  /** @default Prometheus' evaluation interval */
  readonly interval?: Duration | string;
  /** Evaluated first, so the group's alerts can use them. @default none */
  readonly recordingRules?: readonly CustomRecordingRule[];
  /** @default none */
  readonly alerts?: readonly CustomAlert[];
}

const GROUP_NAME = /^[a-z][a-z0-9-]*$/;
const ALERT_NAME = /^[A-Z][A-Za-z0-9]*$/;
const RECORD_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*(:[a-zA-Z0-9_]+){2,}$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Turns the user's groups into rule groups, validating everything a reviewer would: names unique against
 * the library and each other, `level:metric:operation` recording names, severities, durations, label names
 * and PromQL syntax. Every error names the group and rule, the value and what is allowed.
 */
export function customRuleGroups(
  groups: readonly CustomRuleGroup[],
  runbookBaseUrl?: string,
  runbookLink?: (alertName: string) => string,
): RuleGroup[] {
  const errors: string[] = [];
  const groupNames = new Set<string>(GROUP_NAMES);
  const alertNames = new Set<string>(ALERT_NAMES);
  const duration = (where: string, value: Duration | string | undefined, fallback?: string): Duration | undefined => {
    if (value instanceof Duration) {
      return value;
    }
    try {
      return value === undefined ? (fallback ? Duration.parse(fallback) : undefined) : Duration.parse(value, where);
    } catch (e) {
      errors.push((e as Error).message);
      return undefined;
    }
  };
  const labels = (where: string, l: Readonly<Record<string, string>> | undefined): void => {
    for (const key of Object.keys(l ?? {})) {
      if (!LABEL_NAME.test(key) || key === "severity") {
        errors.push(`${where}.labels: "${key}" is not allowed; use a Prometheus label name (letters, digits, "_") other than "severity"`);
      }
    }
  };

  const result = groups.map((g, gi): RuleGroup => {
    const at = `rules.additionalGroups[${gi}] (${g.name})`;
    if (!GROUP_NAME.test(g.name)) {
      errors.push(`${at}.name: "${g.name}" must be kebab-case (a-z, 0-9, "-", starting with a letter)`);
    } else if (groupNames.has(g.name)) {
      errors.push(`${at}.name: "${g.name}" is already a rule group; allowed: a name other than ${[...groupNames].join(", ")}`);
    }
    groupNames.add(g.name);
    const recording: RecordingRule[] = (g.recordingRules ?? []).map((r, ri) => {
      const where = `${at}.recordingRules[${ri}]`;
      if (!RECORD_NAME.test(r.record)) {
        errors.push(`${where}.record: "${r.record}" must be named level:metric:operation, e.g. "job:my_requests:rate5m"`);
      }
      labels(where, r.labels);
      return { record: r.record, expr: r.expr, labels: r.labels };
    });
    const alerts: AlertRule[] = (g.alerts ?? []).map((a, ai) => {
      const where = `${at}.alerts[${ai}] (${a.name})`;
      if (!ALERT_NAME.test(a.name)) {
        errors.push(`${where}.name: "${a.name}" must be PascalCase (letters and digits, starting upper-case)`);
      } else if (alertNames.has(a.name)) {
        errors.push(`${where}.name: "${a.name}" already exists; change the library's alert with rules.overrides, or pick another name`);
      }
      alertNames.add(a.name);
      if (!SEVERITIES.includes(a.severity)) {
        errors.push(`${where}.severity: "${a.severity}" is not a severity; allowed: ${SEVERITIES.join(", ")}`);
      }
      if (!a.summary?.trim()) {
        errors.push(`${where}.summary: is empty; say in one line what is wrong`);
      }
      labels(where, a.labels);
      return {
        name: a.name,
        expr: a.expr,
        for: duration(`${where}.for`, a.for, "5m") ?? Duration.parse("5m"),
        severity: a.severity,
        summary: a.summary,
        description: a.description ?? a.summary,
        runbookUrl: a.runbookUrl ?? (runbookLink ? runbookLink(a.name) : runbookUrl(a.name, runbookBaseUrl)),
        labels: a.labels,
      };
    });
    if (recording.length + alerts.length === 0) {
      errors.push(`${at}: has no rules; give recordingRules or alerts`);
    }
    return { name: g.name, interval: duration(`${at}.interval`, g.interval), rules: [...recording, ...alerts] };
  });
  if (errors.length === 0) {
    try {
      validateRuleGroups(result);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length > 0) {
    throw new Error(errors.join("\n"));
  }
  return result;
}
