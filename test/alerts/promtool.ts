import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findTool, run } from "../tools";

/**
 * True if promtool (the pinned 3.16 build of `npm run e2e -- --build-only`, else Debian package
 * `prometheus`, both from `.ci/run`) can run. Without it: in CI
 * (`CI=true`) this throws so the test fails; locally it warns loudly and the caller skips its assertion.
 */
export function promtoolAvailable(): boolean {
  return findTool("promtool") !== undefined;
}

/** Runs promtool in `cwd`; returns exit status and combined output. */
export function runPromtool(args: readonly string[], cwd: string): { status: number; output: string } {
  // The same program promtoolAvailable() found: the pinned build when present, else Debian's.
  return run(findTool("promtool") ?? "promtool", args, cwd);
}

/** Writes files into a fresh temporary directory and returns its path. */
export function writeTempFiles(files: ReadonlyArray<{ fileName: string; content: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), "alerts-"));
  for (const f of files) {
    writeFileSync(join(dir, f.fileName), f.content);
  }
  return dir;
}
