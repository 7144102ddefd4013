import * as units from "@grafana/grafana-foundation-sdk/units";
import { JOBS } from "../alerts/jobs";
import type { StackComponents } from "./index";
import { alertLine, assembleDashboard, type DashboardContext, type DashboardFile, histogramQuantile, promQuery, promString, RATE_INTERVAL, table, timeseries } from "./common";

const STACK_JOBS = [JOBS.prometheus, JOBS.alertmanager, JOBS.loki, JOBS.alloy, JOBS.jaeger, JOBS.grafana];
const job = (name: string) => `{job=${promString(name)}}`;

// ─── Targets ─────────────────────────────────────────────────────────────────────────────────────

function targetsUp() {
  return table({
    title: "Scrape targets",
    description: "Every scrape target and whether its last scrape succeeded (1 = up).",
    unit: units.NoUnit,
    width: 12,
    queries: [promQuery("up", "{{job}} {{instance}}", { instant: true, table: true })],
  });
}

function componentMemory() {
  return timeseries({
    title: "Stack component memory",
    description: "Resident memory of each monitoring component.",
    unit: units.BytesIEC,
    queries: [promQuery(`sum by (job) (process_resident_memory_bytes{job=~${promString(STACK_JOBS.join("|"))}})`, "{{job}}")],
  });
}

// ─── Prometheus ──────────────────────────────────────────────────────────────────────────────────

function prometheusIngestion() {
  return timeseries({
    title: "Prometheus samples ingested",
    description: "Samples appended to the TSDB head per second.",
    unit: units.CountsPerSecond,
    queries: [promQuery(`rate(prometheus_tsdb_head_samples_appended_total${job(JOBS.prometheus)}[${RATE_INTERVAL}])`, "{{instance}}")],
  });
}

function prometheusSeries() {
  return timeseries({
    title: "Prometheus head series",
    description: "Active series in the TSDB head; memory grows with it.",
    unit: units.Short,
    queries: [promQuery(`prometheus_tsdb_head_series${job(JOBS.prometheus)}`, "{{instance}}")],
  });
}

function prometheusStorage() {
  return timeseries({
    title: "Prometheus storage",
    description: "Bytes in persisted blocks and in the WAL; retention by size cuts at the configured limit.",
    unit: units.BytesIEC,
    queries: [
      promQuery(`prometheus_tsdb_storage_blocks_bytes${job(JOBS.prometheus)}`, "blocks"),
      promQuery(`prometheus_tsdb_wal_storage_size_bytes${job(JOBS.prometheus)}`, "WAL"),
    ],
  });
}

function ruleEvaluationFailures(ctx: DashboardContext) {
  return timeseries({
    title: "Rule evaluation failures",
    description: "Failed rule evaluations in the last 5m per group; a failing rule is an alert that can never fire.",
    unit: units.Short,
    alert: alertLine("PrometheusRuleEvaluationFailures", ctx.thresholds.ruleEvaluationFailures.threshold),
    queries: [promQuery(`sum by (rule_group) (increase(prometheus_rule_evaluation_failures_total${job(JOBS.prometheus)}[5m]))`, "{{rule_group}}")],
  });
}

function notificationErrors(ctx: DashboardContext) {
  const p = job(JOBS.prometheus);
  return timeseries({
    title: "Alerts failing to reach Alertmanager",
    description: "Share of alert notifications Prometheus failed to deliver to Alertmanager.",
    unit: units.PercentUnit,
    alert: alertLine("PrometheusNotificationsFailing", ctx.thresholds.prometheusNotificationErrorRatio.threshold),
    queries: [promQuery(`rate(prometheus_notifications_errors_total${p}[5m]) / rate(prometheus_notifications_sent_total${p}[5m])`, "{{alertmanager}}")],
  });
}

// ─── Alertmanager ────────────────────────────────────────────────────────────────────────────────

function alertmanagerAlerts() {
  return timeseries({
    title: "Alertmanager alerts",
    description: "Alerts held by Alertmanager, by state (active, suppressed, unprocessed).",
    unit: units.Short,
    queries: [promQuery(`sum by (state) (alertmanager_alerts${job(JOBS.alertmanager)})`, "{{state}}")],
  });
}

