import { E2E_SWARM_REPLICAS, E2E_SWARM_STACK, e2eConfig, e2eSwarmConfig } from "../../e2e/app";
import { requiredNodeLabels } from "../../e2e/swarm";
import { LAB, labNodes, NODE_STATE_DIRS } from "../../e2e/swarm-lab";
import { synthesizeStacks } from "../../e2e/synth";
import { MonitoringStack } from "../../stacks/monitoring-stack";

describe("the swarm run's lab", () => {
  test("three nodes on the lab's /24, the manager first; the host's address is not a node's", () => {
    const nodes = labNodes(3);
    expect(nodes.map((n) => n.hostname)).toEqual(["sw1", "sw2", "sw3"]);
    const prefix = LAB.hostAddress.split(".").slice(0, 3).join(".");
    for (const n of nodes) expect(n.address.startsWith(`${prefix}.`)).toBe(true);
    expect(new Set(nodes.map((n) => n.address)).size).toBe(3);
    expect(nodes.map((n) => n.address)).not.toContain(LAB.hostAddress);
    // The overlay pool must not overlap the lab's own subnet.
    expect(LAB.addressPool.startsWith(`${prefix}.`)).toBe(false);
  });

  test("a node's engine starts without an earlier swarm membership, networks, containers or volumes", () => {
    expect([...NODE_STATE_DIRS].sort()).toEqual(["containers", "network", "swarm", "volumes"]);
  });
});

describe("the swarm run's stack", () => {
  const nodes = labNodes(3);
  const { stacks, texts } = synthesizeStacks((app) => [new MonitoringStack(app, E2E_SWARM_STACK, e2eSwarmConfig("cold", "/tmp/e2e-swarm.tfstate", nodes))]);
  const json = JSON.parse(texts[0]);

  test("is the single-host e2e config on the swarm runtime, with the HA pair and the Alertmanager cluster", () => {
    const single = e2eConfig("cold", "/tmp/e2e-swarm.tfstate");
    const swarm = e2eSwarmConfig("cold", "/tmp/e2e-swarm.tfstate", nodes);
    expect(swarm.runtime).toEqual({ kind: "swarm", nodes });
    expect(swarm.name).toBe(E2E_SWARM_STACK);
    expect(swarm.prometheus?.replicas).toBe(E2E_SWARM_REPLICAS.prometheus);
    expect(swarm.alertmanager?.replicas).toBe(E2E_SWARM_REPLICAS.alertmanager);
    expect(swarm.alertmanager?.receivers).toEqual(single.alertmanager?.receivers);
    expect(swarm.prometheus?.publishedPort).toBe(single.prometheus?.publishedPort);
    expect(json.resource.docker_container).toBeUndefined();
    expect(stacks[0].ruleGroups.flatMap((g) => g.rules).some((r) => "name" in r && r.name === "NodeDown")).toBe(true);
  });

  test("node labels: each pinned service's label on as many nodes as it has replicas", () => {
    const labels = requiredNodeLabels(json);
    const of = (l: string) => labels.find((x) => x.label === l)?.nodes;
    expect(of("monitoring.prometheus")).toBe(E2E_SWARM_REPLICAS.prometheus);
    expect(of("monitoring.alertmanager")).toBe(E2E_SWARM_REPLICAS.alertmanager);
    // Global and unpinned services ask for no label.
    expect(labels.some((l) => l.label.includes("node-exporter") || l.label.includes("blackbox"))).toBe(false);
  });

  test("requiredNodeLabels reads only equality constraints on node labels, the most replicas winning", () => {
    const doc = {
      resource: {
        docker_service: {
          a: { mode: { replicated: { replicas: 2 } }, task_spec: { placement: { constraints: ["node.labels.x==true", "node.role==manager"] } } },
          b: { mode: { replicated: { replicas: 3 } }, task_spec: { placement: { constraints: ["node.labels.x==true"] } } },
          c: { mode: { global: true }, task_spec: {} },
        },
      },
    };
    expect(requiredNodeLabels(doc)).toEqual([{ label: "x", nodes: 3 }]);
    expect(requiredNodeLabels({ resource: {} })).toEqual([]);
  });
});
