import { ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { JOBS } from "../alerts/jobs";
import { MonitoringService, ResourceLimits, ScrapeTarget, ServiceContext, assertChecks, Check, isPort } from "./service";
import { IMAGES, ImageRef } from "./versions";
import { perNodeTargets } from "./runtime";

/** node-exporter's port on every node of a swarm (published in host mode). */
const SWARM_PORT = 9100;

/**
 * Mount points whose filesystems are not the host's own disks. Upstream's Linux default (v1.12,
 * collector/filesystem_linux.go) plus the runtime state directories of Docker and containerd, whose
 * per-container mounts would otherwise appear as thousands of short-lived series.
 */
export const NODE_EXPORTER_DEFAULT_MOUNT_POINTS_EXCLUDE =
  "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+|run/docker/.+|run/containerd/.+)($|/)";

/** Container plumbing interfaces: one veth per container, one bridge per network, docker0. */
export const NODE_EXPORTER_DEFAULT_NETDEV_EXCLUDE = "^(veth.+|br-.+|docker[0-9]+)$";

/** Props of {@link NodeExporter}. */
export interface NodeExporterProps {
  readonly context: ServiceContext;
  /**
   * `ip:port` node-exporter listens on, in the host's network namespace. Use the stack network's gateway
   * address (the host's side of the bridge, e.g. `172.30.0.1:9100` for subnet 172.30.0.0/24): Prometheus
   * reaches it from the stack network, nothing outside the Docker host can. A wildcard address is refused.
   */
  readonly listenAddress: string;
  /**
   * Resources that must exist before node-exporter starts, normally the stack network: its gateway
   * address only exists on the host once the network is created, and a host-network container has no
   * reference to the network that would order them.
   * @default none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** @default IMAGES.nodeExporter */
  readonly image?: ImageRef;
  /** @default 64 MiB, 0.25 CPU */
  readonly resources?: ResourceLimits;
  /** `--collector.filesystem.mount-points-exclude`. @default NODE_EXPORTER_DEFAULT_MOUNT_POINTS_EXCLUDE */
  readonly mountPointsExclude?: string;
  /** `--collector.netdev.device-exclude`. @default NODE_EXPORTER_DEFAULT_NETDEV_EXCLUDE */
  readonly netdevDeviceExclude?: string;
}

/** node-exporter's command-line flags (the image's entrypoint is the binary). */
export function nodeExporterFlags(options: {
  readonly listenAddress: string;
  readonly mountPointsExclude: string;
  readonly netdevDeviceExclude: string;
}): string[] {
  return [
    `--web.listen-address=${options.listenAddress}`,
    // Read the host's /proc, /sys and mounts through the read-only bind of / at /host.
    "--path.rootfs=/host",
    `--collector.filesystem.mount-points-exclude=${options.mountPointsExclude}`,
    `--collector.netdev.device-exclude=${options.netdevDeviceExclude}`,
  ];
}

/**
 * Prometheus node-exporter: the Docker host's CPU, memory, disks and network.
 *
 * Host PID namespace (so /proc is the host's) and host network (so `node_network_*` describe the host's
 * interfaces, not a container's veth); the host's `/` is mounted read-only at `/host`. Listens only on
 * {@link NodeExporterProps.listenAddress}, publishes nothing. Runs as the image's `nobody` with a
 * read-only root filesystem; the healthcheck is busybox `wget` on `/metrics` (the image has no other
 * endpoint that proves the collectors work).
 *
 * The bind of `/` is not `rslave`: the provider's `volumes` block has no propagation setting, so a disk
 * mounted on the host after node-exporter started appears only after a restart.
 *
 * @see https://github.com/prometheus/node_exporter#docker
 */
export class NodeExporter extends Construct {
  /** The address Prometheus scrapes. */
  public readonly listenAddress: string;
  /** Host part of {@link listenAddress}. */
  public readonly hostname: string;
  public readonly port: number;
  /** e.g. `http://172.30.0.1:9100` */
  public readonly url: string;
  public readonly scrapeTarget: ScrapeTarget;
  public readonly service: MonitoringService;

  constructor(scope: Construct, id: string, props: NodeExporterProps) {
    super(scope, id);
    const runtime = props.context.runtime;
    if (runtime?.kind === "swarm") {
      // One task per node, its port published in host mode on that node; Prometheus scrapes each node by
      // its address and labels it with the node's hostname. Swarm services cannot share the host's PID or
      // network namespace (no such fields): node_network_* describe the task's own interfaces there.
      this.port = SWARM_PORT;
      this.listenAddress = `0.0.0.0:${SWARM_PORT}`;
      this.hostname = "node-exporter";
      this.url = `http://node-exporter:${SWARM_PORT}`;
      this.service = new MonitoringService(this, "service", {
        serviceName: "node-exporter",
        context: props.context,
        image: props.image ?? IMAGES.nodeExporter,
        command: nodeExporterFlags({
          listenAddress: `:${SWARM_PORT}`,
          mountPointsExclude: props.mountPointsExclude ?? NODE_EXPORTER_DEFAULT_MOUNT_POINTS_EXCLUDE,
          netdevDeviceExclude: props.netdevDeviceExclude ?? NODE_EXPORTER_DEFAULT_NETDEV_EXCLUDE,
        }),
        scheduling: { mode: "per-node" },
        hostMounts: [{ hostPath: "/", containerPath: "/host", readOnly: true }],
        publishedPorts: [{ internal: SWARM_PORT, external: SWARM_PORT }],
        healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${SWARM_PORT}/metrics`] },
        resources: props.resources ?? { memoryMb: 64, cpus: 0.25 },
        readOnlyRootFilesystem: true,
      });
      this.scrapeTarget = { job: JOBS.nodeExporter, ...perNodeTargets(runtime.nodes, SWARM_PORT) };
      return;
    }
    const { host, port } = parseListenAddress(props.listenAddress);
    this.listenAddress = props.listenAddress;
    this.hostname = host;
    this.port = port;

    this.service = new MonitoringService(this, "service", {
      serviceName: "node-exporter",
      context: props.context,
      image: props.image ?? IMAGES.nodeExporter,
      command: nodeExporterFlags({
        listenAddress: props.listenAddress,
        mountPointsExclude: props.mountPointsExclude ?? NODE_EXPORTER_DEFAULT_MOUNT_POINTS_EXCLUDE,
        netdevDeviceExclude: props.netdevDeviceExclude ?? NODE_EXPORTER_DEFAULT_NETDEV_EXCLUDE,
      }),
      pidMode: "host",
      networkMode: "host",
      hostMounts: [{ hostPath: "/", containerPath: "/host", readOnly: true }],
      healthcheck: {
        test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://${props.listenAddress}/metrics`],
      },
      resources: props.resources ?? { memoryMb: 64, cpus: 0.25 },
      readOnlyRootFilesystem: true,
      dependsOn: props.dependsOn,
    });

    this.url = `http://${props.listenAddress}`;
    this.scrapeTarget = { job: JOBS.nodeExporter, targets: [props.listenAddress] };
  }
}

