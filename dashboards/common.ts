import * as cog from "@grafana/grafana-foundation-sdk/cog";
import { SERVICE_LABEL } from "../alerts/jobs";
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  MappingType,
  type Dashboard,
  type Panel,
  RowBuilder,
  type VariableModel,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from "@grafana/grafana-foundation-sdk/dashboard";
import {
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
  BigValueGraphMode,
  BigValueColorMode,
  LogsSortOrder,
  type DataSourceRef,
} from "@grafana/grafana-foundation-sdk/common";
import { PanelBuilder as LogsPanelBuilder } from "@grafana/grafana-foundation-sdk/logs";
import { DataqueryBuilder as LokiQueryBuilder } from "@grafana/grafana-foundation-sdk/loki";
import { DataqueryBuilder as PrometheusQueryBuilder, PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TablePanelBuilder } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import type { Duration } from "../alerts/duration";
import type { Threshold, Thresholds, ThresholdUnit } from "../alerts/thresholds";
import { DATASOURCES } from "./datasources";
import { assertValidDashboardPromQL } from "./promql";

// ─── Datasources ──────────────────────────────────────────────────────────────────────────────────

/** Name of the dashboard template variable that selects the Prometheus datasource. */
export const DATASOURCE_VARIABLE = "datasource";

/**
 * Prometheus panels point at the `${datasource}` variable (default: the provisioned uid), so a user can
 * switch to another Prometheus without editing the dashboard. The `${…}` stays literal in the JSON:
 * the stack uploads dashboards as files, never through a Terraform string.
 */
export const PROMETHEUS: DataSourceRef = { type: DATASOURCES.prometheus.type, uid: `\${${DATASOURCE_VARIABLE}}` };

/** Loki, referenced by its provisioned uid (its derived fields carry the trace links into Jaeger). */
export const LOKI: DataSourceRef = { type: DATASOURCES.loki.type, uid: DATASOURCES.loki.uid };

/** Jaeger, referenced by its provisioned uid. */
export const JAEGER: DataSourceRef = { type: DATASOURCES.jaeger.type, uid: DATASOURCES.jaeger.uid };

// ─── Context every dashboard is built from ────────────────────────────────────────────────────────

/**
 * Grafana unit for each threshold unit: a panel that draws a threshold shows its series in the
 * threshold's own unit, so the line and the series can never disagree (ratios stay 0..1).
 */
export const GRAFANA_UNIT: Readonly<Record<ThresholdUnit, string>> = {
  seconds: "s",
  ratio: "percentunit",
  percent: "percent",
  bytes: "bytes",
  bytesPerSecond: "Bps",
  errorsPerSecond: "cps",
  count: "short",
  factor: "short",
};

/**
 * A horizontal line a panel draws where an alert fires, in the panel's unit. It is computed from the
 * same typed threshold the alert rule uses, so changing the threshold moves both.
 */
export interface AlertLine {
  /** Name of the alert that fires at this value. */
  readonly alert: string;
  /** Threshold in `unit`. */
  readonly value: number;
  /** Grafana unit of `value` (from {@link GRAFANA_UNIT}). */
  readonly unit: string;
  /** `above`: the alert fires when the series rises over `value`; `below`: when it drops under it. */
  readonly direction: "above" | "below";
  /** The warning twin that fires earlier (same symptom, lower severity), drawn orange. @default none */
  readonly warning?: { readonly alert: string; readonly value: number };
}

/** The line for an alert's typed threshold. */
export function alertLine(alert: string, threshold: Threshold, direction: AlertLine["direction"] = "above"): AlertLine {
  return { alert, value: threshold.value, unit: GRAFANA_UNIT[threshold.unit], direction };
}

/** The line of a critical alert with the line of its warning twin (e.g. HighErrorRate and ElevatedErrorRate). */
export function withWarning(line: AlertLine, alert: string, threshold: Threshold): AlertLine {
  if (GRAFANA_UNIT[threshold.unit] !== line.unit) {
    throw new Error(`${alert}: threshold unit "${threshold.unit}" differs from ${line.alert}'s ("${line.unit}"); twins must share a unit`);
  }
  return { ...line, warning: { alert, value: threshold.value } };
}

