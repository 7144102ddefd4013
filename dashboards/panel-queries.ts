import { DATASOURCES } from "./datasources";

/**
 * Every Prometheus query of a provisioned dashboard, with Grafana's variables filled in as Grafana
 * fills them for the dashboard's default selection: the template variables (custom, constant,
 * interval, textbox, datasource and Prometheus query variables, chained ones in dependency order),
 * the interval and range built-ins (`$__interval`, `$__rate_interval`, `$__range`, …) and the step of
 * each range query. Pure: a {@link VariableLookup} answers the Prometheus API calls of query variables,
 * so the same code serves the rehearsal, the end-to-end deploy and unit tests.
 *
 * Grafana's behaviour followed here (checked against Grafana 12 and grafana-plugin-sdk-go):
 * - the frontend's interval: `range / maxDataPoints` rounded down to a "nice" value, at least the
 *   panel's min interval (or the datasource's scrape interval); `maxDataPoints` defaults to the panel's
 *   width in pixels;
 * - the backend's step (= `$__interval`): that interval, at least `range / 11000` rounded;
 * - `$__rate_interval` = max(interval + scrape interval, 4 × scrape interval);
 * - `$__range` = the range in whole seconds; range queries aligned down to the step;
 * - a multi-value or include-All variable is a regular expression `(a|b)` of regex-escaped values; All
 *   with a custom `allValue` is that value verbatim, All without one is every option ORed.
 *
 * @see https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/
 * @see https://grafana.com/docs/grafana/latest/dashboards/variables/variable-syntax/
 */

// ─── The dashboard JSON model (the parts read here) ─────────────────────────────────────────────────

/** A datasource reference: `{type, uid}` (current model) or a datasource name (older dashboards). */
export type DatasourceRefJson = { readonly type?: string; readonly uid?: string } | string | null;

/** A panel target (query). */
export interface TargetJson {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: DatasourceRefJson;
  readonly instant?: boolean;
  readonly range?: boolean;
  /** The query's "Min step". */
  readonly interval?: string;
  readonly intervalFactor?: number;
  readonly hide?: boolean;
}

/** A panel; a row holds its panels in `panels` while collapsed. */
export interface PanelJson {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly datasource?: DatasourceRefJson;
  readonly targets?: readonly TargetJson[];
  readonly panels?: readonly PanelJson[];
  /** The panel's "Min interval". */
  readonly interval?: string;
  readonly maxDataPoints?: number;
  readonly gridPos?: { readonly w?: number };
  /** Name of the variable the panel is repeated for. */
  readonly repeat?: string;
}

/** `current` of a variable: the selection saved in the dashboard. */
export interface VariableCurrentJson {
  readonly text?: string | readonly string[];
  readonly value?: string | readonly string[];
}

/** A template variable. */
export interface VariableJson {
  readonly name: string;
  readonly type: string;
  /** A string, or `{query: string}` (the Prometheus variable editor's model). */
  readonly query?: string | { readonly query?: string };
  readonly definition?: string;
  readonly current?: VariableCurrentJson;
  readonly options?: ReadonlyArray<{ readonly text?: string | readonly string[]; readonly value?: string | readonly string[] }>;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string | null;
  /** 0 never (use the saved options), 1 on dashboard load, 2 on time range change. */
  readonly refresh?: number;
  /** `/pattern/flags` applied to every value a query returns. */
  readonly regex?: string;
  readonly sort?: number;
  readonly datasource?: DatasourceRefJson;
  /** Interval variables: an `auto` option. */
  readonly auto?: boolean;
  readonly auto_count?: number;
  readonly auto_min?: string;
}

/** The dashboard JSON Grafana provisioning loads (what is read of it). */
export interface DashboardJson {
  readonly uid?: string;
  readonly title?: string;
  readonly panels?: readonly PanelJson[];
  readonly templating?: { readonly list?: readonly VariableJson[] };
}

// ─── Durations as Grafana writes and reads them ─────────────────────────────────────────────────────

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/**
 * Milliseconds of a Grafana interval string: `15s`, `1m30s`, `500ms`, `1d`, or a bare number of
 * seconds; `<` and `>` (old "at least" markers) are ignored. Throws on anything else.
 */
export function parseGrafanaDuration(text: string): number {
  const t = text.replace(/[<>]/g, "").trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== t) {
    throw new Error(`"${text}" is not a Grafana interval (e.g. 15s, 1m30s, 500ms)`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]], 0);
}

/**
 * Grafana's "nice" intervals (ms): an interval up to a bound becomes the value next to it. The frontend
 * (`rangeUtil.roundInterval` in @grafana/data) compares with `<`, the backend (`gtime.RoundInterval` in
 * grafana-plugin-sdk-go) with `<=`, so the two differ exactly on a bound (e.g. 1500 ms: 2 s in the
 * browser, 1 s in the backend).
 */
