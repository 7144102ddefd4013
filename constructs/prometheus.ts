import * as yaml from "js-yaml";
import { Construct } from "constructs";
import { Duration } from "../alerts/duration";
import { JOBS } from "../alerts/jobs";
import { IMAGES, ImageRef } from "./versions";
import { DnsDiscovery, MonitoringService, ResourceLimits, ScrapeTarget, ServiceContext, assertChecks, Check, isPort, publicHost, routePrefix, urlChecks } from "./service";

/** A rule file for Prometheus' `rule_files`. */
export interface RuleFile {
  /** File name only, e.g. `performance-alerts.rules.yml`. */
  readonly fileName: string;
  readonly content: string;
}

/** Options of {@link renderPrometheusConfig}: everything that differs between deployments is a parameter. */
export interface PrometheusConfigOptions {
  readonly scrapeInterval: Duration;
  readonly evaluationInterval: Duration;
  /** Per-scrape timeout. @default the smaller of 10s and the scrape interval */
  readonly scrapeTimeout?: Duration;
  /** Labels added to every alert and remote-written series, e.g. `{ stack: "monitoring" }`. */
  readonly externalLabels: Readonly<Record<string, string>>;
  /** Glob of the rule files inside the Prometheus container. */
  readonly ruleFilesGlob: string;
  /** `host:port` of each Alertmanager. */
  readonly alertmanagers: readonly string[];
  /** Alertmanagers found by DNS (every replica of a cluster, e.g. `tasks.alertmanager`). @default none */
  readonly alertmanagerDns?: { readonly name: string; readonly port: number; readonly refreshInterval: Duration };
  /**
   * An HA replica's own external label (`replica: "${PROMETHEUS_REPLICA}"`, expanded from the
   * environment by Prometheus 3), dropped from the alerts it sends, so that Alertmanager sees the two
   * replicas' alerts as one. @default none (a single Prometheus)
   */
  readonly replicaLabel?: { readonly name: string; readonly envVar: string };
  /** The path Alertmanager serves under (its external URL's path), e.g. "/alertmanager". @default "" */
  readonly alertmanagerPathPrefix?: string;
  readonly scrapeTargets: readonly ScrapeTarget[];
  /** Size of the in-memory exemplar ring buffer. */
  readonly maxExemplars: number;
}

/**
 * Renders prometheus.yml. Pure, so that the rehearsal (real Prometheus on loopback) and the Docker
 * stack run the same config with only addresses changed. Uses only fields that Prometheus 2.42 and 3.x
 * both accept.
 *
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/
 */
export function renderPrometheusConfig(options: PrometheusConfigOptions): string {
  const timeout =
    options.scrapeTimeout ??
    (options.scrapeInterval.compare(Duration.parse("10s")) < 0 ? options.scrapeInterval : Duration.parse("10s"));
  const jobs = new Set<string>();
  for (const t of options.scrapeTargets) {
    if (t.targetLabels && t.targetLabels.length !== t.targets.length) {
      throw new Error(`prometheus.scrapeTargets: job "${t.job}" has ${t.targets.length} targets but ${t.targetLabels.length} targetLabels entries`);
    }
    if (jobs.has(t.job)) {
      throw new Error(`prometheus.scrapeTargets: job "${t.job}" is defined twice; job names must be unique`);
    }
    jobs.add(t.job);
  }
  const config = {
    global: {
      scrape_interval: options.scrapeInterval.toString(),
      scrape_timeout: timeout.toString(),
      evaluation_interval: options.evaluationInterval.toString(),
      external_labels: {
        ...options.externalLabels,
        ...(options.replicaLabel ? { [options.replicaLabel.name]: `\${${options.replicaLabel.envVar}}` } : {}),
      },
    },
    rule_files: [options.ruleFilesGlob],
    alerting: {
      ...(options.replicaLabel ? { alert_relabel_configs: [{ action: "labeldrop", regex: options.replicaLabel.name }] } : {}),
      alertmanagers: [
        {
          api_version: "v2",
          ...(options.alertmanagerPathPrefix ? { path_prefix: options.alertmanagerPathPrefix } : {}),
          ...(options.alertmanagerDns
            ? {
                dns_sd_configs: [
                  { names: [options.alertmanagerDns.name], type: "A", port: options.alertmanagerDns.port, refresh_interval: options.alertmanagerDns.refreshInterval.toString() },
                ],
              }
            : { static_configs: [{ targets: [...options.alertmanagers] }] }),
        },
      ],
    },
    storage: { exemplars: { max_exemplars: options.maxExemplars } },
    scrape_configs: options.scrapeTargets.map((t) => {
      const interval = t.scrapeInterval;
      const relabel = [...(t.dns ? dnsRelabelConfigs(t.dns, t.labels) : []), ...(t.relabelConfigs ?? []).map((r) => ({ ...r }))];
      return {
        job_name: t.job,
        ...(interval ? { scrape_interval: interval.toString() } : {}),
        ...(interval && interval.compare(timeout) < 0 ? { scrape_timeout: interval.toString() } : {}),
        metrics_path: t.metricsPath ?? "/metrics",
        ...(t.params ? { params: Object.fromEntries(Object.entries(t.params).map(([k, v]) => [k, [...v]])) } : {}),
        ...(t.targets.length > 0 || !t.dns
          ? {
              static_configs: t.targetLabels
                ? t.targets.map((target, i) => ({ targets: [target], labels: { ...t.labels, ...t.targetLabels![i] } }))
                : [{ targets: [...t.targets], ...(t.labels ? { labels: { ...t.labels } } : {}) }],
            }
          : {}),
        ...(t.dns ? { dns_sd_configs: dnsSdConfigs(t.dns) } : {}),
        ...(relabel.length > 0 ? { relabel_configs: relabel } : {}),
      };
    }),
  };
  return yaml.dump(config, { lineWidth: -1, noRefs: true, sortKeys: false });
}

