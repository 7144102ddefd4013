import * as fs from "node:fs";
import * as path from "node:path";
import { BuildError, BuildResult, buildProgram } from "./go-build";
import { cachePaths } from "./paths";
import { GoProgram, PROVIDERS } from "./programs";

/** One entry of a synthesized stack's `terraform.required_providers`. */
export interface RequiredProvider {
  /** Local name, e.g. `docker`. */
  readonly name: string;
  /** `<namespace>/<type>`, e.g. `kreuzwerker/docker`. */
  readonly source: string;
  /** The exact version the stack pins. */
  readonly version: string;
}

/** The providers a synthesized `cdk.tf.json` requires, read from the file itself. */
export function requiredProviders(tfJson: unknown): RequiredProvider[] {
  const rp = (tfJson as { terraform?: { required_providers?: Record<string, { source?: string; version?: string }> } })
    .terraform?.required_providers;
  return Object.entries(rp ?? {}).map(([name, p]) => {
    if (!p.source || !p.version || !/^\d+\.\d+\.\d+$/.test(p.version)) {
      throw new BuildError(
        `required_providers.${name}: source "${p.source}" version "${p.version}" is not an exact pin; the mirror needs one version per provider`,
      );
    }
    return { name, source: p.source.replace(/^registry\.terraform\.io\//, ""), version: p.version };
  });
}

/** The Go module build of a required provider, or a BuildError naming what has no known module. */
export function providerProgram(p: RequiredProvider): GoProgram {
  const key = `${p.source}@${p.version}`;
  const program = PROVIDERS[key];
  if (!program) {
    throw new BuildError(
      `required_providers.${p.name}: ${key} has no Go module build in e2e/programs.ts (known: ${Object.keys(PROVIDERS).join(", ")}); add the module and the commit of that release`,
    );
  }
  return program;
}

/** The executable's path in a Terraform unpacked `filesystem_mirror`. */
export function mirrorPath(mirror: string, p: RequiredProvider): string {
  const [namespace, type] = p.source.split("/");
  return path.join(mirror, "registry.terraform.io", namespace, type, p.version, "linux_amd64", `terraform-provider-${type}_v${p.version}`);
}

/** A Terraform CLI config that installs providers only from the mirror, never from the network. */
export function cliConfig(mirror: string): string {
  return [
    "# Used only by the end-to-end runs and tests (TF_CLI_CONFIG_FILE): providers come from the local",
    "# mirror built from their Go modules; there is no `direct` source, so nothing is downloaded.",
    "disable_checkpoint = true",
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirror)}`,
    '    include = ["registry.terraform.io/*/*"]',
    "  }",
    "}",
    "",
  ].join("\n");
}

/** True when every provider `tfJson` requires is in the mirror (so `terraform validate` can run). */
export function mirrorHas(tfJson: unknown, paths = cachePaths()): boolean {
  try {
    return requiredProviders(tfJson).every((p) => fs.existsSync(mirrorPath(paths.mirror, p)));
  } catch {
    return false;
  }
}

/**
 * Builds every provider the given synthesized stacks require, at exactly the versions they name, lays
 * them out as a filesystem mirror and writes the CLI config. Returns one build result per provider.
 */
export async function buildProviderMirror(tfJsons: readonly unknown[], paths = cachePaths()): Promise<BuildResult[]> {
  const wanted = new Map<string, RequiredProvider>();
  for (const json of tfJsons) {
    for (const p of requiredProviders(json)) wanted.set(`${p.source}@${p.version}`, p);
  }
  const results: BuildResult[] = [];
  for (const p of wanted.values()) {
    const result = await buildProgram(providerProgram(p), paths.bin, paths.work);
    const target = mirrorPath(paths.mirror, p);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(Object.values(result.binaries)[0], target);
    fs.chmodSync(target, 0o755);
    results.push(result);
  }
  fs.mkdirSync(path.dirname(paths.cliConfig), { recursive: true });
  fs.writeFileSync(paths.cliConfig, cliConfig(paths.mirror));
  return results;
}
