import { IMAGES } from "../../constructs/versions";
import { JOBS } from "../jobs";
import { buildInfo, GO_PROCESS_METRICS } from "./go-runtime";
import { CatalogSource, counter, gauge, histogram } from "./types";

/** dskit's default HTTP/gRPC latency buckets (instrument.DefBuckets). */
const DSKIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100];

/** grafana/loki in single-binary mode (all targets in one process). */
export const LOKI: CatalogSource = {
  job: JOBS.loki,
  version: IMAGES.loki.tag,
  source:
    "github.com/grafana/loki @ v3.7.6 (3.7.8 is a patch release): pkg/loghttp/push/push.go, pkg/ingester/instance.go, pkg/ingester/metrics.go, " +
    "pkg/validation/validate.go, pkg/compactor/metrics.go, pkg/util/log/log.go, vendor/github.com/grafana/dskit/server/metrics.go",
  note: "Ingestion, ingester, discard, compactor/retention and HTTP/gRPC request families of a single-binary Loki.",
  metrics: [
    buildInfo("loki"),
    counter("loki_distributor_bytes_received_total", ["tenant", "retention_hours", "is_internal_stream", "policy", "format"]),
    counter("loki_distributor_lines_received_total", ["tenant", "is_internal_stream", "policy", "format"]),
    counter("loki_discarded_samples_total", ["reason", "tenant", "retention_hours", "policy", "format"]),
    counter("loki_discarded_bytes_total", ["reason", "tenant", "retention_hours", "policy", "format"]),
    gauge("loki_ingester_memory_streams", ["tenant"]),
    counter("loki_ingester_streams_created_total", ["tenant"]),
    counter("loki_ingester_streams_removed_total", ["tenant"]),
    counter("loki_ingester_chunks_flushed_total", ["reason"]),
    counter("loki_panic_total"),
    counter("loki_internal_log_messages_total", ["level"]),
    counter("loki_boltdb_shipper_compact_tables_operation_total", ["status"]),
    gauge("loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds"),
    gauge("loki_boltdb_shipper_compactor_running"),
    counter("loki_compactor_apply_retention_operation_total", ["status"]),
    gauge("loki_compactor_apply_retention_last_successful_run_timestamp_seconds"),
    histogram("loki_request_duration_seconds", ["method", "route", "status_code", "ws"], "Time (in seconds) spent serving HTTP and gRPC requests.", DSKIT_BUCKETS),
    gauge("loki_inflight_requests", ["method", "route"]),
    ...GO_PROCESS_METRICS,
  ],
};
