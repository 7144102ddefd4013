import * as units from "@grafana/grafana-foundation-sdk/units";
import { DEFAULT_THRESHOLDS } from "../../alerts/thresholds";
import { alertLine, assembleDashboard, type DashboardContext, formatValue, promQuery, timeseries } from "../../dashboards/common";

const ctx: DashboardContext = { thresholds: DEFAULT_THRESHOLDS, applicationJob: "performance-metrics" };

function dashboardWith(expr: string) {
  return assembleDashboard(
    {
      uid: "broken",
      title: "Broken",
      description: "test",
      tags: ["test"],
      rows: [{ title: "Row", panels: [timeseries({ title: "Good", description: "d", unit: units.Short, queries: [promQuery("up", "x"), promQuery(expr, "y")] })] }],
    },
    ctx,
  );
}

describe("assembleDashboard validation", () => {
  test("GIVEN a broken PromQL query WHEN built THEN the error names dashboard, panel, query and the expression", () => {
    expect(() => dashboardWith("sum(rate(up[5m])")).toThrow(
      /dashboard "Broken" \(uid broken\), panel "Good", query B: invalid PromQL at position \d+.*sum\(rate\(up\[5m\]\)/,
    );
  });

  test("GIVEN Grafana macros THEN they are accepted", () => {
    expect(() => dashboardWith("rate(up[$__rate_interval]) + on() group_left vector($__range_s)")).not.toThrow();
  });

  test("GIVEN an invalid uid THEN it fails naming the uid and the rule", () => {
    expect(() =>
      assembleDashboard({ uid: "Not Valid", title: "T", description: "d", tags: [], rows: [] }, ctx),
    ).toThrow(/uid "Not Valid" must be 1-40 lower-case letters, digits or dashes/);
  });
});

describe("alert lines", () => {
  test("GIVEN a panel whose unit differs from the threshold's THEN it fails naming both", () => {
    expect(() =>
      timeseries({
        title: "CPU",
        description: "d",
        unit: units.Percent,
        alert: alertLine("HighCPUUsage", DEFAULT_THRESHOLDS.cpuUtilisation.threshold),
        queries: [promQuery("up", "x")],
      }),
    ).toThrow(/panel "CPU": unit "percent" differs from the unit "percentunit" of HighCPUUsage's threshold/);
  });

  test("the description states the alert and its threshold for people", () => {
    const p = timeseries({
      title: "Latency",
      description: "Delivery latency.",
      unit: units.Seconds,
      alert: alertLine("HighWebSocketLatency", DEFAULT_THRESHOLDS.websocketLatency.threshold),
      queries: [promQuery("up", "x")],
    }).build();
    expect(p.description).toBe("Delivery latency. Threshold (red): HighWebSocketLatency fires above 500ms.");
  });

  test.each([
    [{ value: 0.5, unit: "s" }, "500ms"],
    [{ value: 2, unit: "s" }, "2s"],
    [{ value: 0.05, unit: "percentunit" }, "5%"],
    [{ value: 1048576, unit: "Bps" }, "1 MiB/s"],
    [{ value: 0.1, unit: "cps" }, "0.1/s"],
  ])("formatValue(%j) = %s", (line, text) => {
    expect(formatValue(line)).toBe(text);
  });
});