/** One `dns_sd_configs` entry per port (an entry has one port for all its names), in the order of first use. */
function dnsSdConfigs(dns: DnsDiscovery): object[] {
  const ports = [...new Set(dns.names.map((n) => n.port))];
  return ports.map((port) => ({
    names: dns.names.filter((n) => n.port === port).map((n) => n.name),
    type: "A",
    port,
    refresh_interval: dns.refreshInterval.toString(),
  }));
}

/**
 * Labels of DNS-discovered targets: the name they were found by (`service`), the job's static labels,
 * and a metrics path of their own. Static targets have no `__meta_dns_name`, so `(.+)` leaves them alone.
 */
function dnsRelabelConfigs(dns: DnsDiscovery, labels: Readonly<Record<string, string>> | undefined): object[] {
  // Relabel regexes are anchored: the escaped name matches itself only.
  const byName = (name: string) => name.replace(/\./g, "\\.");
  return [
    ...(dns.nameLabel ? [{ source_labels: ["__meta_dns_name"], regex: "(.+)", target_label: dns.nameLabel }] : []),
    ...Object.entries(labels ?? {}).map(([k, v]) => ({ source_labels: ["__meta_dns_name"], regex: ".+", target_label: k, replacement: v })),
    ...dns.names
      .filter((n) => n.metricsPath !== undefined)
      .map((n) => ({ source_labels: ["__meta_dns_name"], regex: byName(n.name), target_label: "__metrics_path__", replacement: n.metricsPath })),
  ];
}

/** Options of {@link prometheusFlags}. */
export interface PrometheusFlagOptions {
  readonly configFile: string;
  readonly dataPath: string;
  readonly retentionTime: Duration;
  /** Prometheus size form: `10GB`, `512MB`. */
  readonly retentionSize: string;
  readonly remoteWriteReceiver: boolean;
  /** e.g. `0.0.0.0:9090` @default Prometheus' own (`0.0.0.0:9090`) */
  readonly listenAddress?: string;
  /** URL under which users reach Prometheus (links in alerts). @default none */
  readonly externalUrl?: string;
}

/** The command-line flags of Prometheus; shared by the container and the rehearsal. */
export function prometheusFlags(o: PrometheusFlagOptions): string[] {
  return [
    `--config.file=${o.configFile}`,
    `--storage.tsdb.path=${o.dataPath}`,
    // Both limits: whichever is reached first deletes the oldest blocks, so the disk cannot silently fill.
    `--storage.tsdb.retention.time=${o.retentionTime.toString()}`,
    `--storage.tsdb.retention.size=${o.retentionSize}`,
    // Exemplars link latency histograms to Jaeger traces in Grafana.
    "--enable-feature=exemplar-storage",
    ...(o.remoteWriteReceiver ? ["--web.enable-remote-write-receiver"] : []),
    ...(o.listenAddress ? [`--web.listen-address=${o.listenAddress}`] : []),
    ...(o.externalUrl ? [`--web.external-url=${o.externalUrl}`] : []),
  ];
}

