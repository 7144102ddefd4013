import { buildRuleGroups, Duration, isAlertRule, JOBS } from "../../../alerts";
import { buildCatalog, checkProvenance, DEFAULT_APPLICATION_METRICS, formatFindings, fullCatalog, K6_JOB } from "../../../alerts/catalog";

/** The shipped rule set with every exporter and component on. */
function defaultRules() {
  const groups = buildRuleGroups({
    scrapeInterval: Duration.parse("15s"),
    evaluationInterval: Duration.parse("15s"),
    exporters: { node: true, cadvisor: true, postgres: true, redis: true, minio: true },
    stackJobs: Object.values(JOBS),
    application: true,
  });
  const rules = groups.flatMap((g) => g.rules);
  return {
    recordingRules: rules.filter((r) => !isAlertRule(r)).map((r) => ({ record: (r as { record: string }).record, expr: r.expr })),
    expressions: rules.filter(isAlertRule).map((r) => ({ where: `alert "${r.name}"`, expr: r.expr })),
  };
}

describe("the shipped alert and recording rules", () => {
  it("select only metrics that the scraped exporters expose, with fitting functions, labels and thresholds", () => {
    const rules = defaultRules();
    expect(rules.expressions.length).toBeGreaterThan(10);
    expect(formatFindings(checkProvenance({ catalog: fullCatalog(), ...rules }))).toBe("");
  });

  it("would be caught if an exporter they need were not scraped", () => {
    const withoutRedis = buildCatalog({
      scrapedJobs: [...Object.values(JOBS).filter((j) => j !== JOBS.redisExporter), K6_JOB],
      application: DEFAULT_APPLICATION_METRICS,
    });
    const findings = checkProvenance({ catalog: withoutRedis, ...defaultRules() });
    expect(findings.some((f) => f.metric?.startsWith("redis_") && /does not scrape/.test(f.message))).toBe(true);
  });
});
