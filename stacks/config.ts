import { Duration } from "../alerts/duration";
import type { SingleHostRuntime, SwarmRuntime } from "../constructs/runtime";
import type { SloKey } from "../alerts/thresholds";
import type { MetricDeclaration } from "../alerts/catalog";
import type { CustomRuleGroup } from "../alerts/custom";
import type { AlertOverride } from "../alerts/rule-set";
import { AlertRouting, Receiver } from "../constructs/alertmanager";
import { ResourceLimits } from "../constructs/service";
import type { AlloyContainerFilter } from "../constructs/alloy";
import type { LokiIngestionLimits } from "../constructs/loki";
import { ImageRef } from "../constructs/versions";
import { maskSecrets } from "../constructs/secret-mask";
import type { BackendConfig } from "./backend";
import type { DockerHostConfig } from "./docker-host";

/** A duration as a {@link Duration} or in Prometheus' text form (`"15s"`, `"1h30m"`). */
export type DurationLike = Duration | string;

/**
 * A secret, named by the sensitive Terraform variable that holds it. Only the variable's name is
 * written to `cdktf.out`; its value is given at plan/apply time (`TF_VAR_<name>`, a `.tfvars` file kept
 * out of git, or the CI's secret store).
 */
export interface SecretRef {
  /** Terraform variable name, e.g. `slack_api_url`. */
  readonly variable: string;
  /** Shown by `terraform plan` when the variable is missing. @default a generic description */
  readonly description?: string;
}

/** Shorthand for a {@link SecretRef}: `secret("slack_api_url")`. */
export function secret(variable: string, description?: string): SecretRef {
  return { variable, description };
}

/** Options shared by every service. */
export interface ServiceOptions {
  /** @default the service's own (see docs/services.md) */
  readonly resources?: ResourceLimits;
  /** @default the pin in constructs/versions.ts */
  readonly image?: ImageRef;
}

/** A service that can be left out. */
export interface OptionalServiceOptions extends ServiceOptions {
  /** @default true */
  readonly enabled?: boolean;
}

/**
 * One service of the application, discovered per replica: Prometheus resolves its name on the application
 * network at every refresh and scrapes each address as a target of its own (`service` = the name,
 * `instance` = `<replica address>:<port>`). A Compose service name works as it is: Docker's DNS answers it
 * with every running replica (`docker compose up --scale chat-server=5` gives five targets).
 */
export interface ApplicationService {
  /** The DNS name every replica answers: the Compose service name or a shared `--network-alias`. */
  readonly name: string;
  /** The port its metrics are served on. */
  readonly port: number;
  /** @default `application.metricsPath` */
  readonly metricsPath?: string;
}

/** The messenger application whose services Prometheus scrapes (the guide's `performance-metrics` job). */
export interface ApplicationOptions {
  /**
   * The services discovered per replica by DNS (docs/services.md, "Application discovery").
   * @default the guide's chat-server:8080, group-service:8083, presence-service:8081, notification-service:8082,
   * unless `targets` is given (then none)
   */
  readonly services?: readonly ApplicationService[];
  /**
   * `host:port` of services at static addresses (hosts outside Docker, one process each): scraped as
   * listed, `service` = the host. @default none
   */
  readonly targets?: readonly string[];
  /**
   * How often the service names are resolved again (`dns_sd_configs` refresh): a new replica is scraped
   * at most this long after it starts, and one that stopped leaves the targets as soon. @default 10s
   */
  readonly discoveryRefreshInterval?: DurationLike;
  /** @default 5s (the guide's) */
  readonly scrapeInterval?: DurationLike;
  /** @default "/metrics" */
  readonly metricsPath?: string;
  /**
   * The metrics the application exports: name, type, labels and histogram buckets. Every rule and
   * panel is checked against them at synth time (README, "Declaring your application's metrics").
   * @default the guide's `messenger_*` metrics (DEFAULT_APPLICATION_METRICS)
   */
  readonly metrics?: readonly MetricDeclaration[];
}

