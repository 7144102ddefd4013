import { AlertDefinition } from "./types";
import { OUTAGE_LABEL, OUTAGES, SYMPTOM_ROLE_LABEL, SYMPTOMS } from "../model";
import { RECORDED, SELECTORS as S } from "./selectors";
import { JOBS, SERVICE_LABEL } from "../jobs";

/** The messenger application's alerts: the guide's YAML and its metric table. */
export const APPLICATION_ALERTS: readonly AlertDefinition[] = [
  {
    name: "HighMessageLatency",
    group: "performance-alerts",
    severity: "warning",
    symptom: SYMPTOMS.messageDeliveryLatency,
    labels: { [SYMPTOM_ROLE_LABEL]: "primary" },
    condition: "messageDeliveryLatency",
    requires: { application: true },
    valueUnit: "seconds",
    origin: "guide YAML",
    runbook:
      "Messages take long to reach recipients. Check the chat server's CPU and the message queue backlog " +
      "(`messenger_offline_messages_queued`), then Redis and database latency, which delivery waits on.",
    build: (c) => ({
      expr: `${RECORDED.messageDeliveryLatencyP95} > ${c.threshold}`,
      summary: (a) => `High message delivery latency on ${a.label("service")}`,
      description: (a) => `95th percentile message delivery latency is ${a.value} (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HighNetworkLatency",
    group: "performance-alerts",
    severity: "warning",
    // The same series as HighMessageLatency, 5 minutes later: silenced while that one fires.
    symptom: SYMPTOMS.messageDeliveryLatency,
    labels: { [SYMPTOM_ROLE_LABEL]: "secondary" },
    condition: "networkLatency",
    requires: { application: true },
    valueUnit: "seconds",
    origin: "guide YAML",
    runbook:
      "The guide measures network latency with the message delivery p95, so this fires 5 minutes after " +
      "HighMessageLatency when the latency persists. Check host network errors and bandwidth (Hosts dashboard).",
    build: (c) => ({
      expr: `${RECORDED.messageDeliveryLatencyP95} > ${c.threshold}`,
      summary: (a) => `High network latency detected on ${a.label("service")}`,
      description: (a) => `Message delivery latency (p95) is ${a.value} (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HighWebSocketLatency",
    group: "performance-alerts",
    severity: "warning",
    condition: "websocketLatency",
    requires: { application: true },
    valueUnit: "seconds",
    origin: "guide YAML",
    runbook:
      "WebSocket round trips are slow. Compare with HTTP latency: if both are high the server is saturated; " +
      "if only WebSocket, check connection counts and the presence service.",
    build: (c) => ({
      expr: `${RECORDED.websocketLatencyP95} > ${c.threshold}`,
      summary: (a) => `High WebSocket latency on ${a.label("service")}`,
      description: (a) => `95th percentile WebSocket latency is ${a.value} (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HighHTTPLatency",
    group: "performance-alerts",
    severity: "warning",
    condition: "httpLatency",
    requires: { application: true },
    valueUnit: "seconds",
    origin: "guide table",
    runbook:
      "HTTP API p95 is above the guide's alert level (target < 200ms). Find the slow handlers in Jaeger, " +
      "then check database query time and cache latency.",
    build: (c) => ({
      expr: `${RECORDED.httpRequestDurationP95} > ${c.threshold}`,
      summary: (a) => `High HTTP API latency on ${a.label("service")}`,
      description: (a) => `95th percentile HTTP request duration is ${a.value} (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "HighErrorRate",
    group: "performance-alerts",
    severity: "critical",
    condition: "httpErrorRatio",
    symptom: SYMPTOMS.httpErrorRatio,
    requires: { application: true },
    valueUnit: "ratio",
    origin: "guide YAML",
    runbook:
      "A share of HTTP requests fail with 5xx. Look at the application logs in Loki for the failing " +
      "endpoints and at recent deploys; check that the database and Redis are up.",
    build: (c) => ({
      expr: `${RECORDED.httpErrorRatio} > ${c.threshold}`,
      summary: (a) => `High HTTP error rate on ${a.label("service")}`,
      description: (a) => `${a.value} of HTTP requests fail with a 5xx status (threshold ${c.thresholdText}).`,
    }),
  },
  {
    // Warning twin of HighErrorRate: the same expression, so both return the same `job` series and
    // Alertmanager's symptom inhibition pairs them.
    name: "ElevatedErrorRate",
    group: "performance-alerts",
    severity: "warning",
    condition: "httpErrorRatioWarning",
    symptom: SYMPTOMS.httpErrorRatio,
    requires: { application: true },
    valueUnit: "ratio",
    origin: "added",
    runbook:
      "More HTTP requests fail with 5xx than usual, below the level that pages (HighErrorRate, which silences " +
      "this alert while it fires). Look for the failing endpoints in Loki and Jaeger and at recent deploys " +
      "before it grows.",
    build: (c) => ({
      expr: `${RECORDED.httpErrorRatio} > ${c.threshold}`,
      summary: (a) => `Elevated HTTP error rate on ${a.label("service")}`,
      description: (a) => `${a.value} of HTTP requests fail with a 5xx status (threshold ${c.thresholdText}).`,
    }),
  },
  {
    name: "LowWebSocketAvailability",
    group: "performance-alerts",
    severity: "critical",
    condition: "websocketAvailability",
    requires: [{ application: true }, { job: JOBS.probeWebsocket }],
    valueUnit: "ratio",
    origin: "guide table",
    runbook:
      "Clients cannot open WebSocket connections: the upgrade probe (blackbox-exporter) fails. Check the chat " +
      "server's container and log, a proxy or load balancer dropping upgrades, and TargetDown/ApplicationDown.",
    build: (c) => ({
      expr: `avg by (job, ${SERVICE_LABEL}) (avg_over_time(probe_success{job="${JOBS.probeWebsocket}"}[${c.thresholds.websocketAvailabilityWindow}])) < ${c.threshold}`,
      summary: (a) => `WebSocket availability of ${a.label(SERVICE_LABEL)} is low`,
      description: (a) =>
        `Only ${a.value} of the WebSocket upgrade probes of the last ${c.thresholds.websocketAvailabilityWindow} succeeded ` +
        `(threshold ${c.thresholdText}; the guide's target is above 95%).`,
    }),
  },
  {
    // Each replica is a target of its own (DNS discovery), so a service whose every replica is gone has no
    // series at all: it is asked for by name. Its symptom alerts are silenced meanwhile (OUTAGE_LABEL).
    name: "ServiceDown",
    group: "performance-alerts",
    severity: "critical",
    condition: "serviceDown",
    requires: { application: true },
    labels: { [OUTAGE_LABEL]: OUTAGES.service },
    valueUnit: "none",
    origin: "added",
    runbook:
      "No replica of this service answers Prometheus: every one stopped, crashed or stopped answering its " +
      "scrape, or the service's name no longer resolves on the application network (no replica running). " +
      "Every request to it fails. Check `docker compose ps <service>` and the replicas' logs; its other " +
      "alerts are silenced while this one fires.",
    build: (c) => ({
      expr: [
        `${RECORDED.serviceReplicasUp} == 0`,
        ...c.discoveredServices.map((name) => `absent(${RECORDED.serviceReplicasUp}{${S.application}, ${SERVICE_LABEL}="${name}"})`),
      ].join(" or "),
      summary: (a) => `Service ${a.label(SERVICE_LABEL)} is down: no replica is up`,
      description: (a) =>
        `No replica of ${a.label(SERVICE_LABEL)} has answered Prometheus for ${c.for} (all down, or none left in the DNS answer).`,
    }),
  },
  {
    // Replicas that stop leave the DNS answer (no `up` 0 to see): the expectation is the recent past.
    name: "ServiceReplicaDown",
    group: "performance-alerts",
    severity: "warning",
    condition: "serviceReplicaDown",
    requires: { application: true },
    valueUnit: "none",
    origin: "added",
    runbook:
      "A service runs fewer replicas than it did recently, but still serves: one stopped, crashed or stopped " +
      "answering its scrape, and the rest carry its load. Check `docker compose ps <service>` and the missing " +
      "replica's log. A deliberate scale-down also shows here until the lookback window has passed.",
    build: (c) => ({
      expr:
        `${RECORDED.serviceReplicasUp} > 0 and ${RECORDED.serviceReplicasUp} ` +
        `< max_over_time(${RECORDED.serviceReplicasUp}[${c.thresholds.replicaLossWindow}])`,
      summary: (a) => `A replica of ${a.label(SERVICE_LABEL)} is down`,
      description: (a) =>
        `Only ${a.value} replicas of ${a.label(SERVICE_LABEL)} answer, fewer than at some time in the last ${c.thresholds.replicaLossWindow}.`,
    }),
  },
  {
    name: "HealthCheckFailing",
    group: "performance-alerts",
    severity: "warning",
    condition: "serviceHealth",
    symptom: SYMPTOMS.serviceHealth,
    requires: [{ application: true }, { job: JOBS.probeHealth }],
    valueUnit: "ratio",
    origin: "added",
    runbook:
      "Some replicas of this service fail their health endpoint (blackbox-exporter expects a 2xx): they run " +
      "and may still be scraped, but report themselves unhealthy (a lost database or Redis connection, a " +
      "full disk). Check those replicas' logs; the Probes panel names them.",
    build: (c) => ({
      expr: `1 - avg by (job, ${SERVICE_LABEL}) (probe_success{job="${JOBS.probeHealth}"}) > 0`,
      summary: (a) => `Health checks of ${a.label(SERVICE_LABEL)} fail`,
      description: (a) => `${a.value} of the replicas of ${a.label(SERVICE_LABEL)} have failed their health probe for ${c.for}.`,
    }),
  },
  {
    name: "ServiceUnhealthy",
    group: "performance-alerts",
    severity: "critical",
    condition: "serviceHealth",
    symptom: SYMPTOMS.serviceHealth,
    requires: [{ application: true }, { job: JOBS.probeHealth }],
    valueUnit: "ratio",
    origin: "added",
    runbook:
      "Every replica of this service fails its health endpoint: the service reports itself unable to serve " +
      "(usually a dependency: check PostgresDown and RedisDown first, then the replicas' logs).",
    build: (c) => ({
      expr: `1 - max by (job, ${SERVICE_LABEL}) (probe_success{job="${JOBS.probeHealth}"}) > 0`,
      summary: (a) => `Service ${a.label(SERVICE_LABEL)} is unhealthy`,
      description: (a) => `Every replica of ${a.label(SERVICE_LABEL)} has failed its health probe for ${c.for}.`,
    }),
  },
  {
    // Every symptom alert above loses its data when the whole application is down (their rates and
    // quantiles become empty, not high), so the outage itself must page.
    name: "ApplicationDown",
    group: "performance-alerts",
    severity: "critical",
    condition: "applicationDown",
    requires: { application: true },
    labels: { [OUTAGE_LABEL]: OUTAGES.application },
    valueUnit: "none",
    origin: "added",
    runbook:
      "No application service answers Prometheus: a total outage, or the scrape configuration lost its " +
      "targets. Check the application containers and the network Prometheus scrapes them on " +
      "(`network.applicationNetwork`); TargetDown names each target.",
    build: (c) => ({
      expr: `sum by (job) (up{${S.application}}) == 0 or absent(up{${S.application}})`,
      summary: () => "The messenger application is down",
      description: () => `No application target has been up for ${c.for}.`,
    }),
  },
];
