import { Testing } from "cdktf";
import { MonitoringConfig, secret } from "../../stacks/config";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { Alloy } from "../../constructs/alloy";

function said(config: MonitoringConfig = {}) {
  const stack = new MonitoringStack(Testing.app(), "monitoring", config);
  const of = (type: string) => stack.node.metadata.filter((m) => m.type === type).map((m) => String(m.data));
  return { warnings: of("@cdktf/warn"), notes: of("@cdktf/info") };
}

const RECEIVERS: MonitoringConfig["alertmanager"] = {
  receivers: [
    { name: "oncall", pagerduty: [{ routingKey: secret("pagerduty_routing_key") }] },
    { name: "team", slack: [{ apiUrl: secret("slack_api_url"), channel: "#alerts" }] },
  ],
  routing: { defaultReceiver: "team", critical: "oncall" },
};

describe("synth says what a deploy will need", () => {
  test("a note lists every TF_VAR_* secret a deploy asks for", () => {
    const { notes } = said({ alertmanager: RECEIVERS, exporters: { redis: { password: secret("redis_password") } } });
    const note = notes.find((n) => n.startsWith("a deploy asks for"));
    expect(note).toBe(
      "a deploy asks for 4 secret(s): set TF_VAR_pagerduty_routing_key, TF_VAR_postgres_exporter_password, TF_VAR_redis_password, TF_VAR_slack_api_url " +
        "in the environment, or put them in a .tfvars file kept out of git (--var-file)",
    );
    // docker_host has a default, so it is not listed; the TLS material of a tcp:// host is.
    expect(note).not.toContain("TF_VAR_docker_host");
    const tcp = said({ dockerHost: { url: "tcp://docker-01:2376" }, exporters: { postgres: { enabled: false } } }).notes.find((n) => n.startsWith("a deploy asks for"));
    expect(tcp).toContain("TF_VAR_docker_ca_material, TF_VAR_docker_cert_material, TF_VAR_docker_key_material");
  });

  test("no secret, no note", () => {
    expect(said({ exporters: { postgres: { enabled: false } } }).notes.filter((n) => n.startsWith("a deploy asks for"))).toEqual([]);
  });

  test("without routing.heartbeat synth warns that the Watchdog goes to a blackhole; with it, it does not", () => {
    const heartbeat = (w: string) => w.startsWith("alertmanager.routing.heartbeat is not set");
    expect(said({ alertmanager: RECEIVERS }).warnings.filter(heartbeat)).toEqual([
      expect.stringContaining('the Watchdog (an alert that always fires, so that a silent pipeline is noticed) goes to the receiver "blackhole"'),
    ]);
    const withHeartbeat = said({
      alertmanager: {
        receivers: [...RECEIVERS.receivers!, { name: "heartbeat", webhooks: [{ urlSecret: secret("deadmans_switch_url") }] }],
        routing: { ...RECEIVERS.routing!, heartbeat: "heartbeat" },
      },
    });
    expect(withHeartbeat.warnings.filter(heartbeat)).toEqual([]);
  });
});

describe("retention against the SLO windows", () => {
  const about = (t: string) => t.startsWith("metrics retention");
  test("the default 15d under the 30d SLO windows is a note naming every SLO and the setting", () => {
    const { warnings, notes } = said();
    expect(warnings.filter(about)).toEqual([]);
    expect(notes.filter(about)).toEqual([
      'metrics retention "15d" is shorter than the SLO window of rules.slos.httpAvailability ("30d"), rules.slos.httpLatency ("30d"), rules.slos.messageDelivery ("30d"): ' +
        'their error budgets and the SLO dashboard see at most 15d of data. Set retention: "30d" (or prometheus.retentionTime), or shorter windows',
    ]);
  });
  test("a chosen retention shorter than a window warns; one that covers every window says nothing", () => {
    const short = said({ retention: "7d", rules: { slos: { httpLatency: { window: "7d" }, messageDelivery: { enabled: false } } } });
    expect(short.warnings.filter(about)).toEqual([expect.stringContaining('than the SLO window of rules.slos.httpAvailability ("30d"): ')]);
    const covered = said({ retention: "30d" });
    expect([...covered.warnings, ...covered.notes].filter(about)).toEqual([]);
    expect(said({ prometheus: { retentionTime: "45d" } }).notes.filter(about)).toEqual([]);
  });
});

