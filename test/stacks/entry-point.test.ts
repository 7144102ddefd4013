import { spawnSync } from "node:child_process";
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
});
