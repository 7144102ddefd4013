import type { StackComponents } from "./index";
import { CustomVariableBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import * as units from "@grafana/grafana-foundation-sdk/units";
import { Duration } from "../alerts/duration";
import {
  alertLine,
  assembleDashboard,
  type DashboardContext,
  type DashboardFile,
  JaegerSearchQueryBuilder,
  logs,
  lokiQuery,
  promQuery,
  promString,
  timeseries,
  traceSearch,
} from "./common";
import { httpLatencyQuantileWithExemplars } from "./queries";

/** Template variable holding the selected application service (Loki `service` label = Jaeger service name). */
const SERVICE = "service";

/** LogQL stream selector over the given services. Alloy labels every container log with `service`. */
function servicesSelector(services: readonly string[]): string {
  return `{service=~${promString(services.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"))}}`;
}

// ─── Logs ────────────────────────────────────────────────────────────────────────────────────────

function serviceLogs() {
  return logs({
    title: "Service logs",
    description: "Logs of the selected service, newest first. Open a line's details: a trace id in it links to the trace in Jaeger (Loki derived field).",
    unit: units.NoUnit,
    query: lokiQuery(`{service="$${SERVICE}"}`),
  });
}

function errorLogs(services: readonly string[]) {
  return logs({
    title: "Errors across the application",
    description: "Lines mentioning error, panic or fatal in any application service, with trace links.",
    unit: units.NoUnit,
    height: 10,
    query: lokiQuery(`${servicesSelector(services)} |~ "(?i)(error|panic|fatal)"`, 500),
  });
}

// ─── Traces ──────────────────────────────────────────────────────────────────────────────────────

function recentTraces() {
  return traceSearch({
    title: "Recent traces",
    description: "The latest traces of the selected service; a trace id opens the trace, whose spans link back to their logs.",
    unit: units.NoUnit,
    width: 12,
    query: new JaegerSearchQueryBuilder().service(`$${SERVICE}`).limit(20),
  });
}

function slowTraces(ctx: DashboardContext) {
  // The HTTP latency threshold is typed in seconds; Jaeger's minDuration wants a duration.
  const threshold = ctx.thresholds.httpLatency.threshold;
  const query = new JaegerSearchQueryBuilder().service(`$${SERVICE}`).limit(20).minDuration(Duration.seconds(threshold.value));
  return traceSearch({
    title: "Slow traces",
    description: "Traces of the selected service slower than the HTTP latency alert threshold (HighHTTPLatency): what the slow requests did.",
    unit: units.NoUnit,
    width: 12,
    query,
  });
}

function errorTraces() {
  return traceSearch({
    title: "Traces with errors",
    description: "Traces of the selected service with a span tagged error=true.",
    unit: units.NoUnit,
    width: 12,
    query: new JaegerSearchQueryBuilder().service(`$${SERVICE}`).tags("error=true").limit(20),
  });
}

function latencyWithExemplars(ctx: DashboardContext) {
  return timeseries({
    title: "HTTP p95 with exemplars",
    description: "HTTP p95 latency; the dots are exemplars (sampled requests) that link to their trace in Jaeger.",
    unit: units.Seconds,
    alert: alertLine("HighHTTPLatency", ctx.thresholds.httpLatency.threshold),
    queries: [promQuery(httpLatencyQuantileWithExemplars(ctx.applicationJob, 0.95), "{{service}} p95", { exemplar: true })],
  });
}

/** Logs and traces of the application, linked both ways. */
export function logsTraces(ctx: DashboardContext, services: readonly string[], components: StackComponents): DashboardFile {
  if (services.length === 0) {
    throw new Error("applicationServices: empty list; name at least one service whose logs and traces to show");
  }
  return assembleDashboard(
    {
      uid: "logs-traces",
      title: "Logs & Traces",
      description: "What happened in a service, and why was that request slow? Loki logs with trace links, Jaeger trace searches.",
      tags: ["logs", "traces", "loki", "jaeger"],
      folder: "Messenger",
      from: "now-1h",
      variables: [
        new CustomVariableBuilder(SERVICE)
          .label("Service")
          .values(services.join(","))
          .current({ text: services[0], value: services[0] }),
      ],
      rows: [
        ...(components.loki !== false ? [{ title: "Logs", panels: [serviceLogs(), errorLogs(services)] }] : []),
        {
          title: "Traces",
          panels: [latencyWithExemplars(ctx), ...(components.jaeger ? [recentTraces(), slowTraces(ctx), errorTraces()] : [])],
        },
      ],
    },
    ctx,
  );
}
