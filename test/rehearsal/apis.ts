import { getJson, request } from "./http";

/** `/api/v1/targets` active target, the fields the rehearsal reads. */
export interface ActiveTarget {
  readonly labels: Readonly<Record<string, string>>;
  readonly scrapePool: string;
  readonly health: "up" | "down" | "unknown";
  readonly lastError: string;
  /** The URL Prometheus scrapes, metrics path and parameters included. */
  readonly scrapeUrl: string;
}

/** `/api/v1/rules` group and rule, the fields the rehearsal reads. */
export interface RuleGroupStatus {
  readonly name: string;
  readonly file: string;
  readonly lastEvaluation?: string;
  readonly rules: ReadonlyArray<{ readonly name: string; readonly type: string; readonly health: string; readonly lastError?: string; readonly state?: string }>;
}

/** `/api/v1/alerts` entry: an active (pending or firing) alert of an alerting rule. */
export interface PromAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: "pending" | "firing";
  /** When the alert became pending (RFC 3339): the evaluation that first saw the expression true. */
  readonly activeAt?: string;
}

/**
 * True when every job in `jobs` has at least one target and every target is up. An empty list is not
 * "all up": right after a start Prometheus lists no targets at all until its scrape manager creates the
 * pools (it throttles target updates, 5 s by default, also at start-up).
 */
export function allTargetsUp(targets: readonly ActiveTarget[], jobs: readonly string[]): boolean {
  const present = new Set(targets.map((t) => t.scrapePool));
  return targets.length > 0 && jobs.every((j) => present.has(j)) && targets.every((t) => t.health === "up");
}

/** Alertmanager `/api/v2/alerts` entry. */
export interface AmAlert {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  /** For an alert from Prometheus: the evaluation at which it started firing (Prometheus sends FiredAt). */
  readonly startsAt: string;
  /** When Alertmanager last received it. */
  readonly updatedAt: string;
  readonly status: { readonly state: string; readonly inhibitedBy: readonly string[]; readonly silencedBy: readonly string[] };
  readonly receivers: ReadonlyArray<{ readonly name: string }>;
}

/** The Prometheus HTTP API, only what the rehearsal needs. */
export class PrometheusApi {
  constructor(private readonly base: string) {}

  public async targets(): Promise<ActiveTarget[]> {
    return (await getJson<{ data: { activeTargets: ActiveTarget[] } }>(`${this.base}/api/v1/targets?state=active`)).data.activeTargets;
  }

  public async ruleGroups(): Promise<RuleGroupStatus[]> {
    return (await getJson<{ data: { groups: RuleGroupStatus[] } }>(`${this.base}/api/v1/rules`)).data.groups;
  }

  /** Active (pending and firing) alerts. */
  public async alerts(): Promise<PromAlert[]> {
    return (await getJson<{ data: { alerts: PromAlert[] } }>(`${this.base}/api/v1/alerts`)).data.alerts;
  }

  /** The raw sample timestamps (ms since epoch) of each series of `selector` in the `seconds` before `time` (s). */
  public async sampleTimes(selector: string, seconds: number, time?: number): Promise<Array<{ metric: Record<string, string>; times: number[] }>> {
    const q = new URLSearchParams({ query: `${selector}[${Math.max(1, Math.ceil(seconds))}s]`, ...(time !== undefined ? { time: String(time) } : {}) });
    const r = await getJson<{ data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } }>(`${this.base}/api/v1/query?${q}`);
    return r.data.result.map((s) => ({ metric: s.metric, times: s.values.map(([t]) => Math.round(t * 1000)) }));
  }

  /** An instant query; returns each series' value. */
  public async query(expr: string, time?: number): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    const q = new URLSearchParams({ query: expr, ...(time !== undefined ? { time: String(time) } : {}) });
    const r = await getJson<{ data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }>(`${this.base}/api/v1/query?${q}`);
    return r.data.result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
  }
}

/** The Alertmanager v2 API, only what the rehearsal needs. */
export class AlertmanagerApi {
  constructor(private readonly base: string) {}

  public async alerts(filter?: string): Promise<AmAlert[]> {
    const q = filter ? `?${new URLSearchParams({ filter })}` : "";
    return getJson<AmAlert[]>(`${this.base}/api/v2/alerts${q}`);
  }

  /**
   * Posts alerts as Prometheus does (labels, annotations, times). `startsAt` is now, but never after
   * `endsAt`: Alertmanager answers 400 "start time must be before end time" to an alert that ends
   * before it starts, and an `endsAt` of "now" taken by the caller is already a millisecond or more in
   * the past when this runs on a busy machine.
   */
  public async postAlerts(alerts: ReadonlyArray<{ labels: Record<string, string>; annotations?: Record<string, string> }>, endsAt: Date): Promise<void> {
    const startsAt = new Date(Math.min(Date.now(), endsAt.getTime()));
    const body = alerts.map((a) => ({ ...a, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() }));
    const r = await request(`${this.base}/api/v2/alerts`, { method: "POST", body });
    if (r.status !== 200) {
      throw new Error(`POST /api/v2/alerts: HTTP ${r.status}: ${r.body}`);
    }
  }

  /** Creates a silence; returns its id. */
  public async createSilence(matchers: Record<string, string>, endsAt: Date, comment: string): Promise<string> {
    const r = await request(`${this.base}/api/v2/silences`, {
      method: "POST",
      body: {
        matchers: Object.entries(matchers).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
        startsAt: new Date().toISOString(),
        endsAt: endsAt.toISOString(),
        createdBy: "rehearsal",
        comment,
      },
    });
    if (r.status !== 200) {
      throw new Error(`POST /api/v2/silences: HTTP ${r.status}: ${r.body}`);
    }
    return (JSON.parse(r.body) as { silenceID: string }).silenceID;
  }

  public async silences(): Promise<Array<{ id: string; status: { state: string } }>> {
    return getJson(`${this.base}/api/v2/silences`);
  }
}
