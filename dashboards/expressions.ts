import type { DashboardFile } from "./common";
import { DATASOURCES } from "./datasources";
import { expandGrafanaMacros } from "./promql";

/** A PromQL query of a dashboard, with its owner named for error messages. */
export interface DashboardExpression {
  /** `dashboard "<title>" (uid <uid>), panel "<title>", query <refId>` or `…, annotation "<name>"`. */
  readonly where: string;
  /** The query with Grafana's interval macros expanded, as Prometheus receives it. */
  readonly expr: string;
}

interface PanelLike {
  readonly title?: string;
  readonly type?: string;
  readonly datasource?: { readonly type?: string };
  readonly targets?: ReadonlyArray<{ readonly expr?: string; readonly refId?: string; readonly datasource?: { readonly type?: string } }>;
  readonly panels?: readonly PanelLike[];
}

const PROMETHEUS_TYPE: string = DATASOURCES.prometheus.type;

/**
 * Every PromQL query of the given dashboards (panels, panels nested in rows, annotations), for checks
 * that walk all expressions of the stack, such as metric provenance.
 */
export function dashboardExpressions(files: readonly DashboardFile[]): DashboardExpression[] {
  const out: DashboardExpression[] = [];
  for (const file of files) {
    const json = file.json as unknown as { panels?: PanelLike[]; annotations?: { list?: Array<{ name?: string; expr?: string; datasource?: { type?: string } }> } };
    const dashboard = `dashboard "${file.title}" (uid ${file.uid})`;
    const visit = (panel: PanelLike): void => {
      for (const t of panel.targets ?? []) {
        const type = t.datasource?.type ?? panel.datasource?.type;
        if (t.expr && type === PROMETHEUS_TYPE) {
          out.push({ where: `${dashboard}, panel "${panel.title ?? "(untitled)"}", query ${t.refId ?? "?"}`, expr: expandGrafanaMacros(t.expr) });
        }
      }
      (panel.panels ?? []).forEach(visit);
    };
    (json.panels ?? []).forEach(visit);
    for (const a of json.annotations?.list ?? []) {
      if (a.expr && a.datasource?.type === PROMETHEUS_TYPE) {
        out.push({ where: `${dashboard}, annotation "${a.name ?? "(unnamed)"}"`, expr: expandGrafanaMacros(a.expr) });
      }
    }
  }
  return out;
}
