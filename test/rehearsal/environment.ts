import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { RECORDED } from "../../alerts";
import { JOBS } from "../../alerts/jobs";
import { alertmanagerFlags } from "../../constructs/alertmanager";
import {
  NODE_EXPORTER_DEFAULT_MOUNT_POINTS_EXCLUDE,
  NODE_EXPORTER_DEFAULT_NETDEV_EXCLUDE,
  nodeExporterFlags,
} from "../../constructs/node-exporter";
import { postgresExporterFlags } from "../../constructs/postgres-exporter";
import { redisExporterFlags, redisPasswordKey } from "../../constructs/redis-exporter";
import { prometheusFlags } from "../../constructs/prometheus";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { RehearsalFiles, RehearsalIntervals, rehearsalConfig, writeRehearsalFiles } from "./config";
import { PrometheusApi } from "./apis";
import { request, waitUntil } from "./http";
import { Messenger, startMessenger } from "./messenger";
import { freePorts, isListening, LOOPBACK, loopback } from "./ports";
import { ProcessManager, ProgramSpec, commandLine } from "./processes";
import type { AbsentSeries } from "./panel-data";
import { CacheTraffic } from "./cache-traffic";
import { PROGRAMS, ProgramName, missingPrograms, missingProgramsMessage, supportsFlag } from "./programs";
import { WebhookRecorder } from "./webhook";

/** Programs needed with and without the exporters. */
const CORE: ProgramName[] = ["prometheus", "promtool", "alertmanager", "amtool"];
const EXPORTER_PROGRAMS: ProgramName[] = ["nodeExporter", "redisServer", "redisExporter", "postgresExporter", "initdb", "postgres", "psql"];

/** Ready within this long, or the start fails with the program's log. Generous: CI machines are busy. */
const READY_TIMEOUT_MS = 90_000;

/** Options of {@link RehearsalEnvironment.start}. */
export interface EnvironmentOptions {
  readonly intervals: RehearsalIntervals;
  /** Run the node, Redis and Postgres exporters (with Redis and PostgreSQL). @default true */
  readonly exporters?: boolean;
  /** Where progress lines go. @default console.log */
  readonly log?: (line: string) => void;
  /** Prefix of the temporary work directory. @default "rehearsal-" */
  readonly prefix?: string;
}

/** Thrown when a needed program is not installed; its message names the Debian packages. */
export class MissingProgramsError extends Error {}

/** Local ports of one run, all chosen by the kernel. */
interface Ports {
  prometheus: number;
  alertmanager: number;
  messenger: number;
  webhook: number;
  nodeExporter: number;
  redis: number;
  redisExporter: number;
  postgres: number;
  postgresExporter: number;
}

/**
 * Real Prometheus and Alertmanager (Debian packages) running the configuration the stack generates, on
 * loopback ports, with the synthetic messenger, exporters and a webhook recorder around them. Shared by
 * `npm run rehearse` and the alert-latency benchmark.
 */
export class RehearsalEnvironment {
  public readonly prometheusUrl: string;
  public readonly alertmanagerUrl: string;
  /** Jobs Prometheus scrapes here. */
  public readonly runningJobs: string[];
  /** Notes for the output: what was left out or adapted, and why. */
  public readonly notes: string[] = [];
  /** Series a running exporter cannot export here (a flag its build lacks): their panels are "source not running". */
  public readonly absentSeries: AbsentSeries[] = [];
  /** The application's cache use, simulated (started with Redis). */
  private cacheTraffic?: CacheTraffic;
  private readonly specs = new Map<string, { spec: ProgramSpec; ready: () => Promise<boolean> }>();
  /** Exporter program name of each exporter job. */
  public static readonly EXPORTER_PROCESS: Readonly<Record<string, string>> = {
    [JOBS.nodeExporter]: "node-exporter",
    [JOBS.redisExporter]: "redis-exporter",
    [JOBS.postgresExporter]: "postgres-exporter",
  };

  private constructor(
    public readonly pm: ProcessManager,
    public readonly webhook: WebhookRecorder,
    public readonly stack: MonitoringStack,
    public readonly files: RehearsalFiles,
    public readonly ports: Ports,
    public readonly intervals: RehearsalIntervals,
    private readonly log: (line: string) => void,
    public messenger?: Messenger,
  ) {
    this.prometheusUrl = `http://${loopback(ports.prometheus)}`;
    this.alertmanagerUrl = `http://${loopback(ports.alertmanager)}`;
    this.runningJobs = files.mapped.kept.map((t) => t.job);
  }

