import { ALERT_DEFINITIONS, AlertRule, DEFAULT_CATALOG_OPTIONS, resolveAlerts, SYMPTOM_LABEL, SYMPTOM_ROLE_LABEL, SYMPTOMS } from "../../alerts";
import { ALERT_TEST_CASES } from "./cases";

/**
 * Alertmanager gets the inhibit rule `source: severity="critical"`, `target: severity="warning",
 * symptom=~".+"`, `equal: [symptom, instance]`. It only works if every alert with a symptom has a twin of
 * the other severity returning the same labels.
 */
describe("warning/critical twins (symptom label)", () => {
  // GIVEN the full rule set with default severities
  const alerts = resolveAlerts(DEFAULT_CATALOG_OPTIONS);
  const withSymptom = alerts.filter((a) => a.rule.labels?.[SYMPTOM_LABEL] !== undefined);
  const other = { warning: "critical", critical: "warning" } as const;

  /** Labels besides severity and alertname: the static ones of the rule. */
  function staticLabels(rule: AlertRule): Record<string, string> {
    return { ...(rule.labels ?? {}) };
  }

  test("the symptom label is named once, and each symptom has a warning and a critical alert", () => {
    expect(SYMPTOM_LABEL).toBe("symptom");
    const pairs = Object.values(SYMPTOMS).map((symptom) => [
      symptom,
      withSymptom.filter((a) => a.rule.labels?.[SYMPTOM_LABEL] === symptom).map((a) => `${a.rule.name}:${a.rule.severity}`).sort(),
    ]);
    expect(pairs).toEqual([
      ["http-error-ratio", ["ElevatedErrorRate:warning", "HighErrorRate:critical"]],
      ["filesystem-space", ["HostFilesystemAlmostFull:warning", "HostFilesystemFull:critical"]],
      ["host-memory", ["HighCapacityUsage:warning", "LowAvailableMemory:critical"]],
      ["service-health", ["HealthCheckFailing:warning", "ServiceUnhealthy:critical"]],
      ["message-delivery-latency", ["HighMessageLatency:warning", "HighNetworkLatency:warning"]],
    ]);
  });

  test.each(withSymptom.map((a) => [a.rule.name, a] as const))(
    "%s has a twin (other severity, or same severity and the other role) with the same labels and requirements",
    (_name, a) => {
      // THEN its severity can be inhibited or inhibit
      expect(["warning", "critical"]).toContain(a.rule.severity);
      const symptom = a.rule.labels![SYMPTOM_LABEL];
      const role = a.rule.labels![SYMPTOM_ROLE_LABEL];
      const otherRole = { primary: "secondary", secondary: "primary" }[role ?? ""];
      const twins = withSymptom.filter(
        (b) =>
          b.rule.labels![SYMPTOM_LABEL] === symptom &&
          (role
            ? b.rule.severity === a.rule.severity && b.rule.labels![SYMPTOM_ROLE_LABEL] === otherRole
            : b.rule.severity === other[a.rule.severity as "warning" | "critical"]),
      );
      expect(twins.map((t) => t.rule.name)).toHaveLength(1);
      const twin = twins[0];
      // AND the static labels agree (severity and the role are not among them)
      const { [SYMPTOM_ROLE_LABEL]: _r1, ...mine } = staticLabels(a.rule);
      const { [SYMPTOM_ROLE_LABEL]: _r2, ...theirs } = staticLabels(twin.rule);
      expect(theirs).toEqual(mine);
      // AND both are built for the same exporters and components, so one cannot exist without the other
      expect(twin.definition.requires).toEqual(a.definition.requires);
      // AND the series they return carry the same labels: the promtool cases check the firing alert's exact
      // labels, so equal expected labels mean equal label sets (instance, job, device, mountpoint, ...)
      const caseOf = (name: string) => ALERT_TEST_CASES.find((c) => c.alert === name)!;
      expect(caseOf(twin.rule.name).expected.labels).toEqual(caseOf(a.rule.name).expected.labels);
    },
  );

  test.each([
    ["ElevatedErrorRate", "HighErrorRate"],
    ["HostFilesystemAlmostFull", "HostFilesystemFull"],
  ])("%s and %s share their expression up to the threshold", (warning, critical) => {
    // GIVEN both definitions built with the same threshold
    const build = (name: string) => {
      const a = alerts.find((r) => r.rule.name === name)!;
      return a.definition.build({ ...a.buildContext, threshold: 0.42 }).expr;
    };
    // THEN the expressions are identical, so the label sets cannot drift apart
    expect(build(warning)).toBe(build(critical));
  });

  test("the warning twin fires at a lower level than the critical one", () => {
    const rule = (name: string) => alerts.find((a) => a.rule.name === name)!.rule;
    expect(rule("ElevatedErrorRate").threshold!.value).toBeLessThan(rule("HighErrorRate").threshold!.value);
    // free space: the critical alert fires with less left
    expect(rule("HostFilesystemFull").threshold!.value).toBeLessThan(rule("HostFilesystemAlmostFull").threshold!.value);
  });

  test("definitions without a symptom carry no symptom label", () => {
    for (const def of ALERT_DEFINITIONS.filter((d) => d.symptom === undefined)) {
      expect(def.labels?.[SYMPTOM_LABEL]).toBeUndefined();
    }
  });
});
