import { ChildProcess, execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** A Docker engine this run started, and only this run uses. */
export interface Dockerd {
  /** `unix://…/docker.sock`, for `DOCKER_HOST` and the stack's `docker_host` variable. */
  readonly host: string;
  readonly version: string;
  /** Runs the docker CLI against this engine; rejects with the CLI's stderr. */
  docker(args: readonly string[], options?: { input?: string }): Promise<string>;
  /** Stops the engine (SIGTERM, then SIGKILL) and removes its runtime directory. */
  stop(): Promise<void>;
}

/** Why the engine could not start, for the run's report. */
export class DockerdError extends Error {}

/**
 * The flags of the rig's engine: its own data, runtime and socket; no iptables rules, no default
 * bridge; `vfs` storage, which works on any filesystem. Networks the stack creates are still real
 * bridges; nothing is published beyond loopback.
 */
export function dockerdArgs(dataRoot: string, runDir: string): string[] {
  return [
    "--storage-driver", "vfs",
    "--iptables=false",
    "--ip6tables=false",
    "--bridge=none",
    "--data-root", dataRoot,
    "--exec-root", path.join(runDir, "exec"),
    "-H", `unix://${path.join(runDir, "docker.sock")}`,
    "--pidfile", path.join(runDir, "docker.pid"),
  ];
}

/**
 * Starts `dockerd` with {@link dockerdArgs}. The data root is kept (imported images survive for the
 * next run); the runtime directory (socket, pid file, exec root) is temporary. Never touches the
 * machine's own daemon or socket.
 */
export async function startDockerd(dataRoot: string, timeoutSeconds = 60): Promise<Dockerd> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-dockerd-"));
  fs.mkdirSync(dataRoot, { recursive: true });
  const socket = path.join(runDir, "docker.sock");
  const host = `unix://${socket}`;
  const log = path.join(runDir, "dockerd.log");
  const out = fs.openSync(log, "a");
  let child: ChildProcess;
  try {
    child = spawn("dockerd", dockerdArgs(dataRoot, runDir), { stdio: ["ignore", out, out], detached: true });
  } catch (e) {
    throw new DockerdError(`cannot start dockerd: ${(e as Error).message}`);
  }
  let exited: string | undefined;
  child.on("exit", (code, signal) => (exited = `dockerd exited (${signal ?? code})`));
  child.on("error", (e) => (exited = `cannot run dockerd: ${e.message}`));

  const docker = async (args: readonly string[], options: { input?: string } = {}): Promise<string> => {
    const p = execFileAsync("docker", [...args], { env: { ...process.env, DOCKER_HOST: host }, maxBuffer: 64 << 20 });
    if (options.input !== undefined) p.child.stdin?.end(options.input);
    const { stdout } = await p;
    return stdout;
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(runDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    if (exited) {
      const tail = fs.readFileSync(log, "utf8").trim().split("\n").slice(-8).join("\n");
      await stop();
      throw new DockerdError(`${exited}; its last log lines:\n${tail}`);
    }
    try {
      const version = (await docker(["version", "--format", "{{.Server.Version}}"])).trim();
      return { host, version, docker, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new DockerdError(`dockerd did not answer on ${socket} within ${timeoutSeconds} s (log: ${log})`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
