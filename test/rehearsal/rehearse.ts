/**
 * `npm run rehearse`: runs the configuration the stack generates on the real programs (Debian's
 * Prometheus, Alertmanager, exporters, Redis, PostgreSQL) on loopback, with a synthetic messenger
 * service and a webhook recorder, and asserts that the alert pipeline works end to end.
 * See docs/rehearsal.md.
 */
import { JOBS } from "../../alerts/jobs";
import { allTargetsUp, AlertmanagerApi, PrometheusApi } from "./apis";
import { INJECTED_ALERTS, RECEIVERS, RehearsalIntervals, SHORT_INTERVALS, symptomTwins } from "./config";
import { MissingProgramsError, RehearsalEnvironment, run } from "./environment";
import { waitUntil } from "./http";
import { PROGRAMS } from "./programs";
import { Report } from "./report";
import { describeFaultTimeline } from "./stages";
import { HEALTHY } from "./messenger";
import { checkPanelData } from "./panel-data";
import { fullCatalog } from "../../alerts/catalog";

const NOTIFY_TIMEOUT_MS = 90_000;
const START_TIMEOUT_MS = 90_000;

/**
 * Scrape + evaluation + `for` + group_wait: the detection budget of an injected alert. Rate-based alerts
 * (HighErrorRate, HighMessageLatency) can take longer: their 5m window must first cross the threshold.
 */
export function budgetSeconds(i: RehearsalIntervals, scrape = i.scrape): number {
  return scrape.seconds + i.evaluation.seconds + i.alertFor.seconds + i.groupWait.seconds;
}

