import { JOBS, NODE_AGENT_JOBS, NODE_LABEL } from "../jobs";
import { AlertDefinition } from "./types";
import { RATE_WINDOW as W, SELECTORS as S } from "./selectors";

/** Stack components with an alert of their own; TargetDown leaves them out so one outage pages once. */
export const COMPONENT_DOWN_ALERTS: ReadonlyArray<{ readonly name: string; readonly job: (typeof JOBS)[keyof typeof JOBS]; readonly severity: "critical" | "warning"; readonly runbook: string }> = [
  {
    name: "AlertmanagerDown",
    job: JOBS.alertmanager,
    severity: "critical",
    runbook:
      "No alert notification can be sent while Alertmanager is down (this alert itself may only be seen " +
      "in the Prometheus UI; the external Watchdog receiver notices the missing heartbeat). Check the container and its config.",
  },
  {
    name: "LokiDown",
    job: JOBS.loki,
    severity: "warning",
    runbook: "Logs are not stored or queryable. Check the Loki container, its volume's free space and its config.",
  },
  {
    name: "AlloyDown",
    job: JOBS.alloy,
    severity: "warning",
    runbook: "Container logs are not collected. Check the Alloy container; it must listen on 0.0.0.0:12345 to be scraped.",
  },
  {
    name: "JaegerDown",
    job: JOBS.jaeger,
    severity: "warning",
    runbook: "Traces are dropped. Check the Jaeger container and its storage; its metrics port is 8888.",
  },
];

