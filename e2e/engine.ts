import * as path from "node:path";
import { Dockerd, launchDockerd, makeRunDir, startDockerd } from "./dockerd";
import { PROGRAMS } from "./programs";

/** The engine a run deployed on, for its report. */
export interface EngineChoice {
  readonly dockerd: Dockerd;
  /** e.g. `Docker Engine 29.8.1 (moby/v2 v2.0.0-beta.24, containerd v2.4.2, runc 1.5.3), containerd image store` */
  readonly description: string;
  /** Set when the fallback (Debian's 20.10) runs, with why. */
  readonly fallback?: string;
}

/** The binaries of the built engine: folder of each program's build. */
export interface EngineBinaries {
  readonly dockerd: string;
  readonly containerd: string;
  readonly runc: string;
}

/**
 * The oldest API the built engine accepts from a client. Engine 29 refuses clients older than API 1.44
 * by default; the rig's docker CLI is Debian's 20.10 (API 1.41), so the engine is told to accept it. The
 * Terraform provider and Compose negotiate the engine's own version (1.52).
 */
export const MIN_CLIENT_API = "1.41";

/**
 * dockerd 29's flags for the rig: its own data, exec root, pid file and socket; no iptables rules, no
 * default bridge. Storage is the engine's default: containerd's image store on the overlayfs snapshotter
 * (dockerd starts its own containerd from the PATH, under the data and exec roots).
 */
export function engineArgs(dataRoot: string, runDir: string): string[] {
  return [
    "--data-root", dataRoot,
    "--exec-root", path.join(runDir, "exec"),
    "--pidfile", path.join(runDir, "dockerd.pid"),
    "-H", `unix://${path.join(runDir, "docker.sock")}`,
    "--iptables=false",
    "--ip6tables=false",
    "--bridge=none",
  ];
}

/**
 * dockerd's environment: the built dockerd, docker-proxy, containerd, its shim and runc first on the
 * PATH (dockerd finds containerd, the shim finds runc there; docker-init stays the machine's), and the
 * oldest client API it accepts.
 */
export function engineEnv(bins: EngineBinaries, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const dirs = [bins.dockerd, bins.containerd, bins.runc].map((b) => path.dirname(b));
  return { ...base, PATH: [...new Set(dirs), base.PATH ?? "/usr/bin:/bin"].join(":"), DOCKER_MIN_API_VERSION: MIN_CLIENT_API };
}

/** What the built engine is, by its pins. */
export function engineDescription(): string {
  const { moby, containerd, runc } = PROGRAMS;
  return `Docker Engine ${moby.release} (moby/v2 ${moby.version}, containerd ${containerd.version}, runc ${runc.release}), containerd image store`;
}

/**
 * Starts the built Engine 29 when its binaries are there, else Debian's docker.io 20.10 (the named
 * fallback, with the reason). Each keeps its own data root: their image stores are not compatible.
 */
export async function startEngine(
  bins: EngineBinaries | undefined,
  roots: { readonly engine: string; readonly fallback: string },
  why?: string,
): Promise<EngineChoice> {
  if (bins) {
    const runDir = makeRunDir();
    const dockerd = await launchDockerd({ command: bins.dockerd, args: engineArgs(roots.engine, runDir), env: engineEnv(bins), runDir }, 90);
    return { dockerd, description: engineDescription() };
  }
  const dockerd = await startDockerd(roots.fallback);
  return { dockerd, description: `Debian's docker.io ${dockerd.version} (vfs storage)`, fallback: why ?? "the engine was not built" };
}
