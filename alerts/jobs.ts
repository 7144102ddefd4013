/**
 * Scrape job names, shared by the Prometheus config (which defines the jobs), the rules (which select
 * `up{job=...}`) and the dashboards. One place, so a rename cannot leave a rule watching a job that no
 * longer exists.
 */
export const JOBS = {
  /** The messenger application's own services (the guide's `performance-metrics` job). */
  application: "performance-metrics",
  prometheus: "prometheus",
  alertmanager: "alertmanager",
  loki: "loki",
  alloy: "alloy",
  jaeger: "jaeger",
  grafana: "grafana",
  nodeExporter: "node-exporter",
  cadvisor: "cadvisor",
  postgresExporter: "postgres-exporter",
  redisExporter: "redis-exporter",
  minio: "minio",
  /** blackbox-exporter probing the application's health endpoints (HTTP 2xx). */
  probeHealth: "blackbox-health",
  /** blackbox-exporter probing the application's WebSocket upgrade (101). */
  probeWebsocket: "blackbox-websocket",
} as const;

/**
 * The label naming which of the application's services a series comes from (`chat-server`,
 * `group-service`, …): the host part of the scrape target, set in the scrape config. All four services
 * share one job, so rules and panels aggregate `by (job, service)`: one failing service must not
 * disappear in the average of the others.
 */
export const SERVICE_LABEL = "service";

/**
 * The guide's application services: each is a Compose service (a network alias every replica answers),
 * scraped on its port. The rules name them, so that a service with no replica left pages by name.
 */
export const GUIDE_APPLICATION_SERVICES: readonly { readonly name: string; readonly port: number }[] = [
  { name: "chat-server", port: 8080 },
  { name: "group-service", port: 8083 },
  { name: "presence-service", port: 8081 },
  { name: "notification-service", port: 8082 },
];

/** The service a target belongs to: its host, `chat-server:8080` → `chat-server`. */
export function serviceOfTarget(target: string): string {
  return target.replace(/:\d+$/, "");
}

/** Key of {@link JOBS}. */
export type JobKey = keyof typeof JOBS;

/** A scrape job name. */
export type JobName = (typeof JOBS)[JobKey];

/**
 * The label that names the node a per-node agent (node-exporter, cAdvisor, Alloy) runs on, on a cluster;
 * the node-lost alert groups by it. Absent on a single host.
 */
export const NODE_LABEL = "node";

/**
 * The jobs of the per-node agents, each scraped once per node and labelled with {@link NODE_LABEL}: a
 * node is lost when none of them answers (one agent down alone is that agent's own alert).
 */
export const NODE_AGENT_JOBS: readonly JobName[] = [JOBS.nodeExporter, JOBS.cadvisor, JOBS.alloy];