export interface PrometheusOptions extends ServiceOptions {
  /** Global scrape interval (the application job has its own). @default 15s */
  readonly scrapeInterval?: DurationLike;
  /** @default 15s */
  readonly evaluationInterval?: DurationLike;
  /** Oldest data kept (`--storage.tsdb.retention.time`); overrides `retention` for metrics. @default `retention` (15d) */
  readonly retentionTime?: DurationLike;
  /** Largest TSDB size kept, e.g. `10GB`; whichever limit is reached first applies. @default "10GB" */
  readonly retentionSize?: string;
  /** @default 100000 */
  readonly maxExemplars?: number;
  /** Host port, bound to `bindAddress`; `false` publishes nothing (the switch every service shares). @default 9090 */
  readonly publishedPort?: number | false;
  /**
   * The URL users reach Prometheus at (`--web.external-url`: links in alerts and the UI).
   * @default http://<bindAddress>:<publishedPort> (localhost for loopback and 0.0.0.0); none when unpublished
   */
  readonly externalUrl?: string;
  /**
   * On a swarm (`runtime.kind: "swarm"`): 2 runs an HA pair, identical but for their `replica` external
   * label, which is dropped from the alerts they send so that Alertmanager deduplicates. Each replica
   * keeps its own data on a node labelled `monitoring.prometheus=true`. @default 1
   */
  readonly replicas?: number;
}

export interface AlertmanagerOptions extends ServiceOptions {
  /** @default 30s */
  readonly groupWait?: DurationLike;
  /** @default 5m */
  readonly groupInterval?: DurationLike;
  /** @default 4h */
  readonly repeatInterval?: DurationLike;
  /**
   * Receivers; secrets are {@link SecretRef}s.
   * @default one receiver `default` without integrations (alerts show in the UI only; synth warns)
   */
  readonly receivers?: readonly Receiver<SecretRef>[];
  /** @default everything to the first receiver */
  readonly routing?: AlertRouting;
  /** Host port, bound to `bindAddress`; `false` publishes nothing. @default 9093 */
  readonly publishedPort?: number | false;
  /**
   * The URL users reach Alertmanager at (`--web.external-url`: the links in every notification).
   * @default http://<bindAddress>:<publishedPort> (localhost for loopback and 0.0.0.0); none when unpublished
   */
  readonly externalUrl?: string;
  /**
   * On a swarm: replicas of the Alertmanager cluster (gossip on `tasks.alertmanager:9094`), each on a
   * node labelled `monitoring.alertmanager=true`; Prometheus sends every alert to every replica. @default 3
   */
  readonly replicas?: number;
}

/**
 * Grafana. Disabling it removes the container and its dashboards; rules and scrape jobs stay.
 * (The end-to-end deploy disables it where Grafana cannot be built: docs/e2e.md.)
 */
export interface GrafanaOptions extends OptionalServiceOptions {
  /** Host port, bound to `bindAddress`; `false` publishes nothing. @default 3000 */
  readonly publishedPort?: number | false;
  /** @default http://<bindAddress>:<publishedPort>/ (localhost for loopback and 0.0.0.0) */
  readonly rootUrl?: string;
  /** @default "admin" */
  readonly adminUser?: string;
}

/** Loki. Disabling it also removes Alloy (which only ships to Loki) and Grafana's Loki datasource. */
export interface LokiOptions extends OptionalServiceOptions {
  /**
   * How long logs are kept; the compactor deletes older chunks. At least 24h. Overrides `retention` for logs.
   * @default `retention` (15d)
   */
  readonly retention?: DurationLike;
  /** Host port for Loki's API on `bindAddress`; `false` publishes nothing. @default none: Grafana and Alloy reach it inside the network */
  readonly publishedPort?: number | false;
  /**
   * Ingestion limits of the stack's one tenant (`limits_config`), each validated and rendered into Loki's
   * config. @default Loki 3.7's own: 4 MB/s, burst 6 MB, 3 MB/s per stream (burst 15 MB), 5000 streams,
   * 256 KB lines, nothing older than 7d
   */
  readonly limits?: LokiLimitsOptions;
}

