import * as yaml from "js-yaml";
import { Construct } from "constructs";
import { Password } from "@cdktf/provider-random/lib/password";
import { Duration } from "../alerts/duration";
import { JOBS } from "../alerts/jobs";
import { DATASOURCES } from "../dashboards/datasources";
import { IMAGES, ImageRef } from "./versions";
import { MonitoringService, ResourceLimits, ScrapeTarget, ServiceContext, assertChecks, Check, isPort, publicHost, urlChecks } from "./service";

/** A dashboard file to provision. */
export interface DashboardAsset {
  /** File name only, e.g. `performance-overview.json`. */
  readonly fileName: string;
  /** Dashboard JSON text. `${...}` inside stays literal: it is uploaded as a file, never interpolated. */
  readonly content: string;
  /** Grafana folder. @default the Grafana construct's `folder` */
  readonly folder?: string;
}

/** URLs of the services Grafana reads; an absent one gets no datasource. */
export interface GrafanaDatasourceUrls {
  readonly prometheus: string;
  readonly loki?: string;
  readonly jaeger?: string;
  readonly alertmanager?: string;
}

/**
 * Regex that finds a trace id in a log line: `trace_id=…`, `traceID: …`, `"traceId":"…"`.
 * Used by Loki's derived field to link logs to Jaeger.
 */
export const TRACE_ID_REGEX = `(?:trace_?[iI][dD])"?[=:]\\s*"?([0-9a-fA-F]{16,32})`;

/**
 * Renders the datasource provisioning file. Grafana expands `$VAR` in provisioning files, so a literal
 * `$` (as in `${__value.raw}`) is written `$$`.
 *
 * @see https://grafana.com/docs/grafana/latest/administration/provisioning/#data-sources
 */
export function renderDatasources(urls: GrafanaDatasourceUrls, scrapeInterval: Duration): string {
  const ds: object[] = [
    {
      name: DATASOURCES.prometheus.name,
      uid: DATASOURCES.prometheus.uid,
      type: DATASOURCES.prometheus.type,
      access: "proxy",
      url: urls.prometheus,
      isDefault: true,
      editable: false,
      jsonData: {
        httpMethod: "POST",
        // Lets Grafana pick rate() windows that are never shorter than a scrape interval.
        timeInterval: scrapeInterval.toString(),
        ...(urls.jaeger
          ? { exemplarTraceIdDestinations: [{ name: "trace_id", datasourceUid: DATASOURCES.jaeger.uid }] }
          : {}),
      },
    },
  ];
  if (urls.loki) {
    ds.push({
      name: DATASOURCES.loki.name,
      uid: DATASOURCES.loki.uid,
      type: DATASOURCES.loki.type,
      access: "proxy",
      url: urls.loki,
      editable: false,
      jsonData: {
        maxLines: 1000,
        ...(urls.jaeger
          ? {
              derivedFields: [
                {
                  name: "TraceID",
                  matcherRegex: TRACE_ID_REGEX,
                  url: "$${__value.raw}",
                  datasourceUid: DATASOURCES.jaeger.uid,
                  urlDisplayLabel: "View trace",
                },
              ],
            }
          : {}),
      },
    });
  }
  if (urls.jaeger) {
    ds.push({
      name: DATASOURCES.jaeger.name,
      uid: DATASOURCES.jaeger.uid,
      type: DATASOURCES.jaeger.type,
      access: "proxy",
      url: urls.jaeger,
      editable: false,
      jsonData: urls.loki
        ? {
            tracesToLogsV2: {
              datasourceUid: DATASOURCES.loki.uid,
              spanStartTimeShift: "-5m",
              spanEndTimeShift: "5m",
              filterByTraceID: true,
              filterBySpanID: false,
            },
          }
        : {},
    });
  }
  if (urls.alertmanager) {
    ds.push({
      name: DATASOURCES.alertmanager.name,
      uid: DATASOURCES.alertmanager.uid,
      type: DATASOURCES.alertmanager.type,
      access: "proxy",
      url: urls.alertmanager,
      editable: false,
      jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false },
    });
  }
  return yaml.dump({ apiVersion: 1, deleteDatasources: [], datasources: ds }, { lineWidth: -1, noRefs: true });
}

