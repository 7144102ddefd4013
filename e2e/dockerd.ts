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
  docker(args: readonly string[], options?: { input?: string; withStderr?: boolean }): Promise<string>;
  /** Stops the engine (SIGTERM, then SIGKILL) and removes its runtime directory. */
  stop(): Promise<void>;
}

/** Why the engine could not start, for the run's report. */
export class DockerdError extends Error {}

/** How to start one dockerd: the command, its environment, and where its socket and log go. */
export interface DockerdLaunch {
  /** The program that becomes dockerd: `dockerd`, or `nsenter`, which execs it in a namespace. */
  readonly command: string;
  readonly args: readonly string[];
  /** dockerd's environment: its PATH decides which containerd, runc, docker-proxy and docker-init run. */
  readonly env?: NodeJS.ProcessEnv;
  /** The folder of its socket (`docker.sock`), log and runtime files; removed by `stop()`. */
  readonly runDir: string;
  /** The docker CLI the rig runs against it. @default `docker` on the PATH */
  readonly cli?: string;
  /** Added to the CLI's environment (e.g. `DOCKER_CONFIG`). */
  readonly cliEnv?: Readonly<Record<string, string>>;
  /** Runs once dockerd has exited, before the runtime directory is removed (e.g. stop helpers). */
  readonly afterStop?: () => Promise<void>;
}

/**
 * The flags of Debian's docker.io 20.10 as the rig's fallback engine (e2e/engine.ts): its own data,
 * runtime and socket; no iptables rules, no default bridge; `vfs` storage, which works on any
 * filesystem. Networks the stack creates are still real bridges; nothing is published beyond loopback.
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

/** A fresh runtime directory for one engine (socket, pid file, exec root, log). */
export function makeRunDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "e2e-dockerd-"));
}

/**
 * Starts Debian's `dockerd` with {@link dockerdArgs} in the machine's network namespace: the rig's
 * fallback engine. The data root is kept (imported images survive for the next run); the runtime
 * directory is temporary. Never touches the machine's own daemon or socket.
 */
export async function startDockerd(dataRoot: string, timeoutSeconds = 60, cliEnv?: Readonly<Record<string, string>>): Promise<Dockerd> {
  const runDir = makeRunDir();
  fs.mkdirSync(dataRoot, { recursive: true });
  return launchDockerd({ command: "dockerd", args: dockerdArgs(dataRoot, runDir), runDir, cliEnv }, timeoutSeconds);
}

/**
 * Starts a dockerd as `launch` says and waits until it answers on `runDir/docker.sock`. On failure
 * it is stopped and the error carries its last log lines.
 */
export async function launchDockerd(launch: DockerdLaunch, timeoutSeconds = 60): Promise<Dockerd> {
  const { runDir } = launch;
  const socket = path.join(runDir, "docker.sock");
  const host = `unix://${socket}`;
  const log = path.join(runDir, "dockerd.log");
  const out = fs.openSync(log, "a");
  let child: ChildProcess;
  try {
    child = spawn(launch.command, [...launch.args], { stdio: ["ignore", out, out], detached: true, env: launch.env ?? process.env });
  } catch (e) {
    throw new DockerdError(`cannot start dockerd: ${(e as Error).message}`);
  }
  fs.closeSync(out);
  let exited: string | undefined;
  child.on("exit", (code, signal) => (exited = `dockerd exited (${signal ?? code})`));
  child.on("error", (e) => (exited = `cannot run ${launch.command}: ${e.message}`));

  const cliEnv = { ...process.env, ...launch.cliEnv, DOCKER_HOST: host };
  const docker = async (args: readonly string[], options: { input?: string; withStderr?: boolean } = {}): Promise<string> => {
    const p = execFileAsync(launch.cli ?? "docker", [...args], { env: cliEnv, maxBuffer: 64 << 20 });
    if (options.input !== undefined) p.child.stdin?.end(options.input);
    const { stdout, stderr } = await p;
    // `docker logs` replays a container's stderr on its own stderr: programs log there.
    return options.withStderr ? `${stdout}${stderr}` : stdout;
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await gone;
      clearTimeout(timer);
    }
    await launch.afterStop?.();
    if (process.env.MONITORING_E2E_KEEP !== "1") fs.rmSync(runDir, { recursive: true, force: true });
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
