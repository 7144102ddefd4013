import * as fs from "node:fs";
import * as path from "node:path";
import { ALERT_NAMES } from "../alerts";
import { GROUP_NAMES, RECORDING_RULES } from "../alerts/rules";
import { buildDashboards } from "../dashboards";

const README = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
const WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

/** The counts the README states are the code's, not remembered numbers. */
describe("README counts", () => {
  test("alerts, rule groups and recording rules", () => {
    expect(README).toContain(`${ALERT_NAMES.length} alerts in ${WORDS[GROUP_NAMES.length]} groups`);
    expect(README).toContain(`plus ${RECORDING_RULES.length} recording rules`);
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
