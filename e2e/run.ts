/**
 * `npm run e2e`: `cdktf deploy` of the stack onto a Docker engine of its own, with the pinned programs
 * built from their Go modules and the Terraform providers from a local mirror; then checks what runs,
 * redeploys one changed threshold, and destroys. See docs/e2e.md.
 *
 * `npm run e2e -- --build-only` builds the provider mirror and the programs and stops: `.ci/run` does
 * this before the tests, so `terraform validate`, promtool and amtool run at the pinned versions there.
 * `--single-host-only` skips the swarm phase, `--swarm-only` the single-host one.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { imageName, IMAGES, ImageKey } from "../constructs/versions";
import { defineStacks } from "../stacks/app";
import { MonitoringStack } from "../stacks/monitoring-stack";
import { AlertmanagerApi, PrometheusApi } from "../test/rehearsal/apis";
import { JOBS } from "../alerts/jobs";
import { AlertRule } from "../alerts";
import { sleep, waitUntil } from "../test/rehearsal/http";
import { Report } from "../test/rehearsal/report";
import { checkPanelData } from "../test/rehearsal/panel-data";
import { fullCatalog } from "../alerts/catalog";
import { deployable, e2ePanelConfig, E2E_APP_NETWORK, E2E_ENV, E2E_PORTS, E2E_SECRETS, E2E_STACK, REDEPLOY_OVERRIDE, e2eConfig } from "./app";
import { catalogAgainstDeployed, runOutage, sendSpanAndFetch } from "./dependencies";
import { JAEGER } from "../alerts/catalog/jaeger";
import { POSTGRES_EXPORTER } from "../alerts/catalog/postgres-exporter";
import { REDIS_EXPORTER } from "../alerts/catalog/redis-exporter";
import { Dockerd } from "./dockerd";
import { startEngine } from "./engine";
import { BuildResult, buildProgram } from "./go-build";
import { BUSYBOX, ensureImage, ImageRecipe } from "./images";
import { cachePaths } from "./paths";
import { compileRig, messengerRecipe, POSTGRES_HOME, postgresRecipe, REDIS_SERVER, redisRecipe, webhookRecipe } from "./peers";
import { BinarySource, Deployment, deploymentOf, deployments, PROGRAMS, ProgramKey, sourceRelease } from "./programs";
import { buildProviderMirror } from "./providers";
import { synthesizeStacks } from "./synth";
import { containerTimings, ContainerState, deployRatio, detectionBudget, parsePlan, PlanCounts, READY_MARKERS, readySeconds } from "./measure";
import { APP_PROJECT, applicationComposeFile, runScalingChecks } from "./scaling";
import { runLogged } from "./process";
import { runSwarmChecks } from "./swarm";

const PROJECT = path.resolve(__dirname, "..");
const STACK_LABEL = `com.monitoring-stack.stack=${E2E_STACK}`;
const PEERS = { postgres: "e2e-postgres", redis: "e2e-redis", webhook: "e2e-webhook" } as const;
/** A container of the application's Compose project that the scaling checks never stop. */
const APP_CONTAINER = `${APP_PROJECT}-group-service-1`;
/** The peers' network: its own subnet beside the stack's 172.30.0.0/24. */
const APP_SUBNET = "172.31.0.0/24";
const WAIT_MS = { targets: 120_000, rules: 120_000, notification: 180_000, prometheusReady: 120_000 };
/** Between the two k6 pushes: the first is federated already (waited for); the second needs a later timestamp. */
const FEDERATION_GAP_MS = 2000;

