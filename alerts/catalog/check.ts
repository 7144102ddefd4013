import { COMPARISON_OPS, Expr, numberValue, parseExpr, PromQLSyntaxError, SelectorExpr, selectorsOf } from "./analyze";
import type { MetricCatalog, ResolvedSeries } from "./index";
import { GUIDE_RENAMES } from "./renames";
import { CATALOG } from "./sources";
import type { MetricDeclaration } from "./types";

/** One violation of metric provenance. */
export interface Finding {
  readonly severity: "error" | "warning";
  /** Owner of the expression: alert, recording rule, or dashboard and panel. */
  readonly where: string;
  readonly metric?: string;
  readonly label?: string;
  /** Why, with "did you mean …" when a close catalog name exists. */
  readonly message: string;
}

/** Input of {@link checkProvenance}. */
export interface ProvenanceInput {
  /** Alert expressions and dashboard queries, each with its owner. */
  readonly expressions: readonly { readonly where: string; readonly expr: string }[];
  /** Recording rules: checked like expressions, and their series become selectable. */
  readonly recordingRules: readonly { readonly record: string; readonly expr: string; readonly labels?: Readonly<Record<string, string>> }[];
  readonly catalog: MetricCatalog;
  /**
   * How a latency threshold that is not a bucket boundary of the histogram it compares is reported.
   * @default "error"
   */
  readonly bucketPolicy?: "error" | "warning";
}

/** Functions that need a counter (or a histogram/summary `_bucket`, `_sum`, `_count` series). */
const COUNTER_FUNCTIONS = new Set(["rate", "irate", "increase", "resets"]);
/** Functions meant for gauges: they misread counter resets. */
const GAUGE_FUNCTIONS = new Set(["deriv", "predict_linear", "delta", "idelta", "holt_winters", "double_exponential_smoothing"]);
/** Functions whose result has no labels. */
const LABELLESS_FUNCTIONS = new Set(["vector", "time", "scalar", "pi", "minute", "hour", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "month", "year"]);

/** A label set known to an expression's result: names plus accepted prefixes; undefined = unknown. */
interface LabelSet {
  readonly names: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

/** What the checker knows about a recorded series. */
interface Recorded {
  labels: LabelSet | undefined;
  /** The histogram whose buckets the recorded series carries (a rate of `_bucket` series, `le` kept). */
  bucketsOf?: MetricDeclaration;
  /** The histogram a `histogram_quantile` recorded series estimates. */
  quantileOf?: MetricDeclaration;
}

interface Resolution {
  readonly series: string;
  readonly catalog?: ResolvedSeries;
  readonly recorded?: Recorded;
}

/**
 * Checks that every metric an expression selects is exported by a scraped job or recorded by a rule,
 * that functions fit the metric types, that label names exist, and that thresholds on declared
 * histograms lie on bucket boundaries. Returns the findings (errors and warnings), in input order.
 */
export function checkProvenance(input: ProvenanceInput): Finding[] {
  const policy = input.bucketPolicy ?? "error";
  const recorded = new Map<string, Recorded>();
  // Two passes so that a rule may select a series recorded by a rule listed after it.
  for (let pass = 0; pass < 2; pass++) {
    for (const rule of input.recordingRules) {
      let expr: Expr;
      try {
        expr = parseExpr(rule.expr);
      } catch {
        continue;
      }
      const ctx = new Context(input.catalog, recorded, `recording rule "${rule.record}"`, policy);
      const labels = ctx.labelsOf(expr);
      const staticLabels = Object.keys(rule.labels ?? {});
      recorded.set(rule.record, {
        labels: labels ? { names: new Set([...labels.names, ...staticLabels]), prefixes: labels.prefixes } : undefined,
        ...ctx.histogramFacts(expr),
      });
    }
  }
  const findings: Finding[] = [];
  const all = [
    ...input.recordingRules.map((r) => ({ where: `recording rule "${r.record}"`, expr: r.expr })),
    ...input.expressions,
  ];
  for (const { where, expr } of all) {
    let parsed: Expr;
    try {
      parsed = parseExpr(expr);
    } catch (e) {
      const msg = e instanceof PromQLSyntaxError ? e.message : String(e);
      findings.push({ severity: "error", where, message: msg });
      continue;
    }
    const ctx = new Context(input.catalog, recorded, where, policy);
    ctx.check(parsed);
    findings.push(...ctx.findings);
  }
  return findings;
}

/** One line per finding: `error: <where>: <metric or label>: <why>`. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const subject = f.label !== undefined ? `label "${f.label}"${f.metric ? ` of "${f.metric}"` : ""}` : f.metric !== undefined ? `metric "${f.metric}"` : "";
      return `${f.severity}: ${f.where}: ${subject ? `${subject}: ` : ""}${f.message}`;
    })
    .join("\n");
}

/**
 * Runs {@link checkProvenance}; throws an Error listing every error (one per line), after printing
 * warnings with `console.warn`. Returns the warnings.
 */
export function assertProvenance(input: ProvenanceInput): Finding[] {
  const findings = checkProvenance(input);
  const errors = findings.filter((f) => f.severity === "error");
  const warnings = findings.filter((f) => f.severity === "warning");
  if (warnings.length > 0) console.warn(formatFindings(warnings));
  if (errors.length > 0) {
    throw new Error(`metric provenance: ${errors.length} error(s)\n${formatFindings(errors)}`);
  }
  return warnings;
}

class Context {
  readonly findings: Finding[] = [];