/** Everything a dashboard factory needs, resolved once from {@link DashboardOptions}. */
export interface DashboardContext {
  /** The thresholds the alert rules use (defaults merged with the user's overrides). */
  readonly thresholds: Thresholds;
  /** Prometheus `job` of the messenger application's own metrics. */
  readonly applicationJob: string;
  /** Global scrape interval; used as every Prometheus panel's minimum step. @default Grafana's datasource setting */
  readonly scrapeInterval?: Duration;
}

// ─── PromQL helpers ───────────────────────────────────────────────────────────────────────────────

/** A PromQL string literal (escapes quotes and backslashes), so a label value can never break a query. */
export function promString(value: string): string {
  return JSON.stringify(value);
}

/** The Grafana range for raw counters: adapts to zoom and never drops under 4 scrapes. */
export const RATE_INTERVAL = "$__rate_interval";

/**
 * `histogram_quantile` over a classic histogram, aggregated `by (le, …)`. `le` is only ever grouped
 * on, never matched as a string (Prometheus 3 normalises `le="1"` to `le="1.0"`).
 */
export function histogramQuantile(q: number, metric: string, selector: string, by: readonly string[] = [], window = RATE_INTERVAL): string {
  const groups = ["le", ...by].join(", ");
  return `histogram_quantile(${q}, sum by (${groups}) (rate(${metric}_bucket${selector}[${window}])))`;
}

// ─── Queries ──────────────────────────────────────────────────────────────────────────────────────

/** Options of a Prometheus query. */
export interface PromQueryOptions {
  /** Instant query (for stats and tables) instead of a range query. @default false */
  readonly instant?: boolean;
  /** Return `table` frames (for table panels). @default time series */
  readonly table?: boolean;
  /** Ask for exemplars (trace ids linked to Jaeger by the Prometheus datasource). @default false */
  readonly exemplar?: boolean;
}

/** One Prometheus target on the `${datasource}` variable. */
export function promQuery(expr: string, legendFormat: string, options: PromQueryOptions = {}): PrometheusQueryBuilder {
  const query = new PrometheusQueryBuilder().datasource(PROMETHEUS).expr(expr).legendFormat(legendFormat);
  if (options.instant) {
    query.instant();
  } else {
    query.range();
  }
  if (options.table) {
    query.format(PromQueryFormat.Table);
  }
  if (options.exemplar) {
    query.exemplar(true);
  }
  return query;
}

/** One Loki logs query on the provisioned Loki datasource. */
export function lokiQuery(expr: string, maxLines = 1000): LokiQueryBuilder {
  return new LokiQueryBuilder().datasource(LOKI).expr(expr).maxLines(maxLines);
}

/**
 * A Jaeger search query. The foundation SDK ships no Jaeger query builder, so this small typed one
 * produces Grafana's Jaeger query model (`queryType: "search"`).
 *
 * @see https://grafana.com/docs/grafana/latest/datasources/jaeger/query-editor/
 */
export class JaegerSearchQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: {
    refId?: string;
    datasource: DataSourceRef;
    queryType: "search";
    service?: string;
    operation?: string;
    tags?: string;
    minDuration?: string;
    limit?: number;
  } = { datasource: JAEGER, queryType: "search" };

  public service(service: string): this {
    this.internal.service = service;
    return this;
  }

  /** logfmt tags, e.g. `error=true`. */
  public tags(tags: string): this {
    this.internal.tags = tags;
    return this;
  }

  public minDuration(minDuration: Duration): this {
    this.internal.minDuration = minDuration.toString();
    return this;
  }

  public limit(limit: number): this {
    this.internal.limit = limit;
    return this;
  }

  public refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  public build(): cog.Dataquery {
    return { ...this.internal, _implementsDataqueryVariant: () => undefined };
  }
}

// ─── Panels ───────────────────────────────────────────────────────────────────────────────────────

/** Builders every panel factory returns: they can build a panel and take an id and a minimum step. */
export type PanelFactoryResult = cog.Builder<Panel> & {
  id(id: number): unknown;
  interval(interval: string): unknown;
};

/** What every panel states. Unit is required: a number without a unit is a guess. */
export interface PanelSpec {
  readonly title: string;
  /** What the panel answers (and, for alerting panels, which alert and threshold). */
  readonly description: string;
  /** Grafana unit id, from `@grafana/grafana-foundation-sdk/units`. */
  readonly unit: string;
  /** Width in grid columns (of 24). @default 12 for graphs, 6 for stats */
  readonly width?: number;
  /** Height in grid rows. @default 8 for graphs, 4 for stats */
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
}

