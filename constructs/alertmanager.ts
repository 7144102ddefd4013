import * as yaml from "js-yaml";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { Duration } from "../alerts/duration";
import { JOBS, NODE_LABEL, SERVICE_LABEL } from "../alerts/jobs";
import { OBJECT_LABELS, OUTAGE_LABEL, OUTAGES, SYMPTOM_LABEL, SYMPTOM_ROLE_LABEL } from "../alerts/model";
import { IMAGES, ImageRef } from "./versions";
import { MonitoringService, ResourceLimits, ScrapeTarget, SecretFile, ServiceContext, assertChecks, isPort, publicHost, routePrefix, urlChecks } from "./service";
import { hasUserInfoSecret, maskSecrets } from "./secret-mask";

/**
 * A webhook receiver. A URL that carries a token must be given as `urlSecret` (written to a file and
 * referenced by `url_file`, Alertmanager 0.26 and later); `url` is for internal endpoints and appears in
 * the rendered config.
 */
export interface WebhookReceiver<S = string> {
  /** Plain URL, visible in the rendered config. One of `url` or `urlSecret` is required. */
  readonly url?: string;
  /** A Terraform token (sensitive variable) resolving to the URL. */
  readonly urlSecret?: S;
  /** @default true */
  readonly sendResolved?: boolean;
}

/** A Slack receiver; the webhook URL is a secret. */
export interface SlackReceiver<S = string> {
  /** A Terraform token resolving to the incoming-webhook URL. */
  readonly apiUrl: S;
  /** e.g. `#alerts`. */
  readonly channel: string;
  /** @default true */
  readonly sendResolved?: boolean;
}

/** A PagerDuty (Events API v2) receiver. */
export interface PagerDutyReceiver<S = string> {
  /** A Terraform token resolving to the integration's routing key. */
  readonly routingKey: S;
  /** @default true */
  readonly sendResolved?: boolean;
}

/** An email receiver. */
export interface EmailReceiver<S = string> {
  readonly to: string;
  readonly from: string;
  /** `host:port` of the SMTP server. */
  readonly smarthost: string;
  /** @default no authentication */
  readonly authUsername?: string;
  /** A Terraform token resolving to the SMTP password. Required with `authUsername`. */
  readonly authPassword?: S;
  /** @default true */
  readonly requireTls?: boolean;
  /** @default false */
  readonly sendResolved?: boolean;
}

/**
 * A named Alertmanager receiver with any number of integrations. `S` is how a secret is given: a
 * Terraform token for the construct, a {@link SecretRef}-like reference in the stack config.
 */
export interface Receiver<S = string> {
  /** Unique name, referenced by {@link AlertRouting}. */
  readonly name: string;
  readonly webhooks?: readonly WebhookReceiver<S>[];
  readonly slack?: readonly SlackReceiver<S>[];
  readonly pagerduty?: readonly PagerDutyReceiver<S>[];
  readonly email?: readonly EmailReceiver<S>[];
}

/** Which receiver gets which alerts. */
export interface AlertRouting {
  /** Receiver of everything not matched below. */
  readonly defaultReceiver: string;
  /** Receiver of `severity="critical"`. @default the default receiver */
  readonly critical?: string;
  /** Receiver of `severity="warning"`. @default the default receiver */
  readonly warning?: string;
  /**
   * Receiver of the always-firing Watchdog (a dead man's switch such as a heartbeat URL).
   * @default none: Watchdog is dropped by a receiver without integrations
   */
  readonly heartbeat?: string;
}

/** Notification timing, with Alertmanager's vocabulary. */
export interface NotificationTiming {
  /** @default 30s */
  readonly groupWait?: Duration;
  /** @default 5m */
  readonly groupInterval?: Duration;
  /** @default 4h */
  readonly repeatInterval?: Duration;
}

