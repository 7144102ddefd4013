import { JOBS, SERVICE_LABEL } from "../jobs";
import { DEFAULT_APPLICATION_METRICS } from "./messenger";
import { CATALOG } from "./sources";
import { CatalogSource, MetricDeclaration, MetricType } from "./types";

export * from "./types";
export { CATALOG } from "./sources";
export { DEFAULT_APPLICATION_METRICS, DEFAULT_LATENCY_BUCKETS } from "./messenger";
export { K6_JOB, k6Metrics } from "./k6";
export { GUIDE_RENAMES } from "./renames";

/** Which series of a metric family a name selects. */
export type SeriesKind = "value" | "bucket" | "sum" | "count";

/** A series name resolved against the catalog. */
export interface ResolvedSeries {
  /** The series name as written in the query. */
  readonly series: string;
  readonly declaration: MetricDeclaration;
  readonly kind: SeriesKind;
  /** Jobs that expose it. */
  readonly jobs: readonly string[];
  /** Label names it may carry, or `undefined` when any label is possible (e.g. `ALERTS`). */
  readonly labels: ReadonlySet<string> | undefined;
  readonly labelPrefixes: readonly string[];
}

/** The metrics a given stack can query: its scraped jobs' catalogs plus the series Prometheus makes itself. */
export interface MetricCatalog {
  readonly jobs: readonly string[];
  /** Resolves a series name (`foo_total`, `foo_bucket`, `foo_sum`, …), or `undefined` when nothing exports it. */
  resolve(series: string): ResolvedSeries | undefined;
  /** Every selectable series name, for "did you mean". */
  readonly seriesNames: readonly string[];
}

/** Series Prometheus synthesises for every target, and for rules. */
const SYNTHETIC: readonly { declaration: MetricDeclaration; openLabels?: boolean }[] = [
  { declaration: { name: "up", type: "gauge", labels: [], help: "1 if the target was scraped successfully." } },
  { declaration: { name: "scrape_duration_seconds", type: "gauge", labels: [] } },
  { declaration: { name: "scrape_samples_scraped", type: "gauge", labels: [] } },
  { declaration: { name: "scrape_samples_post_metric_relabeling", type: "gauge", labels: [] } },
  { declaration: { name: "scrape_series_added", type: "gauge", labels: [] } },
  { declaration: { name: "ALERTS", type: "gauge", labels: ["alertname", "alertstate"] }, openLabels: true },
  { declaration: { name: "ALERTS_FOR_STATE", type: "gauge", labels: ["alertname"] }, openLabels: true },
];

const TARGET_LABELS = ["job", "instance"];

/** Options of {@link buildCatalog}. */
export interface BuildCatalogOptions {
  /**
   * Jobs the stack scrapes (or receives by remote write, e.g. `"k6"`). A job that is absent, e.g. a
   * disabled exporter, contributes no metrics.
   */
  readonly scrapedJobs: readonly string[];
  /** The application's declared metrics, exposed by the application job (`performance-metrics`). */
  readonly application: readonly MetricDeclaration[];
  /** @default JOBS.application */
  readonly applicationJob?: string;
  /** Extra target labels per job, from `static_configs[].labels` or relabelling. @default none */
  readonly extraTargetLabels?: Readonly<Record<string, readonly string[]>>;
}

interface Entry {
  declaration: MetricDeclaration;
  jobs: string[];
  labels: Set<string> | undefined;
  labelPrefixes: string[];
}

function implicitLabels(type: MetricType, kind: SeriesKind): string[] {
  if (type === "histogram" && kind === "bucket") return ["le"];
  if (type === "summary" && kind === "value") return ["quantile"];
  return [];
}

function seriesOf(d: MetricDeclaration): [string, SeriesKind][] {
  switch (d.type) {
    case "histogram":
      return [[`${d.name}_bucket`, "bucket"], [`${d.name}_sum`, "sum"], [`${d.name}_count`, "count"]];
    case "summary":
      return [[d.name, "value"], [`${d.name}_sum`, "sum"], [`${d.name}_count`, "count"]];
    default:
      return [[d.name, "value"]];
  }
}

/**
 * Builds the catalog of what a stack can query. Each scraped job adds its source's metrics with its
 * target labels; the application job adds the declared application metrics.
 */
export function buildCatalog(options: BuildCatalogOptions): MetricCatalog {
  const applicationJob = options.applicationJob ?? JOBS.application;
  const sources: CatalogSource[] = [];
  for (const job of options.scrapedJobs) {
    if (job === applicationJob) {
      // The scrape config labels each application target with its service (alerts/jobs.ts, SERVICE_LABEL).
      sources.push({
        job,
        version: "declared",
        source: "stack config",
        note: "application metrics",
        targetLabels: [...TARGET_LABELS, SERVICE_LABEL],
        metrics: [...options.application],
      });
    } else if (CATALOG[job]) {
      sources.push(CATALOG[job]);
    }
  }
  const entries = new Map<string, Entry & { kind: SeriesKind }>();
  const add = (series: string, kind: SeriesKind, declaration: MetricDeclaration, job: string | undefined, labels: string[] | undefined, prefixes: readonly string[]) => {
    const existing = entries.get(series);
    if (existing) {
      if (job && !existing.jobs.includes(job)) existing.jobs.push(job);
      if (existing.labels && labels) labels.forEach((l) => existing.labels!.add(l));
      else existing.labels = undefined;
      prefixes.forEach((p) => existing.labelPrefixes.includes(p) || existing.labelPrefixes.push(p));
      return;
    }
    entries.set(series, { declaration, kind, jobs: job ? [job] : [], labels: labels ? new Set(labels) : undefined, labelPrefixes: [...prefixes] });
  };
  // Series Prometheus makes per target (`up`, ...) carry the target labels of every job scraped.
  const everyTargetLabel = new Set(TARGET_LABELS);
  for (const source of sources) {
    const target = [...(source.targetLabels ?? TARGET_LABELS), ...(options.extraTargetLabels?.[source.job] ?? [])];
    target.forEach((l) => everyTargetLabel.add(l));
    for (const d of source.metrics) {
      for (const [series, kind] of seriesOf(d)) {
        add(series, kind, d, source.job, [...d.labels, ...target, ...implicitLabels(d.type, kind)], d.labelPrefixes ?? []);
      }
    }
  }
  for (const { declaration, openLabels } of SYNTHETIC) {
    add(declaration.name, "value", declaration, undefined, openLabels ? undefined : [...everyTargetLabel], []);
  }
  const jobs = sources.map((s) => s.job);
  return {
    jobs,
    seriesNames: [...entries.keys()].sort(),
    resolve(series: string): ResolvedSeries | undefined {
      const e = entries.get(series);
      if (!e) return undefined;
      return { series, declaration: e.declaration, kind: e.kind, jobs: e.jobs, labels: e.labels, labelPrefixes: e.labelPrefixes };
    },
  };
}

/**
 * Every job with a catalog plus the application job: a catalog as if the stack scraped everything.
 * Handy in tests and for checking expressions before a stack exists.
 */
export function fullCatalog(application: readonly MetricDeclaration[] = DEFAULT_APPLICATION_METRICS): MetricCatalog {
  return buildCatalog({ scrapedJobs: [...Object.keys(CATALOG), JOBS.application], application });
}

export { checkProvenance, assertProvenance, formatFindings } from "./check";
export type { Finding, ProvenanceInput } from "./check";
