import { DEFAULT_THRESHOLDS as T } from "../../../alerts/thresholds";
import { GUIDE_APPLICATION_SERVICES } from "../../../alerts/jobs";
import { AlertTestCase, GaugeSignal, MESSENGER_BUCKETS, Observations, Phases } from "./types";

// The scrape config labels every application series with its service (the target's host).
const APP = `job="performance-metrics", instance="chat-server:8080", service="chat-server"`;
const JOB = { job: "performance-metrics" };
const NOTIFY = `job="performance-metrics", instance="notification-service:8082", service="notification-service"`;
/** What the per-service recording rules keep: the job and the service. */
const SERVICE = { ...JOB, service: "chat-server" };

/**
 * Latency histograms: "below" keeps the p95 in the bucket just under the threshold (a threshold on a
 * bucket boundary cannot be approached closer), "above" puts it in the bucket just over it.
 * With 90% of events fast and 10% at `slow`, the p95 sits in the middle of `slow`'s bucket.
 */
function latency(fast: number, belowSlow: number, aboveSlow: number): { below: Observations; above: Observations } {
  return {
    below: [[fast, 9], [belowSlow, 1]],
    above: [[fast, 9], [aboveSlow, 1]],
  };
}

/**
 * `up` of `count` replicas of a service discovered by DNS (instance = replica address:port), from the
 * replica number `first` on.
 */
export function replicasUp(service: string, port: number, count: number, values: Phases<number | null>, first = 1): GaugeSignal[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: "gauge" as const,
    series: `up{job="performance-metrics", instance="172.31.0.${10 + first + i}:${port}", service="${service}"}`,
    values,
  }));
}

