import { App } from "cdktf";
import { MonitoringConfig, secret } from "../stacks/config";
import { MonitoringStack } from "../stacks/monitoring-stack";
import { ImageKey, ImageRef } from "../constructs/versions";
import type { SwarmNode } from "../constructs/runtime";
import { deploymentOf } from "./programs";

/** The stack id (and container/volume/network prefix) of the end-to-end deploy. */
export const E2E_STACK = "e2e";
/** The Docker network of the peers (application, database, webhook receiver), made by the rig. */
export const E2E_APP_NETWORK = "e2e-app";
/** Host ports of the run: not the defaults, so a Prometheus of the machine itself cannot be confused with it. */
export const E2E_PORTS = {
  prometheus: 19090,
  alertmanager: 19093,
  k6Receiver: 19091,
  jaegerUi: 19686,
  jaegerOtlpGrpc: 19317,
  jaegerOtlpHttp: 19318,
} as const;
/** The sensitive variables of the databases' passwords (the exporters' secret files), set by the rig. */
export const E2E_SECRETS = { postgres: "postgres_exporter_password", redis: "e2e_redis_password" } as const;
/** The alert whose threshold the redeploy changes, and its new value. */
export const REDEPLOY_OVERRIDE = { alert: "HighCPUUsage", threshold: 0.91 } as const;

/** The stack id of the swarm deploy (e2e/swarm.ts), beside the single-host {@link E2E_STACK}. */
export const E2E_SWARM_STACK = "e2e-swarm";
/** Replicas of the swarm deploy: the HA pair and the default Alertmanager cluster. */
export const E2E_SWARM_REPLICAS = { prometheus: 2, alertmanager: 3 } as const;

/** Environment variables the rig passes to this app. */
export const E2E_ENV = {
  /** `cold` or `redeploy`. */
  phase: "MONITORING_E2E_PHASE",
  /** The local state file. */
  state: "MONITORING_E2E_STATE",
  /** `true`: the stack as users get it, with data protection (prevent_destroy on its volumes). */
  protect: "MONITORING_E2E_PROTECT",
  /** The swarm's nodes as JSON (`[{hostname, address}]`): set, the app defines the swarm stack instead. */
  swarmNodes: "MONITORING_E2E_SWARM_NODES",
} as const;

/**
 * True when an image of `key` is built locally: at the pin, or at the nearest release that can be had
 * (else the service is left out: NOT DEPLOYED).
 */
export function deployable(key: ImageKey): boolean {
  return deploymentOf(key).kind !== "none";
}

/**
 * The service's `image` override when the e2e deploys another release than the pin (the nearest one that
 * can be built here); undefined at the pin, so the stack uses its own pin.
 */
export function imageOverride(key: ImageKey): ImageRef | undefined {
  const d = deploymentOf(key);
  return d.kind === "nearest" ? d.image : undefined;
}

/**
 * The stack the end-to-end run deploys: the product's own MonitoringStack with only what a test run
 * must change: its name, ports, a webhook receiver, the application network of the peers, a local state
 * path, and the services whose programs cannot be built here switched off.
 */
export function e2eConfig(phase: "cold" | "redeploy", statePath: string, dataProtection = false): MonitoringConfig {
  return {
    name: E2E_STACK,
    // Off, so that the run can destroy what it deployed; one check synthesizes it on and shows that
    // Terraform then refuses to destroy the volumes.
    dataProtection,
    network: { applicationNetwork: E2E_APP_NETWORK },
    backend: { kind: "local", path: statePath },
    prometheus: { publishedPort: E2E_PORTS.prometheus },
    alertmanager: {
      publishedPort: E2E_PORTS.alertmanager,
      receivers: [{ name: "e2e-webhook", webhooks: [{ urlSecret: secret("e2e_webhook_url", "The rig's webhook receiver") }] }],
      routing: { defaultReceiver: "e2e-webhook", heartbeat: "e2e-webhook" },
    },
    grafana: { enabled: deployable("grafana") },
    // The k6 receiver (the pinned Prometheus image): k6 results are pushed to it from the host.
    loadTesting: { enabled: true, publishedPort: E2E_PORTS.k6Receiver },
    loki: { enabled: deployable("loki") },
    alloy: { enabled: deployable("alloy") && deployable("loki") },
    // Not the default host ports: the machine's own Jaeger, if any, cannot be confused with the run's.
    jaeger: {
      enabled: deployable("jaeger"),
      image: imageOverride("jaeger"),
      publishedPort: E2E_PORTS.jaegerUi,
      publishedPorts: { otlpGrpc: E2E_PORTS.jaegerOtlpGrpc, otlpHttp: E2E_PORTS.jaegerOtlpHttp },
    },
    exporters: {
      node: { enabled: deployable("nodeExporter") },
      cadvisor: { enabled: deployable("cadvisor") },
      // The peer database's superuser; its password is TF_VAR_postgres_exporter_password.
      postgres: { enabled: deployable("postgresExporter"), image: imageOverride("postgresExporter"), user: "postgres", password: secret(E2E_SECRETS.postgres, "The peer database's superuser password") },
      // The peer Redis requires this password (requirepass).
      redis: {
        enabled: deployable("redisExporter"),
        image: imageOverride("redisExporter"),
        password: secret(E2E_SECRETS.redis, "The peer Redis' password"),
        // An override older than 1.83 has no --disable-scrape-endpoint and would not start with it.
        scrapeEndpoint: lacksDisableScrapeEndpoint(imageOverride("redisExporter")),
      },
      blackbox: { enabled: deployable("blackboxExporter") },
    },
    rules:
      phase === "redeploy"
        ? { overrides: { [REDEPLOY_OVERRIDE.alert]: { threshold: REDEPLOY_OVERRIDE.threshold } } }
        : undefined,
  };
}

