import { Duration } from "../../../alerts/duration";
import { BURN_WINDOWS, errorBudget, SLOS } from "../../../alerts/rules/slo";
import { DEFAULT_THRESHOLDS as T } from "../../../alerts/thresholds";
import { AlertTestCase, MESSENGER_BUCKETS } from "./types";

const APP = `job="performance-metrics", instance="chat-server:8080", service="chat-server"`;
const SERVICE = { job: "performance-metrics", service: "chat-server" };
/** Requests (or messages) per second of the service. */
const RATE = 10;

/**
 * One case per SLO and burn window. Below: the bad share is 0.8 of the alert's limit (factor x budget) on
 * every window, so nothing fires however long it lasts. Above: 1.2 of the limit, which the long window
 * only reaches once it holds mostly "above" samples (after about half the window), well after `for`;
 * when the long window is entirely "above" (the case's lag) the alert fires with exactly 1.2 x limit.
 */
function sloCase(slo: (typeof SLOS)[number], window: (typeof BURN_WINDOWS)[number]): AlertTestCase {
  const objective = T.slos[slo.key];
  const limit = T[window.condition].threshold!.value * errorBudget(objective);
  const below = 0.8 * limit;
  const above = 1.2 * limit;
  const long = Duration.parse(window.long);
  // Enough samples in the short window at a coarse step for the long ones (promtool time stays short).
  const interval = Duration.parse(long.seconds <= 6 * 3600 ? "1m" : long.seconds <= 86400 ? "5m" : "15m");
  const alert = `${slo.alertPrefix}BudgetBurn${window.long}`;
  if (slo.key === "httpAvailability") {
    return {
      alert,
      interval,
      lag: long,
      signals: [
        { kind: "rate", series: `messenger_http_requests_total{${APP}, status="200"}`, perSecond: { below: RATE * (1 - below), above: RATE * (1 - above) } },
        { kind: "rate", series: `messenger_http_requests_total{${APP}, status="503"}`, perSecond: { below: RATE * below, above: RATE * above } },
      ],
      expected: { labels: SERVICE, value: above },
    };
  }
  const metric = slo.key === "httpLatency" ? "messenger_http_request_duration_seconds" : "messenger_message_delivery_latency_seconds";
  const labels = slo.key === "httpLatency" ? `${APP}, method="GET", route="/api/messages"` : APP;
  const fast = 0.05; // well within the 200 ms / 500 ms targets
  const slow = 1; // beyond both
  return {
    alert,
    interval,
    lag: long,
    signals: [
      {
        kind: "histogram",
        metric,
        labels,
        buckets: MESSENGER_BUCKETS,
        observations: {
          below: [[fast, RATE * (1 - below)], [slow, RATE * below]],
          above: [[fast, RATE * (1 - above)], [slow, RATE * above]],
        },
      },
    ],
    expected: { labels: SERVICE, value: above },
  };
}

export const SLO_CASES: readonly AlertTestCase[] = SLOS.flatMap((slo) => BURN_WINDOWS.map((w) => sloCase(slo, w)));
