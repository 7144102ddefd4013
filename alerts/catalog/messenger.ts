import { counter, gauge, histogram, MetricDeclaration } from "./types";

/**
 * Default latency buckets of the messenger's histograms, in seconds. Every latency threshold the
 * guide alerts on (20 ms, 50 ms, 500 ms, 1 s) is a boundary, so `histogram_quantile` can answer
 * "above the threshold?" exactly instead of interpolating inside a bucket.
 */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

/**
 * The messenger application's own metrics as the performance guide names them: the default
 * declaration of the `performance-metrics` job. Users replace or extend it in the stack config with
 * what their services really export (name, type, labels, buckets).
 */
export const DEFAULT_APPLICATION_METRICS: MetricDeclaration[] = [
  histogram("messenger_message_delivery_latency_seconds", [], "Time from send to delivery of a message.", DEFAULT_LATENCY_BUCKETS),
  gauge("messenger_websocket_connections", [], "Open WebSocket connections."),
  counter("messenger_websocket_messages_total", [], "WebSocket messages handled."),
  histogram("messenger_websocket_latency_seconds", [], "WebSocket message round-trip latency.", DEFAULT_LATENCY_BUCKETS),
  counter("messenger_http_requests_total", ["method", "route", "status"], "HTTP API requests."),
  histogram("messenger_http_request_duration_seconds", ["method", "route"], "HTTP API request duration.", DEFAULT_LATENCY_BUCKETS),
  counter("messenger_messages_total", [], "Messages sent."),
  gauge("messenger_offline_messages_queued", [], "Messages queued for offline recipients."),
];
