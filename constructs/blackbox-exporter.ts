import * as yaml from "js-yaml";
import { Construct } from "constructs";
import { JOBS, SERVICE_LABEL, serviceOfTarget } from "../alerts/jobs";
import { Duration } from "../alerts/duration";
import { DnsName, MonitoringService, ResourceLimits, ScrapeTarget, ServiceContext, assertChecks, Check } from "./service";
import { IMAGES, ImageRef } from "./versions";

/** The exporter's listen port. */
const PORT = 9115;
const CONFIG_PATH = "/etc/blackbox_exporter/config.yml";

/** The probe modules of the rendered config. */
export const BLACKBOX_MODULES = { health: "http_health", websocket: "websocket_upgrade" } as const;

/** Props of {@link BlackboxExporter}. */
export interface BlackboxExporterProps {
  readonly context: ServiceContext;
  /** `host:port` of every application service at a static address whose health endpoint is probed. */
  readonly healthTargets: readonly string[];
  /** Path of the services' health endpoint. @default "/health" */
  readonly healthPath?: string;
  /** `host:port` of the services at a static address that accept WebSocket connections. */
  readonly websocketTargets: readonly string[];
  /**
   * Services found by DNS: every replica's health endpoint (`health`) and WebSocket upgrade (`websocket`)
   * is probed, each replica with the instance `<address>:<port>` its application series carry.
   * @default none
   */
  readonly discovery?: {
    readonly health: readonly DnsName[];
    readonly websocket: readonly DnsName[];
    readonly refreshInterval: Duration;
  };
  /** Path of the WebSocket endpoint. @default "/ws" */
  readonly websocketPath?: string;
  /** @default IMAGES.blackboxExporter */
  readonly image?: ImageRef;
  /** @default 64 MiB, 0.25 CPU */
  readonly resources?: ResourceLimits;
}

/**
 * The blackbox.yml: an HTTP GET of the health endpoint that must answer 2xx, and a WebSocket upgrade
 * (the HTTP/1.1 handshake of RFC 6455 over TCP) that must answer `101 Switching Protocols`: uptime as
 * a client sees it, not a count of connections.
 *
 * @see https://github.com/prometheus/blackbox_exporter/blob/master/CONFIGURATION.md
 */
export function renderBlackboxConfig(websocketPath: string): string {
  const handshake = [
    `GET ${websocketPath} HTTP/1.1`,
    "Host: monitoring-probe",
    "Upgrade: websocket",
    "Connection: Upgrade",
    // The RFC 6455 sample key: any 16-byte base64 value will do for a probe.
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    "",
    "",
  ].join("\r\n");
  const config = {
    modules: {
      [BLACKBOX_MODULES.health]: {
        prober: "http",
        timeout: "5s",
        http: { method: "GET", valid_status_codes: [], preferred_ip_protocol: "ip4", follow_redirects: false },
      },
      [BLACKBOX_MODULES.websocket]: {
        prober: "tcp",
        timeout: "5s",
        tcp: {
          preferred_ip_protocol: "ip4",
          query_response: [{ send: handshake }, { expect: "^HTTP/1\\.1 101 " }],
        },
      },
    },
  };
  return yaml.dump(config, { lineWidth: -1, noRefs: true });
}

/**
 * prom/blackbox-exporter probing the application: its health endpoints and the WebSocket upgrade, so
 * that LowWebSocketAvailability measures uptime (`avg_over_time(probe_success[15m])`) as the guide
 * means it. Joins the application network; publishes nothing; healthcheck `wget /-/healthy`.
 *
 * @see https://github.com/prometheus/blackbox_exporter
 */
export class BlackboxExporter extends Construct {
  public readonly hostname: string;
  public readonly port = PORT;
  /** The two probe jobs (health, WebSocket), each relabelled through the exporter. */
  public readonly scrapeTargets: readonly ScrapeTarget[];
  public readonly service: MonitoringService;
  public readonly config: string;

  constructor(scope: Construct, id: string, props: BlackboxExporterProps) {
    super(scope, id);
    const healthPath = props.healthPath ?? "/health";
    const websocketPath = props.websocketPath ?? "/ws";
    const checks: Check[] = [
      [/^\/[A-Za-z0-9._~\/-]*$/.test(healthPath), `exporters.blackbox.healthPath: "${healthPath}" must be a path such as "/health"`],
      [/^\/[A-Za-z0-9._~\/-]*$/.test(websocketPath), `exporters.blackbox.websocketPath: "${websocketPath}" must be a path such as "/ws"`],
    ];
    assertChecks(checks);
    this.config = renderBlackboxConfig(websocketPath);
    this.service = new MonitoringService(this, "service", {
      serviceName: "blackbox-exporter",
      context: props.context,
      image: props.image ?? IMAGES.blackboxExporter,
      command: [`--config.file=${CONFIG_PATH}`, `--web.listen-address=:${PORT}`],
      configFiles: [{ path: CONFIG_PATH, content: this.config }],
      healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${PORT}/-/healthy`] },
      resources: props.resources ?? { memoryMb: 64, cpus: 0.25 },
      // Uploaded config needs a writable root (Docker's archive API), as for the other configured services.
      readOnlyRootFilesystem: false,
    });
    this.hostname = this.service.hostname;
    const exporter = `${this.hostname}:${PORT}`;
    const discovery = props.discovery;
    const probe = (job: string, module: string, targets: readonly string[], names: readonly DnsName[], path: string): ScrapeTarget => {
      const url = (address: string) => (module === BLACKBOX_MODULES.health ? `http://${address}${path}` : address);
      // A discovered replica (it has a DNS name) is probed at its own address, and keeps that address as
      // its instance, as its application series do.
      const replica = { source_labels: ["__meta_dns_name", "__address__"], regex: "(.+);(.+)" };
      return {
        job,
        targets: targets.map(url),
        targetLabels: targets.map((t) => ({ [SERVICE_LABEL]: serviceOfTarget(t) })),
        ...(names.length > 0 && discovery ? { dns: { names, refreshInterval: discovery.refreshInterval, nameLabel: SERVICE_LABEL } } : {}),
        metricsPath: "/probe",
        params: { module: [module] },
        // The target becomes the probe's parameter and instance; Prometheus scrapes the exporter.
        relabelConfigs: [
          { source_labels: ["__address__"], target_label: "__param_target" },
          { source_labels: ["__param_target"], target_label: "instance" },
          ...(names.length > 0
            ? [
                { ...replica, target_label: "__param_target", replacement: url("$2") },
                { ...replica, target_label: "instance", replacement: "$2" },
              ]
            : []),
          { target_label: "__address__", replacement: exporter },
        ],
      };
    };
    this.scrapeTargets = [
      probe(JOBS.probeHealth, BLACKBOX_MODULES.health, props.healthTargets, discovery?.health ?? [], healthPath),
      probe(JOBS.probeWebsocket, BLACKBOX_MODULES.websocket, props.websocketTargets, discovery?.websocket ?? [], websocketPath),
    ];
  }
}
