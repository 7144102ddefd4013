import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cliConfig, mirrorHas } from "../e2e/providers";
import { cachePaths } from "../e2e/paths";
import { findTool, run } from "./tools";

/** What Terraform said about one synthesized stack. */
export interface TerraformVerdict {
  /** `terraform init -backend=false`: exit status and output. */
  readonly init: { readonly status: number; readonly output: string };
  /** Error lines of `init` that are about the configuration, not about installing providers. */
  readonly configErrors: readonly string[];
  /** `terraform validate -json` when the local provider mirror holds every required provider. */
  readonly validate?: { readonly valid: boolean; readonly diagnostics: readonly string[] };
}

/** Error lines that only say a provider could not be installed (no mirror, no network). */
const PROVIDER_INSTALL = /provider packages|install provider|Failed to query available provider|registry\.terraform\.io|Incompatible provider/i;

/**
 * Lets Terraform itself read a synthesized `cdk.tf.json`: `terraform init -backend=false` always, and
 * `terraform validate` when the end-to-end rig's provider mirror (e2e/providers.ts) has the providers.
 * Without the mirror, init can only fail at the provider download, which is not counted: everything it
 * reports before that (expressions, references, blocks) is. Returns undefined when terraform is missing
 * outside CI (a loud skip).
 */
export function judgeWithTerraform(tfJsonText: string): TerraformVerdict | undefined {
  const terraform = findTool("terraform");
  if (!terraform) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-judge-"));
  try {
    fs.writeFileSync(path.join(dir, "cdk.tf.json"), tfJsonText);
    const json = JSON.parse(tfJsonText);
    const paths = cachePaths();
    const useMirror = mirrorHas(json, paths);
    let config = paths.cliConfig;
    if (!useMirror) {
      // An empty mirror: Terraform never tries the network, and fails only at the provider step.
      config = path.join(dir, "terraformrc");
      fs.mkdirSync(path.join(dir, "empty-mirror"));
      fs.writeFileSync(config, cliConfig(path.join(dir, "empty-mirror")));
    }
    const env = { ...process.env, TF_CLI_CONFIG_FILE: config, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    const init = run(terraform, ["init", "-backend=false", "-input=false", "-no-color"], dir, env);
    const configErrors = errorBlocks(init.output).filter((e) => !PROVIDER_INSTALL.test(e));
    let validate: TerraformVerdict["validate"];
    if (useMirror && init.status === 0) {
      const v = run(terraform, ["validate", "-json", "-no-color"], dir, env);
      const parsed = JSON.parse(v.output) as { valid: boolean; diagnostics: { severity: string; summary: string; detail?: string }[] };
      validate = {
        valid: parsed.valid,
        diagnostics: parsed.diagnostics.map((d) => `${d.severity}: ${d.summary}${d.detail ? ` (${d.detail})` : ""}`),
      };
    }
    return { init, configErrors, validate };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Terraform's "Error: …" blocks, each with the lines that follow it up to the next blank line. */
export function errorBlocks(output: string): string[] {
  const blocks: string[] = [];
  const lines = output.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (/^(│ )?Error: /.test(lines[i])) {
      const block = [lines[i]];
      for (let j = i + 1; j < lines.length && lines[j].replace(/^│\s*/, "").trim() !== "" ; j++) block.push(lines[j]);
      blocks.push(block.join("\n"));
    }
  }
  return blocks;
}