const ROUNDING: ReadonlyArray<readonly [number, number]> = [
  [10, 1], [15, 10], [35, 20], [75, 50], [150, 100], [350, 200], [750, 500], [1500, 1000],
  [3500, 2000], [7500, 5000], [12_500, 10_000], [17_500, 15_000], [25_000, 20_000], [45_000, 30_000],
  [90_000, 60_000], [210_000, 120_000], [450_000, 300_000], [750_000, 600_000], [1_050_000, 900_000],
  [1_500_000, 1_200_000], [2_700_000, 1_800_000], [5_400_000, 3_600_000], [9_000_000, 7_200_000],
  [16_200_000, 10_800_000], [32_400_000, 21_600_000], [86_400_000, 43_200_000], [604_800_000, 86_400_000],
  [1_814_400_000, 604_800_000], [3_628_800_000, 2_592_000_000],
];

function round(ms: number, inclusive: boolean): number {
  for (const [bound, value] of ROUNDING) {
    if (inclusive ? ms <= bound : ms < bound) return value;
  }
  return 31_536_000_000;
}

/** The frontend's rounding (`rangeUtil.roundInterval`): the interval of a panel's query request. */
export function roundIntervalFrontend(ms: number): number {
  return round(ms, false);
}

/** The backend's rounding (`gtime.RoundInterval`): the step the Prometheus datasource computes. */
export function roundIntervalBackend(ms: number): number {
  return round(ms, true);
}

/** An interval in Grafana's largest whole unit, as `$__interval` is written: `15s`, `2m`, `1h`, `500ms`. */
export function formatInterval(ms: number): string {
  for (const unit of ["y", "d", "h", "m", "s", "ms"]) {
    if (ms >= UNIT_MS[unit]) return `${Math.floor(ms / UNIT_MS[unit])}${unit}`;
  }
  return "1ms";
}

