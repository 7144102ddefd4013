import { IMAGES } from "../../constructs/versions";
import { JOBS } from "../jobs";
import { CatalogSource, counter, gauge, histogram } from "./types";

/**
 * Labels the OpenTelemetry SDK's Prometheus exporter adds to Jaeger v2's internal telemetry: the
 * resource attributes of the service and the instrumentation scope.
 */
const OTEL = ["service_name", "service_instance_id", "service_version", "otel_scope_name", "otel_scope_version"];
const STORAGE = ["name", "kind", "role", "operation", "result"];

/** jaegertracing/jaeger v2: OpenTelemetry Collector internal telemetry on :8888 plus Jaeger's storage metrics. */
export const JAEGER: CatalogSource = {
  job: JOBS.jaeger,
  version: IMAGES.jaeger.tag,
  source:
    "github.com/jaegertracing/jaeger @ v2.20.0 (newest tag in the stored snapshot; 2.21.0 is the pin): cmd/jaeger/docs/migration/all-in-one-metrics.md, " +
    "cmd/jaeger/internal/extension/jaegerstorage/extension.go, internal/storage/v1/api/spanstore/spanstoremetrics/read_metrics.go, monitoring/jaeger-mixin",
  note:
    "Collector pipeline (otelcol_receiver_*, otelcol_exporter_*, otelcol_processor_*), process telemetry, Jaeger query storage and the query HTTP server. " +
    "Jaeger v2 exposes no go_* / process_* metrics and no jaeger_build_info (target_info carries the version).",
  metrics: [
    gauge("target_info", ["service_name", "service_instance_id", "service_version"]),
    counter("otelcol_receiver_accepted_spans_total", [...OTEL, "receiver", "transport"]),
    counter("otelcol_receiver_refused_spans_total", [...OTEL, "receiver", "transport"]),
    counter("otelcol_receiver_failed_spans_total", [...OTEL, "receiver", "transport"]),
    counter("otelcol_exporter_sent_spans_total", [...OTEL, "exporter"]),
    counter("otelcol_exporter_send_failed_spans_total", [...OTEL, "exporter"]),
    counter("otelcol_exporter_enqueue_failed_spans_total", [...OTEL, "exporter"]),
    gauge("otelcol_exporter_queue_size", [...OTEL, "exporter", "data_type"]),
    gauge("otelcol_exporter_queue_capacity", [...OTEL, "exporter", "data_type"]),
    counter("otelcol_processor_incoming_items_total", [...OTEL, "processor", "otel_signal"]),
    counter("otelcol_processor_outgoing_items_total", [...OTEL, "processor", "otel_signal"]),
    histogram("otelcol_processor_batch_batch_send_size", [...OTEL, "processor"]),
    counter("otelcol_processor_batch_timeout_trigger_send_total", [...OTEL, "processor"]),
    counter("otelcol_process_cpu_seconds_total", OTEL),
    gauge("otelcol_process_memory_rss_bytes", OTEL),
    gauge("otelcol_process_runtime_heap_alloc_bytes", OTEL),
    counter("otelcol_process_runtime_total_alloc_bytes_total", OTEL),
    gauge("otelcol_process_runtime_total_sys_memory_bytes", OTEL),
    counter("otelcol_process_uptime_seconds_total", OTEL),
    counter("jaeger_storage_requests_total", STORAGE, "Span store read requests, by operation and result."),
    histogram("jaeger_storage_latency_seconds", STORAGE, "Span store read latency, by operation and result."),
    histogram("http_server_request_duration_seconds", [...OTEL, "http_request_method", "http_response_status_code", "http_route", "network_protocol_name", "network_protocol_version", "url_scheme"]),
  ],
};
