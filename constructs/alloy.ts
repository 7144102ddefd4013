import { Token } from "cdktf";
import { Construct } from "constructs";
import { Duration } from "../alerts/duration";
import { JOBS, NODE_LABEL } from "../alerts/jobs";
import { MonitoringService, ResourceLimits, ScrapeTarget, ServiceContext, assertChecks, Check, isPort } from "./service";
import { IMAGES, ImageRef } from "./versions";
import { DockerSocketMount, dockerApiChecks } from "./docker-socket-proxy";
import { perNodeTargets } from "./runtime";

const CONFIG_PATH = "/etc/alloy/config.alloy";
/**
 * Positions of the Docker log readers: the image's data directory, owned by its `alloy` user (473, mode
 * 770), so a new named volume mounted there starts with that owner.
 */
const STORAGE_PATH = "/var/lib/alloy/data";
/** The image's non-root user (`alloy`, uid and gid 473). */
export const ALLOY_USER = "473:473";
/** On a swarm: the environment variable that carries the task's node hostname (`{{.Node.Hostname}}`). */
export const ALLOY_NODE_ENV = "NODE_HOSTNAME";

/** The container label that names a log line's `service`: Compose's, and on a swarm also the swarm service's. */
const COMPOSE_SERVICE_LABEL = "com.docker.compose.service";
const SWARM_SERVICE_LABEL = "com.docker.swarm.service.name";

/**
 * Which containers' logs Alloy reads. Both fields are Docker API list filters, applied by the daemon.
 * @see https://docs.docker.com/reference/api/engine/version/v1.43/#tag/Container/operation/ContainerList
 */
export interface AlloyContainerFilter {
  /** Only containers with this label: `key` or `key=value`, e.g. `logs=true`. @default any */
  readonly label?: string;
  /** Only containers attached to this network (name or id). @default any */
  readonly network?: string;
}

/** Options of {@link renderAlloyConfig}. */
export interface AlloyConfigOptions {
  /** Loki's push URL. */
  readonly lokiPushUrl: string;
  /** The Docker API: the socket proxy's `tcp://…:2375`, or on a swarm its node's `unix://…` socket. */
  readonly dockerHost: string;
  /** @default all containers on the host */
  readonly containerFilter?: AlloyContainerFilter;
  /** How often the container list is refreshed. */
  readonly refreshInterval: Duration;
  /**
   * One Alloy per node of a cluster: every line gets the label `name` with the value of the environment
   * variable `env` (the node's hostname), and a swarm task's `service` is its swarm service, not its
   * container name (which changes with every task). @default none (one host)
   */
  readonly perNode?: { readonly label: string; readonly env: string };
}

/** Props of {@link Alloy}. */
export interface AlloyProps {
  readonly context: ServiceContext;
  /** Loki's push endpoint, normally `loki.pushUrl`. Rendered into the config at synth time. */
  readonly lokiPushUrl: string;
  /** @default IMAGES.alloy */
  readonly image?: ImageRef;
  /** @default 256 MiB, 0.5 CPU */
  readonly resources?: ResourceLimits;
  /** HTTP port: UI, `/metrics`, `/-/ready`. @default 12345 */
  readonly port?: number;
  /**
   * Restrict log collection to some containers.
   * @default all containers on the Docker host, the stack's own included: their logs are the first
   * place to look when the monitoring itself misbehaves.
   */
  readonly containerFilter?: AlloyContainerFilter;
  /**
   * How often new containers are discovered. A container's log is read from its start, so a longer
   * interval delays logs of a new container but loses none.
   * @default 15s
   */
  readonly refreshInterval?: Duration;
  /**
   * The Docker API, read through the stack's socket proxy (`DockerSocketProxy.dockerHost`,
   * `tcp://docker-socket-proxy:2375`): Alloy never mounts the Docker socket.
   */
  readonly dockerHost: string;
  /**
   * On a swarm: the node's socket directory of the proxy (`DockerSocketProxy.socketMount`), mounted
   * read-only, when `dockerHost` is its `unix://` socket. @default none (the proxy over TCP)
   */
  readonly dockerSocketMount?: DockerSocketMount;
}

/** Quotes a string as an Alloy string literal (its escapes are a superset of JSON's). */
function str(value: string): string {
  return JSON.stringify(value);
}