/** Props of {@link Prometheus}. */
export interface PrometheusProps {
  readonly context: ServiceContext;
  /** Targets to scrape besides Prometheus itself. */
  readonly scrapeTargets: readonly ScrapeTarget[];
  /** Rule files, uploaded to /etc/prometheus/rules/. @default none */
  readonly ruleFiles?: readonly RuleFile[];
  /** `host:port` of each Alertmanager. @default none */
  readonly alertmanagers?: readonly string[];
  /** Alertmanager's route prefix (`Alertmanager.routePrefix`). @default "" */
  readonly alertmanagerPathPrefix?: string;
  /** Alertmanagers found by DNS instead of `alertmanagers` (a cluster's tasks). @default none */
  readonly alertmanagerDns?: PrometheusConfigOptions["alertmanagerDns"];
  /**
   * Replicas on a cluster runtime: 2 is an HA pair with identical configs that differ only in their
   * `replica` external label (dropped before alerts are sent, so Alertmanager deduplicates), each
   * scraping everything. Ignored on the single host. @default 1
   */
  readonly replicas?: number;
  /** @default 15s */
  readonly scrapeInterval?: Duration;
  /** @default 15s */
  readonly evaluationInterval?: Duration;
  /** @default 15d */
  readonly retentionTime?: Duration;
  /** Size limit of the TSDB, e.g. `10GB`. @default "10GB" */
  readonly retentionSize?: string;
  /**
   * Accept remote write. Off: anyone on its networks (the application's included) could forge series;
   * k6 writes to the stack's LoadTestReceiver instead. @default false
   */
  readonly remoteWriteReceiver?: boolean;
  /** @default 100000 */
  readonly maxExemplars?: number;
  /** Host port for the UI/API, bound to the context's bind address; `false` publishes nothing. @default 9090 */
  readonly publishedPort?: number | false;
  /** @default http://<bindAddress>:<publishedPort> (localhost for 0.0.0.0); none when unpublished */
  readonly externalUrl?: string;
  /** @default { memoryMb: 2048, cpus: 1 } */
  readonly resources?: ResourceLimits;
  /** @default IMAGES.prometheus */
  readonly image?: ImageRef;
}

const SIZE = /^\d+(B|KB|MB|GB|TB|PB|EB)$/;

/**
 * Prometheus: scrapes every target of the stack and itself, evaluates the rule files and sends alerts
 * to Alertmanager. Data lives on a named volume; config and rules are reviewable files, and a change to
 * any of them replaces the container (not the volume).
 */
export class Prometheus extends Construct {
  public static readonly PORT = 9090;
  /** The external label that tells the replicas of an HA pair apart. */
  public static readonly REPLICA_LABEL = "replica";
  /** 1, or 2 for an HA pair (cluster runtimes only). */
  public readonly replicas: number;
  public readonly hostname: string;
  public readonly port = Prometheus.PORT;
  /** URL inside the stack network, e.g. `http://prometheus:9090`. */
  public readonly url: string;
  /** The path it serves under: its external URL's path, "" for none. */
  public readonly routePrefix: string;
  public readonly scrapeInterval: Duration;
  public readonly evaluationInterval: Duration;
  public readonly retentionTime: Duration;
  public readonly retentionSize: string;
  /** The rendered prometheus.yml. */
  public readonly config: string;
  /** What {@link config} was rendered from; the rehearsal re-renders it with loopback addresses and local paths. */
  public readonly configOptions: PrometheusConfigOptions;
  /** What the container's flags were built from; the rehearsal swaps only paths and listen address. */
  public readonly flagOptions: PrometheusFlagOptions;
  public readonly service: MonitoringService;
  /**
   * Where users reach Prometheus (`--web.external-url`): `externalUrl`, else the published port on the
   * bind address; undefined when nothing is published and no URL is configured.
   */
  public readonly externalUrl?: string;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    this.scrapeInterval = props.scrapeInterval ?? Duration.parse("15s");
    this.evaluationInterval = props.evaluationInterval ?? Duration.parse("15s");
    this.retentionTime = props.retentionTime ?? Duration.parse("15d");
    this.retentionSize = props.retentionSize ?? "10GB";
    const maxExemplars = props.maxExemplars ?? 100000;
    const publishedPort = props.publishedPort ?? Prometheus.PORT;
    const checks: Check[] = [
      [!this.scrapeInterval.isZero(), `prometheus.scrapeInterval: "0s" is not allowed; use a positive duration such as "15s"`],
      [!this.evaluationInterval.isZero(), `prometheus.evaluationInterval: "0s" is not allowed; use a positive duration such as "15s"`],
      [this.retentionTime.compare(Duration.parse("2h")) >= 0, `prometheus.retentionTime: "${this.retentionTime}" is too short; allowed: at least 2h (one TSDB block)`],
      [SIZE.test(this.retentionSize), `prometheus.retentionSize: "${this.retentionSize}" is not a size; use a whole number with B, KB, MB, GB, TB, PB or EB, e.g. "10GB"`],
      [Number.isInteger(maxExemplars) && maxExemplars >= 0, `prometheus.maxExemplars: ${maxExemplars} must be a whole number >= 0`],
      [publishedPort === false || isPort(publishedPort), `prometheus.publishedPort: ${publishedPort} is not a port; allowed: 1-65535`],
      ...(props.externalUrl !== undefined ? urlChecks("prometheus.externalUrl", props.externalUrl) : []),
    ];
    assertChecks(checks);

