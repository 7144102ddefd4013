import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * `npm run bench`: times what `cdktf synth` runs (`ts-node <app>`, type-checked, as in cdktf.json) for
 * the full monitoring stack and for a minimal one-resource app, interleaved, and prints the medians and
 * their ratio. Absolute times depend on the machine; the ratio measured in one run does not.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET = 1.5;

function timeApp(entry: string): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-synth-"));
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), entry], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) {
    throw new Error(`${entry} failed:\n${result.stderr}`);
  }
  return ms;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function main(): void {
  const full: number[] = [];
  const minimal: number[] = [];
  timeApp("test/bench/minimal-app.ts"); // warm the file system cache for both
  for (let i = 0; i < RUNS; i++) {
    minimal.push(timeApp("test/bench/minimal-app.ts"));
    full.push(timeApp("main.ts"));
  }
  const ratio = median(full) / median(minimal);
  console.log(`synth benchmark, ${RUNS} runs each, interleaved (ts-node with type checking, as cdktf.json runs it)`);
  console.log(`  minimal one-resource app: median ${median(minimal).toFixed(0)} ms  [${minimal.map((m) => m.toFixed(0)).join(", ")}]`);
  console.log(`  full monitoring stack:    median ${median(full).toFixed(0)} ms  [${full.map((m) => m.toFixed(0)).join(", ")}]`);
  console.log(`  ratio full/minimal: ${ratio.toFixed(2)} (target <= ${TARGET}) ${ratio <= TARGET ? "OK" : "OVER TARGET"}`);
}

main();