/**
 * Renders `config.alloy`: Docker containers discovered through the socket, their logs labelled with
 * `container` (name without the leading "/"), `service` (the compose service label, else the container
 * name) and `stream` (stdout/stderr), pushed to Loki.
 *
 * The labels are set by `relabel_rules` of `loki.source.docker`, not by relabelling the targets, because
 * the stream label only exists per log entry.
 *
 * @see https://grafana.com/docs/alloy/latest/reference/components/loki/loki.source.docker/
 * @see https://grafana.com/docs/alloy/latest/reference/components/discovery/discovery.docker/
 */
export function renderAlloyConfig(options: AlloyConfigOptions): string {
  const host = str(options.dockerHost);
  const filters: string[] = [];
  if (options.containerFilter?.label !== undefined) {
    filters.push(`  filter {\n    name   = "label"\n    values = [${str(options.containerFilter.label)}]\n  }`);
  }
  if (options.containerFilter?.network !== undefined) {
    filters.push(`  filter {\n    name   = "network"\n    values = [${str(options.containerFilter.network)}]\n  }`);
  }
  const rule = (sourceLabel: string, regex: string, target: string): string =>
    [
      "  rule {",
      `    source_labels = [${str(sourceLabel)}]`,
      `    regex         = ${str(regex)}`,
      `    target_label  = ${str(target)}`,
      "  }",
    ].join("\n");
  return [
    "// Rendered by monitoring-stack-as-code (constructs/alloy.ts); edit the construct, not this file.",
    "",
    "logging {",
    '  level  = "info"',
    '  format = "logfmt"',
    "}",
    "",
    'discovery.docker "containers" {',
    `  host             = ${host}`,
    `  refresh_interval = ${str(options.refreshInterval.toString())}`,
    ...filters,
    "}",
    "",
    "// Rules only: they run per log entry inside loki.source.docker, where the stream label exists.",
    'discovery.relabel "logs" {',
    "  targets = []",
    "",
    rule("__meta_docker_container_name", "/?(.*)", "container"),
    // First the container name, then the compose service where there is one (an empty label does not
    // match "(.+)", so the container name stays).
    rule("__meta_docker_container_name", "/?(.*)", "service"),
    ...[COMPOSE_SERVICE_LABEL, ...(options.perNode ? [SWARM_SERVICE_LABEL] : [])].map((l) =>
      rule(`__meta_docker_container_label_${l.replace(/[^A-Za-z0-9]/g, "_")}`, "(.+)", "service"),
    ),
    rule("__meta_docker_container_log_stream", "(.+)", "stream"),
    "}",
    "",
    'loki.source.docker "containers" {',
    `  host          = ${host}`,
    "  targets       = discovery.docker.containers.targets",
    "  relabel_rules = discovery.relabel.logs.rules",
    "  forward_to    = [loki.write.loki.receiver]",
    "}",
    "",
    'loki.write "loki" {',
    ...(options.perNode ? [`  external_labels = { ${str(options.perNode.label)} = sys.env(${str(options.perNode.env)}) }`, ""] : []),
    "  endpoint {",
    `    url = ${str(options.lokiPushUrl)}`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/**
 * Grafana Alloy as the log agent: reads every container's log through the stack's Docker socket proxy
 * (GET of the container list and logs only; Alloy mounts no socket) and pushes it to Loki. Runs as the
 * image's non-root user `alloy` (473). Its UI and own metrics listen on 0.0.0.0:12345 inside the stack
 * network (Alloy binds 127.0.0.1 unless told otherwise), nothing is published.
 *
 * Exception to the stack's defaults: the root filesystem is writable, because its config arrives as an
 * upload, which Docker refuses on a read-only one.
 *
 * The image (Ubuntu) has no wget or curl; the healthcheck uses bash's `/dev/tcp`.
 *
 * On a swarm it runs on every node (global, hostname `{{.Node.Hostname}}`) and reads its own node's
 * containers through that node's proxy socket (`unix:///run/docker-api/docker.sock`, the directory
 * mounted read-only); every line carries `node` (the task's `{{.Node.Hostname}}`, through
 * {@link ALLOY_NODE_ENV}), its positions live on a volume of each node, and its port is published in host
 * mode and scraped per node (`node`, `instance` = hostname). It still ships to the one Loki.
 *
 * @see https://grafana.com/docs/alloy/latest/set-up/install/docker/
 */
export class Alloy extends Construct {
  public readonly hostname: string;
  public readonly port: number;
  /** e.g. `http://alloy:12345` */
  public readonly url: string;
  /** Alloy's own metrics. */
  public readonly scrapeTarget: ScrapeTarget;
  public readonly lokiPushUrl: string;
  /** The rendered config file (also written under `cdktf.out`). */
  public readonly config: string;
  public readonly service: MonitoringService;

  constructor(scope: Construct, id: string, props: AlloyProps) {
    super(scope, id);
    this.port = props.port ?? 12345;
    this.lokiPushUrl = props.lokiPushUrl;
    const refreshInterval = props.refreshInterval ?? Duration.seconds(15);
    validateAlloyProps(this.port, props.lokiPushUrl, refreshInterval, props.dockerHost, props.dockerSocketMount, props.containerFilter);
    const runtime = props.context.runtime;
    const swarm = runtime?.kind === "swarm" ? runtime : undefined;

    this.config = renderAlloyConfig({
      lokiPushUrl: props.lokiPushUrl,
      dockerHost: props.dockerHost,
      containerFilter: props.containerFilter,
      refreshInterval,
      ...(swarm ? { perNode: { label: NODE_LABEL, env: ALLOY_NODE_ENV } } : {}),
    });
    this.service = new MonitoringService(this, "service", {
      serviceName: "alloy",
      context: props.context,
      image: props.image ?? IMAGES.alloy,
      user: ALLOY_USER,
      command: [
        "run",
        CONFIG_PATH,
        `--server.http.listen-addr=0.0.0.0:${this.port}`,
        `--storage.path=${STORAGE_PATH}`,
        "--disable-reporting",
      ],
      configFiles: [{ path: CONFIG_PATH, content: this.config }],
      dataVolumes: [{ name: "data", containerPath: STORAGE_PATH }],
      ...(swarm
        ? {
            scheduling: { mode: "per-node" as const },
            env: { [ALLOY_NODE_ENV]: "{{.Node.Hostname}}" },
            publishedPorts: [{ internal: this.port, external: this.port }],
          }
        : {}),
      ...(props.dockerSocketMount
        ? { sharedDirectories: [props.dockerSocketMount.directory], groups: [props.dockerSocketMount.groupId] }
        : {}),
      healthcheck: {
        test: [
          "CMD",
          "bash",
          "-c",
          `exec 3<>/dev/tcp/127.0.0.1/${this.port} && printf 'GET /-/ready HTTP/1.0\\r\\n\\r\\n' >&3 && ` +
            `read -r status <&3 && [[ $status == *' 200 '* ]]`,
        ],
      },
      resources: props.resources ?? { memoryMb: 256, cpus: 0.5 },
      readOnlyRootFilesystem: false,
    });

    this.hostname = this.service.hostname;
    this.url = `http://${this.hostname}:${this.port}`;
    this.scrapeTarget = swarm
      ? { job: JOBS.alloy, ...perNodeTargets(swarm.nodes, this.port) }
      : { job: JOBS.alloy, targets: [`${this.hostname}:${this.port}`] };
  }
}

function validateAlloyProps(
  port: number,
  lokiPushUrl: string,
  refreshInterval: Duration,
  dockerHost: string,
  dockerSocketMount: DockerSocketMount | undefined,
  filter: AlloyContainerFilter | undefined,
): void {
  const checks: Check[] = [
    [isPort(port), `alloy.port: ${port} is not a TCP port; allowed: 1-65535`],
    [
      !Token.isUnresolved(lokiPushUrl),
      `alloy.lokiPushUrl: "${lokiPushUrl}" is a Terraform token; the config file is rendered at synth time, ` +
        `so pass a plain URL such as loki.pushUrl`,
    ],
    [
      Token.isUnresolved(lokiPushUrl) || /^https?:\/\/[^\s/]+(\/\S*)?$/.test(lokiPushUrl),
      `alloy.lokiPushUrl: "${lokiPushUrl}" is not an http(s) URL such as "http://loki:3100/loki/api/v1/push"`,
    ],
    [
      refreshInterval.compare(Duration.seconds(1)) >= 0,
      `alloy.refreshInterval: "${refreshInterval}" is too short; allowed: at least 1s`,
    ],
    ...dockerApiChecks("alloy", dockerHost, dockerSocketMount),
    [
      filter?.label === undefined || /^[^=\s]+(=\S*)?$/.test(filter.label),
      `alloy.containerFilter.label: "${filter?.label}" is not a label filter; use "key" or "key=value"`,
    ],
    [
      filter?.network === undefined || filter.network.trim() !== "",
      `alloy.containerFilter.network: "${filter?.network}" is empty; give a network name or leave it out`,
    ],
  ];
  assertChecks(checks);
}
