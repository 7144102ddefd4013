/**
 * What changed inside a container, for the config review diff (stacks/review-diff.ts): the attributes a
 * reviewer must see — image, command flags, environment, published ports, networks, mounts, uploaded
 * files, healthcheck, limits, labels and the remaining settings — one line each, instead of a bare
 * `~ docker_container.…`. A `docker_container` (one host) and a `docker_service` (a swarm) read the same.
 *
 * References are resolved within the revision (`${docker_image.x.image_id}` → the image's name,
 * `${docker_network.x.name}` → the network's name), so a new image tag shows on the container it replaces.
 * No secret value is echoed: environment values that come from a Terraform expression (a sensitive
 * variable, a generated password) or whose name says secret are masked, every other value goes through
 * the project's masking (URL user info, `password=…`), and secret files show only that they changed.
 */
import { createHash } from "node:crypto";
import { MASK, maskSecrets } from "../constructs/secret-mask";

type Json = Record<string, any>;

/** One attribute of a container as a reviewer reads it. */
export interface Fact {
  /** What it is: `image`, `flag`, `env`, `port`, `network`, `mount`, `file`, `healthcheck`, … */
  readonly kind: string;
  /**
   * For attributes that have a name (an environment variable, a label, a setting): a changed value is one
   * `~` line. Facts without a key are compared as a set: `-` the old, `+` the new.
   */
  readonly key?: string;
  /** The value as shown: secret parts masked. */
  readonly value: string;
  /**
   * When masking changed the value: a hash of the unmasked one, compared and never printed, so that a
   * changed secret is a changed line (`*** -> ***`) without showing either.
   */
  readonly fingerprint?: string;
}

/** A fact whose shown value may be masked: it keeps a fingerprint of the raw one for comparison. */
function fact(kind: string, key: string | undefined, raw: string, shown: string): Fact {
  const f: Fact = key === undefined ? { kind, value: shown } : { kind, key, value: shown };
  return shown === raw ? f : { ...f, fingerprint: createHash("sha256").update(raw).digest("hex") };
}

/** Looks up another block of the same revision and stack by its Terraform address (`docker_image.x`, `data.docker_network.y`). */
export type BlockLookup = (address: string) => Json | undefined;

/** The resource types whose changes are itemized as containers. */
export const CONTAINER_TYPES: readonly string[] = ["docker_container", "docker_service"];

/** A label the stack sets to the hash of the healthcheck (so an edited one recreates the container): the healthcheck lines say what changed. */
const HEALTHCHECK_HASH_LABEL = "com.monitoring-stack.healthcheck-sha256";

/** Environment variable names whose value is a secret even when written literally (not `…_FILE`, which is a path). */
const SECRET_ENV_NAME = /(PASS(WORD|WD)?|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;

const INTERPOLATION = /\$\{([^}]*)\}/g;

/**
 * A string with every `${type.name.attr}` reference to a block that has a `name` replaced by that name;
 * references to anything else (variables, generated values) are left as they are.
 */