  constructor(
    private readonly catalog: MetricCatalog,
    private readonly recorded: ReadonlyMap<string, Recorded>,
    private readonly where: string,
    private readonly policy: "error" | "warning",
  ) {}

  private report(f: Omit<Finding, "where" | "severity"> & { severity?: Finding["severity"] }): void {
    const finding: Finding = { severity: f.severity ?? "error", where: this.where, ...f };
    if (!this.findings.some((x) => x.message === finding.message && x.metric === finding.metric && x.label === finding.label)) {
      this.findings.push(finding);
    }
  }

  resolve(series: string): Resolution {
    const catalog = this.catalog.resolve(series);
    if (catalog) return { series, catalog };
    const rec = this.recorded.get(series);
    if (rec) return { series, recorded: rec };
    return { series };
  }

  /** Checks an expression tree, reporting into {@link findings}. */
  check(expr: Expr): void {
    switch (expr.kind) {
      case "selector":
        this.checkSelector(expr);
        return;
      case "call":
        expr.args.forEach((a) => this.check(a));
        this.checkCall(expr.fn, expr.args);
        return;
      case "aggregate": {
        expr.args.forEach((a) => this.check(a));
        const inner = expr.args[expr.args.length - 1];
        const labels = inner ? this.labelsOf(inner) : undefined;
        const clause = expr.by ? "by" : "without";
        for (const l of expr.by ?? expr.without ?? []) {
          if (labels && !has(labels, l)) {
            this.report({ label: l, message: `${expr.op} ${clause} (${l}): the aggregated series have no label "${l}"${labelList(labels)}${suggest(l, [...labels.names])}` });
          }
        }
        return;
      }
      case "binary":
        this.check(expr.left);
        this.check(expr.right);
        this.checkMatching(expr);
        this.checkThreshold(expr);
        return;
      case "unary":
      case "subquery":
        this.check(expr.expr);
        return;
      default:
        return;
    }
  }

  private checkSelector(sel: SelectorExpr): void {
    if (sel.metric === undefined) return;
    const r = this.resolve(sel.metric);
    if (!r.catalog && !r.recorded) {
      this.report({ metric: sel.metric, message: this.unknownMetricMessage(sel.metric) });
      return;
    }
    const labels = this.seriesLabels(r);
    if (!labels) return;
    for (const m of sel.matchers) {
      if (!has(labels, m.label)) {
        this.report({
          metric: sel.metric,
          label: m.label,
          message: `no such label on "${sel.metric}"${labelList(labels)}${suggest(m.label, [...labels.names])}`,
        });
      }
    }
  }

  private unknownMetricMessage(name: string): string {
    const owners = Object.values(CATALOG)
      .filter((s) => s.metrics.some((d) => seriesNames(d).includes(name)))
      .map((s) => s.job)
      .filter((job) => !this.catalog.jobs.includes(job));
    if (owners.length > 0) {
      return `exported only by job "${owners.join('", "')}", which the stack does not scrape (disabled)`;
    }
    const candidates = [...this.catalog.seriesNames, ...this.recorded.keys()];
    const renamed = GUIDE_RENAMES[name];
    if (renamed && candidates.includes(renamed)) {
      return `not exported by any scraped job nor recorded by a rule (an outdated name); did you mean "${renamed}"?`;
    }
    return `not exported by any scraped job nor recorded by a rule${suggest(name, candidates)}`;
  }

