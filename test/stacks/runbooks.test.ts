import { Testing } from "cdktf";
import { isAlertRule } from "../../alerts";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { runbookPanelId, RUNBOOKS_UID } from "../../dashboards";

function alerts(stack: MonitoringStack) {
  return stack.ruleGroups.flatMap((g) => g.rules.filter(isAlertRule));
}

describe("runbook links", () => {
  test("by default every runbook_url is absolute: the alert's panel on the stack's Grafana runbook dashboard", () => {
    const stack = new MonitoringStack(Testing.app(), "monitoring", {});
    const cpu = alerts(stack).find((a) => a.name === "HighCPUUsage")!;
    expect(cpu.runbookUrl).toBe(`http://localhost:3000/d/${RUNBOOKS_UID}/alert-runbooks?viewPanel=${runbookPanelId("HighCPUUsage")}`);
    for (const a of alerts(stack)) expect(a.runbookUrl).toMatch(/^https?:\/\//);
    // ... and that panel is the alert's runbook
    const dashboard = stack.dashboards.find((d) => d.uid === RUNBOOKS_UID)!;
    const panel = (dashboard.json.panels ?? []).find((p) => p.id === runbookPanelId("HighCPUUsage")) as { title?: string; options?: { content?: string } };
    expect(panel.title).toBe("HighCPUUsage");
    expect(panel.options?.content).toContain("instance:node_cpu_utilisation:ratio_rate5m > 0.8");
  });

  test("grafana.rootUrl moves the links; rules.runbookBaseUrl replaces them with <base>#<alert>", () => {
    const onGrafana = new MonitoringStack(Testing.app(), "monitoring", { grafana: { rootUrl: "https://grafana.example.com/" } });
    expect(alerts(onGrafana)[0].runbookUrl).toMatch(/^https:\/\/grafana\.example\.com\/d\/alert-runbooks\/alert-runbooks\?viewPanel=\d+$/);
    const wiki = new MonitoringStack(Testing.app(), "monitoring", { rules: { runbookBaseUrl: "https://wiki.example.com/alerts" } });
    expect(alerts(wiki).find((a) => a.name === "HighCPUUsage")!.runbookUrl).toBe("https://wiki.example.com/alerts#highcpuusage");
    expect(wiki.dashboards.map((d) => d.uid)).not.toContain(RUNBOOKS_UID);
  });

  test("a relative or templated runbookBaseUrl is refused; without Grafana a warning says links will not open", () => {
    expect(() => new MonitoringStack(Testing.app(), "monitoring", { rules: { runbookBaseUrl: "docs/alert-catalog.md" } })).toThrow(
      'rules.runbookBaseUrl: "docs/alert-catalog.md" is not an absolute http(s) URL',
    );
    expect(() => new MonitoringStack(Testing.app(), "monitoring", { rules: { runbookBaseUrl: "https://x/${file(\"/etc/passwd\")}" } })).toThrow(/not an absolute http\(s\) URL/);
    const stack = new MonitoringStack(Testing.app(), "monitoring", { grafana: { enabled: false } });
    const warnings: string[] = stack.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings.some((w) => w.includes("runbook links are the relative docs/alert-catalog.md"))).toBe(true);
  });
});