function resolveRefs(text: string, lookup: BlockLookup): string {
  return text.replace(INTERPOLATION, (whole, expr: string) => {
    const m = /^((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.(name|id|image_id)$/.exec(expr.trim());
    const name = m ? lookup(m[1])?.name : undefined;
    return typeof name === "string" && !name.includes("${") ? name : whole;
  });
}

/** The Terraform addresses an expression reads (`var.redis_password`, `random_password.grafana.result` → `random_password.grafana`). */
function references(text: string): string[] {
  const out: string[] = [];
  for (const [, expr] of text.matchAll(INTERPOLATION)) {
    for (const [ref] of expr.matchAll(/\b(?:var\.[A-Za-z0-9_-]+|(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)/g)) {
      const address = ref.startsWith("var.") ? ref : ref.split(".").slice(0, ref.startsWith("data.") ? 3 : 2).join(".");
      if (!out.includes(address)) out.push(address);
    }
  }
  return out;
}

/**
 * An environment value as the review shows it: masked when it is computed by Terraform (only the
 * references it reads are named) or when the variable's name says it is a secret; otherwise the value
 * with secret-looking parts masked.
 */
export function reviewEnvValue(name: string, value: string, lookup: BlockLookup): string {
  const resolved = resolveRefs(value, lookup);
  if (resolved.includes("${")) {
    const refs = references(resolved);
    return refs.length > 0 ? `${MASK} (from ${refs.join(", ")})` : MASK;
  }
  if (SECRET_ENV_NAME.test(name) && !/_FILE$/i.test(name)) return MASK;
  return maskSecrets(resolved);
}

/** A plain value for a setting line: strings as they are, everything else as compact JSON; masked. */
function plain(kind: string, key: string | undefined, value: unknown): Fact {
  const raw = typeof value === "string" ? value : JSON.stringify(value);
  return fact(kind, key, raw, maskSecrets(raw));
}

const asList = (v: unknown): any[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** The command line items: flags (`-…`) and their arguments, each a fact. */
function commandFacts(kind: "entrypoint" | "command", items: unknown, lookup: BlockLookup): Fact[] {
  return asList(items).map((item) => {
    const raw = resolveRefs(String(item), lookup);
    return fact(kind === "entrypoint" ? "entrypoint" : raw.startsWith("-") ? "flag" : "arg", undefined, raw, maskSecrets(raw));
  });
}

function healthcheckFacts(hc: Json | undefined): Fact[] {
  if (!hc) return [];
  return Object.keys(hc)
    .sort()
    .map((k) => (k === "test" ? plain("healthcheck", k, asList(hc[k]).map(String).join(" ")) : plain("healthcheck", k, hc[k])));
}

function labelFacts(labels: unknown): Fact[] {
  return asList(labels)
    .filter((l) => l?.label !== HEALTHCHECK_HASH_LABEL)
    .map((l) => plain("label", String(l.label), l.value));
}

/** The settings left after the itemized ones: one keyed fact each, so nothing that changes goes unseen. */
function settingFacts(block: Json, itemized: ReadonlySet<string>): Fact[] {
  return Object.keys(block)
    .filter((k) => !itemized.has(k))
    .sort()
    .map((k) => plain("setting", k, block[k]));
}

const CONTAINER_ITEMIZED = new Set([
  "image", "entrypoint", "command", "env", "ports", "networks_advanced", "volumes", "tmpfs", "upload",
  "healthcheck", "memory", "memory_swap", "cpus", "labels", "capabilities", "security_opts", "devices", "host",
  "log_driver", "log_opts",
]);

/** The facts of a `docker_container` block (keys as in `cdk.tf.json`). */
export function containerFacts(block: Json, lookup: BlockLookup): Fact[] {
  const facts: Fact[] = [];
  if (block.image !== undefined) facts.push({ kind: "image", key: "image", value: resolveRefs(String(block.image), lookup) });
  facts.push(...commandFacts("entrypoint", block.entrypoint, lookup), ...commandFacts("command", block.command, lookup));
  for (const entry of asList(block.env).map(String)) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq);
    const value = eq < 0 ? "" : entry.slice(eq + 1);
    facts.push(fact("env", name, value, reviewEnvValue(name, value, lookup)));
  }
  for (const p of asList(block.ports)) {
    facts.push({ kind: "port", value: `${p.ip ?? "0.0.0.0"}:${p.external ?? "(any)"}->${p.internal}/${p.protocol ?? "tcp"}` });
  }
  for (const n of asList(block.networks_advanced)) {
    const aliases = asList(n.aliases);
    facts.push({ kind: "network", value: `${resolveRefs(String(n.name), lookup)}${aliases.length > 0 ? ` (alias ${aliases.join(", ")})` : ""}` });
  }
  for (const v of asList(block.volumes)) {
    const ro = v.read_only ? ", read-only" : "";
    facts.push({
      kind: "mount",
      value: v.volume_name !== undefined
        ? `volume ${resolveRefs(String(v.volume_name), lookup)} at ${v.container_path}${ro}`
        : `host ${v.host_path} at ${v.container_path}${ro}`,
    });
  }
  for (const [target, options] of Object.entries<string>(block.tmpfs ?? {})) {
    facts.push({ kind: "mount", value: `tmpfs at ${target}${options ? ` (${options})` : ""}` });
  }
  for (const u of asList(block.upload)) {
    const mode = u.permissions ? `mode ${u.permissions}, ` : "";
    facts.push(
      u.content !== undefined
        ? fact("file", String(u.file), `${mode}${u.content}`, `${mode}secret (${references(String(u.content)).join(", ") || "a literal"})`)
        : { kind: "file", key: String(u.file), value: `${mode}sha256 ${String(u.source_hash ?? "").slice(0, 12)}` },
    );
  }
  facts.push(...healthcheckFacts(block.healthcheck));
  if (block.memory !== undefined) facts.push({ kind: "limit", key: "memory", value: `${block.memory} MB` });
  if (block.memory_swap !== undefined) facts.push({ kind: "limit", key: "memory_swap", value: `${block.memory_swap} MB` });
  if (block.cpus !== undefined) facts.push({ kind: "limit", key: "cpus", value: String(block.cpus) });
  facts.push(...labelFacts(block.labels));
  for (const c of asList(block.capabilities?.drop)) facts.push({ kind: "capability", value: `drop ${c}` });
  for (const c of asList(block.capabilities?.add)) facts.push({ kind: "capability", value: `add ${c}` });
  for (const s of asList(block.security_opts)) facts.push({ kind: "security-opt", value: String(s) });
  for (const d of asList(block.devices)) facts.push({ kind: "device", value: `${d.host_path} at ${d.container_path ?? d.host_path}${d.permissions ? ` (${d.permissions})` : ""}` });
  for (const h of asList(block.host)) facts.push({ kind: "extra-host", value: `${h.host}=${h.ip}` });
  if (block.log_driver !== undefined) facts.push({ kind: "log", key: "driver", value: String(block.log_driver) });
  for (const [k, v] of Object.entries<string>(block.log_opts ?? {})) facts.push({ kind: "log", key: k, value: String(v) });
  facts.push(...settingFacts(block, CONTAINER_ITEMIZED));
  return facts;
}

const SERVICE_ITEMIZED = new Set(["task_spec", "endpoint_spec", "labels"]);
const SPEC_ITEMIZED = new Set(["image", "command", "args", "env", "mounts", "configs", "secrets", "healthcheck", "labels", "cap_add", "cap_drop", "hosts"]);
const TASK_ITEMIZED = new Set(["container_spec", "networks_advanced", "resources", "log_driver"]);

/** The facts of a swarm `docker_service` block, in the container's vocabulary where the two agree. */
export function serviceFacts(block: Json, lookup: BlockLookup): Fact[] {
  const task: Json = block.task_spec ?? {};
  const spec: Json = task.container_spec ?? {};
  const facts: Fact[] = [];
  if (spec.image !== undefined) facts.push({ kind: "image", key: "image", value: resolveRefs(String(spec.image), lookup) });
  facts.push(...commandFacts("entrypoint", spec.command, lookup), ...commandFacts("command", spec.args, lookup));
  for (const [name, value] of Object.entries<string>(spec.env ?? {})) facts.push(fact("env", name, String(value), reviewEnvValue(name, String(value), lookup)));
  for (const p of asList(block.endpoint_spec?.ports)) {
    facts.push({ kind: "port", value: `${p.publish_mode ?? "ingress"}:${p.published_port ?? "(any)"}->${p.target_port}/${p.protocol ?? "tcp"}` });
  }
  for (const n of asList(task.networks_advanced)) {
    const aliases = asList(n.aliases);
    facts.push({ kind: "network", value: `${resolveRefs(String(n.id ?? n.name), lookup)}${aliases.length > 0 ? ` (alias ${aliases.join(", ")})` : ""}` });
  }
  for (const m of asList(spec.mounts)) {
    facts.push({ kind: "mount", value: `${m.type} ${m.source ?? ""}${m.source ? " " : ""}at ${m.target}${m.read_only ? ", read-only" : ""}`.replace(/ {2,}/g, " ") });
  }
  for (const c of asList(spec.configs)) facts.push({ kind: "file", key: String(c.file_name), value: `config ${resolveRefs(String(c.config_name), lookup)}` });
  for (const s of asList(spec.secrets)) facts.push({ kind: "file", key: String(s.file_name), value: "secret" });
  facts.push(...healthcheckFacts(spec.healthcheck));
  const limits: Json = task.resources?.limits ?? {};
  if (limits.memory_bytes !== undefined) facts.push({ kind: "limit", key: "memory", value: `${Number(limits.memory_bytes) / (1024 * 1024)} MiB` });
  if (limits.nano_cpus !== undefined) facts.push({ kind: "limit", key: "cpus", value: String(Number(limits.nano_cpus) / 1e9) });
  facts.push(...labelFacts(block.labels));
  for (const c of asList(spec.cap_drop)) facts.push({ kind: "capability", value: `drop ${c}` });
  for (const c of asList(spec.cap_add)) facts.push({ kind: "capability", value: `add ${c}` });
  for (const h of asList(spec.hosts)) facts.push({ kind: "extra-host", value: `${h.host}=${h.ip}` });
  if (task.log_driver !== undefined) {
    facts.push({ kind: "log", key: "driver", value: String(task.log_driver.name) });
    for (const [k, v] of Object.entries<string>(task.log_driver.options ?? {})) facts.push({ kind: "log", key: k, value: String(v) });
  }
  facts.push(
    ...settingFacts(block, SERVICE_ITEMIZED),
    ...settingFacts(task, TASK_ITEMIZED).map((f) => ({ ...f, key: `task_spec.${f.key}` })),
    ...settingFacts(spec, SPEC_ITEMIZED).map((f) => ({ ...f, key: `container_spec.${f.key}` })),
  );
  return facts;
}

/** The facts of a container-like block, by its resource type. */
export function factsOf(type: string, block: Json, lookup: BlockLookup): Fact[] {
  return type === "docker_service" ? serviceFacts(block, lookup) : containerFacts(block, lookup);
}

/** The name of a keyed fact in a line: plain settings, limits and the image need no kind before them. */
function label(f: Fact): string {
  if (f.key === undefined) return `${f.kind} ${f.value}`;
  if (f.kind === "setting" || f.kind === "limit" || f.kind === "image") return f.key;
  return `${f.kind} ${f.key}`;
}

/** A fact as one line's text: `flag --x`, `env NAME=value`, `file /path (mode 0644, …)`, `memory: 64 MB`. */
function text(f: Fact): string {
  if (f.key === undefined) return label(f);
  if (f.kind === "env" || f.kind === "label") return `${label(f)}=${f.value}`;
  if (f.kind === "file") return `${label(f)} (${f.value})`;
  return `${label(f)}: ${f.value}`;
}

/**
 * The lines of what changed between two fact lists, kind by kind (in the order the facts come): `- …`
 * what is gone, `~ …: old -> new` a named attribute whose value changed, `+ …` what is new.
 */
export function diffFacts(base: readonly Fact[], head: readonly Fact[]): string[] {
  const kinds = [...new Set([...base, ...head].map((f) => f.kind))];
  const lines: string[] = [];
  for (const kind of kinds) {
    const a = base.filter((f) => f.kind === kind);
    const b = head.filter((f) => f.kind === kind);
    const keyedA = new Map(a.filter((f) => f.key !== undefined).map((f) => [f.key, f]));
    const keyedB = new Map(b.filter((f) => f.key !== undefined).map((f) => [f.key, f]));
    // Facts without a key are multisets: a flag given twice, then once, is one removal.
    const id = (f: Fact) => `${text(f)}\u0000${f.fingerprint ?? ""}`;
    const rest = (from: readonly Fact[], minus: readonly Fact[]): Fact[] => {
      const left = minus.filter((f) => f.key === undefined).map(id);
      return from.filter((f) => {
        if (f.key !== undefined) return false;
        const i = left.indexOf(id(f));
        if (i < 0) return true;
        left.splice(i, 1);
        return false;
      });
    };
    for (const f of a) if (f.key !== undefined && !keyedB.has(f.key)) lines.push(`- ${text(f)}`);
    for (const f of rest(a, b)) lines.push(`- ${text(f)}`);
    for (const f of a) {
      const h = f.key === undefined ? undefined : keyedB.get(f.key);
      if (h !== undefined && (h.value !== f.value || h.fingerprint !== f.fingerprint)) lines.push(changedLine(f, h));
    }
    for (const f of b) if (f.key !== undefined && !keyedA.has(f.key)) lines.push(`+ ${text(f)}`);
    for (const f of rest(b, a)) lines.push(`+ ${text(f)}`);
  }
  // The same items in another order still change the program's command line.
  for (const kind of ["entrypoint", "command"] as const) {
    const seq = (facts: readonly Fact[]) =>
      facts.filter((f) => (kind === "entrypoint" ? f.kind === "entrypoint" : f.kind === "flag" || f.kind === "arg")).map((f) => f.value);
    const a = seq(base);
    const b = seq(head);
    if (a.join("\u0000") !== b.join("\u0000") && [...a].sort().join("\u0000") === [...b].sort().join("\u0000")) {
      lines.push(`~ ${kind} order: ${a.join(" ")} -> ${b.join(" ")}`);
    }
  }
  return lines;
}

function changedLine(base: Fact, head: Fact): string {
  if (base.kind === "file" && base.value.includes("sha256 ") && head.value.includes("sha256 ") && base.value.replace(/sha256 \S+/, "") === head.value.replace(/sha256 \S+/, "")) {
    return `~ file ${base.key}: content changed (diff below)`;
  }
  if (base.kind === "file" && base.value.startsWith("config ") && head.value.startsWith("config ")) {
    return `~ file ${base.key}: content changed (diff below)`;
  }
  // Both masked alike: say that the secret changed, show neither.
  return `~ ${label(base)}: ${base.value} -> ${head.value}${base.value === head.value ? " (secret changed)" : ""}`;
}

/** What a reviewer needs of a container that is new: what it runs and where it can be reached. */
export function summarizeNew(facts: readonly Fact[]): string[] {
  return facts
    .filter((f) => ["image", "port", "network", "mount"].includes(f.kind))
    .map((f) => `+ ${text(f)}`);
}
