import * as yaml from "js-yaml";
import { Construct } from "constructs";
import { Duration } from "../alerts/duration";
import { K6_JOB } from "../alerts/catalog";
import { prometheusFlags } from "./prometheus";
import { MonitoringService, ResourceLimits, ScrapeTarget, ServiceContext, assertChecks, Check, isPort } from "./service";
import { IMAGES, ImageRef } from "./versions";

const PORT = 9090;

/** The series the stack's Prometheus federates from the receiver: k6's, nothing else a writer could send. */
export const K6_FEDERATE_MATCH = '{__name__=~"k6_.+"}';

/** Props of {@link LoadTestReceiver}. */
export interface LoadTestReceiverProps {
  /** Its networks: the stack's own only, never the application's. */
  readonly context: ServiceContext;
  /** Host port k6 writes to (`K6_PROMETHEUS_RW_SERVER_URL=http://127.0.0.1:<port>/api/v1/write`); `false` publishes nothing. @default 9091 */
  readonly publishedPort?: number | false;
  /** How long k6 results are kept here. @default 7d */
  readonly retentionTime?: Duration;
  /** @default 512 MiB, 0.5 CPU */
  readonly resources?: ResourceLimits;
  /** @default IMAGES.prometheus */
  readonly image?: ImageRef;
}

/**
 * Where k6 load tests write their results (`k6 run -o experimental-prometheus-rw`): a Prometheus of its
 * own with the remote-write receiver on, instead of the stack's Prometheus, whose receiver stays off.
 * A remote-write receiver takes any series from anyone who reaches it, and the stack's Prometheus is on
 * the application's network; this one is on the stack network only and published on the bind address
 * (loopback by default), so only the Docker host (where k6 runs) and the stack's own containers reach
 * it. The stack's Prometheus federates `k6_*` series from it (job `k6`), so alerts and dashboards read
 * them where they read everything else, and a forged non-k6 series never reaches it.
 */
export class LoadTestReceiver extends Construct {
  public readonly hostname: string;
  public readonly port = PORT;
  /** `http://k6-receiver:9090/api/v1/write` inside the stack network. */
  public readonly writeUrl: string;
  public readonly publishedPort: number | false;
  /** The federation job of the stack's Prometheus. */
  public readonly federateTarget: ScrapeTarget;
  public readonly config: string;
  public readonly service: MonitoringService;

  constructor(scope: Construct, id: string, props: LoadTestReceiverProps) {
    super(scope, id);
    this.publishedPort = props.publishedPort ?? 9091;
    const retentionTime = props.retentionTime ?? Duration.parse("7d");
    const checks: Check[] = [
      [this.publishedPort === false || isPort(this.publishedPort), `loadTesting.publishedPort: ${this.publishedPort} is not a port; allowed: 1-65535 or false`],
      [retentionTime.compare(Duration.parse("2h")) >= 0, `loadTesting.retentionTime: "${retentionTime}" is too short; allowed: at least 2h (one TSDB block)`],
    ];
    assertChecks(checks);
    // Nothing to scrape, no rules: it only receives.
    this.config = yaml.dump({ scrape_configs: [] }, { lineWidth: -1 });
    this.service = new MonitoringService(this, "service", {
      serviceName: "k6-receiver",
      context: props.context,
      image: props.image ?? IMAGES.prometheus,
      user: "65534:65534",
      command: prometheusFlags({
        configFile: "/etc/prometheus/prometheus.yml",
        dataPath: "/prometheus",
        retentionTime,
        retentionSize: "2GB",
        remoteWriteReceiver: true,
      }),
      configFiles: [{ path: "/etc/prometheus/prometheus.yml", content: this.config }],
      dataVolumes: [{ name: "data", containerPath: "/prometheus" }],
      publishedPorts: this.publishedPort ? [{ internal: PORT, external: this.publishedPort }] : [],
      healthcheck: { test: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${PORT}/-/healthy`] },
      resources: props.resources ?? { memoryMb: 512, cpus: 0.5 },
      readOnlyRootFilesystem: false,
    });
    this.hostname = this.service.hostname;
    this.writeUrl = `http://${this.hostname}:${PORT}/api/v1/write`;
    this.federateTarget = {
      job: K6_JOB,
      targets: [`${this.hostname}:${PORT}`],
      metricsPath: "/federate",
      params: { "match[]": [K6_FEDERATE_MATCH] },
      // No honor_labels: every federated series is job "k6" (a writer's own `job` becomes `exported_job`).
    };
  }
}
