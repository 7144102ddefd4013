import { assertValidPromQL } from "../../alerts/promql";
import {
  DashboardJson,
  expandPanelQueries,
  goDuration,
  grafanaIntervals,
  interpolate,
  parseVariableQuery,
  resolveVariables,
  roundIntervalBackend,
  roundIntervalFrontend,
  VariableJson,
  VariableLookup,
} from "../../dashboards/panel-queries";
import { build } from "./helpers";

const H = 3_600_000;
const T0 = 1_750_000_000_000; // a fixed "now", ms

/** A Prometheus that answers label values from a table, and records what it was asked. */
function fakeLookup(values: Record<string, string[]>): VariableLookup & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    labelValues: async (label, match) => {
      calls.push(`label_values ${label} ${match ?? ""}`);
      return values[label] ?? [];
    },
    labelNames: async () => Object.keys(values),
    series: async () => [],
    instant: async () => [],
  };
}

function dashboard(variables: VariableJson[], exprs: string[], panel: Partial<{ interval: string; w: number }> = {}): DashboardJson {
  return {
    uid: "t",
    title: "T",
    templating: { list: variables },
    panels: [
      {
        id: 1,
        type: "timeseries",
        title: "P",
        datasource: { type: "prometheus", uid: "${datasource}" },
        gridPos: { w: panel.w ?? 12 },
        ...(panel.interval ? { interval: panel.interval } : {}),
        targets: exprs.map((expr, i) => ({ refId: String.fromCharCode(65 + i), expr, range: true })),
      },
    ],
  };
}

describe("interval rounding: the frontend compares with <, the backend with <=", () => {
  test.each([
    // [ms, frontend, backend]: on a bound they differ, between bounds they agree
    [1500, 2000, 1000],
    [12_500, 15_000, 10_000],
    [25_000, 30_000, 20_000],
    [22_500, 20_000, 20_000],
    [9, 1, 1],
    [10, 10, 1],
  ])("%d ms → frontend %d, backend %d", (ms, frontend, backend) => {
    expect(roundIntervalFrontend(ms)).toBe(frontend);
    expect(roundIntervalBackend(ms)).toBe(backend);
  });
});

