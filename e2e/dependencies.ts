import { randomBytes } from "node:crypto";
import { CatalogSource } from "../alerts/catalog/types";
import { AlertmanagerApi, PrometheusApi } from "../test/rehearsal/apis";
import { request, waitUntil } from "../test/rehearsal/http";
import { describeFaultTimeline } from "../test/rehearsal/stages";
import { parseNotificationLog, notificationsWith, DockerRun } from "./scaling";

/**
 * The checks of the stack's dependencies and trace pipeline on one host: the database exporters against
 * real PostgreSQL and Redis peers (up, their data, an outage of each paging and resolving), and Jaeger
 * taking an OTLP span and returning its trace. Each is a check of the run's report with its figure.
 */

/** What the checks need of the run. */
export interface DependencyRig {
  readonly docker: DockerRun;
  readonly prom: PrometheusApi;
  readonly am: AlertmanagerApi;
  /** The webhook receiver's log so far. */
  readonly notificationLog: () => Promise<string>;
  readonly check: (name: string, fn: () => Promise<string>) => Promise<boolean>;
  /** Lines for `npm run bench` ("Measured:"). */
  readonly measures: string[];
  readonly timeoutMs: number;
}

/** A database peer whose outage one alert must report. */
export interface DatabaseOutage {
  /** PostgreSQL, Redis. */
  readonly what: string;
  /** The peer's container. */
  readonly container: string;
  readonly alert: string;
  /** The exporter's scrape job (where the fault shows). */
  readonly job: string;
  /** The detection budget with its terms ({@link detectionBudget} of e2e/measure.ts). */
  readonly budget: { readonly seconds: number; readonly text: string };
  /** Start → resolved notification: the group's next flush (group_interval) plus an evaluation and a scrape. */
  readonly resolvedSeconds: number;
}

const lastLine = async (rig: DependencyRig) => parseNotificationLog(await rig.notificationLog()).reduce((m, n) => Math.max(m, n.line), -1);

/**
 * Stops the peer: its alert must reach the webhook within the budget (with the stage breakdown); starts
 * it: the resolved notification must follow. Two checks; the outages of several peers may run at once
 * (their alerts are separate Alertmanager groups: group_by has alertname).
 */
export async function runOutage(rig: DependencyRig, o: DatabaseOutage): Promise<boolean> {
  const logLines = async () => parseNotificationLog(await rig.notificationLog());
  const labels = { alertname: o.alert };
  let stoppedOk = false;
  const fired = await rig.check(`stop ${o.what}: ${o.alert} reaches the webhook within its budget`, async () => {
    const before = await lastLine(rig);
    const since = Date.now();
    await rig.docker(["stop", "-t", "2", o.container]);
    stoppedOk = true;
    await waitUntil(`${o.alert} at the webhook`, async () => notificationsWith(await logLines(), before, labels, "firing").length > 0, {
      timeoutMs: Math.max(rig.timeoutMs, (o.budget.seconds + 60) * 1000),
      intervalMs: 1000,
    });
    const notifiedAt = Date.now();
    const seconds = (notifiedAt - since) / 1000;
    const stages = await describeFaultTimeline(rig.prom, rig.am, { labels, job: o.job, injectedAt: since, notifiedAt });
    rig.measures.push(`${o.what} stopped → ${o.alert} at the webhook ${seconds.toFixed(1)} s (budget ${o.budget.seconds} s: ${o.budget.text}) [${stages}]`);
    if (seconds > o.budget.seconds) throw new Error(`${o.alert} took ${seconds.toFixed(1)} s, over its budget of ${o.budget.text} [${stages}]`);
    return `${o.alert} at the webhook ${seconds.toFixed(1)} s after docker stop ${o.container} (budget ${o.budget.text}) [${stages}]`;
  });
  if (!stoppedOk) return false;
  const resolved = await rig.check(`start ${o.what}: ${o.alert} resolves at the webhook`, async () => {
    const before = await lastLine(rig);
    const since = Date.now();
    await rig.docker(["start", o.container]);
    await waitUntil(`the ${o.alert} resolved notification`, async () => notificationsWith(await logLines(), before, labels, "resolved").length > 0, {
      timeoutMs: o.resolvedSeconds * 1000,
      intervalMs: 2000,
    });
    const seconds = (Date.now() - since) / 1000;
    rig.measures.push(`${o.what} started → ${o.alert} resolved at the webhook ${seconds.toFixed(1)} s (within ${o.resolvedSeconds} s)`);
    return `${o.alert} resolved at the webhook ${seconds.toFixed(1)} s after docker start (within group_interval + evaluation + scrape: ${o.resolvedSeconds} s)`;
  });
  return fired && resolved;
}

