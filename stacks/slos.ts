import { Duration } from "../alerts/duration";
import { MetricDeclaration } from "../alerts/catalog";
import { DEFAULT_THRESHOLDS, SloKey, SloObjective } from "../alerts/thresholds";
import { Problems, SloOptions } from "./config";

/** The histogram each latency SLO counts its good events in. */
const LATENCY_HISTOGRAMS: Partial<Record<SloKey, string>> = {
  httpLatency: "messenger_http_request_duration_seconds",
  messageDelivery: "messenger_message_delivery_latency_seconds",
};

/** The fastest page burns 14.4x the budget: the objective must leave that below 100% bad events. */
const FASTEST_BURN = DEFAULT_THRESHOLDS.sloBurnRate1h.threshold.value;

/**
 * The SLOs of `rules.slos` merged over the defaults, each problem added to `problems` with the field, the
 * value and what is allowed: an unknown SLO, an objective outside (1 - 1/14.4, 1), a bad window, and a
 * latency target that is not a bucket bound of its histogram (the SLO would count every event as slow).
 */
export function resolveSlos(
  options: Readonly<Partial<Record<string, SloOptions>>> | undefined,
  application: readonly MetricDeclaration[],
  problems: Problems,
): Record<SloKey, SloObjective> {
  const result = { ...DEFAULT_THRESHOLDS.slos } as Record<SloKey, SloObjective>;
  const keys = Object.keys(DEFAULT_THRESHOLDS.slos) as SloKey[];
  for (const [key, o] of Object.entries(options ?? {})) {
    const field = `rules.slos.${key}`;
    if (!keys.includes(key as SloKey)) {
      problems.add(`${field}: unknown SLO "${key}"; the SLOs are: ${keys.join(", ")}`);
      continue;
    }
    const k = key as SloKey;
    const base = DEFAULT_THRESHOLDS.slos[k];
    const objective = o?.objective ?? base.objective;
    if (typeof objective !== "number" || !(objective > 0 && objective < 1)) {
      problems.add(`${field}.objective: ${JSON.stringify(objective)} is not a share between 0 and 1 (e.g. 0.999 for 99.9%)`);
    } else if (FASTEST_BURN * (1 - objective) >= 1) {
      problems.add(
        `${field}.objective: ${objective} leaves an error budget of ${Number(((1 - objective) * 100).toPrecision(4))}%, so the ` +
          `${FASTEST_BURN}x burn alert could never fire; use an objective above ${(1 - 1 / FASTEST_BURN).toFixed(4)}`,
      );
    }
    const window = problems.duration(`${field}.window`, o?.window, base.window.toString());
    let latencyThreshold = base.latencyThreshold;
    if (o?.latencyThreshold !== undefined) {
      const histogram = LATENCY_HISTOGRAMS[k];
      if (!histogram) {
        problems.add(`${field}.latencyThreshold: ${k} is not a latency SLO; only ${Object.keys(LATENCY_HISTOGRAMS).join(" and ")} take one`);
      } else {
        const seconds = problems.duration(`${field}.latencyThreshold`, o.latencyThreshold, "1s").seconds;
        const buckets = application.find((m) => m.name === histogram)?.buckets;
        if (buckets && !buckets.includes(seconds)) {
          problems.add(
            `${field}.latencyThreshold: ${Duration.millis(seconds * 1000)} is not a bucket bound of ${histogram}; ` +
              `allowed: ${buckets.map((b) => Duration.millis(b * 1000).toString()).join(", ")} (or declare the bucket in application.metrics)`,
          );
        }
        latencyThreshold = seconds;
      }
    }
    result[k] = { enabled: o?.enabled ?? base.enabled, objective, window, ...(latencyThreshold !== undefined ? { latencyThreshold } : {}) };
  }
  return result;
}
