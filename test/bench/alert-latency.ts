import { allTargetsUp, PrometheusApi } from "../rehearsal/apis";
import { INJECTED_ALERTS, RECEIVERS, RehearsalIntervals, SHORT_INTERVALS } from "../rehearsal/config";
import { MissingProgramsError, RehearsalEnvironment } from "../rehearsal/environment";
import { sleep, waitUntil } from "../rehearsal/http";

/**
 * Fault-to-notification latency of one alert on real Prometheus and Alertmanager (the rehearsal's
 * environment, without the exporters), compared with the budget the config implies:
 * scrape interval + evaluation interval + `for` + `group_wait`.
 *
 * The alert is ApplicationDown: its expression reads a gauge (`up`), so it is true from the first
 * failed scrape after the fault (the synthetic messenger answering 503). A rate-based alert (HighErrorRate) adds the time its 5m
 * rate window needs to cross the threshold, which the budget formula does not contain.
 */
export interface AlertLatencyOptions {
  /** Each round after the first waits ~30s for Alertmanager to forget the last one. @default 3 (env BENCH_LATENCY_ROUNDS) */
  readonly rounds?: number;
  /** @default the rehearsal's SHORT_INTERVALS */
  readonly intervals?: RehearsalIntervals;
  /** @default 1.2 */
  readonly target?: number;
}

/** Alertmanager's dispatcher removes empty aggregation groups this often (fixed in its code). */
const ALERTMANAGER_MAINTENANCE_MS = 30_000;

/** What {@link measureAlertLatency} measured. */
export interface AlertLatencyResult {
  readonly alert: string;
  /** Seconds from the fault to the webhook receiving the firing notification, per round. */
  readonly latencies: number[];
  readonly medianSeconds: number;
  readonly budgetSeconds: number;
  readonly ratio: number;
  readonly target: number;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    throw new Error("median of an empty list");
  }
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs N rounds of fault → firing notification → recovery → resolved notification. */
export async function measureAlertLatency(options: AlertLatencyOptions = {}): Promise<AlertLatencyResult> {
  const intervals = options.intervals ?? SHORT_INTERVALS;
  const rounds = options.rounds ?? Number(process.env.BENCH_LATENCY_ROUNDS ?? 3);
  const alert = INJECTED_ALERTS.outage;
  const env = await RehearsalEnvironment.start({ intervals, exporters: false, prefix: "alert-latency-", log: () => undefined });
  let ok = false;
  try {
    const prom = new PrometheusApi(env.prometheusUrl);
    const messenger = env.messenger!;
    // Measure from a settled pipeline: targets scraped, rules evaluated, Alertmanager discovered.
    await waitUntil(
      "targets up and rules evaluated",
      async () =>
        allTargetsUp(await prom.targets(), env.runningJobs) &&
        (await prom.ruleGroups()).every((g) => g.rules.every((r) => r.health === "ok")),
      { timeoutMs: 90_000 },
    );
    await waitUntil(
      "Prometheus to discover its Alertmanager",
      async () => ((await prom.query("prometheus_notifications_alertmanagers_discovered"))[0]?.value ?? 0) >= 1,
      { timeoutMs: 60_000 },
    );
    const latencies: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await env.waitForConnectionBaseline();
      const since = Date.now();
      messenger.control({ available: false });
      const fired = await env.webhook.waitFor({ alertname: alert, path: RECEIVERS.critical, status: "firing", since }, 90_000);
      latencies.push((fired.notification.receivedAt - since) / 1000);
      const back = Date.now();
      messenger.control({ available: true });
      await env.webhook.waitFor({ alertname: alert, path: RECEIVERS.critical, status: "resolved", since: back }, 90_000);
      if (round < rounds - 1) {
        // Alertmanager drops an aggregation group whose alerts all resolved only in its maintenance pass
        // (every 30s, not visible in its API); an alert arriving before that is sent at the old group's
        // next group_interval tick instead of after group_wait. Each round measures a new group, as the
        // budget assumes.
        await sleep(ALERTMANAGER_MAINTENANCE_MS + 2000);
      }
    }
    const budgetSeconds =
      intervals.applicationScrape.seconds + intervals.evaluation.seconds + intervals.alertFor.seconds + intervals.groupWait.seconds;
    const medianSeconds = median(latencies);
    ok = true;
    return { alert, latencies, medianSeconds, budgetSeconds, ratio: medianSeconds / budgetSeconds, target: options.target ?? 1.2 };
  } finally {
    await env.close(ok);
  }
}

/** Prints the alert-latency benchmark; called by `npm run bench` after the synth benchmark. */
export async function runAlertLatencyBench(options: AlertLatencyOptions = {}): Promise<void> {
  const i = options.intervals ?? SHORT_INTERVALS;
  console.log(
    `\nalert latency benchmark: fault → notification on real Prometheus + Alertmanager (loopback), SHORT INTERVALS passed in: ` +
      `scrape ${i.applicationScrape} (messenger job), evaluation ${i.evaluation}, for ${i.alertFor}, group_wait ${i.groupWait}`,
  );
  try {
    const r = await measureAlertLatency(options);
    console.log(`  ${r.alert} (messenger answering 503), ${r.latencies.length} rounds: [${r.latencies.map((l) => l.toFixed(1)).join(", ")}] s`);
    console.log(`  median ${r.medianSeconds.toFixed(1)} s / budget ${r.budgetSeconds.toFixed(1)} s (scrape + evaluation + for + group_wait)`);
    console.log(`  ratio median/budget: ${r.ratio.toFixed(2)} (target <= ${r.target}) ${r.ratio <= r.target ? "OK" : "OVER TARGET"}`);
  } catch (e) {
    if (e instanceof MissingProgramsError && process.env.CI !== "true") {
      console.log(`  skipped: ${e.message}`);
      return;
    }
    console.error(`  alert latency benchmark failed: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  void runAlertLatencyBench();
}
