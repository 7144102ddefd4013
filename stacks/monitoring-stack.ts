import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { Duration } from "../alerts/duration";
import { Network, NetworkConfig } from "@cdktf/provider-docker/lib/network";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { buildRuleGroups, customRuleGroups, effectiveThresholds, renderRuleFiles, resolveAlerts, RuleGroup, RuleSetOptions } from "../alerts";
import { JOBS, serviceOfTarget } from "../alerts/jobs";
import { DEFAULT_APPLICATION_METRICS, formatFindings } from "../alerts/catalog";
import { buildDashboards, DashboardFile, grafanaRunbookLink, renderDashboard } from "../dashboards";
import { Alertmanager, Receiver } from "../constructs/alertmanager";
import { Alloy } from "../constructs/alloy";
import { DockerSocketProxy } from "../constructs/docker-socket-proxy";
import { LoadTestReceiver } from "../constructs/load-test-receiver";
import { BlackboxExporter } from "../constructs/blackbox-exporter";
import { Cadvisor } from "../constructs/cadvisor";
import { NodeExporter } from "../constructs/node-exporter";
import { PostgresExporter } from "../constructs/postgres-exporter";
import { RedisExporter } from "../constructs/redis-exporter";
import { Grafana } from "../constructs/grafana";
import { Jaeger } from "../constructs/jaeger";
import { Loki } from "../constructs/loki";
import { Prometheus } from "../constructs/prometheus";
import { MonitoringService, ScrapeTarget, ServiceContext, isLoopback, publicHost, routePrefix } from "../constructs/service";
import { PROVIDER_VERSIONS } from "../constructs/versions";
import { note, warn } from "../constructs/secret-mask";
import {
  MonitoringConfig,
  Problems,
  SecretRef,
  isHostPort,
  isIPv4,
  isTerraformIdentifier,
  subnetGateway,
} from "./config";
import { applicationAddresses, applicationScrapeTarget, dnsNames, resolveApplication } from "./application";
import { networkRefs, resolveRuntime, singleHostOnlyChecks } from "./swarm";
import { configureBackend } from "./backend";
import { configureDockerHost } from "./docker-host";
import { stackProvenance } from "./provenance";
import { resolveRetention } from "./retention";
import { resolveSlos } from "./slos";

/**
 * The monitoring stack on one Docker host: every service of the guide as a construct, wired by the
 * attributes each exposes, with the typed rule library and dashboards. Construct it with a
 * {@link MonitoringConfig}; every field has the guide's value as its default.
 */
export class MonitoringStack extends TerraformStack {
  public readonly config: MonitoringConfig;
  public readonly network: Network;
  public readonly prometheus: Prometheus;
  public readonly alertmanager: Alertmanager;
  /** Undefined when `grafana.enabled` is false. */
  public readonly grafana?: Grafana;
  /** Undefined when `loki.enabled` is false. */
  public readonly loki?: Loki;
  public readonly jaeger?: Jaeger;
  /** The rule groups Prometheus loads. */
  public readonly ruleGroups: readonly RuleGroup[];
  /** The dashboards Grafana provisions. */
  public readonly dashboards: readonly DashboardFile[];
  /** Every scrape target, in prometheus.yml order (after Prometheus itself). */
  public readonly scrapeTargets: readonly ScrapeTarget[];

