import { leMatcher } from "../../alerts/rules/slo";
import {
  ALERT_NAMES,
  alertCatalogMarkdown,
  buildRuleGroups,
  DEFAULT_CATALOG_OPTIONS,
  DEFAULT_THRESHOLDS,
  Duration,
  isAlertRule,
  AlertRule,
  RuleGroup,
  RuleSetOptions,
  renderRuleFile,
  renderRuleFiles,
  validateRuleGroups,
  JOBS,
} from "../../alerts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as yaml from "js-yaml";
import { promtoolAvailable, runPromtool, writeTempFiles } from "./promtool";

const ALL: RuleSetOptions = DEFAULT_CATALOG_OPTIONS;

function alertsOf(groups: RuleGroup[]): AlertRule[] {
  return groups.flatMap((g) => g.rules.filter(isAlertRule));
}

function alert(groups: RuleGroup[], name: string): AlertRule {
  const found = alertsOf(groups).find((a) => a.name === name);
  if (!found) {
    throw new Error(`no alert ${name}`);
  }
  return found;
}

describe("buildRuleGroups defaults", () => {
  test("contains the guide's eleven alerts with the YAML's thresholds, for and severity", () => {
    const groups = buildRuleGroups(ALL);
    const expected: Array<[string, string, string]> = [
      ["HighMessageLatency", "10m", "warning"],
      ["HighDatabaseLatency", "15m", "critical"],
      ["HighCPUUsage", "15m", "warning"],
      ["HighErrorRate", "10m", "critical"],
      ["HighWebSocketLatency", "15m", "warning"],
      ["HighNetworkLatency", "15m", "warning"],
      ["NetworkErrors", "5m", "critical"],
      ["LowCacheHitRatio", "30m", "warning"],
      ["HighCacheMemory", "15m", "warning"],
      ["HighCapacityUsage", "1h", "warning"],
      ["StorageGrowth", "1h", "warning"],
    ];
    for (const [name, forText, severity] of expected) {
      const rule = alert(groups, name);
      expect([name, rule.for.toString(), rule.severity]).toEqual([name, forText, severity]);
    }
    expect(alert(groups, "HighCPUUsage").threshold).toEqual({ value: 0.8, unit: "ratio" });
    expect(alert(groups, "HighCPUUsage").expr).toBe("instance:node_cpu_utilisation:ratio_rate5m > 0.8");
    expect(alert(groups, "HighDatabaseLatency").expr).toContain("pg_stat_activity_max_tx_duration");
  });

  test("alerts use recorded series, and recording rules come first in their group", () => {
    const groups = buildRuleGroups(ALL);
    for (const group of groups) {
      const firstAlert = group.rules.findIndex(isAlertRule);
      const lastRecord = group.rules.map((r) => !isAlertRule(r)).lastIndexOf(true);
      expect(firstAlert === -1 || lastRecord < firstAlert).toBe(true);
    }
    expect(alert(groups, "HighMessageLatency").expr).toMatch(/^job_service:messenger_message_delivery_latency_seconds:p95_5m > 1$/);
    expect(alert(groups, "HighErrorRate").expr).toMatch(/^job_service:messenger_http_requests_errors:ratio_rate5m > 0.05$/);
  });

  test("recording rules are named level:metric:operation and match le only as a number (leMatcher)", () => {
    const groups = buildRuleGroups(ALL);
    const numeric = [0.2, 0.5].map(leMatcher);
    for (const group of groups) {
      for (const rule of group.rules) {
        if (!isAlertRule(rule)) {
          expect(rule.record).toMatch(/^[a-z_]+:[a-z_]+:[a-z0-9_]+$/);
        }
        const rest = numeric.reduce((e: string, m: string) => e.split(m).join(""), rule.expr);
        expect(rest).not.toMatch(/le\s*=~?\s*"/);
      }
    }
  });

  test("leMatcher accepts every decimal writing of a bound, as Prometheus 2 and 3 store it", () => {
    const re = (m: string) => new RegExp(`^(?:${JSON.parse(m.slice(4))})$`);
    expect(["0.2", "0.20"].every((v) => re(leMatcher(0.2)).test(v))).toBe(true);
    expect(re(leMatcher(0.2)).test("0.25")).toBe(false);
    expect(["1", "1.0", "1.00"].every((v) => re(leMatcher(1)).test(v))).toBe(true);
    expect(re(leMatcher(1)).test("10")).toBe(false);
    expect(() => leMatcher(0)).toThrow("leMatcher: 0 is not a positive bucket bound");
  });

  test("annotations format values by unit; no ratio is printed with a bare %", () => {
    const groups = buildRuleGroups(ALL);
    expect(alert(groups, "HighErrorRate").description).toContain("{{ $value | humanizePercentage }}");
    expect(alert(groups, "HighErrorRate").description).toContain("threshold 5%");
    expect(alert(groups, "HighMessageLatency").description).toContain("{{ $value | humanizeDuration }}");
    expect(alert(groups, "HighNetworkReceive").description).toContain("{{ $value | humanize1024 }}B/s");
    for (const a of alertsOf(groups)) {
      expect(a.description).not.toContain("{{ $value }}%");
      expect(a.runbookUrl).toBe(`docs/alert-catalog.md#${a.name.toLowerCase()}`);
    }
  });

  test("every alert has severity, summary, description and for", () => {
    for (const a of alertsOf(buildRuleGroups(ALL))) {
      expect(a.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(a.summary.length).toBeGreaterThan(0);
      expect(a.description.length).toBeGreaterThan(0);
      expect(a.for).toBeInstanceOf(Duration);
    }
  });

  test("Watchdog is always firing with severity info and a heartbeat label", () => {
    const watchdog = alert(buildRuleGroups(ALL), "Watchdog");
    expect(watchdog.expr).toBe("vector(1)");
    expect(watchdog.severity).toBe("info");
    expect(watchdog.labels).toEqual({ heartbeat: "true" });
  });

  test("Redis memory ratio: over maxmemory when set, else over the machine's memory, never over 0", () => {
    const groups = buildRuleGroups(ALL);
    const rec = groups.flatMap((g) => g.rules).find((r) => !isAlertRule(r) && r.record === "instance:redis_memory_used:ratio");
    expect(rec?.expr).toContain("(redis_memory_max_bytes{job=\"redis-exporter\"} > 0)");
    expect(rec?.expr).toContain("(redis_total_system_memory_bytes{job=\"redis-exporter\"} > 0)");
    expect(rec?.expr).toContain("or ignoring (memory_limit)");
  });
});

describe("buildRuleGroups options", () => {
  test("a disabled exporter removes its alerts and recording rules", () => {
    // GIVEN redis and minio disabled
    const groups = buildRuleGroups({ ...ALL, exporters: { ...ALL.exporters, redis: false, minio: false } });
    // THEN no cache or storage group remains and no rule reads redis_ or minio_ metrics
    expect(groups.map((g) => g.name)).not.toContain("cache-alerts");
    expect(groups.map((g) => g.name)).not.toContain("storage-alerts");
    for (const rule of groups.flatMap((g) => g.rules)) {
      expect(rule.expr).not.toMatch(/redis_|minio_/);
    }
  });

  test("a disabled stack component removes its alerts and TargetDown covers the rest but the application's replicas", () => {
    const groups = buildRuleGroups({ ...ALL, stackJobs: [JOBS.prometheus] });
    const names = alertsOf(groups).map((a) => a.name);
    expect(names).not.toContain("LokiDown");
    expect(names).not.toContain("AlertmanagerNotificationsFailing");
    expect(names).not.toContain("PrometheusNotificationsFailing");
    // (the application's replicas have ServiceDown and ServiceReplicaDown, per service)
    expect(alert(groups, "TargetDown").expr).toBe('up{job!~"performance-metrics"} == 0');
    expect(alert(buildRuleGroups(ALL), "TargetDown").expr).toBe('up{job!~"alertmanager|loki|alloy|jaeger|performance-metrics"} == 0');
  });

  test("cadvisor: false removes the container alerts", () => {
    // GIVEN cAdvisor not scraped
    const groups = buildRuleGroups({ ...ALL, exporters: { ...ALL.exporters, cadvisor: false } });
    // THEN no container group remains and no rule reads container_ metrics
    expect(groups.map((g) => g.name)).not.toContain("container-alerts");
    expect(groups.flatMap((g) => g.rules).map((r) => r.expr).join("\n")).not.toMatch(/container_/);
    expect(alertsOf(buildRuleGroups(ALL)).map((a) => a.name)).toEqual(expect.arrayContaining(["ContainerRestarting", "ContainerMemoryNearLimit"]));
  });

  test("container alerts select named containers only and skip containers without a memory limit", () => {
    const groups = buildRuleGroups(ALL);
    expect(alert(groups, "ContainerRestarting").expr).toBe(
      'changes(container_start_time_seconds{job="cadvisor", name!=""}[15m]) > 2',
    );
    expect(alert(groups, "ContainerMemoryNearLimit").expr).toBe(
      'container_memory_working_set_bytes{job="cadvisor", name!=""} / (container_spec_memory_limit_bytes{job="cadvisor", name!=""} > 0) > 0.9',
    );
  });

  test("application: false removes the messenger alerts", () => {
    const groups = buildRuleGroups({ ...ALL, application: false });
    expect(groups.map((g) => g.name)).not.toContain("performance-alerts");
  });

  test("thresholds replace defaults for alert and annotation", () => {
    const groups = buildRuleGroups({
      ...ALL,
      thresholds: { cpuUtilisation: { threshold: { value: 0.9, unit: "ratio" }, for: Duration.parse("20m") } },
    });
    const cpu = alert(groups, "HighCPUUsage");
    expect(cpu.expr).toBe("instance:node_cpu_utilisation:ratio_rate5m > 0.9");
    expect(cpu.for.toString()).toBe("20m");
    expect(cpu.description).toContain("threshold 90%");
  });

  test("overrides change threshold, for and severity of one alert only", () => {
    const groups = buildRuleGroups({
      ...ALL,
      overrides: { HighMessageLatency: { threshold: 2, for: "5m", severity: "critical" } },
    });
    const msg = alert(groups, "HighMessageLatency");
    expect(msg.expr).toBe("job_service:messenger_message_delivery_latency_seconds:p95_5m > 2");
    expect(msg.for.toString()).toBe("5m");
    expect(msg.severity).toBe("critical");
    expect(msg.description).toContain("threshold 2s");
    expect(alert(groups, "HighNetworkLatency").expr).toMatch(/> 1$/);
  });

  test("overrides accept a Duration and can disable an alert", () => {
    const groups = buildRuleGroups({
      ...ALL,
      overrides: { HighCPUUsage: { for: Duration.minutes(30) }, StorageGrowth: { enabled: false } },
    });
    expect(alert(groups, "HighCPUUsage").for.toString()).toBe("30m");
    expect(alertsOf(groups).map((a) => a.name)).not.toContain("StorageGrowth");
  });
});

describe("validation errors", () => {
  test("unknown alert name is named, with a 'did you mean' when one is close, else the valid names", () => {
    expect(() => buildRuleGroups({ ...ALL, overrides: { HighCpuUsage: { enabled: false } } })).toThrow(
      'rules.overrides.HighCpuUsage: unknown alert "HighCpuUsage"; did you mean "HighCPUUsage"? (every alert is listed in docs/alert-catalog.md)',
    );
    expect(() => buildRuleGroups({ ...ALL, overrides: { Zz: { enabled: false } } })).toThrow(
      /rules\.overrides\.Zz: unknown alert "Zz"; valid alert names are: .*HighCPUUsage/,
    );
  });

  test("bad severity names field, value and allowed values", () => {
    expect(() =>
      buildRuleGroups({ ...ALL, overrides: { HighCPUUsage: { severity: "page" as never } } }),
    ).toThrow(/overrides\.HighCPUUsage\.severity: "page" is not a severity; allowed values are: critical, warning, info/);
  });

  test("bad for names field and value", () => {
    expect(() => buildRuleGroups({ ...ALL, overrides: { HighCPUUsage: { for: "5 minutes" } } })).toThrow(
      /overrides\.HighCPUUsage\.for: "5 minutes" is not a valid duration/,
    );
  });

  test("threshold on an alert without one", () => {
    expect(() => buildRuleGroups({ ...ALL, overrides: { TargetDown: { threshold: 1 } } })).toThrow(
      /overrides\.TargetDown\.threshold: TargetDown has no threshold to override/,
    );
  });

  test("non-numeric threshold", () => {
    expect(() => buildRuleGroups({ ...ALL, overrides: { HighCPUUsage: { threshold: "80%" as never } } })).toThrow(
      /overrides\.HighCPUUsage\.threshold: "80%" is not a finite number \(unit: ratio\)/,
    );
  });

  test("a percent given for a ratio", () => {
    expect(() => buildRuleGroups({ ...ALL, overrides: { HighCPUUsage: { threshold: 85 } } })).toThrow(
      /overrides\.HighCPUUsage\.threshold: 85 is not a ratio; use a value between 0 and 1/,
    );
  });

  test("unknown override field", () => {
    expect(() => buildRuleGroups({ ...ALL, overrides: { HighCPUUsage: { treshold: 1 } as never } })).toThrow(
      /overrides\.HighCPUUsage: unknown field "treshold"; allowed fields are: enabled, threshold, for, severity/,
    );
  });

  test("non-boolean enabled", () => {
    expect(() => buildRuleGroups({ ...ALL, overrides: { HighCPUUsage: { enabled: "no" as never } } })).toThrow(
      /overrides\.HighCPUUsage\.enabled: "no" is not a boolean/,
    );
  });

  test("unknown exporter", () => {
    expect(() => buildRuleGroups({ ...ALL, exporters: { ...ALL.exporters, mysql: true } as never })).toThrow(
      /exporters: unknown exporter "mysql"; allowed exporters are: node, cadvisor, postgres, redis, minio/,
    );
  });

  test("an invalid expression names group, rule and position", () => {
    const groups: RuleGroup[] = [{ name: "g", rules: [{ record: "job:x:sum", expr: "sum(rate(x[5m])" }] }];
    expect(() => validateRuleGroups(groups)).toThrow(/rule group "g", recording rule "job:x:sum": invalid PromQL at position \d+/);
  });
});

describe("rendering", () => {
  test("one deterministic file per group, in Prometheus rule file format", () => {
    const files = renderRuleFiles(buildRuleGroups(ALL));
    expect(files.map((f) => f.fileName)).toEqual([
      "performance-alerts.rules.yml",
      "host-alerts.rules.yml",
      "database-alerts.rules.yml",
      "cache-alerts.rules.yml",
      "storage-alerts.rules.yml",
      "container-alerts.rules.yml",
      "slo-alerts.rules.yml",
      "stack-health.rules.yml",
    ]);
    expect(renderRuleFiles(buildRuleGroups(ALL))).toEqual(files);
    const doc = yaml.load(files[0].content) as { groups: Array<{ name: string; rules: Array<Record<string, unknown>> }> };
    const rule = doc.groups[0].rules.find((r) => r.alert === "HighMessageLatency");
    expect(rule).toEqual({
      alert: "HighMessageLatency",
      expr: "job_service:messenger_message_delivery_latency_seconds:p95_5m > 1",
      for: "10m",
      labels: { severity: "warning", symptom: "message-delivery-latency", symptom_role: "primary" },
      annotations: expect.objectContaining({ runbook_url: "docs/alert-catalog.md#highmessagelatency" }),
    });
  });

  test("promtool check rules accepts every rendered file", () => {
    const files = renderRuleFiles(buildRuleGroups(ALL));
    const dir = writeTempFiles([...files, { fileName: "all.rules.yml", content: renderRuleFile(buildRuleGroups(ALL)) }]);
    if (!promtoolAvailable()) {
      return;
    }
    const result = runPromtool(["check", "rules", ...files.map((f) => f.fileName), "all.rules.yml"], dir);
    expect(result.output).not.toContain("FAILED");
    expect(result.status).toBe(0);
  });

  test("promtool check rules fails on a broken rule (the check can fail)", () => {
    const dir = writeTempFiles([{ fileName: "bad.rules.yml", content: "groups:\n- name: g\n  rules:\n  - alert: X\n    expr: up ==\n" }]);
    if (!promtoolAvailable()) {
      return;
    }
    expect(runPromtool(["check", "rules", "bad.rules.yml"], dir).status).not.toBe(0);
  });
});

describe("alert catalog", () => {
  test("docs/alert-catalog.md is up to date (regenerate: npx ts-node alerts/write-catalog.ts)", () => {
    const committed = readFileSync(join(__dirname, "..", "..", "docs", "alert-catalog.md"), "utf8");
    expect(committed).toBe(alertCatalogMarkdown());
  });

  test("lists every alert with its detection-latency budget", () => {
    const md = alertCatalogMarkdown({ ...ALL, groupWait: Duration.parse("1m") });
    for (const name of ALERT_NAMES) {
      expect(md).toContain(`### ${name}`);
    }
    // 15s scrape + 15s evaluation + 10m for + 1m group_wait
    expect(md).toContain("detection budget 15s + 15s + 10m + 1m = 11m30s");
  });

  test("thresholds in the catalog follow DEFAULT_THRESHOLDS", () => {
    expect(alertCatalogMarkdown()).toContain(`| [HighErrorRate](#higherrorrate) | critical | performance-alerts | 5% (${DEFAULT_THRESHOLDS.httpErrorRatio.threshold.value} ratio)`);
  });
});
