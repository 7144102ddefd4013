import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StopWaiting, waitUntil } from "./http";

/** A program to start. */
export interface ProgramSpec {
  /** Short unique name; also the log file's name (`<logDir>/<name>.log`). */
  readonly name: string;
  /** Absolute path of the executable. */
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the rehearsal's own environment. @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** @default the work directory */
  readonly cwd?: string;
  /**
   * Run as this user when the rehearsal runs as root (PostgreSQL refuses to run as root), through
   * `runuser -u <user> --`. Ignored for a non-root rehearsal. @default the current user
   */
  readonly runAs?: string;
  /** Signal that shuts the program down cleanly. @default "SIGTERM" */
  readonly stopSignal?: NodeJS.Signals;
}

/** A started program. */
export interface ManagedProcess {
  readonly spec: ProgramSpec;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Set once the process has exited. */
  exit?: { readonly code: number | null; readonly signal: NodeJS.Signals | null };
  readonly exited: Promise<void>;
}

/** The argv actually spawned for a spec: `runuser -u <user> -- cmd ...` when root must drop privileges. */
export function commandLine(spec: ProgramSpec, uid: number | undefined = process.getuid?.()): { command: string; args: string[] } {
  if (spec.runAs && uid === 0) {
    return { command: "runuser", args: ["-u", spec.runAs, "--", spec.command, ...spec.args] };
  }
  return { command: spec.command, args: [...spec.args] };
}

/**
 * Starts programs in their own process groups with logs in files, waits for their readiness with
 * deadlines, and stops them all at the end: in reverse start order on the normal path, and by killing
 * every process group on failure, SIGINT/SIGTERM or an uncaught exception.
 */
export class ProcessManager {
  /** Root of everything this run writes: `logs/` and each program's data directories. */
  public readonly workDir: string;
  public readonly logDir: string;
  private readonly processes = new Map<string, ManagedProcess>();
  private readonly order: string[] = [];
  private handlersInstalled = false;

  constructor(prefix = "rehearsal-") {
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.logDir = path.join(this.workDir, "logs");
    fs.mkdirSync(this.logDir);
  }

  /** A new directory under the work directory, optionally owned by `owner` (a user name, when root). */
  public dir(name: string, owner?: string): string {
    const dir = path.join(this.workDir, name);
    fs.mkdirSync(dir, { recursive: true });
    if (owner && process.getuid?.() === 0) {
      const { uid, gid } = userIds(owner);
      // The work directory is created 0700; the other user must be able to reach its own folder.
      fs.chmodSync(this.workDir, 0o711);
      fs.chownSync(dir, uid, gid);
    }
    return dir;
  }

  /** Starts a program; its stdout and stderr go to `<logDir>/<name>.log` (appended across restarts). */
  public start(spec: ProgramSpec): ManagedProcess {
    const running = this.processes.get(spec.name);
    if (running && !running.exit) {
      throw new Error(`${spec.name} is already running (pid ${running.child.pid})`);
    }
    const logFile = path.join(this.logDir, `${spec.name}.log`);
    const fd = fs.openSync(logFile, "a");
    fs.writeSync(fd, `\n=== ${new Date().toISOString()} start: ${spec.command} ${spec.args.join(" ")}\n`);
    const { command, args } = commandLine(spec);
    const child = spawn(command, args, {
      cwd: spec.cwd ?? this.workDir,
      env: { ...process.env, ...(spec.env ?? {}) },
      stdio: ["ignore", fd, fd],
      detached: true, // own process group: one kill(-pid) reaches every child it forks
    });
    fs.closeSync(fd);
    let markExited: () => void = () => undefined;
    const managed: ManagedProcess = {
      spec,
      child,
      logFile,
      exited: new Promise<void>((r) => (markExited = r)),
    };
    child.on("exit", (code, signal) => {
      managed.exit = { code, signal };
      markExited();
    });
    child.on("error", (e) => {
      fs.appendFileSync(logFile, `spawn error: ${e.message}\n`);
      managed.exit = { code: -1, signal: null };
      markExited();
    });
    this.processes.set(spec.name, managed);
    if (!this.order.includes(spec.name)) {
      this.order.push(spec.name);
    }
    return managed;
  }

