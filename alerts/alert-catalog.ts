import { Duration } from "./duration";
import { JOBS } from "./jobs";
import { formatThreshold } from "./format";
import { buildRuleGroups, resolveAlerts, RuleSetOptions } from "./rule-set";
import { isAlertRule } from "./model";

/** Options of {@link alertCatalogMarkdown}. */
export interface AlertCatalogOptions extends RuleSetOptions {
  /** Alertmanager's `group_wait`, part of the detection-latency budget. @default 30s */
  readonly groupWait?: Duration;
}

/**
 * The options docs/alert-catalog.md is generated with: every exporter and component enabled, a 15s
 * scrape and evaluation interval, Alertmanager's default 30s `group_wait`.
 */
export const DEFAULT_CATALOG_OPTIONS: AlertCatalogOptions = {
  scrapeInterval: Duration.parse("15s"),
  evaluationInterval: Duration.parse("15s"),
  exporters: { node: true, cadvisor: true, postgres: true, redis: true, minio: true },
  stackJobs: Object.values(JOBS).filter((job) => job !== JOBS.application),
  groupWait: Duration.parse("30s"),
  // The cluster alerts too (swarm runtime: 3 Alertmanagers, an HA Prometheus pair).
  cluster: { alertmanagerReplicas: 3, prometheusReplicas: 2 },
};

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/**
 * Markdown listing every alert (severity, expression, threshold, `for`, detection-latency budget,
 * runbook) and every recording rule. The detection-latency budget is the worst case from a condition
 * becoming true to the first notification: scrape interval + evaluation interval + `for` +
 * Alertmanager `group_wait` (rate windows add their own smoothing on top).
 */
export function alertCatalogMarkdown(options: AlertCatalogOptions = DEFAULT_CATALOG_OPTIONS): string {
  const groupWait = options.groupWait ?? Duration.parse("30s");
  const alerts = resolveAlerts(options);
  const groups = buildRuleGroups(options);
  const fixed = options.scrapeInterval.plus(options.evaluationInterval).plus(groupWait);
  const lines: string[] = [];
  lines.push("# Alert catalog");
  lines.push("");
  lines.push("<!-- Generated from alerts/ by `npx ts-node alerts/write-catalog.ts`. Do not edit by hand: a test fails when it is out of date. -->");
  lines.push("");
  lines.push(
    `Every alert the stack ships, with the default thresholds of \`alerts/thresholds.ts\`. Assumed: scrape interval ` +
      `${options.scrapeInterval}, evaluation interval ${options.evaluationInterval}, Alertmanager \`group_wait\` ${groupWait}. ` +
      "The detection-latency budget is scrape interval + evaluation interval + `for` + `group_wait`: the longest " +
      "time from a condition becoming true to the first notification (a `rate()` window smooths the signal on top of that).",
  );
  lines.push("");
  lines.push(
    "Ratios are 0..1 (annotations print them with `humanizePercentage`). Disable or tune any alert from the stack " +
      "config with `overrides: { <AlertName>: { enabled, threshold, for, severity } }`; thresholds are given in the unit shown.",
  );
  lines.push("");
  lines.push("| Alert | Severity | Group | Threshold | For | Detection budget | Origin |");
  lines.push("|---|---|---|---|---|---|---|");
  for (const a of alerts) {
    const r = a.rule;
    const threshold = r.threshold ? `${formatThreshold(r.threshold)} (${r.threshold.value} ${r.threshold.unit})` : "–";
    lines.push(
      `| [${r.name}](#${r.name.toLowerCase()}) | ${r.severity} | ${a.group} | ${cell(threshold)} | ${r.for} | ${fixed.plus(r.for)} | ${a.definition.origin} |`,
    );
  }
  lines.push("");
  lines.push("## Recording rules");
  lines.push("");
  lines.push("Shared by alerts and dashboards, named `level:metric:operation`.");
  lines.push("");
  lines.push("| Record | Group | Expression |");
  lines.push("|---|---|---|");
  for (const group of groups) {
    for (const rule of group.rules) {
      if (!isAlertRule(rule)) {
        lines.push(`| \`${rule.record}\` | ${group.name} | \`${cell(rule.expr)}\` |`);
      }
    }
  }
  lines.push("");
  lines.push("## Alerts");
  for (const a of alerts) {
    const r = a.rule;
    lines.push("");
    lines.push(`### ${r.name}`);
    lines.push("");
    lines.push(`- Severity: \`${r.severity}\`${r.labels ? `; labels: ${Object.entries(r.labels).map(([k, v]) => `\`${k}="${v}"\``).join(", ")}` : ""}`);
    lines.push(`- Group: \`${a.group}\` (origin: ${a.definition.origin})`);
    lines.push(`- Threshold: ${r.threshold ? `${formatThreshold(r.threshold)} (\`threshold: ${r.threshold.value}\`, unit ${r.threshold.unit})` : "none"}`);
    lines.push(`- For: ${r.for}; detection budget ${options.scrapeInterval} + ${options.evaluationInterval} + ${r.for} + ${groupWait} = ${fixed.plus(r.for)}`);
    lines.push(`- Summary: ${r.summary}`);
    lines.push(`- Description: ${r.description}`);
    lines.push("");
    lines.push("```promql");
    lines.push(r.expr);
    lines.push("```");
    lines.push("");
    lines.push(`Runbook: ${a.definition.runbook}`);
  }
  lines.push("");
  return lines.join("\n");
}
