/**
 * The config review diff: synthesizes two revisions of this project and prints what a reviewer wants to
 * read — the unified diff of every rendered config file (prometheus.yml, rule files, alertmanager.yml,
 * Loki, Alloy, Jaeger, Grafana provisioning, dashboards) and the Terraform addresses that are added,
 * removed or changed, with what changed inside each one: a container's image, flags, ports, networks,
 * environment (secret values masked), mounts, files, healthcheck and limits one line each
 * (stacks/review-diff-containers.ts), any other block's changed attributes. It needs no Terraform, no
 * Docker host and no state, so it works where a plan can't.
 *
 * Usage: `ts-node stacks/review-diff.ts [--base <git ref>] [--head <git ref>] [--markdown]`
 * - `--base` defaults to `HEAD`; `--head` defaults to the working tree (uncommitted edits included).
 * - Stacks are synthesized with the revision's own `cdktf.json` app command, with `node_modules` of this
 *   checkout linked in; set `MONITORING_ENVIRONMENTS=all` to review the environment stacks too.
 *
 * Files are keyed `<stack>/<service>/<path in the container>` (e.g.
 * `monitoring/prometheus/etc/prometheus/prometheus.yml`), never by the hash folders of `cdktf.out`, so the
 * output is stable across machines and runs.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CONTAINER_TYPES, diffFacts, factsOf, Fact, summarizeNew } from "./review-diff-containers";
import { MASK, maskSecrets } from "../constructs/secret-mask";

/** The Terraform addresses of a stack whose synthesized definition differs between the revisions. */
export interface ResourceChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** A synthesized revision, normalized: config files by stable key, Terraform blocks by address. */
export interface Rendered {
  /** `<stack>/<service>/<container path>` → file text. */
  readonly files: ReadonlyMap<string, string>;
  /** `<stack>: <address>` → normalized JSON of the block. */
  readonly blocks: ReadonlyMap<string, string>;
  /** `<stack>: <address>` → the normalized block itself (what {@link blocks} holds as text). */
  readonly objects: ReadonlyMap<string, Json>;
}

/** The report of {@link compareRendered}. */
export interface ReviewDiff {
  /** Unified diff (`diff -ruN` between `a/` base and `b/` head, no timestamps); empty when no file changed. */
  readonly diff: string;
  readonly resources: ResourceChanges;
  /**
   * What changed inside each changed block, one line per attribute (`- flag …`, `+ port …`, `~ image: a -> b`;
   * secret values masked), and what a new container runs and exposes; by the address of
   * {@link ResourceChanges}. An address without lines changed only in what the review does not itemize.
   */
  readonly details: ReadonlyMap<string, readonly string[]>;
}

type Json = Record<string, any>;

/**
 * Reads a synthesized output directory (`cdktf.out` or a `CDKTF_OUTDIR`). `root` is the directory the app
 * ran in: occurrences of it (in local backend paths) are replaced by `.` so that two checkouts compare equal.
 */
export function readRendered(outdir: string, root?: string): Rendered {
  const files = new Map<string, string>();
  const blocks = new Map<string, string>();
  const objects = new Map<string, Json>();
  const add = (key: string, body: unknown): void => {
    const text = normalizeBlock(body);
    blocks.set(key, text);
    objects.set(key, JSON.parse(text) as Json);
  };
  const stacksDir = path.join(outdir, "stacks");
  const stacks = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir).sort() : [];
  for (const stack of stacks) {
    const dir = path.join(stacksDir, stack);
    const jsonPath = path.join(dir, "cdk.tf.json");
    if (!fs.existsSync(jsonPath)) {
      continue;
    }
    let text = fs.readFileSync(jsonPath, "utf8");
    if (root) {
      text = text.split(root).join(".");
    }
    const tf = JSON.parse(text) as Json;
    const referenced = new Set<string>();

    for (const [type, byName] of Object.entries<Json>(tf.resource ?? {})) {
      for (const [name, body] of Object.entries<Json>(byName)) {
        const service = (body["//"]?.metadata?.path as string | undefined)?.split("/")[1] ?? name;
        for (const upload of ([] as Json[]).concat(body.upload ?? [])) {
          const key = `${stack}/${service}/${String(upload.file).replace(/^\/+/, "")}`;
          if (typeof upload.source === "string") {
            const source = path.join(dir, upload.source);
            referenced.add(path.normalize(source));
            if (fs.existsSync(source)) {
              files.set(key, fs.readFileSync(source, "utf8"));
            }
          } else if (typeof upload.content === "string") {
            files.set(key, upload.content);
          }
        }
        add(`${stack}: ${type}.${name}`, body);
      }
    }
    for (const kind of ["data", "variable", "output", "provider"] as const) {
      for (const [name, body] of Object.entries<any>(tf[kind] ?? {})) {
        if (kind === "data") {
          for (const [n, b] of Object.entries<any>(body)) {
            add(`${stack}: data.${name}.${n}`, b);
          }
        } else {
          add(`${stack}: ${kind}.${name}`, body);
        }
      }
    }
    const terraform = tf.terraform ?? {};
    if (terraform.backend || terraform.cloud) {
      add(`${stack}: terraform.backend`, terraform.backend ?? { cloud: terraform.cloud });
    }
    // Assets no upload refers to still belong to the review: key them by their folder, without hashes.
    const assets = path.join(dir, "assets");
    for (const file of walk(assets)) {
      if (referenced.has(path.normalize(file))) {
        continue;
      }
      const rel = path.relative(assets, file).split(path.sep);
      const folder = rel[0].replace(/_[0-9A-F]{8}$/, "");
      files.set(`${stack}/assets/${folder}/${rel.slice(2).join("/") || rel[rel.length - 1]}`, fs.readFileSync(file, "utf8"));
    }
  }
  return { files, blocks, objects };
}