/**
 * A duration as Go's `time.Duration.String()` writes it (`1m0s`, `35s`, `1h2m3s`, `500ms`), the form in
 * which Grafana's backend writes `$__rate_interval`. Prometheus parses every one of them.
 */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ""}${h > 0 || m > 0 ? `${m}m` : ""}${Number(s.toFixed(3))}s`;
}

// ─── Intervals and step of one query ────────────────────────────────────────────────────────────────

/** Grafana's resolution cap: no range query asks Prometheus for more than this many points. */
export const SAFE_RESOLUTION = 11_000;

/** Grafana's default scrape interval when the datasource names none. */
export const DEFAULT_SCRAPE_INTERVAL = "15s";

/** Input of {@link grafanaIntervals}. */
export interface IntervalInput {
  readonly fromMs: number;
  readonly toMs: number;
  /** The panel's max data points (default: its width in pixels). */
  readonly maxDataPoints: number;
  /** The panel's "Min interval" (`panel.interval`). @default the datasource's scrape interval */
  readonly minInterval?: string;
  /** The query's "Min step" (`target.interval`). @default none */
  readonly minStep?: string;
  /** The datasource's scrape interval (`jsonData.timeInterval`). @default 15s */
  readonly scrapeInterval?: string;
  /** Deprecated query resolution factor. @default 1 */
  readonly intervalFactor?: number;
}

/** What Grafana computes for one query before sending it. All in milliseconds. */
export interface GrafanaIntervals {
  /** The frontend's interval (`request.intervalMs`), from which `$__rate_interval` is computed. */
  readonly intervalMs: number;
  /** The range query's step; also `$__interval` and `$__interval_ms`. */
  readonly stepMs: number;
  /** `$__rate_interval`. */
  readonly rateIntervalMs: number;
  /** `$__range_ms`. */
  readonly rangeMs: number;
}

const INTERVAL_VARIABLES = new Set(["$__interval", "${__interval}", "$__interval_ms", "${__interval_ms}", "$__rate_interval", "${__rate_interval}", "$__rate_interval_ms", "${__rate_interval_ms}"]);
const RATE_INTERVAL_VARIABLES = new Set(["$__rate_interval", "${__rate_interval}"]);

/**
 * The interval, step and rate interval Grafana uses for one Prometheus query over a time range:
 * - the frontend's interval: `range / maxDataPoints`, rounded (frontend rounding), at least the
 *   panel's min interval, else the datasource's scrape interval (`rangeUtil.calculateInterval`);
 * - the backend's step (`calculatePrometheusInterval` in pkg/promlib): `range / maxDataPoints` below
 *   the minimum (the frontend's interval) gives that minimum, above it is rounded (backend rounding);
 *   never below `range / 11000` rounded; a manual "Min step" on the query is the step itself;
 *   `$__rate_interval` as min step makes the step the rate interval of that step;
 * - `$__rate_interval` = max(frontend interval + scrape, 4 × scrape), where scrape is the query's min
 *   step when set (the step itself for `$__interval`), else the datasource's scrape interval, else 15s.
 *
 * @see https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/#use-__rate_interval
 * @see https://grafana.com/docs/grafana/latest/panels-visualizations/query-transform-data/#query-options
 */
export function grafanaIntervals(input: IntervalInput): GrafanaIntervals {
  const rangeMs = input.toMs - input.fromMs;
  if (!(rangeMs > 0)) throw new Error(`time range ${input.fromMs}..${input.toMs} is empty`);
  if (!(input.maxDataPoints > 0)) throw new Error(`maxDataPoints ${input.maxDataPoints} must be positive`);
  const scrape = input.scrapeInterval ?? "";
  const lowLimit = input.minInterval ?? (scrape || undefined);
  const intervalMs = Math.max(roundIntervalFrontend(rangeMs / input.maxDataPoints), lowLimit ? parseGrafanaDuration(lowLimit) : 1);
  const minStep = input.minStep && input.minStep !== "0s" ? input.minStep : "";
  const variableStep = INTERVAL_VARIABLES.has(minStep);
  const rateStep = RATE_INTERVAL_VARIABLES.has(minStep);
  const manualStep = minStep !== "" && !variableStep;
  // GetIntervalFrom: a manual min step is the minimum, else the frontend's interval.
  const minimum = manualStep ? parseGrafanaDuration(minStep) : intervalMs;
  const perPoint = rangeMs / input.maxDataPoints;
  const calculated = perPoint < minimum ? minimum : roundIntervalBackend(perPoint);
  const adjusted = Math.max(calculated, roundIntervalBackend(rangeMs / SAFE_RESOLUTION));
  const rateOf = (base: number, scrapeText: string) => {
    const s = parseGrafanaDuration(scrapeText || DEFAULT_SCRAPE_INTERVAL);
    return Math.max(base + s, 4 * s);
  };
  const stepMs = rateStep ? rateOf(adjusted, scrape) : manualStep ? parseGrafanaDuration(minStep) : adjusted * (input.intervalFactor || 1);
  let rateIntervalMs: number;
  if (rateStep) {
    rateIntervalMs = stepMs;
  } else {
    const requested = minStep === "$__interval" || minStep === "${__interval}" ? goDuration(stepMs) : minStep || scrape;
    rateIntervalMs = rateOf(intervalMs, requested);
  }
  return { intervalMs, stepMs, rateIntervalMs, rangeMs };
}

/** The built-in variables of one query: `__interval`, `__rate_interval`, `__range`, … → their text. */
export function builtInVariables(i: GrafanaIntervals, fromMs: number, toMs: number): Record<string, string> {
  const rangeS = Math.round(i.rangeMs / 1000);
  return {
    __interval: formatInterval(i.stepMs),
    __interval_ms: String(Math.floor(i.stepMs)),
    __rate_interval: goDuration(i.rateIntervalMs),
    __rate_interval_ms: String(Math.floor(i.rateIntervalMs)),
    __range: `${rangeS}s`,
    __range_s: String(rangeS),
    __range_ms: String(i.rangeMs),
    __from: String(fromMs),
    __to: String(toMs),
  };
}

/** Range-query bounds aligned down to the step, as Grafana sends them (ms). */
export function alignRange(fromMs: number, toMs: number, stepMs: number): { startMs: number; endMs: number } {
  return { startMs: Math.floor(fromMs / stepMs) * stepMs, endMs: Math.floor(toMs / stepMs) * stepMs };
}

// ─── Template variables ─────────────────────────────────────────────────────────────────────────────

/** The value Grafana stores for "All". */
export const ALL_VALUE = "$__all";

/** One option of a variable. */
export interface VariableOption {
  readonly text: string;
  readonly value: string;
}

/** A template variable resolved for the default selection. */
export interface ResolvedVariable {
  readonly name: string;
  readonly type: string;
  readonly multi: boolean;
  readonly includeAll: boolean;
  /** The custom value of "All", when set. */
  readonly allValue?: string;
  /** Every option (without "All"). */
  readonly options: readonly VariableOption[];
  /** The selected values, or "all". */
  readonly selected: readonly VariableOption[] | "all";
  /** The query that produced the options, with other variables filled in (query variables). */
  readonly query?: string;
  /** Why it has no options: the query returned none, or failed. Undefined when it has options. */
  readonly empty?: string;
}

/** The Prometheus API calls a query variable makes (Grafana's `metricFindQuery`). Times in seconds. */
export interface VariableLookup {
  /** `/api/v1/label/<label>/values` (with `match[]` when given). */
  labelValues(label: string, match: string | undefined, startS: number, endS: number): Promise<string[]>;
  /** `/api/v1/labels` (with `match[]` when given). */
  labelNames(match: string | undefined, startS: number, endS: number): Promise<string[]>;
  /** `/api/v1/series?match[]=…`: each series' labels, `__name__` included. */
  series(match: string, startS: number, endS: number): Promise<Array<Record<string, string>>>;
  /** An instant query at `timeS`. */
  instant(expr: string, timeS: number): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
}

/** Options of {@link resolveVariables}. */
export interface ResolveOptions {
  readonly fromMs: number;
  readonly toMs: number;
  /** The datasource's scrape interval, `$__interval` of variable queries. @default 15s */
  readonly scrapeInterval?: string;
}

function queryText(v: VariableJson): string {
  return typeof v.query === "string" ? v.query : (v.query?.query ?? v.definition ?? "");
}

function asList(x: string | readonly string[] | undefined): string[] {
  return x === undefined ? [] : typeof x === "string" ? [x] : [...x];
}

/** Names of the variables a text refers to (`$a`, `${a}`, `${a:fmt}`, `[[a]]`). */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(VARIABLE_PATTERN)) names.add(m[1] ?? m[3] ?? m[5]);
  return [...names];
}

/**
 * `${name}`, `${name:format}`, `[[name]]`, `[[name:format]]` and `$name`, as Grafana's template
 * service finds them. Groups: 1/2 braces (name, format), 3/4 brackets, 5 bare.
 */
const VARIABLE_PATTERN = /\$\{(\w+)(?::([^}]+))?\}|\[\[(\w+)(?::(\w+))?\]\]|\$(\w+)/g;

/** Splits a custom variable's query `a, b, key : value` (commas escaped as `\,`). */
export function customOptions(query: string): VariableOption[] {
  return query
    .split(/(?<!\\),/)
    .map((s) => s.replace(/\\,/g, ",").trim())
    .filter((s) => s !== "")
    .map((s) => {
      const kv = s.match(/^(.+?)\s:\s(.+)$/);
      return kv ? { text: kv[1].trim(), value: kv[2].trim() } : { text: s, value: s };
    });
}

function compareNatural(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
}

/** Grafana's option sorts: 1/2 alphabetical, 3/4 numerical, 5/6 case-insensitive, 7/8 natural. */
export function sortOptions(options: readonly VariableOption[], sort: number | undefined): VariableOption[] {
  const out = [...options];
  const num = (o: VariableOption) => {
    const m = o.text.match(/\d+(\.\d+)?/);
    return m ? Number(m[0]) : Number.NaN;
  };
  switch (sort) {
    case 1: case 2: out.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)); break;
    case 3: case 4: out.sort((a, b) => num(a) - num(b)); break;
    case 5: case 6: out.sort((a, b) => a.text.toLowerCase().localeCompare(b.text.toLowerCase())); break;
    case 7: case 8: out.sort((a, b) => compareNatural(a.text, b.text)); break;
    default: return out;
  }
  return sort % 2 === 0 ? out.reverse() : out;
}

/** Applies a variable's `/regex/flags`: the first non-empty capture group (or named `value`/`text`), else the whole match. */
export function applyVariableRegex(values: readonly VariableOption[], regex: string | undefined): VariableOption[] {
  if (!regex) return [...values];
  const m = regex.match(/^\/(.*)\/([gimsuy]*)$/s);
  const re = m ? new RegExp(m[1], m[2].replace("g", "")) : new RegExp(regex);
  const out: VariableOption[] = [];
  for (const o of values) {
    const r = re.exec(o.value);
    if (!r) continue;
    const value = r.groups?.value ?? r.slice(1).find((g) => g) ?? r[0];
    out.push({ text: r.groups?.text ?? value, value });
  }
  return out;
}

function dedupe(options: readonly VariableOption[]): VariableOption[] {
  const seen = new Set<string>();
  return options.filter((o) => (seen.has(o.value) ? false : (seen.add(o.value), true)));
}

/** The text Grafana makes of one `query_result` series: `name{a="x", b="y"} value timestamp_ms`. */
export function queryResultText(metric: Record<string, string>, value: [number, string]): string {
  const { __name__: name = "", ...labels } = metric;
  const labelText = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(", ");
  return `${name}{${labelText}} ${value[1]} ${Math.round(value[0] * 1000)}`;
}

/** The functions of Prometheus variable queries: `label_values([match,] label)`, `query_result(expr)`, … */
export type VariableFunction =
  | { readonly fn: "label_names"; readonly match?: string }
  | { readonly fn: "label_values"; readonly label: string; readonly match?: string }
  | { readonly fn: "metrics"; readonly regex: string }
  | { readonly fn: "query_result"; readonly expr: string }
  | { readonly fn: "series"; readonly match: string };

/** Parses a Prometheus variable query; anything that is no function is a series selector (Grafana's fallback). */
export function parseVariableQuery(query: string): VariableFunction {
  const q = query.trim();
  const call = q.match(/^(label_names|label_values|metrics|query_result)\(([\s\S]*)\)$/);
  if (!call) return { fn: "series", match: q };
  const [, fn, body] = call;
  const arg = body.trim();
  if (fn === "label_names") return { fn, ...(arg ? { match: arg } : {}) };
  if (fn === "metrics") return { fn, regex: arg };
  if (fn === "query_result") return { fn, expr: arg };
  // label_values(label) or label_values(match, label): the label is after the last top-level comma.
  let depth = 0;
  let split = -1;
  let quote: string | undefined;
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if ("({[".includes(c)) depth++;
    else if (")}]".includes(c)) depth--;
    else if (c === "," && depth === 0) split = i;
  }
  const label = (split < 0 ? arg : arg.slice(split + 1)).trim();
  if (!/^[A-Za-z_]\w*$/.test(label)) throw new Error(`label_values(${arg}): "${label}" is not a label name`);
  return split < 0 ? { fn: "label_values", label } : { fn: "label_values", label, match: arg.slice(0, split).trim() };
}

async function runVariableQuery(f: VariableFunction, lookup: VariableLookup, startS: number, endS: number): Promise<VariableOption[]> {
  const plain = (vs: readonly string[]) => vs.map((v) => ({ text: v, value: v }));
  switch (f.fn) {
    case "label_names":
      return plain(await lookup.labelNames(f.match, startS, endS));
    case "label_values":
      return plain(await lookup.labelValues(f.label, f.match, startS, endS));
    case "metrics": {
      const re = new RegExp(f.regex);
      return plain((await lookup.labelValues("__name__", undefined, startS, endS)).filter((n) => re.test(n)));
    }
    case "query_result":
      return plain((await lookup.instant(f.expr, endS)).map((s) => queryResultText(s.metric, s.value)));
    case "series":
      return plain(
        (await lookup.series(f.match, startS, endS)).map(({ __name__: name = "", ...labels }) => `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`),
      );
  }
}

/** Dashboard variables ordered so that each comes after the variables its query refers to. */
export function variableOrder(variables: readonly VariableJson[]): VariableJson[] {
  const byName = new Map(variables.map((v) => [v.name, v]));
  const out: VariableJson[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (v: VariableJson, path: string[]) => {
    if (state.get(v.name) === "done") return;
    if (state.get(v.name) === "visiting") throw new Error(`variables refer to each other in a cycle: ${[...path, v.name].join(" → ")}`);
    state.set(v.name, "visiting");
    for (const dep of referencedVariables(`${queryText(v)} ${v.allValue ?? ""}`)) {
      const d = byName.get(dep);
      if (d && d !== v) visit(d, [...path, v.name]);
    }
    state.set(v.name, "done");
    out.push(v);
  };
  variables.forEach((v) => visit(v, []));
  return out;
}

/**
 * Resolves every variable of a dashboard for its saved (default) selection, in dependency order:
 * query variables ask `lookup` over the time range with the variables before them filled in, then go
 * through the variable's regex and sort; a saved selection no longer among the options falls back to
 * the first option (All when the variable has it), as Grafana does on load.
 */
export async function resolveVariables(dashboard: DashboardJson, lookup: VariableLookup, o: ResolveOptions): Promise<Map<string, ResolvedVariable>> {
  const resolved = new Map<string, ResolvedVariable>();
  const startS = Math.floor(o.fromMs / 1000);
  const endS = Math.ceil(o.toMs / 1000);
  const rangeS = Math.round((o.toMs - o.fromMs) / 1000);
  const scrape = o.scrapeInterval ?? DEFAULT_SCRAPE_INTERVAL;
  const builtIns: Record<string, string> = {
    __interval: scrape,
    __interval_ms: String(parseGrafanaDuration(scrape)),
    __range: `${rangeS}s`,
    __range_s: String(rangeS),
    __range_ms: String(o.toMs - o.fromMs),
    __from: String(o.fromMs),
    __to: String(o.toMs),
  };
  for (const v of variableOrder(dashboard.templating?.list ?? [])) {
    const saved = (v.options ?? [])
      .map((x) => ({ text: asList(x.text)[0] ?? asList(x.value)[0] ?? "", value: asList(x.value)[0] ?? "" }))
      .filter((x) => x.value !== ALL_VALUE);
    let options: VariableOption[] = [];
    let query: string | undefined;
    let empty: string | undefined;
    switch (v.type) {
      case "query": {
        query = interpolate(queryText(v), resolved, builtIns);
        if (v.refresh === 1 || v.refresh === 2) {
          try {
            options = await runVariableQuery(parseVariableQuery(query), lookup, startS, endS);
          } catch (e) {
            empty = `its query ${query} failed: ${(e as Error).message}`;
          }
        } else {
          options = saved;
        }
        options = sortOptions(dedupe(applyVariableRegex(options, v.regex)), v.sort);
        if (options.length === 0 && !empty) empty = `its query ${query} returned no values${v.regex ? ` matching ${v.regex}` : ""}`;
        break;
      }
      case "custom":
        options = saved.length > 0 ? saved : customOptions(queryText(v));
        break;
      case "interval":
        if (v.auto) throw new Error(`variable $${v.name}: an interval variable's auto option is not supported by this check`);
        options = customOptions(queryText(v));
        break;
      case "constant":
        options = [{ text: queryText(v), value: queryText(v) }];
        break;
      case "textbox": {
        const value = asList(v.current?.value)[0] ?? queryText(v);
        options = [{ text: value, value }];
        break;
      }
      case "datasource": {
        const value = asList(v.current?.value)[0] ?? "";
        options = value ? [{ text: asList(v.current?.text)[0] ?? value, value }] : [];
        break;
      }
      default:
        // adhoc, groupby, …: no text to substitute.
        continue;
    }
    if (options.length === 0 && !empty) empty = "it has no options";
    resolved.set(v.name, {
      name: v.name,
      type: v.type,
      multi: v.multi ?? false,
      includeAll: v.includeAll ?? false,
      ...(v.allValue ? { allValue: v.allValue } : {}),
      options,
      selected: selection(v, options),
      ...(query !== undefined ? { query } : {}),
      ...(empty ? { empty } : {}),
    });
  }
  return resolved;
}

