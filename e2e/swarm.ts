import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { GUIDE_APPLICATION_SERVICES, JOBS, NODE_LABEL } from "../alerts/jobs";
import { AlertRule } from "../alerts";
import { MonitoringStack } from "../stacks/monitoring-stack";
import { AlertmanagerApi, PrometheusApi } from "../test/rehearsal/apis";
import { allowRigAddress, sleep, waitUntil } from "../test/rehearsal/http";
import { describeFaultTimeline } from "../test/rehearsal/stages";
import { E2E_APP_NETWORK, E2E_ENV, E2E_PORTS, E2E_SWARM_REPLICAS, E2E_SWARM_STACK, REDEPLOY_OVERRIDE, deployable, e2eSwarmConfig } from "./app";
import { EngineBinaries } from "./engine";
import { ensureImage, ImageRecipe } from "./images";
import { containerTimings, ContainerState, parsePlan } from "./measure";
import { runLogged } from "./process";
import { notificationsWith, parseNotificationLog, SCALED_REPLICAS, SCALED_SERVICE } from "./scaling";
import { createLab, formSwarm, LabNode, labNodes, removeLab, startNodeEngine } from "./swarm-lab";
import { synthesizeStacks } from "./synth";

/**
 * `npm run e2e`, part 2: the same stack on a real three-node swarm (issue 19, docs/e2e.md "The swarm
 * run"): three Engine 29 dockerds in network namespaces this run creates, joined into one swarm, the
 * images loaded onto every node, `cdktf deploy` of the swarm stack through the manager, then the checks
 * of the cluster's promises: convergence, per-node agents, per-task discovery, the Alertmanager cluster,
 * the HA pair's single notification, a rule change rolling only Prometheus, a lost worker, destroy.
 */

/** What the single-host run hands to the swarm run. */
export interface SwarmRunContext {
  readonly engine: EngineBinaries;
  /** What the nodes run, for the report (`Engine 29.8.1`, or the named fallback). */
  readonly engineName: string;
  /** Every image the stack and its peers run (the pinned programs, the messenger, the webhook). */
  readonly recipes: readonly ImageRecipe[];
  /** The data roots of the nodes' engines live here (each node's image store survives between runs). */
  readonly cacheRoot: string;
  readonly work: string;
  readonly logs: string;
  /** The compiled e2e app (`e2e/app.js`) and the project, for cdktf. */
  readonly rigJs: string;
  readonly project: string;
  readonly cliConfig: string;
  readonly check: (name: string, fn: () => Promise<string>) => Promise<boolean>;
  readonly measures: string[];
  readonly cleanups: Array<() => Promise<void>>;
}

/**
 * The rig's webhook receiver: a container on the manager with its port published on the manager's lab
 * address, reached by Alertmanager's tasks as a receiver outside the swarm is (Slack, PagerDuty): no
 * network connect after the deploy, nothing of the rig on the stack's overlay.
 */
const WEBHOOK = "e2e-swarm-webhook";
const WEBHOOK_PORT = 18080;
const WAIT = { timeoutMs: 180_000, intervalMs: 1000 };
/** Longer than the last peer's wait (2 × peer_timeout 15 s), shorter than the heartbeat's group_interval (1m). */
const DEDUP_WINDOW_MS = 45_000;

/** `docker service ls` of the stack: name → `running/desired`. */
async function serviceReplicas(manager: LabNode): Promise<Map<string, string>> {
  const out = await manager.dockerd.docker(["service", "ls", "--format", "{{.Name}} {{.Replicas}}"]);
  return new Map(out.split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string]));
}

/** The running tasks of a service: task name and node. */
async function runningTasks(manager: LabNode, service: string): Promise<Array<{ name: string; node: string; id: string }>> {
  const out = await manager.dockerd.docker(["service", "ps", service, "--filter", "desired-state=running", "--format", "{{.ID}} {{.Name}} {{.Node}} {{.CurrentState}}"]);
  return out
    .split("\n")
    .filter((l) => /\bRunning\b/.test(l))
    .map((l) => {
      const [id, name, node] = l.split(" ");
      return { id, name, node };
    });
}

