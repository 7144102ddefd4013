import { Construct } from "constructs";
import { MonitoringService, ResourceLimits, ServiceContext, assertChecks, Check } from "./service";
import { IMAGES, ImageRef } from "./versions";

/** The proxy's TCP port (socket-proxy's default). */
export const DOCKER_API_PORT = 2375;

/**
 * The Docker API paths the log agent and cAdvisor read, GET only (socket-proxy anchors the regex with
 * `^…$` and matches the path without the query string):
 * - Alloy's `discovery.docker`: `/containers/json`, `/networks`; `loki.source.docker`:
 *   `/containers/{id}/json`, `/containers/{id}/logs`; its client first pings `/_ping`.
 * - cAdvisor: `/_ping`, `/info`, `/version`, `/containers/{id}/json`.
 * Nothing else: no `exec`, no `archive`, no `export`, no `events`, no POST/PUT/DELETE.
 */
export const DOCKER_API_ALLOWED_GET =
  "/(v1\\.[0-9]+/)?(_ping|version|info|networks|containers/json|containers/[a-zA-Z0-9_.-]+/(json|logs))";

/** Props of {@link DockerSocketProxy}. */
export interface DockerSocketProxyProps {
  /** Its networks: only the internal network its readers share with it. */
  readonly context: ServiceContext;
  /** @default IMAGES.socketProxy */
  readonly image?: ImageRef;
  /** The Docker socket on the host. @default "/var/run/docker.sock" */
  readonly socket?: string;
  /**
   * Run as `65534:<this gid>` (the host's `docker` group) instead of uid 0. uid 0 with every capability
   * dropped reaches the socket as its owner on any host; a gid must match the host.
   * @default uid 0, no capabilities
   */
  readonly socketGroupId?: number;
  /** @default 64 MiB, 0.2 CPU */
  readonly resources?: ResourceLimits;
}

/**
 * A read-only gate to the Docker API (wollomatic/socket-proxy): the only container that mounts the Docker
 * socket. It listens on TCP 2375 on an internal Docker network that only Alloy and cAdvisor join, and
 * forwards only GET requests to {@link DOCKER_API_ALLOWED_GET} (and HEAD `/_ping`); everything else is
 * answered 405/403 without reaching the daemon. Whoever reaches the socket is root on the host; whoever
 * reaches this proxy can list containers and read their logs and `inspect` output (which includes their
 * environment), nothing more.
 *
 * @see https://github.com/wollomatic/socket-proxy
 */
export class DockerSocketProxy extends Construct {
  public readonly hostname: string;
  public readonly port = DOCKER_API_PORT;
  /** `tcp://docker-socket-proxy:2375`, what Alloy's `host` and cAdvisor's `--docker` take. */
  public readonly dockerHost: string;
  public readonly service: MonitoringService;

  constructor(scope: Construct, id: string, props: DockerSocketProxyProps) {
    super(scope, id);
    const socket = props.socket ?? "/var/run/docker.sock";
    const gid = props.socketGroupId;
    const checks: Check[] = [
      [/^\/[A-Za-z0-9_.\/-]+$/.test(socket), `dockerSocketProxy.socket: "${socket}" must be an absolute path on the Docker host (letters, digits, "_", ".", "-", "/")`],
      [
        gid === undefined || (Number.isInteger(gid) && gid > 0 && gid < 2 ** 31),
        `dockerSocketProxy.socketGroupId: ${gid} is not a group id; use the host's docker group (getent group docker)`,
      ],
    ];
    assertChecks(checks);
    this.service = new MonitoringService(this, "service", {
      serviceName: "docker-socket-proxy",
      context: props.context,
      image: props.image ?? IMAGES.socketProxy,
      user: gid === undefined ? "0" : `65534:${gid}`,
      command: [
        "-listenip=0.0.0.0",
        `-proxyport=${DOCKER_API_PORT}`,
        // The internal network is the boundary: only Alloy and cAdvisor are on it.
        "-allowfrom=0.0.0.0/0",
        `-allowGET=${DOCKER_API_ALLOWED_GET}`,
        "-allowHEAD=/_ping",
        "-shutdowngracetime=5",
        "-allowhealthcheck",
      ],
      hostMounts: [{ hostPath: socket, containerPath: "/var/run/docker.sock", readOnly: true }],
      healthcheck: { test: ["CMD", "/healthcheck"] },
      resources: props.resources ?? { memoryMb: 64, cpus: 0.2 },
      readOnlyRootFilesystem: true,
    });
    this.hostname = this.service.hostname;
    this.dockerHost = `tcp://${this.hostname}:${DOCKER_API_PORT}`;
  }
}
