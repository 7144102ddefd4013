import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { ConfigError, MonitoringConfig } from "./config";
import { checkVolumeLock, LockedVolume, protectedVolumes, readVolumeLock, VOLUME_LOCK_FILE, writeVolumeLock } from "./data-volumes";
import { defineEnvironments } from "./environments";
import { MonitoringStack } from "./monitoring-stack";

/**
 * The deployed stacks. Every option has the guide's value as its default; override here (see README,
 * "Configuration"). Secrets are named, never written: `secret("slack_api_url")` becomes a sensitive
 * Terraform variable that you set at deploy time (`TF_VAR_slack_api_url`).
 *
 * @param environments which environment stacks to add: "" (none), "all", or a comma-separated list
 *   (the `MONITORING_ENVIRONMENTS` variable)
 */
export function defineStacks(app: App, environments: string): MonitoringStack[] {
  const config: MonitoringConfig = {};

  // The default stack: local Docker, local state (`cdktf synth`, `cdktf deploy monitoring`).
  const main = new MonitoringStack(app, "monitoring", config);

  // Environments, opt-in: MONITORING_ENVIRONMENTS=all (or "staging,production") adds the stacks
  // monitoring-staging and monitoring-production, each with its own state and Docker host. CI plans and
  // deploys them (docs/ci.md). Replace the example bucket and hosts with yours.
  const envs = defineEnvironments(
    app,
    { ...config, backend: { kind: "s3", bucket: "example-monitoring-state", region: "eu-central-1", key: "{stack}/terraform.tfstate" } },
    {
      staging: { dockerHost: { url: "ssh://deploy@staging.example.com" } },
      production: { dockerHost: { url: "ssh://deploy@monitoring.example.com" }, prometheus: { retentionTime: "30d" } },
    },
    { select: environments },
  );
  return [main, ...Object.values(envs)];
}

/**
 * The text a user sees for an invalid config: one numbered line per distinct problem (field, value,
 * what is allowed), no stack trace.
 */
export function formatConfigError(e: ConfigError): string {
  const problems = [...new Set(e.problems)];
  return ["invalid monitoring config:", ...problems.map((p, i) => `  ${i + 1}. ${p}`)].join("\n");
}

/**
 * Runs the app's synthesis as the entry point does: a config mistake prints {@link formatConfigError}
 * on stderr and exits 1; any other error keeps its stack trace (it is a bug, not a config mistake).
 */
export function runApp(synthesize: () => void, exit: (code: number) => never = (c) => process.exit(c)): void {
  try {
    synthesize();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(formatConfigError(e));
      exit(1);
      return;
    }
    throw e;
  }
}

/** What `app.synth()` wrote, as cdktf's manifest.json records it. */
export interface SynthManifest {
  readonly stacks: Readonly<
    Record<string, { readonly synthesizedStackPath: string; readonly annotations?: readonly { readonly level: string; readonly message: string; readonly constructPath?: string }[] }>
  >;
}

/** Reads the manifest.json that `app.synth()` wrote into `outdir`. */
function readManifest(outdir: string): SynthManifest {
  return JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as SynthManifest;
}

/**
 * Finishes a synthesis without the cdktf CLI, as `cdktf synth` does: removes stack directories of stacks
 * the app no longer defines (so a plan never reads a stale stack), and returns the report the CLI would
 * print: each stack's notes, warnings and errors (`Annotations.of(...)`) and where its Terraform JSON is.
 */
export function finishSynth(outdir: string, manifest: SynthManifest): { warnings: string[]; stacks: string[] } {
  const names = Object.keys(manifest.stacks).sort();
  const stacksDir = path.join(outdir, "stacks");
  for (const dir of fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir) : []) {
    if (!names.includes(dir)) fs.rmSync(path.join(stacksDir, dir), { recursive: true, force: true });
  }
  const warnings: string[] = [];
  for (const name of names) {
    for (const a of manifest.stacks[name].annotations ?? []) {
      const kind = { "@cdktf/info": "NOTE", "@cdktf/warn": "WARNING", "@cdktf/error": "ERROR" }[a.level];
      if (kind) warnings.push(`[${name}] ${kind}: ${a.message}`);
    }
  }
  return { warnings, stacks: names.map((n) => `${n}: ${path.join(outdir, manifest.stacks[n].synthesizedStackPath)}`) };
}

