import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { GoProgram } from "./programs";

/** What building one program produced. */
export interface BuildResult {
  readonly program: GoProgram;
  /** Binary name → absolute path. */
  readonly binaries: Readonly<Record<string, string>>;
  /** False when the binaries came from the cache. */
  readonly built: boolean;
  /** Wall time of this build (0 when cached) and of the build that made the cached binaries. */
  readonly seconds: number;
  /** Bytes of the binaries on disk. */
  readonly bytes: number;
}

/** A build that cannot succeed here, with the program, the step and the tool's own words. */
export class BuildError extends Error {}

/**
 * The environment every build runs in: the machine's Go only, no VCS stamping, and cgo off (static
 * binaries) unless the program asks for it ({@link GoProgram.cgo}).
 */
export function goEnv(base: NodeJS.ProcessEnv = process.env, p?: Pick<GoProgram, "cgo">): NodeJS.ProcessEnv {
  return { ...base, CGO_ENABLED: p?.cgo ? "1" : "0", GOTOOLCHAIN: "local", GOFLAGS: "-buildvcs=false", GOWORK: "off" };
}

/** Quotes one linker argument for `-ldflags` (Go splits it like a shell would) when it needs it. */
function ldQuote(arg: string): string {
  if (!/[\s'"]/.test(arg)) return arg;
  // cmd/go's quoting has no escapes: an argument is enclosed in the quote it does not contain.
  if (!arg.includes("'")) return `'${arg}'`;
  if (!arg.includes('"')) return `"${arg}"`;
  throw new BuildError(`a linker argument cannot hold both kinds of quotes: ${arg}`);
}

/** The `-ldflags` value: stripped, the version variables, then the program's own linker flags. */
export function ldflagsOf(p: GoProgram): string {
  const versions = Object.entries(p.versionFlags ?? {}).flatMap(([k, v]) => ["-X", ldQuote(`${k}=${v}`)]);
  return ["-s", "-w", ...versions, ...(p.ldflags ?? []).map(ldQuote)].join(" ");
}

/** The `go build` arguments of one binary of a program. */
export function goBuildArgs(p: GoProgram, pkg: string, output: string): string[] {
  const args = ["build", "-trimpath", ...(p.buildFlags ?? []), "-ldflags", ldflagsOf(p), "-o", output];
  if (p.tags && p.tags.length > 0) args.push("-tags", p.tags.join(","));
  return [...args, pkg];
}

/**
 * What the binaries are made from, hashed into `build.json`: a changed tag, flag or cgo setting of the
 * same version rebuilds them (a moved version is a new folder anyway).
 */
export function buildRecipe(p: GoProgram): string {
  const { name, module, version, requirePath, binaries, tags, versionFlags, placeholders, cgo, buildFlags, ldflags } = p;
  const recipe = { name, module, version, requirePath, binaries, tags, versionFlags, placeholders, cgo: cgo?.debianPackages, buildFlags, ldflags };
  return createHash("sha256").update(JSON.stringify(recipe)).digest("hex").slice(0, 16);
}

/**
 * What a cgo build lacks on this machine (the C compiler, a file of a development package), each with
 * the Debian package that has it; empty for a pure-Go build.
 */
export function missingForCgo(p: GoProgram, exists: (file: string) => boolean = fs.existsSync, hasGcc = hasCommand("gcc")): string[] {
  if (!p.cgo) return [];
  const missing = hasGcc ? [] : ["gcc (Debian package gcc)"];
  for (const f of p.cgo.needs) {
    if (!exists(f)) missing.push(`${f} (Debian package ${p.cgo.debianPackages.join(" or ")})`);
  }
  return missing;
}

function hasCommand(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * The `replace` lines of a go.mod that point at another module (`path [v] => path v`). Local replaces
 * (`=> ./dir`) cannot be carried into a wrapper module: they are returned in `local` so the caller can
 * say so.
 */
export function parseReplaces(goMod: string): { remote: string[]; local: string[] } {
  const remote: string[] = [];
  const local: string[] = [];
  const lines: string[] = [];
  let inBlock = false;
  for (const raw of goMod.split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (inBlock) {
      if (line === ")") inBlock = false;
      else if (line) lines.push(line);
    } else if (/^replace\s*\($/.test(line)) {
      inBlock = true;
    } else if (line.startsWith("replace ")) {
      lines.push(line.slice("replace ".length).trim());
    }
  }
  for (const line of lines) {
    const target = line.split("=>")[1]?.trim() ?? "";
    (target.startsWith(".") || target.startsWith("/") ? local : remote).push(line);
  }
  return { remote, local };
}

/** The wrapper module's go.mod: requires the program's module (under its declared path) plus its replaces. */
export function wrapperGoMod(p: GoProgram, upstreamReplaces: readonly string[], sourceCopy?: string): string {
  const required = p.requirePath ?? p.module;
  const lines = [`module e2e.local/${p.name.replace(/[^A-Za-z0-9_-]/g, "-")}`, "", `go ${machineGoVersion()}`, ""];
  lines.push(`require ${required} ${p.version}`, "");
  if (sourceCopy) {
    lines.push(`replace ${required} => ${sourceCopy}`);
  } else if (p.requirePath) {
    lines.push(`replace ${p.requirePath} => ${p.module} ${p.version}`);
  }
  for (const r of upstreamReplaces) {
    lines.push(`replace ${r}`);
  }
  return lines.join("\n") + "\n";
}

let goVersionCache: string | undefined;
/** `1.26` for go1.26.8: the wrapper asks for no newer language than the machine has. */
export function machineGoVersion(): string {
  if (!goVersionCache) {
    const v = execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim();
    const m = /^go(\d+\.\d+)/.exec(v);
    if (!m) throw new BuildError(`cannot read the Go version from "${v}"`);
    goVersionCache = m[1];
  }
  return goVersionCache;
}

/** Runs a Go command in `cwd`, its output appended to `log`; throws BuildError naming the step. */
async function go(args: readonly string[], cwd: string, log: string, what: string, p?: GoProgram): Promise<string> {
  fs.appendFileSync(log, `\n$ go ${args.join(" ")}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn("go", [...args], { cwd, env: goEnv(process.env, p), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const collect = (b: Buffer) => {
      out += b.toString();
      fs.appendFileSync(log, b);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", (e) => reject(new BuildError(`${what}: cannot run go: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new BuildError(`${what}: \`go ${args.join(" ")}\` failed (exit ${code}); last lines:\n${out.trim().split("\n").slice(-12).join("\n")}\n(full log: ${log})`));
    });
  });
}

