import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AssetType, ITerraformDependable, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { Container, ContainerConfig } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Service } from "@cdktf/provider-docker/lib/service";
import { Duration } from "../alerts/duration";
import { ImageRef, imageName } from "./versions";
import { Runtime, Scheduling, contentHash, pinLabel, renderSwarmService } from "./runtime";
import { maskSecrets } from "./secret-mask";

/** A rendered configuration file that is uploaded into the container before it starts. */
export interface ConfigFile {
  /** Absolute path inside the container. */
  readonly path: string;
  /** The file's text, rendered at synth time; it is written as a reviewable file under `cdktf.out`. */
  readonly content: string;
}

/**
 * A file whose content is a secret. The content must be a Terraform token (a sensitive variable or a
 * generated resource attribute), so that only a reference, never the value, is written to `cdktf.out`.
 */
export interface SecretFile {
  /** Absolute path inside the container. */
  readonly path: string;
  /** A Terraform token that resolves to the secret at apply time. */
  readonly content: string;
}

/** A named Docker volume holding the service's state; it survives container replacement. */
export interface DataVolume {
  /** Short name, appended to the container name to form the volume name. */
  readonly name: string;
  /** Where the volume is mounted in the container. */
  readonly containerPath: string;
}

/**
 * A directory in memory that the services on one node share by name, e.g. a unix socket between two
 * of them: on a swarm a `local` volume of type tmpfs on the task's node, which the engine creates with the
 * first task there that mounts it (so every mount carries the same options, and the options are part of
 * the volume's name: changed options are a new volume, never an old one with other owners). It lives
 * while a task on the node mounts it and holds nothing across a reboot. Cluster runtimes only: on one
 * host, services share over a network.
 */
export interface SharedDirectory {
  /** The volume's name (a hash of its options is appended), e.g. `monitoring-docker-api`. */
  readonly name: string;
  readonly containerPath: string;
  /** Owner of the directory (tmpfs `uid`). */
  readonly uid: number;
  /** Group of the directory (tmpfs `gid`). */
  readonly gid: number;
  /** Mode of the directory, octal (tmpfs `mode`), e.g. "2750". */
  readonly mode: string;
  /** Mount it read-only. @default false */
  readonly readOnly?: boolean;
}

/** The tmpfs options of a {@link SharedDirectory}: 64 KiB is room for a few sockets, not for data. */
export function sharedDirectoryOptions(d: SharedDirectory): string {
  return `size=64k,uid=${d.uid},gid=${d.gid},mode=${d.mode}`;
}

/** A path of the Docker host mounted into the container. */
export interface HostMount {
  readonly hostPath: string;
  readonly containerPath: string;
  /** @default true */
  readonly readOnly?: boolean;
}

/** A container port published on the Docker host. */
export interface PublishedPort {
  /** The port inside the container. */
  readonly internal: number;
  /** The port on the Docker host. */
  readonly external: number;
}

/** A Docker healthcheck run inside the container. */
export interface HealthCheck {
  /** `["CMD", ...]` form, run without a shell. */
  readonly test: readonly string[];
  /** @default 30s */
  readonly interval?: Duration;
  /** @default 5s */
  readonly timeout?: Duration;
  /** @default 3 */
  readonly retries?: number;
  /** @default 30s */
  readonly startPeriod?: Duration;
  /**
   * How often the check runs during `startPeriod` (Docker Engine >= 25, API 1.44), so a container is
   * healthy as soon as its program is ready instead of at the first `interval`. Older engines ignore it.
   * @default 1s
   */
  readonly startInterval?: Duration;
}

/** CPU and memory limits; every container of the stack has both. */
export interface ResourceLimits {
  /** Hard memory limit in MiB (the provider's `memory` is in MB). */
  readonly memoryMb: number;
  /** CPU limit in cores, e.g. 0.5. */
  readonly cpus: number;
}