describe("grafanaIntervals: $__interval (step), $__rate_interval, from Grafana's documented rules", () => {
  test("6h on a 960-pixel panel, scrape 15s: 22.5 s per point rounds to a 20s step; rate interval max(20s+15s, 4×15s) = 1m", () => {
    const i = grafanaIntervals({ fromMs: T0 - 6 * H, toMs: T0, maxDataPoints: 960, scrapeInterval: "15s" });
    expect(i).toEqual({ intervalMs: 20_000, stepMs: 20_000, rateIntervalMs: 60_000, rangeMs: 6 * H });
  });

  test("10 minutes: the scrape interval is the floor of the interval (15s), the rate interval 4 scrapes", () => {
    const i = grafanaIntervals({ fromMs: T0 - 600_000, toMs: T0, maxDataPoints: 960, scrapeInterval: "15s" });
    expect(i.intervalMs).toBe(15_000);
    expect(i.stepMs).toBe(15_000);
    expect(i.rateIntervalMs).toBe(60_000);
  });

  test("the panel's min interval raises the interval over the scrape interval; the rate interval follows it", () => {
    const i = grafanaIntervals({ fromMs: T0 - 600_000, toMs: T0, maxDataPoints: 960, scrapeInterval: "2s", minInterval: "30s" });
    expect(i.stepMs).toBe(30_000);
    expect(i.rateIntervalMs).toBe(32_000); // max(30s + 2s, 4 × 2s)
  });

  test("a panel exactly on a rounding bound gets the frontend's (upper) interval", () => {
    // 25 min / 1000 points = 1500 ms: the browser rounds to 2s; the backend alone would say 1s.
    const i = grafanaIntervals({ fromMs: T0 - 1_500_000, toMs: T0, maxDataPoints: 1000, minInterval: "1ms" });
    expect(i.intervalMs).toBe(2000);
    expect(i.stepMs).toBe(2000);
  });

  test("30 days with many points: the step is held at range/11000 (5m), the rate interval still uses the 30s interval", () => {
    const i = grafanaIntervals({ fromMs: T0 - 720 * H, toMs: T0, maxDataPoints: 100_000, scrapeInterval: "15s" });
    expect(i.intervalMs).toBe(30_000);
    expect(i.stepMs).toBe(300_000);
    expect(i.rateIntervalMs).toBe(60_000);
  });

  test("min step $__rate_interval makes the step the rate interval of the step", () => {
    const i = grafanaIntervals({ fromMs: T0 - 600_000, toMs: T0, maxDataPoints: 960, scrapeInterval: "15s", minStep: "$__rate_interval" });
    expect(i.stepMs).toBe(60_000);
    expect(i.rateIntervalMs).toBe(60_000);
  });

  test("a manual min step is the step, and the scrape interval of the rate interval", () => {
    const i = grafanaIntervals({ fromMs: T0 - 600_000, toMs: T0, maxDataPoints: 960, scrapeInterval: "15s", minStep: "30s" });
    expect(i.stepMs).toBe(30_000);
    expect(i.rateIntervalMs).toBe(120_000); // max(15s + 30s, 4 × 30s)
  });

  test("no scrape interval on the datasource: Grafana's 15s", () => {
    const i = grafanaIntervals({ fromMs: T0 - 600_000, toMs: T0, maxDataPoints: 960 });
    expect(i.rateIntervalMs).toBe(60_000);
  });

  test("Go's duration text, as $__rate_interval is written", () => {
    expect(goDuration(60_000)).toBe("1m0s");
    expect(goDuration(8000)).toBe("8s");
    expect(goDuration(90_500)).toBe("1m30.5s");
    expect(goDuration(3_723_000)).toBe("1h2m3s");
  });
});

describe("built-ins in the expression", () => {
  test("$__rate_interval, $__interval, $__range and their braced forms", async () => {
    const d = dashboard([], ["rate(x[$__rate_interval]) + rate(x[${__interval}]) + increase(x[$__range]) + $__range_s + $__interval_ms"]);
    const vars = await resolveVariables(d, fakeLookup({}), { fromMs: T0 - 6 * H, toMs: T0, scrapeInterval: "15s" });
    const [q] = expandPanelQueries(d, vars, { fromMs: T0 - 6 * H, toMs: T0, scrapeInterval: "15s" });
    expect(q.expr).toBe("rate(x[1m0s]) + rate(x[20s]) + increase(x[21600s]) + 21600 + 20000");
    expect(q.kind).toBe("range");
    expect(q.stepMs).toBe(20_000);
    // Grafana aligns the range to the step
    expect(q.startMs % 20_000).toBe(0);
    expect(q.endMs % 20_000).toBe(0);
  });
});