  constructor(scope: Construct, id: string, config: MonitoringConfig = {}) {
    super(scope, id);
    this.config = config;
    const problems = new Problems();
    const name = config.name ?? id;
    const bindAddress = config.bindAddress ?? "127.0.0.1";
    const subnet = config.network?.subnet ?? "172.30.0.0/24";
    const gateway = subnetGateway(subnet);
    const app = config.application ?? {};
    const application = resolveApplication(app, problems);
    const promOpts = config.prometheus ?? {};
    const scrapeInterval = problems.duration("prometheus.scrapeInterval", promOpts.scrapeInterval, "15s");
    const evaluationInterval = problems.duration("prometheus.evaluationInterval", promOpts.evaluationInterval, "15s");
    const amOpts = config.alertmanager ?? {};
    const groupWait = problems.duration("alertmanager.groupWait", amOpts.groupWait, "30s");
    const groupInterval = problems.duration("alertmanager.groupInterval", amOpts.groupInterval, "5m");
    const repeatInterval = problems.duration("alertmanager.repeatInterval", amOpts.repeatInterval, "4h");
    // One setting for how long data is kept; each service's own overrides it.
    const retention = resolveRetention(config, problems);
    const enabled = {
      node: config.exporters?.node?.enabled ?? true,
      cadvisor: config.exporters?.cadvisor?.enabled ?? true,
      postgres: config.exporters?.postgres?.enabled ?? true,
      redis: config.exporters?.redis?.enabled ?? true,
      minio: config.exporters?.minio?.enabled ?? false,
      alloy: config.alloy?.enabled ?? true,
      jaeger: config.jaeger?.enabled ?? true,
      loki: config.loki?.enabled ?? true,
      blackbox: config.exporters?.blackbox?.enabled ?? true,
      grafana: config.grafana?.enabled ?? true,
      loadTesting: config.loadTesting?.enabled ?? false,
    };

    if (!/^[a-z][a-z0-9-]{0,40}$/.test(name)) {
      problems.add(`name: "${name}" must be a lower-case name (a-z, 0-9, "-", starting with a letter, at most 41 characters)`);
    }
    if (!isIPv4(bindAddress)) {
      problems.add(`bindAddress: "${bindAddress}" is not an IPv4 address; use "127.0.0.1" (default, host only) or "0.0.0.0" (all interfaces)`);
    }
    if (!gateway) {
      problems.add(`network.subnet: "${subnet}" is not an IPv4 network address with a prefix from /16 to /28, e.g. "172.30.0.0/24"`);
    }
    // Docker's network name rule; it also keeps Terraform template sequences out of the names.
    const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
    for (const [field, value] of [
      ["network.name", config.network?.name],
      ["network.applicationNetwork", config.network?.applicationNetwork],
      ["network.databaseNetwork", config.network?.databaseNetwork],
    ] as const) {
      if (value !== undefined && !NETWORK_NAME.test(value)) {
        problems.add(`${field}: "${value}" is not a Docker network name (letters, digits, "_", "." and "-", starting with a letter or digit)`);
      }
    }
    if (config.logging?.maxFiles !== undefined && !(Number.isInteger(config.logging.maxFiles) && config.logging.maxFiles >= 1)) {
      problems.add(`logging.maxFiles: ${config.logging.maxFiles} must be a whole number >= 1`);
    }
    if (config.logging?.maxSize !== undefined && !/^\d+[kmg]$/.test(config.logging.maxSize)) {
      problems.add(`logging.maxSize: "${config.logging.maxSize}" must be a size such as "10m" (k, m or g)`);
    }

    // Secrets: one sensitive variable per name, whatever references it.
    const variables = new Map<string, TerraformVariable>();
    const secretToken = (field: string, ref: SecretRef | undefined): string | undefined => {
      if (ref === undefined) {
        return undefined;
      }
      if (!ref || !isTerraformIdentifier(ref.variable ?? "")) {
        problems.add(`${field}: secret variable name "${ref?.variable}" is not a Terraform identifier (letters, digits, "_", "-", not starting with a digit)`);
        return undefined;
      }
      let v = variables.get(ref.variable);
      if (!v) {
        v = new TerraformVariable(this, ref.variable, {
          type: "string",
          sensitive: true,
          nullable: false,
          description: ref.description ?? `Secret for ${field}`,
        });
        variables.set(ref.variable, v);
      }
      return v.stringValue;
    };

    problems.capture(() => configureDockerHost(this, config.dockerHost), undefined);
    problems.capture(() => configureBackend(this, config.backend), undefined);
    new RandomProvider(this, "random");
    for (const [provider, version] of Object.entries(PROVIDER_VERSIONS)) {
      this.addOverride(`terraform.required_providers.${provider}.version`, version);
    }

    // Where the services run; on a swarm every network is an attachable overlay, referred to by id.
    const runtime = resolveRuntime(config, problems);
    singleHostOnlyChecks(config, runtime, problems);
    const nets = networkRefs(this, runtime);
    // Every network of the stack: a bridge (an overlay on a swarm) labelled with the stack's name.
    const stackNetwork = (id: string, props: { name: string; internal?: boolean; ipamConfig?: NetworkConfig["ipamConfig"] }) =>
      new Network(this, id, { ...props, ...nets.driver, labels: [{ label: "com.monitoring-stack.stack", value: name }] });
    this.network = stackNetwork("network", { name: config.network?.name ?? name, ipamConfig: [{ subnet, gateway }] });
    const volumePrefix = config.volumePrefix ?? name;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(volumePrefix)) {
      problems.add(`volumePrefix: "${volumePrefix}" is not a Docker volume name prefix (letters, digits, "_", "." and "-", starting with a letter or digit, at most 63)`);
    }
    const base: ServiceContext = {
      namePrefix: name,
      volumePrefix,
      dataProtection: config.dataProtection ?? true,
      networks: [nets.own(this.network)],
      bindAddress,
      ...(runtime.kind === "swarm" ? { runtime } : {}),
      logMaxSize: config.logging?.maxSize,
      logMaxFiles: config.logging?.maxFiles,
    };
    const appNetwork = config.network?.applicationNetwork;
    // Only what must reach the application's containers joins its network: least exposure.
    const withApp: ServiceContext = appNetwork ? { ...base, networks: [nets.own(this.network), nets.external(appNetwork)] } : base;
    // The database exporters stay off the application's network: postgres_exporter's /probe connects to
    // any DSN a caller names and cannot be turned off. They reach the databases on a network of their own
    // (created here, or an existing one) that only the databases join.
    const databaseNetworkName = config.network?.databaseNetwork;
    const databaseNetwork =
      (enabled.postgres || enabled.redis) && databaseNetworkName === undefined
        ? stackNetwork("database-network", { name: `${name}-databases` })
        : undefined;
    const withDatabases: ServiceContext = {
      ...base,
      networks: [
        nets.own(this.network),
        databaseNetwork ? nets.own(databaseNetwork) : databaseNetworkName ? nets.external(databaseNetworkName) : nets.own(this.network),
      ],
    };
    if (databaseNetworkName !== undefined && databaseNetworkName === appNetwork) {
      warn(
        this,
        `network.databaseNetwork is the application network "${appNetwork}": every application container can use postgres-exporter's /probe to connect anywhere; give the databases a network of their own`,
      );
    }