/** Settings that every service of one stack shares. */
export interface ServiceContext {
  /** Prefix of container and volume names, e.g. `monitoring` → `monitoring-prometheus`. */
  readonly namePrefix: string;
  /** Docker networks the containers join (names or tokens); the first is the stack's own network. */
  readonly networks: readonly string[];
  /** Host address that published ports bind to. */
  readonly bindAddress: string;
  /** json-file log rotation: size of one file. @default "10m" */
  readonly logMaxSize?: string;
  /** json-file log rotation: files kept. @default 3 */
  readonly logMaxFiles?: number;
  /**
   * Prefix of data volume names, kept apart from {@link namePrefix} so that renaming the stack does not
   * rename (replace, and so delete) its volumes. @default namePrefix
   */
  readonly volumePrefix?: string;
  /**
   * Data protection: every data volume gets Terraform's `lifecycle.prevent_destroy`, so no plan can
   * delete Prometheus' TSDB, Grafana's database or Alertmanager's silences. @default true
   */
  readonly dataProtection?: boolean;
  /** Where the services run. @default the single host (one `docker_container` per service) */
  readonly runtime?: Runtime;
}

/** Props of {@link MonitoringService}. */
export interface MonitoringServiceProps {
  /** Short service name: the container's hostname and network alias, e.g. `prometheus`. */
  readonly serviceName: string;
  readonly context: ServiceContext;
  readonly image: ImageRef;
  /** Numeric `uid[:gid]` or user name. @default the image's user */
  readonly user?: string;
  readonly command?: readonly string[];
  /** Replaces the image's entrypoint (e.g. a shell form that needs the task's own address). @default the image's */
  readonly entrypoint?: readonly string[];
  /**
   * How a cluster runtime schedules it; a service with data volumes is pinned to the nodes labelled
   * `monitoring.<serviceName>=true`. Ignored on the single host. @default one replica
   */
  readonly scheduling?: Scheduling;
  /** Environment variables; values may be Terraform tokens (e.g. sensitive variables). */
  readonly env?: Readonly<Record<string, string>>;
  /** @default none */
  readonly configFiles?: readonly ConfigFile[];
  /** @default none */
  readonly secretFiles?: readonly SecretFile[];
  /** @default none */
  readonly dataVolumes?: readonly DataVolume[];
  /** @default none */
  readonly hostMounts?: readonly HostMount[];
  /** Directories shared with other services of the same node (cluster runtimes only). @default none */
  readonly sharedDirectories?: readonly SharedDirectory[];
  /** Supplementary group ids of the process (e.g. the group that may connect to a shared socket). @default none */
  readonly groups?: readonly number[];
  /** @default none: nothing is reachable from outside the Docker network */
  readonly publishedPorts?: readonly PublishedPort[];
  /** @default none (the image cannot run one: say why in the service's docs) */
  readonly healthcheck?: HealthCheck;
  readonly resources: ResourceLimits;
  /**
   * Mount the root filesystem read-only. Services that receive uploaded config files cannot: Docker's
   * archive API, which the provider's `upload` uses, refuses to write into a read-only root filesystem.
   */
  readonly readOnlyRootFilesystem: boolean;
  /** tmpfs mounts (path → options) for scratch space of read-only containers. @default none */
  readonly tmpfs?: Readonly<Record<string, string>>;
  /** `host` to share the host's PID namespace (node-exporter). @default the container's own */
  readonly pidMode?: "host";
  /** `host` to use the host's network stack (node-exporter); the container joins no Docker network. */
  readonly networkMode?: "host";
  /** Extra hosts entries, e.g. `host.docker.internal` → `host-gateway`. @default none */
  readonly extraHosts?: Readonly<Record<string, string>>;
  /** Linux capabilities to add back after dropping all. @default none */
  readonly capAdd?: readonly string[];
  /** Devices of the host passed in (cAdvisor reads /dev/kmsg). @default none */
  readonly devices?: readonly string[];
  /**
   * Resources the container must be created after, when no attribute reference orders them (a
   * host-network container and the network whose gateway it listens on). @default none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Directory where rendered config files are staged before cdktf copies them into `cdktf.out`. */
const STAGING_DIR = path.join(os.tmpdir(), "monitoring-stack-assets");

/** SHA-256 of a text, hex. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The shared shape of every container of the stack: a pinned image, one container with secure defaults
 * (no-new-privileges, all capabilities dropped, limits, log rotation, restart policy, loopback-only
 * ports), named data volumes, config files as reviewable assets and secrets as uploads of Terraform
 * tokens. Each service construct composes one of these and adds its own config rendering.
 */
export class MonitoringService extends Construct {
  /** Container name, e.g. `monitoring-prometheus`. */
  public readonly containerName: string;
  /** Hostname other containers use to reach this service. */
  public readonly hostname: string;
  /** The container, on the single-host runtime. */
  public readonly container?: Container;
  /** The swarm service, on the swarm runtime. */
  public readonly swarmService?: Service;
  /** The image resource (single host; on a swarm every node must already hold the image). */
  public readonly image?: Image;
  /** Data volumes by their short name. */
  public readonly volumes: Readonly<Record<string, Volume>>;
  /** The config assets by container path, for tests and review. */
  public readonly configAssets: Readonly<Record<string, TerraformAsset>>;
  /** Seconds `cdktf deploy` waits for the container to become healthy; undefined without a healthcheck. */
  public readonly healthyWithinSeconds?: number;
  /** Host ports this service publishes, for the stack's clash check. */
  public readonly publishedPorts: readonly PublishedPort[];

