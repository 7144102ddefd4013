import { Testing } from "cdktf";
import { escapeTerraform } from "../../constructs/service";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { judgeWithTerraform } from "../terraform";

/** Every `${` / `%{` in the JSON that is not escaped and not one of cdktf's own references. */
function templateSequences(json: string): string[] {
  const strings: string[] = [];
  JSON.parse(json, (_k, v) => {
    if (typeof v === "string") strings.push(v);
    return v;
  });
  return strings.flatMap((s) => [...s.matchAll(/(?<![$%])[$%]\{[^}]*\}?/g)].map((m) => m[0])).filter((m) => !/^\$\{(var\.|docker_|random_|local\.|data\.|path\.|startswith\(var\.)/.test(m) && !/^\$\{TfToken/.test(m));
}

describe("Terraform interpolation from config strings", () => {
  const evil = '${file("/etc/passwd")}';
  const tmpl = "%{ if true }x%{ endif }";

  test("escapeTerraform writes template sequences literally and leaves cdktf tokens alone", () => {
    expect(escapeTerraform(evil)).toBe('$${file("/etc/passwd")}');
    expect(escapeTerraform(tmpl)).toBe("%%{ if true }x%%{ endif }");
    expect(escapeTerraform("A=${TfToken[TOKEN.7]}")).toBe("A=${TfToken[TOKEN.7]}");
  });

  test("template sequences in free-text fields reach the JSON escaped, never as expressions; Terraform accepts it", () => {
    // (Receiver texts go into alertmanager.yml, a file Terraform never reads as an expression.)
    // Free text the validation lets through reaches a container's environment (REDIS_ADDR) and labels.
    const stack = new MonitoringStack(Testing.app(), "monitoring", {
      exporters: { redis: { address: `redis://cache:6379/${evil}%{endif}` } },
    });
    const json = Testing.synth(stack);
    expect(templateSequences(json)).toEqual([]);
    expect(json).toContain('REDIS_ADDR=redis://cache:6379/$${file(\\"/etc/passwd\\")}%%{endif}');
    const verdict = judgeWithTerraform(json);
    if (verdict) expect(verdict.configErrors).toEqual([]);
  });

  test.each([
    ["grafana.rootUrl", { grafana: { rootUrl: `https://grafana.example.com/${evil}/` } }],
    ["prometheus.externalUrl", { prometheus: { externalUrl: `https://prom.example.com/${evil}` } }],
    ["alertmanager.externalUrl", { alertmanager: { externalUrl: `https://am.example.com/${tmpl}` } }],
    ["rules.runbookBaseUrl", { rules: { runbookBaseUrl: `https://wiki.example.com/${evil}` } }],
  ] as const)("%s with a template sequence is refused, naming the field", (field, config) => {
    expect(() => new MonitoringStack(Testing.app(), "monitoring", config)).toThrow(new RegExp(field.replace(".", "\\.")));
  });

  test("an external URL that is not http(s) is refused", () => {
    expect(() => new MonitoringStack(Testing.app(), "monitoring", { prometheus: { externalUrl: "not a url" } })).toThrow(
      'prometheus.externalUrl: "not a url" is not an http(s) URL such as "https://ops.example.com/"',
    );
  });
});
