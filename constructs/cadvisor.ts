import { Construct } from "constructs";
import { Duration } from "../alerts/duration";
import { JOBS } from "../alerts/jobs";
import { MonitoringService, ResourceLimits, ScrapeTarget, ServiceContext, assertChecks, Check, isPort } from "./service";
import { IMAGES, ImageRef } from "./versions";
import { DockerSocketMount, dockerApiChecks } from "./docker-socket-proxy";
import { perNodeTargets } from "./runtime";

/**
 * Every metric family `--disable_metrics` accepts in cAdvisor v0.60 (lib/container/factory.go); an
 * unknown name makes cAdvisor exit at start, so it is refused at synth time instead.
 */
export const CADVISOR_METRICS = [
  "advtcp",
  "app",
  "cpu",
  "cpuLoad",
  "cpu_topology",
  "cpuset",
  "disk",
  "diskIO",
  "hugetlb",
  "memory",
  "memory_numa",
  "network",
  "oom_event",
  "percpu",
  "perf_event",
  "pressure",
  "process",
  "referenced_memory",
  "resctrl",
  "sched",
  "tcp",
  "udp",
] as const;

/** A cAdvisor metric family, see {@link CADVISOR_METRICS}. */
export type CadvisorMetric = (typeof CADVISOR_METRICS)[number];

/**
 * Families switched off by default. `--disable_metrics` replaces cAdvisor's own default list rather than
 * adding to it, so that list (memory_numa, tcp, udp, advtcp, sched, process, hugetlb, referenced_memory,
 * cpu_topology, resctrl, cpuset) is repeated here, plus the costly ones:
 * - `percpu`: one series per container per CPU core;
 * - `disk`: walks every container's writable layer to measure it (du-like I/O on the host);
 * - `diskIO`: a series per container per block device and operation.
 * Kept: cpu, memory, network, pressure and oom_event (what the stack's container panels and alerts use),
 * and app, cpuLoad and perf_event, which export nothing without further flags.
 */
export const CADVISOR_DEFAULT_DISABLED_METRICS: readonly CadvisorMetric[] = [
  "advtcp",
  "cpu_topology",
  "cpuset",
  "disk",
  "diskIO",
  "hugetlb",
  "memory_numa",
  "percpu",
  "process",
  "referenced_memory",
  "resctrl",
  "sched",
  "tcp",
  "udp",
];

/**
 * Container labels kept on metrics. cAdvisor otherwise turns every label and environment variable of
 * every container into a Prometheus label: high cardinality, and environment variables can hold secrets.
 */
export const CADVISOR_DEFAULT_CONTAINER_LABELS: readonly string[] = [
  "com.docker.compose.project",
  "com.docker.compose.service",
  "com.monitoring-stack.service",
];

/** The swarm's own service label, kept beside them on a swarm (a task's container name changes with every task). */
export const CADVISOR_SWARM_CONTAINER_LABELS: readonly string[] = ["com.docker.swarm.service.name"];

/** Props of {@link Cadvisor}. */
export interface CadvisorProps {
  readonly context: ServiceContext;
  /** The Docker API through the stack's socket proxy (`DockerSocketProxy.dockerHost`). */
  readonly dockerHost: string;
  /**
   * On a swarm: the node's socket directory of the proxy (`DockerSocketProxy.socketMount`), mounted
   * read-only, when `dockerHost` is its `unix://` socket. @default none (the proxy over TCP)
   */
  readonly dockerSocketMount?: DockerSocketMount;
  /** @default IMAGES.cadvisor */
  readonly image?: ImageRef;
  /** @default 256 MiB, 0.5 CPU */
  readonly resources?: ResourceLimits;
  /** @default 8080 */
  readonly port?: number;
  /**
   * How often each container's stats are collected. cAdvisor's default of 1s costs a noticeable share of a
   * CPU on a busy host and is finer than any scrape interval of this stack.
   * @default 30s
   */
  readonly housekeepingInterval?: Duration;
  /** @default CADVISOR_DEFAULT_DISABLED_METRICS */
  readonly disabledMetrics?: readonly CadvisorMetric[];
  /** Container labels exported as metric labels (`container_label_*`). @default CADVISOR_DEFAULT_CONTAINER_LABELS */
  readonly containerLabels?: readonly string[];
}