describe("the database-network note names the aliases the config uses", () => {
  test("uri db:5432 and address redis://cache:6379 give the aliases db and cache, and the Compose way", () => {
    const { notes } = said({ exporters: { postgres: { uri: "db:5432/chat?sslmode=disable" }, redis: { address: "redis://cache:6379" } } });
    const note = notes.find((n) => n.startsWith("the database exporters reach"));
    expect(note).toContain('PostgreSQL at db:5432 and Redis at redis://cache:6379 on the network "monitoring-databases"');
    expect(note).toContain('under the names "db" and "cache"');
    expect(note).toContain("docker network connect --alias db monitoring-databases <postgres container>");
    expect(note).toContain("docker network connect --alias cache monitoring-databases <redis container>");
    expect(note).toContain("external network in the compose file");
    expect(note).not.toContain("--alias postgres");
  });

  test("a plain host:port Redis address gives its host", () => {
    const note = said({ exporters: { postgres: { enabled: false }, redis: { address: "kv:6380" } } }).notes.find((n) => n.startsWith("the database exporters reach"));
    expect(note).toContain('under the names "kv"');
  });
});

describe("the MinIO warning names the targets it uses", () => {
  test("the default target, never an empty ()", () => {
    const w = said({ exporters: { minio: { enabled: true } } }).warnings.find((x) => x.startsWith("network.applicationNetwork is not set"));
    expect(w).toContain("the MinIO targets (minio:9000)");
    expect(w).not.toContain("()");
  });
});

describe("documented options that reach the rendered config", () => {
  const alloyConfig = (stack: MonitoringStack): string => (stack.node.findAll().find((c) => c instanceof Alloy) as Alloy).config;

  test("loki.limits are written into Loki's limits_config", () => {
    const stack = new MonitoringStack(Testing.app(), "monitoring", {
      network: { applicationNetwork: "chat_default" },
      loki: { limits: { ingestionRateMb: 8, ingestionBurstSizeMb: 16, maxStreams: 20000, rejectOlderThan: "3d" } },
    });
    const yaml = require("js-yaml") as typeof import("js-yaml");
    const limits = (yaml.load(stack.loki!.config) as any).limits_config;
    expect(limits).toMatchObject({ ingestion_rate_mb: 8, ingestion_burst_size_mb: 16, max_global_streams_per_user: 20000, reject_old_samples_max_age: "3d" });
  });

  test.each<[string, MonitoringConfig, RegExp]>([
    ["a burst below the rate", { loki: { limits: { ingestionRateMb: 10 } } }, /loki\.limits\.ingestionBurstSizeMb: 6 is below ingestionRateMb \(10\); allowed: at least the rate/],
    ["a negative stream count", { loki: { limits: { maxStreams: -1 } } }, /loki\.limits\.maxStreams: -1 is not allowed; use a whole number greater than 0/],
    ["a bad duration", { loki: { limits: { rejectOlderThan: "a week" } } }, /loki\.limits\.rejectOlderThan: "a week" is not a valid duration/],
    ["a label filter with a space", { alloy: { containerFilter: { label: "com.docker.compose.project = chat" } } }, /alloy\.containerFilter\.label: "com\.docker\.compose\.project = chat" is not a label filter/],
  ])("%s fails synth naming the option", (_what, config, message) => {
    expect(() => said(config)).toThrow(message);
  });

  test("alloy.containerFilter restricts log collection to one Compose project", () => {
    const stack = new MonitoringStack(Testing.app(), "monitoring", {
      network: { applicationNetwork: "chat_default" },
      alloy: { containerFilter: { label: "com.docker.compose.project=chat" } },
    });
    const alloy = alloyConfig(stack);
    expect(alloy).toContain('filter {\n    name   = "label"\n    values = ["com.docker.compose.project=chat"]\n  }');
    const unfiltered = alloyConfig(new MonitoringStack(Testing.app(), "monitoring", { network: { applicationNetwork: "chat_default" } }));
    expect(unfiltered).not.toContain("filter {");
  });
});