/** Splits `ip:port` (IPv4 or bracketed IPv6), refusing wildcard and malformed addresses. */
function parseListenAddress(address: string): { host: string; port: number } {
  const field = "nodeExporter.listenAddress";
  if (Token.isUnresolved(address)) {
    throw new Error(`${field}: "${address}" is a Terraform token; pass the literal "ip:port" such as "172.30.0.1:9100"`);
  }
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):(\d+)$/.exec(address);
  const host = m?.[1] ?? "";
  const port = Number(m?.[2]);
  const ipv4Ok = !host.startsWith("[") && host.split(".").every((o) => Number(o) <= 255);
  const checks: Check[] = [
    [
      m !== null && (host.startsWith("[") || ipv4Ok),
      `${field}: "${address}" is not an "ip:port" address such as "172.30.0.1:9100"`,
    ],
    [
      m === null || isPort(port),
      `${field}: port ${m?.[2]} in "${address}" is not a TCP port; allowed: 1-65535`,
    ],
    [
      !["0.0.0.0", "[::]"].includes(host),
      `${field}: "${address}" listens on every interface of the host, which exposes host metrics to the ` +
        `network; use the stack network's gateway address, e.g. "172.30.0.1:9100"`,
    ],
  ];
  assertChecks(checks);
  return { host, port };
}