/** A receiver whose secrets have been turned into file paths: the input of {@link renderAlertmanagerConfig}. */
export interface RenderedReceiver {
  readonly name: string;
  readonly webhooks?: ReadonlyArray<{ url?: string; urlFile?: string; sendResolved: boolean }>;
  readonly slack?: ReadonlyArray<{ apiUrlFile: string; channel: string; sendResolved: boolean }>;
  readonly pagerduty?: ReadonlyArray<{ routingKeyFile: string; sendResolved: boolean }>;
  readonly email?: ReadonlyArray<{
    to: string;
    from: string;
    smarthost: string;
    authUsername?: string;
    authPasswordFile?: string;
    requireTls: boolean;
    sendResolved: boolean;
  }>;
}

/** Options of {@link renderAlertmanagerConfig}. */
export interface AlertmanagerConfigOptions {
  /** A cluster's NodeDown (`outage="node"`) silences the alerts of its node. @default false (one host) */
  readonly nodeOutages?: boolean;
  readonly receivers: readonly RenderedReceiver[];
  readonly routing: AlertRouting;
  readonly groupWait: Duration;
  readonly groupInterval: Duration;
  readonly repeatInterval: Duration;
}

/** Labels that group alerts into one notification: one per alert and object (service or instance). */
export const GROUP_BY = ["alertname", "service", "instance"] as const;
/** What an inhibiting alert must share with the one it silences: the symptom and the whole object identity. */
export const INHIBIT_EQUAL = [SYMPTOM_LABEL, ...OBJECT_LABELS] as const;
/** Receiver without integrations; the Watchdog goes there when no heartbeat receiver is configured. */
export const BLACKHOLE = "blackhole";

/**
 * Renders alertmanager.yml: routes by severity, groups by alertname+instance, and lets a critical alert
 * inhibit its warning twin. Pure, shared by the container and the rehearsal.
 *
 * @see https://prometheus.io/docs/alerting/latest/configuration/
 */
