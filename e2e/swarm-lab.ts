import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { Dockerd, launchDockerd, makeRunDir } from "./dockerd";
import { EngineBinaries, engineEnv } from "./engine";

const execFileAsync = promisify(execFile);

/**
 * A swarm of real engines on this machine (../shared/docs/design.md, "Scaling out"): a switch namespace
 * with a bridge, one network namespace per node with a veth into it, and the host on the same switch by
 * one more veth, so that the rig reaches the nodes' host-mode ports. Nothing routes out of the lab: no
 * namespace has a default route, and the host only gains a route to the lab's own /24.
 */
export const LAB = {
  /** The switch namespace and its bridge. */
  switchNs: "swlab-br",
  bridge: "swlab0",
  /** The host's end of its link into the switch, and its address there. */
  hostLink: "swlab-host",
  hostAddress: "10.250.0.1",
  prefix: 24,
  /** Subnets the swarm's overlay networks are cut from (beside the lab's 10.250.0.0/24). */
  addressPool: "10.251.0.0/16",
} as const;

/** One node of the lab: its namespace (= hostname) and address. */
export interface LabNodeSpec {
  readonly hostname: string;
  readonly address: string;
}

/** The lab's nodes: sw1 (the manager), sw2, sw3. */
export function labNodes(count = 3): LabNodeSpec[] {
  return Array.from({ length: count }, (_, i) => ({ hostname: `sw${i + 1}`, address: `10.250.0.${11 + i}` }));
}

/** A node with its engine running. */
export interface LabNode extends LabNodeSpec {
  readonly dockerd: Dockerd;
}

async function run(cmd: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(cmd, [...args], { maxBuffer: 16 << 20 });
    return stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")}: ${(err.stderr ?? err.message).trim()}`);
  }
}

const ip = (...args: string[]) => run("ip", args);

/** The namespaces the lab creates, for the cleanup of an interrupted run. */
async function labNamespaces(): Promise<string[]> {
  const out = await ip("netns", "list");
  return out
    .split("\n")
    .map((l) => l.split(" ")[0])
    .filter((n) => n === LAB.switchNs || /^sw\d+$/.test(n));
}

/** Removes what a lab (this run's or an interrupted one's) left: namespaces and the host's link. */
export async function removeLab(): Promise<void> {
  for (const ns of await labNamespaces()) await ip("netns", "delete", ns).catch(() => "");
  await ip("link", "delete", LAB.hostLink).catch(() => "");
}

/**
 * Creates the switch and one namespace per node with its address, and the host's link. Each node's
 * namespace has only its own /24: no default route.
 */
export async function createLab(nodes: readonly LabNodeSpec[]): Promise<void> {
  await removeLab();
  await ip("netns", "add", LAB.switchNs);
  await ip("-n", LAB.switchNs, "link", "add", LAB.bridge, "type", "bridge");
  await ip("-n", LAB.switchNs, "link", "set", LAB.bridge, "up");
  await ip("-n", LAB.switchNs, "link", "set", "lo", "up");
  const plug = async (outer: string, port: string) => {
    await ip("link", "set", port, "netns", LAB.switchNs);
    await ip("-n", LAB.switchNs, "link", "set", port, "master", LAB.bridge);
    await ip("-n", LAB.switchNs, "link", "set", port, "up");
    return outer;
  };
  for (const n of nodes) {
    const inner = `${n.hostname}-eth`;
    const port = `${n.hostname}-port`;
    await ip("netns", "add", n.hostname);
    await ip("link", "add", inner, "type", "veth", "peer", "name", port);
    await plug(inner, port);
    await ip("link", "set", inner, "netns", n.hostname);
    await ip("-n", n.hostname, "link", "set", inner, "name", "eth0");
    await ip("-n", n.hostname, "addr", "add", `${n.address}/${LAB.prefix}`, "dev", "eth0");
    await ip("-n", n.hostname, "link", "set", "eth0", "up");
    await ip("-n", n.hostname, "link", "set", "lo", "up");
  }
  await ip("link", "add", LAB.hostLink, "type", "veth", "peer", "name", "host-port");
  await plug(LAB.hostLink, "host-port");
  await ip("addr", "add", `${LAB.hostAddress}/${LAB.prefix}`, "dev", LAB.hostLink);
  await ip("link", "set", LAB.hostLink, "up");
}

