import * as yaml from "js-yaml";
import { Construct } from "constructs";
import { Duration } from "../alerts/duration";
import { JOBS } from "../alerts/jobs";
import { MonitoringService, ResourceLimits, ScrapeTarget, ServiceContext, assertChecks, Check, isPort } from "./service";
import { IMAGES, ImageRef } from "./versions";

/** Path of the rendered config inside the container (beside, not over, the image's own example). */
const CONFIG_PATH = "/etc/loki/config.yaml";
/** The image creates /loki owned by uid 10001; a new named volume there inherits that owner. */
const DATA_PATH = "/loki";

/**
 * Ingestion limits of the single tenant. Loki enforces them per tenant, and with `auth_enabled: false`
 * every log line belongs to the one tenant `fake`, so these are the limits of the whole stack.
 *
 * @see https://grafana.com/docs/loki/latest/configure/#limits_config
 */
export interface LokiIngestionLimits {
  /** `ingestion_rate_mb`: sustained MB/s accepted from all clients. @default 4 (upstream default) */
  readonly ingestionRateMb?: number;
  /** `ingestion_burst_size_mb`: must hold the largest single push. @default 6 (upstream default) */
  readonly ingestionBurstSizeMb?: number;
  /** `per_stream_rate_limit` in MB/s: one noisy container cannot starve the others. @default 3 (upstream) */
  readonly perStreamRateLimitMb?: number;
  /** `per_stream_rate_limit_burst` in MB. @default 15 (upstream) */
  readonly perStreamRateLimitBurstMb?: number;
  /** `max_global_streams_per_user`: caps label cardinality. @default 5000 (upstream) */
  readonly maxStreams?: number;
  /** `max_line_size` in KB; longer lines are rejected. @default 256 (upstream) */
  readonly maxLineSizeKb?: number;
  /** `reject_old_samples_max_age`: lines older than this are refused. @default 7d (upstream) */
  readonly rejectOlderThan?: Duration;
}

/** Options of {@link renderLokiConfig}; every field is already resolved. */
export interface LokiConfigOptions {
  /** HTTP port (push, query, /ready, /metrics). */
  readonly port: number;
  /** How long log lines are kept before the compactor deletes them. */
  readonly retention: Duration;
  readonly limits: Required<LokiIngestionLimits>;
}

/** Props of {@link Loki}. */
export interface LokiProps {
  readonly context: ServiceContext;
  /** @default IMAGES.loki */
  readonly image?: ImageRef;
  /** @default 1024 MiB, 1 CPU */
  readonly resources?: ResourceLimits;
  /** HTTP port inside the stack network. @default 3100 */
  readonly port?: number;
  /**
   * Publish the HTTP port on the context's bind address under this host port, e.g. for `logcli` on the
   * host. Grafana and Alloy reach Loki inside the stack network and need nothing published.
   * `false` (as for every service) publishes nothing.
   * @default none: Loki is not reachable from the host
   */
  readonly publishedPort?: number | false;
  /**
   * Log retention, enforced by the compactor (`limits_config.retention_period`). Loki refuses less than
   * 24h (one index period).
   * @default 15d: the same span as Prometheus' default TSDB retention, so a log line is kept as long as
   * the metrics that lead you to it, and the bulkiest signal cannot quietly fill the disk.
   */
  readonly retention?: Duration;
  /** @default the upstream defaults listed on {@link LokiIngestionLimits} */
  readonly limits?: LokiIngestionLimits;
}

/** Upstream defaults of Loki 3.7 (pkg/validation/limits.go), written out so the rendered file says them. */
export const LOKI_DEFAULT_LIMITS: Required<LokiIngestionLimits> = {
  ingestionRateMb: 4,
  ingestionBurstSizeMb: 6,
  perStreamRateLimitMb: 3,
  perStreamRateLimitBurstMb: 15,
  maxStreams: 5000,
  maxLineSizeKb: 256,
  rejectOlderThan: Duration.days(7),
};

