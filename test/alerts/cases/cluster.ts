import { AlertTestCase } from "./types";

// Agents of a swarm node are scraped at the node's address and labelled with its hostname.
const node = (hostname: string, job = "node-exporter") => `up{job="${job}", node="${hostname}", instance="${hostname}"}`;
const am = (n: number) => `job="alertmanager", instance="10.251.0.${10 + n}:9093"`;

export const CLUSTER_CASES: readonly AlertTestCase[] = [
  {
    // sw2's node-exporter and Alloy are down while its cAdvisor answers: no page (their own alerts fire);
    // then none of sw2's agents answers: one page, for sw2. sw1 and sw3 stay up.
    alert: "NodeDown",
    signals: [
      ...["node-exporter", "cadvisor", "alloy"].flatMap((job) => [
        { kind: "gauge" as const, series: node("sw1", job), values: { below: 1, above: 1 } },
        { kind: "gauge" as const, series: node("sw3", job), values: { below: 1, above: 1 } },
      ]),
      { kind: "gauge", series: node("sw2"), values: { below: 0, above: 0, recover: 1 } },
      { kind: "gauge", series: node("sw2", "alloy"), values: { below: 0, above: 0, recover: 1 } },
      { kind: "gauge", series: node("sw2", "cadvisor"), values: { below: 1, above: 0, recover: 1 } },
    ],
    expected: { labels: { node: "sw2" }, value: 0 },
  },
  {
    // replica 1 sees 2 of 3 members; the others see 3
    alert: "AlertmanagerClusterMembersMissing",
    signals: [
      { kind: "gauge", series: `alertmanager_cluster_members{${am(1)}}`, values: { below: 3, above: 2, recover: 3 } },
      { kind: "gauge", series: `alertmanager_cluster_members{${am(2)}}`, values: { below: 3, above: 3 } },
    ],
    expected: { labels: { job: "alertmanager", instance: "10.251.0.11:9093" }, value: 2 },
  },
  {
    alert: "AlertmanagerClusterFailedPeers",
    signals: [
      { kind: "gauge", series: `alertmanager_cluster_failed_peers{${am(1)}}`, values: { below: 0, above: 1, recover: 0 } },
      { kind: "gauge", series: `alertmanager_cluster_failed_peers{${am(2)}}`, values: { below: 0, above: 0 } },
    ],
    expected: { labels: { job: "alertmanager", instance: "10.251.0.11:9093" }, value: 1 },
  },
  {
    // the pair scrapes both replicas; replica 2 leaves the DNS answer (its series end)
    alert: "PrometheusReplicaDown",
    signals: [
      { kind: "gauge", series: `up{job="prometheus", instance="10.251.0.21:9090"}`, values: { below: 1, above: 1 } },
      { kind: "gauge", series: `up{job="prometheus", instance="10.251.0.22:9090"}`, values: { below: 1, above: null, recover: 1 } },
    ],
    expected: { labels: { job: "prometheus" }, value: 1 },
  },
];