/** Total size of files. */
function bytesOf(files: readonly string[]): number {
  return files.reduce((n, f) => n + fs.statSync(f).size, 0);
}

/**
 * Builds a program's binaries into `binRoot/<name>-<version>/` inside a wrapper module under
 * `workRoot`, or returns them from there when a previous run built them (a `build.json` stamp).
 * The wrapper carries the module's remote `replace` lines, which `go install pkg@version` refuses.
 */
export async function buildProgram(p: GoProgram, binRoot: string, workRoot: string): Promise<BuildResult> {
  const outDir = path.join(binRoot, `${p.name}-${p.version}`);
  const stamp = path.join(outDir, "build.json");
  const binaries = Object.fromEntries(Object.keys(p.binaries).map((b) => [b, path.join(outDir, b)]));
  const recipe = buildRecipe(p);
  if (fs.existsSync(stamp) && Object.values(binaries).every((f) => fs.existsSync(f))) {
    const previous = JSON.parse(fs.readFileSync(stamp, "utf8")) as { seconds: number; recipe?: string };
    // Stamps written before recipes were recorded are taken as they are.
    if (previous.recipe === undefined || previous.recipe === recipe) {
      return { program: p, binaries, built: false, seconds: previous.seconds, bytes: bytesOf(Object.values(binaries)) };
    }
  }
  const what = `build of ${p.name} ${p.release} (${p.module}@${p.version})`;
  const missing = missingForCgo(p);
  if (missing.length > 0) {
    throw new BuildError(`${what}: cgo (${p.cgo?.why}) needs ${missing.join(", ")}`);
  }
  const started = Date.now();
  const work = path.join(workRoot, `${p.name}-${p.version}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  fs.mkdirSync(outDir, { recursive: true });
  const log = path.join(outDir, "build.log");
  fs.writeFileSync(log, `build of ${p.module}@${p.version} (${p.name} ${p.release})${p.cgo ? ", CGO_ENABLED=1" : ""}\n`);

  // The module's own go.mod, for its replace lines.
  const info = JSON.parse(await go(["mod", "download", "-json", `${p.module}@${p.version}`], work, log, what)) as {
    GoMod?: string;
    Dir?: string;
    Error?: string;
  };
  if (info.Error || !info.GoMod || !info.Dir) {
    throw new BuildError(`${what}: the module proxy did not serve it: ${info.Error ?? "no go.mod"}`);
  }
  const { remote, local } = parseReplaces(fs.readFileSync(info.GoMod, "utf8"));
  if (local.length > 0) {
    throw new BuildError(`${what}: its go.mod has local replaces a wrapper cannot carry: ${local.join("; ")}`);
  }
  let sourceCopy: string | undefined;
  if (p.placeholders && p.placeholders.length > 0) {
    // The module cache is read-only: copy the module and add what its //go:embed lines need.
    sourceCopy = "./src";
    fs.cpSync(info.Dir, path.join(work, "src"), { recursive: true });
    execFileSync("chmod", ["-R", "u+w", path.join(work, "src")]);
    for (const ph of p.placeholders) {
      const file = path.join(work, "src", ph.path);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, ph.path.endsWith(".gz") ? gzipSync(ph.content) : ph.content);
      fs.appendFileSync(log, `placeholder ${ph.path}: ${ph.why}\n`);
    }
  }
  fs.writeFileSync(path.join(work, "go.mod"), wrapperGoMod(p, remote, sourceCopy));
  // Blank imports of the main packages keep the requirement and its checksums through `go mod tidy`;
  // the build tag keeps the file out of every build.
  const imports = Object.values(p.binaries).map((pkg) => `import _ "${pkg}"`).join("\n");
  fs.writeFileSync(path.join(work, "tools.go"), `//go:build tools\n\npackage tools\n\n${imports}\n`);
  await go(["mod", "tidy"], work, log, what);

  for (const [bin, pkg] of Object.entries(p.binaries)) {
    await go(goBuildArgs(p, pkg, binaries[bin]), work, log, what, p);
  }
  const seconds = (Date.now() - started) / 1000;
  fs.writeFileSync(stamp, JSON.stringify({ module: p.module, version: p.version, release: p.release, recipe, seconds }, null, 2));
  return { program: p, binaries, built: true, seconds, bytes: bytesOf(Object.values(binaries)) };
}