/** The folder of {@link DASHBOARD_DIR} that holds a Grafana folder's dashboards. */
export function folderDir(folder: string): string {
  return `${DASHBOARD_DIR}/${folder.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;
}

/** Renders the dashboard providers: one per Grafana folder, each loading its own directory. */
export function renderDashboardProviders(folders: readonly string[]): string {
  return yaml.dump(
    {
      apiVersion: 1,
      providers: folders.map((folder) => ({
        name: `monitoring-stack-${folderDir(folder).split("/").pop()}`,
        orgId: 1,
        folder,
        type: "file",
        // Dashboards are code: edits in the UI would be lost on the next deploy, so refuse them.
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: folderDir(folder), foldersFromFilesStructure: false },
      })),
    },
    { lineWidth: -1, noRefs: true },
  );
}

/** Where dashboard JSON files are uploaded (outside the data volume, so removed dashboards disappear). */
export const DASHBOARD_DIR = "/etc/grafana/dashboards";

/** Props of {@link Grafana}. */
export interface GrafanaProps {
  readonly context: ServiceContext;
  readonly datasources: GrafanaDatasourceUrls;
  /** @default none */
  readonly dashboards?: readonly DashboardAsset[];
  /** File name of the home dashboard, one of `dashboards`. @default the first dashboard */
  readonly homeDashboard?: string;
  /** Folder the dashboards appear in. @default "Monitoring stack" */
  readonly folder?: string;
  /** Prometheus' scrape interval, for the datasource's minimum step. @default 15s */
  readonly scrapeInterval?: Duration;
  /** @default "admin" */
  readonly adminUser?: string;
  /** Host port on the context's bind address; `false` publishes nothing. @default 3000 */
  readonly publishedPort?: number | false;
  /** Public URL of Grafana (links in alerts, cookies marked secure for https). @default http://<bindAddress>:<publishedPort>/ (localhost for loopback and 0.0.0.0) */
  readonly rootUrl?: string;
  /** @default { memoryMb: 512, cpus: 0.5 } */
  readonly resources?: ResourceLimits;
  /** @default IMAGES.grafana */
  readonly image?: ImageRef;
}

/**
 * Grafana, configured entirely by file provisioning (there is no prebuilt cdktf Grafana provider):
 * datasources with trace links between metrics, logs and traces, and the typed dashboards. The admin
 * password is generated by Terraform and reaches the container as a file; anonymous access and sign-up
 * are off.
 */
export class Grafana extends Construct {
  public static readonly PORT = 3000;

  /**
   * The URL users reach Grafana at when `rootUrl` is not set: the published port on the bind address
   * (`localhost` for loopback or the wildcard), so runbook links in notifications open on a LAN bind too.
   */
  public static defaultRootUrl(publishedPort: number | false | undefined, bindAddress = "127.0.0.1"): string {
    return `http://${publicHost(bindAddress)}:${publishedPort === false || publishedPort === undefined ? Grafana.PORT : publishedPort}/`;
  }
  public readonly hostname = "grafana";
  public readonly port = Grafana.PORT;
  public readonly url: string;
  public readonly adminUser: string;
  /** Terraform token of the generated admin password (sensitive). */
  public readonly adminPassword: string;
  public readonly datasourcesConfig: string;
  public readonly scrapeTarget: ScrapeTarget;
  public readonly service: MonitoringService;
  /** Where users reach Grafana (`GF_SERVER_ROOT_URL`). */
  public readonly rootUrl: string;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    this.adminUser = props.adminUser ?? "admin";
    const publishedPort = props.publishedPort ?? Grafana.PORT;
    const dashboards = props.dashboards ?? [];
    const home = props.homeDashboard ?? dashboards[0]?.fileName;
    const defaultFolder = props.folder ?? "Monitoring stack";
    const folderOf = (d: DashboardAsset): string => d.folder ?? defaultFolder;
    const homeAsset = dashboards.find((d) => d.fileName === home);
    const rootUrl = props.rootUrl ?? Grafana.defaultRootUrl(publishedPort, props.context.bindAddress);
    this.rootUrl = rootUrl;
    const checks: Check[] = [
      [publishedPort === false || isPort(publishedPort), `grafana.publishedPort: ${publishedPort} is not a port; allowed: 1-65535`],
      [/^[A-Za-z0-9._@-]{1,64}$/.test(this.adminUser), `grafana.adminUser: "${this.adminUser}" is not a valid login (letters, digits, "._@-", at most 64)`],
      [home === undefined || dashboards.some((d) => d.fileName === home), `grafana.homeDashboard: "${home}" is not one of the dashboards (${dashboards.map((d) => d.fileName).join(", ")})`],
      [/^https?:\/\/[^\s]+\/$/.test(rootUrl), `grafana.rootUrl: "${rootUrl}" must be an http(s) URL ending in "/"`],
      ...urlChecks("grafana.rootUrl", rootUrl).slice(1),
    ];
    for (const d of dashboards) {
      checks.push([/^[a-z0-9][a-z0-9-]*\.json$/.test(d.fileName), `grafana.dashboards: "${d.fileName}" must be a kebab-case file name ending in .json`]);
    }
    const files = dashboards.map((d) => d.fileName);
    const dup = files.find((f, i) => files.indexOf(f) !== i);
    checks.push([dup === undefined, `grafana.dashboards: "${dup}" is provided twice`]);
    assertChecks(checks);

    this.url = `http://${this.hostname}:${this.port}`;
    this.scrapeTarget = { job: JOBS.grafana, targets: [`${this.hostname}:${this.port}`] };
    this.datasourcesConfig = renderDatasources(props.datasources, props.scrapeInterval ?? Duration.parse("15s"));

    const password = new Password(this, "admin-password", {
      length: 32,
      special: false,
    });
    this.adminPassword = password.result;

    this.service = new MonitoringService(this, "service", {
      serviceName: this.hostname,
      context: props.context,
      image: props.image ?? IMAGES.grafana,
      user: "472:0",
      env: {
        GF_SECURITY_ADMIN_USER: this.adminUser,
        GF_SECURITY_ADMIN_PASSWORD__FILE: "/etc/grafana/secrets/admin_password",
        GF_AUTH_ANONYMOUS_ENABLED: "false",
        GF_USERS_ALLOW_SIGN_UP: "false",
        GF_USERS_ALLOW_ORG_CREATE: "false",
        GF_SECURITY_DISABLE_GRAVATAR: "true",
        GF_SECURITY_COOKIE_SECURE: rootUrl.startsWith("https://") ? "true" : "false",
        GF_SERVER_ROOT_URL: rootUrl,
        GF_ANALYTICS_REPORTING_ENABLED: "false",
        GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
        GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: "false",
        GF_NEWS_NEWS_FEED_ENABLED: "false",
        GF_METRICS_ENABLED: "true",
        ...(homeAsset ? { GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: `${folderDir(folderOf(homeAsset))}/${homeAsset.fileName}` } : {}),
      },
      configFiles: [
        { path: "/etc/grafana/provisioning/datasources/datasources.yaml", content: this.datasourcesConfig },
        {
          path: "/etc/grafana/provisioning/dashboards/monitoring-stack.yaml",
          content: renderDashboardProviders([...new Set(dashboards.map(folderOf))]),
        },
        ...dashboards.map((d) => ({ path: `${folderDir(folderOf(d))}/${d.fileName}`, content: d.content })),
      ],
      secretFiles: [{ path: "/etc/grafana/secrets/admin_password", content: password.result }],
      dataVolumes: [{ name: "data", containerPath: "/var/lib/grafana" }],
      publishedPorts: publishedPort ? [{ internal: this.port, external: publishedPort }] : [],
      healthcheck: { test: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${this.port}/api/health`] },
      resources: props.resources ?? { memoryMb: 512, cpus: 0.5 },
      readOnlyRootFilesystem: false,
    });
  }
}
