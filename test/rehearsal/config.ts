import * as fs from "node:fs";
import * as path from "node:path";
import { ALERT_NAMES, AlertRule, SYMPTOM_LABEL, renderRuleFiles } from "../../alerts";
import { Duration } from "../../alerts/duration";
import { JOBS } from "../../alerts/jobs";
import { renderPrometheusConfig } from "../../constructs/prometheus";
import { ScrapeTarget } from "../../constructs/service";
import { MonitoringConfig, RuleOverride } from "../../stacks/config";
import { MonitoringStack } from "../../stacks/monitoring-stack";

/** Timing of a rehearsal or benchmark. Short values keep it fast; they are passed through the stack config. */
export interface RehearsalIntervals {
  /** `prometheus.scrapeInterval` (every job without its own). */
  readonly scrape: Duration;
  /** `application.scrapeInterval` (the messenger job). */
  readonly applicationScrape: Duration;
  /** `prometheus.evaluationInterval`. */
  readonly evaluation: Duration;
  /** `alertmanager.groupWait`. */
  readonly groupWait: Duration;
  /** `alertmanager.groupInterval`; also how soon a resolved notification follows the resolution. */
  readonly groupInterval: Duration;
  /** `for` of every alert the rehearsal injects a fault for (rule overrides). */
  readonly alertFor: Duration;
}

/** The short intervals the rehearsal uses (the defaults are 15s / 5s / 15s / 30s / 5m / 5-15m). */
export const SHORT_INTERVALS: RehearsalIntervals = {
  scrape: Duration.parse("2s"),
  applicationScrape: Duration.parse("1s"),
  evaluation: Duration.parse("1s"),
  groupWait: Duration.parse("2s"),
  groupInterval: Duration.parse("2s"),
  alertFor: Duration.parse("5s"),
};

/** The alerts the rehearsal makes fire, by the fault that fires them. */
export const INJECTED_ALERTS = {
  /** Error ratio above 5% (critical). */
  errorRatio: "HighErrorRate",
  /** Message delivery p95 above 1s (warning). */
  latency: "HighMessageLatency",
  /** The application down (critical): `up` is a gauge, so it fires from the first failed scrape and resolves at once. */
  outage: "ApplicationDown",
  /** An exporter stopped (warning). */
  targetDown: "TargetDown",
} as const;

/**
 * The warning twin of the error-ratio alert (same symptom, lower threshold). Its `for` is made longer
 * than the critical's, so that the critical fires first and the warning must be inhibited from its
 * first notification on (in production the warning's lower threshold is crossed first).
 */
export const ERROR_RATIO_WARNING_TWIN = "ElevatedErrorRate";

/** Receivers of the rehearsal config; each is a path of the webhook recorder. */
export const RECEIVERS = { default: "default", critical: "critical", warning: "warning", heartbeat: "heartbeat" } as const;

/** Options of {@link rehearsalConfig}. */
export interface RehearsalConfigOptions {
  readonly intervals: RehearsalIntervals;
  /** The webhook URL of a receiver name. */
  readonly webhookUrl: (receiver: string) => string;
  /** Whether to scrape the node, Redis and Postgres exporters. @default true */
  readonly exporters?: boolean;
}

/**
 * The stack config of a rehearsal: the product's defaults, except short intervals, loopback webhook
 * receivers, and what cannot run without Docker switched off (Jaeger, Alloy, cAdvisor).
 */
export function rehearsalConfig(o: RehearsalConfigOptions): MonitoringConfig {
  const forShort: RuleOverride = { for: o.intervals.alertFor };
  const exporters = o.exporters ?? true;
  return {
    name: "monitoring",
    application: { targets: ["chat-server:8080"], scrapeInterval: o.intervals.applicationScrape },
    prometheus: { scrapeInterval: o.intervals.scrape, evaluationInterval: o.intervals.evaluation },
    alertmanager: {
      groupWait: o.intervals.groupWait,
      groupInterval: o.intervals.groupInterval,
      receivers: Object.values(RECEIVERS).map((name) => ({ name, webhooks: [{ url: o.webhookUrl(name) }] })),
      routing: {
        defaultReceiver: RECEIVERS.default,
        critical: RECEIVERS.critical,
        warning: RECEIVERS.warning,
        heartbeat: RECEIVERS.heartbeat,
      },
    },
    jaeger: { enabled: false },
    alloy: { enabled: false },
    exporters: {
      cadvisor: { enabled: false },
      node: { enabled: exporters },
      redis: { enabled: exporters },
      postgres: { enabled: exporters },
    },
    rules: {
      overrides: Object.fromEntries(
        [
          ...Object.values(INJECTED_ALERTS).map((name): [string, RuleOverride] => [name, forShort]),
          [ERROR_RATIO_WARNING_TWIN, { for: Duration.millis(o.intervals.alertFor.milliseconds * 4) }] as [string, RuleOverride],
        ].filter(([name]) => ALERT_NAMES.includes(name)),
      ),
    },
  };
}

