import { Duration } from "../../../alerts/duration";
import type { Timeline } from "./generate";

/**
 * A value per phase of an alert unit test:
 * `prelude` (optional warm-up, e.g. a baseline), `below` (condition just not met), `above` (condition
 * met), `recover` (back to normal; defaults to `below`).
 */
export interface Phases<T> {
  readonly prelude?: T;
  readonly below: T;
  readonly above: T;
  readonly recover?: T;
}

/**
 * A gauge holding a value per phase; `null` means the series is gone in that phase (its target left the
 * discovery: a staleness marker, then no samples), as when a replica stops.
 */
export interface GaugeSignal {
  readonly kind: "gauge";
  readonly series: string;
  readonly values: Phases<number | null>;
}

/** A counter (or any linear series) growing at a per-second rate per phase, from `start`. */
export interface RateSignal {
  readonly kind: "rate";
  readonly series: string;
  readonly start?: number;
  readonly perSecond: Phases<number>;
}

/** Observations per second, as `[observed value, events per second]`. */
export type Observations = ReadonlyArray<readonly [number, number]>;

/** A histogram (`_bucket`, `_count`, `_sum`) fed with observations per phase. */
export interface HistogramSignal {
  readonly kind: "histogram";
  readonly metric: string;
  /** Label matchers without braces, e.g. `job="performance-metrics", instance="chat:8080"`. */
  readonly labels: string;
  readonly buckets: readonly number[];
  readonly observations: Phases<Observations>;
}

/**
 * A start time, like cAdvisor's `container_start_time_seconds`: the time (seconds from the test's start)
 * of the last (re)start, which jumps at every restart. Per phase, a restart every `every` from the phase's
 * start, or `null` for none.
 */
export interface RestartSignal {
  readonly kind: "restarts";
  readonly series: string;
  readonly every: Phases<Duration | null>;
}

export type Signal = GaugeSignal | RateSignal | HistogramSignal | RestartSignal;

/**
 * A promtool unit test of one alert. The generator derives the timeline from the alert's `for` and
 * `lag`, and checks: silent at the end of a long `below` phase, silent just before `for` has elapsed
 * in the `above` phase, firing (labels and annotations, with `expected.value` formatted as Prometheus
 * would) once `for` has elapsed, and resolved after `recover`.
 */
export interface AlertTestCase {
  readonly alert: string;
  /** Sample interval of the input series and the evaluation interval. @default 1m */
  readonly interval?: Duration;
  /** Time the expression needs to settle after a phase change (its widest range vector). @default 5m */
  readonly lag?: Duration;
  /** Length of the prelude phase. @default none */
  readonly prelude?: Duration;
  readonly signals: readonly Signal[];
  /** The firing alert: its labels (without alertname/severity/extra labels) and `$value`. */
  readonly expected: {
    readonly labels: Readonly<Record<string, string>>;
    /** `$value` when firing; a function when it depends on the timeline (projections). */
    readonly value: number | ((timeline: Timeline, firingAt: Duration) => number);
  };
  /** The alert is always firing (Watchdog): only check that it fires, from the start. */
  readonly alwaysFiring?: boolean;
}

/** Default histogram buckets of the messenger application (see the metric catalog). */
export const MESSENGER_BUCKETS: readonly number[] = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];
