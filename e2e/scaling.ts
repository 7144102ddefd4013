import * as yaml from "js-yaml";
import { GUIDE_APPLICATION_SERVICES, JOBS } from "../alerts/jobs";
import { AlertmanagerApi, PrometheusApi } from "../test/rehearsal/apis";
import { waitUntil } from "../test/rehearsal/http";
import { describeFaultTimeline } from "../test/rehearsal/stages";

/**
 * The guide's scaling procedure on the deployed stack: the synthetic application runs as a Compose
 * project (one Compose service per application service, the image serving that service's port), and
 * `docker compose up -d --scale chat-server=3` is followed by Prometheus' DNS discovery.
 */

/** The Compose project of the application, as a user would name it. */
export const APP_PROJECT = "chat";
/** The service the run scales. */
export const SCALED_SERVICE = "chat-server";
/** Replicas of {@link SCALED_SERVICE} after scaling. */
export const SCALED_REPLICAS = 3;

/**
 * The application's compose file: each guide service from the messenger image on its own port, on the
 * rig's application network (external: the stack joins it as `network.applicationNetwork`). Compose
 * gives every replica the service's name as its DNS alias on that network: that is what discovery reads.
 */
export function applicationComposeFile(image: string, network: string, memory = "96m"): string {
  const services = Object.fromEntries(
    GUIDE_APPLICATION_SERVICES.map((s) => [
      s.name,
      { image, command: [String(s.port)], mem_limit: memory, networks: ["app"], restart: "no" },
    ]),
  );
  return yaml.dump({ name: APP_PROJECT, services, networks: { app: { name: network, external: true } } }, { lineWidth: -1 });
}

/** `docker compose …` against the rig's engine for the project's file; resolves with stdout. */
export type ComposeRun = (args: readonly string[]) => Promise<string>;
/** `docker …` against the rig's engine. */
export type DockerRun = (args: readonly string[]) => Promise<string>;

/** One notification the rig's webhook receiver logged (Alertmanager's webhook payload). */
export interface LoggedNotification {
  readonly receiver: string;
  readonly status: string;
  readonly alerts: ReadonlyArray<{ readonly status: string; readonly labels: Readonly<Record<string, string>> }>;
  /** Its line number in the log: later lines came later. */
  readonly line: number;
}

/** The webhook receiver's log (one JSON payload per line), parsed; unreadable lines are skipped. */
export function parseNotificationLog(log: string): LoggedNotification[] {
  return log.split("\n").flatMap((text, line) => {
    if (!text.trim().startsWith("{")) return [];
    try {
      const n = JSON.parse(text) as Omit<LoggedNotification, "line">;
      return Array.isArray(n.alerts) ? [{ ...n, line }] : [];
    } catch {
      return [];
    }
  });
}

/** Notifications after line `after` that carry an alert with all of `labels` in `status`. */
export function notificationsWith(all: readonly LoggedNotification[], after: number, labels: Readonly<Record<string, string>>, status: "firing" | "resolved"): LoggedNotification[] {
  return all.filter((n) => n.line > after && n.alerts.some((a) => a.status === status && Object.entries(labels).every(([k, v]) => a.labels[k] === v)));
}

export interface ScalingRig {
  readonly compose: ComposeRun;
  readonly docker: DockerRun;
  /** The webhook receiver's log so far. */
  readonly notificationLog: () => Promise<string>;
  readonly prom: PrometheusApi;
  readonly am: AlertmanagerApi;
  /** A check of the run's report: its name, and a function returning its figure. */
  readonly check: (name: string, fn: () => Promise<string>) => Promise<boolean>;
  /** The stack's intervals and `for`s, for the budgets. */
  readonly budget: {
    readonly serviceDownSeconds: number;
    readonly replicaDownSeconds: number;
    /** A resolved notification waits for the group's next flush: up to group_interval after the firing one. */
    readonly resolvedSeconds: number;
  };
  readonly timeoutMs: number;
}

/** The chat-server targets Prometheus scrapes now, by instance, with their health. */
async function scaledTargets(prom: PrometheusApi): Promise<Array<{ instance: string; health: string }>> {
  const t = await prom.targets();
  return t.filter((x) => x.scrapePool === JOBS.application && x.labels.service === SCALED_SERVICE).map((x) => ({ instance: x.labels.instance, health: x.health }));
}

