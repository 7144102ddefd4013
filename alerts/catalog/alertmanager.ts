import { IMAGES } from "../../constructs/versions";
import { JOBS } from "../jobs";
import { buildInfo, GO_PROCESS_METRICS } from "./go-runtime";
import { CatalogSource, counter, gauge, histogram } from "./types";

/** prom/alertmanager self-metrics. */
export const ALERTMANAGER: CatalogSource = {
  job: JOBS.alertmanager,
  version: IMAGES.alertmanager.tag,
  source:
    "github.com/prometheus/alertmanager @ v0.35.0: notify/metrics.go, dispatch/metric.go, api/metrics/metrics.go, config/coordinator.go, " +
    "silence/metrics.go (moved from silence/silence.go in 0.35), nflog/nflog.go, cluster/cluster.go, cluster/delegate.go, app/metrics.go",
  note:
    "Notification, alert, config and silence families; cluster (gossip) metrics only the enabled flag. " +
    "The notification families carry `receiver_name` only with --enable-feature=receiver-name-in-metrics, which the stack does not set.",
  metrics: [
    buildInfo("alertmanager"),
    gauge("alertmanager_alerts", ["state"], "How many alerts by state."),
    counter("alertmanager_alerts_received_total", ["status", "version"]),
    counter("alertmanager_alerts_invalid_total", ["version"]),
    counter("alertmanager_notifications_total", ["integration"]),
    counter("alertmanager_notifications_failed_total", ["integration", "reason"]),
    counter("alertmanager_notification_requests_total", ["integration"]),
    counter("alertmanager_notification_requests_failed_total", ["integration"]),
    histogram("alertmanager_notification_latency_seconds", ["integration"], undefined, [1, 5, 10, 15, 20]),
    gauge("alertmanager_config_last_reload_successful"),
    gauge("alertmanager_config_last_reload_success_timestamp_seconds"),
    gauge("alertmanager_config_hash"),
    gauge("alertmanager_silences", ["state"]),
    gauge("alertmanager_dispatcher_aggregation_groups"),
    gauge("alertmanager_cluster_enabled"),
    // Registered only when gossip is on (a cluster): cluster/delegate.go and cluster/cluster.go.
    gauge("alertmanager_cluster_members"),
    gauge("alertmanager_cluster_failed_peers"),
    counter("alertmanager_nflog_queries_total"),
    counter("alertmanager_nflog_query_errors_total"),
    histogram("alertmanager_http_request_duration_seconds", ["handler", "method", "code"]),
    ...GO_PROCESS_METRICS,
  ],
};