/** The names of a catalog source the exposed series lack (a histogram counts by its `_bucket`). */
export function catalogNamesAbsent(source: CatalogSource, exposed: ReadonlySet<string>): string[] {
  return source.metrics
    .filter((m) => !(m.type === "histogram" || m.type === "summary" ? exposed.has(`${m.name}_count`) || exposed.has(`${m.name}_bucket`) : exposed.has(m.name)))
    .map((m) => m.name);
}

/**
 * The pinned release's catalog (the provenance check's names) against what the deployed release exposes:
 * a figure for docs/e2e.md's differences, not a failure (a name may be absent for want of data); the
 * names the stack's own rules read are named apart.
 */
export async function catalogAgainstDeployed(prom: PrometheusApi, source: CatalogSource, ruleExprs: readonly string[]): Promise<string> {
  const series = await prom.query(`count by (__name__) ({job="${source.job}"})`);
  const exposed = new Set(series.map((s) => s.metric.__name__));
  const absent = catalogNamesAbsent(source, exposed);
  const used = absent.filter((n) => ruleExprs.some((e) => new RegExp(`\\b${n}\\b`).test(e)));
  return (
    `${source.metrics.length - absent.length}/${source.metrics.length} names of the pinned ${source.version} catalog exposed` +
    (absent.length > 0 ? `; absent: ${absent.join(", ")}` : "") +
    `; read by the stack's rules and absent: ${used.length > 0 ? used.join(", ") : "none"}`
  );
}

/** A random trace id (16 bytes, hex) and span id (8 bytes), as OTLP/JSON writes them. */
export function newTraceIds(): { traceId: string; spanId: string } {
  return { traceId: randomBytes(16).toString("hex"), spanId: randomBytes(8).toString("hex") };
}

/** One span in OTLP/HTTP JSON (`POST /v1/traces`), of service `service`, that lasted 25 ms. */
export function otlpSpan(traceId: string, spanId: string, service: string, nowMs = Date.now()): unknown {
  const end = BigInt(nowMs) * 1_000_000n;
  const start = end - 25_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: "monitoring-stack-e2e" },
            spans: [{ traceId, spanId, name: "e2e-check", kind: 2, startTimeUnixNano: start.toString(), endTimeUnixNano: end.toString(), attributes: [] }],
          },
        ],
      },
    ],
  };
}

/** Jaeger's trace pipeline: OTLP in, the trace out of the query API. */
export async function sendSpanAndFetch(otlpHttpPort: number, uiPort: number, service: string, timeoutMs: number): Promise<string> {
  const { traceId, spanId } = newTraceIds();
  const sent = await request(`http://127.0.0.1:${otlpHttpPort}/v1/traces`, { method: "POST", body: otlpSpan(traceId, spanId, service), timeoutMs: 10_000 });
  if (sent.status !== 200) throw new Error(`OTLP/HTTP POST /v1/traces: HTTP ${sent.status}: ${sent.body.slice(0, 300)}`);
  const t0 = Date.now();
  const trace = await waitUntil(
    `trace ${traceId} from Jaeger's query API`,
    async () => {
      const r = await request(`http://127.0.0.1:${uiPort}/api/traces/${traceId}`, { timeoutMs: 5000 });
      if (r.status !== 200) return undefined;
      const body = JSON.parse(r.body) as { data?: Array<{ traceID: string; spans: Array<{ spanID: string; operationName: string }>; processes: Record<string, { serviceName: string }> }> };
      const t = body.data?.[0];
      return t && t.spans.some((s) => s.spanID === spanId) ? t : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
  const span = trace.spans.find((s) => s.spanID === spanId)!;
  const services = Object.values(trace.processes).map((p) => p.serviceName);
  return `OTLP/HTTP JSON span accepted (HTTP ${sent.status}); GET /api/traces/${traceId} returned it ${((Date.now() - t0) / 1000).toFixed(1)} s later: span ${span.spanID} "${span.operationName}" of ${services.join(", ")}`;
}
