/**
 * "Every dashboard panel shows data": runs every Prometheus query of every provisioned dashboard against
 * a running Prometheus, filled in as Grafana fills it for the dashboard's default selection
 * (dashboards/panel-queries.ts), over a run's time range. A panel has data when one of its queries
 * returns a finite sample. A panel without data is excused only when one of its sources does not run
 * here (a job that is not scraped, or series a program here cannot export); otherwise the check fails.
 * Used by the rehearsal and by the end-to-end deploy.
 */
import type { RuleGroup } from "../../alerts";
import { isAlertRule } from "../../alerts";
import { parseExpr, selectorsOf } from "../../alerts/catalog/analyze";
import type { MetricCatalog } from "../../alerts/catalog";
import type { DashboardFile } from "../../dashboards";
import { DashboardJson, expandPanelQueries, ExpandedQuery, resolveVariables, VariableLookup } from "../../dashboards/panel-queries";
import { getJson } from "./http";

/** Series that a running job cannot export here, with the reason (e.g. a collector the program lacks). */
export interface AbsentSeries {
  readonly job: string;
  readonly series: RegExp;
  readonly reason: string;
}

/** Input of {@link checkPanelData}. */
export interface PanelDataInput {
  readonly prometheusUrl: string;
  readonly dashboards: readonly DashboardFile[];
  /** The stack's rule groups: a recorded series' sources are those of its rule's expression. */
  readonly ruleGroups: readonly RuleGroup[];
  /** Which jobs export which series (the metric catalog of every job). */
  readonly catalog: MetricCatalog;
  /** Jobs that run and are scraped in this run. */
  readonly runningJobs: readonly string[];
  /** Why a job does not run here (printed for its panels). @default "not running here" */
  readonly notRunning?: (job: string) => string;
  readonly absentSeries?: readonly AbsentSeries[];
  readonly fromMs: number;
  readonly toMs: number;
  /** The datasource's `timeInterval` (the global scrape interval). */
  readonly scrapeInterval: string;
}

/** The outcome for one panel. */
export interface PanelOutcome {
  readonly dashboard: string;
  readonly panel: string;
  readonly status: "data" | "source not running" | "no data";
  /** Why it has no data (empty for "data"). */
  readonly reason: string;
  readonly queries: number;
}

/** The outcome of the whole check. */
export interface PanelDataReport {
  readonly panels: readonly PanelOutcome[];
  readonly withData: number;
  /** Panels without data whose every source runs: the failures. */
  readonly failures: readonly PanelOutcome[];
  /** `panels with data: n/m` and one line per panel without data. */
  readonly text: string;
}

type Sample = [number, string];

/** Prometheus' HTTP API for variable queries ({@link VariableLookup}) and panel queries. */
export class PrometheusQueries implements VariableLookup {
  constructor(private readonly base: string) {}

  private get<T>(path: string, params: Record<string, string | undefined>): Promise<T> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.append(k, v);
    return getJson<{ data: T }>(`${this.base}${path}?${q}`, 20_000).then((r) => r.data);
  }

  public labelValues(label: string, match: string | undefined, startS: number, endS: number): Promise<string[]> {
    return this.get(`/api/v1/label/${encodeURIComponent(label)}/values`, { "match[]": match, start: String(startS), end: String(endS) });
  }

  public labelNames(match: string | undefined, startS: number, endS: number): Promise<string[]> {
    return this.get("/api/v1/labels", { "match[]": match, start: String(startS), end: String(endS) });
  }

  public series(match: string, startS: number, endS: number): Promise<Array<Record<string, string>>> {
    return this.get("/api/v1/series", { "match[]": match, start: String(startS), end: String(endS) });
  }

  public async instant(expr: string, timeS: number): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const r = await this.get<{ resultType: string; result: unknown }>("/api/v1/query", { query: expr, time: String(timeS) });
    if (r.resultType === "scalar") return [{ metric: {}, value: r.result as [number, string] }];
    return r.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
  }

  /** The samples a panel query returns: every series' values (range) or value (instant). */
  public async samples(q: ExpandedQuery): Promise<Sample[][]> {
    if (q.kind === "instant") {
      return (await this.instant(q.expr, q.endMs / 1000)).map((s) => [s.value]);
    }
    const r = await this.get<{ result: Array<{ values: Sample[] }> }>("/api/v1/query_range", {
      query: q.expr,
      start: String(q.startMs / 1000),
      end: String(q.endMs / 1000),
      step: String(q.stepMs / 1000),
    });
    return r.result.map((s) => s.values);
  }
}

/** A series source of an expression: the jobs that could export it (any of them suffices). */
interface Source {
  readonly series: string;
  readonly jobs: readonly string[];
}

