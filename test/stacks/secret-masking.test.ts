import { Testing } from "cdktf";
import { formatConfigError } from "../../stacks/app";
import { ConfigError, MonitoringConfig } from "../../stacks/config";
import { MonitoringStack } from "../../stacks/monitoring-stack";

const SECRET = "S3cretPass";

/** Everything synth says about a config: the problem list it fails with, and its warnings and notes. */
function everythingSaid(config: MonitoringConfig): { problems: string; annotations: string } {
  const app = Testing.app();
  try {
    const stack = new MonitoringStack(app, "monitoring", { network: { applicationNetwork: "chat_default" }, ...config });
    return { problems: "", annotations: stack.node.metadata.map((m) => String(m.data)).join("\n") };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const annotations = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.map((m) => String(m.data)))
      .join("\n");
    return { problems: `${formatConfigError(e)}\n${e.message}`, annotations };
  }
}

/**
 * Every config field that can carry a credential in its value, with one that does. Synth refuses each
 * (the value would land in cdktf.out), naming the field and the value with the secret part masked.
 */
const FIELDS: [field: string, config: MonitoringConfig, masked: string][] = [
  ["exporters.redis.address", { exporters: { redis: { address: `redis://:${SECRET}@cache:6379` } } }, '"redis://:***@cache:6379"'],
  ["exporters.redis.address", { exporters: { redis: { address: `redis://default:${SECRET}@cache:6379` } } }, '"redis://default:***@cache:6379"'],
  ["exporters.postgres.uri", { exporters: { postgres: { uri: `chat:${SECRET}@db:5432/chat` } } }, '"chat:***@db:5432/chat"'],
  ["exporters.postgres.uri", { exporters: { postgres: { uri: `postgresql://chat:${SECRET}@db:5432/chat` } } }, '"postgresql://chat:***@db:5432/chat"'],
  ["exporters.postgres.uri", { exporters: { postgres: { uri: `db:5432/chat?sslmode=disable&password=${SECRET}` } } }, '"db:5432/chat?sslmode=disable&password=***"'],
  ["prometheus.externalUrl", { prometheus: { externalUrl: `https://admin:${SECRET}@prom.example.com/` } }, '"https://admin:***@prom.example.com/"'],
  ["alertmanager.externalUrl", { alertmanager: { externalUrl: `https://admin:${SECRET}@am.example.com/` } }, '"https://admin:***@am.example.com/"'],
  ["grafana.rootUrl", { grafana: { rootUrl: `https://admin:${SECRET}@grafana.example.com/` } }, '"https://admin:***@grafana.example.com/"'],
  ["rules.runbookBaseUrl", { rules: { runbookBaseUrl: `https://bot:${SECRET}@wiki.example.com/runbooks` } }, '"https://bot:***@wiki.example.com/runbooks"'],
  ["dockerHost.url", { dockerHost: { url: `ssh://deploy:${SECRET}@docker-01` } }, '"ssh://deploy:***@docker-01"'],
  ["dockerHost.url", { dockerHost: { url: `tcp://deploy:${SECRET}@docker-01:2376` } }, '"tcp://deploy:***@docker-01:2376"'],
  ["backend.address", { backend: { kind: "http", address: `https://tf:${SECRET}@state.example.com/{stack}` } }, '"https://tf:***@state.example.com/{stack}"'],
  [
    "webhooks[0].url",
    { alertmanager: { receivers: [{ name: "hook", webhooks: [{ url: `https://hook:${SECRET}@hooks.example.com/x` }] }] } },
    '"https://hook:***@hooks.example.com/x"',
  ],
  [
    "email[0].smarthost",
    { alertmanager: { receivers: [{ name: "mail", email: [{ to: "ops@example.com", from: "am@example.com", smarthost: `mail:${SECRET}@smtp.example.com:587` }] }] } },
    '"mail:***@smtp.example.com:587"',
  ],
  ["application.targets[0]", { application: { targets: [`app:${SECRET}@chat:8080`] } }, '"app:***@chat:8080"'],
  ["exporters.minio.targets[0]", { exporters: { minio: { enabled: true, targets: [`minio:${SECRET}@minio:9000`] } } }, '"minio:***@minio:9000"'],
  ["exporters.blackbox.websocketTargets[0]", { exporters: { blackbox: { websocketTargets: [`ws:${SECRET}@chat-server:8080`] } } }, '"ws:***@chat-server:8080"'],
];

describe("no error, warning or note echoes a secret", () => {
  test.each(FIELDS)("%s with a credential is refused, masked", (field, config, masked) => {
    const { problems, annotations } = everythingSaid(config);
    expect(problems).toContain(field);
    expect(problems).toContain(masked);
    expect(problems).not.toContain(SECRET);
    expect(annotations).not.toContain(SECRET);
  });

});

describe("rules.overrides: every bad entry in the one problem list", () => {
  test("three bad overrides are three problems, each named rules.overrides.<alert>", () => {
    let problems: readonly string[] = [];
    try {
      new MonitoringStack(Testing.app(), "monitoring", {
        network: { applicationNetwork: "chat_default" },
        rules: {
          overrides: {
            HighCpuUsage: { threshold: 0.9 },
            HighErrorRate: { threshold: 90 },
            StorageGrowth: { severity: "page" as never },
          },
        },
      });
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^rules\.overrides\.HighCpuUsage: unknown alert "HighCpuUsage"; did you mean "HighCPUUsage"\?/),
      expect.stringMatching(/^rules\.overrides\.HighErrorRate\.threshold: 90 is not a ratio/),
      expect.stringMatching(/^rules\.overrides\.StorageGrowth\.severity: "page" is not a severity/),
    ]);
  });
});