/** Loki's ingestion limits, as {@link LokiIngestionLimits} with durations as text or {@link Duration}. */
export interface LokiLimitsOptions extends Omit<LokiIngestionLimits, "rejectOlderThan"> {
  /** `reject_old_samples_max_age`: lines older than this are refused. @default 7d */
  readonly rejectOlderThan?: DurationLike;
}

export interface AlloyOptions extends OptionalServiceOptions {
  /**
   * Which containers' logs Alloy reads, as Docker API filters: `label` (`key` or `key=value`) and/or
   * `network`. One Compose project only: `{ label: "com.docker.compose.project=chat" }` (the stack's own
   * containers are then left out too). @default every container on the Docker host, the stack's own included
   */
  readonly containerFilter?: AlloyContainerFilter;
}

export interface LoadTestingOptions extends ServiceOptions {
  /**
   * Run the k6 receiver (a Prometheus with the remote-write receiver, on the stack network only), federate
   * its `k6_*` series into the stack's Prometheus as job `k6`, and add the Load Testing dashboard. Off,
   * nothing accepts remote write. @default false
   */
  readonly enabled?: boolean;
  /** Host port k6 writes to, on `bindAddress`; `false` publishes nothing (k6 then runs on the stack network). @default 9091 */
  readonly publishedPort?: number | false;
  /** @default 7d */
  readonly retentionTime?: DurationLike;
}

export interface DockerSocketProxyOptions {
  /** The Docker socket on the host. @default "/var/run/docker.sock" */
  readonly socket?: string;
  /** Run as 65534:<gid of the host's docker group> instead of uid 0 without capabilities. @default none */
  readonly socketGroupId?: number;
  readonly resources?: ResourceLimits;
  readonly image?: ImageRef;
}

export interface JaegerOptions extends OptionalServiceOptions {
  /**
   * Where traces are kept: `"badger"` on the protected data volume `<volumePrefix>-jaeger-data` (they
   * survive every replacement and expire after the retention), or `"memory"` (the newest `maxTraces`,
   * lost whenever the container is replaced or restarted). @default "badger"
   */
  readonly storage?: "badger" | "memory";
  /** With `storage: "badger"`: how long spans are kept; overrides `retention` for traces. @default `retention` (15d) */
  readonly retention?: DurationLike;
  /** With `storage: "memory"` only: traces kept in memory; older ones are dropped. @default 50000 */
  readonly maxTraces?: number;
  /**
   * The UI's host port on `bindAddress`; `false` publishes nothing, neither the UI nor OTLP (the switch
   * every service shares). @default 16686
   */
  readonly publishedPort?: number | false;
  /** The older form of `publishedPort: false`: publish the UI and OTLP ports, for applications on the host. @default true */
  readonly publish?: boolean;
  /** Host ports. @default { ui: 16686, otlpGrpc: 4317, otlpHttp: 4318 } */
  readonly publishedPorts?: { readonly ui?: number; readonly otlpGrpc?: number; readonly otlpHttp?: number };
}

export interface PostgresExporterOptions extends OptionalServiceOptions {
  /** `host[:port]/database[?options]`, without user or password. @default "postgres:5432/postgres?sslmode=disable" */
  readonly uri?: string;
  /** The exporter's database user. @default "postgres_exporter" */
  readonly user?: string;
  /** Its password, uploaded as a file (`DATA_SOURCE_PASS_FILE`). @default secret("postgres_exporter_password") */
  readonly password?: SecretRef;
}

