import { Testing } from "cdktf";
import { DEFAULT_APPLICATION_METRICS } from "../../alerts/catalog";
import { Duration } from "../../alerts/duration";
import { isAlertRule } from "../../alerts";
import { DEFAULT_THRESHOLDS } from "../../alerts/thresholds";
import { ConfigError, Problems } from "../../stacks/config";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { resolveSlos } from "../../stacks/slos";

function resolve(options: Parameters<typeof resolveSlos>[0]) {
  const problems = new Problems();
  const slos = resolveSlos(options, DEFAULT_APPLICATION_METRICS, problems);
  let errors: readonly string[] = [];
  try {
    problems.throwIfAny();
  } catch (e) {
    errors = (e as ConfigError).problems;
  }
  return { slos, errors };
}

describe("rules.slos", () => {
  test("defaults: 99.9% availability, 95% HTTP within 200ms, 95% delivery within 500ms, over 30d", () => {
    const { slos, errors } = resolve(undefined);
    expect(errors).toEqual([]);
    expect(slos).toEqual(DEFAULT_THRESHOLDS.slos);
    expect(slos.httpAvailability).toMatchObject({ enabled: true, objective: 0.999 });
    expect(slos.httpLatency).toMatchObject({ objective: 0.95, latencyThreshold: 0.2 });
    expect(slos.messageDelivery).toMatchObject({ objective: 0.95, latencyThreshold: 0.5 });
    expect(slos.httpAvailability.window.toString()).toBe("30d");
  });

  test("each field changes its SLO only", () => {
    const { slos, errors } = resolve({ httpAvailability: { objective: 0.9995, window: "28d" }, httpLatency: { latencyThreshold: "500ms" }, messageDelivery: { enabled: false } });
    expect(errors).toEqual([]);
    expect(slos.httpAvailability.objective).toBe(0.9995);
    expect(slos.httpAvailability.window.compare(Duration.parse("28d"))).toBe(0);
    expect(slos.httpLatency.latencyThreshold).toBe(0.5);
    expect(slos.httpLatency.objective).toBe(0.95);
    expect(slos.messageDelivery.enabled).toBe(false);
  });

  test("each validation error names the field, the value and what is allowed", () => {
    const { errors } = resolve({
      checkout: { objective: 0.99 },
      httpAvailability: { objective: 1.5 },
      httpLatency: { objective: 0.9, latencyThreshold: "300ms" },
      messageDelivery: { window: "a month" },
    });
    expect(errors).toEqual([
      'rules.slos.checkout: unknown SLO "checkout"; the SLOs are: httpAvailability, httpLatency, messageDelivery',
      "rules.slos.httpAvailability.objective: 1.5 is not a share between 0 and 1 (e.g. 0.999 for 99.9%)",
      "rules.slos.httpLatency.objective: 0.9 leaves an error budget of 10%, so the 14.4x burn alert could never fire; use an objective above 0.9306",
      "rules.slos.httpLatency.latencyThreshold: 300ms is not a bucket bound of messenger_http_request_duration_seconds; allowed: 5ms, 10ms, 20ms, 50ms, 100ms, 200ms, 500ms, 1s, 2s, 5s (or declare the bucket in application.metrics)",
      expect.stringMatching(/^rules\.slos\.messageDelivery\.window: "a month" is not a valid duration/),
    ]);
    expect(resolve({ httpAvailability: { latencyThreshold: "200ms" } }).errors).toEqual([
      "rules.slos.httpAvailability.latencyThreshold: httpAvailability is not a latency SLO; only httpLatency and messageDelivery take one",
    ]);
  });

  test("the stack renders the configured objective into the burn-rate alerts, and a disabled SLO has no rules", () => {
    const stack = new MonitoringStack(Testing.app(), "monitoring", { rules: { slos: { httpAvailability: { objective: 0.99 }, messageDelivery: { enabled: false } } } });
    const slo = stack.ruleGroups.find((g) => g.name === "slo-alerts")!;
    const fast = slo.rules.filter(isAlertRule).find((r) => r.name === "HttpAvailabilityBudgetBurn1h")!;
    // 14.4 x (1 - 0.99) = 14.4% bad events
    expect(fast.expr).toBe('job_service:slo_errors:ratio_rate1h{slo="http-availability"} > 0.144 and job_service:slo_errors:ratio_rate5m{slo="http-availability"} > 0.144');
    expect(slo.rules.filter(isAlertRule).some((r) => r.name.startsWith("MessageDelivery"))).toBe(false);
    expect(slo.rules.some((r) => !isAlertRule(r) && r.labels?.slo === "message-delivery")).toBe(false);
    expect(stack.dashboards.map((d) => d.uid)).toContain("slos");
  });
});
