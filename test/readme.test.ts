import * as fs from "node:fs";
import * as path from "node:path";
import { ALERT_NAMES } from "../alerts";
import { ALERT_DEFINITIONS, GROUP_NAMES, RECORDING_RULES } from "../alerts/rules";
import { Testing } from "cdktf";
import { formatConfigError } from "../stacks/app";
import { ConfigError } from "../stacks/config";
import { MonitoringStack } from "../stacks/monitoring-stack";
import { buildDashboards } from "../dashboards";

const README = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
const WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

/** The counts the README states are the code's, not remembered numbers. */
describe("README counts", () => {
  test("alerts, rule groups and recording rules", () => {
    expect(README).toContain(`${ALERT_NAMES.length} alerts in ${WORDS[GROUP_NAMES.length]} groups`);
    expect(README).toContain(`plus ${RECORDING_RULES.length} recording rules`);
  });

  test("the guide's alerts, the metric-table alerts and the SLO burn-rate alerts", () => {
    const count = (f: (d: (typeof ALERT_DEFINITIONS)[number]) => boolean) => ALERT_DEFINITIONS.filter(f).length;
    expect(README).toContain(`guide's ${count((d) => d.origin === "guide YAML")} alerts with its names and YAML values`);
    expect(README).toContain(`the ${count((d) => d.origin === "guide table")} metric-table alerts its YAML lacks`);
    expect(README).toContain(`${count((d) => d.group === "slo-alerts")} SLO burn-rate alerts`);
  });

  test("the example of invalid-config output is what the entry point prints for that config", () => {
    const block = /```\n(invalid monitoring config:\n[\s\S]*?)\n```/.exec(README)?.[1];
    expect(block).toBeDefined();
    let printed = "";
    try {
      new MonitoringStack(Testing.app(), "monitoring", {
        prometheus: { scrapeInterval: "15 seconds" },
        grafana: { publishedPort: 9090, image: { repository: "grafana/grafana", tag: "latest" } },
        network: { applicationNetwork: "chat_default" },
      });
    } catch (e) {
      printed = formatConfigError(e as ConfigError);
    }
    expect(printed).toBe(block);
  });

  test("no synth or deploy timing is stated as a fact: bench and docs/e2e.md measure them", () => {
    expect(README).not.toMatch(/synth takes about/);
  });

  test("dashboards", () => {
    // The full set: every exporter and component, load testing included.
    const count = buildDashboards({
      exporters: { node: true, cadvisor: true, postgres: true, redis: true, minio: true },
      applicationJob: "performance-metrics",
      components: { alloy: true, jaeger: true, blackbox: true, loadTesting: true },
    }).length;
    expect(README).toContain(`${WORDS[count][0].toUpperCase()}${WORDS[count].slice(1)} dashboards (plus the Alert runbooks)`);
    expect(README).toContain(`the ${count} dashboards, the runbook dashboard`);
  });
});
