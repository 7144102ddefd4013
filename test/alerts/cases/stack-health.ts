import { Duration } from "../../../alerts/duration";
import { DEFAULT_THRESHOLDS as T } from "../../../alerts/thresholds";
import { AlertTestCase } from "./types";

const PROM = `job="prometheus", instance="localhost:9090"`;
const PROM_LABELS = { job: "prometheus", instance: "localhost:9090" };
const AM = `job="alertmanager", instance="alertmanager:9093"`;
const AM_LABELS = { job: "alertmanager", instance: "alertmanager:9093" };

function componentDown(alert: string, job: string, instance: string): AlertTestCase {
  return {
    alert,
    signals: [{ kind: "gauge", series: `up{job="${job}", instance="${instance}"}`, values: { below: 1, above: 0, recover: 1 } }],
    expected: { labels: { job }, value: 1 },
  };
}

export const STACK_HEALTH_CASES: readonly AlertTestCase[] = [
  {
    alert: "Watchdog",
    alwaysFiring: true,
    signals: [],
    expected: { labels: {}, value: 1 },
  },
  {
    // Loki is down all along: LokiDown covers it, TargetDown must not fire for it twice
    alert: "TargetDown",
    signals: [
      { kind: "gauge", series: `up{job="node-exporter", instance="node-exporter:9100"}`, values: { below: 1, above: 0, recover: 1 } },
      { kind: "gauge", series: `up{job="loki", instance="loki:3100"}`, values: { below: 0, above: 0 } },
    ],
    expected: { labels: { job: "node-exporter", instance: "node-exporter:9100" }, value: 0 },
  },
  componentDown("AlertmanagerDown", "alertmanager", "alertmanager:9093"),
  componentDown("LokiDown", "loki", "loki:3100"),
  {
    // On a cluster (the catalog's options) one Alloy per node: sw2's is down while sw1's runs.
    alert: "AlloyDown",
    signals: [
      { kind: "gauge", series: `up{job="alloy", node="sw1", instance="sw1"}`, values: { below: 1, above: 1 } },
      { kind: "gauge", series: `up{job="alloy", node="sw2", instance="sw2"}`, values: { below: 1, above: 0, recover: 1 } },
    ],
    expected: { labels: { job: "alloy", node: "sw2" }, value: 0 },
  },
  componentDown("JaegerDown", "jaeger", "jaeger:8888"),
  {
    // one failure a minute: 5 in the 5m window
    alert: "PrometheusRuleEvaluationFailures",
    signals: [
      { kind: "rate", series: `prometheus_rule_evaluation_failures_total{${PROM}, rule_group="/etc/prometheus/rules/host-alerts.rules.yml;host-alerts"}`, perSecond: { below: T.ruleEvaluationFailures.threshold.value, above: 1 / 60 } },
    ],
    expected: { labels: { ...PROM_LABELS, rule_group: "/etc/prometheus/rules/host-alerts.rules.yml;host-alerts" }, value: 5 },
  },
  {
    alert: "PrometheusNotificationsFailing",
    signals: [
      { kind: "rate", series: `prometheus_notifications_sent_total{${PROM}, alertmanager="http://alertmanager:9093/api/v2/alerts"}`, perSecond: { below: 10, above: 10 } },
      { kind: "rate", series: `prometheus_notifications_errors_total{${PROM}, alertmanager="http://alertmanager:9093/api/v2/alerts"}`, perSecond: { below: 10 * T.prometheusNotificationErrorRatio.threshold.value * 0.5, above: 1 } },
    ],
    expected: { labels: { ...PROM_LABELS, alertmanager: "http://alertmanager:9093/api/v2/alerts" }, value: 0.1 },
  },
  {
    alert: "PrometheusAlertmanagerNotConnected",
    signals: [
      { kind: "gauge", series: `prometheus_notifications_alertmanagers_discovered{${PROM}}`, values: { below: T.alertmanagersDiscovered.threshold.value, above: 0 } },
    ],
    expected: { labels: PROM_LABELS, value: 0 },
  },
  {
    // failures carry a `reason` label (Alertmanager >= 0.27) that the totals do not have
    alert: "AlertmanagerNotificationsFailing",
    signals: [
      { kind: "rate", series: `alertmanager_notifications_total{${AM}, integration="webhook"}`, perSecond: { below: 10, above: 10 } },
      { kind: "rate", series: `alertmanager_notifications_failed_total{${AM}, integration="webhook", reason="serverError"}`, perSecond: { below: 10 * T.alertmanagerNotificationFailureRatio.threshold.value * 0.5, above: 0.5 } },
      { kind: "rate", series: `alertmanager_notifications_failed_total{${AM}, integration="webhook", reason="other"}`, perSecond: { below: 0, above: 0.5 } },
    ],
    expected: { labels: { ...AM_LABELS, integration: "webhook" }, value: 0.1 },
  },
  {
    alert: "PrometheusConfigReloadFailed",
    signals: [{ kind: "gauge", series: `prometheus_config_last_reload_successful{${PROM}}`, values: { below: 1, above: 0 } }],
    expected: { labels: PROM_LABELS, value: 0 },
  },
  {
    alert: "AlertmanagerConfigReloadFailed",
    signals: [{ kind: "gauge", series: `alertmanager_config_last_reload_successful{${AM}}`, values: { below: 1, above: 0 } }],
    expected: { labels: AM_LABELS, value: 0 },
  },
  {
    // one failure an hour: 3 in the 3h window
    alert: "PrometheusTSDBCompactionsFailing",
    interval: Duration.parse("5m"),
    lag: T.tsdbFailureWindow,
    signals: [{ kind: "rate", series: `prometheus_tsdb_compactions_failed_total{${PROM}}`, perSecond: { below: 0, above: 1 / 3600 } }],
    expected: { labels: PROM_LABELS, value: 3 },
  },
  {
    alert: "PrometheusTSDBReloadsFailing",
    interval: Duration.parse("5m"),
    lag: T.tsdbFailureWindow,
    signals: [{ kind: "rate", series: `prometheus_tsdb_reloads_failures_total{${PROM}}`, perSecond: { below: 0, above: 1 / 3600 } }],
    expected: { labels: PROM_LABELS, value: 3 },
  },
];