function selection(v: VariableJson, options: readonly VariableOption[]): VariableOption[] | "all" {
  const current = asList(v.current?.value);
  if (v.includeAll && current.includes(ALL_VALUE)) return "all";
  const kept = options.filter((o) => current.includes(o.value));
  if (kept.length > 0) return v.multi ? kept : kept.slice(0, 1);
  if (v.includeAll) return "all";
  return options.slice(0, 1);
}

// ─── Interpolation ──────────────────────────────────────────────────────────────────────────────────

/** A value escaped for a PromQL string, as Grafana's Prometheus datasource does for single values. */
export function prometheusRegularEscape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/'/g, "\\\\'");
}

/** A value escaped as a literal inside a PromQL regex matcher (a backslash per regex metacharacter, doubled for the string). */
export function prometheusSpecialRegexEscape(value: string): string {
  return value.replace(/\\/g, "\\\\\\\\").replace(/[$^*{}[\]+?.()|]/g, "\\\\$&");
}

/** Grafana's `regex` format: metacharacters escaped with one backslash, several values as `(a|b)`. */
function regexFormat(values: readonly string[]): string {
  const esc = values.map((v) => v.replace(/[\\^$*+?.()|[\]{}/]/g, "\\$&"));
  return esc.length === 1 ? esc[0] : `(${esc.join("|")})`;
}

