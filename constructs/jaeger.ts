import * as yaml from "js-yaml";
import { Construct } from "constructs";
import { Duration } from "../alerts/duration";
import { JOBS } from "../alerts/jobs";
import { MonitoringService, PublishedPort, ResourceLimits, ScrapeTarget, ServiceContext, assertChecks, Check, isPort } from "./service";
import { IMAGES, ImageRef } from "./versions";

const CONFIG_PATH = "/etc/jaeger/config.yaml";
/** Fixed ports of the Jaeger v2 all-in-one (cmd/jaeger/Dockerfile EXPOSE list and ports/ports.go). */
const UI_PORT = 16686;
const QUERY_GRPC_PORT = 16685;
const OTLP_GRPC_PORT = 4317;
const OTLP_HTTP_PORT = 4318;
const HEALTH_PORT = 13133;
const METRICS_PORT = 8888;
/** Name of the one storage backend in `jaeger_storage`, referenced by query and exporter. */
const STORE = "traces";
/**
 * Where the badger store's volume is mounted: the image's own `VOLUME /tmp`, its only directory that its
 * user 10001 may write (mode 1777). Docker initialises a new named volume with the owner and mode of the
 * directory it is mounted over, so any path the image lacks would be root's and Jaeger could not write
 * (upstream's "Badger file permissions as non-root service").
 */
const DATA_PATH = "/tmp";
/** The badger store's directories, which Jaeger creates (0700) on its first start. */
const BADGER_KEYS = `${DATA_PATH}/jaeger/keys`;
const BADGER_VALUES = `${DATA_PATH}/jaeger/values`;

/** Where Jaeger keeps traces: on a volume (`badger`, kept for a time) or in memory (`memory`, by count, lost on a restart). */
export type JaegerStorage = "badger" | "memory";
const STORAGES: readonly JaegerStorage[] = ["badger", "memory"];

/** Host ports under which Jaeger's ports are published on the context's bind address. */
export interface JaegerPublishedPorts {
  /** @default 16686 */
  readonly ui?: number;
  /** @default 4317 */
  readonly otlpGrpc?: number;
  /** @default 4318 */
  readonly otlpHttp?: number;
}

/** The trace store of {@link renderJaegerConfig}. */
export type JaegerStoreConfig =
  /** Badger on the volume: spans expire `ttl` after they arrive. */
  | { readonly kind: "badger"; readonly ttl: Duration }
  /** In memory: the newest `maxTraces` traces, the oldest evicted first. */
  | { readonly kind: "memory"; readonly maxTraces: number };

/** Options of {@link renderJaegerConfig}. */
export interface JaegerConfigOptions {
  readonly store: JaegerStoreConfig;
  /** `service.telemetry.metrics.level`. */
  readonly metricsLevel: "basic" | "normal" | "detailed";
}

/** Props of {@link Jaeger}. */
export interface JaegerProps {
  readonly context: ServiceContext;
  /** @default IMAGES.jaeger */
  readonly image?: ImageRef;
  /** @default 1024 MiB, 1 CPU */
  readonly resources?: ResourceLimits;
  /**
   * Where traces are kept. `badger`: Jaeger's embedded key-value store on the data volume
   * `<volumePrefix>-jaeger-data`, which survives every replacement and is protected like the other data
   * volumes; spans expire after `retention`. `memory`: the newest `maxTraces` traces, lost whenever the
   * container is replaced or restarted, no volume.
   * @default "badger"
   */
  readonly storage?: JaegerStorage;
  /**
   * With `badger`: how long spans are kept (`ttl.spans`). The disk it takes grows with the span rate:
   * size the volume for about rate × retention × the stored span size (docs/services.md).
   * @default 15d (the stack passes its `retention`)
   */
  readonly retention?: Duration;
  /**
   * With `memory`: traces kept (`memory.max_traces`); the oldest are dropped first, so memory use is
   * bounded. Raise `resources.memoryMb` with it.
   * @default 50000: about 20 KB per trace fits the default 1 GiB limit with headroom for the collector.
   */
  readonly maxTraces?: number;
  /**
   * Publish the UI and both OTLP receivers on the context's bind address (loopback by default), so that
   * applications running on the Docker host, outside the stack network, can send traces.
   * @default true
   */
  readonly publish?: boolean;
  /**
   * The host port of the UI, like every service's `publishedPort`; `false` publishes nothing (neither the
   * UI nor OTLP), the same as `publish: false`. @default 16686
   */
  readonly publishedPort?: number | false;
  /** @default the container ports, see {@link JaegerPublishedPorts} */
  readonly publishedPorts?: JaegerPublishedPorts;
  /** Detail of Jaeger's own metrics on port 8888. @default "normal" */
  readonly metricsLevel?: "basic" | "normal" | "detailed";
}