  /**
   * Builds the stack with the rehearsal config, picks the ports and writes the generated files; starts
   * only the webhook recorder. {@link startAll} starts the rest.
   */
  public static async create(o: EnvironmentOptions): Promise<RehearsalEnvironment> {
    const log = o.log ?? ((l: string) => console.log(l));
    const withExporters = o.exporters ?? true;
    const missing = missingPrograms([...CORE, ...(withExporters ? EXPORTER_PROGRAMS : [])]);
    if (missing.length > 0) {
      throw new MissingProgramsError(missingProgramsMessage(missing, process.env.CI === "true"));
    }
    const pm = new ProcessManager(o.prefix ?? "rehearsal-");
    pm.installExitHandlers();
    const [prometheus, alertmanager, messenger, webhookPort, nodeExporter, redis, redisExporter, postgres, postgresExporter] =
      await freePorts(9);
    const ports: Ports = { prometheus, alertmanager, messenger, webhook: webhookPort, nodeExporter, redis, redisExporter, postgres, postgresExporter };
    const webhook = new WebhookRecorder();
    await webhook.start(ports.webhook);

    const stack = new MonitoringStack(Testing.app(), "monitoring", rehearsalConfig({
      intervals: o.intervals,
      webhookUrl: (r) => webhook.url(r),
      exporters: withExporters,
    }));
    // The jobs that have a program here, and where it listens; every other job is dropped below.
    const addresses: Record<string, string> = {
      [JOBS.prometheus]: loopback(ports.prometheus),
      [JOBS.alertmanager]: loopback(ports.alertmanager),
      [JOBS.application]: loopback(ports.messenger),
      ...(withExporters
        ? {
            [JOBS.nodeExporter]: loopback(ports.nodeExporter),
            [JOBS.redisExporter]: loopback(ports.redisExporter),
            [JOBS.postgresExporter]: loopback(ports.postgresExporter),
          }
        : {}),
    };
    const files = writeRehearsalFiles(stack, pm.dir("config"), addresses);
    const env = new RehearsalEnvironment(pm, webhook, stack, files, ports, o.intervals, log);
    for (const job of files.mapped.dropped) {
      env.notes.push(`job "${job}" NOT rehearsed: its program has no Debian package here (runs only in the Docker stack)`);
    }
    for (const job of Object.keys(addresses)) {
      if (!env.runningJobs.includes(job)) {
        env.notes.push(`job "${job}" is not in the stack's scrape targets, so its program is not started`);
      }
    }
    return env;
  }

  /** {@link create} and {@link startAll}; on a failed start everything started is stopped again. */
  public static async start(o: EnvironmentOptions): Promise<RehearsalEnvironment> {
    const env = await RehearsalEnvironment.create(o);
    try {
      await env.startAll();
    } catch (e) {
      await env.close(false);
      throw e;
    }
    return env;
  }

  private define(name: string, spec: Omit<ProgramSpec, "name">, ready: () => Promise<boolean>): void {
    this.specs.set(name, { spec: { name, ...spec }, ready });
  }

  /** Starts a defined program and waits until it is ready. */
  public async startProgram(name: string): Promise<void> {
    const s = this.specs.get(name);
    if (!s) {
      throw new Error(`no program "${name}" is defined in this rehearsal`);
    }
    this.pm.start(s.spec);
    await this.pm.waitReady(name, "ready", s.ready, READY_TIMEOUT_MS);
  }

  /** Stops a program (clean shutdown signal, SIGKILL after a deadline). */
  public stopProgram(name: string): Promise<void> {
    return this.pm.stop(name);
  }

  /** Stops and starts a program on the same data directory. */
  public async restartProgram(name: string): Promise<void> {
    await this.stopProgram(name);
    await this.startProgram(name);
  }

