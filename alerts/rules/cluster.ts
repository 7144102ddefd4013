import { JOBS, NODE_AGENT_JOBS, NODE_LABEL } from "../jobs";
import { OUTAGE_LABEL, OUTAGES } from "../model";
import { AlertDefinition } from "./types";

// Every per-node agent: a node is lost when none answers, not when one agent crashed (its TargetDown).
const AGENTS = `job=~"${NODE_AGENT_JOBS.join("|")}", ${NODE_LABEL}=~".+"`;

/**
 * A clustered stack's own health: a node lost, an Alertmanager cluster that does not gossip, an HA
 * Prometheus pair running on one leg. They need the cluster's shape (BuildContext.cluster), never a runtime.
 */
export const CLUSTER_ALERTS: readonly AlertDefinition[] = [
  {
    // Each node's agents are scraped at the node's own address, so a lost node is a target that stays,
    // down; the node label names it.
    name: "NodeDown",
    group: "stack-health",
    severity: "critical",
    condition: "nodeDown",
    requires: [{ cluster: true }, { exporter: "node" }],
    labels: { [OUTAGE_LABEL]: OUTAGES.node },
    valueUnit: "none",
    origin: "added",
    runbook:
      "Prometheus reaches no agent on this node: the node is down, its engine stopped, or its network is cut " +
      "off. Its replicated tasks are rescheduled elsewhere; a service pinned to it (single-node storage) is " +
      "down until it returns. Check `docker node ls` on a manager and the node itself; its target alerts are " +
      "silenced while this one fires.",
    build: (c) => ({
      expr: `sum by (${NODE_LABEL}) (up{${AGENTS}}) == 0`,
      summary: (a) => `Node ${a.label(NODE_LABEL)} is lost`,
      description: (a) => `No agent on node ${a.label(NODE_LABEL)} has answered Prometheus for ${c.for}.`,
    }),
  },
  {
    name: "AlertmanagerClusterMembersMissing",
    group: "stack-health",
    severity: "warning",
    condition: "alertmanagerCluster",
    requires: [{ cluster: true }, { job: JOBS.alertmanager }],
    valueUnit: "count",
    origin: "added",
    runbook:
      "This Alertmanager replica sees fewer cluster members than there are replicas: a replica is down or " +
      "cannot gossip (port 9094 on the overlay network, or an advertised address the others cannot reach). " +
      "Silences made on one side are not seen on the other, and both sides notify. Check each replica's " +
      "/#/status page and logs.",
    build: (c) => ({
      expr: `alertmanager_cluster_members{job="${JOBS.alertmanager}"} < ${c.cluster?.alertmanagerReplicas ?? 1}`,
      summary: (a) => `Alertmanager ${a.label("instance")} sees ${a.value} of ${c.cluster?.alertmanagerReplicas} members`,
      description: (a) =>
        `Alertmanager ${a.label("instance")} has seen ${a.value} cluster members, fewer than the ${c.cluster?.alertmanagerReplicas} replicas, for ${c.for}.`,
    }),
  },
  {
    name: "AlertmanagerClusterFailedPeers",
    group: "stack-health",
    severity: "warning",
    condition: "alertmanagerCluster",
    requires: [{ cluster: true }, { job: JOBS.alertmanager }],
    valueUnit: "count",
    origin: "added",
    runbook:
      "This Alertmanager replica knows peers it cannot reach: gossip fails (a replica advertising an address " +
      "the others cannot reach, or the overlay network between nodes is broken). Check the replicas' " +
      "--cluster.advertise-address and the overlay network.",
    build: (c) => ({
      expr: `alertmanager_cluster_failed_peers{job="${JOBS.alertmanager}"} > 0`,
      summary: (a) => `Alertmanager ${a.label("instance")} cannot reach ${a.value} peers`,
      description: (a) => `Alertmanager ${a.label("instance")} has failed to reach ${a.value} cluster peers for ${c.for}.`,
    }),
  },
  {
    // Each replica scrapes both (tasks.prometheus): the surviving one sees the other gone.
    name: "PrometheusReplicaDown",
    group: "stack-health",
    severity: "warning",
    condition: "prometheusReplicaDown",
    requires: { cluster: true },
    valueUnit: "count",
    origin: "added",
    runbook:
      "The HA pair runs on one replica: alerts still fire and reach Alertmanager, but one more failure " +
      "stops them, and the missing replica's data has a gap. Check the Prometheus service's tasks " +
      "(`docker service ps`) and the node it is pinned to.",
    build: (c) => {
      const want = c.cluster?.prometheusReplicas ?? 1;
      return {
        expr: `count by (job) (up{job="${JOBS.prometheus}"} == 1) < ${want}`,
        summary: (a) => `${a.value} of ${want} Prometheus replicas up`,
        description: (a) => `Only ${a.value} of the ${want} Prometheus replicas have answered for ${c.for}.`,
      };
    },
  },
];
