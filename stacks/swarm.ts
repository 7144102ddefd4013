import { Construct } from "constructs";
import { DataDockerNetwork } from "@cdktf/provider-docker/lib/data-docker-network";
import { Network } from "@cdktf/provider-docker/lib/network";
import { Runtime, SINGLE_HOST } from "../constructs/runtime";
import { MonitoringConfig, Problems } from "./config";

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** The runtime of the config, validated: every problem names its field, the value and what is allowed. */
export function resolveRuntime(config: MonitoringConfig, problems: Problems): Runtime {
  const r = config.runtime;
  if (r === undefined || r.kind === "single-host") return SINGLE_HOST;
  if (r.kind !== "swarm") {
    problems.add(`runtime.kind: ${JSON.stringify((r as { kind: unknown }).kind)} is not a runtime; allowed: "single-host", "swarm"`);
    return SINGLE_HOST;
  }
  const nodes = r.nodes ?? [];
  if (nodes.length === 0) {
    problems.add('runtime.nodes: the list is empty; give every node of the swarm, e.g. [{ hostname: "node-1", address: "10.0.0.11" }]');
  }
  const seen = { hostname: new Set<string>(), address: new Set<string>() };
  nodes.forEach((n, i) => {
    const field = `runtime.nodes[${i}]`;
    if (typeof n?.hostname !== "string" || !HOSTNAME.test(n.hostname)) {
      problems.add(`${field}.hostname: ${JSON.stringify(n?.hostname)} is not a hostname (letters, digits, "-" and "."), as \`docker node ls\` shows it`);
    } else if (seen.hostname.has(n.hostname)) {
      problems.add(`${field}.hostname: "${n.hostname}" is listed twice`);
    }
    seen.hostname.add(n?.hostname);
    if (typeof n?.address !== "string" || !IPV4.test(n.address)) {
      problems.add(`${field}.address: ${JSON.stringify(n?.address)} is not an IPv4 address (the node's address its agents' ports answer on)`);
    } else if (seen.address.has(n.address)) {
      problems.add(`${field}.address: "${n.address}" is listed twice`);
    }
    seen.address.add(n?.address);
  });
  const replicas = (field: string, value: number | undefined, min: number, max: number) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
      problems.add(`${field}: ${value} is not allowed; allowed: a whole number ${min}-${max}`);
    }
  };
  replicas("prometheus.replicas", config.prometheus?.replicas, 1, 2);
  replicas("alertmanager.replicas", config.alertmanager?.replicas, 1, 9);
  return { kind: "swarm", nodes };
}

/** Replica options only mean something on a cluster: refuse them on the single host instead of ignoring them. */
export function singleHostOnlyChecks(config: MonitoringConfig, runtime: Runtime, problems: Problems): void {
  if (runtime.kind === "swarm") return;
  for (const [field, value] of [
    ["prometheus.replicas", config.prometheus?.replicas],
    ["alertmanager.replicas", config.alertmanager?.replicas],
  ] as const) {
    if (value !== undefined && value !== 1) {
      problems.add(`${field}: ${value} replicas need a cluster; on the single host (runtime.kind "single-host") only 1 is allowed`);
    }
  }
}

/**
 * How services refer to networks: by name on one host; by id on a swarm (provider 4.x replaces a
 * service on every plan whose networks it names). A network the stack does not own is looked up.
 */
export function networkRefs(scope: Construct, runtime: Runtime) {
  const swarm = runtime.kind === "swarm";
  const lookedUp = new Map<string, string>();
  return {
    /** The overlay network's extra settings on a swarm (attachable: the application's tasks may join). */
    driver: swarm ? { driver: "overlay", attachable: true } : { driver: "bridge" },
    own: (n: Network): string => (swarm ? n.id : n.name),
    external: (name: string): string => {
      if (!swarm) return name;
      if (!lookedUp.has(name)) {
        const id = `network-${name.replace(/[^A-Za-z0-9]+/g, "-")}`;
        lookedUp.set(name, new DataDockerNetwork(scope, id, { name }).id);
      }
      return lookedUp.get(name)!;
    },
  };
}
