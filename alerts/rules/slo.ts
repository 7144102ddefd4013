import { Duration } from "../duration";
import { SERVICE_LABEL } from "../jobs";
import { SloKey, SloObjective, Thresholds } from "../thresholds";
import { AlertDefinition, RecordingDefinition } from "./types";
import { SELECTORS as S } from "./selectors";

/**
 * Service level objectives with multiwindow, multi-burn-rate alerts, as in the SRE workbook ("Alerting
 * on SLOs", table 5-8): an alert fires when the error budget burns `factor` times faster than the rate
 * that would spend exactly the budget over the SLO window, over a long window (how much budget is gone)
 * and a short one (is it still burning), so it both catches fast outages and resets quickly.
 *
 * @see https://sre.google/workbook/alerting-on-slos/
 */

/** What one SLO measures, per service of the application job. */
interface SloSli {
  readonly key: SloKey;
  /** Value of the `slo` label on its recorded series, e.g. `http-availability`. */
  readonly name: string;
  /** PascalCase prefix of its alerts. */
  readonly alertPrefix: string;
  /** One sentence for annotations and the catalog. */
  readonly what: string;
  /**
   * The error ratio (bad / all events) over `window`, by job and service, of the series `selector`
   * matches (label matchers without braces). @default selector: the application job
   */
  readonly errorRatio: (window: string, objective: SloObjective, selector?: string) => string;
}

const BY = `job, ${SERVICE_LABEL}`;

/**
 * A matcher for a histogram bucket bound as a number: Prometheus 3 stores `le="1"` as `"1.0"` and
 * `le="0.2"` as `"0.2"`, older ones keep the exposition's text; this regex accepts every decimal writing
 * of the bound (`0.2`, `0.20`, `1`, `1.0`), so the bucket is found whatever the version.
 */
export function leMatcher(bound: number): string {
  if (!Number.isFinite(bound) || bound <= 0) {
    throw new Error(`leMatcher: ${bound} is not a positive bucket bound`);
  }
  const text = String(bound);
  const pattern = text.includes(".") ? `${text.replace(".", "\\\\.")}0*` : `${text}(\\\\.0*)?`;
  return `le=~"${pattern}"`;
}

/** Share of a histogram's events slower than `bound`: 1 - (events in the `le = bound` bucket / all). */
function slowerThan(histogram: string, bound: number, window: string, sel: string): string {
  return (
    `1 - (sum by (${BY}) (rate(${histogram}_bucket{${sel}, ${leMatcher(bound)}}[${window}]))` +
    ` / sum by (${BY}) (rate(${histogram}_count{${sel}}[${window}])))`
  );
}

/** The three SLOs of the guide's targets. */
export const SLOS: readonly SloSli[] = [
  {
    key: "httpAvailability",
    name: "http-availability",
    alertPrefix: "HttpAvailability",
    what: "HTTP requests answered without a 5xx",
    errorRatio: (w, _o, sel = S.application) =>
      `sum by (${BY}) (rate(messenger_http_requests_total{${sel}, status=~"5.."}[${w}]))` +
      ` / sum by (${BY}) (rate(messenger_http_requests_total{${sel}}[${w}]))`,
  },
  {
    key: "httpLatency",
    name: "http-latency",
    alertPrefix: "HttpLatency",
    what: "HTTP requests answered within the latency target",
    errorRatio: (w, o, sel = S.application) => slowerThan("messenger_http_request_duration_seconds", o.latencyThreshold ?? 0.2, w, sel),
  },
  {
    key: "messageDelivery",
    name: "message-delivery",
    alertPrefix: "MessageDelivery",
    what: "messages delivered within the latency target",
    errorRatio: (w, o, sel = S.application) => slowerThan("messenger_message_delivery_latency_seconds", o.latencyThreshold ?? 0.5, w, sel),
  },
];