/** The Prometheus datasource's default formatting of a variable's value(s). */
function prometheusFormat(values: readonly string[], v: ResolvedVariable, wasList: boolean): string {
  if (!v.multi && !v.includeAll) return prometheusRegularEscape(values.join(","));
  const esc = values.map(prometheusSpecialRegexEscape);
  if (!wasList || esc.length === 1) return esc.join("|");
  return `(${esc.join("|")})`;
}

function format(values: readonly string[], texts: readonly string[], v: ResolvedVariable, fmt: string | undefined, wasList: boolean): string {
  switch (fmt) {
    case undefined:
      return prometheusFormat(values, v, wasList);
    case "raw":
    case "csv":
      return values.join(",");
    case "pipe":
      return values.join("|");
    case "regex":
      return regexFormat(values);
    case "text":
      return texts.join(" + ");
    case "json":
      return JSON.stringify(wasList ? values : values[0]);
    case "doublequote":
      return values.map((x) => `"${x.replace(/"/g, '\\"')}"`).join(",");
    case "singlequote":
      return values.map((x) => `'${x.replace(/'/g, "\\'")}'`).join(",");
    case "percentencode":
      return encodeURIComponent(wasList ? `{${values.join(",")}}` : values[0]);
    case "glob":
    default:
      // Grafana falls back to glob for a format it does not know.
      return wasList && values.length > 1 ? `{${values.join(",")}}` : values.join(",");
  }
}