/** Result of {@link mapScrapeTargets}. */
export interface MappedTargets {
  /** Targets with loopback addresses, in the original order. */
  readonly kept: ScrapeTarget[];
  /** Jobs without a local address: their program cannot run here. */
  readonly dropped: string[];
}

/**
 * Replaces each job's container addresses by local ones. `addresses` maps a job to its loopback
 * address (or one address per target); a job missing from the map is dropped and reported.
 */
export function mapScrapeTargets(
  targets: readonly ScrapeTarget[],
  addresses: Readonly<Record<string, string | readonly string[]>>,
): MappedTargets {
  const kept: ScrapeTarget[] = [];
  const dropped: string[] = [];
  for (const t of targets) {
    const a = addresses[t.job];
    if (a === undefined) {
      dropped.push(t.job);
      continue;
    }
    const list = typeof a === "string" ? [a] : [...a];
    if (list.length !== t.targets.length) {
      throw new Error(
        `job "${t.job}" has ${t.targets.length} targets (${t.targets.join(", ")}) but ${list.length} local addresses were given (${list.join(", ")})`,
      );
    }
    for (const addr of list) {
      if (!/^127\.0\.0\.1:\d{1,5}$/.test(addr)) {
        throw new Error(`job "${t.job}": "${addr}" is not a loopback address 127.0.0.1:<port>`);
      }
    }
    kept.push({ ...t, targets: list });
  }
  return { kept, dropped };
}

/** Files written by {@link writeRehearsalFiles}. */
export interface RehearsalFiles {
  readonly prometheusConfig: string;
  readonly ruleFiles: string[];
  readonly alertmanagerConfig: string;
  /** Rule groups in the rule files. */
  readonly groupCount: number;
  readonly mapped: MappedTargets;
}

/**
 * Writes what the stack generates into `dir`: alertmanager.yml as the stack renders it, the rule files
 * from the stack's rule groups, and prometheus.yml re-rendered from the construct's own options with
 * only the scrape addresses, the Alertmanager address and the rule file location changed.
 */
export function writeRehearsalFiles(
  stack: MonitoringStack,
  dir: string,
  addresses: Readonly<Record<string, string | readonly string[]>>,
): RehearsalFiles {
  const rulesDir = path.join(dir, "rules");
  fs.mkdirSync(rulesDir, { recursive: true });
  const ruleFiles = renderRuleFiles(stack.ruleGroups).map((f) => {
    const file = path.join(rulesDir, f.fileName);
    fs.writeFileSync(file, f.content);
    return file;
  });
  const options = stack.prometheus.configOptions;
  const mapped = mapScrapeTargets(options.scrapeTargets, addresses);
  const am = addresses[JOBS.alertmanager];
  const prometheusConfig = path.join(dir, "prometheus.yml");
  fs.writeFileSync(
    prometheusConfig,
    renderPrometheusConfig({
      ...options,
      ruleFilesGlob: path.join(rulesDir, "*.yml"),
      alertmanagers: options.alertmanagers.length > 0 && am !== undefined ? [am].flat() : [],
      scrapeTargets: mapped.kept,
    }),
  );
  const alertmanagerConfig = path.join(dir, "alertmanager.yml");
  fs.writeFileSync(alertmanagerConfig, stack.alertmanager.config);
  return { prometheusConfig, ruleFiles, alertmanagerConfig, groupCount: stack.ruleGroups.length, mapped };
}

/** A critical alert and the warning alert that watch the same symptom (the `symptom` label). */
export interface SymptomTwins {
  readonly symptom: string;
  readonly critical: string;
  readonly warning: string;
}

/** Every symptom with both a critical and a warning alert in the stack's rules. */
export function symptomTwins(stack: Pick<MonitoringStack, "ruleGroups">): SymptomTwins[] {
  const bySymptom = new Map<string, { critical?: string; warning?: string }>();
  for (const r of alertRules(stack)) {
    const symptom = r.labels?.[SYMPTOM_LABEL];
    if (symptom && (r.severity === "critical" || r.severity === "warning")) {
      bySymptom.set(symptom, { ...bySymptom.get(symptom), [r.severity]: r.name });
    }
  }
  return [...bySymptom]
    .filter(([, t]) => t.critical && t.warning)
    .map(([symptom, t]) => ({ symptom, critical: t.critical!, warning: t.warning! }));
}

function alertRules(stack: Pick<MonitoringStack, "ruleGroups">): AlertRule[] {
  return stack.ruleGroups.flatMap((g) => g.rules).filter((r): r is AlertRule => "name" in r && "severity" in r);
}