/** JSON of a block with keys sorted, cdktf's `//` metadata dropped and asset hash folders stripped. */
function normalizeBlock(body: unknown): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      return v.map(norm);
    }
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .filter((k) => k !== "//")
          .sort()
          .map((k) => [k, norm((v as Json)[k])]),
      );
    }
    if (typeof v === "string") {
      return v.replace(/assets\/([^/]+)_[0-9A-F]{8}\/[0-9A-F]{32}\//g, "assets/$1/");
    }
    return v;
  };
  return JSON.stringify(norm(body));
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/**
 * The facts of one block of a revision: a container or swarm service itemized (stacks/review-diff-containers.ts),
 * any other block by its top-level attributes. The value of a sensitive variable's default or output is
 * never shown.
 */
function blockFacts(rendered: Rendered, key: string): Fact[] {
  const block = rendered.objects.get(key);
  if (block === undefined) return [];
  const stack = key.slice(0, key.indexOf(": "));
  const address = key.slice(stack.length + 2);
  const type = address.split(".")[0];
  if (CONTAINER_TYPES.includes(type)) {
    return factsOf(type, block, (ref) => rendered.objects.get(`${stack}: ${ref}`));
  }
  return Object.keys(block)
    .sort()
    .map((k) => ({
      kind: "setting",
      key: k,
      value: block.sensitive === true && (k === "default" || k === "value") ? MASK : maskSecrets(typeof block[k] === "string" ? block[k] : JSON.stringify(block[k])),
    }));
}