/** Every node label the synthesized services' placement constraints ask for, with how many nodes each needs. */
export function requiredNodeLabels(json: unknown): Array<{ label: string; nodes: number }> {
  const services = Object.values((json as { resource: { docker_service?: Record<string, any> } }).resource.docker_service ?? {});
  const wanted = new Map<string, number>();
  for (const s of services) {
    const replicas = s.mode?.replicated?.replicas ?? 1;
    for (const c of (s.task_spec?.placement?.constraints ?? []) as string[]) {
      const m = /^node\.labels\.([A-Za-z0-9._-]+)==true$/.exec(c);
      if (m) wanted.set(m[1], Math.max(wanted.get(m[1]) ?? 0, replicas));
    }
  }
  return [...wanted].map(([label, nodes]) => ({ label, nodes })).sort((a, b) => a.label.localeCompare(b.label));
}

/** The swarm run; its checks go to the run's report. Returns when it has destroyed what it deployed. */
export async function runSwarmChecks(ctx: SwarmRunContext): Promise<void> {
  const { check, measures, cleanups } = ctx;
  const specs = labNodes(3);
  const nodes: LabNode[] = [];
  const revokes = specs.map((n) => allowRigAddress(n.address));
  cleanups.push(async () => {
    for (const n of nodes.splice(0).reverse()) await n.dockerd.stop().catch(() => undefined);
    await removeLab();
    revokes.forEach((r) => r());
  });

  // --- the lab ----------------------------------------------------------------------------------
  const formed = await check(`swarm: three nodes (${ctx.engineName}), each in a network namespace of its own, joined into one swarm`, async () => {
    const t0 = Date.now();
    await createLab(specs);
    for (const s of specs) nodes.push(await startNodeEngine(s, ctx.engine, path.join(ctx.cacheRoot, "swarm", s.hostname)));
    const swarm = await formSwarm(nodes);
    const list = await nodes[0].dockerd.docker(["node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}} {{.EngineVersion}}"]);
    measures.push(`swarm lab: 3 engines up and joined in ${((Date.now() - t0) / 1000).toFixed(1)} s (swarm init + joins ${swarm.formSeconds.toFixed(1)} s)`);
    return `${list.trim().split("\n").join("; ")}; ${((Date.now() - t0) / 1000).toFixed(1)} s`;
  });
  if (!formed) return;
  const [manager] = nodes;
  const victim = nodes[nodes.length - 1];

  const loaded = await check("swarm: the images loaded onto every node (no registry: each node's own image store)", async () => {
    const lines: string[] = [];
    for (const n of nodes) {
      const t0 = Date.now();
      let imported = 0;
      for (const r of ctx.recipes) if ((await ensureImage(n.dockerd, r)).imported) imported++;
      lines.push(`${n.hostname} ${imported} imported, ${ctx.recipes.length - imported} cached, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    return lines.join("; ");
  });
  if (!loaded) return;

  // --- the application as swarm services, the node labels, the webhook ----------------------------
  const statePath = path.join(ctx.work, "terraform.e2e-swarm.tfstate");
  const synthesized = synthesizeStacks((app: App) => [new MonitoringStack(app, E2E_SWARM_STACK, e2eSwarmConfig("cold", statePath, specs))]);
  const stack = synthesized.stacks[0];
  const json = JSON.parse(synthesized.texts[0]);
  const labels = requiredNodeLabels(json);
  const prepared = await check(`swarm: the application as swarm services on overlay ${E2E_APP_NETWORK} (${SCALED_SERVICE} × ${SCALED_REPLICAS}), node labels for pinned storage`, async () => {
    await manager.dockerd.docker(["network", "create", "--driver", "overlay", "--attachable", E2E_APP_NETWORK]);
    for (const s of GUIDE_APPLICATION_SERVICES) {
      await manager.dockerd.docker([
        "service", "create", "--detach", "--quiet", "--no-resolve-image",
        "--name", s.name,
        "--replicas", String(s.name === SCALED_SERVICE ? SCALED_REPLICAS : 1),
        "--network", E2E_APP_NETWORK,
        "--endpoint-mode", "dnsrr",
        "--limit-memory", "96m",
        "--stop-grace-period", "2s",
        "e2e/messenger:1", String(s.port),
      ]);
    }
    const given: string[] = [];
    for (const { label, nodes: count } of labels) {
      for (const n of nodes.slice(0, count)) {
        await manager.dockerd.docker(["node", "update", "--label-add", `${label}=true`, n.hostname]);
        given.push(`${label} on ${n.hostname}`);
      }
    }
    await manager.dockerd.docker(["run", "-d", "--name", WEBHOOK, "-p", `${manager.address}:${WEBHOOK_PORT}:8080`, "--memory", "32m", "e2e/webhook:1"]);
    const spread = await waitUntil(
      `${SCALED_REPLICAS} ${SCALED_SERVICE} tasks running`,
      async () => {
        const t = await runningTasks(manager, SCALED_SERVICE);
        return t.length === SCALED_REPLICAS ? t : false;
      },
      WAIT,
    );
    return `${SCALED_SERVICE} tasks on ${spread.map((t) => t.node).sort().join(", ")}; labels: ${given.join(", ")}`;
  });
  if (!prepared) return;

  // --- cdktf deploy through the manager ------------------------------------------------------------
  const outDir = path.join(ctx.work, "cdktf.out.swarm");
  const env = (phase: "cold" | "redeploy"): NodeJS.ProcessEnv => ({
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    CI: "true",
    TF_CLI_CONFIG_FILE: ctx.cliConfig,
    TF_IN_AUTOMATION: "1",
    TF_VAR_docker_host: manager.dockerd.host,
    TF_VAR_e2e_webhook_url: `http://${manager.address}:${WEBHOOK_PORT}/cgi-bin/hook`,
    TF_VAR_postgres_exporter_password: "unused-on-this-run",
    [E2E_ENV.phase]: phase,
    [E2E_ENV.state]: statePath,
    [E2E_ENV.swarmNodes]: JSON.stringify(specs),
  });
  const cdktf = (verb: "deploy" | "destroy", phase: "cold" | "redeploy") =>
    runLogged(
      process.execPath,
      [
        path.join(ctx.project, "node_modules/cdktf-cli/bundle/bin/cdktf"), verb, E2E_SWARM_STACK,
        "--app", `${process.execPath} ${path.join(ctx.rigJs, "e2e/app.js")}`,
        "--output", outDir, "--auto-approve", "--skip-provider-lock",
      ],
      { cwd: ctx.project, env: env(phase), log: path.join(ctx.logs, `cdktf-swarm-${verb}-${phase}.log`), timeoutMs: 900_000 },
    );
  const expected = Object.values(json.resource.docker_service as Record<string, { name: string; mode: { global?: boolean; replicated?: { replicas: number } } }>)
    .map((s) => ({ name: s.name, want: s.mode.global ? nodes.length : (s.mode.replicated?.replicas ?? 1) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const deployStart = Date.now();
  const cold = await cdktf("deploy", "cold");
  cleanups.push(async () => {
    if (fs.existsSync(statePath)) {
      await cdktf("destroy", "cold");
    }
  });
  const deployed = await check("swarm: cdktf deploy through the manager; every service converged (running = desired on every node)", async () => {
    if (cold.code !== 0) throw new Error(`exit ${cold.code}:\n${cold.output.trim().split("\n").slice(-25).join("\n")}`);
    await waitUntil(
      "every service's replicas running",
      async () => {
        const r = await serviceReplicas(manager);
        return expected.every((e) => r.get(e.name) === `${e.want}/${e.want}`) ? r : false;
      },
      WAIT,
    ).catch(async (e: Error) => {
      const r = await serviceReplicas(manager);
      throw new Error(`${e.message}: ${expected.map((x) => `${x.name} ${r.get(x.name) ?? "missing"} (want ${x.want})`).join(", ")}`);
    });
    const convergedAt = (Date.now() - deployStart) / 1000;
    // Each task's container on its node: start → Docker healthy (the services' healthchecks).
    const timings = [];
    for (const n of nodes) {
      const all = (await n.dockerd.docker(["ps", "-q", "--filter", "label=com.docker.swarm.service.name"])).split("\n").filter(Boolean);
      if (all.length === 0) continue;
      const states = JSON.parse(await n.dockerd.docker(["inspect", ...all])) as Array<ContainerState & { Config: { Labels: Record<string, string> } }>;
      const ours = states.filter((s) => s.Config.Labels["com.docker.swarm.service.name"]?.startsWith(`${E2E_SWARM_STACK}-`));
      if (ours.length === 0) continue;
      const healthy = await waitUntil(`every task's container on ${n.hostname} healthy`, async () => {
        const fresh = JSON.parse(await n.dockerd.docker(["inspect", ...ours.map((s) => s.Id)])) as ContainerState[];
        return fresh.every((s) => !s.State.Health || s.State.Health.Status === "healthy") ? fresh : false;
      }, WAIT);
      timings.push(...containerTimings(healthy, deployStart).map((t) => ({ ...t, node: n.hostname })));
    }
    const slowest = timings.reduce((a, b) => (b.startToHealthy > a.startToHealthy ? b : a));
    const allHealthy = Math.max(...timings.map((t) => t.healthyAfterDeployStart));
    measures.push(
      `swarm deploy ${cold.seconds.toFixed(1)} s (cdktf: synth, init, plan, apply through the manager); every task healthy ${allHealthy.toFixed(1)} s after it started; ` +
        `slowest task start → healthy ${slowest.name} on ${slowest.node} ${slowest.startToHealthy.toFixed(1)} s; ratio deploy / slowest = ${(cold.seconds / Math.max(slowest.startToHealthy, 0.1)).toFixed(1)}`,
    );
    return `${cold.seconds.toFixed(1)} s; ${expected.map((e) => `${e.name} ${e.want}/${e.want}`).join(", ")}; converged ${convergedAt.toFixed(1)} s after the deploy started; ${timings.length} task containers healthy, slowest ${slowest.name} ${slowest.startToHealthy.toFixed(1)} s`;
  });
  if (!deployed) return;

  await check("swarm: a plan right after the deploy, with nothing changed, is empty (no perpetual diff)", async () => {
    const r = await runLogged("terraform", ["plan", "-detailed-exitcode", "-input=false", "-lock=false", "-no-color"], {
      cwd: path.join(outDir, "stacks", E2E_SWARM_STACK),
      env: env("cold"),
      log: path.join(ctx.logs, "terraform-swarm-plan-unchanged.log"),
      timeoutMs: 300_000,
    });
    if (r.code === 0) return `terraform plan: no changes (${r.seconds.toFixed(1)} s)`;
    const lines = r.output.split("\n").filter((l) => /must be replaced|will be updated|will be created|will be destroyed|forces replacement|^Plan:|Error|[~+-] /.test(l));
    throw new Error(`terraform plan exit ${r.code}:\n${lines.slice(0, 40).join("\n")}`);
  });

  // The HA pair: one replica per labelled node; the rig reads the replica on the manager.
  const promNodes = (await runningTasks(manager, `${E2E_SWARM_STACK}-prometheus`)).map((t) => nodes.find((n) => n.hostname === t.node)!);
  const promOn = promNodes.find((n) => n !== victim) ?? manager;
  const prom = new PrometheusApi(`http://${promOn.address}:${E2E_PORTS.prometheus}`);
  const amOf = (n: LabNode) => new AlertmanagerApi(`http://${n.address}:${E2E_PORTS.alertmanager}`);
  const am = amOf(manager);
  const log = async () => parseNotificationLog(await manager.dockerd.docker(["exec", WEBHOOK, "cat", "/www/received.log"]).catch(() => ""));
  /** Where an alert is on its way to the webhook, for a failure's message. */
  const alertPath = async (alertname: string): Promise<string> => {
    const [p, a, failed] = await Promise.all([
      prom.alerts().then((x) => x.filter((y) => y.labels.alertname === alertname).map((y) => `${y.state} ${JSON.stringify(y.labels)}`), (e: Error) => [e.message]),
      am.alerts(`alertname="${alertname}"`).then((x) => x.map((y) => `${y.status.state} inhibitedBy=${y.status.inhibitedBy.length} silencedBy=${y.status.silencedBy.length}`), (e: Error) => [e.message]),
      prom.query("sum by (instance, integration) (alertmanager_notifications_failed_total) > 0").then((x) => x.map((y) => `${y.metric.instance} ${y.metric.integration}=${y.value}`), (e: Error) => [e.message]),
    ]);
    const lines = (await log()).length;
    return `Prometheus: [${p.join("; ")}]; Alertmanager: [${a.join("; ")}]; notifications failed: [${failed.join(", ")}]; webhook log: ${lines} notifications`;
  };

  await check("swarm: one node-exporter target per node, labelled with its node's hostname, all up", async () => {
    const targets = await waitUntil(
      "a node-exporter target per node, up",
      async () => {
        const t = (await prom.targets()).filter((x) => x.scrapePool === JOBS.nodeExporter);
        return t.length === nodes.length && t.every((x) => x.health === "up") ? t : false;
      },
      WAIT,
    );
    const byNode = targets.map((t) => `${t.labels[NODE_LABEL]} (instance ${t.labels.instance}, ${new URL(t.scrapeUrl).host})`).sort();
    const names = targets.map((t) => t.labels[NODE_LABEL]).sort();
    if (JSON.stringify(names) !== JSON.stringify(nodes.map((n) => n.hostname).sort())) throw new Error(`node labels ${names.join(", ")}`);
    const cadvisor = deployable("cadvisor") ? "" : "; cAdvisor NOT DEPLOYED (its pinned program cannot be built here: docs/e2e.md)";
    return `${byNode.join(", ")}${cadvisor}`;
  });

  await check(`swarm: the application discovered per task across nodes (${SCALED_SERVICE}: one target per task, each up)`, async () => {
    const tasks = await runningTasks(manager, SCALED_SERVICE);
    const targets = await waitUntil(
      `${SCALED_REPLICAS} ${SCALED_SERVICE} targets up`,
      async () => {
        const t = (await prom.targets()).filter((x) => x.scrapePool === JOBS.application && x.labels.service === SCALED_SERVICE);
        return t.length === SCALED_REPLICAS && t.every((x) => x.health === "up") ? t : false;
      },
      WAIT,
    );
    const instances = new Set(targets.map((t) => t.labels.instance));
    if (instances.size !== SCALED_REPLICAS) throw new Error(`instances are not distinct: ${[...instances].join(", ")}`);
    const onNodes = new Set(tasks.map((t) => t.node));
    return `${[...instances].sort().join(", ")}; tasks on ${[...onNodes].sort().join(", ")} (${onNodes.size} nodes)`;
  });

  await check(`swarm: ${E2E_SWARM_REPLICAS.alertmanager} Alertmanager members, 0 failed peers; a silence made on one replica is seen on the others`, async () => {
    const members = await waitUntil(
      "every replica to see every member, no failed peer",
      async () => {
        const [m, f] = await Promise.all([prom.query("alertmanager_cluster_members"), prom.query("alertmanager_cluster_failed_peers")]);
        const ok = m.length === E2E_SWARM_REPLICAS.alertmanager && m.every((x) => x.value === E2E_SWARM_REPLICAS.alertmanager) && f.length === m.length && f.every((x) => x.value === 0);
        return ok ? { m, f } : false;
      },
      WAIT,
    );
    const [first, ...others] = nodes.slice(0, E2E_SWARM_REPLICAS.alertmanager);
    const t0 = Date.now();
    const id = await amOf(first).createSilence({ alertname: "E2eSwarmProbe" }, new Date(Date.now() + 10 * 60_000), "e2e: gossip check");
    const seen: string[] = [];
    for (const n of others) {
      await waitUntil(`the silence on ${n.hostname}`, async () => (await amOf(n).silences()).some((s) => s.id === id && s.status.state === "active"), { timeoutMs: 60_000, intervalMs: 200 });
      seen.push(`${n.hostname} +${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    return `alertmanager_cluster_members ${members.m.map((x) => x.value).join("/")}, failed peers ${members.f.map((x) => x.value).join("/")}; silence ${id.slice(0, 8)} made on ${first.hostname}, seen on ${seen.join(", ")}`;
  });

  await check(`swarm: the HA pair (${E2E_SWARM_REPLICAS.prometheus} Prometheus replicas) scrape each other; their alerts reach Alertmanager without the replica label`, async () => {
    const up = await waitUntil(
      "both replicas up",
      async () => {
        const r = await prom.query(`up{job="${JOBS.prometheus}"}`);
        return r.length === E2E_SWARM_REPLICAS.prometheus && r.every((x) => x.value === 1) ? r : false;
      },
      WAIT,
    );
    const watchdog = await waitUntil("Watchdog at Alertmanager", async () => {
      const a = await am.alerts('alertname="Watchdog"');
      return a.length > 0 ? a : false;
    }, WAIT);
    if (watchdog.length !== 1 || "replica" in watchdog[0].labels) throw new Error(`Alertmanager holds ${watchdog.length} Watchdog alerts: ${JSON.stringify(watchdog.map((w) => w.labels))}`);
    // The Watchdog repeats every minute from the deploy on: count from the next one that arrives.
    const after = (await log()).reduce((m, n) => Math.max(m, n.line), -1);
    const watchdogs = async () => (await log()).filter((n) => n.line > after && n.alerts.some((a) => a.labels.alertname === "Watchdog"));
    // The next one comes at a flush (group_interval 1m) once repeat_interval (1m) has passed since the
    // last: measured 2–3 min apart, as the last send lands just after a flush.
    await waitUntil("a Watchdog notification at the webhook", async () => (await watchdogs()).length > 0, { ...WAIT, timeoutMs: 300_000 }).catch(async (e: Error) => {
      throw new Error(`${e.message}; ${await alertPath("Watchdog")}`);
    });
    // Exactly one notification per flush: two Prometheus replicas and three Alertmanagers would send up
    // to six without deduplication; the others wait their peer position × peer_timeout (15 s) and read
    // the shared notification log first. The heartbeat route's next flush is 1m later (group_interval).
    await sleep(DEDUP_WINDOW_MS);
    const within = (await watchdogs()).length;
    if (within !== 1) throw new Error(`${within} Watchdog notifications at the webhook within ${DEDUP_WINDOW_MS / 1000} s of the first new one (want exactly 1)`);
    return `up{job="prometheus"} ${up.map((x) => x.metric.instance).join(", ")}; Alertmanager holds 1 Watchdog alert (labels without replica) from ${promNodes.map((n) => n.hostname).join(" and ")}; exactly 1 notification at the webhook in the ${DEDUP_WINDOW_MS / 1000} s after the first`;
  });

  // --- a rule change rolls only Prometheus --------------------------------------------------------
  const tasksOf = async () => {
    const m = new Map<string, string>();
    for (const e of expected) m.set(e.name, (await runningTasks(manager, e.name)).map((t) => t.id).sort().join(","));
    return m;
  };
  const beforeTasks = await tasksOf();
  const beforeTime = Date.now() / 1000;
  const redeploy = await cdktf("deploy", "redeploy");
  await check(`swarm: a rule change (${REDEPLOY_OVERRIDE.alert} threshold ${REDEPLOY_OVERRIDE.threshold}) rolls only Prometheus: a new rules config, its tasks replaced, every other task kept`, async () => {
    if (redeploy.code !== 0) throw new Error(`exit ${redeploy.code}:\n${redeploy.output.trim().split("\n").slice(-25).join("\n")}`);
    const plan = parsePlan(redeploy.output);
    const promName = `${E2E_SWARM_STACK}-prometheus`;
    const after = await waitUntil(
      "Prometheus rolled",
      async () => {
        const t = await tasksOf();
        const p = t.get(promName)!.split(",").filter(Boolean);
        return p.length === E2E_SWARM_REPLICAS.prometheus && t.get(promName) !== beforeTasks.get(promName) && !p.some((id) => beforeTasks.get(promName)!.includes(id)) ? t : false;
      },
      WAIT,
    );
    const changed = expected.map((e) => e.name).filter((n) => after.get(n) !== beforeTasks.get(n));
    if (JSON.stringify(changed) !== JSON.stringify([promName])) throw new Error(`services whose tasks changed: ${changed.join(", ")}; plan ${JSON.stringify(plan)}`);
    // One new rules config, Prometheus' service updated in place to mount it, the old config removed.
    if (plan.add !== 1 || plan.change !== 1 || plan.destroy !== 1) throw new Error(`plan ${plan.add} to add, ${plan.change} to change, ${plan.destroy} to destroy (want 1/1/1)`);
    measures.push(`swarm redeploy (rule change) ${redeploy.seconds.toFixed(1)} s; plan ${plan.add} to add, ${plan.change} to change, ${plan.destroy} to destroy`);
    return `plan: ${plan.add} to add, ${plan.change} to change, ${plan.destroy} to destroy; tasks replaced: ${changed.join(", ")}; ${redeploy.seconds.toFixed(1)} s`;
  });
  await check("swarm: the rolled Prometheus replicas keep their series (a volume per task slot on the pinned node)", async () => {
    const again = await waitUntil(
      "the series written before the roll",
      async () => {
        const r = await prom.query(`count_over_time(up{job="${JOBS.prometheus}"}[10m])`, beforeTime);
        return r.length > 0 && r.every((x) => x.value > 0) ? r : false;
      },
      WAIT,
    );
    return `up{job="prometheus"} samples in the 10 min before the roll, read after it: ${again.map((x) => x.value).join(", ")}`;
  });

  // --- a worker lost ---------------------------------------------------------------------------------
  const nodeDownFor = stack.ruleGroups.flatMap((g) => g.rules).find((r): r is AlertRule => "name" in r && r.name === "NodeDown")!.for.seconds;
  const nodeJob = stack.scrapeTargets.find((t) => t.job === JOBS.nodeExporter);
  const budget = (nodeJob?.scrapeInterval?.seconds ?? 15) + stack.prometheus.evaluationInterval.seconds + nodeDownFor + stack.alertmanager.groupWait.seconds;
  const samplesBefore = await prom.query(`count_over_time(up{job="${JOBS.prometheus}"}[10m])`);
  await check(`swarm: a worker's engine stopped (${victim.hostname}): NodeDown reaches the webhook once within its budget, its replicated tasks are rescheduled, Prometheus keeps its data`, async () => {
    const lastLine = (await log()).reduce((m, n) => Math.max(m, n.line), -1);
    const onVictim = (await runningTasks(manager, SCALED_SERVICE)).filter((t) => t.node === victim.hostname).length;
    const injectedAt = Date.now();
    await victim.dockerd.stop();
    nodes.splice(nodes.indexOf(victim), 1);
    const labels = { alertname: "NodeDown", [NODE_LABEL]: victim.hostname };
    await waitUntil("NodeDown at the webhook", async () => notificationsWith(await log(), lastLine, labels, "firing").length > 0, { ...WAIT, intervalMs: 500 }).catch(async (e: Error) => {
      throw new Error(`${e.message}; ${await alertPath("NodeDown")}`);
    });
    const notifiedAt = Date.now();
    const seconds = (notifiedAt - injectedAt) / 1000;
    const stages = await describeFaultTimeline(prom, am, { labels, job: JOBS.nodeExporter, injectedAt, notifiedAt });
    measures.push(`swarm node lost: NodeDown at the webhook ${seconds.toFixed(1)} s after the worker's engine stopped; budget ${budget} s; ratio ${(seconds / budget).toFixed(2)} [${stages}]`);
    // Both replicas of the pair fire it; Alertmanager's cluster notifies once.
    const firingOn: string[] = [];
    for (const n of promNodes.filter((p) => p !== victim)) {
      const a = await new PrometheusApi(`http://${n.address}:${E2E_PORTS.prometheus}`).alerts();
      if (a.some((x) => x.labels.alertname === "NodeDown" && x.labels[NODE_LABEL] === victim.hostname && x.state === "firing")) firingOn.push(n.hostname);
    }
    // Alertmanager's cluster waits peer_timeout per position before a replica sends: give the others time to (wrongly) send too.
    await new Promise((r) => setTimeout(r, 30_000));
    const notifications = notificationsWith(await log(), lastLine, labels, "firing");
    if (notifications.length !== 1) throw new Error(`${notifications.length} NodeDown notifications for ${victim.hostname} (want exactly 1)`);
    if (seconds > budget) throw new Error(`NodeDown took ${seconds.toFixed(1)} s, over its budget of ${budget} s [${stages}]`);
    const moved = await waitUntil(
      `${SCALED_SERVICE} back to ${SCALED_REPLICAS} running tasks off ${victim.hostname}`,
      async () => {
        const t = await runningTasks(manager, SCALED_SERVICE);
        return t.length === SCALED_REPLICAS && t.every((x) => x.node !== victim.hostname) ? t : false;
      },
      WAIT,
    );
    const rescheduled = (Date.now() - injectedAt) / 1000;
    measures.push(`swarm node lost: ${onVictim} ${SCALED_SERVICE} task(s) of ${victim.hostname} rescheduled ${rescheduled.toFixed(1)} s after its engine stopped`);
    const samplesAfter = await prom.query(`count_over_time(up{job="${JOBS.prometheus}"}[10m])`, injectedAt / 1000);
    if (samplesAfter.length === 0) throw new Error("Prometheus lost the series written before the fault");
    return (
      `NodeDown{node="${victim.hostname}"} at the webhook ${seconds.toFixed(1)} s after the stop (budget ${budget} s) [${stages}]; ` +
      `firing on the replicas on ${firingOn.join(", ") || "?"}, 1 notification; ${SCALED_SERVICE} tasks now on ${moved.map((t) => t.node).sort().join(", ")} ` +
      `(${rescheduled.toFixed(1)} s); Prometheus on ${promOn.hostname} kept its series (${samplesBefore[0]?.value ?? 0} samples before, ${samplesAfter[0].value} read after)`
    );
  });

  // --- the worker returns ----------------------------------------------------------------------------
  await check(`swarm: ${victim.hostname}'s engine back: the node rejoins Ready and its agents are scraped again`, async () => {
    const t0 = Date.now();
    const back = await startNodeEngine(victim, ctx.engine, path.join(ctx.cacheRoot, "swarm", victim.hostname), { restart: true });
    nodes.push(back);
    await waitUntil(`${victim.hostname} Ready`, async () => (await manager.dockerd.docker(["node", "ls", "--format", "{{.Hostname}} {{.Status}}"])).includes(`${victim.hostname} Ready`), WAIT);
    const ready = (Date.now() - t0) / 1000;
    await waitUntil(`node-exporter on ${victim.hostname} up`, async () => {
      const r = await prom.query(`up{job="${JOBS.nodeExporter}", ${NODE_LABEL}="${victim.hostname}"}`);
      return r.length === 1 && r[0].value === 1;
    }, WAIT);
    return `Ready ${ready.toFixed(1)} s after its engine started, node-exporter up ${((Date.now() - t0) / 1000).toFixed(1)} s after`;
  });

  // --- destroy ---------------------------------------------------------------------------------------
  const destroyed = await cdktf("destroy", "redeploy");
  await check("swarm: cdktf destroy leaves no service, config, secret or network of the stack", async () => {
    if (destroyed.code !== 0) throw new Error(`exit ${destroyed.code}:\n${destroyed.output.trim().split("\n").slice(-25).join("\n")}`);
    const left = async (kind: string) =>
      (await manager.dockerd.docker([kind, "ls", "--format", "{{.Name}}"])).split("\n").filter((n) => n.startsWith(E2E_SWARM_STACK));
    const [services, configs, secrets, networks] = [await left("service"), await left("config"), await left("secret"), await left("network")];
    const all = [...services, ...configs, ...secrets, ...networks];
    if (all.length > 0) throw new Error(`left behind: ${all.join(", ")}`);
    fs.rmSync(statePath, { force: true });
    return `${destroyed.seconds.toFixed(1)} s; nothing of ${E2E_SWARM_STACK} left (services, configs, secrets, networks)`;
  });
}
