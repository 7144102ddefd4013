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
