import { IMAGES } from "../../constructs/versions";
import { JOBS } from "../jobs";
import { GO_PROCESS_METRICS } from "./go-runtime";
import { CatalogSource, counter, gauge, many, MetricDeclaration } from "./types";

/** Labels cAdvisor puts on every container series (DefaultContainerLabels). */
const C = ["id", "name", "image"];
/** One label per Docker label (`container_label_com_docker_compose_service`) and whitelisted env var. */
const DYNAMIC = ["container_label_", "container_env_"];

function withDynamic(metrics: MetricDeclaration[]): MetricDeclaration[] {
  return metrics.map((m) => ({ ...m, labelPrefixes: DYNAMIC }));
}

/**
 * ghcr.io/google/cadvisor in `--docker_only` mode. Covers the families enabled by default
 * (cmd/cadvisor.go disables memory_numa, tcp, udp, advtcp, sched, process, hugetlb, referenced_memory,
 * cpu_topology, resctrl and cpuset by default) that the stack keeps: cpu, memory, network, disk, diskIO,
 * oom_event, pressure and the container spec.
 */
export const CADVISOR: CatalogSource = {
  job: JOBS.cadvisor,
  version: IMAGES.cadvisor.tag,
  source:
    "github.com/google/cadvisor @ v0.60.5 (v0.60.6 is a patch release): lib/metrics/prometheus.go, lib/metrics/testdata/prometheus_metrics, cmd/cadvisor.go (ignoreMetrics defaults)",
  note:
    "Container families that are on by default. container_label_* / container_env_* labels depend on the containers and are accepted by prefix. " +
    "Families a --disable_metrics flag turns off are still listed; the cAdvisor construct documents which it disables.",
  metrics: [
    ...withDynamic([
      counter("container_cpu_usage_seconds_total", [...C, "cpu"], "Cumulative cpu time consumed in seconds."),
      ...many("counter", [
        "container_cpu_user_seconds_total", "container_cpu_system_seconds_total", "container_cpu_cfs_periods_total",
        "container_cpu_cfs_throttled_periods_total", "container_cpu_cfs_throttled_seconds_total",
      ], C),
      ...many("gauge", [
        "container_memory_usage_bytes", "container_memory_working_set_bytes", "container_memory_rss",
        "container_memory_cache", "container_memory_swap", "container_memory_mapped_file",
        "container_memory_max_usage_bytes", "container_memory_kernel_usage", "container_memory_total_active_file_bytes",
        "container_memory_total_inactive_file_bytes", "container_spec_memory_limit_bytes",
        "container_spec_memory_reservation_limit_bytes", "container_spec_memory_swap_limit_bytes",
        "container_spec_cpu_period", "container_spec_cpu_quota", "container_spec_cpu_shares",
        "container_start_time_seconds", "container_creation_time_seconds", "container_last_seen",
      ], C),
      counter("container_memory_failcnt", C),
      counter("container_memory_failures_total", [...C, "failure_type", "scope"]),
      counter("container_oom_events_total", C),
      ...many("counter", [
        "container_network_receive_bytes_total", "container_network_transmit_bytes_total",
        "container_network_receive_packets_total", "container_network_transmit_packets_total",
        "container_network_receive_errors_total", "container_network_transmit_errors_total",
        "container_network_receive_packets_dropped_total", "container_network_transmit_packets_dropped_total",
      ], [...C, "interface"]),
      ...many("gauge", ["container_fs_usage_bytes", "container_fs_limit_bytes", "container_fs_inodes_free", "container_fs_inodes_total", "container_fs_io_current"], [...C, "device"]),
      ...many("counter", [
        "container_fs_reads_bytes_total", "container_fs_writes_bytes_total", "container_fs_reads_total",
        "container_fs_writes_total", "container_fs_read_seconds_total", "container_fs_write_seconds_total",
        "container_fs_io_time_seconds_total", "container_fs_io_time_weighted_seconds_total",
      ], [...C, "device"]),
      counter("container_blkio_device_usage_total", [...C, "device", "major", "minor", "operation"]),
      ...many("counter", [
        "container_pressure_cpu_waiting_seconds_total", "container_pressure_cpu_stalled_seconds_total",
        "container_pressure_memory_waiting_seconds_total", "container_pressure_memory_stalled_seconds_total",
        "container_pressure_io_waiting_seconds_total", "container_pressure_io_stalled_seconds_total",
      ], C),
      gauge("container_tasks_state", [...C, "state"]),
      gauge("container_health_state", C),
    ]),
    gauge("container_scrape_error", [], "1 if there was an error while getting container metrics, 0 otherwise."),
    gauge("cadvisor_version_info", ["cadvisorRevision", "cadvisorVersion", "dockerVersion", "kernelVersion", "osVersion"]),
    gauge("machine_cpu_cores", ["boot_id", "machine_id", "system_uuid"]),
    gauge("machine_memory_bytes", ["boot_id", "machine_id", "system_uuid"]),
    ...GO_PROCESS_METRICS,
  ],
};