export const APPLICATION_CASES: readonly AlertTestCase[] = [
  {
    // threshold 1s: p95 0.75s (bucket 0.5..1) below, 1.5s (bucket 1..2) above
    alert: "HighMessageLatency",
    signals: [{ kind: "histogram", metric: "messenger_message_delivery_latency_seconds", labels: APP, buckets: MESSENGER_BUCKETS, observations: latency(0.3, 0.8, 1.5) }],
    expected: { labels: SERVICE, value: 1.5 },
  },
  {
    alert: "HighNetworkLatency",
    signals: [{ kind: "histogram", metric: "messenger_message_delivery_latency_seconds", labels: APP, buckets: MESSENGER_BUCKETS, observations: latency(0.3, 0.8, 1.5) }],
    expected: { labels: SERVICE, value: 1.5 },
  },
  {
    // threshold 0.5s: p95 0.35s (bucket 0.2..0.5) below, 0.75s (bucket 0.5..1) above
    alert: "HighWebSocketLatency",
    signals: [{ kind: "histogram", metric: "messenger_websocket_latency_seconds", labels: APP, buckets: MESSENGER_BUCKETS, observations: latency(0.05, 0.3, 0.8) }],
    expected: { labels: SERVICE, value: 0.75 },
  },
  {
    alert: "HighHTTPLatency",
    signals: [{ kind: "histogram", metric: "messenger_http_request_duration_seconds", labels: APP, buckets: MESSENGER_BUCKETS, observations: latency(0.05, 0.3, 0.8) }],
    expected: { labels: SERVICE, value: 0.75 },
  },
  {
    // Per service, not per job: notification-service is 3% of the traffic and fails every request, which
    // is 3% of the job (under the 5% threshold, no page with a job-wide ratio) but 100% of the service.
    // Below: it fails 4% of its requests, under the threshold.
    alert: "HighErrorRate",
    signals: [
      { kind: "rate", series: `messenger_http_requests_total{${APP}, status="200"}`, perSecond: { below: 9.7, above: 9.7 } },
      { kind: "rate", series: `messenger_http_requests_total{${NOTIFY}, status="200"}`, perSecond: { below: 0.3 * (1 - T.httpErrorRatio.threshold.value + 0.01), above: 0 } },
      { kind: "rate", series: `messenger_http_requests_total{${NOTIFY}, status="500"}`, perSecond: { below: 0.3 * (T.httpErrorRatio.threshold.value - 0.01), above: 0.3 } },
    ],
    expected: { labels: { ...JOB, service: "notification-service" }, value: 1 },
  },
  {
    // threshold 1%: 0.8% of 10 req/s fail below; 3% above (under HighErrorRate's 5%, so only the warning)
    alert: "ElevatedErrorRate",
    signals: [
      { kind: "rate", series: `messenger_http_requests_total{${NOTIFY}, status="200"}`, perSecond: { below: 10 * (1 - T.httpErrorRatioWarning.threshold.value + 0.002), above: 9.7 } },
      { kind: "rate", series: `messenger_http_requests_total{${NOTIFY}, status="503"}`, perSecond: { below: 10 * (T.httpErrorRatioWarning.threshold.value - 0.002), above: 0.3 } },
    ],
    expected: { labels: { ...JOB, service: "notification-service" }, value: 0.03 },
  },
  {
    // the upgrade probe of chat-server fails from "above" on; presence-service keeps succeeding, and its
    // availability is its own (per service, not averaged over services)
    alert: "LowWebSocketAvailability",
    lag: T.websocketAvailabilityWindow,
    signals: [
      { kind: "gauge", series: `probe_success{job="blackbox-websocket", instance="chat-server:8080", service="chat-server"}`, values: { below: 1, above: 0, recover: 1 } },
      { kind: "gauge", series: `probe_success{job="blackbox-websocket", instance="presence-service:8081", service="presence-service"}`, values: { below: 1, above: 1 } },
    ],
    expected: { labels: { job: "blackbox-websocket", service: "chat-server" }, value: 0 },
  },
  {
    // Two replicas of chat-server stop: they leave the DNS answer and their series go stale (no `up` 0 to
    // see), while the other services keep running. Without the by-name `absent`, nothing would fire.
    alert: "ServiceDown",
    signals: [
      ...replicasUp("chat-server", 8080, 2, { below: 1, above: null, recover: 1 }),
      ...GUIDE_APPLICATION_SERVICES.filter((s) => s.name !== "chat-server").flatMap((s) => replicasUp(s.name, s.port, 1, { below: 1, above: 1 })),
    ],
    expected: { labels: SERVICE, value: 1 },
  },
  {
    // One replica of three stops (gone from the DNS answer); two still serve: a warning, no page. The
    // replica count before is the expectation, so it resolves once the replica is back.
    alert: "ServiceReplicaDown",
    signals: [
      ...replicasUp("chat-server", 8080, 2, { below: 1, above: 1 }),
      ...replicasUp("chat-server", 8080, 1, { below: 1, above: null, recover: 1 }, 3),
      ...replicasUp("group-service", 8083, 1, { below: 1, above: 1 }),
    ],
    expected: { labels: SERVICE, value: 2 },
  },
  {
    // One of chat-server's two replicas fails its health probe; presence-service stays healthy.
    alert: "HealthCheckFailing",
    signals: [
      { kind: "gauge", series: `probe_success{job="blackbox-health", instance="172.31.0.2:8080", service="chat-server"}`, values: { below: 1, above: 0, recover: 1 } },
      { kind: "gauge", series: `probe_success{job="blackbox-health", instance="172.31.0.3:8080", service="chat-server"}`, values: { below: 1, above: 1 } },
      { kind: "gauge", series: `probe_success{job="blackbox-health", instance="172.31.0.4:8081", service="presence-service"}`, values: { below: 1, above: 1 } },
    ],
    expected: { labels: { job: "blackbox-health", service: "chat-server" }, value: 0.5 },
  },
  {
    // Both replicas fail (below: only one does, which is HealthCheckFailing's warning, not this page).
    alert: "ServiceUnhealthy",
    signals: [
      { kind: "gauge", series: `probe_success{job="blackbox-health", instance="172.31.0.2:8080", service="chat-server"}`, values: { below: 0, above: 0, recover: 1 } },
      { kind: "gauge", series: `probe_success{job="blackbox-health", instance="172.31.0.3:8080", service="chat-server"}`, values: { below: 1, above: 0, recover: 1 } },
    ],
    expected: { labels: { job: "blackbox-health", service: "chat-server" }, value: 1 },
  },
  {
    // one of two services down is TargetDown's business; both down is the outage
    alert: "ApplicationDown",
    signals: [
      { kind: "gauge", series: `up{job="performance-metrics", instance="chat-server:8080"}`, values: { below: 1, above: 0, recover: 1 } },
      { kind: "gauge", series: `up{job="performance-metrics", instance="group-service:8083"}`, values: { below: 0, above: 0, recover: 1 } },
    ],
    expected: { labels: JOB, value: 0 },
  },
];
