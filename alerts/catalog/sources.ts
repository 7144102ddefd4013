import { ALERTMANAGER } from "./alertmanager";
import { ALLOY } from "./alloy";
import { BLACKBOX_HEALTH, BLACKBOX_WEBSOCKET } from "./blackbox-exporter";
import { CADVISOR } from "./cadvisor";
import { GRAFANA } from "./grafana";
import { JAEGER } from "./jaeger";
import { K6 } from "./k6";
import { LOKI } from "./loki";
import { MINIO } from "./minio";
import { NODE_EXPORTER } from "./node-exporter";
import { POSTGRES_EXPORTER } from "./postgres-exporter";
import { PROMETHEUS } from "./prometheus";
import { REDIS_EXPORTER } from "./redis-exporter";
import { CatalogSource } from "./types";

/** Every exporter and self-monitored component the stack can scrape, by job name. */
export const CATALOG: Readonly<Record<string, CatalogSource>> = Object.fromEntries(
  [NODE_EXPORTER, POSTGRES_EXPORTER, REDIS_EXPORTER, CADVISOR, PROMETHEUS, ALERTMANAGER, LOKI, ALLOY, JAEGER, GRAFANA, K6, MINIO, BLACKBOX_HEALTH, BLACKBOX_WEBSOCKET].map((s) => [s.job, s]),
);