/** Set to `1` to record the synthesized volumes in the lock: after a deploy (`npm run record-volumes`). */
export const RECORD_VOLUMES_VARIABLE = "MONITORING_RECORD_VOLUMES";

/**
 * Checks the synthesized stacks' protected data volumes against the lock file (see stacks/data-volumes.ts).
 * A recorded volume that a deploy would replace or delete is a config error; the failing stacks' output
 * is removed so that nothing stale can be deployed with `--skip-synth`.
 *
 * The lock guards data that exists: a synth only checks, and volumes are recorded only when asked
 * (`record`, i.e. `npm run record-volumes` after a deploy). So enabling a service and disabling it again
 * before any deploy is no problem, while a volume recorded after a deploy can no longer be renamed or
 * dropped unnoticed.
 * @returns the volumes recorded now, and those not yet recorded (for the report)
 */
export function enforceVolumeLock(outdir: string, manifest: SynthManifest, lockFile: string, record = false): { recorded: string[]; unrecorded: string[] } {
  const stacks: Record<string, Record<string, LockedVolume>> = {};
  for (const [name, s] of Object.entries(manifest.stacks)) {
    stacks[name] = protectedVolumes(JSON.parse(fs.readFileSync(path.join(outdir, s.synthesizedStackPath), "utf8")));
  }
  const before = readVolumeLock(lockFile);
  const { problems, lock } = checkVolumeLock(before, stacks);
  if (problems.length > 0) {
    for (const name of Object.keys(stacks)) {
      if (problems.some((p) => p.startsWith(`stack "${name}"`))) fs.rmSync(path.join(outdir, "stacks", name), { recursive: true, force: true });
    }
    throw new ConfigError(problems);
  }
  const added = Object.entries(lock).flatMap(([stack, vols]) =>
    Object.entries(vols)
      .filter(([address]) => before[stack]?.[address] === undefined)
      .map(([, v]) => `${stack}: ${v.name}`),
  );
  if (!record) return { recorded: [], unrecorded: added };
  if (added.length > 0) writeVolumeLock(lockFile, lock);
  return { recorded: added, unrecorded: [] };
}

/**
 * The main job without the cdktf CLI (`npm run synth` runs it with `node dist/main.js`): synthesizes the
 * app, checks the data volumes against `data-volumes.lock.json` (the file named by
 * `MONITORING_VOLUME_LOCK`, relative to the working directory; with `MONITORING_RECORD_VOLUMES=1` it
 * records new ones there), prints the warnings on stderr and the
 * written stacks on stdout. Runs on every Node.js LTS, because it needs no native module (the CLI's
 * terminal module has prebuilt binaries only up to Node.js 22).
 */
export function synthApp(app: App, out: (line: string) => void = console.log, err: (line: string) => void = console.error): void {
  app.synth();
  const lockFile = path.resolve(process.env.MONITORING_VOLUME_LOCK ?? VOLUME_LOCK_FILE);
  const manifest = readManifest(app.outdir);
  const { recorded, unrecorded } = enforceVolumeLock(app.outdir, manifest, lockFile, process.env[RECORD_VOLUMES_VARIABLE] === "1");
  const report = finishSynth(app.outdir, manifest);
  for (const w of report.warnings) err(w);
  const lockName = path.relative(process.cwd(), lockFile) || lockFile;
  if (recorded.length > 0) {
    err(`recorded ${recorded.length} new data volume(s) in ${lockName}; commit it: ${recorded.join(", ")}`);
  }
  if (unrecorded.length > 0) {
    err(
      `NOTE: ${unrecorded.length} data volume(s) not yet in ${lockName} (nothing guards them until recorded): ${unrecorded.join(", ")}; ` +
        `after deploying, run "npm run record-volumes" and commit the file`,
    );
  }
  out(`Generated Terraform code for the stacks:`);
  for (const s of report.stacks) out(`  ${s}`);
}
