import { IMAGES } from "../../constructs/versions";
import { JOBS } from "../jobs";
import { buildInfo, GO_PROCESS_METRICS } from "./go-runtime";
import { CatalogSource, counter, gauge, histogram } from "./types";

/** Labels Alloy adds to every metric a component registers. */
const COMPONENT = ["component_path", "component_id"];
const LOKI_WRITE = [...COMPONENT, "host", "tenant"];

/** grafana/alloy as the log agent: its controller, config and the loki.source.docker → loki.write pipeline. */
export const ALLOY: CatalogSource = {
  job: JOBS.alloy,
  version: IMAGES.alloy.tag,
  source:
    "github.com/grafana/alloy @ v1.18.1 (newest tag in the stored snapshot; v1.19.2 is the pin): internal/runtime/internal/controller/metrics.go, " +
    "internal/static/config/instrumentation/config_metrics.go, internal/alloycli/resources_collector.go, " +
    "internal/component/common/loki/client/metrics.go, internal/component/loki/source/docker/metrics.go",
  note: "Controller, config, resource and loki.write / loki.source.docker families. Component metrics carry component_path and component_id.",
  metrics: [
    buildInfo("alloy"),
    gauge("alloy_component_controller_running_components", ["health_type", "controller_path", "controller_id"]),
    gauge("alloy_component_controller_evaluating", ["controller_path", "controller_id"]),
    histogram("alloy_component_evaluation_seconds", ["controller_path", "controller_id"]),
    gauge("alloy_component_evaluation_queue_size", ["controller_path", "controller_id"]),
    gauge("alloy_config_last_load_successful"),
    gauge("alloy_config_last_load_success_timestamp_seconds"),
    counter("alloy_config_load_failures_total"),
    gauge("alloy_config_hash", ["sha256", "cluster_name"]),
    gauge("alloy_resources_process_start_time_seconds"),
    counter("alloy_resources_process_cpu_seconds_total"),
    gauge("alloy_resources_process_resident_memory_bytes"),
    gauge("alloy_resources_process_virtual_memory_bytes"),
    counter("alloy_resources_machine_rx_bytes_total"),
    counter("alloy_resources_machine_tx_bytes_total"),
    counter("loki_write_sent_entries_total", LOKI_WRITE),
    counter("loki_write_sent_bytes_total", LOKI_WRITE),
    counter("loki_write_dropped_entries_total", [...LOKI_WRITE, "reason"]),
    counter("loki_write_dropped_bytes_total", [...LOKI_WRITE, "reason"]),
    counter("loki_write_batch_retries_total", LOKI_WRITE),
    histogram("loki_write_request_duration_seconds", [...LOKI_WRITE, "status_code"]),
    counter("loki_source_docker_target_entries_total", COMPONENT),
    counter("loki_source_docker_target_parsing_errors_total", COMPONENT),
    ...GO_PROCESS_METRICS,
  ],
};