    this.hostname = "prometheus";
    // Links Prometheus writes (alert generator URLs) must open where users reach it: the published port on
    // the bind address, unless the config names the URL.
    this.externalUrl = props.externalUrl ?? (publishedPort ? `http://${publicHost(props.context.bindAddress)}:${publishedPort}` : undefined);
    // With a path in the external URL Prometheus serves under it: clients, the self-scrape and the
    // healthcheck go there too.
    const prefix = routePrefix(props.externalUrl);
    this.routePrefix = prefix;
    this.url = `http://${this.hostname}:${this.port}${prefix}`;
    const ruleFiles = props.ruleFiles ?? [];
    for (const f of ruleFiles) {
      if (!/^[A-Za-z0-9._-]+\.ya?ml$/.test(f.fileName)) {
        throw new Error(`prometheus.ruleFiles: "${f.fileName}" must be a plain file name ending in .yml or .yaml`);
      }
    }
    const swarm = props.context.runtime?.kind === "swarm";
    const replicas = swarm ? (props.replicas ?? 1) : 1;
    if (!(Number.isInteger(replicas) && replicas >= 1 && replicas <= 2)) {
      throw new Error(`prometheus.replicas: ${props.replicas} is not allowed; allowed: 1 (one Prometheus) or 2 (an HA pair)`);
    }
    this.replicas = replicas;
    const metricsPath = prefix ? { metricsPath: `${prefix}/metrics` } : {};
    // An HA pair scrapes both replicas (each sees the other go down); one Prometheus scrapes itself.
    const self: ScrapeTarget =
      replicas > 1
        ? { job: JOBS.prometheus, targets: [], dns: { names: [{ name: `tasks.${this.hostname}`, port: this.port }], refreshInterval: Duration.parse("10s") }, ...metricsPath }
        : { job: JOBS.prometheus, targets: [`localhost:${this.port}`], ...metricsPath };
    this.configOptions = {
      scrapeInterval: this.scrapeInterval,
      evaluationInterval: this.evaluationInterval,
      externalLabels: { stack: props.context.namePrefix },
      ruleFilesGlob: "/etc/prometheus/rules/*.yml",
      alertmanagers: props.alertmanagers ?? [],
      ...(props.alertmanagerDns ? { alertmanagerDns: props.alertmanagerDns } : {}),
      ...(replicas > 1 ? { replicaLabel: { name: Prometheus.REPLICA_LABEL, envVar: "PROMETHEUS_REPLICA" } } : {}),
      alertmanagerPathPrefix: props.alertmanagerPathPrefix,
      maxExemplars,
      scrapeTargets: [self, ...props.scrapeTargets],
    };
    this.config = renderPrometheusConfig(this.configOptions);
    this.flagOptions = {
      configFile: "/etc/prometheus/prometheus.yml",
      dataPath: "/prometheus",
      retentionTime: this.retentionTime,
      retentionSize: this.retentionSize,
      remoteWriteReceiver: props.remoteWriteReceiver ?? false,
      externalUrl: this.externalUrl,
    };

    this.service = new MonitoringService(this, "service", {
      serviceName: this.hostname,
      context: props.context,
      image: props.image ?? IMAGES.prometheus,
      user: "65534:65534",
      command: prometheusFlags(this.flagOptions),
      ...(replicas > 1 ? { env: { PROMETHEUS_REPLICA: "{{.Task.Slot}}" } } : {}),
      scheduling: { mode: "replicated", replicas },
      configFiles: [
        { path: "/etc/prometheus/prometheus.yml", content: this.config },
        ...ruleFiles.map((f) => ({ path: `/etc/prometheus/rules/${f.fileName}`, content: f.content })),
      ],
      dataVolumes: [{ name: "data", containerPath: "/prometheus" }],
      publishedPorts: publishedPort ? [{ internal: this.port, external: publishedPort }] : [],
      healthcheck: { test: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${this.port}${prefix}/-/healthy`] },
      resources: props.resources ?? { memoryMb: 2048, cpus: 1 },
      // Config arrives by upload, which Docker refuses on a read-only root filesystem.
      readOnlyRootFilesystem: false,
    });
  }
}