/**
 * What a node's data root must lose before its engine starts: the swarm membership, the networks and
 * the containers and volumes of an earlier run. Its image store (containerd's content) stays, so a
 * second run imports nothing.
 */
export const NODE_STATE_DIRS = ["swarm", "network", "containers", "volumes"] as const;

/**
 * Starts the built Engine 29 inside a node's namespace (its own UTS and mount namespace, so that it has
 * its own hostname and resolv.conf): `nsenter --net … unshare --uts --mount … sh -c 'exec dockerd …'`.
 * The socket is on the machine's filesystem, so the rig's CLI and Terraform reach it as usual. iptables
 * are the engine's defaults, inside the node's namespace only (ip netns exec would hide the cgroup
 * mounts: "Devices cgroup isn't mounted"). `restart`: the node's engine comes back with its swarm state.
 */
export async function startNodeEngine(node: LabNodeSpec, bins: EngineBinaries, dataRoot: string, options: { restart?: boolean } = {}): Promise<LabNode> {
  // A restart (a node coming back) keeps its membership and state; a first start begins clean.
  if (!options.restart) for (const d of NODE_STATE_DIRS) fs.rmSync(path.join(dataRoot, d), { recursive: true, force: true });
  fs.mkdirSync(dataRoot, { recursive: true });
  const runDir = makeRunDir();
  const resolv = path.join(runDir, "resolv.conf");
  // No resolver in the lab: Docker's embedded DNS answers the stack's names; nothing else resolves.
  fs.writeFileSync(resolv, `nameserver ${LAB.hostAddress}\noptions timeout:1 attempts:1\n`);
  const dockerdArgs = [
    "--data-root", dataRoot,
    "--exec-root", path.join(runDir, "exec"),
    "--pidfile", path.join(runDir, "dockerd.pid"),
    "-H", `unix://${path.join(runDir, "docker.sock")}`,
  ];
  const quoted = [bins.dockerd, ...dockerdArgs].map((a) => `'${a}'`).join(" ");
  const script = `mount --bind '${resolv}' /etc/resolv.conf && hostname '${node.hostname}' && exec ${quoted}`;
  const dockerd = await launchDockerd(
    {
      command: "nsenter",
      args: [`--net=/run/netns/${node.hostname}`, "unshare", "--uts", "--mount", "--propagation", "slave", "sh", "-c", script],
      // Workers would try to pull a service's image first: they use the one loaded on them.
      env: { ...engineEnv(bins), DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: "1" },
      runDir,
    },
    90,
  );
  return { ...node, dockerd };
}

/** The swarm's node ids by hostname, and how long forming it took. */
export interface Swarm {
  readonly managerHost: string;
  readonly formSeconds: number;
}

/**
 * `docker swarm init` on the first node (the manager, advertising its lab address), the others join
 * as workers; resolves once every node is Ready.
 */
export async function formSwarm(nodes: readonly LabNode[], timeoutMs = 60_000): Promise<Swarm> {
  const t0 = Date.now();
  const [manager, ...workers] = nodes;
  await manager.dockerd.docker([
    "swarm", "init",
    "--advertise-addr", manager.address,
    "--listen-addr", `${manager.address}:2377`,
    "--default-addr-pool", LAB.addressPool,
  ]);
  const token = (await manager.dockerd.docker(["swarm", "join-token", "-q", "worker"])).trim();
  for (const w of workers) {
    await w.dockerd.docker(["swarm", "join", "--token", token, "--advertise-addr", w.address, "--listen-addr", `${w.address}:2377`, `${manager.address}:2377`]);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = (await manager.dockerd.docker(["node", "ls", "--format", "{{.Hostname}} {{.Status}}"])).split("\n").filter((l) => l.endsWith(" Ready"));
    if (ready.length === nodes.length) break;
    if (Date.now() > deadline) throw new Error(`only ${ready.length} of ${nodes.length} nodes Ready: ${ready.join(", ")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return { managerHost: manager.dockerd.host, formSeconds: (Date.now() - t0) / 1000 };
}