/** Whether the alert pipeline itself works: rules, notifications, configs, storage, targets. */
export const STACK_HEALTH_ALERTS: readonly AlertDefinition[] = [
  {
    name: "Watchdog",
    group: "stack-health",
    severity: "info",
    condition: "watchdog",
    requires: { always: true },
    valueUnit: "none",
    labels: { heartbeat: "true" },
    origin: "stack health",
    runbook:
      "Always firing, on purpose: it proves that Prometheus evaluates rules and that Alertmanager delivers. " +
      "Route `heartbeat=\"true\"` to a dead man's switch receiver (repeat_interval ≤ 5m); it is the missing " +
      "heartbeat that should page. Never silence it.",
    build: () => ({
      expr: "vector(1)",
      summary: () => "Alerting pipeline heartbeat",
      description: () =>
        "This alert always fires. If its heartbeat stops arriving, Prometheus or Alertmanager is not working.",
    }),
  },
  {
    name: "TargetDown",
    group: "stack-health",
    severity: "warning",
    condition: "targetDown",
    requires: { always: true },
    valueUnit: "none",
    origin: "stack health",
    runbook:
      "Prometheus cannot scrape this target: the container is down or restarting, or its port/path changed. " +
      "Every alert on its metrics is blind meanwhile. Check the Targets page and the container logs.",
    build: (c) => {
      // The application's replicas have alerts of their own (ServiceDown, ServiceReplicaDown), per service.
      const dedicated = [...COMPONENT_DOWN_ALERTS.filter((d) => c.stackJobs.includes(d.job)).map((d) => d.job), JOBS.application];
      const selector = dedicated.length > 0 ? `{job!~"${dedicated.join("|")}"}` : "";
      return {
        expr: `up${selector} == 0`,
        summary: (a) => `Target ${a.label("instance")} of job ${a.label("job")} is down`,
        description: (a) =>
          `Prometheus has failed to scrape ${a.label("instance")} (job ${a.label("job")}) for ${c.for}.`,
      };
    },
  },
  ...COMPONENT_DOWN_ALERTS.map(
    (d): AlertDefinition => ({
      name: d.name,
      group: "stack-health",
      severity: d.severity,
      condition: "componentDown",
      requires: { job: d.job },
      valueUnit: "none",
      origin: "stack health",
      runbook: d.runbook,
      build: (c) => {
        // On a cluster a per-node agent (Alloy) runs once per node: down on one node is that node's
        // outage (TargetDown leaves the job out), so it is counted per node, and a lost node silences it.
        if (c.cluster && NODE_AGENT_JOBS.includes(d.job)) {
          return {
            expr: `sum by (job, ${NODE_LABEL}) (up{job="${d.job}"}) == 0 or absent(up{job="${d.job}"})`,
            summary: (a) => `${d.name.replace(/Down$/, "")} is down on node ${a.label(NODE_LABEL)}`,
            description: (a) => `No ${d.job} target on node ${a.label(NODE_LABEL)} has been up for ${c.for}.`,
          };
        }
        return {
          // absent() also fires when the target vanished from the configuration.
          expr: `sum by (job) (up{job="${d.job}"}) == 0 or absent(up{job="${d.job}"})`,
          summary: () => `${d.name.replace(/Down$/, "")} is down`,
          description: () => `No ${d.job} target has been up for ${c.for}.`,
        };
      },
    }),
  ),
  {
    name: "PrometheusRuleEvaluationFailures",
    group: "stack-health",
    severity: "critical",
    condition: "ruleEvaluationFailures",
    requires: { job: JOBS.prometheus },
    valueUnit: "count",
    origin: "stack health",
    runbook:
      "A rule fails to evaluate, so its alert can never fire. Open Prometheus' Rules page for the error " +
      "(often many-to-many matching after a label change) and fix the rule.",
    build: (c) => ({
      expr: `increase(prometheus_rule_evaluation_failures_total{${S.prometheus}}[${W}]) > ${c.threshold}`,
      summary: (a) => `Prometheus fails to evaluate rules of group ${a.label("rule_group")}`,
      description: (a) => `${a.value} rule evaluation failures in the last ${W}.`,
    }),
  },
  {
    name: "PrometheusNotificationsFailing",
    group: "stack-health",
    severity: "critical",
    condition: "prometheusNotificationErrorRatio",
    requires: [{ job: JOBS.prometheus }, { job: JOBS.alertmanager }],
    valueUnit: "ratio",
    origin: "stack health",
    runbook: "Prometheus cannot hand alerts to Alertmanager: check that Alertmanager is up and reachable from Prometheus.",
    build: (c) => ({
      expr:
        `rate(prometheus_notifications_errors_total{${S.prometheus}}[${W}])` +
        ` / rate(prometheus_notifications_sent_total{${S.prometheus}}[${W}]) > ${c.threshold}`,
      summary: (a) => `Prometheus fails to send alerts to ${a.label("alertmanager")}`,
      description: (a) => `${a.value} of alerts sent to Alertmanager fail (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "PrometheusAlertmanagerNotConnected",
    group: "stack-health",
    severity: "critical",
    condition: "alertmanagersDiscovered",
    requires: [{ job: JOBS.prometheus }, { job: JOBS.alertmanager }],
    valueUnit: "count",
    origin: "stack health",
    runbook: "Prometheus has no Alertmanager to send to: check the `alerting` section of prometheus.yml.",
    build: (c) => ({
      expr: `prometheus_notifications_alertmanagers_discovered{${S.prometheus}} < ${c.threshold}`,
      summary: () => "Prometheus is not connected to any Alertmanager",
      description: (a) => `Prometheus knows ${a.value} Alertmanagers (expected at least ${c.thresholdText}).`,
    }),
  },
  {
    name: "AlertmanagerNotificationsFailing",
    group: "stack-health",
    severity: "warning",
    condition: "alertmanagerNotificationFailureRatio",
    requires: { job: JOBS.alertmanager },
    valueUnit: "ratio",
    origin: "stack health",
    runbook:
      "Alertmanager cannot deliver to a receiver (webhook down, bad credentials, rate limit). Check its logs " +
      "for the integration; other receivers may still work.",
    build: (c) => ({
      // `reason` exists on failures only (Alertmanager >= 0.27), so sum it away before dividing.
      expr:
        `sum by (job, instance, integration) (rate(alertmanager_notifications_failed_total{${S.alertmanager}}[${W}]))` +
        ` / sum by (job, instance, integration) (rate(alertmanager_notifications_total{${S.alertmanager}}[${W}]))` +
        ` > ${c.threshold}`,
      summary: (a) => `Alertmanager fails to send notifications via ${a.label("integration")}`,
      description: (a) => `${a.value} of notifications via ${a.label("integration")} fail (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "PrometheusConfigReloadFailed",
    group: "stack-health",
    severity: "warning",
    condition: "configReloadFailure",
    requires: { job: JOBS.prometheus },
    valueUnit: "none",
    origin: "stack health",
    runbook: "Prometheus runs an older configuration than the one on disk. Run `promtool check config` and read its log.",
    build: () => ({
      expr: `max_over_time(prometheus_config_last_reload_successful{${S.prometheus}}[${W}]) == 0`,
      summary: () => "Prometheus configuration reload failed",
      description: (a) => `The last configuration reload of ${a.label("instance")} failed; it runs the previous configuration.`,
    }),
  },
  {
    name: "AlertmanagerConfigReloadFailed",
    group: "stack-health",
    severity: "warning",
    condition: "configReloadFailure",
    requires: { job: JOBS.alertmanager },
    valueUnit: "none",
    origin: "stack health",
    runbook: "Alertmanager runs an older configuration than the one on disk. Run `amtool check-config` and read its log.",
    build: () => ({
      expr: `max_over_time(alertmanager_config_last_reload_successful{${S.alertmanager}}[${W}]) == 0`,
      summary: () => "Alertmanager configuration reload failed",
      description: (a) => `The last configuration reload of ${a.label("instance")} failed; it runs the previous configuration.`,
    }),
  },
  {
    name: "PrometheusTSDBCompactionsFailing",
    group: "stack-health",
    severity: "warning",
    condition: "tsdbFailures",
    requires: { job: JOBS.prometheus },
    valueUnit: "count",
    origin: "stack health",
    runbook: "Blocks are not compacted, so disk use grows and queries slow down. Usually a full disk or corrupt block: check the log.",
    build: (c) => ({
      expr: `increase(prometheus_tsdb_compactions_failed_total{${S.prometheus}}[${c.thresholds.tsdbFailureWindow}]) > ${c.threshold}`,
      summary: () => "Prometheus TSDB compactions are failing",
      description: (a) => `${a.value} compaction failures in the last ${c.thresholds.tsdbFailureWindow}.`,
    }),
  },
  {
    name: "PrometheusTSDBReloadsFailing",
    group: "stack-health",
    severity: "warning",
    condition: "tsdbFailures",
    requires: { job: JOBS.prometheus },
    valueUnit: "count",
    origin: "stack health",
    runbook: "Prometheus cannot load blocks from disk. Usually a full disk or corrupt block: check the log and free space.",
    build: (c) => ({
      expr: `increase(prometheus_tsdb_reloads_failures_total{${S.prometheus}}[${c.thresholds.tsdbFailureWindow}]) > ${c.threshold}`,
      summary: () => "Prometheus TSDB reloads are failing",
      description: (a) => `${a.value} block reload failures in the last ${c.thresholds.tsdbFailureWindow}.`,
    }),
  },
];
