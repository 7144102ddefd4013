import { spawn } from "node:child_process";
import * as fs from "node:fs";

/** Runs a command with its output in a log file; resolves with exit code, output and wall time. */
export function runLogged(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; log: string; timeoutMs: number },
): Promise<{ code: number | null; output: string; seconds: number }> {
  const started = Date.now();
  fs.appendFileSync(options.log, `\n$ ${command} ${args.join(" ")}\n`);
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (b: Buffer) => {
      output += b.toString();
      fs.appendFileSync(options.log, b);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => child.kill("SIGTERM"), options.timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