export function renderAlertmanagerConfig(o: AlertmanagerConfigOptions): string {
  const receivers = [...o.receivers];
  if (!o.routing.heartbeat && !receivers.some((r) => r.name === BLACKHOLE)) {
    receivers.push({ name: BLACKHOLE });
  }
  const config = {
    route: {
      receiver: o.routing.defaultReceiver,
      group_by: [...GROUP_BY],
      group_wait: o.groupWait.toString(),
      group_interval: o.groupInterval.toString(),
      repeat_interval: o.repeatInterval.toString(),
      routes: [
        {
          receiver: o.routing.heartbeat ?? BLACKHOLE,
          matchers: ['alertname="Watchdog"'],
          // The heartbeat must arrive regularly, not every few hours, for a dead man's switch to work.
          group_wait: "0s",
          group_interval: "1m",
          repeat_interval: "1m",
        },
        { receiver: o.routing.critical ?? o.routing.defaultReceiver, matchers: ['severity="critical"'] },
        { receiver: o.routing.warning ?? o.routing.defaultReceiver, matchers: ['severity="warning"'] },
      ],
    },
    inhibit_rules: [
      // A critical alert silences its warning twin: the same symptom on the same object (HighErrorRate
      // over ElevatedErrorRate of one service). The target must carry the label: equal labels that both
      // lack would match anything.
      {
        source_matchers: ['severity="critical"', `${SYMPTOM_LABEL}=~".+"`],
        target_matchers: ['severity="warning"', `${SYMPTOM_LABEL}=~".+"`],
        equal: [...INHIBIT_EQUAL],
      },
      // Two alerts of one symptom and one severity: the primary speaks (HighMessageLatency over
      // HighNetworkLatency, which the guide computes from the same series).
      {
        source_matchers: [`${SYMPTOM_LABEL}=~".+"`, `${SYMPTOM_ROLE_LABEL}="primary"`],
        target_matchers: [`${SYMPTOM_LABEL}=~".+"`, `${SYMPTOM_ROLE_LABEL}="secondary"`],
        equal: [...INHIBIT_EQUAL],
      },
      // A service with no replica up (ServiceDown) silences that service's other alerts: its probes fail,
      // its replicas are missing, its errors and latency have no data or only the last replica's.
      {
        source_matchers: [`${OUTAGE_LABEL}="${OUTAGES.service}"`],
        target_matchers: [`${SERVICE_LABEL}=~".+"`, `${OUTAGE_LABEL}=""`],
        equal: [SERVICE_LABEL],
      },
      // The whole application out (ApplicationDown) pages once, not once per service.
      {
        source_matchers: [`${OUTAGE_LABEL}="${OUTAGES.application}"`],
        target_matchers: [`${OUTAGE_LABEL}="${OUTAGES.service}"`],
        equal: ["job"],
      },
      // On a cluster, a lost node (NodeDown) silences the other alerts of that node (its targets down).
      ...(o.nodeOutages
        ? [{ source_matchers: [`${OUTAGE_LABEL}="${OUTAGES.node}"`], target_matchers: [`${NODE_LABEL}=~".+"`, `${OUTAGE_LABEL}=""`], equal: [NODE_LABEL] }]
        : []),
    ],
    receivers: receivers.map((r) => ({
      name: r.name,
      ...(r.webhooks?.length
        ? {
            webhook_configs: r.webhooks.map((w) => ({
              ...(w.url ? { url: w.url } : { url_file: w.urlFile }),
              send_resolved: w.sendResolved,
            })),
          }
        : {}),
      ...(r.slack?.length
        ? {
            slack_configs: r.slack.map((s) => ({
              api_url_file: s.apiUrlFile,
              channel: s.channel,
              send_resolved: s.sendResolved,
              title: '{{ if eq .Status "firing" }}[{{ .CommonLabels.severity | toUpper }}]{{ else }}[RESOLVED]{{ end }} {{ .CommonLabels.alertname }}',
              text: "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}",
            })),
          }
        : {}),
      ...(r.pagerduty?.length
        ? {
            pagerduty_configs: r.pagerduty.map((p) => ({
              routing_key_file: p.routingKeyFile,
              send_resolved: p.sendResolved,
              description: "{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}",
              // The on-call engineer's first click: the runbook of the (first) alert.
              links: [{ href: "{{ (index .Alerts 0).Annotations.runbook_url }}", text: "Runbook" }],
            })),
          }
        : {}),
      ...(r.email?.length
        ? {
            email_configs: r.email.map((e) => ({
              to: e.to,
              from: e.from,
              smarthost: e.smarthost,
              ...(e.authUsername ? { auth_username: e.authUsername, auth_password_file: e.authPasswordFile } : {}),
              require_tls: e.requireTls,
              send_resolved: e.sendResolved,
            })),
          }
        : {}),
    })),
  };
  return yaml.dump(config, { lineWidth: -1, noRefs: true });
}

/** Options of {@link alertmanagerFlags}. */
export interface AlertmanagerFlagOptions {
  readonly configFile: string;
  readonly dataPath: string;
  /** @default Alertmanager's own (`:9093`) */
  readonly listenAddress?: string;
  /** @default none */
  readonly externalUrl?: string;
  /** Cluster listen address; `""` disables clustering (a single instance). @default "" */
  readonly clusterListenAddress?: string;
}

/** The command-line flags of Alertmanager; shared by the container and the rehearsal. */
export function alertmanagerFlags(o: AlertmanagerFlagOptions): string[] {
  return [
    `--config.file=${o.configFile}`,
    `--storage.path=${o.dataPath}`,
    // A single instance: gossip would only listen on another port for peers that do not exist.
    `--cluster.listen-address=${o.clusterListenAddress ?? ""}`,
    ...(o.listenAddress ? [`--web.listen-address=${o.listenAddress}`] : []),
    ...(o.externalUrl ? [`--web.external-url=${o.externalUrl}`] : []),
  ];
}

