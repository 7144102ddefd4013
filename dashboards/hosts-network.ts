import * as units from "@grafana/grafana-foundation-sdk/units";
import { alertLine, withWarning, assembleDashboard, type DashboardContext, type DashboardFile, promQuery, RATE_INTERVAL, timeseries } from "./common";
import { CPU_UTILISATION, FILESYSTEM_AVAILABLE, MEMORY_AVAILABLE, MEMORY_UTILISATION, NETWORK_RECEIVE, NETWORK_TRANSMIT } from "./queries";

/** Physical interfaces only, as in the recording rules: veth/bridge devices double-count container traffic. */
const NIC = '{device!~"lo|veth.+|docker.+|br-.+"}';

// ─── CPU & memory ────────────────────────────────────────────────────────────────────────────────

function cpuUtilisation(ctx: DashboardContext) {
  return timeseries({
    title: "CPU utilisation",
    description: "Share of CPU time not idle, per host. Guide target < 70%.",
    unit: units.PercentUnit,
    min: 0,
    max: 1,
    alert: alertLine("HighCPUUsage", ctx.thresholds.cpuUtilisation.threshold),
    queries: [promQuery(CPU_UTILISATION, "{{instance}}")],
  });
}

function cpuByMode() {
  return timeseries({
    title: "CPU by mode",
    description: "Where CPU time goes (user, system, iowait, steal…), all hosts; high iowait points at the disks, steal at the hypervisor.",
    unit: units.PercentUnit,
    stacked: true,
    queries: [
      promQuery(`sum by (mode) (rate(node_cpu_seconds_total{mode!="idle"}[${RATE_INTERVAL}])) / scalar(count(node_cpu_seconds_total{mode="idle"}))`, "{{mode}}"),
    ],
  });
}

function memoryUtilisation(ctx: DashboardContext) {
  return timeseries({
    title: "Memory used",
    description: "Share of memory in use (not available), per host. Capacity planning starts at the line.",
    unit: units.PercentUnit,
    min: 0,
    max: 1,
    alert: alertLine("HighCapacityUsage", ctx.thresholds.memoryUtilisation.threshold),
    queries: [promQuery(MEMORY_UTILISATION, "{{instance}}")],
  });
}

function memoryAvailable(ctx: DashboardContext) {
  return timeseries({
    title: "Memory available",
    description: "Share of memory available to new work, per host. Guide target > 20%.",
    unit: units.PercentUnit,
    min: 0,
    max: 1,
    alert: alertLine("LowAvailableMemory", ctx.thresholds.memoryAvailable.threshold, "below"),
    queries: [promQuery(MEMORY_AVAILABLE, "{{instance}}")],
  });
}

// ─── Disk ────────────────────────────────────────────────────────────────────────────────────────

function filesystemAvailable(ctx: DashboardContext) {
  return timeseries({
    title: "Filesystem space available",
    description: "Free space per mounted filesystem; Prometheus and Loki stop writing when theirs fills.",
    unit: units.PercentUnit,
    min: 0,
    max: 1,
    alert: withWarning(
      alertLine("HostFilesystemFull", ctx.thresholds.filesystemAvailableCritical.threshold, "below"),
      "HostFilesystemAlmostFull",
      ctx.thresholds.filesystemAvailable.threshold,
    ),
    queries: [promQuery(FILESYSTEM_AVAILABLE, "{{instance}} {{mountpoint}}")],
  });
}

function diskThroughput() {
  return timeseries({
    title: "Disk throughput",
    description: "Bytes read and written per second per device.",
    unit: units.BytesPerSecondSI,
    queries: [
      promQuery(`sum by (instance, device) (rate(node_disk_read_bytes_total[${RATE_INTERVAL}]))`, "read {{instance}} {{device}}"),
      promQuery(`sum by (instance, device) (rate(node_disk_written_bytes_total[${RATE_INTERVAL}]))`, "write {{instance}} {{device}}"),
    ],
  });
}

function diskBusy() {
  return timeseries({
    title: "Disk busy",
    description: "Share of time each device had I/O in flight; near 100% the disk is saturated.",
    unit: units.PercentUnit,
    min: 0,
    max: 1,
    queries: [promQuery(`rate(node_disk_io_time_seconds_total[${RATE_INTERVAL}])`, "{{instance}} {{device}}")],
  });
}

// ─── Network ─────────────────────────────────────────────────────────────────────────────────────

function bandwidth() {
  return timeseries({
    title: "Network bandwidth",
    description: "Bytes received and transmitted per second on physical interfaces, per host.",
    unit: units.BytesPerSecondSI,
    queries: [promQuery(NETWORK_RECEIVE, "receive {{instance}}"), promQuery(NETWORK_TRANSMIT, "transmit {{instance}}")],
  });
}

function networkErrors(ctx: DashboardContext) {
  return timeseries({
    title: "Network errors",
    description: "Receive and transmit errors per second per interface.",
    unit: units.CountsPerSecond,
    alert: alertLine("NetworkErrors", ctx.thresholds.networkReceiveErrors.threshold),
    queries: [
      promQuery(`rate(node_network_receive_errs_total${NIC}[5m])`, "receive {{instance}} {{device}}"),
      promQuery(`rate(node_network_transmit_errs_total${NIC}[5m])`, "transmit {{instance}} {{device}}"),
    ],
  });
}

function tcpSockets() {
  return timeseries({
    title: "TCP sockets",
    description: "TCP sockets in use, allocated and in TIME_WAIT per host (node_sockstat); WebSocket clients each hold one.",
    unit: units.Short,
    queries: [
      promQuery("node_sockstat_TCP_inuse", "in use {{instance}}"),
      promQuery("node_sockstat_TCP_alloc", "allocated {{instance}}"),
      promQuery("node_sockstat_TCP_tw", "time-wait {{instance}}"),
    ],
  });
}

/** Hosts through the node exporter: which resource runs out first? */
export function hostsNetwork(ctx: DashboardContext): DashboardFile {
  return assembleDashboard(
    {
      uid: "hosts-network",
      title: "Hosts & Network",
      description: "Which host resource is running out: CPU, memory, disk space and I/O, network bandwidth, errors, sockets?",
      tags: ["hosts", "node-exporter", "network"],
      folder: "Infrastructure",
      rows: [
        { title: "CPU & memory", panels: [cpuUtilisation(ctx), cpuByMode(), memoryUtilisation(ctx), memoryAvailable(ctx)] },
        { title: "Disk", panels: [filesystemAvailable(ctx), diskThroughput(), diskBusy()] },
        { title: "Network", panels: [bandwidth(), networkErrors(ctx), tcpSockets()] },
      ],
    },
    ctx,
  );
}