  constructor(scope: Construct, id: string, props: MonitoringServiceProps) {
    super(scope, id);
    validateServiceProps(props);
    const ctx = props.context;
    this.containerName = `${ctx.namePrefix}-${props.serviceName}`;
    this.publishedPorts = props.publishedPorts ?? [];
    const swarm = ctx.runtime?.kind === "swarm";
    this.hostname = props.networkMode === "host" && !swarm ? "host.docker.internal" : props.serviceName;

    // On a swarm the nodes hold the images (a service names its image; a docker_image would only pull on
    // the manager), and the engine creates each task's volume on its node.
    this.image = swarm
      ? undefined
      : new Image(this, "image", {
          name: imageName(props.image, `${props.serviceName}.image`),
          keepLocally: true,
        });

    const volumes: Record<string, Volume> = {};
    for (const v of swarm ? [] : (props.dataVolumes ?? [])) {
      volumes[v.name] = new Volume(this, `volume-${v.name}`, {
        name: `${ctx.volumePrefix ?? ctx.namePrefix}-${props.serviceName}-${v.name}`,
        labels: [{ label: "com.monitoring-stack.service", value: props.serviceName }],
        lifecycle: { preventDestroy: ctx.dataProtection ?? true },
      });
    }
    this.volumes = volumes;

    const assets: Record<string, TerraformAsset> = {};
    const uploads: NonNullable<ContainerConfig["upload"]> = [];
    for (const file of props.configFiles ?? []) {
      const asset = stageAsset(this, file);
      assets[file.path] = asset;
      uploads.push({ file: file.path, source: asset.path, sourceHash: sha256(file.content), permissions: "0644" });
    }
    for (const secret of props.secretFiles ?? []) {
      uploads.push({ file: secret.path, content: secret.content, permissions: "0444" });
    }
    this.configAssets = assets;

    const hc = props.healthcheck;
    const interval = hc?.interval ?? Duration.parse("30s");
    const timeout = hc?.timeout ?? Duration.parse("5s");
    const retries = hc?.retries ?? 3;
    const startPeriod = hc?.startPeriod ?? Duration.parse("30s");
    const startInterval = hc?.startInterval ?? Duration.parse("1s");
    if (hc && (startInterval.milliseconds < 1 || startInterval.compare(startPeriod) > 0 || startInterval.compare(interval) > 0)) {
      throw new Error(
        `${props.serviceName}.healthcheck.startInterval: "${startInterval}" must be at least 1ms and at most the start period ("${startPeriod}") and the interval ("${interval}")`,
      );
    }
    const healthcheck = hc && {
      test: hc.test.map(escapeTerraform),
      interval: interval.toString(),
      timeout: timeout.toString(),
      retries,
      startPeriod: startPeriod.toString(),
      startInterval: startInterval.toString(),
    };
    // `cdktf deploy` waits until a container is healthy, so a broken config fails the deploy instead of
    // leaving a restarting container behind: as long as Docker itself would take to call it unhealthy.
    this.healthyWithinSeconds = hc
      ? Math.ceil(startPeriod.seconds + (retries + 1) * (interval.seconds + timeout.seconds))
      : undefined;

    const labels: Record<string, string> = {
      "com.monitoring-stack.service": props.serviceName,
      "com.monitoring-stack.stack": ctx.namePrefix,
      // The provider stores an edited healthcheck without applying it; a label change forces a new container.
      ...(healthcheck ? { "com.monitoring-stack.healthcheck-sha256": sha256(JSON.stringify(healthcheck)) } : {}),
    };

    if (swarm) {
      this.swarmService = this.renderSwarm(props, healthcheck);
      return;
    }

    this.container = new Container(this, "container", {
      name: this.containerName,
      hostname: props.networkMode === "host" ? undefined : props.serviceName,
      image: this.image!.imageId,
      user: props.user,
      ...(props.entrypoint ? { entrypoint: props.entrypoint.map(escapeTerraform) } : {}),
      command: props.command ? props.command.map(escapeTerraform) : undefined,
      env: props.env ? Object.entries(props.env).map(([k, v]) => `${k}=${escapeTerraform(v)}`) : undefined,
      restart: "unless-stopped",
      mustRun: true,
      memory: props.resources.memoryMb,
      memorySwap: props.resources.memoryMb,
      cpus: dockerCpus(props.resources.cpus),
      readOnly: props.readOnlyRootFilesystem,
      // Docker adds "label=disable" to a container that shares the host's PID namespace, and the
      // provider reads it back: without it here, every plan would replace the container.
      securityOpts: ["no-new-privileges:true", ...(props.pidMode === "host" ? ["label=disable"] : [])],
      capabilities: { drop: ["ALL"], add: props.capAdd ? [...props.capAdd] : undefined },
      groupAdd: props.groups && props.groups.length > 0 ? props.groups.map(String) : undefined,
      logDriver: "json-file",
      logOpts: { "max-size": ctx.logMaxSize ?? "10m", "max-file": String(ctx.logMaxFiles ?? 3) },
      pidMode: props.pidMode,
      networkMode: props.networkMode,
      networksAdvanced:
        props.networkMode === "host"
          ? undefined
          : ctx.networks.map((name) => ({ name, aliases: [props.serviceName] })),
      ports: (props.publishedPorts ?? []).map((p) => ({
        internal: p.internal,
        external: p.external,
        ip: ctx.bindAddress,
        protocol: "tcp",
      })),
      volumes: [
        ...(props.dataVolumes ?? []).map((v) => ({
          volumeName: volumes[v.name].name,
          containerPath: v.containerPath,
        })),
        ...(props.hostMounts ?? []).map((m) => ({
          hostPath: m.hostPath,
          containerPath: m.containerPath,
          readOnly: m.readOnly ?? true,
        })),
      ],
      tmpfs: props.tmpfs ? { ...props.tmpfs } : undefined,
      host: props.extraHosts
        ? Object.entries(props.extraHosts).map(([host, ip]) => ({ host, ip }))
        : undefined,
      devices: props.devices?.map((d) => ({ hostPath: d, containerPath: d, permissions: "r" })),
      upload: uploads.length > 0 ? uploads : undefined,
      healthcheck,
      wait: healthcheck !== undefined,
      waitTimeout: this.healthyWithinSeconds,
      labels: Object.entries(labels).map(([label, value]) => ({ label, value: escapeTerraform(value) })),
      // Through the provider's config, which renders the plain address Terraform requires
      // (`docker_network.network`), never an interpolation.
      dependsOn: props.dependsOn && props.dependsOn.length > 0 ? [...props.dependsOn] : undefined,
    });
  }