function intervalsLine(i: RehearsalIntervals): string {
  return (
    `SHORT INTERVALS (through the stack config): scrape ${i.scrape} (messenger job ${i.applicationScrape}), ` +
    `evaluation ${i.evaluation}, group_wait ${i.groupWait}, group_interval ${i.groupInterval}, ` +
    `for ${i.alertFor} on ${Object.values(INJECTED_ALERTS).join(", ")} ` +
    `(product defaults: 15s / 5s / 15s / 30s / 5m, for 5m-15m)`
  );
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const i = SHORT_INTERVALS;
  console.log("Rehearsal: the generated monitoring config on real Prometheus and Alertmanager, loopback only");
  console.log(`  ${intervalsLine(i)}`);
  // Pinned builds (npm run e2e -- --build-only) when present, else Debian's: say which ran.
  const used = (["prometheus", "alertmanager", "promtool", "amtool", "nodeExporter", "postgresExporter"] as const).map(
    (n) => `${n} ${PROGRAMS[n].path}`,
  );
  console.log(`  programs: ${used.join(", ")}`);

  let env: RehearsalEnvironment;
  try {
    env = await RehearsalEnvironment.create({ intervals: i });
  } catch (e) {
    if (e instanceof MissingProgramsError) {
      console.error(`FAIL  programs installed: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const report = new Report();
  let ok = false;
  try {
    const prom = new PrometheusApi(env.prometheusUrl);
    const am = new AlertmanagerApi(env.alertmanagerUrl);
    const messenger = () => {
      if (!env.messenger) {
        throw new Error("the stack has no application job, so the synthetic messenger is not running");
      }
      return env.messenger;
    };

    if (env.notes.length > 0) {
      console.log("\n  !!! NOT EVERYTHING RUNS HERE:");
      for (const n of env.notes) {
        console.log(`  !!! ${n}`);
      }
    }
    const notesShown = env.notes.length;
    console.log(`  work directory (logs, generated files): ${env.pm.workDir}\n`);

    // --- the generated files, checked by the programs' own tools ---
    await report.check("promtool check config (prometheus.yml and its rule files)", async () => {
      const r = await run(PROGRAMS.promtool.path, ["check", "config", env.files.prometheusConfig], 60_000);
      if (r.code !== 0) throw new Error(r.output.trim());
      return `${env.files.mapped.kept.length} jobs, ${env.files.ruleFiles.length} rule files`;
    });
    await report.check("promtool check rules", async () => {
      const r = await run(PROGRAMS.promtool.path, ["check", "rules", ...env.files.ruleFiles], 60_000);
      if (r.code !== 0) throw new Error(r.output.trim());
      const rules = [...r.output.matchAll(/SUCCESS: (\d+) rules found/g)].reduce((n, m) => n + Number(m[1]), 0);
      return `${rules} rules in ${env.files.ruleFiles.length} files`;
    });
    await report.check("amtool check-config alertmanager.yml", async () => {
      const r = await run(PROGRAMS.amtool.path, ["check-config", env.files.alertmanagerConfig], 60_000);
      if (r.code !== 0) throw new Error(r.output.trim());
      return r.output.match(/- (\d+) receivers/)?.[0]?.slice(2) ?? "ok";
    });

    const started = await report.check("every program starts and is ready", async () => {
      const t = Date.now();
      await env.startAll();
      return `${env.pm.running().join(", ")} + synthetic messenger + webhook recorder, in ${((Date.now() - t) / 1000).toFixed(1)} s`;
    });
    for (const n of env.notes.slice(notesShown)) {
      console.log(`  !!! ${n}`);
    }
    if (!started) {
      return 1;
    }
    const startedAt = Date.now() / 1000;
    // Prometheus learns its Alertmanager from service discovery, which publishes every 5s; an alert
    // evaluated before that is re-sent only after the resend delay (1m). The first heartbeat can thus take
    // a minute: wait for it while the other assertions run, and check it after them.
    const firstHeartbeat = env.webhook
      .waitFor({ alertname: "Watchdog", path: RECEIVERS.heartbeat, status: "firing" }, 150_000)
      .then((found) => ({ found }), (error: Error) => ({ error }));

    await report.check("every running scrape target is up", async () => {
      const targets = await waitUntil(
        "every target up",
        async () => {
          const ts = await prom.targets();
          return allTargetsUp(ts, env.runningJobs) ? ts : false;
        },
        { timeoutMs: START_TIMEOUT_MS },
      ).catch(async (e: Error) => {
        const down = (await prom.targets()).filter((t) => t.health !== "up").map((t) => `${t.scrapePool} ${t.labels.instance}: ${t.health} ${t.lastError}`);
        throw new Error(`${e.message}\n${down.join("\n")}`);
      });
      return `${targets.length} targets up: ${[...new Set(targets.map((t) => t.scrapePool))].join(", ")}`;
    });

    await report.check("the exporters log in with their secret files: redis_up and pg_up are 1", async () => {
      // redis_exporter reads its JSON password file, postgres_exporter DATA_SOURCE_PASS_FILE, as in the
      // containers; Redis has requirepass and PostgreSQL password authentication, so a wrong file is 0.
      const wanted = [
        ...(env.runningJobs.includes(JOBS.redisExporter) ? ["redis_up"] : []),
        ...(env.runningJobs.includes(JOBS.postgresExporter) ? ["pg_up"] : []),
      ];
      if (wanted.length === 0) return "neither exporter runs here";
      const values = await waitUntil(
        "redis_up and pg_up at 1",
        async () => {
          const got = await Promise.all(wanted.map(async (m) => [m, (await prom.query(m))[0]?.value] as const));
          return got.every(([, v]) => v === 1) ? got : false;
        },
        { timeoutMs: START_TIMEOUT_MS },
      ).catch(async (e: Error) => {
        const got = await Promise.all(wanted.map(async (m) => `${m}=${(await prom.query(m))[0]?.value ?? "absent"}`));
        throw new Error(`${e.message}: ${got.join(", ")}`);
      });
      return values.map(([m, v]) => `${m} ${v}`).join(", ");
    });

    await report.check("every rule group is loaded and evaluates without errors", async () => {
      const groups = await waitUntil(
        "every rule evaluated once",
        async () => {
          const gs = await prom.ruleGroups();
          return gs.length === env.files.groupCount && gs.every((g) => g.rules.every((r) => r.health !== "unknown")) ? gs : false;
        },
        { timeoutMs: START_TIMEOUT_MS },
      );
      const bad = groups.flatMap((g) => g.rules.filter((r) => r.health !== "ok" || r.lastError).map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError ?? ""}`));
      if (bad.length > 0) throw new Error(bad.join("\n"));
      const rules = groups.reduce((n, g) => n + g.rules.length, 0);
      return `${groups.length} groups (${groups.map((g) => g.name).join(", ")}), ${rules} rules, all health "ok"`;
    });

    // --- injected faults ---
    const fault = async (
      alertname: string,
      severity: string,
      receiver: string,
      inject: () => void,
      clear: () => void,
      labels?: Record<string, string>,
      budget = budgetSeconds(i, i.applicationScrape),
    ): Promise<string> => {
      const since = Date.now();
      inject();
      try {
        const { notification } = await env.webhook.waitFor({ alertname, severity, path: receiver, status: "firing", since, labels }, NOTIFY_TIMEOUT_MS);
        const stages = await describeFaultTimeline(prom, am, {
          labels: { ...labels, alertname, severity },
          job: JOBS.application,
          injectedAt: since,
          notifiedAt: notification.receivedAt,
        });
        return `${alertname} (severity ${severity}) at receiver "${receiver}" ${((notification.receivedAt - since) / 1000).toFixed(1)} s after the fault (budget ${budget} s) [${stages}]`;
      } finally {
        clear();
      }
    };
    /** Posts probe alerts to Alertmanager's API and waits until each expected alert is in its expected state. */
    const inhibitionStates = async (
      probes: readonly { labels: Record<string, string>; annotations: Record<string, string> }[],
      expected: ReadonlyArray<[string, Record<string, string>, string]>,
    ): Promise<string> => {
      await am.postAlerts(probes, new Date(Date.now() + 10 * 60_000));
      try {
        return await probeStates(expected);
      } finally {
        // Expired at once: a probe left firing would hold its group (alertname, service, instance) open
        // and keep a real alert of that group from ever being notified as resolved.
        await am.postAlerts(probes, new Date());
      }
    };
    const probeStates = async (expected: ReadonlyArray<[string, Record<string, string>, string]>): Promise<string> => {
      const state = async (alertname: string, match: Record<string, string>) => {
        const all = await am.alerts(`alertname="${alertname}"`);
        const a = all.find((x) => Object.entries(match).every(([k, v]) => x.labels[k] === v));
        return a?.status.state;
      };
      const seen = await waitUntil(
        "Alertmanager to mark the probes",
        async () => {
          const got = await Promise.all(expected.map(([n, m]) => state(n, m)));
          return got.every((g, k) => g === expected[k][2]) ? got : false;
        },
        { timeoutMs: 30_000 },
      ).catch(async (e: Error) => {
        const got = await Promise.all(expected.map(([n, m]) => state(n, m)));
        throw new Error(`${e.message}; states: ${expected.map(([n, m], k) => `${n}${JSON.stringify(m)}=${got[k]}`).join(", ")}`);
      });
      return expected.map(([n, m], k) => `${n} ${Object.values(m)[0]}: ${seen[k]}`).join("; ");
    };
    const errorFaultAt = Date.now();
    // 100%: the 5m-window ratio passes the critical's 5% within seconds, long before the warning twin's
    // longer rehearsal `for` ends.
    await report.check("error ratio 100% fires HighErrorRate, critical, to the critical receiver", () =>
      fault(INJECTED_ALERTS.errorRatio, "critical", RECEIVERS.critical, () => messenger().control({ errorRatio: 1 }), () => undefined),
    );
    const twin = symptomTwins(env.stack).find((t) => t.critical === INJECTED_ALERTS.errorRatio);
    await report.check(`HighErrorRate inhibits its warning twin ${twin?.warning ?? "(none)"} (same symptom label)`, async () => {
      if (!twin) throw new Error(`the rule library has no warning alert with the symptom of ${INJECTED_ALERTS.errorRatio}`);
      try {
        // The twin fires (its longer rehearsal `for`) while the critical fires: Alertmanager must mark it
        // inhibited by the critical and never notify it.
        const inhibited = await waitUntil(
          `${twin.warning} received by Alertmanager and inhibited`,
          async () => {
            const all = await am.alerts();
            const w = all.find((a) => a.labels.alertname === twin.warning);
            const c = all.find((a) => a.labels.alertname === twin.critical);
            return w && c && w.status.inhibitedBy.includes(c.fingerprint) && w.status.state === "suppressed" ? w : false;
          },
          { timeoutMs: NOTIFY_TIMEOUT_MS },
        );
        const quiet = (i.groupWait.seconds + 2 * i.groupInterval.seconds + 2) * 1000;
        await new Promise((r) => setTimeout(r, quiet));
        const leaked = env.webhook.find({ alertname: twin.warning, since: errorFaultAt });
        if (leaked) throw new Error(`${twin.warning} was notified to "${leaked.notification.path}" although ${twin.critical} fires`);
        return `${twin.warning}{symptom="${twin.symptom}"} firing, state "${inhibited.status.state}", inhibitedBy ${twin.critical}; not notified within ${(quiet / 1000).toFixed(0)} s`;
      } finally {
        messenger().control({ errorRatio: 0 });
      }
    });
    await report.check("latency 2s fires HighMessageLatency, warning, to the warning receiver", () =>
      fault(INJECTED_ALERTS.latency, "warning", RECEIVERS.warning, () => messenger().control({ latencySeconds: 2 }), () => messenger().control({ latencySeconds: HEALTHY.latencySeconds })),
    );

    await report.check("inhibition is per object: a critical twin silences its warning only on the same filesystem; the primary latency alert silences the secondary", async () => {
      // Probes with the labels the real rules return, posted to Alertmanager's API: a full filesystem
      // cannot be made here, and this checks Alertmanager's own reading of the inhibit rules.
      const node = { job: "node-exporter", instance: "172.30.0.1:9100", device: "/dev/vda1", fstype: "ext4", symptom: "filesystem-space" };
      const docker = { ...node, device: "/dev/vdb", mountpoint: "/var/lib/docker" };
      const root = { ...node, mountpoint: "/" };
      const latency = { job: JOBS.application, service: "chat-server", symptom: "message-delivery-latency" };
      const probes = [
        { labels: { ...docker, alertname: "HostFilesystemFull", severity: "critical" } },
        { labels: { ...root, alertname: "HostFilesystemAlmostFull", severity: "warning" } },
        { labels: { ...docker, alertname: "HostFilesystemAlmostFull", severity: "warning" } },
        { labels: { ...latency, alertname: "HighMessageLatency", severity: "warning", symptom_role: "primary" } },
        { labels: { ...latency, alertname: "HighNetworkLatency", severity: "warning", symptom_role: "secondary" } },
        { labels: { ...latency, service: "presence-service", alertname: "HighNetworkLatency", severity: "warning", symptom_role: "secondary" } },
      ].map((p) => ({ ...p, annotations: { summary: "inhibition probe" } }));
      return inhibitionStates(probes, [
        ["HostFilesystemAlmostFull", { mountpoint: "/var/lib/docker" }, "suppressed"],
        ["HostFilesystemAlmostFull", { mountpoint: "/" }, "active"],
        ["HighNetworkLatency", { service: "chat-server" }, "suppressed"],
        ["HighNetworkLatency", { service: "presence-service" }, "active"],
      ]);
    });

    await report.check("a service outage silences its own service only; the application outage silences the service outages", async () => {
      // ServiceDown (outage="service") for probe-group, ApplicationDown (outage="application") of another
      // job: the probe-group symptoms (any job) are suppressed, probe-chat's stay active; a ServiceDown
      // of the other job is silenced by its ApplicationDown, and ServiceDown itself is never its own target.
      const app = { job: JOBS.application };
      const other = { job: "other-application" };
      const labels: Record<string, string>[] = [
        { ...app, service: "probe-group", alertname: "ServiceDown", severity: "critical", outage: "service" },
        { ...app, service: "probe-group", alertname: "HighErrorRate", severity: "critical", symptom: "http-error-ratio" },
        { job: "blackbox-health", service: "probe-group", instance: "10.0.0.7:8083", alertname: "HealthCheckFailing", severity: "warning", symptom: "service-health" },
        { ...app, service: "probe-chat", alertname: "HighErrorRate", severity: "critical", symptom: "http-error-ratio" },
        { ...other, alertname: "ApplicationDown", severity: "critical", outage: "application" },
        { ...other, service: "api", alertname: "ServiceDown", severity: "critical", outage: "service" },
      ];
      const probes = labels.map((l) => ({ labels: l, annotations: { summary: "inhibition probe" } }));
      return inhibitionStates(probes, [
        ["ServiceDown", { service: "probe-group" }, "active"],
        ["HighErrorRate", { service: "probe-group" }, "suppressed"],
        ["HealthCheckFailing", { service: "probe-group" }, "suppressed"],
        ["HighErrorRate", { service: "probe-chat" }, "active"],
        ["ApplicationDown", { job: "other-application" }, "active"],
        ["ServiceDown", { service: "api" }, "suppressed"],
      ]);
    });

    await report.check("resolving a fault sends the resolved notification (ApplicationDown)", async () => {
      await env.waitForConnectionBaseline();
      const fired = await fault(
        INJECTED_ALERTS.outage,
        "critical",
        RECEIVERS.critical,
        () => messenger().control({ available: false }),
        () => undefined,
      );
      const since = Date.now();
      messenger().control({ available: true });
      const { notification } = await env.webhook.waitFor(
        { alertname: INJECTED_ALERTS.outage, path: RECEIVERS.critical, status: "resolved", since },
        NOTIFY_TIMEOUT_MS,
      );
      return `messenger answering 503: ${fired}; answering again: resolved notification ${((notification.receivedAt - since) / 1000).toFixed(1)} s later`;
    });

    const exporterJob = [JOBS.redisExporter, JOBS.postgresExporter, JOBS.nodeExporter].find((j) => env.runningJobs.includes(j));
    await report.check(`stopping an exporter (${exporterJob ?? "none running"}) fires TargetDown, and restarting it resolves it`, async () => {
      if (!exporterJob) throw new Error("no exporter job runs in this rehearsal");
      const program = RehearsalEnvironment.EXPORTER_PROCESS[exporterJob];
      const since = Date.now();
      await env.stopProgram(program);
      const { notification } = await env.webhook.waitFor(
        { alertname: INJECTED_ALERTS.targetDown, severity: "warning", path: RECEIVERS.warning, status: "firing", since, labels: { job: exporterJob } },
        NOTIFY_TIMEOUT_MS,
      );
      const fired = (notification.receivedAt - since) / 1000;
      const stages = await describeFaultTimeline(prom, am, {
        labels: { alertname: INJECTED_ALERTS.targetDown, severity: "warning", job: exporterJob },
        job: exporterJob,
        injectedAt: since,
        notifiedAt: notification.receivedAt,
      });
      const budget = budgetSeconds(i);
      const back = Date.now();
      await env.startProgram(program);
      const resolved = await env.webhook.waitFor(
        { alertname: INJECTED_ALERTS.targetDown, path: RECEIVERS.warning, status: "resolved", since: back, labels: { job: exporterJob } },
        NOTIFY_TIMEOUT_MS,
      );
      return `TargetDown{job="${exporterJob}"} warning ${fired.toFixed(1)} s after the stop (budget ${budget} s) [${stages}]; resolved ${((resolved.notification.receivedAt - back) / 1000).toFixed(1)} s after the restart`;
    });

    await report.check(`Watchdog reaches the heartbeat receiver`, async () => {
      const result = await firstHeartbeat;
      if ("error" in result) throw result.error;
      return `received ${((result.found.notification.receivedAt - startedAt * 1000) / 1000).toFixed(1)} s after start (Prometheus' first send can miss the Alertmanager; the resend delay is 1m)`;
    });

    // --- dashboards: every panel over the run so far, as Grafana would query it ---
    await report.check("every dashboard panel shows data", async () => {
      const r = await checkPanelData({
        prometheusUrl: env.prometheusUrl,
        dashboards: env.stack.dashboards,
        ruleGroups: env.stack.ruleGroups,
        catalog: fullCatalog(),
        runningJobs: env.runningJobs,
        notRunning: (job) => (env.files.mapped.dropped.includes(job) ? "has no program here (runs only in the Docker stack)" : "is not scraped here"),
        absentSeries: env.absentSeries,
        fromMs: startedAt * 1000,
        toMs: Date.now(),
        scrapeInterval: env.stack.prometheus.configOptions.scrapeInterval.toString(),
      });
      if (r.failures.length > 0) throw new Error(r.text);
      return r.text;
    });

    // --- data safety ---
    /** When the restarted Prometheus was started: only its scrapes count as "up again". */
    let prometheusRestartedAt: number | undefined;
    await report.check("series and silences survive a restart of Prometheus and Alertmanager on the same data", async () => {
      const silence = await am.createSilence({ alertname: "RehearsalSilenceProbe" }, new Date(Date.now() + 3600_000), "rehearsal: must survive a restart");
      const before = Math.floor(Date.now() / 1000) - 1;
      const range = Math.ceil(before - startedAt) + 1;
      const expr = `sum(count_over_time(up[${range}s]))`;
      const samplesBefore = (await prom.query(expr, before))[0]?.value ?? 0;
      if (samplesBefore === 0) throw new Error("no samples of up before the restart");
      const t = Date.now();
      // Alertmanager first, for the same reason as at start (see RehearsalEnvironment.startAll).
      await env.stopProgram("prometheus");
      await env.restartProgram("alertmanager");
      prometheusRestartedAt = Date.now();
      await env.startProgram("prometheus");
      const restartSeconds = (Date.now() - t) / 1000;
      const samplesAfter = (await prom.query(expr, before))[0]?.value ?? 0;
      const silences = await am.silences();
      const kept = silences.find((s) => s.id === silence);
      const problems = [
        samplesAfter < samplesBefore ? `up samples before the restart: ${samplesBefore}, after: ${samplesAfter}` : "",
        kept?.status.state !== "active" ? `silence ${silence} is ${kept ? kept.status.state : "gone"} after the restart` : "",
      ].filter(Boolean);
      if (problems.length > 0) throw new Error(problems.join("\n"));
      return `${samplesAfter} samples of up from the ${range} s before the restart still queryable; silence ${silence.slice(0, 8)}… still active; restart took ${restartSeconds.toFixed(1)} s`;
    });
    await report.check("after the restart every target is up again and a new fault is notified and resolved", async () => {
      // Every job listed and up: right after the start Prometheus lists no target at all (its scrape
      // manager creates the pools only after its 5 s discovery-reload throttle), and "all of none are up"
      // let the fault below be injected ~5 s before the first scrape, which then cost its latency 5 s.
      const restarted = prometheusRestartedAt ?? startedAt * 1000;
      const w = Date.now();
      await waitUntil("every target up after the restart", async () => allTargetsUp(await prom.targets(), env.runningJobs), {
        timeoutMs: START_TIMEOUT_MS,
      });
      const upAfter = (Date.now() - restarted) / 1000;
      const waited = (Date.now() - w) / 1000;
      // Not the Watchdog: Alertmanager's notification log survives the restart too, so the next
      // heartbeat is due only a repeat_interval (1m) after the last one, which is correct but slow.
      await env.waitForConnectionBaseline(undefined, restarted);
      const baselineAfter = (Date.now() - restarted) / 1000;
      const fired = await fault(INJECTED_ALERTS.outage, "critical", RECEIVERS.critical, () => messenger().control({ available: false }), () => undefined);
      const since = Date.now();
      messenger().control({ available: true });
      await env.webhook.waitFor({ alertname: INJECTED_ALERTS.outage, path: RECEIVERS.critical, status: "resolved", since }, NOTIFY_TIMEOUT_MS);
      return (
        `targets up ${upAfter.toFixed(1)} s after Prometheus was started (waited ${waited.toFixed(1)} s), ` +
        `connection baseline scraped and recorded anew ${baselineAfter.toFixed(1)} s after; ${fired}; resolved again`
      );
    });

    ok = report.failed.length === 0;
    if (env.webhook.rejected.length > 0) {
      console.log(`  webhook bodies rejected: ${env.webhook.rejected.join("; ")}`);
    }
    return ok ? 0 : 1;
  } finally {
    await env.close(ok);
    const seconds = (Date.now() - t0) / 1000;
    const passed = report.results.filter((r) => r.ok).length;
    console.log(`\nRehearsal ${ok ? "PASSED" : "FAILED"}: ${passed}/${report.results.length} assertions passed in ${seconds.toFixed(1)} s (limit 300 s)`);
    console.log(`  ${intervalsLine(i)}`);
    for (const n of env.notes) {
      console.log(`  NOT REHEARSED / ADAPTED: ${n}`);
    }
    for (const f of report.failed) {
      console.log(`  failed: ${f.name}`);
    }
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`FAIL  rehearsal aborted: ${e.stack ?? e.message}`);
      process.exit(1);
    },
  );
}