export interface RedisExporterOptions extends OptionalServiceOptions {
  /** @default "redis://redis:6379" */
  readonly address?: string;
  /** @default none (Redis without AUTH) */
  readonly password?: SecretRef;
  /**
   * Keep redis_exporter's `/scrape?target=` endpoint (no `--disable-scrape-endpoint`): only for an
   * `image` older than 1.83, which lacks that flag. @default false
   */
  readonly scrapeEndpoint?: boolean;
}

/** blackbox-exporter probing the application (WebSocket availability, health endpoints). */
export interface BlackboxExporterOptions extends OptionalServiceOptions {
  /** Health endpoint of every application target, probed for a 2xx. @default "/health" */
  readonly healthPath?: string;
  /**
   * `host:port` of the services that accept WebSocket connections; a host that is one of
   * `application.services` is probed on every replica. @default ["chat-server:8080"]
   */
  readonly websocketTargets?: readonly string[];
  /** WebSocket endpoint the upgrade probe asks for. @default "/ws" */
  readonly websocketPath?: string;
}

export interface MinioOptions {
  /** Scrape MinIO (the guide's media storage). @default false */
  readonly enabled?: boolean;
  /** @default ["minio:9000"] */
  readonly targets?: readonly string[];
  /** MinIO's v3 metrics API, which the metric catalog and the rules follow. @default "/minio/metrics/v3" */
  readonly metricsPath?: string;
}

export interface ExporterOptions {
  readonly node?: OptionalServiceOptions;
  readonly cadvisor?: OptionalServiceOptions;
  readonly postgres?: PostgresExporterOptions;
  readonly redis?: RedisExporterOptions;
  readonly minio?: MinioOptions;
  readonly blackbox?: BlackboxExporterOptions;
}

/** A change to one alert of the rule library, by alert name: `enabled`, `threshold`, `for`, `severity`. */
export type RuleOverride = AlertOverride;

export interface RuleOptions {
  /**
   * Rule groups of your own, each rendered into its own file, checked like the library's (PromQL syntax,
   * metric provenance, names). @default none
   */
  readonly additionalGroups?: readonly CustomRuleGroup[];
  /** Per alert: disable it or change its threshold, `for` or severity. @default none */
  readonly overrides?: Readonly<Record<string, RuleOverride>>;
  /**
   * An absolute http(s) URL of your own runbooks: links become `<runbookBaseUrl>#<alertname-lower-case>`.
   * @default each alert's own panel on the provisioned "Alert runbooks" Grafana dashboard at
   * `grafana.rootUrl`; without Grafana, the relative docs/alert-catalog.md (synth warns: it does not open
   * from a notification)
   */
  readonly runbookBaseUrl?: string;
  /**
   * The service level objectives and their multiwindow burn-rate alerts (docs/alert-catalog.md,
   * "slo-alerts"). Each field changes one SLO; `enabled: false` removes it with its rules.
   * @default HTTP availability 99.9%, HTTP latency 95% within 200ms, message delivery 95% within 500ms, over 30d
   */
  readonly slos?: Readonly<Partial<Record<SloKey, SloOptions>>>;
}

/** One service level objective. */
export interface SloOptions {
  /** @default true */
  readonly enabled?: boolean;
  /** Share of good events, e.g. 0.999 or 0.95. Above 1 - 1/14.4 (about 93.1%), so the fast burn alert can fire. */
  readonly objective?: number;
  /** The compliance window of the error budget. @default 30d */
  readonly window?: DurationLike;
  /** Latency SLOs: the target, which must be a bucket bound of the histogram (e.g. "200ms"). */
  readonly latencyThreshold?: DurationLike;
}