/**
 * Renders the Jaeger v2 config (an OpenTelemetry Collector config): OTLP in, batch, into the trace store
 * (badger on the data volume, or a bounded in-memory one), read by the query extension (UI + API). Every endpoint binds 0.0.0.0 explicitly,
 * because collector components default to localhost, which other containers cannot reach.
 *
 * Telemetry metrics use the `readers[].pull.exporter.prometheus` form of current collectors (the old
 * `address:` key is gone), as in Jaeger's own cmd/jaeger/config.yaml.
 *
 * @see https://www.jaegertracing.io/docs/2.x/configuration/
 * @see https://github.com/jaegertracing/jaeger/blob/main/cmd/jaeger/config.yaml
 */
export function renderJaegerConfig(options: JaegerConfigOptions): string {
  const config = {
    service: {
      extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
      pipelines: {
        traces: {
          receivers: ["otlp"],
          processors: ["batch"],
          exporters: ["jaeger_storage_exporter"],
        },
      },
      telemetry: {
        resource: { "service.name": "jaeger" },
        metrics: {
          level: options.metricsLevel,
          readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: METRICS_PORT } } } }],
        },
        logs: { level: "info" },
      },
    },
    extensions: {
      healthcheckv2: {
        use_v2: true,
        http: { endpoint: `0.0.0.0:${HEALTH_PORT}` },
      },
      jaeger_query: {
        storage: { traces: STORE },
        http: { endpoint: `0.0.0.0:${UI_PORT}` },
        grpc: { endpoint: `0.0.0.0:${QUERY_GRPC_PORT}` },
      },
      jaeger_storage: {
        backends: { [STORE]: renderStore(options.store) },
      },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` },
          http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` },
        },
      },
    },
    processors: { batch: {} },
    exporters: {
      jaeger_storage_exporter: { trace_storage: STORE },
    },
  };
  return yaml.dump(config, { lineWidth: -1, noRefs: true, sortKeys: false });
}

/**
 * One `jaeger_storage` backend. Badger is written with `ephemeral: false` (its default is a temporary
 * directory) and its directories on the volume; the maintenance and metrics intervals keep Jaeger's
 * defaults (5m, 10s).
 * @see https://github.com/jaegertracing/jaeger/blob/main/cmd/jaeger/config-badger.yaml
 */
function renderStore(store: JaegerStoreConfig): Record<string, unknown> {
  if (store.kind === "memory") return { memory: { max_traces: store.maxTraces } };
  return {
    badger: {
      directories: { keys: BADGER_KEYS, values: BADGER_VALUES },
      ephemeral: false,
      ttl: { spans: goDuration(store.ttl) },
    },
  };
}

/**
 * A duration in Go's `time.ParseDuration` form, which Jaeger reads: hours at most (Go has no `d`), so
 * 15d is `360h` and 36h30m stays `36h30m`.
 */
export function goDuration(d: Duration): string {
  let rest = d.milliseconds;
  let out = "";
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1000], ["ms", 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out || "0s";
}

/**
 * Jaeger v2 all-in-one: OTLP gRPC 4317 / HTTP 4318, UI and query API 16686, its own metrics on 8888,
 * health on 13133 (`/status`), traces in badger on the data volume (or, asked for, a bounded in-memory
 * store).
 *
 * Runs as the image's user 10001. Not read-only: its config arrives as an upload, which Docker refuses
 * on a read-only root filesystem. The image is Alpine-based, so busybox `wget` runs the healthcheck.
 *
 * @see https://www.jaegertracing.io/docs/2.x/getting-started/
 */
export class Jaeger extends Construct {
  public readonly hostname: string;
  /** The UI / query HTTP port. */
  public readonly port: number;
  /** UI and query API base URL, e.g. `http://jaeger:16686` (Grafana's Jaeger datasource URL). */
  public readonly url: string;
  /** Same as {@link url}; named for readers wiring the UI. */
  public readonly uiUrl: string;
  /** For `OTEL_EXPORTER_OTLP_ENDPOINT` of gRPC exporters in the stack network: `http://jaeger:4317`. */
  public readonly otlpGrpcEndpoint: string;
  /** For `OTEL_EXPORTER_OTLP_ENDPOINT` of HTTP exporters in the stack network: `http://jaeger:4318`. */
  public readonly otlpHttpEndpoint: string;
  /** Jaeger's own collector metrics on port 8888. */
  public readonly scrapeTarget: ScrapeTarget;
  /** Where traces are kept. */
  public readonly storage: JaegerStorage;
  /** How long spans are kept (badger); undefined with the memory store. */
  public readonly retention?: Duration;
  /** Traces kept (memory store); undefined with badger. */
  public readonly maxTraces?: number;
  /** What is published on the Docker host (empty when `publish` is false). */
  public readonly publishedPorts: readonly PublishedPort[];
  /** The rendered config file (also written under `cdktf.out`). */
  public readonly config: string;
  public readonly service: MonitoringService;

