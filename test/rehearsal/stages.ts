import { AlertmanagerApi, PrometheusApi } from "./apis";

/**
 * Where the time between an injected fault and its notification went, from the programs' own records.
 * Every field is a time in ms since epoch; a stage the programs no longer show is undefined.
 */
export interface FaultTimeline {
  /** The fault was injected (the rehearsal's clock). */
  readonly injectedAt: number;
  /** The first scrape of the faulty job after the fault: the first sample of `up{job}` at or after it. */
  readonly firstScrapeAt?: number;
  /** Prometheus' `activeAt`: the evaluation that first saw the expression true (pending). */
  readonly pendingAt?: number;
  /** The evaluation at which it fired: Alertmanager's `startsAt` (Prometheus sends its FiredAt). */
  readonly firingAt?: number;
  /** Alertmanager received it: its `updatedAt`. */
  readonly alertmanagerAt?: number;
  /** The webhook recorder received the notification. */
  readonly notifiedAt: number;
}

/** The budget's terms each stage is compared with: scrape interval, evaluation interval, `for`, group_wait. */
const STAGES: ReadonlyArray<{ key: keyof FaultTimeline; name: string }> = [
  { key: "firstScrapeAt", name: "scraped" },
  { key: "pendingAt", name: "pending" },
  { key: "firingAt", name: "firing" },
  { key: "alertmanagerAt", name: "at Alertmanager" },
  { key: "notifiedAt", name: "notified" },
];

/**
 * One line: each stage's time after the fault, cumulative, e.g.
 * `scraped +0.4 s, pending +0.6 s, firing +5.6 s, at Alertmanager +5.6 s, notified +7.7 s`.
 */
export function formatTimeline(t: FaultTimeline): string {
  return STAGES.map(({ key, name }) => {
    const at = t[key];
    return `${name} ${at === undefined ? "?" : `+${((at - t.injectedAt) / 1000).toFixed(1)} s`}`;
  }).join(", ");
}

function parseTime(iso: string | undefined): number | undefined {
  const ms = iso === undefined ? NaN : Date.parse(iso);
  // Alertmanager shows the zero time as 0001-01-01.
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

function matches(labels: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/** What {@link faultTimeline} looks up. */
export interface TimelineQuery {
  /** The alert's identifying labels (at least `alertname`). */
  readonly labels: Readonly<Record<string, string>>;
  /** The scrape job whose target the fault is in. */
  readonly job: string;
  readonly injectedAt: number;
  readonly notifiedAt: number;
}

/**
 * Reads the stages of one fault from Prometheus (`up` samples, `/api/v1/alerts`) and Alertmanager
 * (`/api/v2/alerts`). Call it right after the firing notification, while the alert is still active.
 */
export async function faultTimeline(prom: PrometheusApi, am: AlertmanagerApi, q: TimelineQuery): Promise<FaultTimeline> {
  const now = Date.now();
  const [scrapes, promAlerts, amAlerts] = await Promise.all([
    prom.sampleTimes(`up{job="${q.job}"}`, (now - q.injectedAt) / 1000 + 2, now / 1000),
    prom.alerts(),
    am.alerts(`alertname="${q.labels.alertname}"`),
  ]);
  const after = scrapes.flatMap((s) => s.times).filter((t) => t >= q.injectedAt);
  const pending = promAlerts.find((a) => matches(a.labels, q.labels));
  const received = amAlerts.find((a) => matches(a.labels, q.labels));
  return {
    injectedAt: q.injectedAt,
    firstScrapeAt: after.length > 0 ? Math.min(...after) : undefined,
    pendingAt: parseTime(pending?.activeAt),
    firingAt: parseTime(received?.startsAt),
    alertmanagerAt: parseTime(received?.updatedAt),
    notifiedAt: q.notifiedAt,
  };
}

/** {@link faultTimeline} formatted; a diagnostic, so a failure to read it is reported, never thrown. */
export async function describeFaultTimeline(prom: PrometheusApi, am: AlertmanagerApi, q: TimelineQuery): Promise<string> {
  try {
    return formatTimeline(await faultTimeline(prom, am, q));
  } catch (e) {
    return `stages unavailable (${(e as Error).message})`;
  }
}
