import { App } from "cdktf";
import { defineStacks, runApp, synthApp } from "./stacks/app";
import { ENVIRONMENTS_VARIABLE } from "./stacks/environments";

/**
 * The cdktf app: the stacks of stacks/app.ts, synthesized into cdktf.out (or CDKTF_OUTDIR); a config
 * mistake prints a clean list. `npm run synth` runs it directly with node, `cdktf synth` through cdktf.json.
 */
runApp(() => {
  const app = new App();
  defineStacks(app, process.env[ENVIRONMENTS_VARIABLE] ?? "");
  synthApp(app);
});
