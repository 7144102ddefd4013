import * as yaml from "js-yaml";
import { buildRuleGroups, renderRuleFiles, resolveAlerts, DEFAULT_CATALOG_OPTIONS } from "../../alerts";
import { GUIDE_APPLICATION_SERVICES, JOBS } from "../../alerts/jobs";
import { RECORDED } from "../../alerts/rules/selectors";
import { DEFAULT_THRESHOLDS as T } from "../../alerts/thresholds";
import { promtoolAvailable, runPromtool, writeTempFiles } from "./promtool";

/**
 * Scenarios of a scaled-out application, judged by promtool over the full rule set: each replica is a
 * target of its own (DNS discovery, instance `address:port`), so the rules must aggregate by service.
 * Series are written in promtool's expanding notation at a 1m scrape; `_` is a missed scrape.
 */

const JOB = JOBS.application;
const MINUTES = 120;
const alerts = resolveAlerts(DEFAULT_CATALOG_OPTIONS);
const ruleFiles = renderRuleFiles(buildRuleGroups(DEFAULT_CATALOG_OPTIONS));

function replica(service: string, n: number): string {
  const port = GUIDE_APPLICATION_SERVICES.find((s) => s.name === service)?.port ?? 8080;
  return `job="${JOB}", service="${service}", instance="172.31.0.${10 + n}:${port}"`;
}

/** A counter growing by `perMinute` for `minutes` from 0: `0+600x120`. */
function counter(perMinute: number, minutes = MINUTES): string {
  return `0+${perMinute}x${minutes}`;
}

/** The firing alerts with their labels, as the ALERTS series holds them. */
function firing(name: string, labels: Record<string, string>): string {
  const alert = alerts.find((a) => a.rule.name === name)!;
  const all: Record<string, string> = { ...labels, ...(alert.rule.labels ?? {}), alertname: name, alertstate: "firing", severity: alert.rule.severity };
  return `ALERTS{${Object.entries(all)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ")}}`;
}

/** Every alert of the application, the error and SLO ones by name. */
const APPLICATION_ALERTS = alerts
  .filter((a) => [a.definition.requires].flat().some((r) => "application" in r) || a.group === "slo-alerts")
  .map((a) => a.rule.name);

interface Scenario {
  readonly series: ReadonlyArray<{ series: string; values: string }>;
  readonly checks: ReadonlyArray<{ eval_time: string; expr: string; exp_samples: ReadonlyArray<{ labels: string; value: number }> }>;
}

function run(name: string, scenario: Scenario): void {
  const doc = {
    rule_files: ruleFiles.map((f) => f.fileName),
    evaluation_interval: "1m",
    tests: [{ name, interval: "1m", input_series: scenario.series, promql_expr_test: scenario.checks }],
  };
  const dir = writeTempFiles([...ruleFiles, { fileName: "scenario.test.yml", content: yaml.dump(doc, { lineWidth: -1 }) }]);
  if (!promtoolAvailable()) {
    return;
  }
  const result = runPromtool(["test", "rules", "scenario.test.yml"], dir);
  expect(result.output).toContain("SUCCESS");
  expect(result.status).toBe(0);
}

/** Application alerts firing at `t`, by name: none expected unless listed. */
function firingApplicationAlerts(t: string, expected: ReadonlyArray<{ labels: string; value: number }>) {
  return { eval_time: t, expr: `ALERTS{alertstate="firing", alertname=~"${APPLICATION_ALERTS.join("|")}"}`, exp_samples: expected };
}

