import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";

/**
 * Synthesizes stacks as `cdktf synth` does (a real App writing `cdk.tf.json` files) into a temporary
 * folder, and returns each stack's JSON text in the order `define` returns them.
 */
export function synthesizeStacks<T extends TerraformStack>(define: (app: App) => T[]): { stacks: T[]; texts: string[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
  try {
    const app = new App({ outdir });
    const stacks = define(app);
    app.synth();
    const texts = stacks.map((s) => fs.readFileSync(path.join(outdir, "stacks", s.node.id, "cdk.tf.json"), "utf8"));
    return { stacks, texts };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
