import * as yaml from "js-yaml";
import { Construct } from "constructs";
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

/** Host ports under which Jaeger's ports are published on the context's bind address. */
export interface JaegerPublishedPorts {
  /** @default 16686 */
  readonly ui?: number;
  /** @default 4317 */
  readonly otlpGrpc?: number;
  /** @default 4318 */
  readonly otlpHttp?: number;
}

/** Options of {@link renderJaegerConfig}. */
export interface JaegerConfigOptions {
  /** Traces kept by the in-memory store; the oldest are evicted first. */
  readonly maxTraces: number;
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
   * Traces kept in memory (`memory.max_traces`); the oldest are dropped first, so memory use is bounded.
   * Traces are lost when the container is replaced: this stack keeps traces for the debugging at hand,
   * metrics and logs are the durable signals. Raise `resources.memoryMb` with it.
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
 * Renders the Jaeger v2 config (an OpenTelemetry Collector config): OTLP in, batch, into a bounded
 * in-memory store, read by the query extension (UI + API). Every endpoint binds 0.0.0.0 explicitly,
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
        backends: { [STORE]: { memory: { max_traces: options.maxTraces } } },
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
 * Jaeger v2 all-in-one: OTLP gRPC 4317 / HTTP 4318, UI and query API 16686, its own metrics on 8888,
 * health on 13133 (`/status`), traces in a bounded in-memory store.
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
  public readonly maxTraces: number;
  /** What is published on the Docker host (empty when `publish` is false). */
  public readonly publishedPorts: readonly PublishedPort[];
  /** The rendered config file (also written under `cdktf.out`). */
  public readonly config: string;
  public readonly service: MonitoringService;

  constructor(scope: Construct, id: string, props: JaegerProps) {
    super(scope, id);
    this.port = UI_PORT;
    this.maxTraces = props.maxTraces ?? 50_000;
    const publish = props.publishedPort === false ? false : (props.publish ?? true);
    const external = {
      ui: (props.publishedPort === false ? undefined : props.publishedPort) ?? props.publishedPorts?.ui ?? UI_PORT,
      otlpGrpc: props.publishedPorts?.otlpGrpc ?? OTLP_GRPC_PORT,
      otlpHttp: props.publishedPorts?.otlpHttp ?? OTLP_HTTP_PORT,
    };
    validateJaegerProps(this.maxTraces, publish, props, external);

    this.publishedPorts = publish
      ? [
          { internal: UI_PORT, external: external.ui },
          { internal: OTLP_GRPC_PORT, external: external.otlpGrpc },
          { internal: OTLP_HTTP_PORT, external: external.otlpHttp },
        ]
      : [];
    this.config = renderJaegerConfig({ maxTraces: this.maxTraces, metricsLevel: props.metricsLevel ?? "normal" });
    this.service = new MonitoringService(this, "service", {
      serviceName: "jaeger",
      context: props.context,
      image: props.image ?? IMAGES.jaeger,
      command: ["--config", CONFIG_PATH],
      configFiles: [{ path: CONFIG_PATH, content: this.config }],
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
  maxTraces: number,
  publish: boolean,
  props: JaegerProps,
  external: Required<JaegerPublishedPorts>,
): void {
  const requested = props.publishedPorts;
  const checks: Check[] = [
    [
      Number.isInteger(maxTraces) && maxTraces > 0,
      `jaeger.maxTraces: ${maxTraces} is not allowed; use a whole number greater than 0 (0 would mean unbounded)`,
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
