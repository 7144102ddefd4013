import * as yaml from "js-yaml";
import { concreteContext } from "../../../alerts/format";
import { Duration } from "../../../alerts/duration";
import { ResolvedAlert } from "../../../alerts/rule-set";
import { AlertTestCase, Phases, Signal } from "./types";

const PHASES = ["prelude", "below", "above", "recover"] as const;
type PhaseName = (typeof PHASES)[number];

/** Phase lengths and check times of one case, derived from the alert's `for` and the case's lag. */
export interface Timeline {
  readonly interval: Duration;
  readonly lengths: Record<PhaseName, Duration>;
  readonly belowStart: Duration;
  readonly aboveStart: Duration;
  readonly recoverStart: Duration;
  readonly end: Duration;
}

const MARGIN = Duration.parse("10m");

export function timeline(c: AlertTestCase, forDuration: Duration): Timeline {
  const interval = c.interval ?? Duration.parse("1m");
  const lag = c.lag ?? Duration.parse("5m");
  // Whole intervals, plus one spare, so that series samples and check times line up.
  const round = (d: Duration) =>
    Duration.millis((Math.ceil(d.milliseconds / interval.milliseconds) + 1) * interval.milliseconds);
  const held = round(forDuration.plus(lag).plus(MARGIN));
  const lengths = {
    prelude: c.prelude ? round(c.prelude) : Duration.millis(0),
    below: held,
    above: held,
    recover: round(lag.plus(MARGIN)),
  };
  const belowStart = lengths.prelude;
  const aboveStart = belowStart.plus(lengths.below);
  const recoverStart = aboveStart.plus(lengths.above);
  return { interval, lengths, belowStart, aboveStart, recoverStart, end: recoverStart.plus(lengths.recover) };
}

function phaseValue<T>(p: Phases<T>, phase: PhaseName): T {
  if (phase === "prelude") {
    return p.prelude ?? p.below;
  }
  if (phase === "recover") {
    return p.recover ?? p.below;
  }
  return p[phase];
}

function steps(t: Timeline, phase: PhaseName): number {
  return Math.round(t.lengths[phase].milliseconds / t.interval.milliseconds);
}

/** Expanding notation for a series that is linear within each phase. */
function linearValues(t: Timeline, start: number, perStep: (phase: PhaseName) => number): string {
  const parts: string[] = [`${start}`];
  let current = start;
  for (const phase of PHASES) {
    const n = steps(t, phase);
    if (n === 0) {
      continue;
    }
    const inc = perStep(phase);
    const first = current + inc;
    parts.push(`${first}${inc < 0 ? "-" : "+"}${Math.abs(inc)}x${n - 1}`);
    current = first + inc * (n - 1);
  }
  return parts.join(" ");
}

