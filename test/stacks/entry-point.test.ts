import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../../stacks/config";
import { formatConfigError, runApp } from "../../stacks/app";

const ROOT = path.join(__dirname, "..", "..");

describe("the entry point's error output", () => {
  test("a config mistake is one numbered list, each problem once", () => {
    expect(formatConfigError(new ConfigError(["a: \"x\" is bad", "b: worse", "a: \"x\" is bad"]))).toBe(
      'invalid monitoring config:\n  1. a: "x" is bad\n  2. b: worse',
    );
  });

  test("runApp exits 1 on a ConfigError and rethrows anything else", () => {
    const exits: number[] = [];
    const exit = ((c: number) => {
      exits.push(c);
    }) as (c: number) => never;
    runApp(() => {
      throw new ConfigError(["x: bad"]);
    }, exit);
    expect(exits).toEqual([1]);
    expect(() => runApp(() => { throw new TypeError("a bug"); }, exit)).toThrow("a bug");
  });

  test("the real entry point on a bad config prints the list without a stack trace and exits 1", () => {
    // The same path as main.ts, with a stack whose config is wrong in two ways.
    const script = [
      'const { App } = require("cdktf");',
      'const { runApp } = require("./stacks/app");',
      'const { MonitoringStack } = require("./stacks/monitoring-stack");',
      'runApp(() => { const app = new App({ outdir: require("os").tmpdir() + "/entry-test" }); new MonitoringStack(app, "monitoring", { prometheus: { scrapeInterval: "15 seconds" }, bindAddress: "everywhere" }); app.synth(); });',
    ].join("\n");
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^invalid monitoring config:\n {2}1\. /);
    expect(r.stderr).toContain('prometheus.scrapeInterval: "15 seconds" is not a valid duration');
    expect(r.stderr).toContain('bindAddress: "everywhere" is not an IPv4 address');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  // cdktf-cli 0.21's terminal module has prebuilt binaries up to Node.js 22 (ABI 127) only.
  const cliRuns = Number(process.versions.node.split(".")[0]) <= 22;
  if (!cliRuns) console.warn(`\n*** SKIPPED: cdktf synth on Node.js ${process.versions.node}: cdktf-cli 0.21 does not run on Node.js > 22 (npm run synth does) ***\n`);
  (cliRuns ? test : test.skip)(
    "through cdktf synth the same list arrives (the CLI echoes it once more), still without a stack trace",
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-bad-"));
      try {
        const app = path.join(dir, "app.js");
        fs.writeFileSync(
          app,
          [
            `const { App } = require(${JSON.stringify(path.join(ROOT, "node_modules", "cdktf"))});`,
            `const { runApp, synthApp } = require(${JSON.stringify(path.join(ROOT, "stacks", "app"))});`,
            `const { MonitoringStack } = require(${JSON.stringify(path.join(ROOT, "stacks", "monitoring-stack"))});`,
            'runApp(() => { const app = new App(); new MonitoringStack(app, "monitoring", { bindAddress: "everywhere" }); synthApp(app); });',
          ].join("\n"),
        );
        const register = path.join(ROOT, "node_modules", "ts-node", "register", "transpile-only");
        fs.writeFileSync(path.join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: `${process.execPath} -r ${register} ${app}`, sendCrashReports: "false" }));
        const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf"), "synth", "--output", path.join(dir, "out")], {
          cwd: dir,
          encoding: "utf8",
          // Without TF_CLI_CONFIG_FILE: a machine may point it at a file that does not exist.
          env: {
            ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "TF_CLI_CONFIG_FILE")),
            CHECKPOINT_DISABLE: "1",
            CI: "true",
            TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
          },
          timeout: 120_000,
        });
        // eslint-disable-next-line no-control-regex
        const output = `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
        expect(r.status).not.toBe(0);
        expect(output).toContain('invalid monitoring config:\n  1. bindAddress: "everywhere" is not an IPv4 address');
        expect(output).not.toMatch(/^\s+at \S+ \(/m);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    150_000,
  );
});
