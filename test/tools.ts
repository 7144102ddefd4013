import { execFileSync } from "node:child_process";
import { builtBinary } from "../e2e/built";

/**
 * Finds a real program (promtool, amtool, prometheus...): the pinned version built into the end-to-end
 * cache when present, else the one on PATH (Debian's). Under CI (`CI=true`) a missing program
 * fails the test; on a developer's machine the test is skipped with a loud warning, because a test that
 * silently passes without its tool proves nothing.
 */
export function findTool(name: string): string | undefined {
  // The pinned version, built from its Go module by `npm run e2e -- --build-only`, wins over Debian's.
  const built = builtBinary(name);
  if (built) {
    return built.path;
  }
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    if (process.env.CI === "true") {
      throw new Error(`${name} is required under CI but is not installed; .ci/run installs it from Debian packages`);
    }
    console.warn(`\n*** SKIPPED: ${name} is not installed; install it (see .ci/run) to run this check ***\n`);
    return undefined;
  }
}

/** Runs a program and returns its exit status and combined output. */
export function run(
  file: string,
  args: readonly string[],
  cwd?: string,
  env?: NodeJS.ProcessEnv,
): { status: number; output: string } {
  try {
    const output = execFileSync(file, [...args], { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
    return { status: 0, output };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { status: err.status ?? 1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}
