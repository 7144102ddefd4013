import * as fs from "node:fs";

/**
 * The record of every protected data volume that has been deployed, committed beside the code like a
 * package lock (written by `npm run record-volumes` after a deploy, never by a plain synth, so that trying
 * a service out creates no entry): `cdktf synth` (and `npm run synth`) compares each stack's volumes with it, so a change
 * that would make Terraform replace a volume (and so delete Prometheus' TSDB, Grafana's database or
 * Alertmanager's silences) fails synth with an explanation instead of reaching a plan.
 */
export const VOLUME_LOCK_FILE = "data-volumes.lock.json";

/** What of a `docker_volume` forces its replacement when it changes (kreuzwerker/docker: all ForceNew). */
export interface LockedVolume {
  readonly name: string;
  readonly driver?: string;
  readonly driverOpts?: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** Stack id → Terraform address (`docker_volume.<id>`) → the volume's identity. */
export type VolumeLock = Record<string, Record<string, LockedVolume>>;

interface TfVolume {
  readonly name?: string;
  readonly driver?: string;
  readonly driver_opts?: Record<string, string>;
  readonly labels?: readonly { readonly label: string; readonly value: string }[];
  readonly lifecycle?: { readonly prevent_destroy?: boolean };
}

/**
 * The protected volumes of one synthesized stack (`cdk.tf.json`): those with `prevent_destroy`. A stack
 * with `dataProtection: false` has none, and is neither checked nor recorded.
 */
export function protectedVolumes(tf: { resource?: { docker_volume?: Record<string, TfVolume> } }): Record<string, LockedVolume> {
  const out: Record<string, LockedVolume> = {};
  for (const [id, v] of Object.entries(tf.resource?.docker_volume ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (v.lifecycle?.prevent_destroy !== true) continue;
    out[`docker_volume.${id}`] = {
      name: String(v.name),
      ...(v.driver !== undefined ? { driver: v.driver } : {}),
      ...(v.driver_opts !== undefined ? { driverOpts: { ...v.driver_opts } } : {}),
      labels: Object.fromEntries((v.labels ?? []).map((l) => [l.label, l.value])),
    };
  }
  return out;
}

/** The old prefix when only the prefix changed: "monitoring" for "monitoring-prometheus-data" → "ops-prometheus-data". */
function prefixBefore(oldName: string, newName: string): string | undefined {
  let n = 0;
  while (n < Math.min(oldName.length, newName.length) && oldName[oldName.length - 1 - n] === newName[newName.length - 1 - n]) n++;
  const common = oldName.slice(oldName.length - n);
  const dash = common.indexOf("-");
  if (dash < 0) return undefined;
  const prefix = oldName.slice(0, oldName.length - n + dash);
  return prefix === "" ? undefined : prefix;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Compares the synthesized stacks' protected volumes with the lock. Returns one problem per volume that a
 * deploy would replace or delete, and the lock with the stacks' new volumes added (a volume seen for the
 * first time is recorded; a recorded one is never changed here: accepting a replacement is deleting its
 * entry by hand, a decision a reviewer sees in the diff).
 */
export function checkVolumeLock(lock: VolumeLock, stacks: Readonly<Record<string, Record<string, LockedVolume>>>): { problems: string[]; lock: VolumeLock } {
  const problems: string[] = [];
  const next: VolumeLock = JSON.parse(JSON.stringify(lock));
  const accept = `or, to give up its data on purpose, delete its entry from ${VOLUME_LOCK_FILE}`;
  for (const [stack, volumes] of Object.entries(stacks).sort(([a], [b]) => a.localeCompare(b))) {
    if (Object.keys(volumes).length === 0) continue;
    const locked = lock[stack] ?? {};
    const byName = new Map(Object.entries(volumes).map(([address, v]) => [v.name, address]));
    for (const [address, old] of Object.entries(locked)) {
      const now = volumes[address];
      if (now === undefined) {
        const moved = byName.get(old.name);
        problems.push(
          moved
            ? `stack "${stack}": data volume "${old.name}" moved from ${address} to ${moved}: Terraform would delete the volume and its data and create an empty one. Keep the construct id, ${accept}`
            : `stack "${stack}": data volume "${old.name}" (${address}) is no longer defined: a deploy would delete it and its data. Keep the service enabled, ${accept}`,
        );
        continue;
      }
      if (now.name !== old.name) {
        const oldPrefix = prefixBefore(old.name, now.name);
        problems.push(
          `stack "${stack}": data volume "${old.name}" would be renamed to "${now.name}": Docker cannot rename a volume, so Terraform would replace it and delete its data. ` +
            (oldPrefix ? `Set volumePrefix: "${oldPrefix}" to keep the old names, ${accept}` : `Restore its name, ${accept}`),
        );
      } else if (!same(now.driver, old.driver) || !same(now.driverOpts, old.driverOpts) || !same(now.labels, old.labels)) {
        problems.push(
          `stack "${stack}": data volume "${old.name}" would change its driver, driver options or labels (${JSON.stringify({ driver: old.driver, driverOpts: old.driverOpts, labels: old.labels })} → ${JSON.stringify({ driver: now.driver, driverOpts: now.driverOpts, labels: now.labels })}), which replaces it and deletes its data. Restore them, ${accept}`,
        );
      }
    }
    for (const [address, v] of Object.entries(volumes)) {
      if (locked[address] === undefined && !Object.values(locked).some((o) => o.name === v.name)) {
        next[stack] = { ...(next[stack] ?? {}), [address]: v };
      }
    }
  }
  return { problems, lock: next };
}

/** Reads the lock file; a missing file is an empty lock, an unreadable one a problem naming the file. */
export function readVolumeLock(file: string): VolumeLock {
  if (!fs.existsSync(file)) return {};
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a JSON object");
    return parsed as VolumeLock;
  } catch (e) {
    throw new Error(`${file}: cannot read the data-volume lock (${(e as Error).message}); restore it from git`);
  }
}

/** Writes the lock in a stable order (stacks, then addresses, sorted), so its diff is readable. */
export function writeVolumeLock(file: string, lock: VolumeLock): void {
  const sorted: VolumeLock = {};
  for (const stack of Object.keys(lock).sort()) {
    sorted[stack] = {};
    for (const address of Object.keys(lock[stack]).sort()) sorted[stack][address] = lock[stack][address];
  }
  fs.writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
}
