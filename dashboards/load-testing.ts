import * as units from "@grafana/grafana-foundation-sdk/units";
import { alertLine, serviceVariable, assembleDashboard, type DashboardContext, type DashboardFile, promQuery, RATE_INTERVAL, timeseries } from "./common";
import { CPU_UTILISATION, deliveryLatencyQuantile, httpLatencyQuantile, websocketConnections } from "./queries";

// k6's Prometheus remote-write output: counters end in `_total`, rates in `_rate`, trends are sent as
// one gauge per configured stat (K6_PROMETHEUS_RW_TREND_STATS, default "p(99)"), without a unit suffix but
// in seconds: k6_http_req_duration_p99 (see alerts/catalog/k6.ts).

// ─── Client side (k6) ────────────────────────────────────────────────────────────────────────────

function k6Requests() {
  return timeseries({
    title: "k6 requests per second",
    description: "HTTP requests the load test sends per second, per scenario.",
    unit: units.RequestsPerSecond,
    queries: [promQuery(`sum by (scenario) (rate(k6_http_reqs_total[${RATE_INTERVAL}]))`, "{{scenario}}")],
  });
}

function k6Latency() {
  return timeseries({
    title: "k6 request duration p99",
    description: "p99 request duration as the load generator sees it (network included), per scenario.",
    unit: units.Seconds,
    queries: [promQuery("max by (scenario) (k6_http_req_duration_p99)", "p99 {{scenario}}")],
  });
}

function k6Failures() {
  return timeseries({
    title: "k6 failed requests and checks",
    description: "Share of requests k6 counted as failed, and share of checks that passed.",
    unit: units.PercentUnit,
    min: 0,
    max: 1,
    queries: [
      promQuery("avg by (scenario) (k6_http_req_failed_rate)", "failed requests {{scenario}}"),
      promQuery("avg by (scenario) (k6_checks_rate)", "checks passed {{scenario}}"),
    ],
  });
}

function k6VirtualUsers() {
  return timeseries({
    title: "k6 virtual users",
    description: "Active virtual users and the configured maximum.",
    unit: units.Short,
    queries: [promQuery("sum(k6_vus)", "active"), promQuery("sum(k6_vus_max)", "max")],
  });
}

// ─── Server side ─────────────────────────────────────────────────────────────────────────────────

function serverLatency(ctx: DashboardContext) {
  return timeseries({
    title: "Server message delivery p95 under load",
    description: "The latency the load causes on the server: message delivery p95.",
    unit: units.Seconds,
    alert: alertLine("HighMessageLatency", ctx.thresholds.messageDeliveryLatency.threshold),
    queries: [promQuery(deliveryLatencyQuantile(ctx.applicationJob, 0.95), "{{service}} delivery p95")],
  });
}

function serverHttpLatency(ctx: DashboardContext) {
  return timeseries({
    title: "Server HTTP p95 under load",
    description: "Server-side HTTP p95 next to the client-side p99 above: the difference is network and queueing.",
    unit: units.Seconds,
    alert: alertLine("HighHTTPLatency", ctx.thresholds.httpLatency.threshold),
    queries: [promQuery(httpLatencyQuantile(ctx.applicationJob, 0.95), "{{service}} HTTP p95")],
  });
}

function serverConnections(ctx: DashboardContext) {
  return timeseries({
    title: "Server WebSocket connections",
    description: "Open WebSocket connections on the server while the test runs.",
    unit: units.Short,
    queries: [promQuery(`sum(${websocketConnections(ctx.applicationJob)})`, "connections")],
  });
}

function serverCpu(ctx: DashboardContext) {
  return timeseries({
    title: "Host CPU under load",
    description: "CPU utilisation of the hosts under test.",
    unit: units.PercentUnit,
    min: 0,
    max: 1,
    alert: alertLine("HighCPUUsage", ctx.thresholds.cpuUtilisation.threshold),
    queries: [promQuery(CPU_UTILISATION, "{{instance}}")],
  });
}

/** Does the system hold the load? k6's client-side view next to the server-side latency it causes. */
export function loadTesting(ctx: DashboardContext, sources: { readonly node: boolean }): DashboardFile {
  return assembleDashboard(
    {
      uid: "load-testing",
      variables: [serviceVariable(ctx.applicationJob)],
      title: "Load Testing",
      description: "Does the system hold the load? k6 metrics (Prometheus remote write) next to the server-side latency they cause.",
      tags: ["load-testing", "k6"],
      folder: "Capacity & load",
      from: "now-1h",
      rows: [
        { title: "Load generator (k6)", panels: [k6Requests(), k6Latency(), k6Failures(), k6VirtualUsers()] },
        {
          title: "Server under load",
          panels: [serverLatency(ctx), serverHttpLatency(ctx), serverConnections(ctx), ...(sources.node ? [serverCpu(ctx)] : [])],
        },
      ],
    },
    ctx,
  );
}