  private checkCall(fn: string, args: readonly Expr[]): void {
    if (COUNTER_FUNCTIONS.has(fn) || GAUGE_FUNCTIONS.has(fn)) {
      const arg = args[0];
      if (!arg) return;
      // Only a raw series (`m[5m]`, `m[5m:1m]`) has the catalog's type; a subquery over a computed
      // expression (`sum(increase(c[1d]))[30d:1h]`) yields gauge-like values whatever it selects.
      const raw = arg.kind === "selector" ? arg : arg.kind === "subquery" && arg.expr.kind === "selector" ? arg.expr : undefined;
      for (const sel of raw ? [raw] : []) {
        if (sel.metric === undefined) continue;
        const r = this.resolve(sel.metric);
        if (!r.catalog) continue;
        const { declaration: d, kind } = r.catalog;
        const counterLike = d.type === "counter" || kind === "bucket" || kind === "sum" || kind === "count";
        if (COUNTER_FUNCTIONS.has(fn) && !counterLike) {
          const what = d.type === "summary" ? "a summary's quantile series; use its _sum or _count" : "a gauge; use deriv() or delta() for a gauge, or the gauge itself";
          this.report({ metric: sel.metric, message: `${fn}() needs a counter, but "${sel.metric}" is ${what}` });
        }
        if (GAUGE_FUNCTIONS.has(fn) && counterLike) {
          this.report({ metric: sel.metric, message: `${fn}() is for gauges, but "${sel.metric}" is ${describe(r.catalog)}; use rate() or increase()` });
        }
      }
    }
    if (fn === "histogram_quantile" && args[1]) {
      for (const sel of selectorsOf(args[1])) {
        if (sel.metric === undefined) continue;
        const r = this.resolve(sel.metric);
        if (r.catalog && r.catalog.kind !== "bucket") {
          this.report({ metric: sel.metric, message: `histogram_quantile() needs _bucket series, but "${sel.metric}" is ${describe(r.catalog)}` });
        } else if (r.recorded && !/bucket/i.test(sel.metric) && !r.recorded.bucketsOf) {
          this.report({ metric: sel.metric, message: `histogram_quantile() needs _bucket series, but recorded series "${sel.metric}" does not say bucket in its name` });
        }
      }
    }
  }

  private checkMatching(expr: Extract<Expr, { kind: "binary" }>): void {
    // A scalar side takes no part in vector matching.
    const left = numberValue(expr.left) === undefined ? this.labelsOf(expr.left) : undefined;
    const right = numberValue(expr.right) === undefined ? this.labelsOf(expr.right) : undefined;
    const sides: [string, LabelSet | undefined][] = [["left", left], ["right", right]];
    for (const l of expr.on ?? []) {
      for (const [side, labels] of sides) {
        if (labels && !has(labels, l)) {
          this.report({ label: l, message: `on (${l}): the ${side} side has no label "${l}"${labelList(labels)}${suggest(l, [...labels.names])}` });
        }
      }
    }
    for (const l of expr.ignoring ?? []) {
      if (left && right && !has(left, l) && !has(right, l)) {
        this.report({ label: l, message: `ignoring (${l}): neither side has label "${l}"${suggest(l, [...left.names, ...right.names])}` });
      }
    }
    const extra: [string, readonly string[] | undefined, LabelSet | undefined][] = [
      ["group_left", expr.groupLeft, right],
      ["group_right", expr.groupRight, left],
    ];
    for (const [clause, labels, oneSide] of extra) {
      for (const l of labels ?? []) {
        if (oneSide && !has(oneSide, l)) {
          this.report({ label: l, message: `${clause} (${l}): the "one" side has no label "${l}" to copy${labelList(oneSide)}${suggest(l, [...oneSide.names])}` });
        }
      }
    }
  }

