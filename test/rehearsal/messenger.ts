import { createHash } from "node:crypto";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { DEFAULT_APPLICATION_METRICS } from "../../alerts/catalog/messenger";
import { MetricDeclaration } from "../../alerts/catalog/types";
import { LOOPBACK } from "./ports";

/** What the synthetic service does; changed at run time through `POST /control`. */
export interface MessengerState {
  /** Share of simulated HTTP requests answered 5xx, 0..1. */
  readonly errorRatio: number;
  /** Latency observed by every latency histogram (HTTP, message delivery, WebSocket), in seconds. */
  readonly latencySeconds: number;
  /** Open WebSocket connections reported by the gauge. */
  readonly connections: number;
  /**
   * Whether the service answers at all: when false, /metrics, /health and the WebSocket upgrade answer
   * 503, so Prometheus sees the target down (the rehearsal's outage fault) and probes fail.
   */
  readonly available: boolean;
}

/** The healthy state the service starts in. */
export const HEALTHY: MessengerState = { errorRatio: 0, latencySeconds: 0.015, connections: 100, available: true };

/** Options of {@link startMessenger}. */
export interface MessengerOptions {
  readonly port: number;
  /** Simulated requests per second, generated internally at a steady rate. @default 20 */
  readonly requestsPerSecond?: number;
  /** @default the guide's DEFAULT_APPLICATION_METRICS */
  readonly metrics?: readonly MetricDeclaration[];
  /**
   * Address to listen on. The rehearsal keeps loopback; the end-to-end deploy runs the service in a
   * container, where it must listen on the container's network interface ("0.0.0.0").
   * @default "127.0.0.1"
   */
  readonly host?: string;
}

/** A running synthetic service. */
export interface Messenger {
  readonly url: string;
  readonly address: string;
  state(): MessengerState;
  /** Changes the state, as `POST /control` does. */
  control(change: Partial<MessengerState>): MessengerState;
  close(): Promise<void>;
}

/** The route label of the simulated API requests. */
const ROUTE = { method: "POST", route: "/api/v1/messages" };

/**
 * Validates a `POST /control` body and merges it into the state; throws a message naming the field.
 */
export function applyControl(state: MessengerState, body: unknown): MessengerState {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new Error("control: body must be a JSON object such as {\"errorRatio\": 0.5}");
  }
  const next: Record<string, number | boolean> = { ...state };
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (!(k in HEALTHY)) {
      throw new Error(`control: unknown field "${k}"; allowed: ${Object.keys(HEALTHY).join(", ")}`);
    }
    if (k === "available") {
      if (typeof v !== "boolean") throw new Error(`control.available: ${JSON.stringify(v)} must be true or false`);
      next[k] = v;
      continue;
    }
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new Error(`control.${k}: ${JSON.stringify(v)} must be a finite number >= 0`);
    }
    if (k === "errorRatio" && v > 1) {
      throw new Error(`control.errorRatio: ${v} must be a ratio between 0 and 1`);
    }
    next[k] = v;
  }
  return next as unknown as MessengerState;
}

/** prom-client metrics built from the declarations (names, types, labels and buckets). */
function buildMetrics(registry: Registry, declarations: readonly MetricDeclaration[]): Map<string, Counter | Gauge | Histogram> {
  const out = new Map<string, Counter | Gauge | Histogram>();
  for (const d of declarations) {
    const common = { name: d.name, help: d.help ?? d.name, labelNames: [...d.labels], registers: [registry] };
    switch (d.type) {
      case "counter":
        out.set(d.name, new Counter(common));
        break;
      case "gauge":
        out.set(d.name, new Gauge(common));
        break;
      case "histogram":
        out.set(d.name, new Histogram({ ...common, ...(d.buckets ? { buckets: [...d.buckets] } : {}) }));
        break;
      default:
        throw new Error(`synthetic messenger: ${d.name} is a ${d.type}, which it cannot simulate`);
    }
  }
  return out;
}