/** cAdvisor's command-line flags (the image's entrypoint runs cadvisor with them). */
export function cadvisorFlags(options: {
  readonly port: number;
  readonly dockerHost: string;
  readonly housekeepingInterval: Duration;
  readonly disabledMetrics: readonly CadvisorMetric[];
  readonly containerLabels: readonly string[];
}): string[] {
  return [
    `--port=${options.port}`,
    `--docker=${options.dockerHost}`,
    // Docker containers only: no per-systemd-unit cgroups of the host.
    "--docker_only=true",
    `--housekeeping_interval=${options.housekeepingInterval}`,
    `--disable_metrics=${[...options.disabledMetrics].sort().join(",")}`,
    "--store_container_labels=false",
    `--whitelisted_container_labels=${options.containerLabels.join(",")}`,
  ];
}

/**
 * The swarm healthcheck: cAdvisor registers its Docker factory once, at start, and never retries (v0.60,
 * lib/container/factory.go InitializePlugins; container/docker/plugin.go gives up at once on anything but
 * a timeout), so a task that started before its node's proxy had a socket would serve `/healthz` while
 * watching no container. Healthy means it knows at least one Docker container (itself, at the least);
 * Swarm replaces an unhealthy task, which then finds the socket.
 */
export function cadvisorDockerHealthcheck(port: number): string[] {
  return [
    "CMD",
    "sh",
    "-c",
    `wget -q -O - 'http://127.0.0.1:${port}/api/v2.0/spec?type=docker&recursive=true&count=1' | grep -q '"namespace":"docker"'`,
  ];
}

/**
 * cAdvisor: CPU, memory and network of every Docker container on the host.
 *
 * Runs as root, an exception to the stack's defaults: it reads /var/lib/docker, /proc of the host's
 * processes and cgroup files that belong to root. It reaches the Docker API through the stack's socket
 * proxy (`--docker=tcp://docker-socket-proxy:2375`, GET of info, version and container inspect only) and
 * mounts neither the socket nor /var/run nor the host's whole `/` (which would contain the socket): only
 * /proc, /sys, /var/lib/docker and /dev/disk, read-only. All capabilities stay dropped except `SYSLOG`, which
 * reading /dev/kmsg (OOM events) needs on hosts with `kernel.dmesg_restrict=1`; it is not `--privileged`.
 * Host paths are mounted read-only and its own root filesystem is read-only. Publishes nothing; the
 * healthcheck is busybox `wget` on `/healthz` (Alpine-based image).
 *
 * On a swarm it runs on every node (global, hostname `{{.Node.Hostname}}`), reads its own node's engine
 * through that node's proxy socket (`--docker=unix:///run/docker-api/docker.sock`, the directory mounted
 * read-only), publishes its port in host mode and is scraped per node (`node`, `instance` = hostname).
 * A swarm service has no devices: without /dev/kmsg cAdvisor sees no OOM events (nor `SYSLOG`, which only
 * reading it needs); its healthcheck proves the Docker factory ({@link cadvisorDockerHealthcheck}).
 *
 * @see https://github.com/google/cadvisor/blob/master/docs/running.md
 * @see https://github.com/google/cadvisor/blob/master/docs/runtime_options.md
 */
export class Cadvisor extends Construct {
  public readonly hostname: string;
  public readonly port: number;
  /** e.g. `http://cadvisor:8080` */
  public readonly url: string;
  public readonly scrapeTarget: ScrapeTarget;
  public readonly housekeepingInterval: Duration;
  public readonly disabledMetrics: readonly CadvisorMetric[];
  public readonly service: MonitoringService;

