import { RuleGroup, isAlertRule } from "../alerts";
import { MetricDeclaration, buildCatalog, checkProvenance, Finding } from "../alerts/catalog";
import { DashboardFile, dashboardExpressions } from "../dashboards";

/** Input of {@link stackProvenance}: everything of one stack that queries metrics, and what it scrapes. */
export interface StackProvenanceInput {
  readonly ruleGroups: readonly RuleGroup[];
  readonly dashboards: readonly DashboardFile[];
  /** Jobs Prometheus scrapes (a disabled exporter's job is absent, so its metrics are unknown). */
  readonly scrapedJobs: readonly string[];
  /** The application's declared metrics. */
  readonly application: readonly MetricDeclaration[];
  /** @default "error" */
  readonly bucketPolicy?: "error" | "warning";
  /** Labels the scrape config adds per job (static or per-target labels, e.g. the application's `service`). @default none */
  readonly extraTargetLabels?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Walks every alert, recording rule and dashboard query of a stack against the metric catalog of the
 * jobs it really scrapes: a metric that nothing exports, `rate()` on a gauge, an unknown label or a
 * latency threshold between histogram buckets is a finding.
 */
export function stackProvenance(input: StackProvenanceInput): Finding[] {
  const rules = input.ruleGroups.flatMap((g) => g.rules.map((r) => ({ group: g.name, rule: r })));
  return checkProvenance({
    catalog: buildCatalog({
      scrapedJobs: input.scrapedJobs,
      application: input.application,
      extraTargetLabels: input.extraTargetLabels,
    }),
    recordingRules: rules.flatMap(({ rule }) => (isAlertRule(rule) ? [] : [rule])),
    expressions: [
      ...rules.flatMap(({ group, rule }) => (isAlertRule(rule) ? [{ where: `alert ${rule.name} (group ${group})`, expr: rule.expr }] : [])),
      ...dashboardExpressions(input.dashboards),
    ],
    bucketPolicy: input.bucketPolicy,
  });
}