  /** Starts every program that can run here and waits until all are ready. */
  public async startAll(): Promise<void> {
    const p = this.ports;
    const jobs = new Set(this.runningJobs);
    const httpOk = (url: string) => async () => (await request(url, { timeoutMs: 5000 })).status === 200;
    const configDir = path.dirname(this.files.prometheusConfig);

    if (jobs.has(JOBS.application)) {
      this.messenger = await startMessenger({ port: p.messenger });
    }
    const first: string[] = [];
    const second: string[] = [];
    if (jobs.has(JOBS.redisExporter)) {
      const dir = this.pm.dir("redis");
      // Redis with AUTH, and the exporter reading the password as the container does: a JSON file keyed
      // by the address (--redis.password-file), nothing in the environment. A wrong key or format would
      // leave redis_up at 0 and fire RedisDown.
      const password = randomBytes(12).toString("hex");
      const address = `redis://${loopback(p.redis)}`;
      const passwordFile = path.join(dir, "passwords.json");
      fs.writeFileSync(passwordFile, JSON.stringify({ [redisPasswordKey(address)]: password }), { mode: 0o644 });
      this.define(
        "redis-server",
        {
          command: PROGRAMS.redisServer.path,
          args: ["--bind", LOOPBACK, "--port", String(p.redis), "--dir", dir, "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--requirepass", password],
        },
        () => isListening(p.redis),
      );
      first.push("redis-server");
      this.cacheTraffic = new CacheTraffic(p.redis, password);
      this.define(
        "redis-exporter",
        {
          command: PROGRAMS.redisExporter.path,
          // REDIS_ADDR and the password file as the construct sets them; only the paths differ.
          args: [...redisExporterFlags(), `--web.listen-address=${loopback(p.redisExporter)}`, `--redis.password-file=${passwordFile}`],
          env: { REDIS_ADDR: address },
        },
        httpOk(`http://${loopback(p.redisExporter)}/metrics`),
      );
      second.push("redis-exporter");
    }
    if (jobs.has(JOBS.postgresExporter)) {
      await this.definePostgres();
      first.push("postgres");
      const wanted = postgresExporterFlags({ statStatements: true });
      const flags = wanted.filter((f) => supportsFlag(PROGRAMS.postgresExporter.path, f));
      for (const f of wanted.filter((x) => !flags.includes(x))) {
        this.notes.push(
          `postgres-exporter: ${PROGRAMS.postgresExporter.path} has no ${f} (Debian's 0.11.1 lacks it); started without it, so pg_stat_statements_* ` +
            `series are absent here and HighDatabaseQueryTime evaluates to nothing (the Docker image has the collector)`,
        );
        this.absentSeries.push({
          job: JOBS.postgresExporter,
          series: /^pg_stat_statements_/,
          reason: `${PROGRAMS.postgresExporter.path} has no ${f} (source not running here: the pinned exporter provides it)`,
        });
      }
      this.define(
        "postgres-exporter",
        {
          command: PROGRAMS.postgresExporter.path,
          args: [...flags, `--web.listen-address=${loopback(p.postgresExporter)}`],
          // As the container: URI and user in the environment, the password in a file (DATA_SOURCE_PASS_FILE);
          // TCP connections need the password (scram-sha-256), so a wrong file means pg_up 0 and PostgresDown.
          env: { DATA_SOURCE_URI: `${loopback(p.postgres)}/postgres?sslmode=disable`, DATA_SOURCE_USER: "postgres", DATA_SOURCE_PASS_FILE: this.postgresPasswordFile },
        },
        httpOk(`http://${loopback(p.postgresExporter)}/metrics`),
      );
      second.push("postgres-exporter");
    }
    if (jobs.has(JOBS.nodeExporter)) {
      // The container reads the host through /host; here the host is simply "/", so that flag goes.
      const flags = nodeExporterFlags({
        listenAddress: loopback(p.nodeExporter),
        mountPointsExclude: NODE_EXPORTER_DEFAULT_MOUNT_POINTS_EXCLUDE,
        netdevDeviceExclude: NODE_EXPORTER_DEFAULT_NETDEV_EXCLUDE,
      }).filter((f) => !f.startsWith("--path.rootfs="));
      this.define("node-exporter", { command: PROGRAMS.nodeExporter.path, args: flags }, httpOk(`http://${loopback(p.nodeExporter)}/metrics`));
      second.push("node-exporter");
    }
    const amData = this.pm.dir("alertmanager-data");
    this.define(
      "alertmanager",
      {
        command: PROGRAMS.alertmanager.path,
        args: alertmanagerFlags({
          configFile: this.files.alertmanagerConfig,
          dataPath: amData,
          listenAddress: loopback(p.alertmanager),
          externalUrl: this.alertmanagerUrl,
        }),
      },
      httpOk(`${this.alertmanagerUrl}/-/ready`),
    );
    second.push("alertmanager");
    const promData = this.pm.dir("prometheus-data");
    this.define(
      "prometheus",
      {
        command: PROGRAMS.prometheus.path,
        args: prometheusFlags({
          ...this.stack.prometheus.flagOptions,
          configFile: this.files.prometheusConfig,
          dataPath: promData,
          listenAddress: loopback(p.prometheus),
          externalUrl: this.prometheusUrl,
        }),
        cwd: configDir,
      },
      httpOk(`${this.prometheusUrl}/-/ready`),
    );

    const t = Date.now();
    await Promise.all(first.map((n) => this.startProgram(n)));
    await this.cacheTraffic?.start();
    if (first.includes("postgres")) {
      await this.prepareDatabase();
    }
    await Promise.all(second.map((n) => this.startProgram(n)));
    // Last, once Alertmanager listens: an alert sent to an Alertmanager that is not up yet is only
    // re-sent after Prometheus' resend delay (1m), which would delay the first Watchdog by a minute.
    await this.startProgram("prometheus");
    this.log(`  started ${[...first, ...second, "prometheus"].join(", ")}${this.messenger ? ", synthetic messenger (in process)" : ""} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }

  private async definePostgres(): Promise<void> {
    const dir = this.pm.dir("postgres", "postgres");
    const data = path.join(dir, "data");
    // The superuser's password: for initdb, and as the exporter's password file (with a trailing newline,
    // as a file written by hand or by Terraform may have; the exporter trims it).
    fs.writeFileSync(this.postgresPasswordFile, `${randomBytes(12).toString("hex")}\n`, { mode: 0o644 });
    const init = commandLine({
      name: "initdb",
      command: PROGRAMS.initdb.path,
      // Local socket connections (psql below) trusted, TCP (the exporter) by password.
      args: ["-D", data, "--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${this.postgresPasswordFile}`, "-U", "postgres", "--no-sync", "--no-instructions"],
      runAs: "postgres",
    });
    const r = await run(init.command, init.args, 60_000);
    if (r.code !== 0) {
      throw new Error(`initdb failed (exit ${r.code}):\n${r.output.slice(-2000)}`);
    }
    this.define(
      "postgres",
      {
        command: PROGRAMS.postgres.path,
        args: [
          "-D", data,
          "-k", dir,
          "-p", String(this.ports.postgres),
          "-c", `listen_addresses=${LOOPBACK}`,
          // The stack's postgres-exporter reads pg_stat_statements, as the application's database should offer.
          "-c", "shared_preload_libraries=pg_stat_statements",
          "-c", "fsync=off",
        ],
        runAs: "postgres",
        stopSignal: "SIGINT", // fast shutdown: does not wait for the exporter's connection
        cwd: dir,
      },
      async () => (await run(PROGRAMS.psql.path, this.psqlArgs("SELECT 1"), 5000)).code === 0,
    );
  }

  /** psql over the Unix socket in the data directory's parent (trusted), not TCP (password). */
  private psqlArgs(sql: string): string[] {
    return ["-h", this.pm.dir("postgres", "postgres"), "-p", String(this.ports.postgres), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql];
  }

  /** The Postgres password file, outside the data directory (initdb wants an empty one). */
  private get postgresPasswordFile(): string {
    return path.join(this.pm.dir("postgres-secrets"), "password");
  }

  private async prepareDatabase(): Promise<void> {
    const r = await run(PROGRAMS.psql.path, this.psqlArgs("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"), 20_000);
    if (r.code !== 0) {
      throw new Error(`CREATE EXTENSION pg_stat_statements failed:\n${r.output}`);
    }
  }

  /**
   * Waits until Prometheus has recorded the messenger's current connection count. The connection alert
   * compares with the peak of the past hour, so a drop injected before the healthy value was recorded
   * would be its own baseline and never fire.
   *
   * `scrapedAfter` (ms since epoch, e.g. a restart): the recorded value must also come from a scrape at or
   * after that time. Without it, right after a Prometheus restart the recording rule re-records the last
   * value scraped before the restart (still within the 5m lookback) for the seconds until the first new
   * scrape, and a fault injected then is only seen by that first scrape.
   */
  public async waitForConnectionBaseline(timeoutMs = 60_000, scrapedAfter?: number): Promise<void> {
    const expected = this.messenger?.state().connections;
    const prom = new PrometheusApi(this.prometheusUrl);
    const latest = async (expr: string) => (await prom.query(`timestamp(${expr})`))[0]?.value ?? 0;
    await waitUntil(
      `Prometheus to record ${RECORDED.websocketConnections} = ${expected}` +
        (scrapedAfter !== undefined ? ` from a scrape after ${new Date(scrapedAfter).toISOString()}` : ""),
      async () => {
        const r = await prom.query(RECORDED.websocketConnections);
        if (r.length !== 1 || r[0].value !== expected) {
          return false;
        }
        if (scrapedAfter === undefined) {
          return true;
        }
        const scraped = await latest(`up{job="${JOBS.application}"}`);
        return scraped * 1000 >= scrapedAfter && (await latest(RECORDED.websocketConnections)) >= scraped;
      },
      { timeoutMs },
    );
  }

  /** Stops everything; keeps the work directory (logs, data) after a failure or with REHEARSAL_KEEP=1. */
  public async close(success: boolean): Promise<void> {
    await this.messenger?.close().catch(() => undefined);
    this.cacheTraffic?.stop();
    await this.pm.stopAll();
    await this.webhook.close().catch(() => undefined);
    if (success && process.env.REHEARSAL_KEEP !== "1") {
      this.pm.removeWorkDir();
    } else {
      this.log(`  logs, configs and data kept in ${this.pm.workDir}`);
    }
  }
}

/** Runs a short command to completion with a deadline; output is stdout and stderr together. */
export function run(command: string, args: readonly string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", (e) => resolve({ code: -1, output: `${output}${e.message}` }));
    child.on("close", (code) => resolve({ code, output }));
  });
}