/**
 * Fills a text's variables: dashboard variables by their selection (formatted for Prometheus unless a
 * `:format` says otherwise), built-ins (`__interval`, `__range`, …) verbatim, `scoped` (a repeated
 * panel's single value) before both. A name that is none of them stays as written, as in Grafana.
 */
export function interpolate(
  text: string,
  variables: ReadonlyMap<string, ResolvedVariable>,
  builtIns: Readonly<Record<string, string>> = {},
  scoped: Readonly<Record<string, VariableOption>> = {},
): string {
  return text.replace(VARIABLE_PATTERN, (whole, braceName?: string, braceFmt?: string, bracketName?: string, bracketFmt?: string, bare?: string) => {
    const name = (braceName ?? bracketName ?? bare)!;
    const fmt = braceFmt ?? bracketFmt;
    const v = variables.get(name);
    const single = scoped[name];
    if (single) {
      return v ? format([single.value], [single.text], v, fmt, false) : single.value;
    }
    if (!v) return builtIns[name] ?? whole;
    if (v.selected === "all") {
      if (v.allValue !== undefined && fmt !== "text" && fmt !== "percentencode") {
        // A custom allValue is used verbatim (its own variables filled in).
        return interpolate(v.allValue, variables, builtIns, scoped);
      }
      if (fmt === "text") return "All";
      return format(v.options.map((o) => o.value), v.options.map((o) => o.text), v, fmt, true);
    }
    const wasList = v.multi;
    return format(v.selected.map((o) => o.value), v.selected.map((o) => o.text), v, fmt, wasList);
  });
}

