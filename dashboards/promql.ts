import { assertValidPromQL } from "../alerts/promql";

/**
 * Grafana macros that may appear inside a dashboard's PromQL. Prometheus never sees them (Grafana
 * substitutes them first), so the parser is given a value of the same syntactic kind instead.
 *
 * @see https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/
 */
const GRAFANA_MACROS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\$__rate_interval\b|\$\{__rate_interval\}/g, "1m"],
  [/\$__interval_ms\b|\$\{__interval_ms\}/g, "60000"],
  [/\$__interval\b|\$\{__interval\}/g, "1m"],
  [/\$__range_s\b|\$\{__range_s\}/g, "3600"],
  [/\$__range_ms\b|\$\{__range_ms\}/g, "3600000"],
  [/\$__range\b|\$\{__range\}/g, "1h"],
];

/**
 * Parses one dashboard PromQL expression with the rule library's parser (the Prometheus project's own
 * grammar) and throws if it does not parse. `where` names the dashboard, panel and query so that a
 * broken expression is found from the error message alone; the message quotes the query as written.
 *
 * Template variables used as label values (`service="$service"`) are inside strings and parse as
 * they are; Grafana's interval macros are replaced by a duration first.
 */
export function assertValidDashboardPromQL(expr: string, where: string): void {
  const text = expandGrafanaMacros(expr);
  try {
    assertValidPromQL(text, where);
  } catch (error) {
    throw new Error(`${(error as Error).message}${text === expr ? "" : ` [query as written: ${expr}]`}`);
  }
}

/** The query as Prometheus would receive it, with Grafana's interval macros replaced by durations. */
export function expandGrafanaMacros(expr: string): string {
  return GRAFANA_MACROS.reduce((acc, [pattern, value]) => acc.replace(pattern, value), expr);
}
