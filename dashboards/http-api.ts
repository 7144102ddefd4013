import * as units from "@grafana/grafana-foundation-sdk/units";
import { alertLine, instanceVariable, serviceVariable, withWarning, assembleDashboard, type DashboardContext, type DashboardFile, promQuery, RATE_INTERVAL, table, timeseries } from "./common";
import { appSelector, httpErrorRatio, httpLatencyQuantile, httpLatencyQuantileBy, replicaSelector, serviceReplicasUp } from "./queries";

const REQUESTS = "messenger_http_requests_total";

// ─── Rate ────────────────────────────────────────────────────────────────────────────────────────

function requestRate(ctx: DashboardContext) {
  return timeseries({
    title: "Request rate per replica",
    description: "HTTP requests per second of each replica (instance) of the selected services; stacked, the service's total.",
    unit: units.RequestsPerSecond,
    stacked: true,
    queries: [
      promQuery(`sum by (service, instance) (rate(${REQUESTS}${replicaSelector(ctx.applicationJob)}[${RATE_INTERVAL}]))`, "{{service}} {{instance}}"),
    ],
  });
}

function replicasUp(ctx: DashboardContext) {
  return timeseries({
    title: "Replicas up per service",
    description:
      "Replicas of each service that answer Prometheus (each replica is a target of its own). ServiceDown pages at 0; " +
      `ServiceReplicaDown warns while it is below its maximum of the past ${ctx.thresholds.replicaLossWindow}.`,
    unit: units.Short,
    min: 0,
    queries: [promQuery(serviceReplicasUp(ctx.applicationJob), "{{service}}")],
  });
}

function requestsByStatusClass(ctx: DashboardContext) {
  // One query per class instead of label_replace: its "${1}xx" would be read by Grafana as a variable.
  return timeseries({
    title: "Requests by status class",
    description: "HTTP responses per second by status class (2xx, 3xx, 4xx, 5xx).",
    unit: units.RequestsPerSecond,
    stacked: true,
    queries: ["2", "3", "4", "5"].map((c) =>
      promQuery(`sum(rate(${REQUESTS}${appSelector(ctx.applicationJob, `status=~"${c}.."`)}[${RATE_INTERVAL}]))`, `${c}xx`),
    ),
  });
}

// ─── Errors ──────────────────────────────────────────────────────────────────────────────────────

function errorRatio(ctx: DashboardContext) {
  return timeseries({
    title: "Error ratio (5xx)",
    description: "Share of requests answered with a 5xx status.",
    unit: units.PercentUnit,
    min: 0,
    alert: withWarning(alertLine("HighErrorRate", ctx.thresholds.httpErrorRatio.threshold), "ElevatedErrorRate", ctx.thresholds.httpErrorRatioWarning.threshold),
    queries: [promQuery(httpErrorRatio(ctx.applicationJob), "{{service}} 5xx ratio")],
  });
}

function errorRatioByRoute(ctx: DashboardContext) {
  const sel = (extra: string) => appSelector(ctx.applicationJob, extra);
  return timeseries({
    title: "Error ratio by route",
    description: "Share of 5xx answers per route: which endpoint fails.",
    unit: units.PercentUnit,
    min: 0,
    queries: [
      promQuery(
        `sum by (route) (rate(${REQUESTS}${sel('status=~"5.."')}[${RATE_INTERVAL}])) / sum by (route) (rate(${REQUESTS}${sel("")}[${RATE_INTERVAL}]))`,
        "{{route}}",
      ),
    ],
  });
}

function errorRatioPerReplica(ctx: DashboardContext) {
  const sel = (extra: string) => replicaSelector(ctx.applicationJob, extra);
  return timeseries({
    title: "Error ratio per replica",
    description: "Share of 5xx answers of each replica: one bad replica stands out here before the service's ratio crosses the alert.",
    unit: units.PercentUnit,
    min: 0,
    queries: [
      promQuery(
        `sum by (service, instance) (rate(${REQUESTS}${sel('status=~"5.."')}[${RATE_INTERVAL}])) / sum by (service, instance) (rate(${REQUESTS}${sel("")}[${RATE_INTERVAL}]))`,
        "{{service}} {{instance}}",
      ),
    ],
  });
}

// ─── Duration ────────────────────────────────────────────────────────────────────────────────────

function latencyQuantiles(ctx: DashboardContext) {
  return timeseries({
    title: "Latency quantiles",
    description: "p50 / p95 / p99 HTTP request duration over all services. Guide target p95 < 200ms.",
    unit: units.Seconds,
    alert: alertLine("HighHTTPLatency", ctx.thresholds.httpLatency.threshold),
    queries: [0.5, 0.95, 0.99].map((q) =>
      promQuery(httpLatencyQuantile(ctx.applicationJob, q), `{{service}} p${Math.round(q * 100)}`, { exemplar: q === 0.99 }),
    ),
  });
}

function latencyPerService(ctx: DashboardContext) {
  return timeseries({
    title: "p95 latency per replica",
    description: "p95 HTTP request duration of each replica (instance) of the selected services.",
    unit: units.Seconds,
    alert: alertLine("HighHTTPLatency", ctx.thresholds.httpLatency.threshold),
    queries: [promQuery(httpLatencyQuantileBy(ctx.applicationJob, 0.95, ["service", "instance"], undefined, replicaSelector(ctx.applicationJob)), "{{service}} {{instance}}")],
  });
}

function slowestRoutes(ctx: DashboardContext) {
  return table({
    title: "Slowest routes (p95)",
    description: "The ten routes with the highest p95 duration over the selected range.",
    unit: units.Seconds,
    width: 24,
    alert: alertLine("HighHTTPLatency", ctx.thresholds.httpLatency.threshold),
    queries: [
      promQuery(`topk(10, ${httpLatencyQuantileBy(ctx.applicationJob, 0.95, ["method", "route"], "$__range")})`, "{{method}} {{route}}", {
        instant: true,
        table: true,
      }),
    ],
  });
}

/** RED view of the HTTP API: how many requests, how many fail, how long they take, per service. */
export function httpApi(ctx: DashboardContext): DashboardFile {
  return assembleDashboard(
    {
      uid: "http-api-red",
      variables: [serviceVariable(ctx.applicationJob), instanceVariable(ctx.applicationJob)],
      title: "HTTP API (RED)",
      description: "How many requests does the API serve, how many fail, and how long do they take, per service, replica and route?",
      tags: ["messenger", "http", "red"],
      folder: "Messenger",
      rows: [
        { title: "Rate", panels: [requestRate(ctx), requestsByStatusClass(ctx), replicasUp(ctx)] },
        { title: "Errors", panels: [errorRatio(ctx), errorRatioPerReplica(ctx), errorRatioByRoute(ctx)] },
        { title: "Duration", panels: [latencyQuantiles(ctx), latencyPerService(ctx), slowestRoutes(ctx)] },
      ],
    },
    ctx,
  );
}