/**
 * The scraped series an expression needs, through recording rules to what exporters expose. A series no
 * job exports (`up`, `ALERTS`, …) is Prometheus' own, unless its selector names a `job`.
 */
export function expressionSources(expr: string, records: ReadonlyMap<string, string>, catalog: MetricCatalog, seen = new Set<string>()): Source[] {
  let parsed;
  try {
    parsed = parseExpr(expr);
  } catch {
    return [];
  }
  const out: Source[] = [];
  for (const s of selectorsOf(parsed)) {
    if (!s.metric) continue;
    const recorded = records.get(s.metric);
    if (recorded !== undefined) {
      if (!seen.has(s.metric)) out.push(...expressionSources(recorded, records, catalog, new Set([...seen, s.metric])));
      continue;
    }
    const jobMatcher = s.matchers.find((m) => m.label === "job" && m.op === "=");
    const exporters = catalog.resolve(s.metric)?.jobs ?? [];
    const jobs = jobMatcher ? [jobMatcher.value] : exporters;
    out.push({ series: s.metric, jobs });
  }
  return out;
}

/** Why a source cannot have data in this run, or undefined when it runs. */
function sourceGap(src: Source, input: PanelDataInput): string | undefined {
  if (src.jobs.length === 0) return undefined;
  const running = src.jobs.filter((j) => input.runningJobs.includes(j));
  if (running.length === 0) {
    const why = input.notRunning ?? (() => "not running here");
    return `${src.series}: job ${src.jobs.map((j) => `"${j}" ${why(j)}`).join(", ")}`;
  }
  const absent = running.map((j) => input.absentSeries?.find((a) => a.job === j && a.series.test(src.series))).filter((a) => a !== undefined);
  if (absent.length === running.length) return `${src.series}: ${absent[0]!.reason}`;
  return undefined;
}

function finite(samples: readonly Sample[][]): number {
  return samples.reduce((n, s) => n + s.filter(([, v]) => Number.isFinite(Number(v))).length, 0);
}

/** Runs every panel's queries and classifies each panel (see the module comment). */
export async function checkPanelData(input: PanelDataInput): Promise<PanelDataReport> {
  const prom = new PrometheusQueries(input.prometheusUrl);
  const records = new Map<string, string>();
  for (const g of input.ruleGroups) for (const r of g.rules) if (!isAlertRule(r)) records.set(r.record, r.expr);
  const panels: PanelOutcome[] = [];
  for (const file of input.dashboards) {
    const json = file.json as unknown as DashboardJson;
    const window = { fromMs: input.fromMs, toMs: input.toMs, scrapeInterval: input.scrapeInterval };
    const variables = await resolveVariables(json, prom, window);
    const queries = expandPanelQueries(json, variables, window);
    const byPanel = new Map<string, ExpandedQuery[]>();
    for (const q of queries) {
      const key = `${q.target.panelId ?? q.target.panelTitle}`;
      byPanel.set(key, [...(byPanel.get(key) ?? []), q]);
    }
    for (const qs of byPanel.values()) {
      const title = qs[0].target.panelTitle;
      const reasons: string[] = [];
      let points = 0;
      for (const q of qs) {
        try {
          const got = finite(await prom.samples(q));
          points += got;
          if (got === 0) reasons.push(`${q.target.refId} (${q.kind}) ${q.expr}: no finite sample${q.emptyVariables.length ? `; ${q.emptyVariables.join("; ")}` : ""}`);
        } catch (e) {
          reasons.push(`${q.target.refId} (${q.kind}) ${q.expr}: query failed: ${(e as Error).message}`);
        }
      }
      if (points > 0) {
        panels.push({ dashboard: file.title, panel: title, status: "data", reason: "", queries: qs.length });
        continue;
      }
      const gaps = [...new Set(qs.flatMap((q) => expressionSources(q.expr, records, input.catalog).map((s) => sourceGap(s, input)).filter((g) => g !== undefined)))];
      panels.push(
        gaps.length > 0
          ? { dashboard: file.title, panel: title, status: "source not running", reason: gaps.join("; "), queries: qs.length }
          : { dashboard: file.title, panel: title, status: "no data", reason: reasons.join(" | "), queries: qs.length },
      );
    }
  }
  const withData = panels.filter((p) => p.status === "data").length;
  const failures = panels.filter((p) => p.status === "no data");
  const lines = [
    `panels with data: ${withData}/${panels.length} (${failures.length} without data although every source runs)`,
    ...panels.filter((p) => p.status !== "data").map((p) => `${p.status === "no data" ? "NO DATA" : "source not running"}: ${p.dashboard} / ${p.panel}: ${p.reason}`),
  ];
  return { panels, withData, failures, text: lines.join("\n") };
}