describe("template variables, as Grafana fills them for Prometheus", () => {
  const service = (current: string | string[], allValue?: string): VariableJson => ({
    name: "service",
    type: "query",
    query: { query: 'label_values(up{job="app"}, service)' },
    refresh: 2,
    multi: true,
    includeAll: true,
    ...(allValue ? { allValue } : {}),
    current: { value: current },
  });
  const instance: VariableJson = {
    name: "instance",
    type: "query",
    query: { query: 'label_values(up{job="app", service=~"$service"}, instance)' },
    refresh: 2,
    multi: true,
    includeAll: true,
    current: { value: "$__all" },
  };
  const lookup = () => fakeLookup({ service: ["chat-server", "group.service"], instance: ["10.0.0.1:8080", "10.0.0.2:8080"] });
  const fill = async (vars: VariableJson[], expr: string, l = lookup()) => {
    const d = dashboard(vars, [expr]);
    const window = { fromMs: T0 - H, toMs: T0, scrapeInterval: "15s" };
    const resolved = await resolveVariables(d, l, window);
    return expandPanelQueries(d, resolved, window)[0].expr;
  };

  test("All with a custom allValue is that value, verbatim", async () => {
    expect(await fill([service("$__all", ".*")], 'up{service=~"$service"}')).toBe('up{service=~".*"}');
  });

  test("All without an allValue is every option, regex-escaped and ORed", async () => {
    expect(await fill([service("$__all")], 'up{service=~"$service"}')).toBe('up{service=~"(chat-server|group\\\\.service)"}');
  });

  test("one value of a multi-value variable is regex-escaped, without parentheses", async () => {
    expect(await fill([service(["group.service"])], 'up{service=~"$service"}')).toBe('up{service=~"group\\\\.service"}');
  });

  test("several values are (a|b)", async () => {
    expect(await fill([service(["chat-server", "group.service"])], 'up{service=~"$service"}')).toBe('up{service=~"(chat-server|group\\\\.service)"}');
  });

  test("a single-value variable is not regex-escaped, only quotes and backslashes", () => {
    const v = new Map([["x", { name: "x", type: "custom", multi: false, includeAll: false, options: [], selected: [{ text: "a.b'c", value: "a.b'c" }] }]]);
    expect(interpolate('m{l="$x"}', v)).toBe("m{l=\"a.b\\\\'c\"}");
  });

  test("a saved selection that no longer exists falls back to the first option", async () => {
    const single: VariableJson = { ...service("gone"), multi: false, includeAll: false };
    expect(await fill([single], 'up{service="$service"}')).toBe('up{service="chat-server"}');
  });

  test("chained: the instance query is asked with the service selection filled in, in dependency order", async () => {
    const l = lookup();
    // instance listed first: it must still be resolved after service
    const expr = await fill([instance, service(["chat-server"])], 'up{service=~"$service", instance=~"$instance"}', l);
    expect(l.calls).toEqual(['label_values service up{job="app"}', 'label_values instance up{job="app", service=~"chat-server"}']);
    expect(expr).toBe('up{service=~"chat-server", instance=~"(10\\\\.0\\\\.0\\\\.1:8080|10\\\\.0\\\\.0\\\\.2:8080)"}');
  });

  test("a query variable without values is reported on the queries that use it", async () => {
    const d = dashboard([service("$__all", ".*"), instance], ['up{instance=~"$instance"}']);
    const window = { fromMs: T0 - H, toMs: T0 };
    const resolved = await resolveVariables(d, fakeLookup({ service: ["a"] }), window);
    const [q] = expandPanelQueries(d, resolved, window);
    expect(q.emptyVariables).toEqual([expect.stringContaining("$instance: its query")]);
  });

  test("label_values with and without a match", () => {
    expect(parseVariableQuery('label_values(up{job="a,b"}, instance)')).toEqual({ fn: "label_values", label: "instance", match: 'up{job="a,b"}' });
    expect(parseVariableQuery("label_values(job)")).toEqual({ fn: "label_values", label: "job" });
  });
});

describe("the project's dashboards", () => {
  test("every Prometheus query is filled completely and parses", async () => {
    const window = { fromMs: T0 - H, toMs: T0, scrapeInterval: "15s" };
    const lookup = fakeLookup({ service: ["chat-server"], instance: ["10.0.0.1:8080"] });
    let n = 0;
    for (const file of build()) {
      const json = file.json as unknown as DashboardJson;
      const queries = expandPanelQueries(json, await resolveVariables(json, lookup, window), window);
      for (const q of queries) {
        n++;
        expect(q.expr).not.toMatch(/\$/);
        expect(() => assertValidPromQL(q.expr, `${file.uid} / ${q.target.panelTitle}`)).not.toThrow();
      }
    }
    expect(n).toBeGreaterThan(80);
  });
});
