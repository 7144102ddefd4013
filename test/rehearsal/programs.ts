import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { builtBinary } from "../../e2e/built";

/** A program the rehearsal runs, and the Debian package that ships it. */
export interface Program {
  readonly path: string;
  readonly debianPackage: string;
}

/** The pinned build of `binary` from the end-to-end cache when present, else Debian's `debianPath`. */
function pinnedOr(binary: string, debianPath: string): string {
  return builtBinary(binary)?.path ?? debianPath;
}

/**
 * Every program the rehearsal needs. The stack's own programs are the pinned versions built by
 * `npm run e2e -- --build-only` when present (Prometheus 3.16, Alertmanager 0.35, the exporters), else
 * Debian's older builds (`.ci/run` installs the packages), which stay the fallback.
 */
export const PROGRAMS = {
  prometheus: { path: pinnedOr("prometheus", "/usr/bin/prometheus"), debianPackage: "prometheus" },
  promtool: { path: pinnedOr("promtool", "/usr/bin/promtool"), debianPackage: "prometheus" },
  alertmanager: { path: pinnedOr("alertmanager", "/usr/bin/prometheus-alertmanager"), debianPackage: "prometheus-alertmanager" },
  amtool: { path: pinnedOr("amtool", "/usr/bin/amtool"), debianPackage: "prometheus-alertmanager" },
  nodeExporter: { path: pinnedOr("node_exporter", "/usr/bin/prometheus-node-exporter"), debianPackage: "prometheus-node-exporter" },
  redisServer: { path: "/usr/bin/redis-server", debianPackage: "redis-server" },
  redisExporter: { path: "/usr/bin/prometheus-redis-exporter", debianPackage: "prometheus-redis-exporter" },
  postgresExporter: { path: pinnedOr("postgres_exporter", "/usr/bin/prometheus-postgres-exporter"), debianPackage: "prometheus-postgres-exporter" },
  initdb: { path: "/usr/lib/postgresql/15/bin/initdb", debianPackage: "postgresql-15" },
  postgres: { path: "/usr/lib/postgresql/15/bin/postgres", debianPackage: "postgresql-15" },
  psql: { path: "/usr/bin/psql", debianPackage: "postgresql-client-15" },
} as const satisfies Record<string, Program>;

export type ProgramName = keyof typeof PROGRAMS;

/** The programs among `names` that are missing or not executable. */
export function missingPrograms(
  names: readonly ProgramName[],
  exists: (p: string) => boolean = (p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
): ProgramName[] {
  return names.filter((n) => !exists(PROGRAMS[n].path));
}

/** The message for missing programs: which are missing and the one command that installs them. */
export function missingProgramsMessage(missing: readonly ProgramName[], ci: boolean): string {
  const packages = [...new Set(missing.map((n) => PROGRAMS[n].debianPackage))].sort();
  return [
    `the rehearsal needs programs that are not installed${ci ? " (CI=true: a missing program is a failure)" : ""}:`,
    ...missing.map((n) => `  - ${PROGRAMS[n].path} (Debian package ${PROGRAMS[n].debianPackage})`),
    `install them with:  apt-get install -y ${packages.join(" ")}`,
  ].join("\n");
}

/** True when `binary --help` mentions `flag`: lets the rehearsal adapt to an older Debian build. */
export function supportsFlag(binary: string, flag: string): boolean {
  const r = spawnSync(binary, ["--help"], { encoding: "utf8", timeout: 10000 });
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.includes(flag.replace(/=.*$/, ""));
}