  constructor(scope: Construct, id: string, props: JaegerProps) {
    super(scope, id);
    this.port = UI_PORT;
    this.storage = props.storage ?? "badger";
    const memory = this.storage === "memory";
    this.maxTraces = memory ? (props.maxTraces ?? 50_000) : undefined;
    this.retention = memory ? undefined : (props.retention ?? Duration.days(15));
    const publish = props.publishedPort === false ? false : (props.publish ?? true);
    const external = {
      ui: (props.publishedPort === false ? undefined : props.publishedPort) ?? props.publishedPorts?.ui ?? UI_PORT,
      otlpGrpc: props.publishedPorts?.otlpGrpc ?? OTLP_GRPC_PORT,
      otlpHttp: props.publishedPorts?.otlpHttp ?? OTLP_HTTP_PORT,
    };
    validateJaegerProps(this.storage, publish, props, external);

    this.publishedPorts = publish
      ? [
          { internal: UI_PORT, external: external.ui },
          { internal: OTLP_GRPC_PORT, external: external.otlpGrpc },
          { internal: OTLP_HTTP_PORT, external: external.otlpHttp },
        ]
      : [];
    this.config = renderJaegerConfig({
      store: memory ? { kind: "memory", maxTraces: this.maxTraces! } : { kind: "badger", ttl: this.retention! },
      metricsLevel: props.metricsLevel ?? "normal",
    });
    this.service = new MonitoringService(this, "service", {
      serviceName: "jaeger",
      context: props.context,
      image: props.image ?? IMAGES.jaeger,
      command: ["--config", CONFIG_PATH],
      configFiles: [{ path: CONFIG_PATH, content: this.config }],
      // Badger's data lives on a named volume, so a config change that replaces the container keeps it.
      dataVolumes: memory ? undefined : [{ name: "data", containerPath: DATA_PATH }],
      publishedPorts: this.publishedPorts,
      healthcheck: {
        test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${HEALTH_PORT}/status`],
      },
      resources: props.resources ?? { memoryMb: 1024, cpus: 1 },
      readOnlyRootFilesystem: false,
    });

    this.hostname = this.service.hostname;
    this.url = `http://${this.hostname}:${UI_PORT}`;
    this.uiUrl = this.url;
    this.otlpGrpcEndpoint = `http://${this.hostname}:${OTLP_GRPC_PORT}`;
    this.otlpHttpEndpoint = `http://${this.hostname}:${OTLP_HTTP_PORT}`;
    this.scrapeTarget = { job: JOBS.jaeger, targets: [`${this.hostname}:${METRICS_PORT}`] };
  }
}

function validateJaegerProps(
  storage: JaegerStorage,
  publish: boolean,
  props: JaegerProps,
  external: Required<JaegerPublishedPorts>,
): void {
  const requested = props.publishedPorts;
  const { maxTraces, retention } = props;
  const checks: Check[] = [
    [
      STORAGES.includes(storage),
      `jaeger.storage: ${JSON.stringify(storage)} is not allowed; use "badger" (the default: traces on the volume <prefix>-jaeger-data, kept for the retention) or "memory" (the newest maxTraces traces, lost on every replacement)`,
    ],
    [
      maxTraces === undefined || storage !== "badger",
      `jaeger.maxTraces: ${maxTraces} bounds the in-memory store only, but jaeger.storage is "badger"${props.storage === undefined ? " (the default)" : ""}, which keeps traces on its volume for the retention; remove maxTraces, or set jaeger.storage: "memory" to keep the in-memory store`,
    ],
    [
      retention === undefined || storage !== "memory",
      `jaeger.retention: "${retention}" applies to the badger store only, but jaeger.storage is "memory", which keeps the newest maxTraces traces; remove it, or use jaeger.storage: "badger"`,
    ],
    [
      maxTraces === undefined || (Number.isInteger(maxTraces) && maxTraces > 0),
      `jaeger.maxTraces: ${maxTraces} is not allowed; use a whole number greater than 0 (0 would mean unbounded)`,
    ],
    [
      retention === undefined || !retention.isZero(),
      `jaeger.retention: "${retention}" is not allowed; use a positive duration such as "7d" (Jaeger refuses a zero span TTL)`,
    ],
    [
      publish || requested === undefined,
      `jaeger.publishedPorts: set, but jaeger.${props.publishedPort === false ? "publishedPort" : "publish"} is false; remove one of them`,
    ],
    [
      props.publishedPort === undefined || props.publish === undefined,
      `jaeger.publish: ${props.publish} and jaeger.publishedPort: ${props.publishedPort} are both set; publishedPort is the switch every service shares (false publishes nothing), so set only it`,
    ],
    [
      typeof props.publishedPort !== "number" || requested?.ui === undefined,
      `jaeger.publishedPort: ${props.publishedPort} and jaeger.publishedPorts.ui: ${requested?.ui} both set the UI's host port; set only publishedPort`,
    ],
  ];
  for (const [name, port] of Object.entries(external)) {
    checks.push([isPort(port), `jaeger.publishedPorts.${name}: ${port} is not a TCP port; allowed: 1-65535`]);
  }
  const ports = Object.values(external);
  const clash = ports.find((p, i) => ports.indexOf(p) !== i);
  checks.push([
    clash === undefined,
    `jaeger.publishedPorts: host port ${clash} is used twice; ui, otlpGrpc and otlpHttp need distinct ports`,
  ]);
  assertChecks(checks);
}