/**
 * Renders Loki's YAML config: single binary, one tenant, TSDB index with schema v13 on the local
 * filesystem, retention applied by the compactor, usage reporting off.
 *
 * The file is never passed through `-config.expand-env`, so a `${...}` in it stays literal.
 *
 * @see https://grafana.com/docs/loki/latest/configure/
 * @see https://grafana.com/docs/loki/latest/operations/storage/retention/
 */
export function renderLokiConfig(options: LokiConfigOptions): string {
  const l = options.limits;
  const config = {
    // One tenant on a private network: Loki has no authentication of its own anyway; the stack network is
    // the boundary.
    auth_enabled: false,
    server: {
      http_listen_port: options.port,
      grpc_listen_port: 9095,
      log_level: "info",
    },
    common: {
      instance_addr: "127.0.0.1",
      path_prefix: DATA_PATH,
      storage: {
        filesystem: {
          chunks_directory: `${DATA_PATH}/chunks`,
          rules_directory: `${DATA_PATH}/rules`,
        },
      },
      replication_factor: 1,
      ring: { kvstore: { store: "inmemory" } },
    },
    schema_config: {
      configs: [
        {
          // The first (and only) schema period. It must never change once data exists: a new schema is
          // added as a second entry with a future date.
          from: "2024-04-01",
          store: "tsdb",
          object_store: "filesystem",
          schema: "v13",
          index: { prefix: "index_", period: "24h" },
        },
      ],
    },
    compactor: {
      working_directory: `${DATA_PATH}/compactor`,
      compaction_interval: "10m",
      retention_enabled: true,
      // Deletes are applied after this delay, leaving time to notice a wrong retention setting.
      retention_delete_delay: "2h",
      delete_request_store: "filesystem",
    },
    limits_config: {
      retention_period: options.retention.toString(),
      ingestion_rate_mb: l.ingestionRateMb,
      ingestion_burst_size_mb: l.ingestionBurstSizeMb,
      per_stream_rate_limit: `${l.perStreamRateLimitMb}MB`,
      per_stream_rate_limit_burst: `${l.perStreamRateLimitBurstMb}MB`,
      max_global_streams_per_user: l.maxStreams,
      max_line_size: `${l.maxLineSizeKb}KB`,
      reject_old_samples: true,
      reject_old_samples_max_age: l.rejectOlderThan.toString(),
    },
    // Loki 3.7 cannot leave the ruler out of target `all`; without rule files and without an
    // alertmanager_url it evaluates nothing and sends nothing. Alerting on logs is not part of this stack.
    ruler: {
      enable_api: false,
    },
    analytics: { reporting_enabled: false },
  };
  return yaml.dump(config, { lineWidth: -1, noRefs: true, sortKeys: false });
}

/**
 * Grafana Loki, single binary, storing chunks and the TSDB index on a named volume.
 *
 * Not read-only: its config arrives as an upload, which Docker refuses on a read-only root filesystem.
 * Runs as the image's user 10001. The healthcheck uses `loki -health` (added in Loki 3.7): the image is
 * distroless and has neither a shell nor wget.
 *
 * @see https://grafana.com/docs/loki/latest/setup/install/docker/
 */
export class Loki extends Construct {
  /** Hostname inside the stack network. */
  public readonly hostname: string;
  /** HTTP port. */
  public readonly port: number;
  /** Base URL, e.g. `http://loki:3100` (Grafana's datasource URL). */
  public readonly url: string;
  /** Push endpoint for log agents, e.g. `http://loki:3100/loki/api/v1/push`. */
  public readonly pushUrl: string;
  /** Loki's own metrics. */
  public readonly scrapeTarget: ScrapeTarget;
  public readonly retention: Duration;
  public readonly limits: Required<LokiIngestionLimits>;
  /** The rendered config file (also written under `cdktf.out`). */
  public readonly config: string;
  public readonly service: MonitoringService;

