/**
 * Grafana datasource identities. The Grafana construct provisions datasources with exactly these
 * uids, and every dashboard panel references them, so a panel can never point at a datasource that
 * does not exist.
 */
export const DATASOURCES = {
  prometheus: { uid: "prometheus", type: "prometheus", name: "Prometheus" },
  loki: { uid: "loki", type: "loki", name: "Loki" },
  jaeger: { uid: "jaeger", type: "jaeger", name: "Jaeger" },
  alertmanager: { uid: "alertmanager", type: "alertmanager", name: "Alertmanager" },
} as const;

/** Key of {@link DATASOURCES}. */
export type DatasourceKey = keyof typeof DATASOURCES;