  constructor(scope: Construct, id: string, props: CadvisorProps) {
    super(scope, id);
    this.port = props.port ?? 8080;
    this.housekeepingInterval = props.housekeepingInterval ?? Duration.seconds(30);
    this.disabledMetrics = props.disabledMetrics ?? CADVISOR_DEFAULT_DISABLED_METRICS;
    const runtime = props.context.runtime;
    const swarm = runtime?.kind === "swarm" ? runtime : undefined;
    const containerLabels = props.containerLabels ?? [...CADVISOR_DEFAULT_CONTAINER_LABELS, ...(swarm ? CADVISOR_SWARM_CONTAINER_LABELS : [])];
    validateCadvisorProps(this.port, this.housekeepingInterval, this.disabledMetrics, containerLabels);
    assertChecks(dockerApiChecks("cadvisor", props.dockerHost, props.dockerSocketMount));

    this.service = new MonitoringService(this, "service", {
      serviceName: "cadvisor",
      context: props.context,
      image: props.image ?? IMAGES.cadvisor,
      user: "0",
      command: cadvisorFlags({
        port: this.port,
        dockerHost: props.dockerHost,
        housekeepingInterval: this.housekeepingInterval,
        disabledMetrics: this.disabledMetrics,
        containerLabels,
      }),
      // With /rootfs/proc present cAdvisor reads the host through /rootfs: its processes (per-container
      // network and process stats) and Docker's layer database.
      hostMounts: [
        { hostPath: "/proc", containerPath: "/rootfs/proc" },
        { hostPath: "/var/lib/docker", containerPath: "/rootfs/var/lib/docker" },
        { hostPath: "/sys", containerPath: "/sys" },
        { hostPath: "/var/lib/docker", containerPath: "/var/lib/docker" },
        { hostPath: "/dev/disk", containerPath: "/dev/disk" },
      ],
      ...(swarm
        ? {
            scheduling: { mode: "per-node" as const },
            publishedPorts: [{ internal: this.port, external: this.port }],
          }
        : { devices: ["/dev/kmsg"], capAdd: ["SYSLOG"] }),
      ...(props.dockerSocketMount
        ? { sharedDirectories: [props.dockerSocketMount.directory], groups: [props.dockerSocketMount.groupId] }
        : {}),
      tmpfs: { "/tmp": "rw,noexec,nosuid,size=16m" },
      healthcheck: {
        test: swarm
          ? cadvisorDockerHealthcheck(this.port)
          : ["CMD", "wget", "--quiet", "--tries=1", "--spider", `http://127.0.0.1:${this.port}/healthz`],
      },
      resources: props.resources ?? { memoryMb: 256, cpus: 0.5 },
      readOnlyRootFilesystem: true,
    });

    this.hostname = this.service.hostname;
    this.url = `http://${this.hostname}:${this.port}`;
    this.scrapeTarget = swarm
      ? { job: JOBS.cadvisor, ...perNodeTargets(swarm.nodes, this.port) }
      : { job: JOBS.cadvisor, targets: [`${this.hostname}:${this.port}`] };
  }
}

function validateCadvisorProps(
  port: number,
  housekeeping: Duration,
  disabled: readonly string[],
  labels: readonly string[],
): void {
  const known: readonly string[] = CADVISOR_METRICS;
  const unknown = disabled.filter((m) => !known.includes(m));
  const checks: Check[] = [
    [isPort(port), `cadvisor.port: ${port} is not a TCP port; allowed: 1-65535`],
    [
      housekeeping.compare(Duration.seconds(1)) >= 0 && housekeeping.compare(Duration.minutes(5)) <= 0,
      `cadvisor.housekeepingInterval: "${housekeeping}" is out of range; allowed: 1s to 5m`,
    ],
    [
      unknown.length === 0,
      `cadvisor.disabledMetrics: ${unknown.map((m) => `"${m}"`).join(", ")} unknown; allowed: ${known.join(", ")}`,
    ],
    [
      labels.every((l) => /^[^,\s]+$/.test(l)),
      `cadvisor.containerLabels: ${JSON.stringify(labels)} has an empty name or one with a comma or space`,
    ],
  ];
  assertChecks(checks);
}