export interface NetworkOptions {
  /** The stack's own Docker network. @default the stack name */
  readonly name?: string;
  /**
   * Its subnet. Fixed so that node-exporter, on the host network, can listen on the gateway address
   * only. @default "172.30.0.0/24"
   */
  readonly subnet?: string;
  /**
   * An existing network of the application to join, so that targets resolve by container name.
   * Prometheus, Jaeger and blackbox-exporter join it (the database exporters do not: see
   * `databaseNetwork`). @default none
   */
  readonly applicationNetwork?: string;
  /**
   * The network on which postgres-exporter and redis-exporter reach the databases; the exporters do not
   * join the application network (postgres_exporter's `/probe` would let any application container make
   * it connect anywhere). The database containers join it under the host names of
   * `exporters.postgres.uri` and `exporters.redis.address` (synth prints them): with Compose, declare it as
   * an `external` network of the compose file (README, "Wiring into a Compose application").
   * @default "<stack name>-databases", created by the stack
   */
  readonly databaseNetwork?: string;
}

/**
 * The whole stack's configuration. Every field is optional; the defaults are the guide's values.
 */
export interface MonitoringConfig {
  /** Stack name: Terraform stack and container prefix (and volume prefix unless `volumePrefix` is set). @default the stack id */
  readonly name?: string;
  /**
   * Prefix of the data volumes' names (`<volumePrefix>-prometheus-data`, ...). A volume whose name changes
   * is replaced, which deletes its data: set this to the old prefix before renaming a deployed stack.
   * @default the stack name
   */
  readonly volumePrefix?: string;
  /**
   * Protects the data volumes (Prometheus' TSDB, Grafana's database, Alertmanager's silences): each gets
   * `lifecycle.prevent_destroy`, so a plan that would delete one fails, and synth checks every volume
   * against `data-volumes.lock.json` (see docs/services.md). `false` only for throw-away stacks (tests).
   * @default true
   */
  readonly dataProtection?: boolean;
  /**
   * Host address published ports bind to. Any address but loopback exposes every published port to the
   * network (synth warns, naming each); publish only what you mean to with each service's
   * `publishedPort` (`false` publishes nothing). @default "127.0.0.1"
   */
  readonly bindAddress?: string;
  /**
   * How long the stack keeps what it collects: metrics (Prometheus' `--storage.tsdb.retention.time`),
   * logs (Loki's `retention_period`) and traces (Jaeger's badger `ttl.spans`); e.g. `"30d"`. Each
   * service's own setting overrides it for that service (`prometheus.retentionTime`, `loki.retention`,
   * `jaeger.retention`), `prometheus.retentionSize` still caps the TSDB, and Jaeger's memory store keeps
   * traces by count instead. At least 24h (Loki's index period). Not the k6 receiver's `loadTesting.retentionTime`: its
   * results are federated into Prometheus, which keeps them for this long.
   * @default 15d (Prometheus' own default)
   */
  readonly retention?: DurationLike;
  readonly network?: NetworkOptions;
  /** json-file log rotation of every container. @default { maxSize: "10m", maxFiles: 3 } */
  readonly logging?: { readonly maxSize?: string; readonly maxFiles?: number };
  readonly application?: ApplicationOptions;
  readonly prometheus?: PrometheusOptions;
  readonly alertmanager?: AlertmanagerOptions;
  readonly grafana?: GrafanaOptions;
  readonly loki?: LokiOptions;
  readonly alloy?: AlloyOptions;
  /** k6 load tests: where their results are written, and the Load Testing dashboard. @default off */
  readonly loadTesting?: LoadTestingOptions;
  /**
   * The read-only Docker API gate for Alloy and cAdvisor (wollomatic/socket-proxy): deployed when either
   * is enabled; the only container that mounts the Docker socket. On a swarm one runs on every node,
   * reached by that node's readers through a unix socket on the node (docs/swarm.md).
   */
  readonly dockerSocketProxy?: DockerSocketProxyOptions;
  readonly jaeger?: JaegerOptions;
  readonly exporters?: ExporterOptions;
  readonly rules?: RuleOptions;
  /** Where Terraform keeps the state (see stacks/backend.ts). @default local file terraform.<stack id>.tfstate */
  readonly backend?: BackendConfig;
  /** The Docker daemon to deploy to (see stacks/docker-host.ts). @default the local socket */
  readonly dockerHost?: DockerHostConfig;
  readonly provenance?: ProvenanceOptions;
  /**
   * Where the services run: one Docker engine (`{ kind: "single-host" }`, the default: a container per
   * service), or a Docker Swarm through a manager (`{ kind: "swarm", nodes: [...] }`: a service per
   * service, agents on every node, an Alertmanager cluster; see README "Running on a swarm").
   */
  readonly runtime?: RuntimeOptions;
}