    const capture = <T>(f: () => T): T | undefined => problems.capture<T | undefined>(f, undefined);

    const loki = enabled.loki
      ? capture(
          () =>
            new Loki(this, "loki", {
              context: base,
              retention: retention.logs,
              limits: config.loki?.limits && {
                ...config.loki.limits,
                rejectOlderThan:
                  config.loki.limits.rejectOlderThan === undefined
                    ? undefined
                    : problems.duration("loki.limits.rejectOlderThan", config.loki.limits.rejectOlderThan, "7d"),
              },
              publishedPort: config.loki?.publishedPort,
              resources: config.loki?.resources,
              image: config.loki?.image,
            }),
        )
      : undefined;
    this.jaeger = enabled.jaeger
      ? capture(
          () =>
            new Jaeger(this, "jaeger", {
              context: withApp,
              storage: config.jaeger?.storage,
              // The memory store keeps traces by count: the stack's retention is not for it (an own
              // jaeger.retention is passed on, and refused there).
              retention: config.jaeger?.storage === "memory" && config.jaeger.retention === undefined ? undefined : retention.traces,
              maxTraces: config.jaeger?.maxTraces,
              publish: config.jaeger?.publish,
              publishedPort: config.jaeger?.publishedPort,
              publishedPorts: config.jaeger?.publishedPorts,
              resources: config.jaeger?.resources,
              image: config.jaeger?.image,
            }),
        )
      : undefined;

    const receivers: Receiver[] = (amOpts.receivers ?? [{ name: "default" }]).map((r, ri) => ({
      name: r.name,
      webhooks: r.webhooks?.map((w, i) => ({ ...w, urlSecret: secretToken(`alertmanager.receivers[${ri}].webhooks[${i}].urlSecret`, w.urlSecret) })),
      slack: r.slack?.map((s, i) => ({ ...s, apiUrl: secretToken(`alertmanager.receivers[${ri}].slack[${i}].apiUrl`, s.apiUrl) ?? "" })),
      pagerduty: r.pagerduty?.map((p, i) => ({ ...p, routingKey: secretToken(`alertmanager.receivers[${ri}].pagerduty[${i}].routingKey`, p.routingKey) ?? "" })),
      email: r.email?.map((e, i) => ({ ...e, authPassword: secretToken(`alertmanager.receivers[${ri}].email[${i}].authPassword`, e.authPassword) })),
    }));
    if (!amOpts.routing?.heartbeat) {
      warn(
        this,
        `alertmanager.routing.heartbeat is not set: the Watchdog (an alert that always fires, so that a silent pipeline is noticed) goes to the receiver "blackhole" and nobody notices when alerting stops. ` +
          `Add a receiver for a dead man's switch (e.g. { name: "heartbeat", webhooks: [{ urlSecret: secret("deadmans_switch_url") }] }) and set routing.heartbeat: "heartbeat"`,
      );
    }
    if (!amOpts.receivers) {
      warn(
        this,
        "alertmanager.receivers is not set: alerts are visible in Alertmanager's UI but notify nobody",
      );
    }
    const alertmanager = capture(
      () =>
        new Alertmanager(this, "alertmanager", {
          context: base,
          receivers,
          routing: amOpts.routing ?? { defaultReceiver: receivers[0]?.name ?? "default" },
          groupWait,
          groupInterval,
          repeatInterval,
          publishedPort: amOpts.publishedPort,
          externalUrl: amOpts.externalUrl,
          resources: amOpts.resources,
          image: amOpts.image,
          replicas: amOpts.replicas,
        }),
    );