/** True for a redis_exporter image older than 1.83, the first with `--disable-scrape-endpoint`. */
export function lacksDisableScrapeEndpoint(image: ImageRef | undefined): boolean {
  if (!image) return false;
  const m = /^v?(\d+)\.(\d+)/.exec(image.tag);
  return m !== null && (Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 83));
}

/**
 * The stack as the product provisions it, with every component the run switches off switched on again:
 * its dashboards are the ones the "every dashboard panel shows data" check runs against the deployed
 * Prometheus (Grafana itself cannot be deployed here), so a panel of a service the run did not deploy
 * shows up as "source not running" instead of disappearing.
 */
export function e2ePanelConfig(statePath: string): MonitoringConfig {
  const deployed = e2eConfig("cold", statePath);
  return {
    ...deployed,
    grafana: { enabled: true },
    loki: { enabled: true },
    alloy: { enabled: true },
    jaeger: { enabled: true },
    exporters: {
      node: { enabled: true },
      cadvisor: { enabled: true },
      postgres: { ...deployed.exporters?.postgres, enabled: true },
      redis: { enabled: true },
      blackbox: { enabled: true },
    },
  };
}

/**
 * The swarm deploy (e2e/swarm.ts): the same stack on the lab's three nodes, with the HA pair of
 * Prometheus and the Alertmanager cluster. Per-node agents that read the Docker API are off where their
 * programs cannot be built (as on one host); the application is the lab's own swarm services.
 */
export function e2eSwarmConfig(phase: "cold" | "redeploy", statePath: string, nodes: readonly SwarmNode[]): MonitoringConfig {
  const single = e2eConfig(phase, statePath);
  return {
    ...single,
    name: E2E_SWARM_STACK,
    runtime: { kind: "swarm", nodes },
    prometheus: { ...single.prometheus, replicas: E2E_SWARM_REPLICAS.prometheus },
    // The database peers and the trace checks are the single-host phase's (issue 20); the swarm phase
    // checks placement, replicas and failover of the same stack without them.
    jaeger: { ...single.jaeger, enabled: false },
    exporters: {
      ...single.exporters,
      postgres: { ...single.exporters?.postgres, enabled: false },
      redis: { ...single.exporters?.redis, enabled: false },
    },
    alertmanager: { ...single.alertmanager, replicas: E2E_SWARM_REPLICAS.alertmanager },
  };
}

if (require.main === module) {
  const phase = process.env[E2E_ENV.phase] === "redeploy" ? "redeploy" : "cold";
  const state = process.env[E2E_ENV.state];
  if (!state) {
    throw new Error(`${E2E_ENV.state} is not set: this app is run by npm run e2e, which sets it`);
  }
  const app = new App();
  const swarmNodes = process.env[E2E_ENV.swarmNodes];
  if (swarmNodes) new MonitoringStack(app, E2E_SWARM_STACK, e2eSwarmConfig(phase, state, JSON.parse(swarmNodes) as SwarmNode[]));
  else new MonitoringStack(app, E2E_STACK, e2eConfig(phase, state, process.env[E2E_ENV.protect] === "true"));
  app.synth();
}
