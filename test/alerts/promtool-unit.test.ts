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
});
