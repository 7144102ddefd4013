import { AlertDefinition } from "./types";
import { SELECTORS as S } from "./selectors";

/**
 * Docker containers, from cAdvisor (checked against google/cadvisor v0.60: lib/metrics/prometheus.go and
 * container/docker/handler.go). Every series carries `id`, `name` and `image` plus the whitelisted
 * `container_label_*` labels; the alerts keep them all, so each fires per container.
 */
export const CONTAINER_ALERTS: readonly AlertDefinition[] = [
  {
    // container_start_time_seconds is Docker's State.StartedAt since cAdvisor v0.57 (before, the creation
    // time, which a restart does not change). A restart keeps the container id, so the series continues
    // with a new value; a redeploy creates a new container, a new series, and is not counted.
    name: "ContainerRestarting",
    group: "container-alerts",
    severity: "warning",
    condition: "containerRestarts",
    requires: { exporter: "cadvisor" },
    valueUnit: "count",
    origin: "added",
    runbook:
      "The container keeps restarting (Docker's restart policy brings it back after each crash or OOM kill). " +
      "Read its last logs in Loki or `docker logs`, check `docker inspect` for `OOMKilled` and the exit code, " +
      "and whether a dependency it waits for is down.",
    build: (c) => ({
      expr: `changes(container_start_time_seconds{${S.container}}[${c.thresholds.containerRestartWindow}]) > ${c.threshold}`,
      summary: (a) => `Container ${a.label("name")} on ${a.label("instance")} is restarting`,
      description: (a) =>
        `It restarted ${a.value} times in the last ${c.thresholds.containerRestartWindow} (threshold ${c.thresholdText}).`,
    }),
  },
  {
    // cAdvisor reports an unlimited container's limit as 0 (specMemoryValue): `> 0` leaves those out
    // rather than dividing by zero.
    name: "ContainerMemoryNearLimit",
    group: "container-alerts",
    severity: "warning",
    condition: "containerMemoryLimitUtilisation",
    requires: { exporter: "cadvisor" },
    valueUnit: "ratio",
    origin: "added",
    runbook:
      "The container's working set is close to its memory limit; next the kernel OOM-kills it " +
      "(ContainerRestarting follows). Check for a leak (Containers dashboard, growth over days), then raise " +
      "the limit or lower the service's caches.",
    build: (c) => ({
      expr:
        `container_memory_working_set_bytes{${S.container}}` +
        ` / (container_spec_memory_limit_bytes{${S.container}} > 0) > ${c.threshold}`,
      summary: (a) => `Container ${a.label("name")} on ${a.label("instance")} is near its memory limit`,
      description: (a) => `Its working set is ${a.value} of the memory limit (threshold ${c.thresholdText}).`,
    }),
  },
];