describe("a scaled-out service (one target per replica)", () => {
  test("the rule library's application alerts are the ones these scenarios watch", () => {
    expect(APPLICATION_ALERTS).toEqual(expect.arrayContaining(["HighErrorRate", "ElevatedErrorRate", "ServiceDown", "ServiceReplicaDown", "HttpAvailabilityBudgetBurn1h"]));
  });

  test("one bad replica of five: the service's ratio (10%) pages HighErrorRate once, for the service, not per replica", () => {
    // Five chat-server replicas at 10 req/s; replica 5 fails half of its requests: 30 of 300 per minute.
    const ok = [1, 2, 3, 4].map((n) => ({ series: `messenger_http_requests_total{${replica("chat-server", n)}, status="200"}`, values: counter(600) }));
    const bad = [
      { series: `messenger_http_requests_total{${replica("chat-server", 5)}, status="200"}`, values: counter(300) },
      { series: `messenger_http_requests_total{${replica("chat-server", 5)}, status="500"}`, values: counter(300) },
    ];
    const up = [1, 2, 3, 4, 5].map((n) => ({ series: `up{${replica("chat-server", n)}}`, values: `1x${MINUTES}` }));
    // The other services run, healthy, so their absence does not page.
    const others = GUIDE_APPLICATION_SERVICES.filter((s) => s.name !== "chat-server").flatMap((s) => [
      { series: `up{${replica(s.name, 1)}}`, values: `1x${MINUTES}` },
      { series: `messenger_http_requests_total{${replica(s.name, 1)}, status="200"}`, values: counter(600) },
    ]);
    const service = { job: JOB, service: "chat-server" };
    const page = alerts.find((a) => a.rule.name === "HighErrorRate")!.rule.for.seconds / 60;
    run("one bad replica of five", {
      series: [...ok, ...bad, ...up, ...others],
      checks: [
        // The ratio is the service's, summed over replicas: 300 / 3000 = 10%, one series without instance.
        { eval_time: "10m", expr: `${RECORDED.httpErrorRatio}{service="chat-server"}`, exp_samples: [{ labels: `${RECORDED.httpErrorRatio}{job="${JOB}", service="chat-server"}`, value: 0.1 }] },
        // Above both thresholds (5%, 1%): the critical and its warning twin fire once each, per service, and
        // so do the fast availability burns (10% errors burn a 99.9% budget 100 times too fast).
        firingApplicationAlerts(`${page + 6}m`, [
          { labels: firing("ElevatedErrorRate", service), value: 1 },
          { labels: firing("HighErrorRate", service), value: 1 },
          { labels: firing("HttpAvailabilityBudgetBurn1h", service), value: 1 },
          { labels: firing("HttpAvailabilityBudgetBurn6h", service), value: 1 },
        ]),
      ],
    });
    expect(T.httpErrorRatio.threshold.value).toBeLessThan(0.1);
  });

  test("a replica restart (counter reset, one missed scrape, up 0 once) raises no application alert", () => {
    // Three replicas at 10 req/s with 0.05% errors (below every error and SLO threshold). At minute 30
    // replica 2 restarts: one scrape fails (up 0, no samples), then its counters start again from 0.
    const total = (n: number) => (n === 2 ? `0+600x29 _ 600+600x${MINUTES - 31}` : counter(600));
    const errors = (n: number) => (n === 2 ? `0+0.3x29 _ 0.3+0.3x${MINUTES - 31}` : counter(0.3));
    const series = [1, 2, 3].flatMap((n) => [
      { series: `messenger_http_requests_total{${replica("chat-server", n)}, status="200"}`, values: total(n) },
      { series: `messenger_http_requests_total{${replica("chat-server", n)}, status="500"}`, values: errors(n) },
      { series: `up{${replica("chat-server", n)}}`, values: n === 2 ? `1x29 0 1x${MINUTES - 31}` : `1x${MINUTES}` },
    ]);
    const others = GUIDE_APPLICATION_SERVICES.filter((s) => s.name !== "chat-server").map((s) => ({ series: `up{${replica(s.name, 1)}}`, values: `1x${MINUTES}` }));
    const times = [29, 30, 31, 32, 35, 40, 45, 60, 90, 119];
    run("a replica restart", {
      series: [...series, ...others],
      checks: [
        ...times.map((m) => firingApplicationAlerts(`${m}m`, [])),
        // Nothing near the alerting ratio either, at any window: the reset is not read as a burst of errors.
        ...times.map((m) => ({ eval_time: `${m}m`, expr: `${RECORDED.httpErrorRatio} > 0.001 or job_service:slo_errors:ratio_rate5m{slo="http-availability"} > 0.001`, exp_samples: [] })),
      ],
    });
  });

  test("every replica of one service gone (left the DNS answer) pages ServiceDown for that service only; the others keep running", () => {
    // chat-server's two replicas stop at minute 10: their series end (stale), nothing says up 0.
    const chat = [1, 2].map((n) => ({ series: `up{${replica("chat-server", n)}}`, values: `1x9 stale` }));
    const others = GUIDE_APPLICATION_SERVICES.filter((s) => s.name !== "chat-server").map((s) => ({ series: `up{${replica(s.name, 1)}}`, values: `1x${MINUTES}` }));
    const down = alerts.find((a) => a.rule.name === "ServiceDown")!.rule.for.seconds / 60;
    run("a service with no replica", {
      series: [...chat, ...others],
      checks: [
        firingApplicationAlerts("9m", []),
        // Within staleness (5m) + for: ServiceDown for chat-server, and no ApplicationDown (others are up).
        firingApplicationAlerts(`${10 + 5 + down + 1}m`, [{ labels: firing("ServiceDown", { job: JOB, service: "chat-server" }), value: 1 }]),
      ],
    });
  });

  test("two of five replicas stopped warn ServiceReplicaDown (value: replicas left) without paging; back to five, it resolves", () => {
    const values = (n: number) => (n <= 3 ? `1x${MINUTES}` : `1x9 stale _x10 1x${MINUTES - 21}`);
    const chat = [1, 2, 3, 4, 5].map((n) => ({ series: `up{${replica("chat-server", n)}}`, values: values(n) }));
    const others = GUIDE_APPLICATION_SERVICES.filter((s) => s.name !== "chat-server").map((s) => ({ series: `up{${replica(s.name, 1)}}`, values: `1x${MINUTES}` }));
    run("two replicas lost", {
      series: [...chat, ...others],
      checks: [
        { eval_time: "18m", expr: `${RECORDED.serviceReplicasUp}{service="chat-server"}`, exp_samples: [{ labels: `${RECORDED.serviceReplicasUp}{job="${JOB}", service="chat-server"}`, value: 3 }] },
        firingApplicationAlerts("18m", [{ labels: firing("ServiceReplicaDown", { job: JOB, service: "chat-server" }), value: 1 }]),
        firingApplicationAlerts("25m", []),
      ],
    });
  });
});