    // The only container that mounts the Docker socket: Alloy and cAdvisor read the Docker API through
    // it, on an internal network of their own (no route out, nobody else on it). On a swarm one proxy per
    // node, reached by that node's readers through a unix socket on the node, over no network.
    const proxyOpts = config.dockerSocketProxy ?? {};
    const needsDockerApi = (enabled.alloy && loki !== undefined) || enabled.cadvisor;
    const dockerApiNetwork = needsDockerApi && runtime.kind === "single-host"
      ? stackNetwork("docker-api-network", { name: `${name}-docker-api`, internal: true })
      : undefined;
    const socketProxy = needsDockerApi
      ? capture(
          () =>
            new DockerSocketProxy(this, "docker-socket-proxy", {
              context: dockerApiNetwork ? { ...base, networks: [nets.own(dockerApiNetwork)] } : base,
              socket: proxyOpts.socket,
              socketGroupId: proxyOpts.socketGroupId,
              resources: proxyOpts.resources,
              image: proxyOpts.image,
            }),
        )
      : undefined;
    const withDockerApi: ServiceContext = dockerApiNetwork ? { ...base, networks: [...base.networks, nets.own(dockerApiNetwork)] } : base;

    const alloy = enabled.alloy && loki && socketProxy
      ? capture(
          () =>
            new Alloy(this, "alloy", {
              context: withDockerApi,
              dockerHost: socketProxy.dockerHost,
              dockerSocketMount: socketProxy.socketMount,
              lokiPushUrl: loki.pushUrl,
              containerFilter: config.alloy?.containerFilter,
              resources: config.alloy?.resources,
              image: config.alloy?.image,
            }),
        )
      : undefined;
    const exporters = [
      enabled.node && gateway
        ? capture(
            () =>
              new NodeExporter(this, "node-exporter", {
                context: base,
                // Listens on the stack network's gateway only: reachable by Prometheus, not from other hosts.
                listenAddress: `${gateway}:9100`,
                dependsOn: [this.network],
                resources: config.exporters?.node?.resources,
                image: config.exporters?.node?.image,
              }),
          )
        : undefined,
      enabled.cadvisor && socketProxy
        ? capture(
            () =>
              new Cadvisor(this, "cadvisor", {
                context: withDockerApi,
                dockerHost: socketProxy.dockerHost,
                dockerSocketMount: socketProxy.socketMount,
                resources: config.exporters?.cadvisor?.resources,
                image: config.exporters?.cadvisor?.image,
              }),
          )
        : undefined,
      enabled.postgres
        ? capture(() => {
            const pg = config.exporters?.postgres;
            const password = secretToken(
              "exporters.postgres.password",
              pg?.password ?? { variable: "postgres_exporter_password", description: "Password of postgres-exporter's database user (exporters.postgres.user)" },
            );
            return new PostgresExporter(this, "postgres-exporter", {
              context: withDatabases,
              uri: pg?.uri,
              user: pg?.user,
              password: password ?? "",
              resources: pg?.resources,
              image: pg?.image,
            });
          })
        : undefined,
      enabled.redis
        ? capture(() => {
            const redis = config.exporters?.redis;
            return new RedisExporter(this, "redis-exporter", {
              context: withDatabases,
              redisAddress: redis?.address,
              password: secretToken("exporters.redis.password", redis?.password),
              scrapeEndpoint: redis?.scrapeEndpoint,
              resources: redis?.resources,
              image: redis?.image,
            });
          })
        : undefined,
    ];
    if (databaseNetwork) {
      // Where the exporters look, as they resolved their settings: the host of each is the name (alias) the
      // database container must have on the network.
      const targets = exporters.flatMap((e) =>
        e instanceof PostgresExporter
          ? [{ what: "PostgreSQL", address: e.uri.split("/")[0], host: e.uri.split("/")[0].split(":")[0] }]
          : e instanceof RedisExporter && !e.redisAddress.startsWith("unix:")
            ? [{ what: "Redis", address: e.redisAddress, host: e.redisAddress.replace(/^[a-z]+:\/\//, "").split(/[:/]/)[0] }]
            : [],
      );
      const net = `${name}-databases`;
      note(
        this,
        `the database exporters reach ${targets.map((t) => `${t.what} at ${t.address}`).join(" and ")} on the network "${net}", which this stack creates: ` +
          `the database containers must join it under the names ${targets.map((t) => `"${t.host}"`).join(" and ")}. ` +
          `With Compose, declare "${net}" as an external network in the compose file and add it to those services (a service's name is its alias there; README, "Wiring into a Compose application"); ` +
          `by hand: ${targets.map((t) => `docker network connect --alias ${t.host} ${net} <${t.what === "Redis" ? "redis" : "postgres"} container>`).join(" and ")} ` +
          `(lost whenever Compose recreates the container)`,
      );
    }
    const blackboxOpts = config.exporters?.blackbox;
    const websocketTargets = blackboxOpts?.websocketTargets ?? ["chat-server:8080"];
    websocketTargets.forEach((t, i) => {
      if (!isHostPort(t)) problems.add(`exporters.blackbox.websocketTargets[${i}]: "${t}" is not host:port with a port 1-65535`);
    });
    // A WebSocket target on a discovered service is probed on every replica of it.
    const discovered = new Set(application.services.map((s) => s.name));
    const websocketDiscovered = websocketTargets.filter((t) => discovered.has(serviceOfTarget(t)));
    const blackbox = enabled.blackbox
      ? capture(
          () =>
            new BlackboxExporter(this, "blackbox-exporter", {
              context: withApp,
              healthTargets: application.targets,
              healthPath: blackboxOpts?.healthPath,
              websocketTargets: websocketTargets.filter((t) => !websocketDiscovered.includes(t)),
              discovery: {
                health: dnsNames(application),
                websocket: websocketDiscovered.map((t) => ({ name: serviceOfTarget(t), port: Number(t.split(":").pop()) })),
                refreshInterval: application.refreshInterval,
              },
              websocketPath: blackboxOpts?.websocketPath,
              resources: blackboxOpts?.resources,
              image: blackboxOpts?.image,
            }),
        )
      : undefined;
    const exporterTargets: ScrapeTarget[] = [
      ...exporters.filter((e) => e !== undefined).map((e) => e.scrapeTarget),
      ...(blackbox?.scrapeTargets ?? []),
    ];
    // k6 writes here, not into Prometheus: the receiver is on the stack network only (docs/services.md).
    const loadTest = enabled.loadTesting
      ? capture(
          () =>
            new LoadTestReceiver(this, "k6-receiver", {
              context: base,
              publishedPort: config.loadTesting?.publishedPort,
              retentionTime: problems.duration("loadTesting.retentionTime", config.loadTesting?.retentionTime, "7d"),
              resources: config.loadTesting?.resources,
              image: config.loadTesting?.image,
            }),
        )
      : undefined;
    const scrapeTargets: ScrapeTarget[] = [
      applicationScrapeTarget(application),
      ...[alertmanager, loki, alloy, this.jaeger].filter((c) => c !== undefined).map((c) => c.scrapeTarget),
      ...exporterTargets,
      ...(loadTest ? [loadTest.federateTarget] : []),
    ];
    // One default for the scrape job and the warnings that name its targets.
    const minioTargets = config.exporters?.minio?.targets ?? ["minio:9000"];
    if (enabled.minio) {
      const minio = config.exporters?.minio ?? {};
      minioTargets.forEach((t, i) => {
        if (!isHostPort(t)) problems.add(`exporters.minio.targets[${i}]: "${t}" is not host:port with a port 1-65535`);
      });
      scrapeTargets.push({
        job: JOBS.minio,
        targets: minioTargets,
        metricsPath: minio.metricsPath ?? "/minio/metrics/v3",
      });
    }

    const exporterFlags = { node: enabled.node, cadvisor: enabled.cadvisor, postgres: enabled.postgres, redis: enabled.redis, minio: enabled.minio };
    const slos = resolveSlos(config.rules?.slos, app.metrics ?? DEFAULT_APPLICATION_METRICS, problems);
    const ruleOptions: RuleSetOptions = {
      scrapeInterval,
      evaluationInterval,
      exporters: exporterFlags,
      stackJobs: [JOBS.prometheus, ...(enabled.grafana ? [JOBS.grafana] : []), ...scrapeTargets.map((t) => t.job)],
      discoveredServices: application.services.map((s) => s.name),
      ...(runtime.kind === "swarm" ? { cluster: { alertmanagerReplicas: amOpts.replicas ?? 3, prometheusReplicas: promOpts.replicas ?? 1 } } : {}),
      overrides: config.rules?.overrides,
      runbookBaseUrl: config.rules?.runbookBaseUrl,
      runbookLink: runbookLinks(this, config, enabled.grafana, problems),
      thresholds: { slos },
    };
    const longSlos = Object.entries(slos).filter(([, slo]) => slo.enabled && slo.window.compare(retention.metrics) > 0);
    if (longSlos.length > 0) {
      const longest = longSlos.map(([, slo]) => slo.window).reduce((a, b) => (a.compare(b) >= 0 ? a : b));
      // A note with the default retention (Prometheus' own 15d), a warning when a retention was chosen.
      const explicit = config.retention !== undefined || config.prometheus?.retentionTime !== undefined;
      (explicit ? warn : note)(
        this,
        `metrics retention "${retention.metrics}" is shorter than the SLO window of ${longSlos.map(([key, slo]) => `rules.slos.${key} ("${slo.window}")`).join(", ")}: ` +
          `their error budgets and the SLO dashboard see at most ${retention.metrics} of data. Set retention: "${longest}" (or prometheus.retentionTime), or shorter windows`,
      );
    }
    this.ruleGroups = [
      ...problems.capture(() => buildRuleGroups(ruleOptions), [] as RuleGroup[]),
      ...problems.capture(() => customRuleGroups(config.rules?.additionalGroups ?? [], config.rules?.runbookBaseUrl, ruleOptions.runbookLink), [] as RuleGroup[]),
    ];
    // Without Grafana nothing shows the dashboards: none are built or checked.
    const dashboards: DashboardFile[] = !enabled.grafana ? [] : problems.capture(
      () =>
        buildDashboards({
          exporters: exporterFlags,
          applicationJob: JOBS.application,
          scrapeInterval,
          // The same thresholds the (possibly overridden) alerts use, so panel lines match them.
          thresholds: effectiveThresholds(ruleOptions),
          components: { alloy: alloy !== undefined, jaeger: this.jaeger !== undefined, loki: loki !== undefined, blackbox: blackbox !== undefined, loadTesting: loadTest !== undefined },
          // Grafana hosts the runbooks the alerts link to, unless the user gave a base URL of their own.
          runbookAlerts: ruleOptions.runbookLink ? resolveAlerts(ruleOptions) : undefined,
        }),
      [],
    );
    this.dashboards = dashboards;
    const grafana = !enabled.grafana ? undefined : capture(
      () =>
        new Grafana(this, "grafana", {
          context: base,
          datasources: {
            // Prometheus is built after Grafana (it needs the dashboards' rules); its URL, route prefix
            // included, is known from the config.
            prometheus: `http://prometheus:${Prometheus.PORT}${routePrefix(promOpts.externalUrl)}`,
            loki: loki?.url,
            jaeger: this.jaeger?.url,
            alertmanager: alertmanager?.url,
          },
          dashboards: dashboards.map((d) => ({ fileName: d.fileName, folder: d.folder, content: renderDashboard(d) })),
          scrapeInterval,
          publishedPort: config.grafana?.publishedPort,
          rootUrl: config.grafana?.rootUrl,
          adminUser: config.grafana?.adminUser,
          resources: config.grafana?.resources,
          image: config.grafana?.image,
        }),
    );
    if (grafana) {
      scrapeTargets.push(grafana.scrapeTarget);
    }
    this.scrapeTargets = scrapeTargets;

    const prometheus = capture(
      () =>
        new Prometheus(this, "prometheus", {
          context: withApp,
          scrapeTargets,
          ruleFiles: renderRuleFiles(this.ruleGroups),
          alertmanagers: alertmanager ? [alertmanager.address] : [],
          // Every replica of an Alertmanager cluster gets every alert.
          ...(alertmanager?.tasksName
            ? { alertmanagerDns: { name: alertmanager.tasksName, port: alertmanager.port, refreshInterval: Duration.parse("10s") } }
            : {}),
          replicas: promOpts.replicas,
          alertmanagerPathPrefix: alertmanager?.routePrefix,
          scrapeInterval,
          evaluationInterval,
          retentionTime: retention.metrics,
          retentionSize: promOpts.retentionSize,
          maxExemplars: promOpts.maxExemplars,
          publishedPort: promOpts.publishedPort,
          externalUrl: promOpts.externalUrl,
          resources: promOpts.resources,
          image: promOpts.image,
        }),
    );

    // The provenance check reads what the whole config scrapes: after an invalid setting, a service that
    // could not be built would make its own panels and rules look orphaned. It runs on a valid config
    // only, so one mistake is one problem (no cascade).
    const findings = problems.any ? [] : stackProvenance({
      ruleGroups: this.ruleGroups,
      dashboards,
      scrapedJobs: [JOBS.prometheus, ...scrapeTargets.map((t) => t.job)],
      application: app.metrics ?? DEFAULT_APPLICATION_METRICS,
      bucketPolicy: config.provenance?.bucketPolicy,
      extraTargetLabels: Object.fromEntries(
        scrapeTargets.map((t) => [
          t.job,
          [...new Set([...Object.keys(t.labels ?? {}), ...(t.targetLabels ?? []).flatMap((l) => Object.keys(l)), ...(t.dns?.nameLabel ? [t.dns.nameLabel] : [])])],
        ]),
      ),
    });
    for (const f of findings) {
      const line = formatFindings([f]);
      if (f.severity === "error") {
        problems.add(`metric provenance: ${line}`);
      } else {
        warn(this, `metric provenance: ${line}`);
      }
    }
    if (!appNetwork) {
      // The application's names resolve only on its own network: without it these targets are down.
      const names = [
        `the application (${applicationAddresses(application).join(", ")})`,
        ...(blackbox ? [`the blackbox probes of them and of ${websocketTargets.join(", ")}`] : []),
        ...(enabled.minio ? [`the MinIO targets (${minioTargets.join(", ")})`] : []),
      ];
      warn(
        this,
        `network.applicationNetwork is not set: ${names.join("; ")} resolve only on the application's Docker network, ` +
          `so they will be down. Set network.applicationNetwork to that network (e.g. the Compose project's "chat_default").`,
      );
    }
    checkPortClashes(this, problems);
    if (!problems.any) noteRequiredVariables(this);
    if (!problems.any && !isLoopback(bindAddress)) warnExposure(this, bindAddress);
    problems.throwIfAny();
    // Every construct that failed added a problem, so after throwIfAny() they all exist.
    this.loki = loki;
    this.alertmanager = alertmanager!;
    this.grafana = grafana;
    this.prometheus = prometheus!;

    // Where users reach each service: its external URL when one is configured or it is published; a
    // service that publishes nothing and has no URL has no output (no "http://host:false").
    if (this.grafana) {
      if (config.grafana?.rootUrl !== undefined || config.grafana?.publishedPort !== false) {
        new TerraformOutput(this, "grafana_url", { value: this.grafana.rootUrl });
      }
      new TerraformOutput(this, "grafana_admin_user", { value: this.grafana.adminUser });
      new TerraformOutput(this, "grafana_admin_password", { value: this.grafana.adminPassword, sensitive: true });
    }
    if (this.prometheus.externalUrl) new TerraformOutput(this, "prometheus_url", { value: this.prometheus.externalUrl });
    if (this.alertmanager.externalUrl) new TerraformOutput(this, "alertmanager_url", { value: this.alertmanager.externalUrl });
    const jaegerUi = this.jaeger?.publishedPorts.find((p) => p.internal === this.jaeger?.port);
    if (jaegerUi) new TerraformOutput(this, "jaeger_url", { value: `http://${publicHost(bindAddress)}:${jaegerUi.external}` });
  }
}

/**
 * Where `runbook_url` points: `rules.runbookBaseUrl` when given (an absolute http(s) URL, e.g. your
 * wiki; `<base>#<alertname>`); else the stack's own Grafana, whose "Alert runbooks" dashboard has one
 * panel per alert; without Grafana the relative docs/alert-catalog.md, with a warning that links in
 * notifications will not open.
 */
function runbookLinks(scope: Construct, config: MonitoringConfig, grafana: boolean, problems: Problems): ((name: string) => string) | undefined {
  const base = config.rules?.runbookBaseUrl;
  if (base !== undefined) {
    if (!/^https?:\/\/[^\s/$.?#][^\s]*$/.test(base) || base.includes("${") || base.includes("%{") || /^[a-z]+:\/\/[^/]*@/i.test(base)) {
      problems.add(`rules.runbookBaseUrl: "${base}" is not an absolute http(s) URL without user info; give the page that holds the runbooks, e.g. "https://wiki.example.com/monitoring/alert-catalog"`);
    }
    return undefined;
  }
  if (grafana) {
    return grafanaRunbookLink(config.grafana?.rootUrl ?? Grafana.defaultRootUrl(config.grafana?.publishedPort, config.bindAddress ?? "127.0.0.1"));
  }
  warn(
    scope,
    "rules.runbookBaseUrl is not set and Grafana is disabled: runbook links are the relative docs/alert-catalog.md, which does not open from a notification",
  );
  return undefined;
}

/**
 * The sensitive variables a deploy asks for (every `secret(...)` of the config, and the Docker host's TLS
 * material): listed at synth, so that `terraform plan` does not stop at "No value for required variable".
 */
function noteRequiredVariables(stack: TerraformStack): void {
  const names = stack.node
    .findAll()
    .filter((c): c is TerraformVariable => c instanceof TerraformVariable && c.default === undefined)
    .map((v) => v.friendlyUniqueId)
    .sort();
  if (names.length === 0) return;
  note(
    stack,
    `a deploy asks for ${names.length} secret(s): set ${names.map((n) => `TF_VAR_${n}`).join(", ")} in the environment, ` +
      `or put them in a .tfvars file kept out of git (--var-file)`,
  );
}

/** The config field that switches each publishing service's ports, by the service's hostname. */
const PUBLISH_SWITCH: Readonly<Record<string, string>> = {
  prometheus: "prometheus.publishedPort",
  alertmanager: "alertmanager.publishedPort",
  grafana: "grafana.publishedPort",
  jaeger: "jaeger.publishedPort",
  loki: "loki.publishedPort",
  "k6-receiver": "loadTesting.publishedPort",
};

/** What an exposed service lets anyone on the network do, beyond reading. */
const EXPOSURE_RISK: Readonly<Record<string, string>> = {
  prometheus: "every metric, and its query API answers anyone",
  alertmanager: "anyone can add silences",
  grafana: "its login page",
  jaeger: "the trace UI, and OTLP accepts traces from anyone",
  loki: "every log line, and the push API accepts logs from anyone",
  "k6-receiver": "remote write accepts series from anyone",
};

/**
 * A bind address other than loopback makes every published port reachable from the network (Docker
 * bypasses host firewalls): warn, naming each service, its ports and the switch that keeps it private.
 */
function warnExposure(scope: Construct, bindAddress: string): void {
  const exposed = scope.node
    .findAll()
    .filter((c): c is MonitoringService => c instanceof MonitoringService && c.publishedPorts.length > 0)
    .map((c) => `${c.hostname} on ${c.publishedPorts.map((p) => `${bindAddress}:${p.external}`).join(", ")} (${EXPOSURE_RISK[c.hostname] ?? "its API"}; private: ${PUBLISH_SWITCH[c.hostname] ?? "its publishedPort"}: false)`);
  if (exposed.length === 0) return;
  warn(
    scope,
    `bindAddress is ${bindAddress}, not loopback: these services are reachable from the network, and Docker bypasses host firewalls: ${exposed.join("; ")}. ` +
      `Publish only what others need (e.g. Grafana alone: set every other one's publishedPort to false), or keep bindAddress "127.0.0.1" and put a reverse proxy with authentication in front.`,
  );
}

/** Two services publishing the same host port would fail at deploy time; fail at synth instead. */
function checkPortClashes(scope: Construct, problems: Problems): void {
  const owners = new Map<number, string>();
  for (const c of scope.node.findAll()) {
    if (!(c instanceof MonitoringService)) {
      continue;
    }
    // A service whose own props were invalid has already reported them; it publishes nothing here.
    for (const p of c.publishedPorts ?? []) {
      const other = owners.get(p.external);
      const me = `${c.hostname} (container port ${p.internal})`;
      if (other) {
        problems.add(`port clash: host port ${p.external} is published by both ${other} and ${me}; give one of them another publishedPort`);
      } else {
        owners.set(p.external, me);
      }
    }
  }
}
