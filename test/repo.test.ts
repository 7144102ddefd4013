import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

describe("repository hygiene", () => {
  test("secrets that the README's commands write stay out of git: tfvars and the outputs file", () => {
    for (const file of ["out.json", "prod.tfvars", "secrets.auto.tfvars.json"]) {
      // git check-ignore exits 0 when the path is ignored
      expect(() => execFileSync("git", ["check-ignore", "-q", file], { cwd: ROOT })).not.toThrow();
    }
  });

  test("js-yaml is at least 4.1.1 (CVE-2025-64718, prototype pollution in merge keys)", () => {
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/js-yaml/package.json"), "utf8")).version as string;
    const [major, minor, patch] = version.split(".").map(Number);
    expect(major * 10000 + minor * 100 + patch).toBeGreaterThanOrEqual(40101);
  });
});
