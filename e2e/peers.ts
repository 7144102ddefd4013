import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ImageRecipe } from "./images";

/**
 * The end-to-end deploy's peers: what the stack watches and notifies, made from programs of this
 * machine. None of them stands in for a service of the stack; they are the application, its database
 * and a notification receiver, which a real deployment has of its own.
 */

/** Debian's PostgreSQL 15 (the `postgresql` package the rehearsal installs). */
export const POSTGRES_HOME = "/usr/lib/postgresql/15";
const POSTGRES_SHARE = "/usr/share/postgresql/15";
const POSTGRES_USER = { name: "postgres", uid: 999, gid: 999 };

/**
 * PostgreSQL 15 from this machine's Debian package with its shared libraries, initialised on first
 * start with a password (scram-sha-256 over the network) and `pg_stat_statements` preloaded, as the
 * stack's README asks of the monitored database.
 */
export function postgresRecipe(tag = "e2e/postgres:15"): ImageRecipe {
  const bin = path.join(POSTGRES_HOME, "bin");
  const lib = path.join(POSTGRES_HOME, "lib");
  const executables = [
    ...fs.readdirSync(bin).map((f) => path.join(bin, f)),
    ...fs.readdirSync(lib).filter((f) => f.endsWith(".so")).map((f) => path.join(lib, f)),
  ];
  const start = [
    "#!/bin/sh",
    "set -e",
    `PGDATA=/var/lib/postgresql/data`,
    'if [ ! -s "$PGDATA/PG_VERSION" ]; then',
    '  printf %s "$POSTGRES_PASSWORD" > /tmp/pw',
    `  ${bin}/initdb -D "$PGDATA" -U postgres --pwfile=/tmp/pw --auth-local=trust --auth-host=scram-sha-256 --no-locale -E UTF8`,
    "  rm /tmp/pw",
    '  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"',
    "fi",
    `exec ${bin}/postgres -D "$PGDATA" -c listen_addresses='*' -c shared_preload_libraries=pg_stat_statements -c timezone=UTC -c log_timezone=UTC -k /tmp`,
    "",
  ].join("\n");
  return {
    tag,
    copy: [
      { from: POSTGRES_HOME, to: POSTGRES_HOME },
      { from: POSTGRES_SHARE, to: POSTGRES_SHARE },
      { from: "/usr/share/zoneinfo/UTC", to: "/usr/share/zoneinfo/UTC" },
    ],
    dynamic: executables,
    write: [{ path: "/usr/local/bin/start-postgres", content: start, mode: 0o755 }],
    dirs: [{ path: "/var/lib/postgresql", uid: POSTGRES_USER.uid, mode: 0o700 }],
    users: [POSTGRES_USER],
    user: POSTGRES_USER.name,
    entrypoint: ["/usr/local/bin/start-postgres"],
    env: { TZ: "UTC" },
  };
}

/** Debian's Redis server (package redis-server): one binary, dynamically linked. */
export const REDIS_SERVER = "/usr/bin/redis-server";
const REDIS_USER = { name: "redis", uid: 999, gid: 999 };

/**
 * Redis from this machine's Debian package with its shared libraries, requiring the password of
 * `REDIS_PASSWORD` (written to a config file at start, so it is not in the process' arguments), without
 * persistence: the peer only has to be up or down.
 */
export function redisRecipe(tag = "e2e/redis:7"): ImageRecipe {
  const start = [
    "#!/bin/sh",
    "set -e",
    // A config file of the container's own, so the password is not in the process' arguments; exec:
    // redis-server is PID 1 and stops on docker stop's SIGTERM.
    "umask 077",
    `printf 'requirepass %s\\n' "$REDIS_PASSWORD" > /tmp/redis.conf`,
    `exec ${REDIS_SERVER} /tmp/redis.conf --bind 0.0.0.0 --port 6379 --protected-mode no --save '' --appendonly no --dir /data`,
    "",
  ].join("\n");
  return {
    tag,
    copy: [{ from: REDIS_SERVER, to: REDIS_SERVER }],
    dynamic: [REDIS_SERVER],
    write: [{ path: "/usr/local/bin/start-redis", content: start, mode: 0o755 }],
    dirs: [{ path: "/data", uid: REDIS_USER.uid, mode: 0o700 }],
    users: [REDIS_USER],
    user: REDIS_USER.name,
    entrypoint: ["/usr/local/bin/start-redis"],
  };
}

/**
 * A webhook receiver: busybox httpd with a CGI script that appends each POST body as one line to
 * `/www/received.log` (read back with `docker exec … cat`).
 */
export function webhookRecipe(tag = "e2e/webhook:1"): ImageRecipe {
  const hook = [
    "#!/bin/sh",
    // One notification per line; Alertmanager's JSON has no raw newlines.
    'head -c "${CONTENT_LENGTH:-0}" | tr -d "\\n" >> /www/received.log',
    'echo >> /www/received.log',
    'printf "Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nok\\n"',
    "",
  ].join("\n");
  return {
    tag,
    copy: [],
    write: [{ path: "/www/cgi-bin/hook", content: hook, mode: 0o755 }],
    dirs: [{ path: "/www", uid: 65534, mode: 0o755 }],
    users: [{ name: "nobody", uid: 65534, gid: 65534 }],
    user: "nobody",
    entrypoint: ["/bin/httpd", "-f", "-v", "-p", "8080", "-h", "/www"],
  };
}

/** A package and every package it depends on, from node_modules (prom-client and its few dependencies). */
export function packageClosure(nodeModules: string, name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const manifest = JSON.parse(fs.readFileSync(path.join(nodeModules, name, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  return [name, ...Object.keys(manifest.dependencies ?? {}).flatMap((d) => packageClosure(nodeModules, d, seen))];
}

/**
 * Compiles the rig's own programs (the e2e cdktf app and the messenger peer) with the project's
 * TypeScript into `outDir`, where `cdktf deploy --app` and the messenger image take them from.
 */
export function compileRig(projectDir: string, outDir: string): void {
  fs.rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [path.join(projectDir, "node_modules/typescript/bin/tsc"), "-p", path.join(projectDir, "e2e/tsconfig.json"), "--outDir", outDir],
    { cwd: projectDir, stdio: ["ignore", "pipe", "pipe"] },
  );
}

/**
 * The rehearsal's synthetic messenger (test/rehearsal/messenger.ts), compiled by {@link compileRig} and
 * run by this machine's Node.js binary with its shared libraries: the application whose four services
 * the stack scrapes.
 */
export function messengerRecipe(projectDir: string, compiled: string, tag = "e2e/messenger:1"): ImageRecipe {
  const out = compiled;
  const nodeModules = path.join(projectDir, "node_modules");
  const node = fs.realpathSync(process.execPath);
  return {
    tag,
    copy: [
      { from: node, to: "/usr/local/bin/node" },
      { from: out, to: "/app" },
      ...packageClosure(nodeModules, "prom-client").map((p) => ({ from: path.join(nodeModules, p), to: `/app/node_modules/${p}` })),
    ],
    dynamic: [node],
    users: [{ name: "nobody", uid: 65534, gid: 65534 }],
    user: "nobody",
    entrypoint: ["/usr/local/bin/node", "/app/e2e/peers/messenger-main.js"],
  };
}
