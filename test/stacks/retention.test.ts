import { Testing } from "cdktf";
import * as yaml from "js-yaml";
import { Duration } from "../../alerts/duration";
import { ConfigError, MonitoringConfig } from "../../stacks/config";
import { MonitoringStack } from "../../stacks/monitoring-stack";

/** How long each signal is kept, read from what the stack renders: Prometheus' flag, Loki's config. */
function kept(config: MonitoringConfig): { metrics: string; logs: string; traces?: string; k6?: string } {
  const stack = new MonitoringStack(Testing.app(), "monitoring", config);
  const json = JSON.parse(Testing.synth(stack));
  const flag = (name: string) =>
    (Object.values(json.resource.docker_container) as any[])
      .find((c) => c.name === name)
      ?.command.find((f: string) => f.startsWith("--storage.tsdb.retention.time="))
      ?.split("=")[1];
  return {
    metrics: flag("monitoring-prometheus"),
    logs: stack.loki ? (yaml.load(stack.loki.config) as any).limits_config.retention_period : "(no Loki)",
    traces: stack.jaeger ? ((yaml.load(stack.jaeger.config) as any).extensions.jaeger_storage.backends.traces.badger?.ttl.spans ?? "(memory)") : "(no Jaeger)",
    ...(config.loadTesting?.enabled ? { k6: flag("monitoring-k6-receiver") } : {}),
  };
}

/** The problem list a config fails with. */
function problemsOf(config: MonitoringConfig): readonly string[] {
  try {
    new MonitoringStack(Testing.app(), "monitoring", config);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("the config was accepted");
}

describe("one retention setting for the stack", () => {
  test("default: metrics, logs and traces are kept 15d", () => {
    expect(kept({})).toEqual({ metrics: "15d", logs: "15d", traces: "360h" });
  });

  test("retention: \"30d\" keeps metrics, logs and traces 30 days, with one setting", () => {
    expect(kept({ retention: "30d" })).toEqual({ metrics: "30d", logs: "30d", traces: "720h" });
    expect(kept({ retention: Duration.days(45) })).toEqual({ metrics: "45d", logs: "45d", traces: "1080h" });
  });

  test("a service's own setting wins over it, for that service only", () => {
    expect(kept({ retention: "30d", prometheus: { retentionTime: "90d" } })).toEqual({ metrics: "90d", logs: "30d", traces: "720h" });
    expect(kept({ retention: "30d", loki: { retention: "7d" } })).toEqual({ metrics: "30d", logs: "7d", traces: "720h" });
    expect(kept({ retention: "30d", jaeger: { retention: "3d" } })).toEqual({ metrics: "30d", logs: "30d", traces: "72h" });
    // Without the shared setting, each own setting still works alone, the others keep the default.
    expect(kept({ prometheus: { retentionTime: "30d" } })).toEqual({ metrics: "30d", logs: "15d", traces: "360h" });
  });

  test("Jaeger's memory store keeps traces by count: the shared retention leaves it alone", () => {
    expect(kept({ retention: "30d", jaeger: { storage: "memory" } })).toEqual({ metrics: "30d", logs: "30d", traces: "(memory)" });
  });

  test("the k6 receiver keeps its own short buffer: its results are federated into Prometheus", () => {
    expect(kept({ retention: "30d", loadTesting: { enabled: true } })).toEqual({ metrics: "30d", logs: "30d", traces: "720h", k6: "7d" });
  });
});

describe("retention is validated at synth", () => {
  test("not a duration: one problem naming the prop, the value and the form allowed", () => {
    expect(problemsOf({ retention: "30 days" })).toEqual([
      'retention: "30 days" is not a valid duration; use a number followed by a unit (ms, s, m, h, d, w, y), e.g. "30s", "5m" or "1h30m"',
    ]);
  });

  test("shorter than Loki's 24h index period: refused with the minimum, not as a Loki problem", () => {
    expect(problemsOf({ retention: "12h" })).toEqual([
      'retention: "12h" is too short; allowed: at least 24h (Loki keeps logs per 24h index period), e.g. "30d"; to keep metrics shorter than that, set prometheus.retentionTime alone',
    ]);
    // Without Loki (or with a retention of its own) nothing needs a day: a shorter one is fine.
    // (Grafana off as well: its Monitoring Stack Health dashboard still draws Loki's panels without Loki.)
    expect(kept({ retention: "12h", loki: { enabled: false }, grafana: { enabled: false } })).toEqual({ metrics: "12h", logs: "(no Loki)", traces: "12h" });
    expect(kept({ retention: "12h", loki: { retention: "2d" } })).toEqual({ metrics: "12h", logs: "2d", traces: "12h" });
  });

  test("zero keeps nothing: refused", () => {
    expect(problemsOf({ retention: "0s" })).toEqual(['retention: "0s" is not allowed; use a positive duration such as "30d"']);
  });

  test("a bad override is named as the override, beside a good shared setting", () => {
    expect(problemsOf({ retention: "30d", loki: { retention: "12h" } })).toEqual([
      'loki.retention: "12h" is too short; allowed: at least 24h (one index period), e.g. "15d"',
    ]);
    expect(problemsOf({ retention: "30d", prometheus: { retentionTime: "1 month" } })).toEqual([
      expect.stringMatching(/^prometheus\.retentionTime: "1 month" is not a valid duration/),
    ]);
  });

  test("metrics alone may be kept shorter than a day", () => {
    expect(kept({ prometheus: { retentionTime: "12h" } })).toEqual({ metrics: "12h", logs: "15d", traces: "360h" });
  });
});

describe("Jaeger's storage in the stack config", () => {
  test("memory store options on the badger store, or the other way round, are refused naming the field", () => {
    expect(problemsOf({ jaeger: { maxTraces: 100000 } })).toEqual([
      'jaeger.maxTraces: 100000 bounds the in-memory store only, but jaeger.storage is "badger" (the default), which keeps traces on its volume for the retention; remove maxTraces, or set jaeger.storage: "memory" to keep the in-memory store',
    ]);
    expect(problemsOf({ jaeger: { storage: "memory", retention: "7d" } })).toEqual([
      'jaeger.retention: "7d" applies to the badger store only, but jaeger.storage is "memory", which keeps the newest maxTraces traces; remove it, or use jaeger.storage: "badger"',
    ]);
    expect(problemsOf({ jaeger: { retention: "a week" } })).toEqual([expect.stringMatching(/^jaeger\.retention: "a week" is not a valid duration/)]);
  });
});