/** The runtime of the stack (constructs/runtime.ts). */
export type RuntimeOptions = SingleHostRuntime | SwarmRuntime;

/** The synth-time check that every query reads a metric some scraped target exports. */
export interface ProvenanceOptions {
  /**
   * How a latency threshold that is not a bucket boundary of its histogram is reported: such an alert
   * cannot fire exactly at its threshold. @default "error"
   */
  readonly bucketPolicy?: "error" | "warning";
}



/** An error in the stack config; its message lists every problem found, one per line. */
export class ConfigError extends Error {
  /** Every problem, secrets masked (`redis://:***@cache:6379`). */
  public readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const masked = problems.map(maskSecrets);
    super(`invalid monitoring config:\n${masked.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = masked;
  }
}

/**
 * Collects problems instead of stopping at the first, so that one synth shows everything to fix.
 */
export class Problems {
  private readonly list: string[] = [];

  /** Records a problem once: a check reached by two paths (rules and dashboards read the same overrides) is one line. */
  public add(problem: string): void {
    const masked = maskSecrets(problem);
    if (!this.list.includes(masked)) this.list.push(masked);
  }

  /** Runs `f`; an error it throws becomes a problem and `fallback` is returned. */
  public capture<T>(f: () => T, fallback: T): T {
    try {
      return f();
    } catch (e) {
      // A nested config error brings its own list; its header is not a problem.
      const lines = e instanceof ConfigError ? e.problems : (e as Error).message.split("\n");
      for (const line of lines) {
        this.add(line.replace(/^\s*- /, ""));
      }
      return fallback;
    }
  }

  /** A duration field: parsed, or a problem naming the field. */
  public duration(field: string, value: DurationLike | undefined, fallback: string): Duration {
    if (value instanceof Duration) {
      return value;
    }
    return this.capture(() => Duration.parse(value ?? fallback, field), Duration.parse(fallback));
  }

  /** Whether a problem was found: checks that depend on the whole config skip themselves then (no cascade). */
  public get any(): boolean {
    return this.list.length > 0;
  }

  public throwIfAny(): void {
    if (this.list.length > 0) {
      throw new ConfigError(this.list);
    }
  }
}

/** True for `a.b.c.d` with each part 0-255. */
export function isIPv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** `host:port` with a DNS name or IPv4 and a port 1-65535. */
export function isHostPort(text: string): boolean {
  const m = /^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/.exec(text);
  return m !== null && Number(m[3]) >= 1 && Number(m[3]) <= 65535;
}

/**
 * Parses an IPv4 CIDR such as `172.30.0.0/24` and returns its gateway (first host) address, or
 * undefined when the text is not a network address with a prefix between /16 and /28.
 */
export function subnetGateway(cidr: string): string | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m || !isIPv4(m[1])) {
    return undefined;
  }
  const prefix = Number(m[2]);
  if (prefix < 16 || prefix > 28) {
    return undefined;
  }
  const n = m[1].split(".").reduce((acc, p) => acc * 256 + Number(p), 0);
  if (n % 2 ** (32 - prefix) !== 0) {
    return undefined;
  }
  const gw = n + 1;
  return [24, 16, 8, 0].map((s) => Math.floor(gw / 2 ** s) % 256).join(".");
}

/** True for a Terraform identifier usable as a variable name. */
export function isTerraformIdentifier(text: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(text);
}
