/** The parts of `docker inspect` the rig reads. */
export interface ContainerState {
  readonly Id: string;
  readonly Name: string;
  readonly State: {
    readonly Status: string;
    readonly StartedAt: string;
    readonly Health?: {
      readonly Status: string;
      readonly Log: ReadonlyArray<{ readonly Start: string; readonly End: string; readonly ExitCode: number }>;
    };
  };
}

/** When one container became healthy. */
export interface ContainerTiming {
  readonly name: string;
  /** Seconds from its start to the end of its first passing healthcheck (0 without a healthcheck). */
  readonly startToHealthy: number;
  /** Seconds from the deploy's start to that moment. */
  readonly healthyAfterDeployStart: number;
}

/**
 * Start-to-healthy of each container from Docker's own record: `State.StartedAt` and the end of the
 * first passing entry of `State.Health.Log` (Docker keeps the last five; read right after the deploy,
 * the first pass is among them). A container without a healthcheck counts as ready when started.
 */
export function containerTimings(states: readonly ContainerState[], deployStartMs: number): ContainerTiming[] {
  return states.map((s) => {
    const started = Date.parse(s.State.StartedAt);
    const pass = s.State.Health?.Log.filter((l) => l.ExitCode === 0).map((l) => Date.parse(l.End)).sort((a, b) => a - b)[0];
    const healthy = pass ?? started;
    return {
      name: s.Name.replace(/^\//, ""),
      startToHealthy: (healthy - started) / 1000,
      healthyAfterDeployStart: (healthy - deployStartMs) / 1000,
    };
  });
}

/** Deploy wall time over the slowest container's start-to-healthy: 1.0 means nothing waited serially. */
export function deployRatio(deploySeconds: number, slowestStartToHealthy: number): number {
  return slowestStartToHealthy > 0 ? deploySeconds / slowestStartToHealthy : Number.POSITIVE_INFINITY;
}

/** Terraform's plan summary. */
export interface PlanCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
}

/** The last `Plan: N to add, N to change, N to destroy.` line of a deploy's output (colours removed). */
export function parsePlan(output: string): PlanCounts {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const all = [...plain.matchAll(/Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/g)];
  const m = all[all.length - 1];
  if (!m) {
    throw new Error(`no "Plan: … to add, … to change, … to destroy" line in the deploy output`);
  }
  return { add: Number(m[1]), change: Number(m[2]), destroy: Number(m[3]) };
}

/**
 * The line each program logs once it serves (its own readiness, as opposed to Docker's healthcheck), by
 * the stack's service name: Prometheus (and the k6 receiver, a Prometheus) after the TSDB opened and the
 * rules loaded; the others when their HTTP listener is up.
 */
export const READY_MARKERS: Readonly<Record<string, RegExp>> = {
  prometheus: /Server is ready to receive web requests/,
  "k6-receiver": /Server is ready to receive web requests/,
  alertmanager: /Listening on/,
  "node-exporter": /Listening on/,
  "blackbox-exporter": /Listening on/,
};

/**
 * Seconds from the container's start to the first line of `docker logs -t` matching `marker`; undefined
 * when no line matches.
 */
export function readySeconds(startedAt: string, timestampedLog: string, marker: RegExp): number | undefined {
  const line = timestampedLog.split("\n").find((l) => marker.test(l));
  if (!line) return undefined;
  const at = Date.parse(line.slice(0, line.indexOf(" ")));
  return Number.isNaN(at) ? undefined : (at - Date.parse(startedAt)) / 1000;
}

/** The terms of an alert's detection budget, in seconds. */
export interface DetectionTerms {
  /** A discovery refresh (DNS service discovery), when the target is discovered. @default none */
  readonly refresh?: number;
  /** The job's scrape interval: the first scrape that sees the fault. */
  readonly scrape: number;
  /** Prometheus' evaluation interval: the first evaluation that sees it (pending). */
  readonly evaluation: number;
  /** The rule's `for`. */
  readonly for: number;
  /** Alertmanager's group_wait before a new group's first notification. */
  readonly groupWait: number;
}

/**
 * How long an alert may take from a fault to the webhook: a discovery refresh (if any), a scrape, an
 * evaluation, the rule's `for`, then group_wait. Each term is the most that stage can take, so the sum is
 * an upper bound, not an estimate; with `text`, the terms as the run prints them.
 */
export function detectionBudget(t: DetectionTerms): { readonly seconds: number; readonly text: string } {
  const terms: Array<[string, number]> = [
    ...(t.refresh ? [["refresh", t.refresh] as [string, number]] : []),
    ["scrape", t.scrape],
    ["evaluation", t.evaluation],
    ["for", t.for],
    ["group_wait", t.groupWait],
  ];
  const seconds = terms.reduce((s, [, v]) => s + v, 0);
  return { seconds, text: `${terms.map(([n, v]) => `${n} ${v} s`).join(" + ")} = ${seconds} s` };
}