  private checkThreshold(expr: Extract<Expr, { kind: "binary" }>): void {
    if (!COMPARISON_OPS.has(expr.op)) return;
    const pairs: [Expr, Expr][] = [[expr.left, expr.right], [expr.right, expr.left]];
    for (const [side, other] of pairs) {
      const threshold = numberValue(other);
      if (threshold === undefined) continue;
      const histogram = this.quantileHistogram(side);
      if (!histogram?.buckets || histogram.buckets.length === 0) continue;
      if (histogram.buckets.some((b) => Math.abs(b - threshold) <= 1e-9 * Math.max(1, Math.abs(b)))) continue;
      const below = [...histogram.buckets].filter((b) => b < threshold).pop();
      const above = histogram.buckets.find((b) => b > threshold);
      const near = [below, above].filter((b) => b !== undefined).join(" or ");
      this.report({
        severity: this.policy,
        metric: histogram.name,
        message:
          `threshold ${threshold} is not a bucket boundary of histogram "${histogram.name}" (buckets: ${histogram.buckets.join(", ")}), ` +
          `so histogram_quantile interpolates and the comparison is not exact; did you mean ${near}?`,
      });
    }
  }

  /** The declared histogram a quantile expression estimates (directly or through a recorded series). */
  private quantileHistogram(expr: Expr): MetricDeclaration | undefined {
    if (expr.kind === "call" && expr.fn === "histogram_quantile" && expr.args[1]) {
      return this.histogramFacts(expr.args[1]).bucketsOf;
    }
    if (expr.kind === "selector" && expr.metric) return this.recorded.get(expr.metric)?.quantileOf;
    if (expr.kind === "aggregate" && ["max", "min", "avg", "quantile", "topk", "bottomk"].includes(expr.op)) {
      return this.quantileHistogram(expr.args[expr.args.length - 1]);
    }
    if (expr.kind === "call" && ["clamp_min", "clamp_max", "clamp", "abs", "sort", "sort_desc", "last_over_time", "max_over_time", "min_over_time", "avg_over_time"].includes(expr.fn)) {
      return expr.args[0] ? this.quantileHistogram(expr.args[0].kind === "subquery" ? expr.args[0].expr : expr.args[0]) : undefined;
    }
    return undefined;
  }

  /** Which declared histogram's buckets an expression carries, and which histogram it is a quantile of. */
  histogramFacts(expr: Expr): { bucketsOf?: MetricDeclaration; quantileOf?: MetricDeclaration } {
    if (expr.kind === "call" && expr.fn === "histogram_quantile" && expr.args[1]) {
      const q = this.histogramFacts(expr.args[1]).bucketsOf;
      return q ? { quantileOf: q } : {};
    }
    const decls = new Set<MetricDeclaration>();
    for (const sel of selectorsOf(expr)) {
      if (!sel.metric) continue;
      const r = this.resolve(sel.metric);
      if (r.catalog?.kind === "bucket") decls.add(r.catalog.declaration);
      else if (r.recorded?.bucketsOf) decls.add(r.recorded.bucketsOf);
      else if (r.recorded?.quantileOf && expr.kind !== "aggregate") return { quantileOf: r.recorded.quantileOf };
    }
    return decls.size === 1 ? { bucketsOf: [...decls][0] } : {};
  }

  private seriesLabels(r: Resolution): LabelSet | undefined {
    if (r.catalog) return r.catalog.labels ? { names: r.catalog.labels, prefixes: r.catalog.labelPrefixes } : undefined;
    return r.recorded?.labels;
  }