// ─── Panel queries ──────────────────────────────────────────────────────────────────────────────────

/** Which datasource references are Prometheus: by type, by the provisioned uid or name, or through a datasource variable. */
function isPrometheusRef(ref: DatasourceRefJson | undefined, dashboard: DashboardJson, fallback: boolean): boolean {
  if (ref === undefined || ref === null) return fallback;
  const prom: { uid: string; name: string; type: string } = DATASOURCES.prometheus;
  const dsVariables = (dashboard.templating?.list ?? []).filter((v) => v.type === "datasource");
  const variableType = (text: string | undefined): string | undefined => {
    const name = text ? referencedVariables(text)[0] : undefined;
    const v = name ? dsVariables.find((d) => d.name === name) : undefined;
    return v ? queryText(v) : undefined;
  };
  if (typeof ref === "string") {
    return ref === prom.name || ref === prom.uid || variableType(ref) === prom.type;
  }
  if (ref.type) return ref.type === prom.type;
  if (ref.uid === "-- Mixed --" || ref.uid === "-- Dashboard --") return false;
  return ref.uid === prom.uid || variableType(ref.uid) === prom.type;
}

/** One Prometheus query of a panel as the dashboard JSON writes it. */
export interface PanelTarget {
  readonly dashboardUid: string;
  readonly dashboardTitle: string;
  /** Title of the row the panel is in, if any. */
  readonly row?: string;
  readonly panelId?: number;
  readonly panelTitle: string;
  readonly panelType: string;
  readonly refId: string;
  /** The expression as written, variables unfilled. */
  readonly expr: string;
  /** Instant query (the panel shows the last value). Grafana runs both when both are set. */
  readonly instant: boolean;
  /** Range query; Grafana's default when neither is set. */
  readonly range: boolean;
  readonly minInterval?: string;
  readonly minStep?: string;
  readonly intervalFactor?: number;
  readonly maxDataPoints?: number;
  /** Grid width (of 24 columns). */
  readonly width: number;
  /** The variable the panel is repeated for. */
  readonly repeat?: string;
}

/**
 * Every Prometheus query of every panel of a dashboard, rows and collapsed rows' panels included, in
 * panel order. Hidden queries and queries of other datasources (Loki, Jaeger, …) are left out; a
 * target without a datasource uses its panel's, a panel without one Grafana's default (Prometheus here).
 */
