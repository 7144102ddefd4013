import * as units from "@grafana/grafana-foundation-sdk/units";
import { assembleDashboard, type DashboardContext, type DashboardFile, promQuery, RATE_INTERVAL, table, timeseries } from "./common";

/** Named containers only: cAdvisor also reports cgroups (the host, system slices) without a name. */
const C = '{name!=""}';

function cpu() {
  return timeseries({
    title: "CPU per container",
    description: "CPU used per container, in cores (100% = one full core).",
    unit: units.PercentUnit,
    queries: [promQuery(`sum by (name) (rate(container_cpu_usage_seconds_total${C}[${RATE_INTERVAL}]))`, "{{name}}")],
  });
}

function memory() {
  return timeseries({
    title: "Memory working set per container",
    description: "Working set per container: the memory the kernel counts against the container's limit (what the OOM killer looks at).",
    unit: units.BytesIEC,
    queries: [promQuery(`sum by (name) (container_memory_working_set_bytes${C})`, "{{name}}")],
  });
}

function network() {
  return timeseries({
    title: "Network per container",
    description: "Bytes received and transmitted per second per container.",
    unit: units.BytesPerSecondSI,
    queries: [
      promQuery(`sum by (name) (rate(container_network_receive_bytes_total${C}[${RATE_INTERVAL}]))`, "receive {{name}}"),
      promQuery(`sum by (name) (rate(container_network_transmit_bytes_total${C}[${RATE_INTERVAL}]))`, "transmit {{name}}"),
    ],
  });
}

function restarts() {
  return timeseries({
    title: "Restarts per container",
    description: "Times each container started in the past hour (changes of container_start_time_seconds); above 0 outside a deploy means a crash loop.",
    unit: units.Short,
    queries: [promQuery(`sum by (name) (changes(container_start_time_seconds${C}[1h]))`, "{{name}}")],
  });
}

function restartsInRange() {
  return table({
    title: "Containers restarted in range",
    description: "Containers that started more than once in the selected time range.",
    unit: units.Short,
    width: 24,
    queries: [promQuery(`sum by (name) (changes(container_start_time_seconds${C}[$__range])) > 0`, "{{name}}", { instant: true, table: true })],
  });
}

/** Containers through cAdvisor: which container uses what, and which one keeps restarting? */
export function containers(ctx: DashboardContext): DashboardFile {
  return assembleDashboard(
    {
      uid: "containers-cadvisor",
      title: "Containers",
      description: "Which container uses the CPU, memory and network, and which one keeps restarting?",
      tags: ["containers", "cadvisor", "docker"],
      folder: "Infrastructure",
      rows: [
        { title: "Resources", panels: [cpu(), memory(), network()] },
        { title: "Restarts", panels: [restarts(), restartsInRange()] },
      ],
    },
    ctx,
  );
}