  /** The swarm form of this service: one `docker_service` with its configs and secrets. */
  private renderSwarm(props: MonitoringServiceProps, healthcheck: { test: string[]; interval: string; timeout: string; retries: number; startPeriod: string; startInterval: string } | undefined): Service {
    const ctx = props.context;
    const scheduling: Scheduling = props.scheduling ?? { mode: "replicated", replicas: 1 };
    const stateful = (props.dataVolumes ?? []).length > 0;
    const replicated = scheduling.mode === "replicated" && (scheduling.replicas ?? 1) > 1;
    const volumePrefix = ctx.volumePrefix ?? ctx.namePrefix;
    // A per-node service's volumes are per node anyway (its task there keeps its own); only replicated
    // ones are pinned to the nodes that hold their data.
    const pinned = stateful && scheduling.mode === "replicated";
    return renderSwarmService(this, {
      name: this.containerName,
      serviceName: props.serviceName,
      image: imageName(props.image, `${props.serviceName}.image`),
      user: props.user,
      args: props.command ? props.command.map(escapeTerraform) : undefined,
      entrypoint: props.entrypoint ? props.entrypoint.map(escapeTerraform) : undefined,
      env: props.env ? Object.fromEntries(Object.entries(props.env).map(([k, v]) => [k, escapeTerraform(v)])) : undefined,
      // A per-node agent carries its node's name; Swarm fills the template per task.
      hostname: scheduling.mode === "per-node" ? "{{.Node.Hostname}}" : props.serviceName,
      configFiles: props.configFiles ?? [],
      secretFiles: props.secretFiles ?? [],
      // Each replica of a replicated stateful service has a volume of its own (the task slot).
      volumes: (props.dataVolumes ?? []).map((v) => ({
        source: `${volumePrefix}-${props.serviceName}-${v.name}${replicated ? "-{{.Task.Slot}}" : ""}`,
        target: v.containerPath,
      })),
      binds: (props.hostMounts ?? []).map((m) => ({ source: m.hostPath, target: m.containerPath, readOnly: m.readOnly ?? true })),
      sharedDirectories: (props.sharedDirectories ?? []).map((d) => ({
        name: `${d.name}-${contentHash(sharedDirectoryOptions(d)).slice(0, 8)}`,
        target: d.containerPath,
        readOnly: d.readOnly ?? false,
        mountOptions: sharedDirectoryOptions(d),
      })),
      tmpfs: props.tmpfs ?? {},
      ports: props.publishedPorts ?? [],
      healthcheck,
      healthyWithinSeconds: this.healthyWithinSeconds,
      memoryMb: props.resources.memoryMb,
      cpus: props.resources.cpus,
      readOnly: props.readOnlyRootFilesystem,
      capAdd: props.capAdd ?? [],
      groups: props.groups ?? [],
      hosts: props.extraHosts ?? {},
      networks: ctx.networks,
      labels: {
        "com.monitoring-stack.service": props.serviceName,
        "com.monitoring-stack.stack": ctx.namePrefix,
      },
      logOptions: { "max-size": ctx.logMaxSize ?? "10m", "max-file": String(ctx.logMaxFiles ?? 3) },
      scheduling,
      constraints: pinned ? [`node.labels.${pinLabel(props.serviceName)}==true`] : [],
      stateful,
      dependsOn: props.dependsOn,
    });
  }
}

/**
 * Writes a rendered file to a content-addressed staging folder and wraps it in a TerraformAsset, so
 * that it lands under `cdktf.out/stacks/<stack>/assets/` as a plain file and reaches the container via
 * `upload.source`. Terraform never reads the file's text as an expression, so `${...}` inside it is
 * left alone.
 */
function stageAsset(scope: Construct, file: ConfigFile): TerraformAsset {
  const dir = path.join(STAGING_DIR, sha256(file.path + "\0" + file.content));
  const target = path.join(dir, path.posix.basename(file.path));
  if (!fs.existsSync(target)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(target, file.content);
  }
  const id = `config-${file.path.replace(/^\/+/, "").replace(/[^A-Za-z0-9]+/g, "-")}`;
  return new TerraformAsset(scope, id, { path: target, type: AssetType.FILE });
}

function validateServiceProps(props: MonitoringServiceProps): void {
  const name = props.serviceName;
  const checks: Check[] = [
    [
      /^[a-z][a-z0-9-]{0,62}$/.test(name),
      `serviceName: "${name}" must be a lower-case DNS label (a-z, 0-9, "-", starting with a letter)`,
    ],
    [
      Number.isFinite(props.resources.memoryMb) && props.resources.memoryMb >= 16,
      `${name}.resources.memoryMb: ${props.resources.memoryMb} is too small; allowed: at least 16 (MiB)`,
    ],
    [
      Number.isFinite(props.resources.cpus) && props.resources.cpus > 0 && props.resources.cpus <= 64,
      `${name}.resources.cpus: ${props.resources.cpus} is out of range; allowed: more than 0 and at most 64 cores`,
    ],
    [
      !(props.networkMode === "host" && (props.publishedPorts?.length ?? 0) > 0),
      `${name}.publishedPorts: a container on the host network cannot publish ports`,
    ],
  ];
  const swarm = props.context.runtime?.kind === "swarm";
  // What a swarm service cannot express is refused, never dropped (the provider's docker_service has no
  // privileged, device or PID/network-namespace fields).
  for (const [field, given] of [
    ["devices", (props.devices?.length ?? 0) > 0],
    ["pidMode", props.pidMode !== undefined],
    ["networkMode", props.networkMode !== undefined],
  ] as const) {
    checks.push([!(swarm && given), `${name}.${field}: a swarm service has no ${field}; leave it out on the swarm runtime`]);
  }
  checks.push([
    swarm || (props.sharedDirectories?.length ?? 0) === 0,
    `${name}.sharedDirectories: a directory shared per node needs a cluster runtime; on the single host services share over a network`,
  ]);
  for (const d of props.sharedDirectories ?? []) {
    checks.push([/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,54}$/.test(d.name), `${name}.sharedDirectories: "${d.name}" is not a volume name (letters, digits, "_", ".", "-", at most 55)`]);
    checks.push([/^\/[A-Za-z0-9_.\/-]+$/.test(d.containerPath), `${name}.sharedDirectories: "${d.containerPath}" must be an absolute path`]);
    checks.push([/^[0-7]{3,4}$/.test(d.mode), `${name}.sharedDirectories: mode "${d.mode}" is not an octal mode such as "2750"`]);
    for (const id of [d.uid, d.gid]) {
      checks.push([Number.isInteger(id) && id >= 0 && id < 2 ** 31, `${name}.sharedDirectories: ${id} is not a uid/gid`]);
    }
  }
  for (const g of props.groups ?? []) {
    checks.push([Number.isInteger(g) && g >= 0 && g < 2 ** 31, `${name}.groups: ${g} is not a group id`]);
  }
  for (const file of [...(props.configFiles ?? []), ...(props.secretFiles ?? [])]) {
    checks.push([file.path.startsWith("/"), `${name}: file path "${file.path}" must be absolute`]);
  }
  const paths = [...(props.configFiles ?? []), ...(props.secretFiles ?? [])].map((f) => f.path);
  const dup = paths.find((p, i) => paths.indexOf(p) !== i);
  checks.push([dup === undefined, `${name}: file "${dup}" is uploaded twice`]);
  for (const p of props.publishedPorts ?? []) {
    checks.push([isPort(p.internal), `${name}.publishedPorts: internal port ${p.internal} is not in 1-65535`]);
    checks.push([isPort(p.external), `${name}.publishedPorts: external port ${p.external} is not in 1-65535`]);
  }
  assertChecks(checks);
}

