import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { Dockerd } from "./dockerd";

/** A user of an image's /etc/passwd. */
export interface ImageUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * How to make one local image: a busybox root filesystem (Debian's busybox-static, like upstream's
 * busybox base) plus files from this machine, imported with `docker import` under exactly `tag`.
 */
export interface ImageRecipe {
  /** The full reference the stack names, e.g. `prom/prometheus:v3.16.0`. */
  readonly tag: string;
  /** Files or directories of this machine → path in the image (directories are copied whole). */
  readonly copy: readonly { readonly from: string; readonly to: string }[];
  /** Files written from text. */
  readonly write?: readonly { readonly path: string; readonly content: string; readonly mode?: number }[];
  /** Directories to create with their owner (data directories the program writes). */
  readonly dirs?: readonly { readonly path: string; readonly uid: number; readonly mode?: number }[];
  /** Users besides root (uid 0). */
  readonly users?: readonly ImageUser[];
  /** Executables whose shared libraries (per `ldd`) are copied along; none for static Go binaries. */
  readonly dynamic?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  /** User name or uid. @default root */
  readonly user?: string;
  readonly workdir?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** The label that records which recipe an image was made from, so a changed recipe re-imports it. */
export const RECIPE_LABEL = "com.monitoring-stack.e2e-recipe";

/** Where Debian's busybox-static installs the static binary. */
export const BUSYBOX = "/bin/busybox";

/** A hash of the recipe and of the content of every file it copies (a rebuilt binary changes it). */
export function recipeHash(recipe: ImageRecipe): string {
  const h = createHash("sha256").update(JSON.stringify(recipe));
  for (const c of recipe.copy) {
    for (const f of walk(c.from)) {
      h.update(`${f}\0`).update(fs.readFileSync(f)).update("\0");
    }
  }
  return h.digest("hex").slice(0, 16);
}

function walk(p: string): string[] {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return [p];
  return fs.readdirSync(p).sort().flatMap((e) => walk(path.join(p, e)));
}

/** The shared libraries `ldd` lists for executables, with the dynamic loader. */
export function sharedLibraries(executables: readonly string[]): string[] {
  const libs = new Set<string>();
  for (const exe of executables) {
    let out = "";
    try {
      out = execFileSync("ldd", [exe], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    } catch {
      continue; // "not a dynamic executable"
    }
    for (const line of out.split("\n")) {
      const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
      if (m) libs.add(m[1]);
    }
  }
  return [...libs].sort();
}

/** `docker import --change` lines of a recipe. */
export function importChanges(recipe: ImageRecipe, hash: string): string[] {
  const changes: string[] = [];
  if (recipe.entrypoint) changes.push(`ENTRYPOINT ${JSON.stringify(recipe.entrypoint)}`);
  if (recipe.cmd) changes.push(`CMD ${JSON.stringify(recipe.cmd)}`);
  if (recipe.user) changes.push(`USER ${recipe.user}`);
  if (recipe.workdir) changes.push(`WORKDIR ${recipe.workdir}`);
  for (const [k, v] of Object.entries(recipe.env ?? {})) changes.push(`ENV ${k}=${v}`);
  changes.push(`LABEL ${RECIPE_LABEL}=${hash}`);
  return changes;
}

/** Writes the recipe's root filesystem into `root` (which must be empty). */
export function buildRootfs(recipe: ImageRecipe, root: string): void {
  const mk = (p: string, mode = 0o755) => fs.mkdirSync(path.join(root, p), { recursive: true, mode });
  for (const d of ["bin", "etc", "root", "home", "proc", "sys", "dev", "usr/bin", "var"]) mk(d);
  mk("tmp");
  fs.chmodSync(path.join(root, "tmp"), 0o1777);
  fs.copyFileSync(BUSYBOX, path.join(root, "bin/busybox"));
  fs.chmodSync(path.join(root, "bin/busybox"), 0o755);
  const applets = execFileSync(BUSYBOX, ["--list"], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const a of applets) {
    const link = path.join(root, "bin", a);
    if (!fs.existsSync(link)) fs.symlinkSync("busybox", link);
  }
  const users: ImageUser[] = [{ name: "root", uid: 0, gid: 0 }, ...(recipe.users ?? [])];
  fs.writeFileSync(
    path.join(root, "etc/passwd"),
    users.map((u) => `${u.name}:x:${u.uid}:${u.gid}:${u.name}:${u.uid === 0 ? "/root" : "/home"}:/bin/sh\n`).join(""),
  );
  const groups = new Map(users.map((u) => [u.gid, u.name === "nobody" ? "nogroup" : u.name]));
  fs.writeFileSync(path.join(root, "etc/group"), [...groups].map(([gid, name]) => `${name}:x:${gid}:\n`).join(""));
  const copies = [...recipe.copy, ...sharedLibraries(recipe.dynamic ?? []).map((lib) => ({ from: lib, to: lib }))];
  for (const c of copies) {
    const target = path.join(root, c.to);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Follow symlinks: the image gets the real file under the path the program asks for.
    fs.cpSync(c.from, target, { recursive: true, dereference: true });
  }
  for (const w of recipe.write ?? []) {
    const target = path.join(root, w.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, w.content, { mode: w.mode ?? 0o644 });
  }
  for (const d of recipe.dirs ?? []) {
    const target = path.join(root, d.path);
    fs.mkdirSync(target, { recursive: true });
    fs.chmodSync(target, d.mode ?? 0o755);
    const user = users.find((u) => u.uid === d.uid);
    fs.chownSync(target, d.uid, user?.gid ?? d.uid);
  }
}

/** What {@link ensureImage} did. */
export interface ImageResult {
  readonly tag: string;
  /** False when an image of the same recipe was already in the engine's store. */
  readonly imported: boolean;
  readonly seconds: number;
  /** Size of the root filesystem tarball. */
  readonly bytes: number;
}

/** Imports the recipe's image under its tag, unless the engine already has it from the same recipe. */
export async function ensureImage(dockerd: Dockerd, recipe: ImageRecipe): Promise<ImageResult> {
  const started = Date.now();
  const hash = recipeHash(recipe);
  const existing = await dockerd
    .docker(["image", "inspect", "--format", `{{index .Config.Labels "${RECIPE_LABEL}"}}|{{.Size}}`, recipe.tag])
    .catch(() => "");
  const [label, size] = existing.trim().split("|");
  if (label === hash) {
    return { tag: recipe.tag, imported: false, seconds: 0, bytes: Number(size) };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-image-"));
  try {
    const root = path.join(dir, "rootfs");
    fs.mkdirSync(root);
    buildRootfs(recipe, root);
    const tarball = path.join(dir, "rootfs.tar");
    execFileSync("tar", ["--numeric-owner", "-C", root, "-cf", tarball, "."]);
    const args = ["import"];
    for (const c of importChanges(recipe, hash)) args.push("--change", c);
    await dockerd.docker([...args, tarball, recipe.tag]);
    return { tag: recipe.tag, imported: true, seconds: (Date.now() - started) / 1000, bytes: fs.statSync(tarball).size };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
