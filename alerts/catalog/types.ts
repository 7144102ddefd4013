/**
 * The metric catalog's data model: what a scrape target exposes, as data. No cdktf import: the catalog
 * is read by the provenance checker at synth time and by tests, and could serve another runtime target.
 */

/** The four Prometheus metric types. Untyped exporter values are declared as the type they behave as. */
export type MetricType = "counter" | "gauge" | "histogram" | "summary";

/**
 * One metric family as an exporter exposes it.
 *
 * Naming follows the exposition format: a counter's `name` is the full exposed name (with `_total` when
 * the exporter adds it), a histogram's `name` is its base and the series are `name_bucket`, `name_sum`
 * and `name_count`; a summary's `name` is the quantile series and `name_sum`/`name_count` exist too.
 */
export interface MetricDeclaration {
  /** Metric name; for histograms and summaries the base name. */
  readonly name: string;
  readonly type: MetricType;
  /** The HELP text, or our own one-line description. */
  readonly help?: string;
  /**
   * Label names the exporter itself attaches. Target labels (`job`, `instance`) are added by the catalog
   * for every scraped job; `le` (histogram buckets) and `quantile` (summaries) are implied by the type.
   */
  readonly labels: readonly string[];
  /** Upper bounds of a histogram's buckets, when they are fixed and known (without `+Inf`). */
  readonly buckets?: readonly number[];
  /**
   * Prefixes of label names that vary at run time, e.g. cAdvisor's `container_label_` (one label per
   * Docker label). Any label starting with one of them is accepted.
   */
  readonly labelPrefixes?: readonly string[];
}

/** The metrics one scrape job (or remote-write sender) provides, at one pinned version. */
export interface CatalogSource {
  /** Scrape job name (see alerts/jobs.ts), or the pseudo job of a remote-write sender. */
  readonly job: string;
  /** The version the stack runs: the image tag pinned in constructs/versions.ts, or the API version. */
  readonly version: string;
  /** The upstream source the list was read from (repository, ref and file, or a documentation page). */
  readonly source: string;
  /** What the list covers and any caveat (flags, defaults). */
  readonly note: string;
  /**
   * Labels every series of this source carries besides the exporter's own.
   * @default ["job", "instance"] (Prometheus target labels)
   */
  readonly targetLabels?: readonly string[];
  readonly metrics: readonly MetricDeclaration[];
}

/** Declares a counter. `name` must be the exposed name, usually ending in `_total`. */
export function counter(name: string, labels: readonly string[] = [], help?: string): MetricDeclaration {
  return { name, type: "counter", labels, ...(help ? { help } : {}) };
}

/** Declares a gauge. */
export function gauge(name: string, labels: readonly string[] = [], help?: string): MetricDeclaration {
  return { name, type: "gauge", labels, ...(help ? { help } : {}) };
}

/** Declares a histogram by its base name; `buckets` when the exporter's bounds are fixed and known. */
export function histogram(
  name: string,
  labels: readonly string[] = [],
  help?: string,
  buckets?: readonly number[],
): MetricDeclaration {
  return { name, type: "histogram", labels, ...(help ? { help } : {}), ...(buckets ? { buckets } : {}) };
}

/** Declares a summary by its quantile series name (`name_sum` and `name_count` exist too). */
export function summary(name: string, labels: readonly string[] = [], help?: string): MetricDeclaration {
  return { name, type: "summary", labels, ...(help ? { help } : {}) };
}

/** Declares several metrics of one type and label set, for families like node_exporter's meminfo. */
export function many(
  type: "counter" | "gauge",
  names: readonly string[],
  labels: readonly string[] = [],
): MetricDeclaration[] {
  return names.map((name) => ({ name, type, labels }));
}
