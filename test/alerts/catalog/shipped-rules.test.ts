import { buildRuleGroups, Duration, isAlertRule, JOBS } from "../../../alerts";
import { buildDashboards } from "../../../dashboards";
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
    recordingRules: rules.filter((r) => !isAlertRule(r)).map((r) => r as { record: string; expr: string; labels?: Record<string, string> }),
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

/** Every Prometheus query of the default dashboards, with dashboard, panel and query id. */
function dashboardQueries(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const files = buildDashboards({ exporters: { node: true, cadvisor: true, postgres: true, redis: true, minio: true }, applicationJob: JOBS.application });
  type Panel = { title?: string; panels?: Panel[]; targets?: { expr?: string; refId?: string; datasource?: { type?: string } }[] };
  const walk = (title: string, panels: readonly Panel[] | undefined): void => {
    for (const p of panels ?? []) {
      walk(title, p.panels);
      for (const t of p.targets ?? []) {
        if (t.expr && (t.datasource?.type ?? "prometheus") === "prometheus") {
          out.push({ where: `dashboard "${title}", panel "${p.title}", query ${t.refId}`, expr: t.expr });
        }
      }
    }
  };
  for (const f of files) walk(f.title, (f.json as unknown as { panels?: Panel[] }).panels);
  return out;
}

describe("the shipped dashboards", () => {
  it("query only metrics that exist, with fitting functions and labels", () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(50);
    const { recordingRules } = defaultRules();
    expect(formatFindings(checkProvenance({ catalog: fullCatalog(), recordingRules, expressions: queries }))).toBe("");
  });
});
