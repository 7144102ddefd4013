import * as http from "node:http";
import { AddressInfo } from "node:net";
import { waitUntil } from "./http";
import { LOOPBACK } from "./ports";

/** One alert inside an Alertmanager webhook notification. */
export interface NotifiedAlert {
  readonly status: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt?: string;
  readonly endsAt?: string;
}

/** One webhook notification, as recorded. */
export interface Notification {
  /** The URL path's first segment: the receiver the rehearsal config gave this URL to. */
  readonly path: string;
  /** Alertmanager's `receiver` field. */
  readonly receiver: string;
  /** `firing` or `resolved` (of the group). */
  readonly status: string;
  readonly alerts: readonly NotifiedAlert[];
  /** When the notification arrived (ms since epoch). */
  readonly receivedAt: number;
}

/**
 * Parses an Alertmanager webhook body (version 4 payload) into a {@link Notification}; throws on
 * anything else, naming what is missing.
 *
 * @see https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 */
export function parseNotification(urlPath: string, body: string, receivedAt = Date.now()): Notification {
  const data = JSON.parse(body) as Record<string, unknown>;
  if (typeof data.receiver !== "string" || typeof data.status !== "string" || !Array.isArray(data.alerts)) {
    throw new Error("not an Alertmanager webhook payload: receiver, status and alerts are required");
  }
  return {
    path: urlPath.replace(/^\/+/, "").split(/[/?]/)[0],
    receiver: data.receiver,
    status: data.status,
    alerts: (data.alerts as Record<string, unknown>[]).map((a) => ({
      status: String(a.status),
      labels: (a.labels ?? {}) as Record<string, string>,
      annotations: (a.annotations ?? {}) as Record<string, string>,
      startsAt: a.startsAt as string | undefined,
      endsAt: a.endsAt as string | undefined,
    })),
    receivedAt,
  };
}

/** What a test looks for in the recorded notifications. Every given field must match. */
export interface AlertQuery {
  readonly alertname: string;
  /** The receiver path. */
  readonly path?: string;
  /** The alert's own status (`firing` / `resolved`). */
  readonly status?: string;
  readonly severity?: string;
  /** Extra labels the alert must carry. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Only notifications that arrived at or after this time (ms since epoch). */
  readonly since?: number;
}

/** The first recorded notification (and its alert) matching the query, or undefined. */
export function findAlert(
  notifications: readonly Notification[],
  q: AlertQuery,
): { notification: Notification; alert: NotifiedAlert } | undefined {
  for (const n of notifications) {
    if ((q.path !== undefined && n.path !== q.path) || (q.since !== undefined && n.receivedAt < q.since)) {
      continue;
    }
    for (const a of n.alerts) {
      const labels = { ...(q.labels ?? {}), alertname: q.alertname, ...(q.severity ? { severity: q.severity } : {}) };
      if (Object.entries(labels).every(([k, v]) => a.labels[k] === v) && (q.status === undefined || a.status === q.status)) {
        return { notification: n, alert: a };
      }
    }
  }
  return undefined;
}

/**
 * An HTTP server that records every Alertmanager webhook notification, for assertions. Each receiver
 * of the rehearsal config gets its own path (`/critical`, `/warning`, `/heartbeat`, ...).
 */
export class WebhookRecorder {
  public readonly notifications: Notification[] = [];
  /** Bodies that were not Alertmanager payloads, with the error. */
  public readonly rejected: string[] = [];
  private server?: http.Server;
  private port = 0;

  /** Listens on loopback; `port` 0 picks a free one. */
  public async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        try {
          this.notifications.push(parseNotification(req.url ?? "/", Buffer.concat(chunks).toString("utf8")));
          res.writeHead(200).end();
        } catch (e) {
          this.rejected.push(`${req.method} ${req.url}: ${(e as Error).message}`);
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, LOOPBACK, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port>/<receiver>`: the URL to give a receiver. */
  public url(receiver: string): string {
    return `http://${LOOPBACK}:${this.port}/${receiver}`;
  }

  public find(q: AlertQuery): { notification: Notification; alert: NotifiedAlert } | undefined {
    return findAlert(this.notifications, q);
  }

  /** Waits for a matching notification; throws after `timeoutMs` listing what did arrive. */
  public async waitFor(q: AlertQuery, timeoutMs: number): Promise<{ notification: Notification; alert: NotifiedAlert }> {
    try {
      return await waitUntil(`notification ${JSON.stringify(q)}`, async () => this.find(q), { timeoutMs, intervalMs: 100 });
    } catch (e) {
      throw new Error(`${(e as Error).message}; received so far: ${this.summary()}`);
    }
  }

  /** One line per notification: `path receiver status alertname/severity/status ...`. */
  public summary(): string {
    if (this.notifications.length === 0) {
      return "(none)";
    }
    return this.notifications
      .map((n) => `${n.path}[${n.alerts.map((a) => `${a.labels.alertname}/${a.labels.severity}/${a.status}`).join(",")}]`)
      .join(" ");
  }

  public async close(): Promise<void> {
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((r) => this.server!.close(() => r()));
    }
  }
}