  constructor(scope: Construct, id: string, props: LokiProps) {
    super(scope, id);
    this.port = props.port ?? 3100;
    this.retention = props.retention ?? Duration.days(15);
    this.limits = { ...LOKI_DEFAULT_LIMITS, ...definedOnly(props.limits ?? {}) };
    validateLokiProps(this.port, this.retention, this.limits, props.publishedPort);

    this.config = renderLokiConfig({ port: this.port, retention: this.retention, limits: this.limits });
    this.service = new MonitoringService(this, "service", {
      serviceName: "loki",
      context: props.context,
      image: props.image ?? IMAGES.loki,
      command: [`-config.file=${CONFIG_PATH}`],
      configFiles: [{ path: CONFIG_PATH, content: this.config }],
      dataVolumes: [{ name: "data", containerPath: DATA_PATH }],
      publishedPorts: props.publishedPort ? [{ internal: this.port, external: props.publishedPort }] : [],
      healthcheck: {
        test: ["CMD", "/usr/bin/loki", "-health", `-health.url=http://127.0.0.1:${this.port}/ready`],
        // /ready answers 503 until the ingester has joined its ring (about 15s after start).
        startPeriod: Duration.parse("60s"),
      },
      resources: props.resources ?? { memoryMb: 1024, cpus: 1 },
      readOnlyRootFilesystem: false,
    });

    this.hostname = this.service.hostname;
    this.url = `http://${this.hostname}:${this.port}`;
    this.pushUrl = `${this.url}/loki/api/v1/push`;
    this.scrapeTarget = { job: JOBS.loki, targets: [`${this.hostname}:${this.port}`] };
  }
}

function validateLokiProps(
  port: number,
  retention: Duration,
  limits: Required<LokiIngestionLimits>,
  publishedPort: number | false | undefined,
): void {
  const positive = (name: keyof LokiIngestionLimits, value: number, integer = false): [boolean, string] => [
    Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value)),
    `loki.limits.${name}: ${value} is not allowed; use a ${integer ? "whole " : ""}number greater than 0`,
  ];
  const checks: Check[] = [
    [isPort(port), `loki.port: ${port} is not a TCP port; allowed: 1-65535`],
    [
      publishedPort === undefined || publishedPort === false || isPort(publishedPort),
      `loki.publishedPort: ${publishedPort} is not a TCP port; allowed: 1-65535`,
    ],
    [
      retention.compare(Duration.hours(24)) >= 0,
      `loki.retention: "${retention}" is too short; allowed: at least 24h (one index period), e.g. "15d"`,
    ],
    positive("ingestionRateMb", limits.ingestionRateMb),
    positive("ingestionBurstSizeMb", limits.ingestionBurstSizeMb),
    positive("perStreamRateLimitMb", limits.perStreamRateLimitMb),
    positive("perStreamRateLimitBurstMb", limits.perStreamRateLimitBurstMb),
    positive("maxStreams", limits.maxStreams, true),
    positive("maxLineSizeKb", limits.maxLineSizeKb, true),
    [
      limits.ingestionBurstSizeMb >= limits.ingestionRateMb,
      `loki.limits.ingestionBurstSizeMb: ${limits.ingestionBurstSizeMb} is below ingestionRateMb ` +
        `(${limits.ingestionRateMb}); allowed: at least the rate`,
    ],
    [
      limits.perStreamRateLimitBurstMb >= limits.perStreamRateLimitMb,
      `loki.limits.perStreamRateLimitBurstMb: ${limits.perStreamRateLimitBurstMb} is below perStreamRateLimitMb ` +
        `(${limits.perStreamRateLimitMb}); allowed: at least the rate`,
    ],
    [
      !limits.rejectOlderThan.isZero(),
      `loki.limits.rejectOlderThan: "${limits.rejectOlderThan}" is not allowed; use a positive duration such as "7d"`,
    ],
  ];
  assertChecks(checks);
}

/** Drops keys whose value is `undefined`, so that a spread keeps the default for them. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
