import { Construct } from "constructs";
import { MonitoringService, ResourceLimits, ServiceContext, SharedDirectory, assertChecks, Check } from "./service";
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

/**
 * On a swarm: the directory, in memory on each node and shared only with that node's readers, where
 * that node's proxy listens on a unix socket instead of TCP (socket-proxy 1.13.1:
 * `-proxysocketendpoint`, which also switches its TCP listener off).
 */
export const SWARM_SOCKET_DIRECTORY = "/run/docker-api";
/** The filtered socket inside {@link SWARM_SOCKET_DIRECTORY}. */
export const SWARM_SOCKET = `${SWARM_SOCKET_DIRECTORY}/docker.sock`;
/**
 * The group that may connect to a node's filtered socket: the group of its directory (setgid, so the
 * socket the proxy creates there inherits it) and a supplementary group of each reader. Its number only
 * needs to mean nothing else inside these three containers (it echoes the API's TCP port).
 */
export const DOCKER_API_GROUP_ID = 2375;

/** How a reader of the proxy reaches a unix socket: the directory to mount (read-only) and the group that may connect. */
export interface DockerSocketMount {
  readonly directory: SharedDirectory;
  readonly groupId: number;
}

/**
 * The checks of a reader's Docker API settings (`component` names the config field): the proxy's
 * `tcp://host:port`, or a `unix://` socket inside the socket directory it mounts read-only, never the
 * Docker socket itself.
 */
export function dockerApiChecks(component: string, dockerHost: string, mount: DockerSocketMount | undefined): Check[] {
  const unix = /^unix:\/\/(\/[A-Za-z0-9_.\/-]+)$/.exec(dockerHost);
  const tcp = /^tcp:\/\/[a-z0-9.-]+:\d{1,5}$/.test(dockerHost);
  const dir = mount?.directory.containerPath.replace(/\/+$/, "");
  return [
    [
      tcp || (unix !== null && mount !== undefined),
      `${component}.dockerHost: "${dockerHost}" is not the socket proxy's tcp://host:port; ${component === "alloy" ? "Alloy" : "cAdvisor"} never mounts the Docker socket` +
        ` (a unix:// socket only inside the proxy's socket directory, dockerSocketMount)`,
    ],
    [
      unix === null || mount === undefined || (unix[1].startsWith(`${dir}/`) && !unix[1].includes("/../")),
      `${component}.dockerHost: "${dockerHost}" is outside the mounted socket directory "${dir}"`,
    ],
    [
      mount === undefined || unix !== null,
      `${component}.dockerSocketMount: the socket directory "${dir}" is mounted, but dockerHost "${dockerHost}" is not a unix:// socket in it`,
    ],
    [
      mount === undefined || /^\/[A-Za-z0-9_.\/-]+$/.test(mount.directory.containerPath),
      `${component}.dockerSocketMount: the socket directory "${dir}" is not an absolute path inside the container`,
    ],
    [
      mount === undefined || mount.directory.readOnly === true,
      `${component}.dockerSocketMount: "${dir}" must be mounted read-only (readOnly: true): a reader connects to the socket, it never replaces it`,
    ],
  ];
}

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
 * socket. It forwards only GET requests to {@link DOCKER_API_ALLOWED_GET} (and HEAD `/_ping`); everything
 * else is answered 405/403 without reaching the daemon. Whoever reaches the socket is root on the host;
 * whoever reaches this proxy can list containers and read their logs and `inspect` output (which includes
 * their environment), nothing more.
 *
 * - On one host it listens on TCP 2375 on an internal Docker network that only Alloy and cAdvisor join.
 * - On a swarm it runs on every node (global) and listens on a unix socket ({@link SWARM_SOCKET}, mode
 *   0660, group {@link DOCKER_API_GROUP_ID}) in a directory in memory on that node
 *   ({@link socketMount}), which only that node's cAdvisor and Alloy mount, read-only: each node's readers
 *   reach their own node's engine and no other, and nothing reaches the proxy over any network (it joins
 *   none). Its healthcheck is unchanged: socket-proxy's own check on 127.0.0.1:55555 inside the task.
 *
 * @see https://github.com/wollomatic/socket-proxy
 */
export class DockerSocketProxy extends Construct {
  public readonly hostname: string;
  public readonly port = DOCKER_API_PORT;
  /**
   * What Alloy's `host` and cAdvisor's `--docker` take: `tcp://docker-socket-proxy:2375` on one host,
   * `unix:///run/docker-api/docker.sock` on a swarm.
   */
  public readonly dockerHost: string;
  /** On a swarm: the socket directory each reader mounts, and the group it needs. Undefined on one host. */
  public readonly socketMount?: DockerSocketMount;
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
    const user = gid === undefined ? "0" : `65534:${gid}`;
    if (props.context.runtime?.kind === "swarm") {
      const directory: SharedDirectory = {
        name: `${props.context.namePrefix}-docker-api`,
        containerPath: SWARM_SOCKET_DIRECTORY,
        // Owned by the proxy's uid (it creates and removes the socket), readable by the group only.
        uid: gid === undefined ? 0 : 65534,
        gid: DOCKER_API_GROUP_ID,
        mode: "2750",
      };
      this.service = new MonitoringService(this, "service", {
        serviceName: "docker-socket-proxy",
        // Reached through its socket only: it joins no network.
        context: { ...props.context, networks: [] },
        image: props.image ?? IMAGES.socketProxy,
        user,
        command: [
          `-proxysocketendpoint=${SWARM_SOCKET}`,
          "-proxysocketendpointfilemode=0660",
          `-allowGET=${DOCKER_API_ALLOWED_GET}`,
          "-allowHEAD=/_ping",
          "-shutdowngracetime=5",
          "-allowhealthcheck",
        ],
        scheduling: { mode: "per-node" },
        hostMounts: [{ hostPath: socket, containerPath: "/var/run/docker.sock", readOnly: true }],
        sharedDirectories: [directory],
        healthcheck: { test: ["CMD", "/healthcheck"] },
        resources: props.resources ?? { memoryMb: 64, cpus: 0.2 },
        readOnlyRootFilesystem: true,
      });
      this.hostname = this.service.hostname;
      this.dockerHost = `unix://${SWARM_SOCKET}`;
      this.socketMount = { directory: { ...directory, readOnly: true }, groupId: DOCKER_API_GROUP_ID };
      return;
    }
    this.service = new MonitoringService(this, "service", {
      serviceName: "docker-socket-proxy",
      context: props.context,
      image: props.image ?? IMAGES.socketProxy,
      user,
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
