import * as units from "@grafana/grafana-foundation-sdk/units";
import { alertLine, instanceVariable, serviceVariable, assembleDashboard, type DashboardContext, type DashboardFile, promQuery, RATE_INTERVAL, timeseries } from "./common";
import { deliveryLatencyQuantile, replicaSelector, websocketAvailability, websocketLatencyQuantile } from "./queries";

// ─── Message delivery ────────────────────────────────────────────────────────────────────────────

function deliveryLatency(ctx: DashboardContext) {
  return timeseries({
    title: "Message delivery latency",
    description: "p50 / p95 / p99 time from send to delivery. Guide target p95 < 500ms.",
    unit: units.Seconds,
    alert: alertLine("HighMessageLatency", ctx.thresholds.messageDeliveryLatency.threshold),
    queries: [0.5, 0.95, 0.99].map((q) =>
      promQuery(deliveryLatencyQuantile(ctx.applicationJob, q), `{{service}} p${Math.round(q * 100)}`, { exemplar: q === 0.99 }),
    ),
  });
}

function messageThroughput(ctx: DashboardContext) {
  return timeseries({
    title: "Message throughput",
    description: "Messages processed per second, per replica (instance).",
    unit: units.CountsPerSecond,
    stacked: true,
    queries: [promQuery(`sum by (service, instance) (rate(messenger_messages_total${replicaSelector(ctx.applicationJob)}[${RATE_INTERVAL}]))`, "{{service}} {{instance}}")],
  });
}

function offlineQueue(ctx: DashboardContext) {
  return timeseries({
    title: "Offline message queue",
    description: "Messages queued for recipients who are offline; a steady climb means delivery on reconnect is falling behind.",
    unit: units.Short,
    queries: [promQuery(`sum by (service, instance) (messenger_offline_messages_queued${replicaSelector(ctx.applicationJob)})`, "{{service}} {{instance}}")],
  });
}

// ─── WebSocket ───────────────────────────────────────────────────────────────────────────────────

function websocketConnections(ctx: DashboardContext) {
  return timeseries({
    title: "WebSocket connections",
    description: "Open WebSocket connections per replica (instance).",
    unit: units.Short,
    stacked: true,
    queries: [promQuery(`sum by (service, instance) (messenger_websocket_connections${replicaSelector(ctx.applicationJob)})`, "{{service}} {{instance}}")],
  });
}

function websocketAvailabilityPanel(ctx: DashboardContext) {
  const window = ctx.thresholds.websocketAvailabilityWindow.toString();
  return timeseries({
    title: "WebSocket availability",
    description: `Share of WebSocket upgrade probes (blackbox-exporter) that succeeded over the past ${window}, per service: uptime as a client sees it. Guide target > 95%.`,
    unit: units.PercentUnit,
    min: 0,
    max: 1,
    alert: alertLine("LowWebSocketAvailability", ctx.thresholds.websocketAvailability.threshold, "below"),
    queries: [promQuery(websocketAvailability(window), "{{service}}")],
  });
}

function websocketMessageRate(ctx: DashboardContext) {
  return timeseries({
    title: "WebSocket message rate",
    description: "WebSocket frames carrying messages, per second and replica (instance).",
    unit: units.CountsPerSecond,
    queries: [
      promQuery(`sum by (service, instance) (rate(messenger_websocket_messages_total${replicaSelector(ctx.applicationJob)}[${RATE_INTERVAL}]))`, "{{service}} {{instance}}"),
    ],
  });
}

function websocketLatency(ctx: DashboardContext) {
  return timeseries({
    title: "WebSocket latency",
    description: "p50 / p95 / p99 WebSocket round-trip latency.",
    unit: units.Seconds,
    alert: alertLine("HighWebSocketLatency", ctx.thresholds.websocketLatency.threshold),
    queries: [0.5, 0.95, 0.99].map((q) => promQuery(websocketLatencyQuantile(ctx.applicationJob, q), `{{service}} p${Math.round(q * 100)}`)),
  });
}

/** Are messages delivered fast, and are WebSocket clients staying connected? */
export function messagingWebsocket(ctx: DashboardContext, probes = true): DashboardFile {
  return assembleDashboard(
    {
      uid: "messaging-websocket",
      variables: [serviceVariable(ctx.applicationJob), instanceVariable(ctx.applicationJob)],
      title: "Messaging & WebSocket",
      description: "Are messages delivered fast and are WebSocket clients staying connected?",
      tags: ["messenger", "websocket"],
      folder: "Messenger",
      rows: [
        { title: "Message delivery", panels: [deliveryLatency(ctx), messageThroughput(ctx), offlineQueue(ctx)] },
        {
          title: "WebSocket",
          // The availability comes from blackbox-exporter's probes: no panel without them.
          panels: [websocketConnections(ctx), ...(probes ? [websocketAvailabilityPanel(ctx)] : []), websocketMessageRate(ctx), websocketLatency(ctx)],
        },
      ],
    },
    ctx,
  );
}