/** A validation rule: the condition that must hold, and the message (prop, value, what is allowed) when it does not. */
export type Check = readonly [ok: boolean, message: string];

/** Throws one error listing the message of every failed check, so that one synth shows all of them. */
export function assertChecks(checks: readonly Check[]): void {
  // A message names the value it refuses: a password in it (URL user info) is masked.
  const errors = checks.filter(([ok]) => !ok).map(([, message]) => maskSecrets(message));
  if (errors.length > 0) {
    throw new Error(errors.join("\n"));
  }
}

/**
 * A CPU limit written the way the Docker provider reads it back from the engine (`NanoCPUs`, then
 * `nanoInt64ToDecimalString` in internal/provider/helpers.go: nine decimals, "1.0" for whole numbers,
 * trailing zeros trimmed otherwise). `cpus` forces replacement, so "1" against a stored "1.0" would
 * replace the container on every deploy (seen in the end-to-end redeploy).
 */
export function dockerCpus(cpus: number): string {
  const fixed = (Math.round(cpus * 1e9) / 1e9).toFixed(9);
  if ((fixed.match(/0/g) ?? []).length === 9) {
    return (Math.round(cpus * 1e9) / 1e9).toFixed(1);
  }
  return fixed.replace(/0+$/, "");
}

/**
 * A user string made safe for the Terraform JSON: Terraform evaluates `${…}` and `%{…}` in every string
 * attribute, so `$${` and `%%{` write them literally (a `grafana.rootUrl` of `${file("/etc/passwd")}`
 * must stay text). cdktf's own token markers (`${TfToken[…]}`) are left for cdktf to resolve.
 * @see https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences
 */