/**
 * A synthetic messenger service: exposes the guide's `messenger_*` metrics on `/metrics` and simulates
 * steady traffic whose error ratio, latency and connection count `POST /control` changes. Errors are
 * spread deterministically (every 1/errorRatio-th request), so the exported ratio equals the setting.
 */
export async function startMessenger(options: MessengerOptions): Promise<Messenger> {
  const registry = new Registry();
  const metrics = buildMetrics(registry, options.metrics ?? DEFAULT_APPLICATION_METRICS);
  const find = <T>(name: string): T | undefined => metrics.get(name) as T | undefined;
  const requests = find<Counter>("messenger_http_requests_total");
  const httpDuration = find<Histogram>("messenger_http_request_duration_seconds");
  const delivery = find<Histogram>("messenger_message_delivery_latency_seconds");
  const wsLatency = find<Histogram>("messenger_websocket_latency_seconds");
  const wsConnections = find<Gauge>("messenger_websocket_connections");
  const wsMessages = find<Counter>("messenger_websocket_messages_total");
  const messages = find<Counter>("messenger_messages_total");
  const offline = find<Gauge>("messenger_offline_messages_queued");

  // Both status series exist from the start, so rate() sees the 5xx counter rise from 0.
  requests?.inc({ ...ROUTE, status: "200" }, 0);
  requests?.inc({ ...ROUTE, status: "500" }, 0);

  let state: MessengerState = HEALTHY;
  let errorCredit = 0;
  const tick = (): void => {
    errorCredit += state.errorRatio;
    const failed = errorCredit >= 1 - 1e-9;
    if (failed) {
      errorCredit -= 1;
    }
    requests?.inc({ ...ROUTE, status: failed ? "500" : "200" });
    httpDuration?.observe(ROUTE, state.latencySeconds);
    delivery?.observe(state.latencySeconds);
    wsLatency?.observe(state.latencySeconds);
    wsMessages?.inc();
    messages?.inc();
    wsConnections?.set(state.connections);
    offline?.set(0);
  };
  tick();
  const timer = setInterval(tick, 1000 / (options.requestsPerSecond ?? 20));
  timer.unref();

  const server = http.createServer((req, res) => {
    const reply = (status: number, body: string, type = "application/json"): void => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    if (!state.available && req.url !== "/control") {
      reply(503, JSON.stringify({ error: "unavailable (control: available=false)" }));
      return;
    }
    if (req.method === "GET" && req.url === "/health") {
      reply(200, JSON.stringify({ status: "ok" }));
      return;
    }
    if (req.method === "GET" && req.url === "/metrics") {
      registry.metrics().then(
        (text) => reply(200, text, registry.contentType),
        (e: Error) => reply(500, e.message, "text/plain"),
      );
      return;
    }
    if (req.url === "/control" && req.method === "GET") {
      reply(200, JSON.stringify(state));
      return;
    }
    if (req.url === "/control" && req.method === "POST") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        try {
          state = applyControl(state, JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"));
          wsConnections?.set(state.connections);
          reply(200, JSON.stringify(state));
        } catch (e) {
          reply(400, JSON.stringify({ error: (e as Error).message }));
        }
      });
      return;
    }
    reply(404, JSON.stringify({ error: "not found; use GET /metrics, GET /health, GET /ws (WebSocket upgrade), GET or POST /control" }));
  });
  // The WebSocket handshake of RFC 6455 on /ws (what the blackbox upgrade probe checks), then close:
  // the synthetic service has no WebSocket traffic of its own.
  server.on("upgrade", (req, socket) => {
    const key = req.headers["sec-websocket-key"];
    if (!state.available || req.url !== "/ws" || typeof key !== "string") {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n");
      return;
    }
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? LOOPBACK, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? LOOPBACK;
  return {
    url: `http://${host}:${port}`,
    address: `${host}:${port}`,
    state: () => state,
    control: (change) => {
      state = applyControl(state, change);
      wsConnections?.set(state.connections);
      return state;
    },
    close: () => {
      clearInterval(timer);
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
