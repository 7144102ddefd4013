import * as os from "node:os";
import * as path from "node:path";

/**
 * Where the end-to-end rig keeps what it builds, outside git: built programs, the provider mirror, the
 * image root filesystems and the Docker engine's image store. A second run finds them and builds nothing.
 * Override with `MONITORING_E2E_CACHE`.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.MONITORING_E2E_CACHE ?? path.join(os.homedir(), ".cache", "monitoring-stack-e2e");
}

/** The cache's sub-directories. */
export function cachePaths(root = cacheRoot()) {
  return {
    root,
    /** Built programs: `bin/<program>-<version>/<binary>`, each with a `build.json` stamp. */
    bin: path.join(root, "bin"),
    /** Wrapper modules the programs are built in. */
    work: path.join(root, "work"),
    /** Terraform `filesystem_mirror`: `registry.terraform.io/<ns>/<type>/<version>/linux_amd64/…`. */
    mirror: path.join(root, "providers"),
    /** The Terraform CLI config used only by these runs (`TF_CLI_CONFIG_FILE`). */
    cliConfig: path.join(root, "terraformrc"),
    /** Image root filesystems as tarballs, named by the image's content hash. */
    images: path.join(root, "images"),
    /** Debian's dockerd 20.10 `--data-root` (the fallback engine): the imported images survive between runs. */
    dockerData: path.join(root, "docker"),
    /** The built Engine 29's `--data-root` (containerd image store; not shared with 20.10's). */
    engineData: path.join(root, "docker-29"),
  };
}