/** A Prometheus-backed panel. */
export interface PromPanelSpec extends PanelSpec {
  readonly queries: readonly PrometheusQueryBuilder[];
  /** The alert this panel visualises, drawn as a threshold line / colour step. */
  readonly alert?: AlertLine;
}

/** A time series panel. */
export interface TimeseriesSpec extends PromPanelSpec {
  /** Stack series (for parts of a whole). @default false */
  readonly stacked?: boolean;
}

function refIds<T extends { refId(id: string): unknown }>(queries: readonly T[]): T[] {
  queries.forEach((q, i) => q.refId(String.fromCharCode(65 + i)));
  return [...queries];
}

/**
 * Threshold steps for an alert line: green on the healthy side, red from the threshold on. Without an
 * alert, a single neutral step (Grafana requires a base step).
 */
export function alertThresholds(alert: AlertLine | undefined): ThresholdsConfigBuilder {
  // Grafana's base step has value null ("-Infinity"); the SDK types it as number.
  const base = null as unknown as number;
  const warning = alert?.warning ? [{ value: alert.warning.value, color: "orange" }] : [];
  const steps = !alert
    ? [{ value: base, color: "green" }]
    : alert.direction === "above"
      ? [{ value: base, color: "green" }, ...warning, { value: alert.value, color: "red" }]
      : [{ value: base, color: "red" }, { value: alert.value, color: alert.warning ? "orange" : "green" }, ...(alert.warning ? [{ value: alert.warning.value, color: "green" }] : [])];
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
}

function describe(spec: PromPanelSpec): string {
  if (spec.alert && spec.alert.unit !== spec.unit) {
    throw new Error(
      `panel "${spec.title}": unit "${spec.unit}" differs from the unit "${spec.alert.unit}" of ${spec.alert.alert}'s threshold; show the series in the threshold's unit`,
    );
  }
  if (!spec.alert) {
    return spec.description;
  }
  const warning = spec.alert.warning
    ? ` Orange: ${spec.alert.warning.alert} warns ${spec.alert.direction} ${formatValue({ value: spec.alert.warning.value, unit: spec.alert.unit })}.`
    : "";
  return `${spec.description} Threshold (red): ${spec.alert.alert} fires ${spec.alert.direction} ${formatValue(spec.alert)}.${warning}`;
}

/** A threshold written for people: `500ms`, `5%`, `1 MiB/s`. */
export function formatValue(line: Pick<AlertLine, "value" | "unit">): string {
  const round = (n: number) => Number(n.toPrecision(4)).toString();
  switch (line.unit) {
    case "s":
      return line.value < 1 ? `${round(line.value * 1000)}ms` : `${round(line.value)}s`;
    case "percentunit":
      return `${round(line.value * 100)}%`;
    case "percent":
      return `${round(line.value)}%`;
    case "bytes":
      return `${round(line.value / 1024 / 1024)} MiB`;
    case "Bps":
      return `${round(line.value / 1024 / 1024)} MiB/s`;
    case "cps":
      return `${round(line.value)}/s`;
    default:
      return round(line.value);
  }
}

/** A time series panel; draws the alert threshold as a dashed line when `alert` is given. */
export function timeseries(spec: TimeseriesSpec): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .title(spec.title)
    .description(describe(spec))
    .datasource(PROMETHEUS)
    .unit(spec.unit)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .targets(refIds(spec.queries))
    .fillOpacity(10)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi))
    .thresholds(alertThresholds(spec.alert))
    .thresholdsStyle(
      new GraphThresholdsStyleConfigBuilder().mode(spec.alert ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off),
    );
  applyRange(panel, spec);
  if (spec.stacked) {
    panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  }
  return panel;
}

/** A single-value panel (last value, with a sparkline), coloured by the alert threshold when given. */
export function stat(spec: PromPanelSpec): StatPanelBuilder {
  const panel = new StatPanelBuilder()
    .title(spec.title)
    .description(describe(spec))
    .datasource(PROMETHEUS)
    .unit(spec.unit)
    .span(spec.width ?? 6)
    .height(spec.height ?? 4)
    .targets(refIds(spec.queries))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]))
    .graphMode(BigValueGraphMode.Area)
    .colorMode(spec.alert ? BigValueColorMode.Background : BigValueColorMode.None)
    .thresholds(alertThresholds(spec.alert));
  applyRange(panel, spec);
  return panel;
}

