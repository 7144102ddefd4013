import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runAlertLatencyBench } from "./alert-latency";

/**
 * `npm run bench`, part 1: synth time of the full monitoring stack against a minimal one-resource cdktf
 * app, measured in the same run, interleaved, as medians and their ratio (absolute times depend on the
 * machine; the ratio does not). Two views:
 * - `cdktf synth`, the command users run (CLI start-up included), against the target;
 * - the app command alone (from cdktf.json: an incremental, type-checked `tsc -b` build, then
 *   `node dist/main.js`), which isolates what this project adds.
 * The one-off cold build (first synth after a source change) is printed too.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGET = 1.5;
const TSC = "node node_modules/typescript/bin/tsc";

const FULL_APP: string = JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).app;
const MINIMAL_APP = `${TSC} -b test/bench/tsconfig.minimal.json && node dist/bench-minimal/minimal-app.js`;

/**
 * Runs an app command and returns milliseconds: through the cdktf CLI (`cdktf synth --app …`) or
 * directly, as the CLI would (a shell, CDKTF_OUTDIR set).
 */
function timeApp(command: string, viaCli = false): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-synth-"));
  const [file, args] = viaCli
    ? [process.execPath, [path.join(ROOT, "node_modules", ".bin", "cdktf"), "synth", "--app", command, "--output", outdir]]
    : ["sh", ["-c", command]];
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const wrote = fs.existsSync(path.join(outdir, "manifest.json"));
  fs.rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0 || !wrote) {
    throw new Error(`"${command}" failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return ms;
}

/** Removes a build's outputs so that the next run compiles from scratch. */
function clean(dir: string): void {
  fs.rmSync(path.join(ROOT, dir), { recursive: true, force: true });
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const fmt = (values: readonly number[]): string => values.map((v) => v.toFixed(0)).join(", ");

/** Medians of interleaved runs of the two apps, and their ratio. */
function compare(runs: number, viaCli: boolean): { minimal: number[]; full: number[]; ratio: number } {
  const full: number[] = [];
  const minimal: number[] = [];
  for (let i = 0; i < runs; i++) {
    minimal.push(timeApp(MINIMAL_APP, viaCli));
    full.push(timeApp(FULL_APP, viaCli));
  }
  return { minimal, full, ratio: median(full) / median(minimal) };
}

function report(title: string, r: { minimal: number[]; full: number[]; ratio: number }, target?: number): void {
  console.log(title);
  console.log(`  minimal one-resource app: median ${median(r.minimal).toFixed(0)} ms  [${fmt(r.minimal)}]`);
  console.log(`  full monitoring stack:    median ${median(r.full).toFixed(0)} ms  [${fmt(r.full)}]`);
  const verdict = target === undefined ? "(no target: for insight)" : `(target <= ${target}) ${r.ratio <= target ? "OK" : "OVER TARGET"}`;
  console.log(`  ratio full/minimal: ${r.ratio.toFixed(2)} ${verdict}`);
}

/** Part 1: prints the synth benchmark. */
export function synthBenchmark(): void {
  clean("dist/bench-minimal");
  const coldMinimal = timeApp(MINIMAL_APP);
  fs.rmSync(path.join(ROOT, "dist", ".tsbuildinfo"), { force: true });
  const coldFull = timeApp(FULL_APP);
  report(`synth benchmark: \`cdktf synth\`, ${RUNS} runs each, interleaved`, compare(RUNS, true), TARGET);
  report(`synth benchmark: the app command alone (no CLI), ${RUNS} runs each, interleaved`, compare(RUNS, false));
  console.log(
    `  cold build (first synth after a source change, type-checks everything): minimal ${coldMinimal.toFixed(0)} ms, full ${coldFull.toFixed(0)} ms, ratio ${(coldFull / coldMinimal).toFixed(2)}`,
  );
}

/**
 * `npm run bench`, part 2: the real deploy (`npm run e2e`, docs/e2e.md; its swarm phase adds the swarm deploy against the slowest task and the node-lost latency against its budget): cold deploy wall time, time
 * until every container is healthy, redeploy time, and the ratio of the deploy to the slowest single
 * container's start-to-healthy (target <= 1.5: containers start in parallel, nothing waits serially).
 */
function deployBenchmark(): void {
  console.log("deploy benchmark: npm run e2e (cdktf deploy onto a Docker engine of its own)");
  const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), path.join("e2e", "run.ts")], {
    cwd: ROOT,
    env: process.env,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const lines = (r.stdout ?? "").split("\n");
  const at = lines.indexOf("Measured:");
  const verdict = lines.filter((l) => /^E2E (PASSED|FAILED)|SKIPPED/.test(l));
  for (const l of at >= 0 ? lines.slice(at + 1).filter((x) => x.startsWith("  ")) : []) console.log(l);
  for (const l of verdict) console.log(`  ${l}`);
  if (r.status !== 0) console.log(`  (npm run e2e exited ${r.status}; run it alone for its full report)`);
}

async function main(): Promise<void> {
  synthBenchmark();
  deployBenchmark();
  await runAlertLatencyBench();
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
