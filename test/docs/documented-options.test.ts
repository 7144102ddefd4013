import * as fs from "node:fs";
import * as path from "node:path";
import { hasPath, monitoringConfigShape } from "./config-paths";

const ROOT = path.join(__dirname, "..", "..");
const DOCS = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const shape = monitoringConfigShape();
const TOP = [...shape.fields.keys()];

/** Dotted names in backticks that start like an option but are something else, with why. */
const NOT_OPTIONS: Readonly<Record<string, string>> = {
  "loki.source.docker": "an Alloy component",
  "loki.write": "an Alloy component",
};

/**
 * Every option a doc names: the first cell of each option table (`a.b` / `.c` expands to `a.b`, `a.c`),
 * and every backticked dotted name in the text that starts with a top-level field of MonitoringConfig.
 */
function documentedOptions(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const found = new Set<string>();
  let inOptionTable = false;
  for (const line of text.split("\n")) {
    if (/^\|\s*option\s*\|/.test(line)) inOptionTable = true;
    else if (!line.startsWith("|")) inOptionTable = false;
    else if (inOptionTable && !/^\|\s*-/.test(line)) {
      const cell = line.split("|")[1];
      let base = "";
      for (const [, name] of cell.matchAll(/`([^`]+)`/g)) {
        if (name.includes("<")) continue; // a placeholder such as <service>.publishedPort
        // `.x` continues the last full name's parent: `prometheus.publishedPort` / `.externalUrl`.
        const full = name.startsWith(".") ? `${base}${name.slice(1)}` : name;
        if (!name.startsWith(".")) base = full.slice(0, full.lastIndexOf(".") + 1);
        found.add(full);
      }
    }
  }
  for (const [, name] of text.matchAll(/`([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9_]+|\[\d+\])+)`/g)) {
    // File names (prometheus.yml) are not options.
    if (TOP.includes(name.split(/[.[]/)[0]) && NOT_OPTIONS[name] === undefined && !/\.(ya?ml|json|ts|md|go|tfstate)$/.test(name)) found.add(name);
  }
  return [...found].sort();
}

describe("every option the docs name exists in MonitoringConfig", () => {
  test("the shape is read from the type: known fields are there, made-up ones are not", () => {
    for (const p of ["bindAddress", "prometheus.retentionTime", "alloy.containerFilter.label", "loki.limits.ingestionRateMb", "rules.overrides.HighCPUUsage.threshold", "application.services[0].port", "backend.bucket", "alertmanager.routing.heartbeat"]) {
      expect({ p, ok: hasPath(shape, p) }).toEqual({ p, ok: true });
    }
    for (const p of ["alloy.nope", "prometheus.retention", "loki.limits.maxBytes", "exporters.redis.address.host"]) {
      expect({ p, ok: hasPath(shape, p) }).toEqual({ p, ok: false });
    }
  });

  test.each(DOCS)("%s", (file) => {
    const options = documentedOptions(file);
    expect(options.filter((o) => !hasPath(shape, o))).toEqual([]);
  });

  test("the README's option table is found and read (a guard against a parser that finds nothing)", () => {
    const options = documentedOptions("README.md");
    expect(options).toEqual(expect.arrayContaining(["prometheus.externalUrl", "jaeger.publishedPorts", "exporters.cadvisor", "loki.limits", "alloy.containerFilter"]));
  });
});