function inputSeries(t: Timeline, signal: Signal): { series: string; values: string }[] {
  const seconds = t.interval.seconds;
  switch (signal.kind) {
    case "gauge": {
      // A gone series: Prometheus writes a staleness marker when its target leaves, then nothing.
      const gone = (n: number) => (n > 1 ? `stale _x${n - 1}` : "stale");
      const first = phaseValue(signal.values, "prelude");
      return [
        {
          series: signal.series,
          values: [
            first === null ? "_" : `${first}`,
            ...PHASES.filter((p) => steps(t, p) > 0).map((p) => {
              const v = phaseValue(signal.values, p);
              return v === null ? gone(steps(t, p)) : `${v}x${steps(t, p) - 1}`;
            }),
          ].join(" "),
        },
      ];
    }
    case "rate":
      return [
        {
          series: signal.series,
          values: linearValues(t, signal.start ?? 0, (p) => phaseValue(signal.perSecond, p) * seconds),
        },
      ];
    case "restarts": {
      const values: number[] = [0];
      let last = 0;
      let at = 0;
      for (const phase of PHASES) {
        const every = phaseValue(signal.every, phase);
        const everySteps = every ? Math.round(every.milliseconds / t.interval.milliseconds) : 0;
        for (let i = 1; i <= steps(t, phase); i++) {
          at += seconds;
          if (everySteps > 0 && i % everySteps === 0) {
            last = at;
          }
          values.push(last);
        }
      }
      return [{ series: signal.series, values: values.join(" ") }];
    }
    case "histogram": {
      const perSecond = (p: PhaseName, le: number) =>
        phaseValue(signal.observations, p)
          .filter(([v]) => v <= le)
          .reduce((sum, [, rate]) => sum + rate, 0);
      const les = [...signal.buckets, Number.POSITIVE_INFINITY];
      const out = les.map((le) => ({
        series: `${signal.metric}_bucket{${signal.labels}, le="${le === Number.POSITIVE_INFINITY ? "+Inf" : le}"}`,
        values: linearValues(t, 0, (p) => perSecond(p, le) * seconds),
      }));
      out.push({
        series: `${signal.metric}_count{${signal.labels}}`,
        values: linearValues(t, 0, (p) => perSecond(p, Number.POSITIVE_INFINITY) * seconds),
      });
      out.push({
        series: `${signal.metric}_sum{${signal.labels}}`,
        values: linearValues(t, 0, (p) =>
          phaseValue(signal.observations, p).reduce((sum, [v, rate]) => sum + v * rate, 0) * seconds,
        ),
      });
      return out;
    }
  }
}

/** The promtool test file (as YAML text) for one case. */
export function promtoolTestFile(c: AlertTestCase, alert: ResolvedAlert, ruleFile: string): string {
  const rule = alert.rule;
  const t = timeline(c, rule.for);
  const labels = { ...c.expected.labels, ...(rule.labels ?? {}), severity: rule.severity };
  const lag = c.lag ?? Duration.parse("5m");
  const firingAt = t.aboveStart.plus(lag).plus(rule.for).plus(t.interval);
  const value = typeof c.expected.value === "function" ? c.expected.value(t, firingAt) : c.expected.value;
  const ctx = concreteContext(value, alert.definition.valueUnit, labels);
  const firing = [
    {
      exp_labels: labels,
      exp_annotations: {
        summary: renderWith(alert, ctx, "summary"),
        description: renderWith(alert, ctx, "description"),
        runbook_url: rule.runbookUrl,
      },
    },
  ];
  const at = (d: Duration) => d.toString();
  const tests: { eval_time: string; alertname: string; exp_alerts: unknown[] }[] = [];
  if (c.alwaysFiring) {
    tests.push({ eval_time: "0s", alertname: c.alert, exp_alerts: firing });
    tests.push({ eval_time: at(t.end), alertname: c.alert, exp_alerts: firing });
  } else {
    tests.push({ eval_time: at(Duration.millis(t.aboveStart.milliseconds - t.interval.milliseconds)), alertname: c.alert, exp_alerts: [] });
    if (!rule.for.isZero()) {
      tests.push({
        eval_time: at(Duration.millis(t.aboveStart.plus(rule.for).milliseconds - t.interval.milliseconds)),
        alertname: c.alert,
        exp_alerts: [],
      });
    }
    tests.push({ eval_time: at(firingAt), alertname: c.alert, exp_alerts: firing });
    tests.push({ eval_time: at(t.recoverStart.plus(lag).plus(t.interval)), alertname: c.alert, exp_alerts: [] });
  }
  const doc = {
    rule_files: [ruleFile],
    evaluation_interval: t.interval.toString(),
    tests: [
      {
        name: `${c.alert}: silent below the threshold, pending during for, fires, resolves`,
        interval: t.interval.toString(),
        input_series: c.signals.flatMap((s) => inputSeries(t, s)),
        alert_rule_test: tests,
      },
    ],
  };
  return yaml.dump(doc, { lineWidth: -1, noRefs: true });
}

/** Annotation text of the resolved alert for concrete values: rebuilt through the same builder. */
function renderWith(alert: ResolvedAlert, ctx: ReturnType<typeof concreteContext>, which: "summary" | "description"): string {
  const built = alert.definition.build(alert.buildContext);
  return built[which](ctx);
}
