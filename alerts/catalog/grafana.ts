import { IMAGES } from "../../constructs/versions";
import { JOBS } from "../jobs";
import { GO_PROCESS_METRICS } from "./go-runtime";
import { CatalogSource, counter, gauge, histogram } from "./types";

/** grafana/grafana's /metrics (server instrumentation, not the dashboards' data). */
export const GRAFANA: CatalogSource = {
  job: JOBS.grafana,
  version: IMAGES.grafana.tag,
  source:
    "github.com/grafana/grafana (stored copy of main, 12.x line; the repository is too large to fetch whole): pkg/middleware/request_metrics.go, pkg/infra/metrics/metrics.go",
  note: "HTTP request families, API/page status counters, build info and the usage gauges; alerting and plugin families are left out.",
  metrics: [
    gauge("grafana_build_info", ["version", "revision", "branch", "edition", "goversion"]),
    histogram("grafana_http_request_duration_seconds", ["handler", "status_code", "method"], "Histogram of latencies for HTTP requests.", [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]),
    gauge("grafana_http_request_in_flight", [], "A gauge of requests currently being served by Grafana."),
    counter("grafana_api_response_status_total", ["code"]),
    counter("grafana_page_response_status_total", ["code"]),
    counter("grafana_proxy_response_status_total", ["code"]),
    gauge("grafana_stat_totals_dashboard"),
    gauge("grafana_stat_total_users"),
    gauge("grafana_stat_active_users"),
    ...GO_PROCESS_METRICS,
  ],
};
