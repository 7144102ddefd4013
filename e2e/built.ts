import * as fs from "node:fs";
import * as path from "node:path";
import { cachePaths } from "./paths";
import { PROGRAMS } from "./programs";

/**
 * A binary of a pinned program that `npm run e2e` (or its `--build-only`) built into the cache, e.g.
 * `promtool` of Prometheus 3.16.0; undefined when it has not been built on this machine. Tests and the
 * rehearsal prefer it to Debian's older build: the pinned version is the one that runs in the stack.
 */
export function builtBinary(name: string, paths = cachePaths()): { path: string; release: string } | undefined {
  for (const p of Object.values(PROGRAMS)) {
    if (!(name in p.binaries)) continue;
    const dir = path.join(paths.bin, `${p.name}-${p.version}`);
    const file = path.join(dir, name);
    if (fs.existsSync(path.join(dir, "build.json")) && fs.existsSync(file)) {
      return { path: file, release: p.release };
    }
  }
  return undefined;
}