/** The Compose containers of a service, by name (`chat-chat-server-1` …), running or not. */
async function containersOf(docker: DockerRun, service: string, all = false): Promise<string[]> {
  const out = await docker([
    "ps", ...(all ? ["-a"] : []),
    "--filter", `label=com.docker.compose.project=${APP_PROJECT}`,
    "--filter", `label=com.docker.compose.service=${service}`,
    "--format", "{{.Names}}",
  ]);
  return out.split("\n").filter(Boolean).sort();
}

/**
 * The scaling checks, in order; each is a check of the run's report with its figure. Returns false when
 * one failed (the later ones then still run, from whatever state the application is in).
 */
export async function runScalingChecks(rig: ScalingRig): Promise<boolean> {
  const { compose, docker, prom, am, check } = rig;
  const wait = { timeoutMs: rig.timeoutMs, intervalMs: 1000 };
  const logLines = async () => parseNotificationLog(await rig.notificationLog());
  const results: boolean[] = [];

  results.push(await check(`docker compose up -d --scale ${SCALED_SERVICE}=${SCALED_REPLICAS}: every replica a target, up, and the service's rate sums them`, async () => {
    const t0 = Date.now();
    await compose(["up", "-d", "--scale", `${SCALED_SERVICE}=${SCALED_REPLICAS}`]);
    const names = await containersOf(docker, SCALED_SERVICE);
    if (names.length !== SCALED_REPLICAS) throw new Error(`compose runs ${names.length} ${SCALED_SERVICE} containers: ${names.join(", ")}`);
    const targets = await waitUntil(
      `${SCALED_REPLICAS} ${SCALED_SERVICE} targets up`,
      async () => {
        const t = await scaledTargets(prom);
        return t.length === SCALED_REPLICAS && t.every((x) => x.health === "up") ? t : false;
      },
      wait,
    );
    const discovered = (Date.now() - t0) / 1000;
    const instances = new Set(targets.map((t) => t.instance));
    if (instances.size !== SCALED_REPLICAS) throw new Error(`instances are not distinct: ${[...instances].join(", ")}`);
    // Each replica's own rate, and the service's: the sum over replicas is the service's rate.
    const rate = `rate(messenger_http_requests_total{job="${JOBS.application}", service="${SCALED_SERVICE}"}[1m])`;
    const { perReplica, total } = await waitUntil(
      "a rate from every replica",
      async () => {
        const at = Date.now() / 1000;
        const [r, s] = await Promise.all([prom.query(`sum by (instance) (${rate})`, at), prom.query(`sum by (service) (${rate})`, at)]);
        return r.length === SCALED_REPLICAS && r.every((x) => x.value > 0) && s.length === 1 ? { perReplica: r, total: s[0].value } : false;
      },
      wait,
    );
    const sum = perReplica.reduce((a, x) => a + x.value, 0);
    if (Math.abs(sum - total) > 1e-6 * Math.max(1, total)) throw new Error(`the service's rate ${total} is not the sum of its replicas' ${sum}`);
    return (
      `${targets.length} ${SCALED_SERVICE} targets up (${[...instances].sort().join(", ")}), discovered ${discovered.toFixed(1)} s after compose up; ` +
      `rate ${perReplica.map((x) => x.value.toFixed(1)).join(" + ")} = ${total.toFixed(1)} req/s`
    );
  }));

  results.push(await check(`stop one ${SCALED_SERVICE} replica: ServiceReplicaDown (warning) reaches the webhook; ServiceDown does not`, async () => {
    const [victim] = (await containersOf(docker, SCALED_SERVICE)).slice(-1);
    const before = (await logLines()).reduce((m, n) => Math.max(m, n.line), -1);
    const since = Date.now();
    await docker(["stop", "-t", "2", victim]);
    const labels = { alertname: "ServiceReplicaDown", service: SCALED_SERVICE, severity: "warning" };
    await waitUntil("ServiceReplicaDown at the webhook", async () => notificationsWith(await logLines(), before, labels, "firing").length > 0, { ...wait, intervalMs: 2000 });
    const notifiedAt = Date.now();
    const paged = notificationsWith(await logLines(), before, { alertname: "ServiceDown", service: SCALED_SERVICE }, "firing");
    if (paged.length > 0) throw new Error(`ServiceDown paged with ${SCALED_REPLICAS - 1} replicas up`);
    const left = (await scaledTargets(prom)).filter((t) => t.health === "up").length;
    const stages = await describeFaultTimeline(prom, am, { labels, job: JOBS.application, injectedAt: since, notifiedAt });
    return `stopped ${victim}; ServiceReplicaDown at the webhook ${((notifiedAt - since) / 1000).toFixed(1)} s later (budget ${rig.budget.replicaDownSeconds} s) [${stages}]; ${left} targets up; no ServiceDown`;
  }));

  results.push(await check(`stop every ${SCALED_SERVICE} replica: ServiceDown (critical) for ${SCALED_SERVICE} reaches the webhook within its budget`, async () => {
    const before = (await logLines()).reduce((m, n) => Math.max(m, n.line), -1);
    const since = Date.now();
    await compose(["stop", "-t", "2", SCALED_SERVICE]);
    const labels = { alertname: "ServiceDown", service: SCALED_SERVICE, severity: "critical" };
    await waitUntil("ServiceDown at the webhook", async () => notificationsWith(await logLines(), before, labels, "firing").length > 0, { ...wait, intervalMs: 1000 });
    const notifiedAt = Date.now();
    const seconds = (notifiedAt - since) / 1000;
    const stages = await describeFaultTimeline(prom, am, { labels, job: JOBS.application, injectedAt: since, notifiedAt });
    // The other services keep running: no page for them, no ApplicationDown.
    const others = notificationsWith(await logLines(), before, { alertname: "ServiceDown" }, "firing").flatMap((n) => n.alerts.map((a) => a.labels.service)).filter((s) => s !== SCALED_SERVICE);
    if (others.length > 0) throw new Error(`ServiceDown also paged for ${[...new Set(others)].join(", ")}`);
    if (seconds > rig.budget.serviceDownSeconds) throw new Error(`ServiceDown took ${seconds.toFixed(1)} s, over its budget of ${rig.budget.serviceDownSeconds} s [${stages}]`);
    return `ServiceDown{service="${SCALED_SERVICE}"} at the webhook ${seconds.toFixed(1)} s after the stop (budget ${rig.budget.serviceDownSeconds} s) [${stages}]; no other service paged`;
  }));

  results.push(await check(`scale back to ${SCALED_REPLICAS}: the stopped targets are gone, ServiceDown resolves, nothing stays firing`, async () => {
    const before = (await logLines()).reduce((m, n) => Math.max(m, n.line), -1);
    const stopped = await containersOf(docker, SCALED_SERVICE, true);
    const since = Date.now();
    // Compose recreates what `stop` left and scales to the count again; new replicas may get new addresses.
    await compose(["up", "-d", "--scale", `${SCALED_SERVICE}=${SCALED_REPLICAS}`]);
    const targets = await waitUntil(
      `exactly ${SCALED_REPLICAS} ${SCALED_SERVICE} targets, all up`,
      async () => {
        const t = await scaledTargets(prom);
        return t.length === SCALED_REPLICAS && t.every((x) => x.health === "up") ? t : false;
      },
      wait,
    );
    await waitUntil(
      "the ServiceDown resolved notification",
      async () => notificationsWith(await logLines(), before, { alertname: "ServiceDown", service: SCALED_SERVICE }, "resolved").length > 0,
      { timeoutMs: rig.budget.resolvedSeconds * 1000, intervalMs: 2000 },
    );
    const resolvedAfter = (Date.now() - since) / 1000;
    // ServiceReplicaDown compares with the past 15m maximum (3): back at 3, nothing of the application fires.
    const firing = await waitUntil(
      "no application alert firing",
      async () => {
        const a = (await prom.alerts()).filter((x) => x.state === "firing" && ["ServiceDown", "ServiceReplicaDown", "ApplicationDown", "TargetDown", "HealthCheckFailing", "ServiceUnhealthy"].includes(x.labels.alertname));
        return a.length === 0 ? a : false;
      },
      wait,
    ).catch(async (e: Error) => {
      const a = (await prom.alerts()).filter((x) => x.state === "firing").map((x) => `${x.labels.alertname}{service="${x.labels.service ?? ""}"}`);
      throw new Error(`${e.message}; firing: ${a.join(", ")}`);
    });
    return `${stopped.length} containers after the stop, ${targets.length} targets up again (${targets.map((t) => t.instance).sort().join(", ")}); ServiceDown resolved at the webhook ${resolvedAfter.toFixed(1)} s after scaling back (within group_interval: ${rig.budget.resolvedSeconds} s); ${firing.length} application alerts firing`;
  }));
  return results.every(Boolean);
}