/** Props of {@link Alertmanager}. */
export interface AlertmanagerProps extends NotificationTiming {
  readonly context: ServiceContext;
  /** At least one receiver. */
  readonly receivers: readonly Receiver[];
  readonly routing: AlertRouting;
  /** Host port for the UI/API on the context's bind address; `false` publishes nothing. @default 9093 */
  readonly publishedPort?: number | false;
  /** @default http://<bindAddress>:<publishedPort> (localhost for 0.0.0.0); none when unpublished */
  readonly externalUrl?: string;
  /** @default { memoryMb: 256, cpus: 0.25 } */
  readonly resources?: ResourceLimits;
  /** @default IMAGES.alertmanager */
  readonly image?: ImageRef;
  /**
   * Replicas on a cluster runtime, gossiping on `tasks.alertmanager:9094` (silences, notification log),
   * so any replica may fail. Ignored on the single host (one Alertmanager, gossip off). @default 3
   */
  readonly replicas?: number;
}

/** Alertmanager's gossip port (`--cluster.listen-address`). */
export const CLUSTER_PORT = 9094;

/** Quotes one word for `sh -c` (single quotes; a single quote inside is closed, escaped and reopened). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

const SECRET_DIR = "/etc/alertmanager/secrets";

/**
 * Alertmanager with severity routing, grouping and inhibition. Receiver secrets never reach
 * `cdktf.out`: each is uploaded from a Terraform token into its own file, referenced by a `*_file` field.
 */
export class Alertmanager extends Construct {
  public static readonly PORT = 9093;
  public readonly hostname = "alertmanager";
  public readonly port = Alertmanager.PORT;
  public readonly url: string;
  /** The path it serves under: its external URL's path, "" for none. */
  public readonly routePrefix: string;
  /** `host:port` for Prometheus' alerting config. */
  public readonly address: string;
  public readonly groupWait: Duration;
  public readonly groupInterval: Duration;
  public readonly repeatInterval: Duration;
  public readonly config: string;
  public readonly scrapeTarget: ScrapeTarget;
  public readonly service: MonitoringService;
  /** Replicas of the cluster; 1 on the single host. */
  public readonly replicas: number;
  /** The DNS name every replica answers (`tasks.alertmanager`), on a cluster runtime. */
  public readonly tasksName?: string;
  /**
   * Where users reach Alertmanager (`--web.external-url`): `externalUrl`, else the published port on the
   * bind address; undefined when nothing is published and no URL is configured.
   */
  public readonly externalUrl?: string;

  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    const swarm = props.context.runtime?.kind === "swarm";
    this.replicas = swarm ? (props.replicas ?? 3) : 1;
    if (!(Number.isInteger(this.replicas) && this.replicas >= 1 && this.replicas <= 9)) {
      throw new Error(`alertmanager.replicas: ${props.replicas} is not allowed; allowed: 1-9 (3 survive one replica lost)`);
    }
    this.tasksName = swarm ? `tasks.${this.hostname}` : undefined;
    this.groupWait = props.groupWait ?? Duration.parse("30s");
    this.groupInterval = props.groupInterval ?? Duration.parse("5m");
    this.repeatInterval = props.repeatInterval ?? Duration.parse("4h");
    const publishedPort = props.publishedPort ?? Alertmanager.PORT;
    validateReceivers(props.receivers, props.routing);
    if (props.externalUrl !== undefined) assertChecks(urlChecks("alertmanager.externalUrl", props.externalUrl));
    if (publishedPort !== false && !isPort(publishedPort)) {
      throw new Error(`alertmanager.publishedPort: ${publishedPort} is not a port; allowed: 1-65535`);
    }
    if (this.groupInterval.isZero() || this.repeatInterval.compare(this.groupInterval) < 0) {
      throw new Error(
        `alertmanager.repeatInterval: "${this.repeatInterval}" must be at least groupInterval ("${this.groupInterval}"), and groupInterval must be positive`,
      );
    }

