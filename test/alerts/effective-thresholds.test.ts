import {
  ALERT_DEFINITIONS,
  buildRuleGroups,
  DEFAULT_CATALOG_OPTIONS,
  DEFAULT_THRESHOLDS,
  Duration,
  effectiveThresholds,
  isAlertRule,
  RuleSetOptions,
  Thresholds,
} from "../../alerts";

const ALL: RuleSetOptions = DEFAULT_CATALOG_OPTIONS;

/** Entries of `b` that differ from `a` (compared as rendered JSON: durations by text). */
function changedEntries(a: Thresholds, b: Thresholds): string[] {
  return (Object.keys(a) as (keyof Thresholds)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

function ruleOf(options: RuleSetOptions, name: string) {
  return buildRuleGroups(options)
    .flatMap((g) => g.rules.filter(isAlertRule))
    .find((r) => r.name === name)!;
}

describe("effectiveThresholds", () => {
  test("without overrides it is DEFAULT_THRESHOLDS", () => {
    expect(changedEntries(DEFAULT_THRESHOLDS, effectiveThresholds(ALL))).toEqual([]);
  });

  test("an override of HighCPUUsage's threshold moves cpuUtilisation, which the dashboards draw", () => {
    // GIVEN HighCPUUsage overridden to 90% for 20m
    const options = { ...ALL, overrides: { HighCPUUsage: { threshold: 0.9, for: "20m" } } };
    // WHEN the effective thresholds are computed
    const t = effectiveThresholds(options);
    // THEN the entry HighCPUUsage reads carries the alert's values, and nothing else moved
    expect(t.cpuUtilisation.threshold.value).toBe(0.9);
    expect(t.cpuUtilisation.threshold.unit).toBe("ratio");
    expect(t.cpuUtilisation.for.toString()).toBe("20m");
    expect(ruleOf(options, "HighCPUUsage").threshold).toEqual(t.cpuUtilisation.threshold);
    expect(changedEntries(DEFAULT_THRESHOLDS, t)).toEqual(["cpuUtilisation"]);
  });

  test("options.thresholds are merged, and an override wins over them", () => {
    const t = effectiveThresholds({
      ...ALL,
      thresholds: {
        cpuUtilisation: { threshold: { value: 0.7, unit: "ratio" }, for: Duration.parse("5m") },
        memoryAvailable: { threshold: { value: 0.2, unit: "ratio" }, for: Duration.parse("5m") },
      },
      overrides: { HighCPUUsage: { threshold: 0.95 } },
    });
    expect(t.cpuUtilisation.threshold.value).toBe(0.95);
    expect(t.cpuUtilisation.for.toString()).toBe("5m");
    expect(t.memoryAvailable.threshold.value).toBe(0.2);
  });

  // Every alert with a threshold: overriding it (and any alert sharing its entry) moves exactly the entry it
  // reads, to the value the rendered rule uses.
  const withThreshold = ALERT_DEFINITIONS.filter((d) => DEFAULT_THRESHOLDS[d.condition].threshold !== undefined);

  test("the mapping covers every alert with a threshold", () => {
    // every rendered alert that states a threshold is among the cases below, and vice versa
    const rendered = buildRuleGroups(ALL).flatMap((g) => g.rules.filter(isAlertRule)).filter((r) => r.threshold !== undefined);
    expect(withThreshold.map((d) => d.name).sort()).toEqual(rendered.map((r) => r.name).sort());
    expect(withThreshold.map((d) => d.name)).toEqual(expect.arrayContaining(["HighCPUUsage", "ElevatedErrorRate", "HostFilesystemFull"]));
  });

  test.each(withThreshold.map((d) => [d.name, d] as const))("%s maps to exactly one entry", (name, def) => {
    // GIVEN a new threshold for this alert and any alert reading the same entry
    const current = DEFAULT_THRESHOLDS[def.condition].threshold!;
    const value = current.unit === "ratio" ? (current.value === 0.5 ? 0.55 : 0.5) : current.value + 3;
    const sharing = ALERT_DEFINITIONS.filter((d) => d.condition === def.condition);
    const options = { ...ALL, overrides: Object.fromEntries(sharing.map((d) => [d.name, { threshold: value }])) };
    // WHEN the effective thresholds are computed
    const t = effectiveThresholds(options);
    // THEN exactly one entry changed: the one the alert reads, now equal to the rendered rule's threshold
    expect(changedEntries(DEFAULT_THRESHOLDS, t)).toEqual([def.condition]);
    expect(t[def.condition].threshold).toEqual(ruleOf(options, name).threshold);
  });

  test("an entry shared by several alerts keeps the value the others use when only one is overridden", () => {
    // GIVEN only one of the two TSDB alerts overridden
    const options = { ...ALL, overrides: { PrometheusTSDBCompactionsFailing: { threshold: 2 } } };
    // THEN tsdbFailures still describes PrometheusTSDBReloadsFailing
    const t = effectiveThresholds(options);
    expect(t.tsdbFailures).toEqual(DEFAULT_THRESHOLDS.tsdbFailures);
    expect(ruleOf(options, "PrometheusTSDBReloadsFailing").threshold).toEqual(t.tsdbFailures.threshold);
  });

  test("a disabled alert's override does not count", () => {
    const t = effectiveThresholds({
      ...ALL,
      overrides: { PrometheusTSDBCompactionsFailing: { enabled: false }, PrometheusTSDBReloadsFailing: { threshold: 2, for: "1h" } },
    });
    expect(t.tsdbFailures.threshold.value).toBe(2);
    expect(t.tsdbFailures.for.toString()).toBe("1h");
  });

  test("overrides are validated as buildRuleGroups validates them", () => {
    expect(() => effectiveThresholds({ ...ALL, overrides: { HighCpuUsage: { threshold: 0.9 } } })).toThrow(/rules\.overrides\.HighCpuUsage: unknown alert "HighCpuUsage"/);
    expect(() => effectiveThresholds({ ...ALL, overrides: { HighCPUUsage: { threshold: 90 } } })).toThrow(
      /overrides\.HighCPUUsage\.threshold: 90 is not a ratio/,
    );
  });
});
