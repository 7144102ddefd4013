import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Path of promtool; Debian's `prometheus` package installs it here (`.ci/run` installs it). */
export const PROMTOOL = process.env.PROMTOOL ?? "/usr/bin/promtool";

/**
 * True if promtool can run. Without it: in CI (`CI=true`) this throws so the test fails; locally it
 * warns loudly and the caller skips its assertion.
 */
export function promtoolAvailable(): boolean {
  if (existsSync(PROMTOOL)) {
    return true;
  }
  const message = `promtool not found at ${PROMTOOL}: rule files are NOT checked. Install the Debian package "prometheus" or set PROMTOOL.`;
  if (process.env.CI === "true") {
    throw new Error(message);
  }
  console.warn(`\n!!!!!!!!!!\n${message}\n!!!!!!!!!!\n`);
  return false;
}

/** Runs promtool in `cwd`; returns exit status and combined output. */
export function runPromtool(args: readonly string[], cwd: string): { status: number; output: string } {
  const result = spawnSync(PROMTOOL, args, { cwd, encoding: "utf8", timeout: 120_000 });
  return { status: result.status ?? -1, output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}` };
}

/** Writes files into a fresh temporary directory and returns its path. */
export function writeTempFiles(files: ReadonlyArray<{ fileName: string; content: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), "alerts-"));
  for (const f of files) {
    writeFileSync(join(dir, f.fileName), f.content);
  }
  return dir;
}