/**
 * An "is it up" stat: 0 shows a red DOWN, 1 a green UP, reduced with "last" so a target that stopped
 * answering is not shown with its last good value (as "lastNotNull" would).
 */
export function upStat(spec: Omit<PromPanelSpec, "unit" | "alert">): StatPanelBuilder {
  return stat({ ...spec, unit: "none" })
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(["last"]))
    .colorMode(BigValueColorMode.Background)
    .mappings([
      {
        type: MappingType.ValueToText,
        options: { "0": { text: "DOWN", color: "red", index: 0 }, "1": { text: "UP", color: "green", index: 1 } },
      },
    ])
    .thresholds(
      new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
        { value: null as unknown as number, color: "red" },
        { value: 1, color: "green" },
      ]),
    );
}

/** A table of instant values (one row per series). */
export function table(spec: PromPanelSpec): TablePanelBuilder {
  const panel = new TablePanelBuilder()
    .title(spec.title)
    .description(describe(spec))
    .datasource(PROMETHEUS)
    .unit(spec.unit)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .targets(refIds(spec.queries))
    .thresholds(alertThresholds(spec.alert));
  applyRange(panel, spec);
  return panel;
}

function applyRange(panel: { min(n: number): unknown; max(n: number): unknown; decimals(n: number): unknown }, spec: PanelSpec): void {
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  if (spec.decimals !== undefined) panel.decimals(spec.decimals);
}

/** A logs panel over Loki, newest first, with log details (where the trace-id derived field links to Jaeger). */
export function logs(spec: PanelSpec & { readonly query: LokiQueryBuilder }): LogsPanelBuilder {
  return new LogsPanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(LOKI)
    .unit(spec.unit)
    .span(spec.width ?? 24)
    .height(spec.height ?? 12)
    .targets(refIds([spec.query]))
    .showTime(true)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .sortOrder(LogsSortOrder.Descending);
}

/** A table of Jaeger trace search results; each trace id opens the trace view. */
export function traceSearch(spec: PanelSpec & { readonly query: JaegerSearchQueryBuilder }): TablePanelBuilder {
  return new TablePanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(JAEGER)
    .unit(spec.unit)
    .span(spec.width ?? 24)
    .height(spec.height ?? 10)
    .targets(refIds([spec.query]));
}

// ─── Dashboard assembly ───────────────────────────────────────────────────────────────────────────

/** A dashboard file the stack provisions into Grafana. */
export interface DashboardFile {
  /** Stable Grafana uid (also the file name's stem): links and bookmarks survive re-deploys. */
  readonly uid: string;
  readonly title: string;
  /** File name inside the provisioned dashboards folder, e.g. `performance-overview.json`. */
  readonly fileName: string;
  /** Grafana folder the dashboard belongs to. @default the provider's folder */
  readonly folder?: string;
  /** The classic dashboard JSON model Grafana file provisioning loads. */
  readonly json: Dashboard;
}

/** A titled row of panels. */
export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelFactoryResult[];
}

/** Everything that makes one dashboard. */
export interface DashboardSpec {
  /** Stable uid: lower-case letters, digits and dashes, at most 40 characters (Grafana's limit). */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly folder?: string;
  /** Default time range start. @default now-6h */
  readonly from?: string;
  /** Template variables after `datasource`. @default none */
  readonly variables?: readonly cog.Builder<VariableModel>[];
  readonly rows: readonly RowSpec[];
}

/** Name of the template variable that selects application services (label `service`, alerts/jobs.ts). */
export const SERVICE_VARIABLE = SERVICE_LABEL;

/**
 * The application-service selector: the values of `service` on the application job's targets, several
 * at once or All (the default), so a panel shows one line per service and one failing service stands out.
 */
export function serviceVariable(applicationJob: string): cog.Builder<VariableModel> {
  const query = `label_values(up{job=${promString(applicationJob)}}, ${SERVICE_LABEL})`;
  return new QueryVariableBuilder(SERVICE_VARIABLE)
    .label("Service")
    .datasource(PROMETHEUS)
    .query({ query, refId: "PrometheusVariableQueryEditor-VariableQuery" })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(true)
    .includeAll(true)
    .allValue(".*")
    .current({ text: "All", value: "$__all" });
}

