import { Construct } from "constructs";
import { MonitoringService } from "../constructs/service";
import { BackendConfig, stateIdentity } from "./backend";
import { ConfigError, MonitoringConfig } from "./config";
import { DEFAULT_DOCKER_HOST } from "./docker-host";
import { MonitoringStack } from "./monitoring-stack";

/**
 * What one environment changes of the shared config: any field, merged deeply (objects field by field;
 * arrays and values replace).
 */
export type EnvironmentOverrides = { readonly [K in keyof MonitoringConfig]?: DeepPartial<MonitoringConfig[K]> };

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { readonly [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Options of {@link defineEnvironments}. */
export interface EnvironmentOptions {
  /**
   * Which environments to create: a comma-separated list of names, `"all"`, or empty for none (for
   * example from `process.env.MONITORING_ENVIRONMENTS`, so that a plain `cdktf synth` keeps only the
   * default stack). @default "all"
   */
  readonly select?: string;
  /** Stack ids are `<prefix>-<environment>`. @default base.name ?? "monitoring" */
  readonly prefix?: string;
}

/** The environment variable main.ts reads to choose environments (see docs/ci.md). */
export const ENVIRONMENTS_VARIABLE = "MONITORING_ENVIRONMENTS";

/** Deep merge of plain objects; arrays, class instances (Duration) and scalars of `over` replace. */
export function mergeConfig<T>(base: T, over: unknown): T {
  if (over === undefined) {
    return base;
  }
  if (!isPlainObject(base) || !isPlainObject(over)) {
    return over as T;
  }
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = mergeConfig(out[k], v);
  }
  return out as T;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype;
}

/** The names chosen by {@link EnvironmentOptions.select}, in definition order. */
export function selectEnvironments(known: readonly string[], select: string | undefined): string[] {
  const text = (select ?? "all").trim();
  if (text === "") {
    return [];
  }
  if (text === "all") {
    return [...known];
  }
  const wanted = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const unknown = wanted.filter((w) => !known.includes(w));
  if (unknown.length > 0) {
    throw new ConfigError([
      `${ENVIRONMENTS_VARIABLE}: ${unknown.map((u) => `"${u}"`).join(", ")} is not an environment; use "all", "" or a comma-separated list of ${known.map((k) => `"${k}"`).join(", ")}`,
    ]);
  }
  return known.filter((k) => wanted.includes(k));
}

/**
 * One {@link MonitoringStack} per environment, with the id `<prefix>-<environment>` (e.g.
 * `monitoring-staging`), built from `base` with the environment's overrides. Each environment gets its
 * own state (the backend locates state by stack id, see stacks/backend.ts) and its own names (containers,
 * volumes and network are prefixed with the stack id unless the override sets `name`).
 *
 * Environments may share a Docker host: then their networks' subnets and their published host ports must
 * differ, which is checked here. Throws a {@link ConfigError} listing every problem.
 */
export function defineEnvironments(
  scope: Construct,
  base: MonitoringConfig,
  environments: Readonly<Record<string, EnvironmentOverrides>>,
  options: EnvironmentOptions = {},
): Record<string, MonitoringStack> {
  const prefix = options.prefix ?? base.name ?? "monitoring";
  const problems: string[] = [];
  for (const env of Object.keys(environments)) {
    if (!/^[a-z][a-z0-9-]{0,20}$/.test(env)) {
      problems.push(`environments.${env}: "${env}" must be a lower-case name (a-z, 0-9, "-", starting with a letter, at most 21 characters)`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  const chosen = selectEnvironments(Object.keys(environments), options.select);
  const configs = chosen.map((env) => {
    const id = `${prefix}-${env}`;
    const merged = mergeConfig(base, environments[env]);
    // The base's name would give every environment the same containers; each gets its own.
    const name = environments[env].name ?? id;
    return { env, id, config: { ...merged, name } as MonitoringConfig };
  });

  const stateOwners = new Map<string, string>();
  for (const { env, id, config } of configs) {
    const state = stateIdentity(config.backend as BackendConfig | undefined, id);
    const other = stateOwners.get(state);
    if (other) {
      problems.push(`environments.${env}.backend: state "${state}" is also used by environment ${other}; put "{stack}" in the backend's location`);
    } else {
      stateOwners.set(state, env);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }

  const stacks: Record<string, MonitoringStack> = {};
  for (const { env, id, config } of configs) {
    stacks[env] = new MonitoringStack(scope, id, config);
  }
  checkSharedHosts(configs.map(({ env, config }) => ({ env, config, stack: stacks[env] })));
  return stacks;
}

/** Environments deployed to one Docker daemon must not collide on names, subnets or host ports. */
function checkSharedHosts(envs: readonly { env: string; config: MonitoringConfig; stack: MonitoringStack }[]): void {
  const problems: string[] = [];
  const byHost = new Map<string, typeof envs[number][]>();
  for (const e of envs) {
    const host = e.config.dockerHost?.url ?? DEFAULT_DOCKER_HOST;
    byHost.set(host, [...(byHost.get(host) ?? []), e]);
  }
  for (const [host, group] of byHost) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const a = group[i];
        const b = group[j];
        const pair = `environments ${a.env} and ${b.env} share the Docker host ${host}`;
        const netA = a.config.network?.name ?? a.config.name;
        const netB = b.config.network?.name ?? b.config.name;
        if (a.config.name === b.config.name || netA === netB) {
          problems.push(`${pair} and the name "${a.config.name === b.config.name ? a.config.name : netA}"; give each its own name/network.name`);
        }
        const subA = a.config.network?.subnet ?? "172.30.0.0/24";
        const subB = b.config.network?.subnet ?? "172.30.0.0/24";
        if (subnetsOverlap(subA, subB)) {
          problems.push(`${pair}: network.subnet ${subA} and ${subB} overlap; give one of them another network.subnet`);
        }
        const portsB = new Set(hostPorts(b.stack));
        const clash = hostPorts(a.stack).filter((p) => portsB.has(p));
        if (clash.length > 0) {
          problems.push(`${pair}: both publish host port(s) ${clash.join(", ")}; change the publishedPort options of one of them`);
        }
      }
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
}

function hostPorts(stack: MonitoringStack): number[] {
  return stack.node
    .findAll()
    .filter((c): c is MonitoringService => c instanceof MonitoringService)
    .flatMap((c) => c.publishedPorts.map((p) => p.external))
    .sort((x, y) => x - y);
}

function subnetsOverlap(a: string, b: string): boolean {
  const range = (cidr: string): [number, number] | undefined => {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) {
      return undefined;
    }
    const start = ((+m[1] * 256 + +m[2]) * 256 + +m[3]) * 256 + +m[4];
    return [start, start + 2 ** (32 - +m[5]) - 1];
  };
  const ra = range(a);
  const rb = range(b);
  return ra !== undefined && rb !== undefined && ra[0] <= rb[1] && rb[0] <= ra[1];
}
