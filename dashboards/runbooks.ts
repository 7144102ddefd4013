import { PanelBuilder as TextPanelBuilder, TextMode } from "@grafana/grafana-foundation-sdk/text";
import { ALERT_DEFINITIONS, ALERT_NAMES, ResolvedAlert } from "../alerts";
import { assembleDashboard, type DashboardContext, type DashboardFile } from "./common";

/** Uid of the dashboard that holds one runbook panel per alert. */
export const RUNBOOKS_UID = "alert-runbooks";

/**
 * The panel id of an alert's runbook: its place in the rule library (ALERT_NAMES), so a link in an old
 * notification still opens the same alert's runbook whatever the stack enables. Row ids come first.
 */
export function runbookPanelId(alertName: string): number | undefined {
  const i = ALERT_NAMES.indexOf(alertName);
  return i < 0 ? undefined : i + 2;
}

/**
 * The `runbook_url` of an alert on the stack's own Grafana: its runbook panel, opened alone
 * (`?viewPanel=<id>`); alerts outside the library (custom groups) link to the dashboard.
 */
export function grafanaRunbookLink(grafanaRootUrl: string): (alertName: string) => string {
  const dashboard = `${grafanaRootUrl.replace(/\/?$/, "/")}d/${RUNBOOKS_UID}/alert-runbooks`;
  return (name) => {
    const id = runbookPanelId(name);
    return id === undefined ? dashboard : `${dashboard}?viewPanel=${id}`;
  };
}

function markdown(name: string, resolved: ResolvedAlert | undefined): string {
  const def = ALERT_DEFINITIONS.find((d) => d.name === name)!;
  if (!resolved) {
    return `**Not enabled in this stack** (its exporter or component is off, or it is overridden).\n\n${def.runbook}`;
  }
  const r = resolved.rule;
  const threshold = r.threshold ? ` · threshold ${r.threshold.value} (${r.threshold.unit})` : "";
  return [
    `**${r.severity}** · group \`${resolved.group}\` · for ${r.for}${threshold}`,
    "",
    r.summary,
    "",
    `**What to do:** ${def.runbook}`,
    "",
    "```promql",
    r.expr,
    "```",
  ].join("\n");
}

/** One markdown panel per alert of the library, in catalog order: the runbook behind every `runbook_url`. */
export function runbooks(ctx: DashboardContext, resolved: readonly ResolvedAlert[]): DashboardFile {
  const panels = ALERT_NAMES.map((name) =>
    new TextPanelBuilder()
      .title(name)
      .mode(TextMode.Markdown)
      .content(markdown(name, resolved.find((a) => a.rule.name === name)))
      .span(12)
      .height(8),
  );
  return assembleDashboard(
    {
      uid: RUNBOOKS_UID,
      title: "Alert runbooks",
      description: "What each alert means and what to do first; every notification links to its alert's panel here.",
      tags: ["runbooks", "alerts"],
      folder: "Monitoring stack",
      rows: [{ title: "Runbooks", panels }],
    },
    ctx,
  );
}