  public get(name: string): ManagedProcess {
    const p = this.processes.get(name);
    if (!p) {
      throw new Error(`no program named ${name} was started`);
    }
    return p;
  }

  /**
   * Waits until `probe` succeeds; fails at once, with the end of the log, if the program exits first,
   * and after `timeoutMs` otherwise.
   */
  public async waitReady(name: string, what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const p = this.get(name);
    try {
      await waitUntil(
        `${name}: ${what}`,
        async () => {
          if (p.exit) {
            throw new StopWaiting(`${name} exited (code ${p.exit.code}, signal ${p.exit.signal}) before it was ready`);
          }
          return probe();
        },
        { timeoutMs, intervalMs: 200 },
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- last lines of ${p.logFile}:\n${this.logTail(name, 15)}`);
    }
  }

  /** Stops one program: its stop signal to the process group, then SIGKILL after `timeoutMs`. */
  public async stop(name: string, timeoutMs = 15000): Promise<void> {
    const p = this.processes.get(name);
    if (!p || p.exit || p.child.pid === undefined) {
      return;
    }
    killGroup(p.child.pid, p.spec.stopSignal ?? "SIGTERM");
    const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), timeoutMs).unref());
    if ((await Promise.race([p.exited, timer])) === "timeout") {
      killGroup(p.child.pid, "SIGKILL");
      await Promise.race([p.exited, new Promise((r) => setTimeout(r, 3000).unref())]);
    }
  }

  /** Stops every running program, last started first. */
  public async stopAll(): Promise<void> {
    for (const name of [...this.order].reverse()) {
      await this.stop(name);
    }
  }

  /** SIGKILL to every running process group, synchronously: for signal and exception handlers. */
  public killAllNow(): void {
    for (const p of this.processes.values()) {
      if (!p.exit && p.child.pid !== undefined) {
        killGroup(p.child.pid, "SIGKILL");
      }
    }
  }

  /** The names of programs still running. */
  public running(): string[] {
    return this.order.filter((n) => !this.processes.get(n)?.exit);
  }

  /** The last `lines` lines of a program's log. */
  public logTail(name: string, lines = 20): string {
    const p = this.processes.get(name);
    if (!p || !fs.existsSync(p.logFile)) {
      return "(no log)";
    }
    return fs.readFileSync(p.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  }

  /**
   * Makes sure nothing outlives the rehearsal: SIGINT, SIGTERM, an uncaught exception or an unhandled
   * rejection kill every process group before the process exits, and so does a plain exit.
   */
  public installExitHandlers(): void {
    if (this.handlersInstalled) {
      return;
    }
    this.handlersInstalled = true;
    const bail = (why: string, code: number) => (err?: unknown) => {
      if (err instanceof Error) {
        console.error(`\n${why}: ${err.stack ?? err.message}`);
      } else {
        console.error(`\n${why}: stopping every started program (logs kept in ${this.logDir})`);
      }
      this.killAllNow();
      process.exit(code);
    };
    process.once("SIGINT", bail("SIGINT", 130));
    process.once("SIGTERM", bail("SIGTERM", 143));
    process.once("uncaughtException", bail("uncaught exception", 1));
    process.once("unhandledRejection", (reason) => bail("unhandled rejection", 1)(reason instanceof Error ? reason : new Error(String(reason))));
    process.once("exit", () => this.killAllNow());
  }

  /** Deletes the work directory (logs included); call only when everything is stopped. */
  public removeWorkDir(): void {
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") {
      throw e;
    }
  }
}

/** uid and gid of a local user, read from /etc/passwd (no extra dependency). */
export function userIds(user: string, passwd = fs.readFileSync("/etc/passwd", "utf8")): { uid: number; gid: number } {
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f[0] === user && f.length >= 4) {
      return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  }
  throw new Error(`user "${user}" does not exist (needed to run a program as non-root)`);
}