/** Name of the template variable that selects replicas (the `instance` label, one per replica). */
export const INSTANCE_VARIABLE = "instance";

/**
 * The replica selector of the dashboards that break a service down by replica: the `instance`s of the
 * selected services' targets (each replica is a target of its own), several at once or All (the default).
 */
export function instanceVariable(applicationJob: string): cog.Builder<VariableModel> {
  const query = `label_values(up{job=${promString(applicationJob)}, ${SERVICE_LABEL}=~"$${SERVICE_VARIABLE}"}, instance)`;
  return new QueryVariableBuilder(INSTANCE_VARIABLE)
    .label("Replica")
    .datasource(PROMETHEUS)
    .query({ query, refId: "PrometheusVariableQueryEditor-VariableQuery" })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(true)
    .includeAll(true)
    .allValue(".*")
    .current({ text: "All", value: "$__all" });
}

/** Tag carried by every dashboard of this project, so they can be listed together in Grafana. */
export const COMMON_TAG = "monitoring-stack-as-code";

/** Firing alerts are shown on every time series as annotations. */
export const FIRING_ALERTS_EXPR = 'ALERTS{alertstate="firing"}';

/**
 * Builds one dashboard: the `datasource` variable, firing-alert annotations, rows of panels with
 * stable ids, then validates every PromQL expression in it. Errors name dashboard, panel and query.
 */
export function assembleDashboard(spec: DashboardSpec, ctx: DashboardContext): DashboardFile {
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(spec.uid)) {
    throw new Error(`dashboard "${spec.title}": uid "${spec.uid}" must be 1-40 lower-case letters, digits or dashes`);
  }
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([COMMON_TAG, ...spec.tags])
    .time({ from: spec.from ?? "now-6h", to: "now" })
    .refresh("1m")
    .timezone("browser")
    .tooltip(DashboardCursorSync.Crosshair)
    .variables([
      new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
        .label("Prometheus")
        .type(DATASOURCES.prometheus.type)
        .current({ text: DATASOURCES.prometheus.name, value: DATASOURCES.prometheus.uid }),
      ...(spec.variables ?? []),
    ])
    .annotation(
      new AnnotationQueryBuilder()
        .name("Firing alerts")
        .datasource(PROMETHEUS)
        .expr(FIRING_ALERTS_EXPR)
        .step("60s")
        .titleFormat("{{alertname}}")
        .textFormat("{{severity}} {{instance}}")
        .tagKeys("alertname,severity")
        .useValueForTime(false)
        .iconColor("red")
        .enable(true),
    );

  let id = 1;
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title).id(id++));
    for (const panel of row.panels) {
      panel.id(id++);
      if (ctx.scrapeInterval) {
        panel.interval(ctx.scrapeInterval.toString());
      }
      builder.withPanel(panel);
    }
  }
  const json = builder.build();
  validateQueries(json);
  return { uid: spec.uid, title: spec.title, fileName: `${spec.uid}.json`, folder: spec.folder, json };
}

/** Every Prometheus expression of a dashboard (panels and annotations) must parse. */
export function validateQueries(json: Dashboard): void {
  const dashboard = `dashboard "${json.title}" (uid ${json.uid})`;
  for (const annotation of json.annotations?.list ?? []) {
    if (annotation.datasource?.type === DATASOURCES.prometheus.type && annotation.expr !== undefined) {
      assertValidDashboardPromQL(annotation.expr, `${dashboard}, annotation "${annotation.name}"`);
    }
  }
  for (const panel of json.panels ?? []) {
    if (panel.type === "row") continue;
    const p = panel as Panel;
    for (const target of (p.targets ?? []) as Array<{ datasource?: DataSourceRef; expr?: string; refId?: string }>) {
      const type = target.datasource?.type ?? p.datasource?.type;
      if (type === DATASOURCES.prometheus.type) {
        assertValidDashboardPromQL(target.expr ?? "", `${dashboard}, panel "${p.title}", query ${target.refId}`);
      }
    }
  }
}

/** Stable JSON for a dashboard file: 2-space indent, trailing newline; builders emit keys in a fixed order. */
export function renderDashboard(file: DashboardFile): string {
  return `${JSON.stringify(file.json, null, 2)}\n`;
}
