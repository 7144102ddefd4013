import { buildRuleGroups, renderRuleFiles, resolveAlerts, ALERT_NAMES, DEFAULT_CATALOG_OPTIONS } from "../../alerts";
import { ALERT_TEST_CASES, promtoolTestFile } from "./cases";
import { promtoolAvailable, runPromtool, writeTempFiles } from "./promtool";

describe("promtool unit tests of every alert", () => {
  // GIVEN the full rule set with default thresholds, rendered as the stack renders it
  const groups = buildRuleGroups(DEFAULT_CATALOG_OPTIONS);
  const ruleFiles = renderRuleFiles(groups);
  const alerts = resolveAlerts(DEFAULT_CATALOG_OPTIONS);

  test("every alert has a unit test case, and every case an alert", () => {
    const tested = ALERT_TEST_CASES.map((c) => c.alert);
    expect(ALERT_NAMES.filter((name) => !tested.includes(name))).toEqual([]);
    expect(tested.filter((name) => !ALERT_NAMES.includes(name))).toEqual([]);
    expect(new Set(tested).size).toBe(tested.length);
  });

  test.each(ALERT_TEST_CASES.map((c) => [c.alert, c] as const))("%s", (_name, testCase) => {
    const alert = alerts.find((a) => a.rule.name === testCase.alert);
    expect(alert).toBeDefined();
    const ruleFile = `${alert!.group}.rules.yml`;
    // WHEN the case is rendered as a promtool test next to the rule files
    const dir = writeTempFiles([...ruleFiles, { fileName: `${testCase.alert}.test.yml`, content: promtoolTestFile(testCase, alert!, ruleFile) }]);
    if (!promtoolAvailable()) {
      return;
    }
    const result = runPromtool(["test", "rules", `${testCase.alert}.test.yml`], dir);
    // THEN promtool passes it (output shown on failure)
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  test("a case fails when the rule does not match it (the unit tests can fail)", () => {
    // GIVEN HighCPUUsage rendered with a threshold above the case's firing value (90%)
    const options = { ...DEFAULT_CATALOG_OPTIONS, overrides: { HighCPUUsage: { threshold: 0.95 } } };
    const wrong = resolveAlerts(options).find((a) => a.rule.name === "HighCPUUsage")!;
    const testCase = ALERT_TEST_CASES.find((c) => c.alert === "HighCPUUsage")!;
    const dir = writeTempFiles([
      ...renderRuleFiles(buildRuleGroups(options)),
      { fileName: "cpu.test.yml", content: promtoolTestFile(testCase, wrong, "host-alerts.rules.yml") },
    ]);
    if (!promtoolAvailable()) {
      return;
    }
    // THEN promtool reports the missing alert
    const result = runPromtool(["test", "rules", "cpu.test.yml"], dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("FAILED");
  });
});
