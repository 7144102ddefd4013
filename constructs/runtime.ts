import { createHash } from "node:crypto";
import { Fn, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { Config } from "@cdktf/provider-docker/lib/config";
import { Secret } from "@cdktf/provider-docker/lib/secret";
import { Service, ServiceTaskSpecContainerSpecMounts } from "@cdktf/provider-docker/lib/service";
import { Id } from "@cdktf/provider-random/lib/id";
import { NODE_LABEL } from "../alerts/jobs";
import type { ScrapeTarget } from "./service";

/**
 * Where the stack's services run. The constructs describe each service once ({@link
 * MonitoringServiceProps} in service.ts); the runtime turns that description into Docker resources.
 */
export type Runtime = SingleHostRuntime | SwarmRuntime;

/** One Docker engine: a `docker_container` per service (the default). */
export interface SingleHostRuntime {
  readonly kind: "single-host";
}

/** A node of the swarm, as the monitoring reaches it. */
export interface SwarmNode {
  /** The node's hostname (`docker node ls`): the `node` and `instance` label of its agents' targets. */
  readonly hostname: string;
  /** The address its agents' host-mode ports answer on, as Prometheus' tasks reach it. */
  readonly address: string;
}

/**
 * A Docker Swarm: a `docker_service` per service (with `docker_config`s and `docker_secret`s), created
 * through a manager (`docker_host`). Per-node agents run as global services, storage-bound services are
 * pinned by node labels, Alertmanager runs as a gossiping cluster.
 */
export interface SwarmRuntime {
  readonly kind: "swarm";
  /** Every node of the swarm: each runs the per-node agents, and a node missing from here is not watched. */
  readonly nodes: readonly SwarmNode[];
}

/**
 * The static targets of a per-node agent (one task on every node, its port published in host mode): one
 * target per node of the swarm at `<address>:<port>`, with `node` and `instance` set to the node's
 * hostname, so a target is a node, never a container IP, and a lost node stays a target, down.
 */
export function perNodeTargets(nodes: readonly SwarmNode[], port: number): Pick<ScrapeTarget, "targets" | "targetLabels"> {
  return {
    targets: nodes.map((n) => `${n.address}:${port}`),
    targetLabels: nodes.map((n) => ({ [NODE_LABEL]: n.hostname, instance: n.hostname })),
  };
}

/** The single-host runtime, the default. */
export const SINGLE_HOST: SingleHostRuntime = { kind: "single-host" };

/** Node label that pins a service with single-node storage: `monitoring.<service>=true`. */
export function pinLabel(serviceName: string): string {
  return `monitoring.${serviceName}`;
}

/**
 * How a service is scheduled on a cluster runtime (the single host runs one container regardless):
 * one task on every node (`per-node`: the node agents), or `replicas` tasks. A service with data
 * volumes is pinned to the nodes labelled {@link pinLabel} (its storage is node-local), one task per node.
 */
export interface Scheduling {
  readonly mode: "per-node" | "replicated";
  /** Tasks of a replicated service. @default 1 */
  readonly replicas?: number;
}

/** What the swarm renderer needs from the service description, resolved by MonitoringService. */
export interface SwarmServiceSpec {
  readonly name: string;
  readonly serviceName: string;
  readonly image: string;
  readonly user?: string;
  readonly args?: readonly string[];
  /** Overrides the image's entrypoint (the shell form of a command that needs the task's address). */
  readonly entrypoint?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly hostname: string;
  readonly configFiles: readonly { readonly path: string; readonly content: string }[];
  readonly secretFiles: readonly { readonly path: string; readonly content: string }[];
  /** Data volumes (source name → container path); the engine creates each on the task's node. */
  readonly volumes: readonly { readonly source: string; readonly target: string }[];
  /**
   * Directories in memory shared with the other services of the same node that mount them by name
   * (`local` tmpfs volumes, created by the engine with the first task that mounts one).
   */
  readonly sharedDirectories: readonly {
    readonly name: string;
    readonly target: string;
    readonly readOnly: boolean;
    /** The tmpfs mount options (size, owner, group, mode): identical in every mount of the name. */
    readonly mountOptions: string;
  }[];
  readonly binds: readonly { readonly source: string; readonly target: string; readonly readOnly: boolean }[];
  readonly tmpfs: Readonly<Record<string, string>>;
  readonly ports: readonly { readonly internal: number; readonly external: number }[];
  readonly healthcheck?: {
    readonly test: readonly string[];
    readonly interval: string;
    readonly timeout: string;
    readonly retries: number;
    readonly startPeriod: string;
    readonly startInterval: string;
  };
  readonly healthyWithinSeconds?: number;
  readonly memoryMb: number;
  readonly cpus: number;
  readonly readOnly: boolean;
  readonly capAdd: readonly string[];
  /** Supplementary group ids of the process. */
  readonly groups: readonly number[];
  readonly hosts: Readonly<Record<string, string>>;
  /** Network ids (the provider's `docker_network.id`, or a data source's); none for a service nobody reaches. */
  readonly networks: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly logOptions: Readonly<Record<string, string>>;
  readonly scheduling: Scheduling;
  /** Placement constraints (e.g. the pin label); empty for none. */
  readonly constraints: readonly string[];
  /** Tasks that hold data stop before their replacement starts (no two writers on one volume). */
  readonly stateful: boolean;
  /** Services created before this one (the socket proxy before its readers). */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** A short content hash for config names: a changed file is a new config, and rolls its service. */
export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

/** A Swarm object name: `<service>-<file basename, sanitised>-<hash>`, at most 64 characters. */
function objectName(service: string, filePath: string, hash: string): string {
  const base = filePath.split("/").pop()!.replace(/[^A-Za-z0-9_.-]+/g, "-");
  const head = `${service}-${base}`.slice(0, 64 - hash.length - 1);
  return `${head}-${hash}`;
}

/** NanoCPUs of a CPU limit. */
export function nanoCpus(cpus: number): number {
  return Math.round(cpus * 1e9);
}

/**
 * Renders one service as a `docker_service` with its configs and secrets, inside `scope`:
 * - configs are `docker_config`s named by content hash (`create_before_destroy`: the new one exists
 *   before the service switches to it); their data is base64 computed here, never interpolated;
 * - secrets are `docker_secret`s whose name carries a `random_id` kept by the secret's value, so a new
 *   value is a new secret and rolls the service, and no hash of the value is ever written anywhere;
 * - endpoint mode `dnsrr` (no IPVS needed) and ports published in host mode on the node that runs the task;
 * - rolling updates one task at a time, rollback on failure, restart on any exit.
 */
/**
 * Owner and mode of a secret file in a task. Swarm mounts secrets as root:root 0444 unless told: with
 * the service's numeric user known, the file is that user's, mode 0400 (an Alertmanager running as
 * 65534 cannot read a root-owned 0400 file: measured, every webhook notification failed on `url_file`);
 * with the image's own user (unknown here), 0444 as the single-host upload writes it, readable only
 * inside that task.
 */
export function secretOwner(user: string | undefined): { fileMode: number; fileUid?: string; fileGid?: string } {
  const m = user?.match(/^(\d+)(?::(\d+))?$/);
  if (!m) return { fileMode: 0o444 };
  return { fileMode: 0o400, fileUid: m[1], fileGid: m[2] ?? m[1] };
}

export function renderSwarmService(scope: Construct, spec: SwarmServiceSpec): Service {
  const configs = spec.configFiles.map((f) => {
    const hash = contentHash(f.content);
    const id = `swarm-config-${f.path.replace(/^\/+/, "").replace(/[^A-Za-z0-9]+/g, "-")}`;
    const config = new Config(scope, id, {
      name: objectName(spec.name, f.path, hash),
      data: Buffer.from(f.content, "utf8").toString("base64"),
      lifecycle: { createBeforeDestroy: true },
    });
    return { configId: config.id, configName: config.name, fileName: f.path, fileMode: 0o444 };
  });
  const secrets = spec.secretFiles.map((f) => {
    const id = `swarm-secret-${f.path.replace(/^\/+/, "").replace(/[^A-Za-z0-9]+/g, "-")}`;
    const version = new Id(scope, `${id}-version`, { byteLength: 6, keepers: { value: f.content } });
    const secret = new Secret(scope, id, {
      name: `${objectName(spec.name, f.path, "")}${version.hex}`,
      data: Fn.base64encode(f.content),
      lifecycle: { createBeforeDestroy: true },
    });
    return { secretId: secret.id, secretName: secret.name, fileName: f.path, ...secretOwner(spec.user) };
  });
  const mounts: ServiceTaskSpecContainerSpecMounts[] = [
    ...spec.volumes.map((v) => ({ type: "volume", source: v.source, target: v.target })),
    ...spec.sharedDirectories.map((d) => ({
      type: "volume",
      source: d.name,
      target: d.target,
      readOnly: d.readOnly,
      volumeOptions: {
        noCopy: true,
        driverName: "local",
        driverOptions: { type: "tmpfs", device: "tmpfs", o: d.mountOptions },
      },
    })),
    ...spec.binds.map((b) => ({ type: "bind", source: b.source, target: b.target, readOnly: b.readOnly })),
    ...Object.entries(spec.tmpfs).map(([target]) => ({ type: "tmpfs", target })),
  ];
  const replicas = spec.scheduling.mode === "replicated" ? (spec.scheduling.replicas ?? 1) : undefined;
  const update = {
    parallelism: 1,
    delay: "5s",
    failureAction: "rollback",
    monitor: "20s",
    maxFailureRatio: "0",
    order: spec.stateful || spec.scheduling.mode === "per-node" || spec.ports.length > 0 ? "stop-first" : "start-first",
  };
  const service = new Service(scope, "swarm-service", {
    name: spec.name,
    labels: Object.entries(spec.labels).map(([label, value]) => ({ label, value })),
    mode: replicas === undefined ? { global: true } : { replicated: { replicas } },
    taskSpec: {
      containerSpec: {
        image: spec.image,
        ...(spec.entrypoint ? { command: [...spec.entrypoint] } : {}),
        ...(spec.args ? { args: [...spec.args] } : {}),
        env: spec.env ? { ...spec.env } : undefined,
        user: spec.user,
        hostname: spec.hostname,
        readOnly: spec.readOnly,
        capDrop: ["ALL"],
        capAdd: spec.capAdd.length > 0 ? [...spec.capAdd] : undefined,
        groups: spec.groups.length > 0 ? spec.groups.map(String) : undefined,
        privileges: undefined,
        mounts: mounts.length > 0 ? mounts : undefined,
        configs: configs.length > 0 ? configs : undefined,
        secrets: secrets.length > 0 ? secrets : undefined,
        hosts: Object.keys(spec.hosts).length > 0 ? Object.entries(spec.hosts).map(([host, ip]) => ({ host, ip })) : undefined,
        healthcheck: spec.healthcheck
          ? {
              test: [...spec.healthcheck.test],
              interval: spec.healthcheck.interval,
              timeout: spec.healthcheck.timeout,
              retries: spec.healthcheck.retries,
              startPeriod: spec.healthcheck.startPeriod,
            }
          : undefined,
        // 30 s (Kubernetes' default): Prometheus closes its head block and Alertmanager writes its
        // snapshot on SIGTERM. The provider also waits up to this long for each destroyed task's
        // container on the manager to be removed; 5 s failed destroys ("context deadline exceeded":
        // Swarm removes a deleted service's containers seconds later). Programs here exit on SIGTERM
        // at once, so a rolling update does not wait for it.
        stopGracePeriod: "30s",
      },
      resources: { limits: { nanoCpus: nanoCpus(spec.cpus), memoryBytes: spec.memoryMb * 1024 * 1024 } },
      // window "0s" (the engine's own default, which it reports back): left out, every plan shows it as a change.
      restartPolicy: { condition: "any", delay: "5s", maxAttempts: 0, window: "0s" },
      placement: {
        constraints: spec.constraints.length > 0 ? [...spec.constraints] : undefined,
        ...(spec.stateful && replicas !== undefined ? { maxReplicas: 1 } : {}),
      },
      logDriver: { name: "json-file", options: { ...spec.logOptions } },
    },
    endpointSpec: {
      mode: "dnsrr",
      ports: spec.ports.map((p) => ({ targetPort: p.internal, publishedPort: p.external, publishMode: "host", protocol: "tcp" })),
    },
    updateConfig: update,
    rollbackConfig: { ...update, failureAction: "pause" },
    // A create that does not converge in time deletes the service (provider issue #624): wait as long as
    // Docker itself takes to call a task unhealthy, and say so in the error.
    // (The provider refuses converge_config on a global service: agents are not waited for.)
    convergeConfig: spec.healthyWithinSeconds && replicas !== undefined ? { delay: "2s", timeout: `${spec.healthyWithinSeconds + 60}s` } : undefined,
    dependsOn: spec.dependsOn && spec.dependsOn.length > 0 ? [...spec.dependsOn] : undefined,
  });
  // Networks by id: provider 4.x replaces a service on every plan whose networks are given by name, and
  // the bindings (from provider 3.6.2) know only `name`.
  if (spec.networks.length > 0) {
    service.addOverride(
      "task_spec.networks_advanced",
      spec.networks.map((id) => ({ id, aliases: [spec.serviceName] })),
    );
  }
  return service;
}