/** What this machine must have, with how to get it. */
export function missingPrerequisites(
  has: (cmd: string) => boolean = (cmd) => {
    try {
      execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  },
  exists: (p: string) => boolean = fs.existsSync,
): string[] {
  const missing: string[] = [];
  if (!has("go")) missing.push("go (Go 1.26, builds the pinned programs and providers from the Go module proxy)");
  if (!has("dockerd") || !has("docker")) missing.push("dockerd and docker (Debian package docker.io)");
  if (!has("terraform")) missing.push("terraform 1.11 on the PATH");
  if (!exists(BUSYBOX)) missing.push(`${BUSYBOX} (Debian package busybox-static: the base of every image)`);
  if (deployable("postgresExporter") && !exists(path.join(POSTGRES_HOME, "bin/postgres"))) missing.push(`${POSTGRES_HOME}/bin/postgres (Debian package postgresql-15: the database peer)`);
  if (deployable("redisExporter") && !exists(REDIS_SERVER)) missing.push(`${REDIS_SERVER} (Debian package redis-server: the cache peer)`);
  // Images made from a Debian package's binary (a nearest release) need that package installed.
  for (const d of deployments()) {
    if (d.kind === "none" || d.source.kind !== "debian") continue;
    for (const bin of Object.values(d.source.binaries)) {
      if (!exists(bin)) missing.push(`${bin} (Debian package ${d.source.package}: ${d.key} ${d.source.release}, the release deployed instead of the pin)`);
    }
  }
  if (!has("ldd") || !has("tar")) missing.push("ldd and tar");
  return missing;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function buildLine(r: BuildResult): string {
  const what = `${r.program.name} ${r.program.release}`;
  return r.built
    ? `built ${what} in ${r.seconds.toFixed(0)} s, ${mb(r.bytes)}`
    : `cached ${what} (built earlier in ${r.seconds.toFixed(0)} s), ${mb(r.bytes)}, 0 s now`;
}

/** The binaries of a deployment's source: built by Go here, or installed by its Debian package. */
function binariesOf(source: BinarySource, built: Partial<Record<ProgramKey, Record<string, string>>>): Record<string, string> {
  return source.kind === "go" ? built[source.program]! : { ...source.binaries };
}

/**
 * Every image the runs need: the programs that are deployed, at the pin or at the nearest release that
 * can be had (busybox base, upstream paths and users, tagged as the image the stack names), the database
 * peers when their exporters run, the webhook receiver and the synthetic application.
 */
export function stackRecipes(
  binaries: Partial<Record<ProgramKey, Record<string, string>>>,
  project: string,
  rigJs: string,
  peers: { readonly postgres: boolean; readonly redis: boolean },
  all: readonly Deployment[] = deployments(),
): ImageRecipe[] {
  const recipes: ImageRecipe[] = [];
  for (const d of all) {
    if (d.kind === "none") continue;
    const bins = binariesOf(d.source, binaries);
    const copy = Object.entries(d.layout.install).map(([bin, to]) => ({ from: bins[bin], to }));
    recipes.push({
      tag: imageName(d.image),
      copy,
      // A Debian build is dynamically linked: its shared libraries come along (none for Go's static builds).
      dynamic: d.source.kind === "debian" ? copy.map((c) => c.from) : undefined,
      dirs: d.layout.dirs,
      users: [d.layout.user],
      user: d.layout.user.name,
      entrypoint: d.layout.entrypoint,
      cmd: d.layout.cmd,
      workdir: d.layout.workdir,
      env: d.layout.env,
    });
  }
  recipes.push(...(peers.postgres ? [postgresRecipe()] : []), ...(peers.redis ? [redisRecipe()] : []), webhookRecipe(), messengerRecipe(project, rigJs));
  return recipes;
}

/** Synthesizes stacks in-process and parses their cdk.tf.json documents. */
function synthJsons(define: (app: App) => MonitoringStack[]): { stacks: MonitoringStack[]; jsons: unknown[] } {
  const { stacks, texts } = synthesizeStacks(define);
  return { stacks, jsons: texts.map((t) => JSON.parse(t)) };
}

async function inspect(dockerd: Dockerd, names: readonly string[]): Promise<ContainerState[]> {
  if (names.length === 0) return [];
  return JSON.parse(await dockerd.docker(["inspect", ...names])) as ContainerState[];
}

async function stackContainers(dockerd: Dockerd): Promise<string[]> {
  const out = await dockerd.docker(["ps", "-a", "--filter", `label=${STACK_LABEL}`, "--format", "{{.Names}}"]);
  return out.split("\n").filter(Boolean).sort();
}

async function main(buildOnly: boolean, swarmOnly = false, singleHostOnly = false): Promise<number> {
  const ci = process.env.CI === "true";
  const t0 = Date.now();
  const paths = cachePaths();
  console.log("End-to-end: cdktf deploy of the stack onto a Docker engine of its own, pinned programs built from Go modules");
  console.log(`  cache (outside git): ${paths.root}`);

  const missing = missingPrerequisites();
  if (missing.length > 0) {
    const lines = missing.map((m) => `  - ${m}`).join("\n");
    if (ci) {
      console.error(`the end-to-end deploy needs (CI=true: a missing program is a failure):\n${lines}`);
      console.log(`E2E FAILED: missing ${missing.length} prerequisite(s)`);
      return 1;
    }
    console.warn(`\n*** E2E SKIPPED: this machine lacks:\n${lines}\n***`);
    return 0;
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-run-"));
  const logs = path.join(work, "logs");
  fs.mkdirSync(logs);
  console.log(`  logs: ${logs}\n`);
  const report = new Report();
  const deploymentPlan = deployments();
  const notDeployed = deploymentPlan.filter((d): d is Extract<Deployment, { kind: "none" }> => d.kind === "none");
  const nearest = deploymentPlan.filter((d): d is Extract<Deployment, { kind: "nearest" }> => d.kind === "nearest");
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    while (cleanups.length > 0) {
      await cleanups.pop()!().catch((e: Error) => console.error(`cleanup: ${e.message}`));
    }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    console.error(`\n${sig}: cleaning up`);
    void cleanup().then(() => {
      console.log(`E2E FAILED: interrupted by ${sig}`);
      process.exit(1);
    });
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const measures: string[] = [];
  /** Set when this machine cannot run the deploy (a build or dockerd failed): SKIPPED outside CI. */
  let environmentProblem: string | undefined;

  try {
    // --- 1. what the synthesized stacks require, and the builds -----------------------------------
    const statePath = path.join(work, "terraform.e2e.tfstate");
    const main = synthJsons((app) => defineStacks(app, "all"));
    const e2e = synthJsons((app) => [new MonitoringStack(app, E2E_STACK, e2eConfig("cold", statePath))]);
    const e2eStack = e2e.stacks[0];

    const builds: BuildResult[] = [];
    const buildOk = await report.check("provider mirror (versions read from required_providers)", async () => {
      const results = await buildProviderMirror([...main.jsons, ...e2e.jsons], paths);
      builds.push(...results);
      return results.map(buildLine).join("; ");
    });
    // What the deploy cannot start without first: Prometheus, Alertmanager, then the exporters; last the
    // workflow linter the tests use.
    // Compose runs the application as users do (the scaling checks).
    // Then the nearest releases of pins that cannot be built (Jaeger last: the biggest build).
    const nearestGo = nearest.flatMap((d) => (d.source.kind === "go" ? [d.source.program] : [])).sort((a, b) => Number(a === "jaeger") - Number(b === "jaeger"));
    const order: ProgramKey[] = ["prometheus", "alertmanager", "nodeExporter", "blackboxExporter", ...nearestGo, "compose", "actionlint"];
    // The engine the stack is deployed on: Docker Engine 29 from its Go modules. A build that cannot
    // succeed here falls back to Debian's 20.10, named as such.
    const engineKeys: ProgramKey[] = ["moby", "containerd", "runc"];
    let engineProblem: string | undefined;
    const binaries: Partial<Record<ProgramKey, Record<string, string>>> = {};
    for (const key of order) {
      await report.check(`build ${PROGRAMS[key].name} ${PROGRAMS[key].release} from ${PROGRAMS[key].module}@${PROGRAMS[key].version}`, async () => {
        const r = await buildProgram(PROGRAMS[key], paths.bin, paths.work);
        builds.push(r);
        binaries[key] = { ...r.binaries };
        return buildLine(r);
      });
    }
    for (const key of engineKeys) {
      const p = PROGRAMS[key];
      try {
        const r = await buildProgram(p, paths.bin, paths.work);
        builds.push(r);
        binaries[key] = { ...r.binaries };
        console.log(`  engine: ${buildLine(r)}`);
      } catch (e) {
        engineProblem ??= `build of ${p.name} ${p.release} failed: ${(e as Error).message.split("\n")[0]}`;
      }
    }
    const built = builds.filter((b) => b.built);
    measures.push(
      `builds: ${built.length} built in ${built.reduce((s, b) => s + b.seconds, 0).toFixed(0)} s, ` +
        `${builds.length - built.length} from the cache; binaries ${mb(builds.reduce((s, b) => s + b.bytes, 0))}`,
    );
    for (const d of nearest) {
      const from = d.source.kind === "go" ? `${PROGRAMS[d.source.program].module}@${PROGRAMS[d.source.program].version}` : `Debian's ${d.source.package}`;
      console.log(`DEPLOYED AT ${sourceRelease(d.source)} INSTEAD OF ${IMAGES[d.key].tag}  ${d.key} (${imageName(d.image)} from ${from}): ${d.reason}`);
      for (const diff of d.differences) console.log(`    differs: ${diff}`);
    }
    for (const d of notDeployed) {
      console.log(`NOT DEPLOYED  ${d.key} (${imageName(IMAGES[d.key])}): ${d.reason}`);
    }
    if (!buildOk || report.failed.length > 0) {
      environmentProblem = `a build failed (${report.failed.map((f) => f.name).join("; ")})`;
      throw new Error("a build failed; nothing to deploy");
    }
    if (buildOnly) {
      console.log("\nMeasured:");
      for (const m of measures) console.log(`  ${m}`);
      fs.rmSync(work, { recursive: true, force: true });
      console.log(`E2E BUILT: ${report.results.length}/${report.results.length} builds (--build-only: nothing deployed)`);
      return 0;
    }

    const rigJs = path.join(PROJECT, "dist", "e2e-rig");
    compileRig(PROJECT, rigJs);
    // The database peers only matter to their exporters.
    const withPostgres = deployable("postgresExporter");
    const withRedis = deployable("redisExporter");
    const recipes = stackRecipes(binaries, PROJECT, rigJs, { postgres: withPostgres, redis: withRedis });
    const singleHostImages = new Set([
      ...(["jaeger", "postgresExporter", "redisExporter"] as const).flatMap((k) => {
        const d = deploymentOf(k);
        return d.kind === "none" ? [] : [imageName(d.image)];
      }),
      "e2e/postgres:15",
      "e2e/redis:7",
    ]);
    const engineBins = engineProblem
      ? undefined
      : { dockerd: binaries.moby!.dockerd, containerd: binaries.containerd!.containerd, runc: binaries.runc!.runc };
    if (!swarmOnly) {
      // --- 2. the engine, the images, the peers ----------------------------------------------------
      const engine = await startEngine(engineBins, { engine: paths.engineData, fallback: paths.dockerData }, engineProblem).catch((e: Error) => {
        environmentProblem = `dockerd could not start: ${e.message}`;
        throw e;
      });
      const dockerd = engine.dockerd;
      cleanups.push(() => dockerd.stop());
      console.log(`  ENGINE: ${engine.description}, dockerd ${dockerd.version} on ${dockerd.host}`);
      if (engine.fallback) console.log(`  ENGINE FALLBACK (Debian's 20.10 instead of Engine 29): ${engine.fallback}`);
      measures.push(`engine: ${engine.description}${engine.fallback ? ` (FALLBACK: ${engine.fallback})` : ""}`);
      // The engine is this rig's alone: whatever an interrupted run left is removed.
      const leftovers = (await dockerd.docker(["ps", "-aq"])).split("\n").filter(Boolean);
      if (leftovers.length > 0) await dockerd.docker(["rm", "-f", "-v", ...leftovers]);
      await dockerd.docker(["network", "prune", "-f"]);
      await dockerd.docker(["volume", "prune", "-f"]);
      cleanups.push(async () => {
        const all = (await dockerd.docker(["ps", "-aq"])).split("\n").filter(Boolean);
        if (all.length > 0) await dockerd.docker(["rm", "-f", "-v", ...all]);
        await dockerd.docker(["network", "prune", "-f"]);
      });

      await report.check("local images (busybox base, upstream paths and users; tagged as the pins)", async () => {
        const lines: string[] = [];
        for (const r of recipes) {
          const result = await ensureImage(dockerd, r);
          lines.push(`${result.tag} ${result.imported ? `imported in ${result.seconds.toFixed(1)} s (${mb(result.bytes)})` : "cached"}`);
        }
        return lines.join("; ");
      });

      const composeFile = path.join(work, "compose.yaml");
      const composeBin = binaries.compose!["docker-compose"];
      /** `docker compose -f compose.yaml -p chat …` on the rig's engine (the plugin binary, run standalone). */
      const compose = async (args: readonly string[]): Promise<string> => {
        const r = await runLogged(composeBin, ["-f", composeFile, "-p", APP_PROJECT, ...args], {
          cwd: work,
          env: { ...process.env, DOCKER_HOST: dockerd.host },
          log: path.join(logs, "compose.log"),
          timeoutMs: 180_000,
        });
        if (r.code !== 0) throw new Error(`docker compose ${args.join(" ")}: exit ${r.code}\n${r.output.trim().split("\n").slice(-10).join("\n")}`);
        return r.output;
      };
      const newPassword = () => Buffer.from(Array.from({ length: 18 }, () => Math.floor(Math.random() * 256))).toString("base64url");
      // The passwords the stack's secret files carry (sensitive variables, TF_VAR_… below).
      const pgPassword = newPassword();
      const redisPassword = newPassword();
      await report.check(`peers: ${withPostgres ? "PostgreSQL 15 (pg_stat_statements), " : ""}${withRedis ? "Redis 7 (requirepass), " : ""}messenger services, webhook receiver`, async () => {
        await dockerd.docker(["network", "create", "--subnet", APP_SUBNET, E2E_APP_NETWORK]);
        if (withPostgres) {
          await dockerd.docker([
            "run", "-d", "--name", PEERS.postgres, "--network", E2E_APP_NETWORK, "--network-alias", "postgres",
            "-e", `POSTGRES_PASSWORD=${pgPassword}`, "--memory", "256m", "e2e/postgres:15",
          ]);
        }
        if (withRedis) {
          await dockerd.docker([
            "run", "-d", "--name", PEERS.redis, "--network", E2E_APP_NETWORK, "--network-alias", "redis",
            "-e", `REDIS_PASSWORD=${redisPassword}`, "--memory", "64m", "e2e/redis:7",
          ]);
        }
        // The application as a Compose project on the peers' network: each service's replicas carry its name.
        fs.writeFileSync(composeFile, applicationComposeFile("e2e/messenger:1", E2E_APP_NETWORK));
        await compose(["up", "-d"]);
        await dockerd.docker(["run", "-d", "--name", PEERS.webhook, "--network", E2E_APP_NETWORK, "--network-alias", "webhook", "--memory", "32m", "e2e/webhook:1"]);
        await (!withPostgres ? Promise.resolve(true) : waitUntil(
          "PostgreSQL to accept connections",
          async () => {
            const out = await dockerd.docker(["exec", PEERS.postgres, `${POSTGRES_HOME}/bin/psql`, "-h", "/tmp", "-U", "postgres", "-Atc", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT 1"]);
            return out.trim().endsWith("1");
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        ));
        const redisPing = !withRedis ? "" : await waitUntil(
          "Redis to answer an authenticated PING",
          async () => {
            // The busybox image has no redis-cli: RESP by hand (AUTH, PING) over busybox nc.
            const out = await dockerd
              .docker(["exec", "-e", `P=${redisPassword}`, PEERS.redis, "sh", "-c", 'printf "AUTH %s\\r\\nPING\\r\\nQUIT\\r\\n" "$P" | nc 127.0.0.1 6379'])
              .catch(() => "");
            return out.includes("+PONG") ? out.replace(/\r/g, "").trim().split("\n").join(" ") : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 500 },
        );
        // The application's use of its cache (as the rehearsal's CacheTraffic): a SET, a hit and a miss each
        // second, so the keyspace counters move and the hit-ratio panel has data. Ends with the container.
        if (withRedis) {
          await dockerd.docker([
            "exec", "-d", "-e", `P=${redisPassword}`, PEERS.redis, "sh", "-c",
            'while true; do printf "AUTH %s\\r\\nSET e2e:k v\\r\\nGET e2e:k\\r\\nGET e2e:missing\\r\\nQUIT\\r\\n" "$P" | nc 127.0.0.1 6379 >/dev/null; sleep 1; done',
          ]);
        }
        return `${APP_SUBNET}: ${withPostgres ? "postgres, " : ""}${withRedis ? `redis (AUTH, PING: ${redisPing}; cache traffic: SET, hit, miss each second), ` : ""}chat-server/group-service/presence-service/notification-service, webhook`;
      });
      if (report.failed.length > 0) throw new Error("the images or peers are not ready");

      // --- 3. cdktf deploy -------------------------------------------------------------------------
      const outDir = path.join(work, "cdktf.out");
      const deployEnv = (phase: "cold" | "redeploy"): NodeJS.ProcessEnv => ({
        ...process.env,
        CHECKPOINT_DISABLE: "1",
        CI: "true",
        TF_CLI_CONFIG_FILE: paths.cliConfig,
        TF_IN_AUTOMATION: "1",
        TF_VAR_docker_host: dockerd.host,
        TF_VAR_e2e_webhook_url: "http://webhook:8080/cgi-bin/hook",
        [`TF_VAR_${E2E_SECRETS.postgres}`]: pgPassword,
        [`TF_VAR_${E2E_SECRETS.redis}`]: redisPassword,
        [E2E_ENV.phase]: phase,
        [E2E_ENV.state]: statePath,
      });
      const cdktf = (verb: "deploy" | "destroy", phase: "cold" | "redeploy") =>
        runLogged(
          process.execPath,
          [
            path.join(PROJECT, "node_modules/cdktf-cli/bundle/bin/cdktf"), verb, E2E_STACK,
            "--app", `${process.execPath} ${path.join(rigJs, "e2e/app.js")}`,
            "--output", outDir, "--auto-approve",
            // `terraform providers lock` asks the registry, never the mirror; `terraform init` has already
            // recorded the mirror's checksums in .terraform.lock.hcl.
            "--skip-provider-lock",
          ],
          { cwd: PROJECT, env: deployEnv(phase), log: path.join(logs, `cdktf-${verb}-${phase}.log`), timeoutMs: 900_000 },
        );

      const expected = Object.values((e2e.jsons[0] as { resource: { docker_container: Record<string, { name: string }> } }).resource.docker_container)
        .map((c) => c.name)
        .sort();
      const deployStart = Date.now();
      const cold = await cdktf("deploy", "cold");
      const coldOk = await report.check("cdktf deploy --auto-approve (cold)", async () => {
        if (cold.code !== 0) throw new Error(`exit ${cold.code}:\n${cold.output.trim().split("\n").slice(-25).join("\n")}`);
        return `${cold.seconds.toFixed(1)} s, ${expected.length} containers: ${expected.join(", ")}`;
      });
      cleanups.push(async () => {
        // On failure, still give Terraform the chance to remove what it made.
        if (fs.existsSync(statePath)) await cdktf("destroy", "cold");
      });
      if (!coldOk) throw new Error("the deploy failed");

      // Alertmanager reaches the receiver over the stack's own network.
      await dockerd.docker(["network", "connect", "--alias", "webhook", E2E_STACK, PEERS.webhook]);
      cleanups.push(async () => {
        await dockerd.docker(["network", "disconnect", "-f", E2E_STACK, PEERS.webhook]).catch(() => "");
      });
      // The exporters reach the databases on the stack's database network, as users connect theirs.
      const databases = `${E2E_STACK}-databases`;
      for (const [on, peer, alias] of [[withPostgres, PEERS.postgres, "postgres"], [withRedis, PEERS.redis, "redis"]] as const) {
        if (!on) continue;
        await dockerd.docker(["network", "connect", "--alias", alias, databases, peer]);
        cleanups.push(async () => {
          await dockerd.docker(["network", "disconnect", "-f", databases, peer]).catch(() => "");
        });
      }

      await report.check("a plan right after the deploy, with nothing changed, is empty (no perpetual diff)", async () => {
        const stackDir = path.join(outDir, "stacks", E2E_STACK);
        const r = await runLogged("terraform", ["plan", "-detailed-exitcode", "-input=false", "-lock=false", "-no-color"], {
          cwd: stackDir,
          env: deployEnv("cold"),
          log: path.join(logs, "terraform-plan-unchanged.log"),
          timeoutMs: 300_000,
        });
        if (r.code === 0) return `terraform plan: no changes (${r.seconds.toFixed(1)} s)`;
        const lines = r.output.split("\n").filter((l) => /must be replaced|will be updated|will be created|will be destroyed|forces replacement|^Plan:|Error/.test(l));
        throw new Error(`terraform plan exit ${r.code}:\n${lines.join("\n")}`);
      });
      await report.check("every container running, healthy where it has a healthcheck", async () => {
        const names = await stackContainers(dockerd);
        if (JSON.stringify(names) !== JSON.stringify(expected)) {
          throw new Error(`containers ${names.join(", ")}; expected ${expected.join(", ")}`);
        }
        const states = await inspect(dockerd, names);
        const bad = states.filter((s) => s.State.Status !== "running" || (s.State.Health && s.State.Health.Status !== "healthy"));
        if (bad.length > 0) throw new Error(bad.map((s) => `${s.Name}: ${s.State.Status}/${s.State.Health?.Status}`).join(", "));
        const timings = containerTimings(states, deployStart);
        const slowest = timings.reduce((a, b) => (b.startToHealthy > a.startToHealthy ? b : a));
        const allHealthy = Math.max(...timings.map((t) => t.healthyAfterDeployStart));
        // Each program's own readiness (its log line), beside Docker's healthy.
        const ready = new Map<string, number | undefined>();
        for (const st of states) {
          const name = st.Name.replace(/^\//, "");
          const marker = READY_MARKERS[name.slice(E2E_STACK.length + 1)];
          const log = marker ? await dockerd.docker(["logs", "-t", name], { withStderr: true }).catch(() => "") : "";
          ready.set(name, marker ? readySeconds(st.State.StartedAt, log, marker) : undefined);
        }
        const readyValues = [...ready.values()].filter((v): v is number => v !== undefined);
        const slowestReady = readyValues.length > 0 ? Math.max(...readyValues) : 0;
        measures.push(
          `per container, start → program ready / → Docker healthy: ` +
            timings.map((t) => `${t.name} ${ready.get(t.name)?.toFixed(1) ?? "?"} s / ${t.startToHealthy.toFixed(1)} s`).join(", "),
        );
        measures.push(
          `deploy start → every container healthy ${allHealthy.toFixed(1)} s; goal <= slowest program ready + 10 s = ${(slowestReady + 10).toFixed(1)} s: ` +
            `${allHealthy <= slowestReady + 10 ? "met" : "NOT met"} (ratio ${(allHealthy / (slowestReady + 10)).toFixed(2)})`,
        );
        measures.push(`cold deploy ${cold.seconds.toFixed(1)} s (cdktf: synth, init, plan, apply)`);
        measures.push(`every container healthy ${allHealthy.toFixed(1)} s after the deploy started`);
        measures.push(
          `slowest container start-to-healthy: ${slowest.name} ${slowest.startToHealthy.toFixed(1)} s; ` +
            `ratio deploy / slowest = ${deployRatio(cold.seconds, slowest.startToHealthy).toFixed(2)} (the deploy's own cdktf/Terraform time dominates once containers are healthy in seconds)`,
        );
        return timings.map((t) => `${t.name} healthy in ${t.startToHealthy.toFixed(1)} s`).join(", ");
      });

      const prom = new PrometheusApi(`http://127.0.0.1:${E2E_PORTS.prometheus}`);
      await report.check("Prometheus: every scrape target up", async () => {
        const targets = await waitUntil(
          "every target up",
          async () => {
            const t = await prom.targets();
            return t.length > 0 && t.every((x) => x.health === "up") ? t : undefined;
          },
          { timeoutMs: WAIT_MS.targets, intervalMs: 1000 },
        ).catch(async (e: Error) => {
          const t = await prom.targets().catch(() => []);
          const down = t.filter((x) => x.health !== "up").map((x) => `${x.scrapePool} ${x.labels.instance}: ${x.health} ${x.lastError}`);
          throw new Error(`${e.message}\n${down.join("\n")}`);
        });
        const jobs = [...new Set(targets.map((t) => t.scrapePool))].sort();
        return `${targets.length} targets up in ${jobs.length} jobs: ${jobs.join(", ")}`;
      });
      const ruleGroups = e2eStack.ruleGroups;
      await report.check("Prometheus: every rule group loaded and evaluated, no evaluation error", async () => {
        const groups = await waitUntil(
          "every rule group evaluated",
          async () => {
            const g = await prom.ruleGroups();
            const evaluated = g.every((x) => x.lastEvaluation && !x.lastEvaluation.startsWith("0001"));
            return g.length === ruleGroups.length && evaluated ? g : undefined;
          },
          { timeoutMs: WAIT_MS.rules, intervalMs: 1000 },
        );
        const errors = groups.flatMap((g) => g.rules.filter((r) => r.health !== "ok" || r.lastError).map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError ?? ""}`));
        if (errors.length > 0) throw new Error(errors.join("\n"));
        const rules = groups.reduce((n, g) => n + g.rules.length, 0);
        return `${groups.length} groups (${ruleGroups.map((g) => g.name).join(", ")}), ${rules} rules, all health ok`;
      });
      if (deployable("blackboxExporter")) {
        await report.check("blackbox probes reach the application: health endpoints 2xx, WebSocket upgrade 101", async () => {
          const probes = await waitUntil(
            "every probe to succeed",
            async () => {
              const r = await prom.query('probe_success{job=~"blackbox-.+"}');
              return r.length > 0 && r.every((x) => x.value === 1) ? r : undefined;
            },
            { timeoutMs: WAIT_MS.targets, intervalMs: 1000 },
          );
          return probes.map((p) => `${p.metric.job} ${p.metric.instance}`).join(", ");
        });
      }
      await report.check("a real rule's alert (Watchdog) reaches the webhook receiver container through Alertmanager", async () => {
        const line = await waitUntil(
          "a Watchdog notification in the webhook container",
          async () => {
            const log = await dockerd.docker(["exec", PEERS.webhook, "cat", "/www/received.log"]).catch(() => "");
            return log.split("\n").find((l) => l.includes('"alertname":"Watchdog"'));
          },
          { timeoutMs: WAIT_MS.notification, intervalMs: 2000 },
        );
        const n = JSON.parse(line) as { receiver: string; status: string; alerts: { labels: Record<string, string> }[] };
        return `receiver ${n.receiver}, status ${n.status}, ${n.alerts.length} alert(s), ${((Date.now() - deployStart) / 1000).toFixed(0)} s after the deploy started`;
      });
      await report.check("k6 results: pushed to the receiver's host port, federated into Prometheus as job k6; Prometheus itself takes no remote write", async () => {
        const promtool = binaries.prometheus!.promtool;
        const file = path.join(work, "k6-sample.prom");
        // What k6's remote-write output sends for a test (the series the Load Testing dashboard reads),
        // twice, so that the counter has a rate; and one series k6 never writes, which must not pass.
        const sample = (requests: number) =>
          [
            "# TYPE k6_vus gauge\nk6_vus 7",
            "# TYPE k6_vus_max gauge\nk6_vus_max 10",
            `# TYPE k6_http_reqs_total counter\nk6_http_reqs_total{scenario="e2e"} ${requests}`,
            '# TYPE k6_http_req_duration_p99 gauge\nk6_http_req_duration_p99{scenario="e2e"} 0.12',
            '# TYPE k6_http_req_failed_rate gauge\nk6_http_req_failed_rate{scenario="e2e"} 0.01',
            '# TYPE k6_checks_rate gauge\nk6_checks_rate{scenario="e2e"} 0.99',
            "# TYPE forged_series gauge\nforged_series 1",
            "",
          ].join("\n");
        fs.writeFileSync(file, sample(100));
        const push = (url: string) =>
          runLogged(promtool, ["push", "metrics", url, file, "--label=testid=e2e"], { cwd: work, env: process.env, log: path.join(logs, "promtool-push.log"), timeoutMs: 60_000 });
        // promtool appends /api/v1/write to the URL it is given.
        const toReceiver = await push(`http://127.0.0.1:${E2E_PORTS.k6Receiver}`);
        if (toReceiver.code !== 0) throw new Error(`push to the receiver: exit ${toReceiver.code}\n${toReceiver.output}`);
        const toPrometheus = await push(`http://127.0.0.1:${E2E_PORTS.prometheus}`);
        if (toPrometheus.code === 0 || !/404/.test(toPrometheus.output)) throw new Error(`Prometheus did not refuse a remote write with 404 (its receiver must be off): exit ${toPrometheus.code}\n${toPrometheus.output}`);
        const k6 = await waitUntil(
          "k6_vus{testid=\"e2e\"} in Prometheus",
          async () => {
            const r = await prom.query('k6_vus{testid="e2e"}');
            return r.length === 1 && r[0].value === 7 ? r[0] : undefined;
          },
          { timeoutMs: WAIT_MS.targets, intervalMs: 1000 },
        );
        // A second push, the first already federated: the requests counter gets a rate.
        await sleep(FEDERATION_GAP_MS);
        fs.writeFileSync(file, sample(400));
        const again = await push(`http://127.0.0.1:${E2E_PORTS.k6Receiver}`);
        if (again.code !== 0) throw new Error(`second push to the receiver: exit ${again.code}\n${again.output}`);
        const reqRate = await waitUntil(
          "a rate of k6_http_reqs_total in Prometheus",
          async () => {
            const r = await prom.query('rate(k6_http_reqs_total{testid="e2e"}[2m])');
            return r.length === 1 && r[0].value > 0 ? r[0] : undefined;
          },
          { timeoutMs: WAIT_MS.targets, intervalMs: 1000 },
        );
        const forged = await prom.query("forged_series");
        if (forged.length > 0) throw new Error(`a non-k6 series was federated: ${JSON.stringify(forged)}`);
        // The receiver is on the stack network only: the application's containers cannot even resolve it.
        const fromApp = await dockerd
          .docker(["exec", APP_CONTAINER, "wget", "-q", "-T", "3", "-O", "/dev/null", "http://k6-receiver:9090/-/healthy"])
          .then(() => "reached", (e: Error) => e.message.split("\n").find((l) => /wget:/.test(l))?.trim() ?? "failed");
        if (fromApp === "reached") throw new Error("an application container reached the k6 receiver");
        return `k6_vus{job="${k6.metric.job}",testid="e2e"} = ${k6.value}; rate(k6_http_reqs_total) ${reqRate.value.toFixed(2)}/s after two pushes; forged_series not federated; Prometheus refused the push (404); from the app network: ${fromApp}`;
      });
      // --- 3a. the dependencies: database exporters on real peers, Jaeger's trace pipeline -------------
      const ruleExprs = e2eStack.ruleGroups.flatMap((g) => g.rules.map((r) => r.expr));
      const deployedAs = (key: ImageKey) => {
        const d = deploymentPlan.find((x) => x.key === key)!;
        return d.kind === "nearest" ? `${d.release} instead of ${IMAGES[key].tag}` : d.kind === "pinned" ? IMAGES[key].tag : "not deployed";
      };
      const targetsOf = async (job: string) => (await prom.targets()).filter((t) => t.scrapePool === job);
      if (withPostgres || withRedis) {
        await report.check("database exporters: their targets up, pg_up and redis_up 1, pg_stat_statements series present", async () => {
          const parts: string[] = [];
          for (const [on, job, up] of [[withPostgres, JOBS.postgresExporter, "pg_up"], [withRedis, JOBS.redisExporter, "redis_up"]] as const) {
            if (!on) continue;
            const value = await waitUntil(
              `${up} == 1`,
              async () => {
                const r = await prom.query(`${up}{job="${job}"}`);
                return r.length === 1 && r[0].value === 1 ? r[0].value : undefined;
              },
              { timeoutMs: WAIT_MS.targets, intervalMs: 1000 },
            ).catch(async (e: Error) => {
              const r = await prom.query(`${up}{job="${job}"}`).catch(() => []);
              throw new Error(`${e.message}: ${JSON.stringify(r)}; targets ${JSON.stringify(await targetsOf(job))}`);
            });
            const t = await targetsOf(job);
            if (t.length !== 1 || t[0].health !== "up") throw new Error(`${job}: ${JSON.stringify(t)}`);
            parts.push(`${job} ${t[0].labels.instance} up, ${up} = ${value}`);
          }
          if (withPostgres) {
            const statements = await waitUntil(
              "pg_stat_statements_calls_total series",
              async () => {
                const r = await prom.query(`count(pg_stat_statements_calls_total{job="${JOBS.postgresExporter}"})`);
                return r.length === 1 && r[0].value > 0 ? r[0].value : undefined;
              },
              { timeoutMs: WAIT_MS.targets, intervalMs: 1000 },
            );
            parts.push(`${statements} pg_stat_statements_calls_total series (--collector.stat_statements)`);
          }
          return parts.join("; ");
        });
        await report.check("the pinned releases' catalog names (what the provenance check reads) on the deployed database exporters", async () => {
          const parts: string[] = [];
          if (withPostgres) parts.push(`postgres-exporter ${deployedAs("postgresExporter")}: ${await catalogAgainstDeployed(prom, POSTGRES_EXPORTER, ruleExprs)}`);
          if (withRedis) parts.push(`redis-exporter ${deployedAs("redisExporter")}: ${await catalogAgainstDeployed(prom, REDIS_EXPORTER, ruleExprs)}`);
          return parts.join("\n");
        });
      }
      if (deployable("jaeger")) {
        await report.check("Jaeger: an OTLP/HTTP span is accepted and its trace returned by the query API", async () =>
          sendSpanAndFetch(E2E_PORTS.jaegerOtlpHttp, E2E_PORTS.jaegerUi, "e2e-rig", WAIT_MS.targets),
        );
        await report.check("Jaeger: Prometheus scrapes its own metrics; JaegerRefusingSpans evaluates on them", async () => {
          const t = await targetsOf(JOBS.jaeger);
          if (t.length !== 1 || t[0].health !== "up") throw new Error(`job ${JOBS.jaeger}: ${JSON.stringify(t)}`);
          // The span above was accepted: the receiver's counters exist and the accepted one counts it.
          const accepted = await waitUntil(
            "otelcol_receiver_accepted_spans_total >= 1",
            async () => {
              const r = await prom.query(`sum(otelcol_receiver_accepted_spans_total{job="${JOBS.jaeger}"})`);
              return r.length === 1 && r[0].value >= 1 ? r[0].value : undefined;
            },
            { timeoutMs: WAIT_MS.targets, intervalMs: 1000 },
          );
          const def = e2eStack.ruleGroups.flatMap((g) => g.rules).find((r): r is AlertRule => "name" in r && r.name === "JaegerRefusingSpans")!;
          // Without its comparison: the refused-span rate (0) exists once the counter is exported, so an
          // empty alert result then means "nothing refused", not "no such metric".
          const inner = def.expr.replace(/\s*>\s*[0-9.e+-]+\s*$/, "");
          const rate = await waitUntil(
            `${inner} to have a value`,
            async () => {
              const r = await prom.query(inner);
              return r.length > 0 ? r : undefined;
            },
            { timeoutMs: WAIT_MS.targets, intervalMs: 1000 },
          ).catch((e: Error) => {
            throw new Error(`${e.message}: the refused-spans series does not exist on Jaeger ${deployedAs("jaeger")} (the rule could never fire)`);
          });
          const evaluatedAfter = Date.now();
          const rule = await waitUntil(
            "JaegerRefusingSpans evaluated again",
            async () => {
              const g = (await prom.ruleGroups()).flatMap((x) => x.rules.map((r) => ({ ...r, group: x.name, at: x.lastEvaluation })));
              const r = g.find((x) => x.name === "JaegerRefusingSpans");
              return r && r.at && Date.parse(r.at) >= evaluatedAfter ? r : undefined;
            },
            { timeoutMs: WAIT_MS.rules, intervalMs: 1000 },
          );
          if (rule.health !== "ok" || rule.lastError) throw new Error(`JaegerRefusingSpans: health ${rule.health} ${rule.lastError ?? ""}`);
          const result = await prom.query(def.expr);
          if (result.length > 0) throw new Error(`JaegerRefusingSpans' expression returns ${JSON.stringify(result)}: Jaeger refuses spans`);
          const catalog = await catalogAgainstDeployed(prom, JAEGER, ruleExprs);
          return (
            `target ${t[0].labels.instance} up; otelcol_receiver_accepted_spans_total = ${accepted}; JaegerRefusingSpans (group ${rule.group}) health ${rule.health}, state ${rule.state ?? "?"}; ` +
            `its expression is empty because ${inner} = ${rate.map((r) => r.value).join(", ")} (nothing refused, not above the threshold); ` +
            `Jaeger ${deployedAs("jaeger")}: ${catalog}`
          );
        });
      }

      // --- 3b. the guide's scaling procedure: docker compose up --scale, replicas lost, a service down ---
      const appJob = e2eStack.scrapeTargets.find((t) => t.job === JOBS.application)!;
      const forOf = (name: string) =>
        e2eStack.ruleGroups.flatMap((g) => g.rules).find((r): r is AlertRule => "name" in r && r.name === name)!.for.seconds;
      // Detection budget: a discovery refresh, a scrape, an evaluation, the alert's `for`, group_wait.
      const detection = (alert: string) =>
        (appJob.dns?.refreshInterval.seconds ?? 0) + (appJob.scrapeInterval?.seconds ?? 0) + e2eStack.prometheus.evaluationInterval.seconds + forOf(alert) + e2eStack.alertmanager.groupWait.seconds;
      await runScalingChecks({
        compose,
        docker: (args) => dockerd.docker(args),
        notificationLog: () => dockerd.docker(["exec", PEERS.webhook, "cat", "/www/received.log"]).catch(() => ""),
        prom,
        am: new AlertmanagerApi(`http://127.0.0.1:${E2E_PORTS.alertmanager}`),
        check: (name, fn) => report.check(name, fn),
        budget: {
          serviceDownSeconds: detection("ServiceDown"),
          replicaDownSeconds: detection("ServiceReplicaDown"),
          resolvedSeconds: e2eStack.alertmanager.groupInterval.seconds + e2eStack.prometheus.evaluationInterval.seconds + 60,
        },
        timeoutMs: WAIT_MS.notification,
      });

      // --- 3c. the databases go down and come back: their alerts page and resolve ----------------------
      // Both outages at once: PostgresDown and RedisDown are separate Alertmanager groups (group_by has
      // alertname), so neither waits for the other and each is timed on its own.
      const outageBudget = (job: string, alert: string) =>
        detectionBudget({
          scrape: (e2eStack.scrapeTargets.find((t) => t.job === job)?.scrapeInterval ?? e2eStack.prometheus.scrapeInterval).seconds,
          evaluation: e2eStack.prometheus.evaluationInterval.seconds,
          for: forOf(alert),
          groupWait: e2eStack.alertmanager.groupWait.seconds,
        });
      const resolvedSeconds = e2eStack.alertmanager.groupInterval.seconds + e2eStack.prometheus.evaluationInterval.seconds + e2eStack.prometheus.scrapeInterval.seconds + 30;
      const dependencyRig = {
        docker: (args: readonly string[]) => dockerd.docker(args),
        prom,
        am: new AlertmanagerApi(`http://127.0.0.1:${E2E_PORTS.alertmanager}`),
        notificationLog: () => dockerd.docker(["exec", PEERS.webhook, "cat", "/www/received.log"]).catch(() => ""),
        check: (name: string, fn: () => Promise<string>) => report.check(name, fn),
        measures,
        timeoutMs: WAIT_MS.notification,
      };
      await Promise.all([
        ...(withPostgres
          ? [runOutage(dependencyRig, { what: "PostgreSQL", container: PEERS.postgres, alert: "PostgresDown", job: JOBS.postgresExporter, budget: outageBudget(JOBS.postgresExporter, "PostgresDown"), resolvedSeconds })]
          : []),
        ...(withRedis
          ? [runOutage(dependencyRig, { what: "Redis", container: PEERS.redis, alert: "RedisDown", job: JOBS.redisExporter, budget: outageBudget(JOBS.redisExporter, "RedisDown"), resolvedSeconds })]
          : []),
      ]);

      // --- 3d. every dashboard panel, as Grafana would query it, over the run so far ----------------
      await report.check("every dashboard panel shows data", async () => {
        // The dashboards of the full product stack (Grafana cannot be deployed here); the jobs that run
        // are the deployed stack's scrape jobs, and a job the run did not deploy says why.
        const full = synthesizeStacks((app) => [new MonitoringStack(app, `${E2E_STACK}-panels`, e2ePanelConfig(statePath))]).stacks[0];
        const deployedJobs = [...new Set([...e2eStack.scrapeTargets.map((t) => t.job), ...(await prom.targets()).map((t) => t.scrapePool)])];
        const r = await checkPanelData({
          prometheusUrl: `http://127.0.0.1:${E2E_PORTS.prometheus}`,
          dashboards: full.dashboards,
          ruleGroups: full.ruleGroups,
          catalog: fullCatalog(),
          runningJobs: deployedJobs,
          notRunning: (job) => notDeployedReason(job, notDeployed),
          fromMs: deployStart,
          toMs: Date.now(),
          scrapeInterval: e2eStack.prometheus.configOptions.scrapeInterval.toString(),
        });
        if (r.failures.length > 0) throw new Error(r.text);
        return r.text;
      });

      for (const d of notDeployed) {
        console.log(`NOT DEPLOYED  ${d.key}: its checks (${checksOf(d.key)}) cannot run: ${d.reason}`);
      }

      // --- 4. a threshold change replaces exactly Prometheus; its data survives ----------------------
      const before = new Map((await inspect(dockerd, expected)).map((s) => [s.Name.replace(/^\//, ""), s.Id]));
      const beforeTime = Date.now() / 1000;
      const samplesBefore = await prom.query(`count_over_time(up{job="prometheus"}[10m])`, beforeTime);
      let plan: PlanCounts | undefined;
      const redeploy = await cdktf("deploy", "redeploy");
      await report.check(`redeploy with ${REDEPLOY_OVERRIDE.alert} threshold ${REDEPLOY_OVERRIDE.threshold}: exactly the Prometheus container replaced`, async () => {
        if (redeploy.code !== 0) throw new Error(`exit ${redeploy.code}:\n${redeploy.output.trim().split("\n").slice(-25).join("\n")}`);
        plan = parsePlan(redeploy.output);
        const after = new Map((await inspect(dockerd, expected)).map((s) => [s.Name.replace(/^\//, ""), s.Id]));
        const replaced = expected.filter((n) => before.get(n) !== after.get(n));
        measures.push(`redeploy ${redeploy.seconds.toFixed(1)} s; plan ${plan.add} to add, ${plan.change} to change, ${plan.destroy} to destroy`);
        if (JSON.stringify(replaced) !== JSON.stringify([`${E2E_STACK}-prometheus`]) || plan.add !== 1 || plan.change !== 0 || plan.destroy !== 1) {
          throw new Error(`replaced containers: ${replaced.join(", ") || "none"}; plan ${JSON.stringify(plan)}`);
        }
        return `plan: ${plan.add} to add, ${plan.change} to change, ${plan.destroy} to destroy; replaced: ${replaced.join(", ")}; ${redeploy.seconds.toFixed(1)} s`;
      });
      await report.check("Prometheus still holds the series written before the redeploy", async () => {
        const again = await waitUntil(
          "the replaced Prometheus to answer a query for the earlier time",
          async () => {
            const r = await prom.query(`count_over_time(up{job="prometheus"}[10m])`, beforeTime);
            return r.length > 0 ? r : undefined;
          },
          { timeoutMs: WAIT_MS.prometheusReady, intervalMs: 1000 },
        );
        return `up{job="prometheus"} samples in the 10 min before the redeploy: ${samplesBefore[0]?.value ?? 0} before, ${again[0].value} after`;
      });

      // --- 5. data protection, then destroy ---------------------------------------------------------
      await report.check("with dataProtection on (the default), Terraform refuses a plan that destroys the data volumes", async () => {
        const env = { ...deployEnv("redeploy"), [E2E_ENV.protect]: "true", CDKTF_OUTDIR: outDir };
        const synth = await runLogged(process.execPath, [path.join(rigJs, "e2e/app.js")], { cwd: PROJECT, env, log: path.join(logs, "synth-protected.log"), timeoutMs: 120_000 });
        if (synth.code !== 0) throw new Error(`synth with dataProtection exit ${synth.code}:\n${synth.output}`);
        const r = await runLogged("terraform", ["plan", "-destroy", "-input=false", "-lock=false", "-no-color"], {
          cwd: path.join(outDir, "stacks", E2E_STACK),
          env,
          log: path.join(logs, "terraform-plan-destroy-protected.log"),
          timeoutMs: 300_000,
        });
        const refused = r.output.match(/Instance cannot be destroyed/g)?.length ?? 0;
        const volumes = Object.keys(JSON.parse(fs.readFileSync(path.join(outDir, "stacks", E2E_STACK, "cdk.tf.json"), "utf8")).resource?.docker_volume ?? {}).length;
        if (r.code === 0 || refused !== volumes) {
          throw new Error(`terraform plan -destroy exit ${r.code}, ${refused} of ${volumes} volumes refused:\n${r.output.split("\n").slice(-30).join("\n")}`);
        }
        return `terraform plan -destroy: exit ${r.code}, "Instance cannot be destroyed" for ${refused}/${volumes} volumes`;
      });
      // --- 5. destroy ------------------------------------------------------------------------------
      // Peers leave the stack's networks first: Docker does not remove a network a container is on.
      await dockerd.docker(["network", "disconnect", "-f", E2E_STACK, PEERS.webhook]).catch(() => "");
      if (withPostgres) await dockerd.docker(["network", "disconnect", "-f", databases, PEERS.postgres]).catch(() => "");
      if (withRedis) await dockerd.docker(["network", "disconnect", "-f", databases, PEERS.redis]).catch(() => "");
      const destroyed = await cdktf("destroy", "redeploy");
      await report.check("cdktf destroy leaves no container, network or (dataProtection off: preventDestroy false) volume", async () => {
        if (destroyed.code !== 0) throw new Error(`exit ${destroyed.code}:\n${destroyed.output.trim().split("\n").slice(-25).join("\n")}`);
        const containers = await stackContainers(dockerd);
        const networks = (await dockerd.docker(["network", "ls", "--filter", `name=^${E2E_STACK}$`, "--format", "{{.Name}}"])).trim();
        const volumes = (await dockerd.docker(["volume", "ls", "--filter", `label=com.monitoring-stack.service`, "--format", "{{.Name}}"])).trim();
        if (containers.length > 0 || networks || volumes) {
          throw new Error(`left behind: containers [${containers.join(", ")}] network [${networks}] volumes [${volumes.split("\n").join(", ")}]`);
        }
        return `${destroyed.seconds.toFixed(1)} s; nothing left`;
      });
      fs.rmSync(statePath, { force: true });
    }

    // --- 6. the same stack on a three-node swarm (e2e/swarm.ts) ------------------------------------
    // The single-host engine and its peers go first: the nodes get the machine to themselves.
    await cleanup();
    if (singleHostOnly) {
      console.log("  --single-host-only: the swarm phase is skipped");
      throw new SkipRest();
    }
    const debian = { dockerd: "/usr/sbin/dockerd", containerd: "/usr/bin/containerd", runc: "/usr/bin/runc" };
    await runSwarmChecks({
      engine: engineBins ?? debian,
      engineName: engineBins ? `Engine ${PROGRAMS.moby.release}` : `Debian's docker.io (ENGINE FALLBACK: ${engineProblem})`,
      // Only the images the swarm stack runs: e2eSwarmConfig leaves Jaeger and the database exporters
      // (and so their peers) to the single-host phase.
      recipes: recipes.filter((r) => !singleHostImages.has(r.tag)),
      cacheRoot: paths.root,
      work,
      logs,
      rigJs,
      project: PROJECT,
      cliConfig: paths.cliConfig,
      check: (name, fn) => report.check(name, fn),
      measures,
      cleanups,
    });
  } catch (e) {
    if (e instanceof SkipRest) {
      // Nothing failed: the run stops where it was asked to.
    } else if (!report.failed.length) await report.check(environmentProblem ? "the rig's own dockerd starts" : "run", async () => Promise.reject(e));
    else console.error(`stopped: ${(e as Error).message}`);
  } finally {
    await cleanup();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }

  console.log("\nMeasured:");
  for (const m of measures) console.log(`  ${m}`);
  console.log(`  whole run ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const total = report.results.length;
  const passed = total - report.failed.length;
  if (report.failed.length === 0) {
    fs.rmSync(work, { recursive: true, force: true });
    console.log(`E2E PASSED: ${passed}/${total} checks`);
    return 0;
  }
  // Temp dirs go even on failure; what the logs said goes to the output (MONITORING_E2E_KEEP=1 keeps them).
  if (process.env.MONITORING_E2E_KEEP === "1") {
    console.log(`  logs kept: ${logs}`);
  } else {
    for (const f of fs.existsSync(logs) ? fs.readdirSync(logs).sort() : []) {
      const tail = fs.readFileSync(path.join(logs, f), "utf8").replace(/\x1b\[[0-9;]*m/g, "").trim().split("\n").slice(-15);
      console.log(`  --- last lines of ${f} ---\n    ${tail.join("\n    ")}`);
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (environmentProblem && !ci) {
    console.warn(`\n*** E2E SKIPPED: this machine cannot run the deploy: ${environmentProblem} ***`);
    console.log("E2E SKIPPED (under CI=true this is a failure)");
    return 0;
  }
  const first = report.failed[0];
  console.log(
    `E2E FAILED: ${report.failed.map((f) => f.name).join("; ")} — ${first.detail.split("\n")[0]} (${passed}/${total} checks passed)`,
  );
  return 1;
}

/** Thrown to end the run early on purpose (`--single-host-only`), not a failure. */
class SkipRest extends Error {}

/** The checks a service's absence leaves out, for the NOT DEPLOYED lines (docs/e2e.md's table). */
function checksOf(key: ImageKey): string {
  switch (key) {
    case "grafana":
      return "admin password, provisioned dashboards, datasource health";
    case "loki":
    case "alloy":
      return "container logs shipped by Alloy and found with LogQL";
    case "cadvisor":
      return "its scrape target, the container alerts on its metrics";
    case "socketProxy":
      return "the allow-list against a live daemon (the regex is unit-tested)";
    default:
      return "its scrape target";
  }
}

if (require.main === module) {
  main(process.argv.includes("--build-only"), process.argv.includes("--swarm-only"), process.argv.includes("--single-host-only")).then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(e.stack ?? e.message);
      console.log(`E2E FAILED: ${e.message.split("\n")[0]}`);
      process.exit(1);
    },
  );
}

/** Why a scrape job has no target in this run: the image of its program, not deployed, and why. */
export function notDeployedReason(job: string, notDeployed: ReadonlyArray<{ readonly key: ImageKey; readonly reason: string }>): string {
  const key = (Object.keys(JOBS) as Array<keyof typeof JOBS>).find((k) => JOBS[k] === job);
  const image = job.startsWith("blackbox-") ? "blackboxExporter" : key;
  const entry = notDeployed.find((d) => d.key === image);
  if (entry) return `is NOT DEPLOYED here (${entry.key}: ${entry.reason})`;
  return "is not deployed in this run";
}