  /** The labels an expression's result carries, or undefined when they cannot be known. */
  labelsOf(expr: Expr): LabelSet | undefined {
    switch (expr.kind) {
      case "selector":
        return expr.metric === undefined ? undefined : this.seriesLabels(this.resolve(expr.metric));
      case "number":
      case "string":
        return EMPTY;
      case "unary":
      case "subquery":
        return this.labelsOf(expr.expr);
      case "call": {
        if (LABELLESS_FUNCTIONS.has(expr.fn)) return EMPTY;
        if (expr.fn === "absent" || expr.fn === "absent_over_time") return undefined;
        const vector = expr.args.find((a) => a.kind !== "number" && a.kind !== "string");
        const base = vector ? this.labelsOf(vector) : EMPTY;
        if (!base) return undefined;
        if (expr.fn === "histogram_quantile") return without(base, ["le"]);
        if ((expr.fn === "label_replace" || expr.fn === "label_join") && expr.args[1]?.kind === "string") {
          return { names: new Set([...base.names, expr.args[1].value]), prefixes: base.prefixes };
        }
        return base;
      }
      case "aggregate": {
        if (expr.by) return { names: new Set(expr.by), prefixes: [] };
        const inner = this.labelsOf(expr.args[expr.args.length - 1]);
        if (!inner) return undefined;
        if (["topk", "bottomk", "limitk", "limit_ratio"].includes(expr.op)) return inner;
        if (expr.without) {
          const out = without(inner, expr.without);
          if (expr.op === "count_values" && expr.args[0]?.kind === "string") return { names: new Set([...out.names, expr.args[0].value]), prefixes: out.prefixes };
          return out;
        }
        if (expr.op === "count_values" && expr.args[0]?.kind === "string") return { names: new Set([expr.args[0].value]), prefixes: [] };
        return EMPTY;
      }
      case "binary": {
        const left = this.labelsOf(expr.left);
        const right = this.labelsOf(expr.right);
        if (expr.left.kind === "number" || numberValue(expr.left) !== undefined) return right;
        if (expr.right.kind === "number" || numberValue(expr.right) !== undefined) return left;
        if (expr.op === "or") return left && right ? union(left, right) : undefined;
        if (expr.groupRight) return right ? { names: new Set([...right.names, ...expr.groupRight]), prefixes: right.prefixes } : undefined;
        if (!left) return undefined;
        if (expr.groupLeft) return { names: new Set([...left.names, ...expr.groupLeft]), prefixes: left.prefixes };
        if (expr.on && !COMPARISON_OPS.has(expr.op) && !["and", "unless"].includes(expr.op)) return { names: new Set(expr.on), prefixes: [] };
        return left;
      }
    }
  }
}

const EMPTY: LabelSet = { names: new Set(), prefixes: [] };

function has(labels: LabelSet, label: string): boolean {
  return label === "__name__" || labels.names.has(label) || labels.prefixes.some((p) => label.startsWith(p));
}

function without(labels: LabelSet, remove: readonly string[]): LabelSet {
  return { names: new Set([...labels.names].filter((l) => !remove.includes(l))), prefixes: labels.prefixes };
}

function union(a: LabelSet, b: LabelSet): LabelSet {
  return { names: new Set([...a.names, ...b.names]), prefixes: [...a.prefixes, ...b.prefixes] };
}

function labelList(labels: LabelSet): string {
  const names = [...labels.names].sort();
  const prefixes = labels.prefixes.map((p) => `${p}*`);
  const all = [...names, ...prefixes];
  return all.length === 0 ? " (it has no labels)" : ` (labels: ${all.join(", ")})`;
}

function describe(r: ResolvedSeries): string {
  const d = r.declaration;
  if (r.kind === "bucket" || r.kind === "sum" || r.kind === "count") return `a ${d.type}'s _${r.kind} series`;
  return d.type === "summary" ? "a summary's quantile series" : `a ${d.type}`;
}

function seriesNames(d: MetricDeclaration): string[] {
  if (d.type === "histogram") return [`${d.name}_bucket`, `${d.name}_sum`, `${d.name}_count`];
  if (d.type === "summary") return [d.name, `${d.name}_sum`, `${d.name}_count`];
  return [d.name];
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** `; did you mean "x", "y"?` with the up to three closest names, or "" when none is close. */
export function suggest(name: string, candidates: readonly string[]): string {
  const limit = Math.max(2, Math.floor(name.length * 0.4));
  const ranked = [...new Set(candidates)]
    // A longer name that extends the unknown one (`foo` → `foo_total`) counts as close.
    .map((c) => ({ c, d: c.startsWith(`${name}_`) ? 1 : editDistance(name, c) }))
    .filter(({ c, d }) => c !== name && d <= limit && d < name.length)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  const best = ranked[0]?.d ?? 0;
  const closest = ranked
    .filter(({ d }) => d <= best + 1)
    .slice(0, 3)
    .map(({ c }) => `"${c}"`);
  return closest.length > 0 ? `; did you mean ${closest.join(", ")}?` : "";
}