export function escapeTerraform(text: string): string {
  return text.replace(/\$\{(?!TfToken\[)/g, "$$${").replace(/%\{/g, "%%{");
}

/**
 * Checks an http(s) URL from the config, naming `field`: it must parse, use http or https, and carry no
 * Terraform template sequence. Returns the checks (see {@link assertChecks}).
 */
/**
 * The path under which a program serves when given this external URL (Prometheus' and Alertmanager's
 * `--web.route-prefix` defaults to the external URL's path): "" for none, else "/path" without a trailing
 * slash. Healthchecks, self-scrapes and clients must use it.
 */
export function routePrefix(externalUrl: string | undefined): string {
  if (externalUrl === undefined) return "";
  let parsed: URL;
  try {
    parsed = new URL(externalUrl);
  } catch {
    return "";
  }
  return parsed.pathname.replace(/\/+$/, "");
}

export function urlChecks(field: string, url: string): Check[] {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  return [
    [parsed !== undefined && (parsed.protocol === "http:" || parsed.protocol === "https:"), `${field}: "${url}" is not an http(s) URL such as "https://ops.example.com/"`],
    [!/\$\{|%\{|\s/.test(url), `${field}: "${url}" contains "\${", "%{" or whitespace; give a plain URL`],
    [parsed === undefined || (parsed.search === "" && parsed.hash === "" && !url.includes("?") && !url.includes("#")), `${field}: "${url}" has a query or fragment; give the base URL, optionally with a path such as "https://ops.example.com/prometheus"`],
    // It is written into cdktf.out and shown in every notification's links: no credentials in it.
    [parsed === undefined || (parsed.username === "" && parsed.password === ""), `${field}: "${url}" carries user info (a user or password); give the URL without it, e.g. "https://ops.example.com/"`],
  ];
}

/**
 * The host name a user's browser (and a notification's link) reaches a published port at: the bind
 * address itself (a LAN address), or `localhost` for loopback and for the wildcard `0.0.0.0` (which
 * names no one address: configure an external URL then).
 */
export function publicHost(bindAddress: string): string {
  return bindAddress === "0.0.0.0" || isLoopback(bindAddress) ? "localhost" : bindAddress;
}

/** True for a loopback address (127.0.0.0/8): a port bound there is reachable from this host only. */
export function isLoopback(bindAddress: string): boolean {
  return /^127\./.test(bindAddress);
}

/** True for a TCP port number 1-65535. */
export function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** A name that DNS discovery resolves: every address it answers is a target on `port`. */
export interface DnsName {
  /** A DNS name, e.g. a Compose service name, which Docker's DNS answers with the address of every replica. */
  readonly name: string;
  readonly port: number;
  /** @default the job's metrics path */
  readonly metricsPath?: string;
}

/**
 * Targets found by DNS at every refresh (Prometheus' `dns_sd_configs`, type A): each replica of a name is
 * a target of its own, with the instance `<address>:<port>`; a replica that goes away leaves at the next
 * refresh and its series go stale.
 *
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#dns_sd_config
 */
export interface DnsDiscovery {
  readonly names: readonly DnsName[];
  /** How often the names are resolved again: the longest a new replica waits to be scraped. */
  readonly refreshInterval: Duration;
  /** A label set to the name a target was found by (the application's `service`). @default none */
  readonly nameLabel?: string;
}

/** What Prometheus needs to scrape a service; each construct exposes one (or none). */
export interface ScrapeTarget {
  /** Job name, from `alerts/jobs.ts`. */
  readonly job: string;
  /** `host:port` addresses as seen from the Prometheus container (static; may be empty when `dns` finds them). */
  readonly targets: readonly string[];
  /** Targets found by DNS, beside the static ones. @default none */
  readonly dns?: DnsDiscovery;
  /** @default "/metrics" */
  readonly metricsPath?: string;
  /** Overrides the global scrape interval. @default the global one */
  readonly scrapeInterval?: Duration;
  /** Extra labels on every series of the job. @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Labels of each target, in the order of {@link targets} (e.g. the application's `service`): each
   * target gets a `static_configs` entry of its own. @default none
   */
  readonly targetLabels?: readonly Readonly<Record<string, string>>[];
  /** URL parameters of every scrape (a blackbox probe's `module`). @default none */
  readonly params?: Readonly<Record<string, readonly string[]>>;
  /** Prometheus `relabel_configs` of the job, as Prometheus spells them (a probe job's target rewrite). @default none */
  readonly relabelConfigs?: readonly Readonly<Record<string, string | readonly string[]>>[];
}
