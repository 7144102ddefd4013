import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..", "..");
const DOCS = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** Every ```ts block of a Markdown file, with the line it starts on; an indented block (in a list) is dedented. */
function snippets(file: string): { line: number; code: string }[] {
  const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
  const out: { line: number; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++) body.push(lines[j].slice(Math.min(indent, lines[j].length - lines[j].trimStart().length)));
    out.push({ line: i + 1, code: body.join("\n") });
    i = j;
  }
  return out;
}

const ALL = DOCS.flatMap((file) => snippets(file).map((s) => ({ file, ...s })));

/**
 * Where a snippet is meant to be pasted: a first line `// stacks/app.ts` names the file (its imports are
 * relative to it); without one, a file at the project's root.
 */
function pasteDir(code: string): string {
  const m = /^\/\/ ([\w./-]+\.ts)\b/.exec(code);
  return m ? path.dirname(path.join(ROOT, m[1])) : ROOT;
}

/**
 * Type-checks the snippets as files where they are meant to be pasted, with the project's own compiler
 * options, in one program: a snippet must compile as pasted, imports included.
 */
function diagnostics(): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const virtual = new Map(ALL.map((s, i) => [path.join(pasteDir(s.code), `__snippet_${i}__.ts`), s.code]));
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError) =>
    virtual.has(name) ? ts.createSourceFile(name, virtual.get(name)!, lang) : getSourceFile(name, lang, onError);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => virtual.has(name) || fileExists(name);
  const program = ts.createProgram([...virtual.keys()], { ...config.options, noEmit: true, noUnusedLocals: false }, host);
  const result = new Map<string, string[]>();
  [...virtual.keys()].forEach((name, i) => {
    const source = program.getSourceFile(name)!;
    const messages = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
      const { line } = d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0) : { line: 0 };
      return `line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    result.set(`${ALL[i].file}:${ALL[i].line}`, messages);
  });
  return result;
}

describe("every TypeScript snippet of the README and docs compiles against the project as pasted", () => {
  const found = diagnostics();

  test("the snippets are found (README's configuration example among them)", () => {
    expect(ALL.length).toBeGreaterThanOrEqual(5);
    expect(ALL.some((s) => s.file === "README.md" && s.code.includes("receivers:"))).toBe(true);
  });

  test.each(ALL.map((s) => `${s.file}:${s.line}`))("%s", (where) => {
    expect(found.get(where)).toEqual([]);
  });

  test("a broken snippet is reported (the check can fail)", () => {
    const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const name = path.join(ROOT, "__snippet_broken__.ts");
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (n, lang, onError) => (n === name ? ts.createSourceFile(n, 'const c: import("./stacks/config").MonitoringConfig = { alloy: { nope: 1 } };', lang) : getSourceFile(n, lang, onError));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (n) => n === name || fileExists(n);
    const program = ts.createProgram([name], { ...config.options, noEmit: true }, host);
    expect(program.getSemanticDiagnostics(program.getSourceFile(name)).length).toBeGreaterThan(0);
  });
});

describe("deploy examples say what works", () => {
  test("a TF_VAR_docker_host example keeps the scheme the config's dockerHost.url names (the variable validation's rule)", () => {
    for (const file of DOCS) {
      const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
      lines.forEach((line, i) => {
        const m = /TF_VAR_docker_host=([a-z]+):\/\//.exec(line);
        if (!m) return;
        const context = lines.slice(Math.max(0, i - 4), i).join("\n");
        expect({ where: `${file}:${i + 1}`, configured: context.includes(`dockerHost: { url: "${m[1]}://`) }).toEqual({ where: `${file}:${i + 1}`, configured: true });
      });
    }
  });

  test("the rule itself: the default stack's docker_host refuses another scheme", () => {
    const { Testing } = require("cdktf") as typeof import("cdktf");
    const { MonitoringStack } = require("../../stacks/monitoring-stack") as typeof import("../../stacks/monitoring-stack");
    const json = JSON.parse(Testing.synth(new MonitoringStack(Testing.app(), "monitoring", {})));
    expect(JSON.stringify(json.variable.docker_host.validation)).toContain('startswith(var.docker_host, \\"unix://\\")');
  });
});
