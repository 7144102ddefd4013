import { App } from "cdktf";
import { defineStacks, runApp } from "./stacks/app";
import { ENVIRONMENTS_VARIABLE } from "./stacks/environments";

/** The cdktf app: the stacks of stacks/app.ts, synthesized into cdktf.out; a config mistake prints a clean list. */
runApp(() => {
  const app = new App();
  defineStacks(app, process.env[ENVIRONMENTS_VARIABLE] ?? "");
  app.synth();
});
