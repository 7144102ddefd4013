import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { checkVolumeLock, LockedVolume, protectedVolumes, readVolumeLock, VOLUME_LOCK_FILE } from "../../stacks/data-volumes";
import { MonitoringConfig } from "../../stacks/config";
import { MonitoringStack } from "../../stacks/monitoring-stack";

const ROOT = path.join(__dirname, "..", "..");

function synth(config: MonitoringConfig = {}, id = "monitoring"): any {
  const app = Testing.app();
  const stack = new MonitoringStack(app, id, config);
  return JSON.parse(Testing.synth(stack));
}

const volumes = (tf: any) => Object.values(tf.resource.docker_volume as Record<string, any>);
const containerNames = (tf: any) => Object.values(tf.resource.docker_container as Record<string, any>).map((c) => c.name).sort();

describe("data volumes are protected by default", () => {
  test("every data volume has lifecycle.prevent_destroy", () => {
    const vs = volumes(synth());
    expect(vs.map((v) => v.name).sort()).toEqual([
      "monitoring-alertmanager-data",
      "monitoring-alloy-data",
      "monitoring-grafana-data",
      "monitoring-jaeger-data",
      "monitoring-loki-data",
      "monitoring-prometheus-data",
    ]);
    for (const v of vs) expect(v.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("dataProtection: false (throw-away stacks) drops prevent_destroy and nothing else", () => {
    const on = synth();
    const off = synth({ dataProtection: false });
    for (const v of volumes(off)) expect(v.lifecycle).toEqual({ prevent_destroy: false });
    expect(volumes(off).map((v) => v.name)).toEqual(volumes(on).map((v) => v.name));
    expect(protectedVolumes(off)).toEqual({});
  });

  test("volumePrefix names the volumes apart from the stack name, so a rename can keep them", () => {
    const renamed = synth({ name: "ops", volumePrefix: "monitoring" });
    expect(volumes(renamed).map((v) => v.name).sort()).toEqual(volumes(synth()).map((v) => v.name).sort());
    expect(containerNames(renamed)[0]).toMatch(/^ops-/);
  });

  test("an invalid volumePrefix is a config error naming the field", () => {
    expect(() => synth({ volumePrefix: "-bad prefix" })).toThrow(
      'volumePrefix: "-bad prefix" is not a Docker volume name prefix (letters, digits, "_", "." and "-", starting with a letter or digit, at most 63)',
    );
  });
});

describe("the data-volume lock", () => {
  const base = protectedVolumes(synth());
  const prom = Object.keys(base).find((a) => base[a].name === "monitoring-prometheus-data")!;

  test("a volume seen for the first time is recorded; an unchanged one passes", () => {
    const first = checkVolumeLock({}, { monitoring: base });
    expect(first.problems).toEqual([]);
    expect(first.lock).toEqual({ monitoring: base });
    expect(checkVolumeLock(first.lock, { monitoring: base })).toEqual({ problems: [], lock: first.lock });
  });

  test("renaming the stack renames every volume: refused, with the volumePrefix that keeps them", () => {
    const r = checkVolumeLock({ monitoring: base }, { monitoring: protectedVolumes(synth({ name: "ops" })) });
    expect(r.problems).toHaveLength(6);
    expect(r.problems).toContain(
      'stack "monitoring": data volume "monitoring-prometheus-data" would be renamed to "ops-prometheus-data": Docker cannot rename a volume, so Terraform would replace it and delete its data. ' +
        `Set volumePrefix: "monitoring" to keep the old names, or, to give up its data on purpose, delete its entry from ${VOLUME_LOCK_FILE}`,
    );
    // The suggested fix passes.
    expect(checkVolumeLock({ monitoring: base }, { monitoring: protectedVolumes(synth({ name: "ops", volumePrefix: "monitoring" })) }).problems).toEqual([]);
  });

  test("disabling a service with data would delete its volume: refused", () => {
    const r = checkVolumeLock({ monitoring: base }, { monitoring: protectedVolumes(synth({ grafana: { enabled: false } })) });
    expect(r.problems).toEqual([
      expect.stringMatching(/^stack "monitoring": data volume "monitoring-grafana-data" \(docker_volume\.grafana_[^)]+\) is no longer defined: a deploy would delete it and its data\./),
    ]);
  });

  test("a changed label or driver replaces the volume: refused", () => {
    const changed: Record<string, LockedVolume> = { ...base, [prom]: { ...base[prom], labels: { team: "x" } } };
    expect(checkVolumeLock({ monitoring: base }, { monitoring: changed }).problems).toEqual([
      expect.stringContaining('stack "monitoring": data volume "monitoring-prometheus-data" would change its driver, driver options or labels'),
    ]);
    const driver: Record<string, LockedVolume> = { ...base, [prom]: { ...base[prom], driver: "nfs" } };
    expect(checkVolumeLock({ monitoring: base }, { monitoring: driver }).problems).toHaveLength(1);
  });

  test("a construct id change moves the volume to a new address: refused", () => {
    const moved: Record<string, LockedVolume> = { ...base };
    delete moved[prom];
    moved["docker_volume.renamed_construct"] = base[prom];
    expect(checkVolumeLock({ monitoring: base }, { monitoring: moved }).problems).toEqual([
      expect.stringContaining(`data volume "monitoring-prometheus-data" moved from ${prom} to docker_volume.renamed_construct`),
    ]);
  });

  test("a stack with dataProtection off is neither checked nor recorded; other stacks' entries stay", () => {
    const lock = { monitoring: base, other: { "docker_volume.x": { name: "x", labels: {} } } };
    const r = checkVolumeLock(lock, { monitoring: protectedVolumes(synth({ name: "ops", dataProtection: false })) });
    expect(r).toEqual({ problems: [], lock });
  });

  test("the committed lock records every stack of main.ts with protection on, and the code keeps every recorded volume", () => {
    const lock = readVolumeLock(path.join(ROOT, VOLUME_LOCK_FILE));
    expect(Object.keys(lock).sort()).toEqual(["monitoring", "monitoring-production", "monitoring-staging"]);
    // Nothing recorded would be replaced or deleted by a deploy of this code.
    for (const [address, v] of Object.entries(lock.monitoring)) expect({ address, v: base[address] }).toEqual({ address, v });
    expect(checkVolumeLock(lock, { monitoring: base }).problems).toEqual([]);
    // A volume new in the code is recorded after its first deploy (npm run record-volumes), never by a
    // synth: until then only Jaeger's (the badger store) may be missing from the lock.
    const unrecorded = Object.keys(base).filter((a) => lock.monitoring[a] === undefined).map((a) => base[a].name);
    expect(unrecorded.filter((n) => n !== "monitoring-jaeger-data")).toEqual([]);
  });

  test("an unreadable lock names the file and the fix", () => {
    const f = path.join(os.tmpdir(), `lock-${process.pid}.json`);
    fs.writeFileSync(f, "[1,2]");
    expect(() => readVolumeLock(f)).toThrow(`${f}: cannot read the data-volume lock (not a JSON object); restore it from git`);
    fs.rmSync(f);
  });
});

describe("the real entry point with the lock", () => {
  test("synth records the volumes, then refuses a rename with one clean list and removes the stack's output", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "volume-lock-"));
    const lockFile = path.join(dir, "lock.json");
    const outdir = path.join(dir, "out");
    const script = (name: string) =>
      [
        'const { App } = require("cdktf");',
        'const { runApp, synthApp } = require("./stacks/app");',
        'const { MonitoringStack } = require("./stacks/monitoring-stack");',
        `runApp(() => { const app = new App({ outdir: ${JSON.stringify(outdir)} }); new MonitoringStack(app, "monitoring", { name: ${JSON.stringify(name)} }); synthApp(app); });`,
      ].join("\n");
    const env = { ...process.env, MONITORING_VOLUME_LOCK: lockFile };
    try {
      const first = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script("monitoring")], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...env, MONITORING_RECORD_VOLUMES: "1" },
      });
      expect(first.status).toBe(0);
      expect(first.stderr).toContain("recorded 6 new data volume(s)");
      expect(Object.keys(readVolumeLock(lockFile).monitoring)).toHaveLength(6);
      const renamed = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script("ops")], { cwd: ROOT, encoding: "utf8", env });
      expect(renamed.status).toBe(1);
      expect(renamed.stderr).toMatch(/^invalid monitoring config:\n {2}1\. stack "monitoring": data volume "monitoring-alertmanager-data" would be renamed to "ops-alertmanager-data"/);
      expect(renamed.stderr).not.toMatch(/^\s+at /m);
      expect(fs.existsSync(path.join(outdir, "stacks", "monitoring"))).toBe(false);
      expect(Object.keys(readVolumeLock(lockFile).monitoring)).toHaveLength(6);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the lock records deployments, not synths", () => {
  const run = (dir: string, config: object, record: boolean) =>
    spawnSync(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        "-e",
        [
          'const { App } = require("cdktf");',
          'const { runApp, synthApp } = require("./stacks/app");',
          'const { MonitoringStack } = require("./stacks/monitoring-stack");',
          `runApp(() => { const app = new App({ outdir: ${JSON.stringify(path.join(dir, "out"))} }); new MonitoringStack(app, "monitoring", ${JSON.stringify(config)}); synthApp(app); });`,
        ].join("\n"),
      ],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, MONITORING_VOLUME_LOCK: path.join(dir, "lock.json"), MONITORING_RECORD_VOLUMES: record ? "1" : "" },
      },
    );

  test("enabling loadTesting once and disabling it before any deploy synthesizes; after recording, disabling it fails", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "volume-lock-"));
    const lockFile = path.join(dir, "lock.json");
    try {
      // The deployed stack, recorded as after a deploy (npm run record-volumes).
      expect(run(dir, {}, true).status).toBe(0);
      const deployed = fs.readFileSync(lockFile, "utf8");
      // Load testing tried in a synth: noted, not recorded.
      const tried = run(dir, { loadTesting: { enabled: true } }, false);
      expect(tried.status).toBe(0);
      expect(tried.stderr).toContain('1 data volume(s) not yet in');
      expect(tried.stderr).toContain("monitoring: monitoring-k6-receiver-data; after deploying, run \"npm run record-volumes\"");
      expect(fs.readFileSync(lockFile, "utf8")).toBe(deployed);
      // ...and switched off again before any deploy: nothing to protect, synth passes.
      const back = run(dir, {}, false);
      expect(back.status).toBe(0);
      expect(back.stderr).not.toContain("no longer defined");
      // Deployed and recorded with load testing, switching it off would delete real data: refused.
      expect(run(dir, { loadTesting: { enabled: true } }, true).status).toBe(0);
      expect(Object.values(readVolumeLock(lockFile).monitoring).map((v) => v.name)).toContain("monitoring-k6-receiver-data");
      const off = run(dir, {}, false);
      expect(off.status).toBe(1);
      expect(off.stderr).toMatch(/data volume "monitoring-k6-receiver-data" \(docker_volume\.[^)]*\) is no longer defined: a deploy would delete it and its data/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a stack deployed while Jaeger kept traces in memory: its new volume is noted, recorded after the deploy, then protected", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "volume-lock-"));
    const lockFile = path.join(dir, "lock.json");
    try {
      // GIVEN the lock of a stack deployed with the memory store (no Jaeger volume)
      expect(run(dir, { jaeger: { storage: "memory" } }, true).status).toBe(0);
      const deployed = fs.readFileSync(lockFile, "utf8");
      expect(Object.values(readVolumeLock(lockFile).monitoring).map((v) => v.name)).not.toContain("monitoring-jaeger-data");
      // WHEN the new default (badger) is synthesized: nothing is refused, the volume is only noted
      const upgraded = run(dir, {}, false);
      expect(upgraded.status).toBe(0);
      expect(upgraded.stderr).toContain('monitoring: monitoring-jaeger-data; after deploying, run "npm run record-volumes"');
      expect(fs.readFileSync(lockFile, "utf8")).toBe(deployed);
      // THEN, once deployed and recorded, going back to memory would delete the traces: refused
      expect(run(dir, {}, true).status).toBe(0);
      const back = run(dir, { jaeger: { storage: "memory" } }, false);
      expect(back.status).toBe(1);
      expect(back.stderr).toMatch(/data volume "monitoring-jaeger-data" \(docker_volume\.jaeger_[^)]*\) is no longer defined: a deploy would delete it and its data/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
