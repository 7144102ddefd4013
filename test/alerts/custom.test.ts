import { Duration } from "../../alerts/duration";
import { customRuleGroups, CustomRuleGroup } from "../../alerts/custom";
import { renderRuleFiles } from "../../alerts/render";

const GROUP: CustomRuleGroup = {
  name: "push-alerts",
  interval: "30s",
  recordingRules: [{ record: "job:messenger_messages:rate5m", expr: "sum by (job) (rate(messenger_messages_total[5m]))" }],
  alerts: [
    {
      name: "NoMessagesSent",
      expr: "job:messenger_messages:rate5m == 0",
      for: "10m",
      severity: "critical",
      summary: "No messages sent",
      labels: { team: "messaging" },
    },
  ],
};

describe("customRuleGroups", () => {
  test("GIVEN a valid group THEN recording rules come first, defaults fill description, runbook and for", () => {
    const [g] = customRuleGroups([GROUP], "https://runbooks.example.com/alerts");
    expect(g.name).toBe("push-alerts");
    expect(g.interval?.toString()).toBe("30s");
    expect(g.rules.map((r) => ("record" in r ? r.record : r.name))).toEqual(["job:messenger_messages:rate5m", "NoMessagesSent"]);
    expect(g.rules[1]).toMatchObject({
      for: Duration.parse("10m"),
      severity: "critical",
      description: "No messages sent",
      runbookUrl: "https://runbooks.example.com/alerts#nomessagessent",
      labels: { team: "messaging" },
    });
    const [file] = renderRuleFiles([g]);
    expect(file.fileName).toBe("push-alerts.rules.yml");
    expect(file.content).toContain("severity: critical");
  });

  test("GIVEN no for THEN it defaults to 5m", () => {
    const [g] = customRuleGroups([{ name: "x", alerts: [{ name: "X", expr: "up == 0", severity: "warning", summary: "s" }] }]);
    expect((g.rules[0] as { for: Duration }).for.toString()).toBe("5m");
  });

  test.each<[string, CustomRuleGroup, RegExp]>([
    ["invalid PromQL", { name: "g", alerts: [{ name: "Bad", expr: "rate(up[5m]", severity: "warning", summary: "s" }] }, /rule group "g", alert "Bad": invalid PromQL at position \d+/],
    ["a library group name", { name: "host-alerts", alerts: [{ name: "A", expr: "up", severity: "warning", summary: "s" }] }, /\.name: "host-alerts" is already a rule group/],
    ["a library alert name", { name: "g", alerts: [{ name: "HighCPUUsage", expr: "up", severity: "warning", summary: "s" }] }, /"HighCPUUsage" already exists; change the library's alert with rules.overrides/],
    ["a bad severity", { name: "g", alerts: [{ name: "A", expr: "up", severity: "page" as never, summary: "s" }] }, /severity: "page" is not a severity; allowed: critical, warning, info/],
    ["a bad duration", { name: "g", alerts: [{ name: "A", expr: "up", severity: "warning", summary: "s", for: "10 minutes" }] }, /alerts\[0\] \(A\)\.for: "10 minutes" is not a valid duration/],
    ["a bad group name", { name: "My Group", alerts: [{ name: "A", expr: "up", severity: "warning", summary: "s" }] }, /\.name: "My Group" must be kebab-case/],
    ["a bad alert name", { name: "g", alerts: [{ name: "high_cpu", expr: "up", severity: "warning", summary: "s" }] }, /\.name: "high_cpu" must be PascalCase/],
    ["a bad record name", { name: "g", recordingRules: [{ record: "my_rate", expr: "up" }] }, /\.record: "my_rate" must be named level:metric:operation/],
    ["a severity label", { name: "g", alerts: [{ name: "A", expr: "up", severity: "warning", summary: "s", labels: { severity: "x" } }] }, /labels: "severity" is not allowed/],
    ["an empty summary", { name: "g", alerts: [{ name: "A", expr: "up", severity: "warning", summary: " " }] }, /summary: is empty/],
    ["an empty group", { name: "g" }, /rules.additionalGroups\[0\] \(g\): has no rules/],
  ])("GIVEN %s THEN it fails naming it", (_name, group, message) => {
    expect(() => customRuleGroups([group])).toThrow(message);
  });

  test("GIVEN two groups with the same alert name THEN the second is refused", () => {
    const a = { name: "A", expr: "up", severity: "warning" as const, summary: "s" };
    expect(() => customRuleGroups([{ name: "g1", alerts: [a] }, { name: "g2", alerts: [a] }])).toThrow(/rules.additionalGroups\[1\].*"A" already exists/);
  });
});
