import { App, Testing } from "cdktf";
import * as yaml from "js-yaml";
import { MonitoringConfig } from "../../stacks/config";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { judgeWithTerraform } from "../terraform";
import { Alloy } from "../../constructs/alloy";
import { cadvisorDockerHealthcheck } from "../../constructs/cadvisor";
import { DOCKER_API_ALLOWED_GET } from "../../constructs/docker-socket-proxy";
import { secretOwner } from "../../constructs/runtime";
import { secret } from "../../stacks/config";

const NODES = [
  { hostname: "sw1", address: "10.250.0.11" },
  { hostname: "sw2", address: "10.250.0.12" },
  { hostname: "sw3", address: "10.250.0.13" },
];

/** A swarm stack of three nodes, every component on. */
function swarmConfig(extra: Partial<MonitoringConfig> = {}): MonitoringConfig {
  return { runtime: { kind: "swarm", nodes: NODES }, ...extra };
}

function build(config: MonitoringConfig) {
  const app = Testing.app();
  const stack = new MonitoringStack(app, "monitoring", config);
  const text = Testing.synth(stack);
  return { stack, text, json: JSON.parse(text) };
}

const services = (json: any): Record<string, any> => Object.fromEntries(Object.values(json.resource.docker_service ?? {}).map((s: any) => [s.name, s]));