    const secretFiles: SecretFile[] = [];
    const secretFile = (receiver: string, kind: string, i: number, token: string): string => {
      const path = `${SECRET_DIR}/${receiver}-${kind}-${i}`;
      secretFiles.push({ path, content: token });
      return path;
    };
    const rendered: RenderedReceiver[] = props.receivers.map((r) => ({
      name: r.name,
      webhooks: r.webhooks?.map((w, i) => ({
        url: w.url,
        urlFile: w.urlSecret ? secretFile(r.name, "webhook-url", i, w.urlSecret) : undefined,
        sendResolved: w.sendResolved ?? true,
      })),
      slack: r.slack?.map((s, i) => ({
        apiUrlFile: secretFile(r.name, "slack-api-url", i, s.apiUrl),
        channel: s.channel,
        sendResolved: s.sendResolved ?? true,
      })),
      pagerduty: r.pagerduty?.map((p, i) => ({
        routingKeyFile: secretFile(r.name, "pagerduty-routing-key", i, p.routingKey),
        sendResolved: p.sendResolved ?? true,
      })),
      email: r.email?.map((e, i) => ({
        to: e.to,
        from: e.from,
        smarthost: e.smarthost,
        authUsername: e.authUsername,
        authPasswordFile: e.authPassword ? secretFile(r.name, "smtp-password", i, e.authPassword) : undefined,
        requireTls: e.requireTls ?? true,
        sendResolved: e.sendResolved ?? false,
      })),
    }));
    this.config = renderAlertmanagerConfig({
      nodeOutages: swarm,
      receivers: rendered,
      routing: props.routing,
      groupWait: this.groupWait,
      groupInterval: this.groupInterval,
      repeatInterval: this.repeatInterval,
    });
    // With a path in the external URL Alertmanager serves under it: Prometheus (path_prefix), Grafana,
    // the self-scrape and the healthcheck go there too.
    this.routePrefix = routePrefix(props.externalUrl);
    this.url = `http://${this.hostname}:${this.port}${this.routePrefix}`;
    // The links in every notification ("view in Alertmanager", silence links) must open where users reach it.
    this.externalUrl = props.externalUrl ?? (publishedPort ? `http://${publicHost(props.context.bindAddress)}:${publishedPort}` : undefined);
    this.address = `${this.hostname}:${this.port}`;
    const metricsPath = this.routePrefix ? { metricsPath: `${this.routePrefix}/metrics` } : {};
    // Every replica of a cluster is scraped (its members and failed peers are per replica).
    this.scrapeTarget = this.tasksName
      ? { job: JOBS.alertmanager, targets: [], dns: { names: [{ name: this.tasksName, port: this.port }], refreshInterval: Duration.parse("10s") }, ...metricsPath }
      : { job: JOBS.alertmanager, targets: [this.address], ...metricsPath };
    const flags = alertmanagerFlags({
      configFile: "/etc/alertmanager/alertmanager.yml",
      dataPath: "/alertmanager",
      externalUrl: this.externalUrl,
      ...(this.tasksName ? { clusterListenAddress: `0.0.0.0:${CLUSTER_PORT}` } : {}),
    });
    // A replica advertises its own overlay address (without it, its docker_gwbridge address: members 3
    // but failed peers, alertmanager#1909): known only inside the task, hence the shell form.
    const cluster = this.tasksName
      ? {
          entrypoint: ["/bin/sh", "-c"],
          command: [
            `exec /bin/alertmanager ${[...flags, `--cluster.peer=${this.tasksName}:${CLUSTER_PORT}`].map(shellWord).join(" ")} --cluster.advertise-address=$(hostname -i):${CLUSTER_PORT}`,
          ],
        }
      : { command: flags };

