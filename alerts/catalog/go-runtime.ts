import { counter, gauge, MetricDeclaration, summary } from "./types";

/**
 * The process and Go runtime metrics that prometheus/client_golang's default registry exposes
 * (`process_*`, `go_*`). Every Go exporter built on it has them: node-exporter, postgres-exporter,
 * redis_exporter, cAdvisor, Prometheus, Alertmanager, Loki, Alloy and Grafana. Jaeger v2 (OTel
 * telemetry) and MinIO v3 do not.
 *
 * @see https://github.com/prometheus/client_golang/tree/main/prometheus/collectors
 */
export const GO_PROCESS_METRICS: readonly MetricDeclaration[] = [
  counter("process_cpu_seconds_total", [], "Total user and system CPU time spent in seconds."),
  gauge("process_open_fds", [], "Number of open file descriptors."),
  gauge("process_max_fds", [], "Maximum number of open file descriptors."),
  gauge("process_resident_memory_bytes", [], "Resident memory size in bytes."),
  gauge("process_virtual_memory_bytes", [], "Virtual memory size in bytes."),
  gauge("process_virtual_memory_max_bytes", [], "Maximum amount of virtual memory available in bytes."),
  gauge("process_start_time_seconds", [], "Start time of the process since unix epoch in seconds."),
  counter("process_network_receive_bytes_total", [], "Number of bytes received by the process over the network."),
  counter("process_network_transmit_bytes_total", [], "Number of bytes sent by the process over the network."),
  summary("go_gc_duration_seconds", [], "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles."),
  gauge("go_goroutines", [], "Number of goroutines that currently exist."),
  gauge("go_threads", [], "Number of OS threads created."),
  gauge("go_info", ["version"], "Information about the Go environment."),
  gauge("go_memstats_alloc_bytes", [], "Number of heap bytes allocated and currently in use."),
  counter("go_memstats_alloc_bytes_total", [], "Total number of heap bytes allocated, even if freed."),
  gauge("go_memstats_heap_alloc_bytes", [], "Heap bytes allocated and currently in use."),
  gauge("go_memstats_heap_inuse_bytes", [], "Number of heap bytes that are in use."),
  gauge("go_memstats_heap_idle_bytes", [], "Number of heap bytes waiting to be used."),
  gauge("go_memstats_sys_bytes", [], "Number of bytes obtained from system."),
  gauge("go_memstats_next_gc_bytes", [], "Number of heap bytes when next garbage collection will take place."),
  gauge("go_gc_gogc_percent", [], "Heap size target percentage configured by GOGC."),
  gauge("go_gc_gomemlimit_bytes", [], "Go runtime memory limit configured by GOMEMLIMIT."),
  gauge("go_sched_gomaxprocs_threads", [], "The current runtime.GOMAXPROCS setting."),
];

/** The `<namespace>_build_info` gauge that Prometheus-ecosystem exporters expose. */
export function buildInfo(namespace: string): MetricDeclaration {
  return gauge(`${namespace}_build_info`, ["branch", "goarch", "goos", "goversion", "revision", "tags", "version"], "Build information, value 1.");
}