describe("the swarm runtime", () => {
  const { stack, text, json } = build(swarmConfig());
  const all = services(json);

  test("every service is a docker_service, no container, image or volume resource", () => {
    expect(json.resource.docker_container).toBeUndefined();
    expect(json.resource.docker_image).toBeUndefined();
    expect(json.resource.docker_volume).toBeUndefined();
    expect(Object.keys(all).sort()).toEqual(
      [
        "monitoring-alertmanager",
        "monitoring-alloy",
        "monitoring-blackbox-exporter",
        "monitoring-cadvisor",
        "monitoring-docker-socket-proxy",
        "monitoring-grafana",
        "monitoring-jaeger",
        "monitoring-loki",
        "monitoring-node-exporter",
        "monitoring-postgres-exporter",
        "monitoring-prometheus",
        "monitoring-redis-exporter",
      ].sort(),
    );
  });

  test("networks are attachable overlays, and services join them by id", () => {
    for (const n of Object.values(json.resource.docker_network) as any[]) {
      expect([n.driver, n.attachable]).toEqual(["overlay", true]);
    }
    const prom = all["monitoring-prometheus"];
    expect(prom.task_spec.networks_advanced).toEqual([{ id: "${docker_network.network.id}", aliases: ["prometheus"] }]);
  });

  test("node-exporter: one task per node, host-mode port, Prometheus scrapes each node labelled with its hostname", () => {
    const ne = all["monitoring-node-exporter"];
    expect(ne.mode).toEqual({ global: true });
    expect(ne.task_spec.container_spec.hostname).toBe("{{.Node.Hostname}}");
    expect(ne.endpoint_spec).toEqual({ mode: "dnsrr", ports: [{ target_port: 9100, published_port: 9100, publish_mode: "host", protocol: "tcp" }] });
    const job = (yaml.load(stack.prometheus.config) as any).scrape_configs.find((j: any) => j.job_name === "node-exporter");
    expect(job.static_configs).toEqual(NODES.map((n) => ({ targets: [`${n.address}:9100`], labels: { node: n.hostname, instance: n.hostname } })));
  });

  test("Alertmanager: a cluster of 3 pinned replicas, each advertising its own address, all scraped and all sent every alert", () => {
    const am = all["monitoring-alertmanager"];
    expect(am.mode).toEqual({ replicated: { replicas: 3 } });
    expect(am.task_spec.placement).toEqual({ constraints: ["node.labels.monitoring.alertmanager==true"], max_replicas: 1 });
    const spec = am.task_spec.container_spec;
    expect(spec.command).toEqual(["/bin/sh", "-c"]);
    expect(spec.args[0]).toMatch(/^exec \/bin\/alertmanager --config\.file=\S+ .*--cluster\.listen-address=0\.0\.0\.0:9094 .*--cluster\.peer=tasks\.alertmanager:9094 --cluster\.advertise-address=\$\(hostname -i\):9094$/);
    // Each replica has its own volume (the task slot), created on its node.
    expect(spec.mounts).toContainEqual({ type: "volume", source: "monitoring-alertmanager-data-{{.Task.Slot}}", target: "/alertmanager" });
    const prom = yaml.load(stack.prometheus.config) as any;
    expect(prom.alerting.alertmanagers[0].dns_sd_configs).toEqual([{ names: ["tasks.alertmanager"], type: "A", port: 9093, refresh_interval: "10s" }]);
    expect(prom.scrape_configs.find((j: any) => j.job_name === "alertmanager").dns_sd_configs[0].names).toEqual(["tasks.alertmanager"]);
  });

  test("the cluster's alerts are in the rules, and a lost node silences its own alerts in Alertmanager", () => {
    const names = stack.ruleGroups.flatMap((g) => g.rules).map((r) => ("name" in r ? r.name : ""));
    expect(names).toEqual(expect.arrayContaining(["NodeDown", "AlertmanagerClusterMembersMissing", "AlertmanagerClusterFailedPeers", "PrometheusReplicaDown"]));
    const members = stack.ruleGroups.flatMap((g) => g.rules).find((r) => "name" in r && r.name === "AlertmanagerClusterMembersMissing")!;
    expect(members.expr).toBe('alertmanager_cluster_members{job="alertmanager"} < 3');
    const inhibit = (yaml.load(stack.alertmanager.config) as any).inhibit_rules;
    expect(inhibit).toContainEqual({ source_matchers: ['outage="node"'], target_matchers: ['node=~".+"', 'outage=""'], equal: ["node"] });
  });

  test("configs are docker_configs named by content hash (create_before_destroy), data in base64, never interpolated", () => {
    const configs = Object.values(json.resource.docker_config) as any[];
    const promYml = configs.find((c) => c.name.startsWith("monitoring-prometheus-prometheus.yml-"))!;
    expect(promYml.name).toMatch(/^monitoring-prometheus-prometheus\.yml-[0-9a-f]{12}$/);
    expect(Buffer.from(promYml.data, "base64").toString("utf8")).toBe(stack.prometheus.config);
    expect(promYml.lifecycle).toEqual({ create_before_destroy: true });
    const mounted = all["monitoring-prometheus"].task_spec.container_spec.configs;
    expect(mounted).toContainEqual(expect.objectContaining({ file_name: "/etc/prometheus/prometheus.yml", config_name: expect.stringContaining("docker_config") }));
  });

  test("secrets are docker_secrets named by a random_id kept by their value: no value and no hash of it in the output", () => {
    const secrets = Object.values(json.resource.docker_secret) as any[];
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) {
      expect(s.data).toMatch(/^\$\{base64encode\((var|random_password)\./);
      expect(s.name).toMatch(/\$\{random_id\.[^}]+\.hex\}$/);
      expect(s.lifecycle).toEqual({ create_before_destroy: true });
    }
    const ids = Object.values(json.resource.random_id) as any[];
    for (const id of ids) expect(id.keepers.value).toMatch(/^\$\{(var|random_password)\./);
    expect(text).not.toMatch(/sha256\(/);
  });

  test("a secret file belongs to the service's numeric user (mode 0400), else is 0444 as on one host", () => {
    const withHook = services(
      build(
        swarmConfig({
          alertmanager: {
            receivers: [{ name: "hook", webhooks: [{ urlSecret: secret("hook_url", "a webhook") }] }],
            routing: { defaultReceiver: "hook", heartbeat: "hook" },
          },
        }),
      ).json,
    );
    const am = withHook["monitoring-alertmanager"].task_spec.container_spec;
    expect(am.user).toBe("65534:65534");
    expect(am.secrets.length).toBeGreaterThan(0);
    for (const s of am.secrets) expect([s.file_uid, s.file_gid, s.file_mode]).toEqual(["65534", "65534", 0o400]);
    const grafana = all["monitoring-grafana"].task_spec.container_spec;
    expect(grafana.user).toBe("472:0");
    for (const s of grafana.secrets) expect([s.file_uid, s.file_gid, s.file_mode]).toEqual(["472", "0", 0o400]);
    const imageUser = Object.values(all).filter((x) => x.task_spec.container_spec.secrets && x.task_spec.container_spec.user === undefined);
    for (const x of imageUser) for (const s of x.task_spec.container_spec.secrets) expect([x.name, s.file_uid, s.file_mode]).toEqual([x.name, undefined, 0o444]);
    expect(secretOwner("10001")).toEqual({ fileMode: 0o400, fileUid: "10001", fileGid: "10001" });
    expect(secretOwner("nobody")).toEqual({ fileMode: 0o444 });
  });

  test("every task has a 30 s stop grace period", () => {
    for (const [name, s] of Object.entries(all)) expect({ name, grace: s.task_spec.container_spec.stop_grace_period }).toEqual({ name, grace: "30s" });
  });

  test("every service has limits, a restart policy, rolling update with rollback, and a healthcheck where its image can run one", () => {
    for (const [name, s] of Object.entries(all)) {
      expect({ name, limits: Object.keys(s.task_spec.resources.limits).sort() }).toEqual({ name, limits: ["memory_bytes", "nano_cpus"] });
      expect(s.task_spec.restart_policy.condition).toBe("any");
      expect(s.update_config).toMatchObject({ parallelism: 1, failure_action: "rollback" });
      expect(s.rollback_config).toMatchObject({ parallelism: 1, failure_action: "pause" });
      expect(s.endpoint_spec.mode).toBe("dnsrr");
    }
    expect(all["monitoring-prometheus"].task_spec.container_spec.healthcheck.test[0]).toBe("CMD");
  });

  test("stateful single-node services are pinned by node label; Prometheus is one replica unless asked", () => {
    for (const svc of ["prometheus", "grafana", "loki", "jaeger"]) {
      expect(all[`monitoring-${svc}`].task_spec.placement.constraints).toEqual([`node.labels.monitoring.${svc}==true`]);
    }
    expect(all["monitoring-prometheus"].mode).toEqual({ replicated: { replicas: 1 } });
    expect((yaml.load(stack.prometheus.config) as any).global.external_labels).toEqual({ stack: "monitoring" });
  });

  test("Terraform accepts the swarm stack (validate with the built providers when the mirror exists)", () => {
    const verdict = judgeWithTerraform(text);
    if (!verdict) return;
    expect(verdict.configErrors).toEqual([]);
    if (verdict.validate) {
      expect(verdict.validate.diagnostics.filter((d) => d.startsWith("error"))).toEqual([]);
      expect(verdict.validate.valid).toBe(true);
    }
  });
});

describe("the HA Prometheus pair", () => {
  const { stack, json } = build(swarmConfig({ prometheus: { replicas: 2 } }));
  const prom = services(json)["monitoring-prometheus"];
  const config = yaml.load(stack.prometheus.config) as any;

  test("two replicas, one per labelled node, each with its own volume and its slot as the replica label", () => {
    expect(prom.mode).toEqual({ replicated: { replicas: 2 } });
    expect(prom.task_spec.placement.max_replicas).toBe(1);
    expect(prom.task_spec.container_spec.env).toEqual({ PROMETHEUS_REPLICA: "{{.Task.Slot}}" });
    expect(prom.task_spec.container_spec.mounts).toContainEqual({ type: "volume", source: "monitoring-prometheus-data-{{.Task.Slot}}", target: "/prometheus" });
    expect(config.global.external_labels).toEqual({ stack: "monitoring", replica: "${PROMETHEUS_REPLICA}" });
  });

  test("the replica label is dropped from alerts (Alertmanager deduplicates) and each replica scrapes both", () => {
    expect(config.alerting.alert_relabel_configs).toEqual([{ action: "labeldrop", regex: "replica" }]);
    const self = config.scrape_configs.find((j: any) => j.job_name === "prometheus");
    expect(self.dns_sd_configs).toEqual([{ names: ["tasks.prometheus"], type: "A", port: 9090, refresh_interval: "10s" }]);
  });
});

describe("the per-node agents and their Docker API proxy", () => {
  const { stack, json } = build(swarmConfig({ alloy: { containerFilter: { label: "com.docker.compose.project=chat" } } }));
  const all = services(json);
  const proxy = all["monitoring-docker-socket-proxy"];
  const cadvisor = all["monitoring-cadvisor"];
  const alloy = all["monitoring-alloy"];
  const prom = yaml.load(stack.prometheus.config) as any;
  const job = (name: string) => prom.scrape_configs.find((j: any) => j.job_name === name);
  const perNode = (port: number) => NODES.map((n) => ({ targets: [`${n.address}:${port}`], labels: { node: n.hostname, instance: n.hostname } }));
  const mounts = (s: any): any[] => s.task_spec.container_spec.mounts ?? [];
  const socketDir = (s: any) => mounts(s).find((m) => m.target === "/run/docker-api");
  const alloyConfig = Buffer.from(
    (Object.values(json.resource.docker_config) as any[]).find((c) => c.name.startsWith("monitoring-alloy-config.alloy-")).data,
    "base64",
  ).toString("utf8");

  test("the proxy, cAdvisor and Alloy run one task per node, each named after its node", () => {
    for (const s of [proxy, cadvisor, alloy, all["monitoring-node-exporter"]]) {
      expect({ name: s.name, mode: s.mode, hostname: s.task_spec.container_spec.hostname }).toEqual({ name: s.name, mode: { global: true }, hostname: "{{.Node.Hostname}}" });
      // Per node means on every node: never pinned to labelled ones.
      expect({ name: s.name, constraints: s.task_spec.placement?.constraints }).toEqual({ name: s.name, constraints: undefined });
    }
  });

  test("the proxy listens on a unix socket (GET-only allow-list), on no network and no port, the Docker socket read-only", () => {
    const spec = proxy.task_spec.container_spec;
    expect(spec.args).toEqual([
      "-proxysocketendpoint=/run/docker-api/docker.sock",
      "-proxysocketendpointfilemode=0660",
      `-allowGET=${DOCKER_API_ALLOWED_GET}`,
      "-allowHEAD=/_ping",
      "-shutdowngracetime=5",
      "-allowhealthcheck",
    ]);
    expect(spec.args.some((a: string) => /^-(listenip|proxyport|allowfrom)=/.test(a))).toBe(false);
    expect(proxy.task_spec.networks_advanced).toBeUndefined();
    expect(proxy.endpoint_spec.ports).toEqual([]);
    expect(spec.user).toBe("0");
    expect(mounts(proxy)).toContainEqual({ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", read_only: true });
    // socket-proxy's own check (127.0.0.1:55555 inside the task) works with the unix listener too.
    expect(spec.healthcheck.test).toEqual(["CMD", "/healthcheck"]);
    // On one host the proxy has a network of its own; on a swarm there is none to make.
    expect(Object.values(json.resource.docker_network).map((n: any) => n.name)).not.toContain("monitoring-docker-api");
  });

  test("the socket directory: a tmpfs volume of each node, shared by that node's proxy (rw) and readers (ro), nobody else", () => {
    const dir = socketDir(proxy);
    expect(dir).toEqual({
      type: "volume",
      source: expect.stringMatching(/^monitoring-docker-api-[0-9a-f]{8}$/),
      target: "/run/docker-api",
      read_only: false,
      volume_options: { no_copy: true, driver_name: "local", driver_options: { type: "tmpfs", device: "tmpfs", o: "size=64k,uid=0,gid=2375,mode=2750" } },
    });
    expect(socketDir(cadvisor)).toEqual({ ...dir, read_only: true });
    expect(socketDir(alloy)).toEqual({ ...dir, read_only: true });
    const sharing = Object.values(all).filter((s) => mounts(s).some((m) => m.source === dir.source));
    expect(sharing.map((s) => s.name).sort()).toEqual(["monitoring-alloy", "monitoring-cadvisor", "monitoring-docker-socket-proxy"]);
    // The readers may connect (group 2375, the socket's group), and only the proxy binds the Docker socket.
    expect([cadvisor.task_spec.container_spec.groups, alloy.task_spec.container_spec.groups]).toEqual([["2375"], ["2375"]]);
    const binding = Object.values(all).filter((s) => mounts(s).some((m) => m.type === "bind" && /docker\.sock$/.test(m.source)));
    expect(binding.map((s) => s.name)).toEqual(["monitoring-docker-socket-proxy"]);
  });

  test("socketGroupId: the proxy runs as 65534 and owns the directory, which is then another volume", () => {
    const other = services(build(swarmConfig({ dockerSocketProxy: { socketGroupId: 998 } })).json);
    const p = other["monitoring-docker-socket-proxy"];
    expect(p.task_spec.container_spec.user).toBe("65534:998");
    expect(socketDir(p).volume_options.driver_options.o).toBe("size=64k,uid=65534,gid=2375,mode=2750");
    expect(socketDir(p).source).not.toBe(socketDir(proxy).source);
    expect(socketDir(other["monitoring-alloy"]).source).toBe(socketDir(p).source);
  });

  test("cAdvisor: its node's socket, host-mode port, no device, a healthcheck that proves the Docker factory, scraped per node", () => {
    const spec = cadvisor.task_spec.container_spec;
    expect(spec.args).toContain("--docker=unix:///run/docker-api/docker.sock");
    expect(spec.args).toContain("--whitelisted_container_labels=com.docker.compose.project,com.docker.compose.service,com.monitoring-stack.service,com.docker.swarm.service.name");
    expect(cadvisor.endpoint_spec.ports).toEqual([{ target_port: 8080, published_port: 8080, publish_mode: "host", protocol: "tcp" }]);
    expect(spec.cap_add).toBeUndefined(); // SYSLOG only served /dev/kmsg, which a swarm service cannot have
    expect(spec.healthcheck.test).toEqual(["CMD", "sh", "-c", cadvisorDockerHealthcheck(8080)[3]]);
    expect(spec.healthcheck.test[3]).toMatch(/api\/v2\.0\/spec\?type=docker&recursive=true.*grep -q '"namespace":"docker"'/);
    expect(job("cadvisor").static_configs).toEqual(perNode(8080));
  });

  test("Alloy: its node's socket, every line labelled with its node, swarm tasks by service, the filter kept, one Loki", () => {
    const spec = alloy.task_spec.container_spec;
    expect(spec.env).toEqual({ NODE_HOSTNAME: "{{.Node.Hostname}}" });
    expect(alloyConfig).toBe(stack.node.findAll().find((c): c is Alloy => c instanceof Alloy)!.config);
    expect(alloyConfig.match(/host += "([^"]+)"/g)).toEqual(['host             = "unix:///run/docker-api/docker.sock"', 'host          = "unix:///run/docker-api/docker.sock"']);
    expect(alloyConfig).toContain('external_labels = { "node" = sys.env("NODE_HOSTNAME") }');
    expect(alloyConfig).toContain('source_labels = ["__meta_docker_container_label_com_docker_swarm_service_name"]');
    expect(alloyConfig).toContain('filter {\n    name   = "label"\n    values = ["com.docker.compose.project=chat"]\n  }');
    expect(alloyConfig).toContain('url = "http://loki:3100/loki/api/v1/push"');
    expect(all["monitoring-loki"].mode).toEqual({ replicated: { replicas: 1 } });
    // Positions on a volume of each node, not pinned; its metrics published in host mode, scraped per node.
    expect(mounts(alloy)).toContainEqual({ type: "volume", source: "monitoring-alloy-data", target: "/var/lib/alloy/data" });
    expect(alloy.endpoint_spec.ports).toEqual([{ target_port: 12345, published_port: 12345, publish_mode: "host", protocol: "tcp" }]);
    expect(job("alloy").static_configs).toEqual(perNode(12345));
  });

  test("a node is lost when none of its agents answers, and its alerts are the node's", () => {
    const nodeDown = stack.ruleGroups.flatMap((g) => g.rules).find((r) => "name" in r && r.name === "NodeDown")!;
    expect(nodeDown.expr).toBe('sum by (node) (up{job=~"node-exporter|cadvisor|alloy", node=~".+"}) == 0');
  });

  test("one node's Alloy down is AlloyDown for that node (not only when every Alloy is down); one host keeps its form", () => {
    const alloyDown = (st: MonitoringStack) => st.ruleGroups.flatMap((g) => g.rules).find((r) => "name" in r && r.name === "AlloyDown")!;
    expect(alloyDown(stack).expr).toBe('sum by (job, node) (up{job="alloy"}) == 0 or absent(up{job="alloy"})');
    expect(alloyDown(new MonitoringStack(new App(), "one")).expr).toBe('sum by (job) (up{job="alloy"}) == 0 or absent(up{job="alloy"})');
  });
});

describe("runtime validation", () => {
  test.each([
    ["no nodes", { runtime: { kind: "swarm", nodes: [] } }, /runtime\.nodes: the list is empty/],
    ["a bad hostname", { runtime: { kind: "swarm", nodes: [{ hostname: "sw_1", address: "10.0.0.1" }] } }, /runtime\.nodes\[0\]\.hostname: "sw_1" is not a hostname/],
    ["a bad address", { runtime: { kind: "swarm", nodes: [{ hostname: "sw1", address: "10.0.0" }] } }, /runtime\.nodes\[0\]\.address: "10\.0\.0" is not an IPv4 address/],
    ["a node twice", { runtime: { kind: "swarm", nodes: [NODES[0], NODES[0]] } }, /runtime\.nodes\[1\]\.hostname: "sw1" is listed twice/],
    ["an unknown kind", { runtime: { kind: "kubernetes" } }, /runtime\.kind: "kubernetes" is not a runtime; allowed: "single-host", "swarm"/],
    ["three Prometheus replicas", { prometheus: { replicas: 3 } }, /prometheus\.replicas: 3 is not allowed; allowed: a whole number 1-2/],
    ["zero Alertmanagers", { alertmanager: { replicas: 0 } }, /alertmanager\.replicas: 0 is not allowed; allowed: a whole number 1-9/],
  ])("%s is refused naming the field", (_what, extra, message) => {
    const config = { ...swarmConfig(), ...extra } as MonitoringConfig;
    expect(() => build(config)).toThrow(message);
  });

  test("replicas on the single host are refused, not ignored", () => {
    expect(() => new MonitoringStack(new App(), "m", { prometheus: { replicas: 2 } })).toThrow(/prometheus\.replicas: 2 replicas need a cluster/);
  });
});
