import { Duration } from "../../../alerts/duration";
import { DEFAULT_THRESHOLDS as T } from "../../../alerts/thresholds";
import { AlertTestCase } from "./types";

const CADVISOR = `job="cadvisor", instance="cadvisor:8080"`;
/** A Docker container as cAdvisor labels it (id = cgroup, name = container name, whitelisted compose label). */
const CHAT_LABELS = {
  job: "cadvisor",
  instance: "cadvisor:8080",
  id: "/system.slice/docker-3f4e5d.scope",
  name: "chat-server",
  image: "messenger/chat-server:1.4.2",
  container_label_com_docker_compose_service: "chat-server",
};
const CHAT = Object.entries(CHAT_LABELS)
  .map(([k, v]) => `${k}="${v}"`)
  .join(", ");
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

export const CONTAINER_CASES: readonly AlertTestCase[] = [
  {
    // Below: a restart every 8m, so never more than 2 in the 15m window (the threshold, not above it).
    // Above: a crash loop restarting every 2m. At the firing check the window holds the restarts of
    // minutes 18..30 of the phase: 7, whether the range includes its left edge (Prometheus 2) or not (3).
    alert: "ContainerRestarting",
    lag: T.containerRestartWindow,
    signals: [
      {
        kind: "restarts",
        series: `container_start_time_seconds{${CHAT}}`,
        every: { below: Duration.parse("8m"), above: Duration.parse("2m"), recover: null },
      },
    ],
    expected: { labels: CHAT_LABELS, value: 7 },
  },
  {
    // 512 MiB limit: 88% below, 95% above. Neither an unlimited container (limit reported as 0) nor the
    // root cgroup (no name) may fire, however much they use.
    alert: "ContainerMemoryNearLimit",
    signals: [
      { kind: "gauge", series: `container_spec_memory_limit_bytes{${CHAT}}`, values: { below: 512 * MiB, above: 512 * MiB } },
      {
        kind: "gauge",
        series: `container_memory_working_set_bytes{${CHAT}}`,
        values: { below: 512 * MiB * (T.containerMemoryLimitUtilisation.threshold.value - 0.02), above: 512 * MiB * 0.95 },
      },
      { kind: "gauge", series: `container_spec_memory_limit_bytes{${CADVISOR}, id="/system.slice/docker-9a8b7c.scope", name="postgres", image="postgres:17"}`, values: { below: 0, above: 0 } },
      { kind: "gauge", series: `container_memory_working_set_bytes{${CADVISOR}, id="/system.slice/docker-9a8b7c.scope", name="postgres", image="postgres:17"}`, values: { below: 4 * GiB, above: 4 * GiB } },
      { kind: "gauge", series: `container_spec_memory_limit_bytes{${CADVISOR}, id="/"}`, values: { below: 1 * GiB, above: 1 * GiB } },
      { kind: "gauge", series: `container_memory_working_set_bytes{${CADVISOR}, id="/"}`, values: { below: 8 * GiB, above: 8 * GiB } },
    ],
    expected: { labels: CHAT_LABELS, value: 0.95 },
  },
];