function alertmanagerNotificationFailures(ctx: DashboardContext) {
  const a = job(JOBS.alertmanager);
  return timeseries({
    title: "Notification failures by integration",
    description: "Share of notifications to each receiver integration (email, slack, webhook…) that failed.",
    unit: units.PercentUnit,
    alert: alertLine("AlertmanagerNotificationsFailing", ctx.thresholds.alertmanagerNotificationFailureRatio.threshold),
    queries: [
      promQuery(
        `sum by (integration) (rate(alertmanager_notifications_failed_total${a}[5m])) / sum by (integration) (rate(alertmanager_notifications_total${a}[5m]))`,
        "{{integration}}",
      ),
    ],
  });
}

// ─── Logs & traces pipeline ──────────────────────────────────────────────────────────────────────

function lokiIngestion() {
  return timeseries({
    title: "Loki lines received",
    description: "Log lines received by Loki's distributor per second.",
    unit: units.CountsPerSecond,
    queries: [promQuery(`sum(rate(loki_distributor_lines_received_total${job(JOBS.loki)}[${RATE_INTERVAL}]))`, "lines/s")],
  });
}

function lokiLatency() {
  return timeseries({
    title: "Loki request p99 by route",
    description: "p99 duration of Loki's HTTP/gRPC requests per route (push and query paths).",
    unit: units.Seconds,
    queries: [promQuery(histogramQuantile(0.99, "loki_request_duration_seconds", job(JOBS.loki), ["route"]), "{{route}}")],
  });
}

function alloyLogShipping() {
  const a = job(JOBS.alloy);
  return timeseries({
    title: "Alloy log shipping",
    description: "Log entries Alloy sent to Loki and entries it dropped, per second.",
    unit: units.CountsPerSecond,
    queries: [
      promQuery(`sum(rate(loki_write_sent_entries_total${a}[${RATE_INTERVAL}]))`, "sent"),
      promQuery(`sum(rate(loki_write_dropped_entries_total${a}[${RATE_INTERVAL}]))`, "dropped"),
    ],
  });
}

function jaegerSpans() {
  const j = job(JOBS.jaeger);
  return timeseries({
    title: "Jaeger spans",
    description: "Spans Jaeger's OTLP receivers accepted and refused per second (Jaeger v2 reports OpenTelemetry Collector metrics).",
    unit: units.CountsPerSecond,
    queries: [
      promQuery(`sum(rate(otelcol_receiver_accepted_spans_total${j}[${RATE_INTERVAL}]))`, "accepted"),
      promQuery(`sum(rate(otelcol_receiver_refused_spans_total${j}[${RATE_INTERVAL}]))`, "refused"),
    ],
  });
}

function grafanaRequests() {
  return timeseries({
    title: "Grafana request p95",
    description: "p95 duration of Grafana's HTTP requests: how fast dashboards load.",
    unit: units.Seconds,
    queries: [promQuery(histogramQuantile(0.95, "grafana_http_request_duration_seconds", job(JOBS.grafana)), "p95")],
  });
}

/** Is the monitoring itself healthy? A silent monitoring stack looks exactly like a healthy application. */
export function stackHealth(ctx: DashboardContext, components: StackComponents): DashboardFile {
  return assembleDashboard(
    {
      uid: "monitoring-stack-health",
      title: "Monitoring Stack Health",
      description: "Is the monitoring itself working: targets up, rules evaluating, alerts delivered, logs and traces flowing?",
      tags: ["meta", "prometheus", "alertmanager", "loki", "alloy", "jaeger", "grafana"],
      folder: "Monitoring stack",
      rows: [
        { title: "Targets", panels: [targetsUp(), componentMemory()] },
        {
          title: "Prometheus",
          panels: [prometheusIngestion(), prometheusSeries(), prometheusStorage(), ruleEvaluationFailures(ctx), notificationErrors(ctx)],
        },
        { title: "Alertmanager", panels: [alertmanagerAlerts(), alertmanagerNotificationFailures(ctx)] },
        {
          title: "Logs, traces, Grafana",
          panels: [
            ...(components.loki !== false ? [lokiIngestion(), lokiLatency()] : []),
            ...(components.alloy ? [alloyLogShipping()] : []),
            ...(components.jaeger ? [jaegerSpans()] : []),
            grafanaRequests(),
          ],
        },
      ],
    },
    ctx,
  );
}
