import { Duration } from "../alerts/duration";
import { MonitoringConfig, Problems } from "./config";

/** How long data is kept when nothing is set: Prometheus' own default, which logs follow. */
export const DEFAULT_RETENTION = "15d";

/**
 * The shortest shared retention while it drives Loki (enabled, no `loki.retention` of its own): Loki keeps
 * logs per 24h index period and refuses less.
 */
const MINIMUM = Duration.hours(24);

/** How long each signal is kept, after the top-level `retention` and each service's own setting. */
export interface Retention {
  /** Prometheus' TSDB (`--storage.tsdb.retention.time`): `prometheus.retentionTime`, else `retention`. */
  readonly metrics: Duration;
  /** Loki's compactor (`limits_config.retention_period`): `loki.retention`, else `retention`. */
  readonly logs: Duration;
  /** Jaeger's badger store (`ttl.spans`): `jaeger.retention`, else `retention`. */
  readonly traces: Duration;
}

/**
 * One setting for the whole stack: `retention` (default {@link DEFAULT_RETENTION}) is how long metrics,
 * logs and traces are kept, each service's own setting overrides it for that service. Problems (a value that is
 * not a duration, zero, under 24h while it drives Loki) are added to `problems`, naming the field, the value and
 * what is allowed; the services then keep the default, so one mistake is one problem.
 */
export function resolveRetention(config: MonitoringConfig, problems: Problems): Retention {
  let shared = problems.duration("retention", config.retention, DEFAULT_RETENTION);
  const drivesLoki = (config.loki?.enabled ?? true) && config.loki?.retention === undefined;
  if (shared.isZero()) {
    problems.add(`retention: "${config.retention}" is not allowed; use a positive duration such as "30d"`);
    shared = Duration.parse(DEFAULT_RETENTION);
  } else if (drivesLoki && shared.compare(MINIMUM) < 0) {
    problems.add(
      `retention: "${shared}" is too short; allowed: at least 24h (Loki keeps logs per 24h index period), e.g. "30d"; ` +
        `to keep metrics shorter than that, set prometheus.retentionTime alone`,
    );
    shared = Duration.parse(DEFAULT_RETENTION);
  }
  const own = (field: string, value: MonitoringConfig["retention"]): Duration =>
    value === undefined ? shared : problems.duration(field, value, DEFAULT_RETENTION);
  return {
    metrics: own("prometheus.retentionTime", config.prometheus?.retentionTime),
    logs: own("loki.retention", config.loki?.retention),
    traces: own("jaeger.retention", config.jaeger?.retention),
  };
}
