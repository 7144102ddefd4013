import * as units from "@grafana/grafana-foundation-sdk/units";
import { BURN_WINDOWS, errorBudget, SLOS, sloErrorRatio } from "../alerts/rules/slo";
import { appSelector } from "./queries";
import { alertLine, assembleDashboard, type DashboardContext, type DashboardFile, promQuery, type RowSpec, serviceVariable, stat, timeseries } from "./common";

/**
 * The service level objectives: per SLO, the error budget left over its window and the burn rates the
 * alerts compare (1 = spending exactly the budget over the window).
 */
export function slos(ctx: DashboardContext): DashboardFile {
  const rows: RowSpec[] = SLOS.filter((s) => ctx.thresholds.slos[s.key].enabled).map((slo) => {
    const o = ctx.thresholds.slos[slo.key];
    const budget = errorBudget(o);
    const target = `${Number((o.objective * 100).toPrecision(6))}%${o.latencyThreshold !== undefined ? ` within ${o.latencyThreshold * 1000} ms` : ""} over ${o.window}`;
    // The error ratio over the whole window, from the raw series (no recording rule spans 30 days).
    // The application job and the dashboard's service selection, as label matchers.
    const selected = appSelector(ctx.applicationJob).slice(1, -1);
    const windowRatio = slo.errorRatio(o.window.toString(), o, selected);
    const fastest = BURN_WINDOWS[0];
    return {
      title: `${slo.name}: ${target}`,
      panels: [
        stat({
          title: `${slo.name}: error budget left`,
          description: `Share of the ${o.window} error budget (${Number((budget * 100).toPrecision(4))}% bad events) not yet spent, per service. Below 0 the SLO is missed.`,
          unit: units.PercentUnit,
          width: 6,
          queries: [promQuery(`1 - (${windowRatio}) / ${budget}`, "{{service}}")],
        }),
        timeseries({
          title: `${slo.name}: burn rate`,
          description:
            `Error ratio over each alert window divided by the budget (1 = on course to spend it exactly). ` +
            `Pages at ${BURN_WINDOWS.filter((b) => b.severity === "critical").map((b) => `${ctx.thresholds[b.condition].threshold.value}x over ${b.long}`).join(" and ")}, ` +
            `tickets at ${BURN_WINDOWS.filter((b) => b.severity === "warning").map((b) => `${ctx.thresholds[b.condition].threshold.value}x over ${b.long}`).join(" and ")}.`,
          unit: units.Short,
          width: 18,
          min: 0,
          alert: alertLine(`${slo.alertPrefix}BudgetBurn${fastest.long}`, ctx.thresholds[fastest.condition].threshold),
          queries: BURN_WINDOWS.map((b) =>
            promQuery(`${sloErrorRatio(slo, b.long, selected)} / ${budget}`, `{{service}} ${b.long}`),
          ),
        }),
      ],
    };
  });
  return assembleDashboard(
    {
      uid: "slos",
      title: "Service Level Objectives",
      description: "Is the messenger within its SLOs? Error budget left and burn rates per SLO and service.",
      tags: ["slo", "error-budget"],
      folder: "Messenger",
      from: "now-7d",
      variables: [serviceVariable(ctx.applicationJob)],
      rows,
    },
    ctx,
  );
}