/** Compares two rendered revisions: the unified diff of the files and the changed Terraform addresses. */
export function compareRendered(base: Rendered, head: Rendered): ReviewDiff {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "review-diff-"));
  try {
    for (const [side, rendered] of [["a", base], ["b", head]] as const) {
      fs.mkdirSync(path.join(tmp, side));
      for (const [key, text] of rendered.files) {
        const file = path.join(tmp, side, key);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
      }
    }
    let diff = "";
    try {
      execFileSync("diff", ["-ruN", "a", "b"], { cwd: tmp, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
      const err = e as { status?: number; stdout?: string; stderr?: string };
      if (err.status !== 1) {
        throw new Error(`diff failed (${err.status}): ${err.stderr ?? ""}`);
      }
      diff = err.stdout ?? "";
    }
    // `diff -u` stamps each file header with its modification time; reviewers and tests need stable text.
    diff = diff.replace(/^(---|\+\+\+) (\S+)\t.*$/gm, "$1 $2");
    const keys = new Set([...base.blocks.keys(), ...head.blocks.keys()]);
    const added: string[] = [];
    const removed: string[] = [];
    const changed: string[] = [];
    const details = new Map<string, readonly string[]>();
    for (const k of [...keys].sort()) {
      const b = base.blocks.get(k);
      const h = head.blocks.get(k);
      const type = k.slice(k.indexOf(": ") + 2).split(".")[0];
      if (b === undefined) {
        added.push(k);
        if (CONTAINER_TYPES.includes(type)) details.set(k, summarizeNew(blockFacts(head, k)));
      } else if (h === undefined) {
        removed.push(k);
      } else {
        // A container also changes when a block it reads does: a new image tag replaces it.
        const lines = diffFacts(blockFacts(base, k), blockFacts(head, k));
        if (b !== h || lines.length > 0) {
          changed.push(k);
          if (lines.length > 0) details.set(k, lines);
        }
      }
    }
    return { diff, resources: { added, removed, changed }, details };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The report as text (or Markdown for a GitHub job summary). Stable: no paths, hashes or times. */
export function formatReview(review: ReviewDiff, options: { markdown?: boolean; base?: string; head?: string } = {}): string {
  const { added, removed, changed } = review.resources;
  const title = `Config review diff (${options.base ?? "base"} → ${options.head ?? "head"})`;
  if (review.diff === "" && added.length + removed.length + changed.length === 0) {
    return options.markdown ? `### ${title}\n\nno config changes\n` : "no config changes\n";
  }
  const lines: string[] = [];
  lines.push(options.markdown ? `### ${title}` : `# ${title}`, "");
  lines.push(options.markdown ? "#### Terraform addresses" : "## Terraform addresses", "");
  const list = (label: string, sign: string, items: readonly string[]): void => {
    for (const i of items) {
      lines.push(options.markdown ? `- ${label} \`${i}\`` : `${sign} ${i}`);
      // What changed inside it, under it: indented text, or a diff block inside the list item.
      const details = review.details.get(i) ?? [];
      if (details.length === 0) continue;
      if (options.markdown) {
        const fence = details.some((d) => d.includes("```")) ? "~~~~" : "```";
        lines.push(`  ${fence}diff`, ...details.map((d) => `  ${d}`), `  ${fence}`);
      } else {
        lines.push(...details.map((d) => `    ${d}`));
      }
    }
  };
  list("added", "+", added);
  list("removed", "-", removed);
  list("changed", "~", changed);
  if (added.length + removed.length + changed.length === 0) {
    lines.push("(none)");
  }
  lines.push("", options.markdown ? "#### Rendered config files" : "## Rendered config files", "");
  if (review.diff === "") {
    lines.push("(no file changed)");
  } else if (options.markdown) {
    const fence = review.diff.includes("```") ? "~~~~" : "```";
    lines.push(`${fence}diff`, review.diff.trimEnd(), fence);
  } else {
    lines.push(review.diff.trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

/** Runs a program, failing with its output. */
function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(file, [...args], { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(" ")} failed in ${cwd}:\n${err.stderr || err.stdout || err.message}`);
  }
}

/**
 * Synthesizes the app in `dir` into `outdir` with the app command of its `cdktf.json`, without the cdktf
 * CLI (`CDKTF_OUTDIR`). ts-node transpiles only: the revision's type errors are the test suite's business.
 */
export function synthesize(dir: string, outdir: string): void {
  const cdktf = JSON.parse(fs.readFileSync(path.join(dir, "cdktf.json"), "utf8")) as { app?: string };
  const app = cdktf.app ?? "npx ts-node main.ts";
  fs.mkdirSync(outdir, { recursive: true });
  run("sh", ["-c", app], dir, { ...process.env, CDKTF_OUTDIR: outdir, TS_NODE_TRANSPILE_ONLY: "true", CHECKPOINT_DISABLE: "1" });
}

/**
 * Checks out `ref` of the repository at `repo` into a temporary worktree, links `repo`'s node_modules into
 * it (an `npm ci` per revision would be too slow), synthesizes it and returns what it rendered.
 */
export function renderRevision(repo: string, ref: string | undefined, tmp: string, side: string): Rendered {
  if (ref === undefined) {
    const outdir = path.join(tmp, `${side}.out`);
    synthesize(repo, outdir);
    return readRendered(outdir, repo);
  }
  const tree = path.join(tmp, side);
  run("git", ["worktree", "add", "--detach", "--quiet", tree, ref], repo);
  try {
    if (!fs.existsSync(path.join(tree, "node_modules"))) {
      fs.symlinkSync(path.join(repo, "node_modules"), path.join(tree, "node_modules"), "dir");
    }
    const outdir = path.join(tmp, `${side}.out`);
    synthesize(tree, outdir);
    return readRendered(outdir, tree);
  } finally {
    run("git", ["worktree", "remove", "--force", tree], repo);
  }
}

/** Parses the command line; throws on an unknown argument. */
export function parseArgs(argv: readonly string[]): { base: string; head?: string; markdown: boolean } {
  let base = "HEAD";
  let head: string | undefined;
  let markdown = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--base" || a === "--head") {
      const v = argv[++i];
      if (!v || v.startsWith("--")) {
        throw new Error(`${a} needs a git ref`);
      }
      if (a === "--base") {
        base = v;
      } else {
        head = v;
      }
    } else if (a === "--markdown") {
      markdown = true;
    } else {
      throw new Error(`unknown argument "${a}"; usage: review-diff [--base <ref>] [--head <ref>] [--markdown]`);
    }
  }
  return { base, head, markdown };
}

/** The command: prints the report for `--base` against `--head` (or the working tree) of the repo in `cwd`. */
export function main(argv: readonly string[], cwd = process.cwd()): string {
  const args = parseArgs(argv);
  const repo = run("git", ["rev-parse", "--show-toplevel"], cwd).trim();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "review-diff-"));
  try {
    const base = renderRevision(repo, args.base, tmp, "base");
    const head = renderRevision(repo, args.head, tmp, "head");
    return formatReview(compareRendered(base, head), { markdown: args.markdown, base: args.base, head: args.head ?? "working tree" });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    process.stdout.write(main(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`review-diff: ${(e as Error).message}\n`);
    process.exit(2);
  }
}