/** The burn-rate alerts of every SLO: long window, short window, severity, threshold entry. */
export const BURN_WINDOWS: ReadonlyArray<{
  readonly long: string;
  readonly short: string;
  readonly severity: "critical" | "warning";
  readonly condition: "sloBurnRate1h" | "sloBurnRate6h" | "sloBurnRate1d" | "sloBurnRate3d";
}> = [
  { long: "1h", short: "5m", severity: "critical", condition: "sloBurnRate1h" },
  { long: "6h", short: "30m", severity: "critical", condition: "sloBurnRate6h" },
  { long: "1d", short: "2h", severity: "warning", condition: "sloBurnRate1d" },
  { long: "3d", short: "6h", severity: "warning", condition: "sloBurnRate3d" },
];

/** Every window an SLO's error ratio is recorded over. */
export const SLO_WINDOWS: readonly string[] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/** `job_service:slo_errors:ratio_rate1h`: one series per SLO (label `slo`) and service. */
export function sloRecord(window: string): string {
  return `job_service:slo_errors:ratio_rate${window}`;
}

/** The recorded error ratio of one SLO over one window; `matchers` narrow it (e.g. a service). @default none */
export function sloErrorRatio(slo: SloSli, window: string, matchers = ""): string {
  return `${sloRecord(window)}{slo="${slo.name}"${matchers ? `, ${matchers}` : ""}}`;
}

/** The error budget of an objective: 1 - objective (0.001 for 99.9%). */
export function errorBudget(o: SloObjective): number {
  return Number((1 - o.objective).toPrecision(12));
}

/** Recording rules: each SLO's error ratio over each window. */
export const SLO_RECORDING_RULES: readonly RecordingDefinition[] = SLOS.flatMap((slo) =>
  SLO_WINDOWS.map(
    (w): RecordingDefinition => ({
      record: sloRecord(w),
      group: "slo-alerts",
      requires: { application: true },
      slo: slo.key,
      labels: { slo: slo.name },
      expr: (t: Thresholds) => slo.errorRatio(w, t.slos[slo.key]),
    }),
  ),
);

function objectiveText(o: SloObjective): string {
  return `${Number((o.objective * 100).toPrecision(6))}% over ${o.window}`;
}

/** Four burn-rate alerts per SLO. */
export const SLO_ALERTS: readonly AlertDefinition[] = SLOS.flatMap((slo) =>
  BURN_WINDOWS.map(
    (b): AlertDefinition => ({
      name: `${slo.alertPrefix}BudgetBurn${b.long}`,
      group: "slo-alerts",
      severity: b.severity,
      condition: b.condition,
      requires: { application: true },
      slo: slo.key,
      labels: { slo: slo.name, long_window: b.long, short_window: b.short },
      valueUnit: "ratio",
      origin: "added",
      runbook:
        `The ${slo.name} SLO (${slo.what}) is spending its error budget ${b.severity === "critical" ? "fast enough to be gone within days" : "faster than it can last the SLO window"}: ` +
        `the error ratio over the last ${b.long} and ${b.short} is above ${b.severity === "critical" ? "a paging" : "a ticket"} burn rate. ` +
        "Open the SLO dashboard for the budget left, then the service's own dashboards for the cause.",
      build: (c) => {
        const o = c.thresholds.slos[slo.key];
        const limit = Number((c.threshold * errorBudget(o)).toPrecision(12));
        return {
          expr: `${sloErrorRatio(slo, b.long)} > ${limit} and ${sloErrorRatio(slo, b.short)} > ${limit}`,
          summary: (a) => `${slo.name} SLO of ${a.label(SERVICE_LABEL)} burns its error budget ${c.threshold}x too fast`,
          description: (a) =>
            `Over the last ${b.long}, ${a.value} of ${slo.what} missed (objective ${objectiveText(o)}; ` +
            `a ${c.threshold}x burn rate is ${Number((limit * 100).toPrecision(6))}% misses, also over the last ${b.short}).`,
        };
      },
    }),
  ),
);

/** The SLO windows as Durations (for the dashboards). */
export function sloWindow(w: string): Duration {
  return Duration.parse(w);
}