export function prometheusTargets(dashboard: DashboardJson): PanelTarget[] {
  const out: PanelTarget[] = [];
  let row: string | undefined;
  const visit = (panel: PanelJson, inRow: string | undefined) => {
    if (panel.type === "row") {
      row = panel.title;
      (panel.panels ?? []).forEach((p) => visit(p, panel.title));
      return;
    }
    const panelIsProm = isPrometheusRef(panel.datasource, dashboard, true);
    for (const t of panel.targets ?? []) {
      if (t.hide || !t.expr) continue;
      if (!isPrometheusRef(t.datasource, dashboard, panelIsProm)) continue;
      out.push({
        dashboardUid: dashboard.uid ?? "",
        dashboardTitle: dashboard.title ?? "(untitled)",
        ...(inRow !== undefined ? { row: inRow } : {}),
        ...(panel.id !== undefined ? { panelId: panel.id } : {}),
        panelTitle: panel.title ?? "(untitled)",
        panelType: panel.type ?? "",
        refId: t.refId ?? "?",
        expr: t.expr,
        instant: t.instant === true,
        range: t.range === true || t.instant !== true,
        ...(panel.interval ? { minInterval: panel.interval } : {}),
        ...(t.interval ? { minStep: t.interval } : {}),
        ...(t.intervalFactor ? { intervalFactor: t.intervalFactor } : {}),
        ...(panel.maxDataPoints ? { maxDataPoints: panel.maxDataPoints } : {}),
        width: panel.gridPos?.w ?? 12,
        ...(panel.repeat ? { repeat: panel.repeat } : {}),
      });
    }
    (panel.panels ?? []).forEach((p) => visit(p, inRow));
  };
  for (const p of dashboard.panels ?? []) visit(p, p.type === "row" ? undefined : row);
  return out;
}

/** Options of {@link expandPanelQueries}. */
export interface ExpandOptions {
  readonly fromMs: number;
  readonly toMs: number;
  /** The datasource's scrape interval (`timeInterval`). @default 15s */
  readonly scrapeInterval?: string;
  /** Width of the dashboard in pixels, for the default max data points of a panel (its width). @default 1920 */
  readonly viewportWidth?: number;
  /** Max data points of every panel, instead of its width. @default the panel's, else its width in pixels */
  readonly maxDataPoints?: number;
}

/** One query as Grafana sends it to Prometheus. */
export interface ExpandedQuery {
  readonly target: PanelTarget;
  /** The repeated panel's value, when the panel repeats for a variable. */
  readonly repeatValue?: string;
  readonly kind: "range" | "instant";
  /** The expression Prometheus receives. */
  readonly expr: string;
  /** Range queries: aligned start, end (ms) and step (ms). Instant queries: the time (ms) as `endMs`. */
  readonly startMs: number;
  readonly endMs: number;
  readonly stepMs: number;
  readonly intervals: GrafanaIntervals;
  /** The dashboard variables the expression uses that have no values (each with the reason). */
  readonly emptyVariables: readonly string[];
}

/** The pixels of a panel `w` grid columns wide, Grafana's default max data points. */
export function panelWidthPixels(w: number, viewportWidth = 1920): number {
  return Math.max(1, Math.round((w / 24) * viewportWidth));
}

/**
 * The queries of one dashboard as Grafana sends them for the default selection: variables filled,
 * built-ins computed per query, one query per instant/range kind, one per value of a repeated panel.
 */
export function expandPanelQueries(dashboard: DashboardJson, variables: ReadonlyMap<string, ResolvedVariable>, o: ExpandOptions): ExpandedQuery[] {
  const out: ExpandedQuery[] = [];
  for (const target of prometheusTargets(dashboard)) {
    const repeatVar = target.repeat ? variables.get(target.repeat) : undefined;
    const repeatValues: Array<VariableOption | undefined> = repeatVar
      ? repeatVar.selected === "all" ? [...repeatVar.options] : [...repeatVar.selected]
      : [undefined];
    const intervals = grafanaIntervals({
      fromMs: o.fromMs,
      toMs: o.toMs,
      maxDataPoints: o.maxDataPoints ?? target.maxDataPoints ?? panelWidthPixels(target.width, o.viewportWidth),
      minInterval: target.minInterval ? interpolate(target.minInterval, variables) : undefined,
      minStep: target.minStep,
      scrapeInterval: o.scrapeInterval,
      intervalFactor: target.intervalFactor,
    });
    const builtIns = builtInVariables(intervals, o.fromMs, o.toMs);
    const used = referencedVariables(target.expr);
    const emptyVariables = used.flatMap((n) => {
      const v = variables.get(n);
      return v?.empty ? [`$${n}: ${v.empty}`] : [];
    });
    for (const value of repeatValues) {
      const scoped = value && target.repeat ? { [target.repeat]: value } : {};
      const expr = interpolate(target.expr, variables, builtIns, scoped);
      const common = { target, ...(value ? { repeatValue: value.value } : {}), expr, intervals, emptyVariables };
      if (target.range) {
        const { startMs, endMs } = alignRange(o.fromMs, o.toMs, intervals.stepMs);
        out.push({ ...common, kind: "range", startMs, endMs, stepMs: intervals.stepMs });
      }
      if (target.instant) {
        out.push({ ...common, kind: "instant", startMs: o.toMs, endMs: o.toMs, stepMs: intervals.stepMs });
      }
    }
  }
  return out;
}
