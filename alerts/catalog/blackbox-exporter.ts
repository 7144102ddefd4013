import { IMAGES } from "../../constructs/versions";
import { JOBS, SERVICE_LABEL } from "../jobs";
import { CatalogSource, gauge } from "./types";

const SOURCE =
  "github.com/prometheus/blackbox_exporter @ v0.28.0: prober/handler.go (probe_success, probe_duration_seconds), " +
  "prober/http.go (probe_http_*), prober/tcp.go (probe_failed_due_to_regex, probe_expect_info), prober/utils.go (probe_ip_*, probe_dns_lookup_time_seconds)";

/** What every probe of a blackbox job returns (the exporter's own metrics are on /metrics, not scraped). */
const COMMON = [
  gauge("probe_success", [], "Whether the probe succeeded (1) or failed (0)."),
  gauge("probe_duration_seconds", [], "How long the probe took."),
  gauge("probe_dns_lookup_time_seconds", [], "How long the DNS lookup took."),
  gauge("probe_ip_protocol", [], "4 or 6: the IP version of the probe."),
  gauge("probe_ip_addr_hash", [], "Hash of the resolved address, to see changes."),
];

/** Blackbox probes of the application's health endpoints (module http_health). */
export const BLACKBOX_HEALTH: CatalogSource = {
  job: JOBS.probeHealth,
  version: IMAGES.blackboxExporter.tag,
  source: SOURCE,
  note: "HTTP prober: the probe series of /probe?module=http_health; instance is the probed URL, service its host (relabelling).",
  targetLabels: ["job", "instance", SERVICE_LABEL],
  metrics: [
    ...COMMON,
    gauge("probe_http_status_code", [], "Response HTTP status code."),
    gauge("probe_http_duration_seconds", ["phase"], "Duration of the HTTP request by phase, summed over redirects."),
    gauge("probe_http_content_length", [], "Length of the response body."),
    gauge("probe_http_uncompressed_body_length", [], "Length of the uncompressed response body."),
    gauge("probe_http_redirects", [], "Number of redirects."),
    gauge("probe_http_ssl", [], "1 when TLS was used for the final request."),
    gauge("probe_http_version", [], "HTTP version of the response."),
    gauge("probe_failed_due_to_regex", [], "1 when a regex check failed."),
  ],
};

/** Blackbox probes of the WebSocket upgrade (module websocket_upgrade, TCP query/response). */
export const BLACKBOX_WEBSOCKET: CatalogSource = {
  job: JOBS.probeWebsocket,
  version: IMAGES.blackboxExporter.tag,
  source: SOURCE,
  note: "TCP prober sending the RFC 6455 handshake and expecting HTTP/1.1 101; instance is host:port, service its host.",
  targetLabels: ["job", "instance", SERVICE_LABEL],
  metrics: [...COMMON, gauge("probe_failed_due_to_regex", [], "1 when the expected response did not arrive.")],
};