    this.service = new MonitoringService(this, "service", {
      serviceName: this.hostname,
      context: props.context,
      image: props.image ?? IMAGES.alertmanager,
      user: "65534:65534",
      ...cluster,
      scheduling: { mode: "replicated", replicas: this.replicas },
      configFiles: [{ path: "/etc/alertmanager/alertmanager.yml", content: this.config }],
      secretFiles,
      dataVolumes: [{ name: "data", containerPath: "/alertmanager" }],
      publishedPorts: publishedPort ? [{ internal: this.port, external: publishedPort }] : [],
      healthcheck: { test: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${this.port}${this.routePrefix}/-/healthy`] },
      resources: props.resources ?? { memoryMb: 256, cpus: 0.25 },
      readOnlyRootFilesystem: false,
    });
  }
}

function validateReceivers(receivers: readonly Receiver[], routing: AlertRouting): void {
  const errors: string[] = [];
  if (receivers.length === 0) {
    errors.push("alertmanager.receivers: at least one receiver is required");
  }
  const names = receivers.map((r) => r.name);
  names.forEach((n, i) => {
    if (!/^[A-Za-z0-9_-]+$/.test(n)) {
      errors.push(`alertmanager.receivers[${i}].name: "${n}" may only contain letters, digits, "_" and "-"`);
    }
    if (names.indexOf(n) !== i) {
      errors.push(`alertmanager.receivers[${i}].name: "${n}" is used twice; receiver names must be unique`);
    }
  });
  for (const [field, value] of Object.entries(routing)) {
    if (value !== undefined && !names.includes(value)) {
      errors.push(`alertmanager.routing.${field}: receiver "${value}" does not exist; allowed: ${names.join(", ") || "(none defined)"}`);
    }
  }
  const secret = (where: string, value: string | undefined, required: boolean): void => {
    if (value === undefined || value === "") {
      if (required) {
        errors.push(`${where}: a secret is required (a sensitive Terraform variable)`);
      }
    } else if (!Token.isUnresolved(value)) {
      errors.push(`${where}: a literal value would be written to cdktf.out; pass a sensitive Terraform variable instead`);
    }
  };
  receivers.forEach((r, ri) => {
    const at = `alertmanager.receivers[${ri}] (${r.name})`;
    r.webhooks?.forEach((w, i) => {
      if ((w.url === undefined) === (w.urlSecret === undefined)) {
        errors.push(`${at}.webhooks[${i}]: set exactly one of url or urlSecret`);
      }
      if (w.url !== undefined && !/^https?:\/\/\S+$/.test(w.url)) {
        errors.push(`${at}.webhooks[${i}].url: "${w.url}" is not an http(s) URL`);
      } else if (w.url !== undefined && hasUserInfoSecret(w.url)) {
        // A plain url is written into alertmanager.yml under cdktf.out: a credential belongs in urlSecret.
        errors.push(`${at}.webhooks[${i}].url: "${w.url}" carries a credential; pass the URL as urlSecret: secret("…") instead`);
      }
      secret(`${at}.webhooks[${i}].urlSecret`, w.urlSecret, false);
    });
    r.slack?.forEach((s, i) => {
      secret(`${at}.slack[${i}].apiUrl`, s.apiUrl, true);
      if (!/^[#@]?[\w.-]+$/.test(s.channel)) {
        errors.push(`${at}.slack[${i}].channel: "${s.channel}" is not a channel name such as "#alerts"`);
      }
    });
    r.pagerduty?.forEach((p, i) => secret(`${at}.pagerduty[${i}].routingKey`, p.routingKey, true));
    r.email?.forEach((e, i) => {
      for (const [k, v] of [["to", e.to], ["from", e.from]] as const) {
        if (!/^[^@\s]+@[^@\s]+$/.test(v)) {
          errors.push(`${at}.email[${i}].${k}: "${v}" is not an email address`);
        }
      }
      if (!/^[\w.-]+:\d+$/.test(e.smarthost)) {
        errors.push(`${at}.email[${i}].smarthost: "${e.smarthost}" must be host:port, e.g. "smtp.example.com:587"`);
      }
      secret(`${at}.email[${i}].authPassword`, e.authPassword, e.authUsername !== undefined);
    });
  });
  if (errors.length > 0) {
    throw new Error(errors.map(maskSecrets).join("\n"));
  }
}
