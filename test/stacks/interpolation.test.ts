import { Testing } from "cdktf";
import { escapeTerraform } from "../../constructs/service";
import { ConfigError, MonitoringConfig } from "../../stacks/config";
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

  // Every string field of MonitoringConfig (and of the backend, Docker host and image settings), with a
  // valid value around which the template sequence is placed.
  const FIELDS: [string, (v: string) => MonitoringConfig][] = [
    ["name", (v) => ({ name: `m${v}` })],
    ["volumePrefix", (v) => ({ volumePrefix: `m${v}` })],
    ["bindAddress", (v) => ({ bindAddress: `127.0.0.1${v}` })],
    ["network.name", (v) => ({ network: { name: `net${v}` } })],
    ["network.subnet", (v) => ({ network: { subnet: `172.30.0.0/24${v}` } })],
    ["network.applicationNetwork", (v) => ({ network: { applicationNetwork: `chat${v}` } })],
    ["network.databaseNetwork", (v) => ({ network: { databaseNetwork: `db${v}` } })],
    ["logging.maxSize", (v) => ({ logging: { maxSize: `10m${v}` } })],
    ["application.targets", (v) => ({ application: { targets: [`chat-server:8080${v}`] } })],
    ["application.metricsPath", (v) => ({ application: { metricsPath: `/metrics${v}` } })],
    ["prometheus.retentionSize", (v) => ({ prometheus: { retentionSize: `10GB${v}` } })],
    ["prometheus.externalUrl", (v) => ({ prometheus: { externalUrl: `https://prom.example.com/${v}` } })],
    ["prometheus.image.repository", (v) => ({ prometheus: { image: { repository: `prom/prometheus${v}`, tag: "v3.16.0" } } })],
    ["prometheus.image.tag", (v) => ({ prometheus: { image: { repository: "prom/prometheus", tag: `v3.16.0${v}` } } })],
    ["alertmanager.externalUrl", (v) => ({ alertmanager: { externalUrl: `https://am.example.com/${v}` } })],
    ["grafana.rootUrl", (v) => ({ grafana: { rootUrl: `https://grafana.example.com/${v}/` } })],
    ["grafana.adminUser", (v) => ({ grafana: { adminUser: `admin${v}` } })],
    ["dockerSocketProxy.socket", (v) => ({ dockerSocketProxy: { socket: `/var/run/docker.sock${v}` } })],
    ["exporters.postgres.uri", (v) => ({ exporters: { postgres: { uri: `db:5432/app${v}` } } })],
    ["exporters.postgres.user", (v) => ({ exporters: { postgres: { user: `monitor${v}` } } })],
    ["exporters.redis.address", (v) => ({ exporters: { redis: { address: `redis://cache:6379/${v}` } } })],
    ["exporters.blackbox.healthPath", (v) => ({ exporters: { blackbox: { healthPath: `/health${v}` } } })],
    ["exporters.blackbox.websocketPath", (v) => ({ exporters: { blackbox: { websocketPath: `/ws${v}` } } })],
    ["exporters.minio.targets", (v) => ({ exporters: { minio: { enabled: true, targets: [`minio:9000${v}`] } } })],
    ["rules.runbookBaseUrl", (v) => ({ rules: { runbookBaseUrl: `https://wiki.example.com/${v}` } })],
    ["dockerHost.url", (v) => ({ dockerHost: { url: `ssh://deploy@host${v}` } })],
    ["dockerHost.sshOpts", (v) => ({ dockerHost: { url: "ssh://deploy@host", sshOpts: [`-oPort=22${v}`] } })],
    ["backend.path", (v) => ({ backend: { kind: "local", path: `state${v}.tfstate` } })],
    ["backend.bucket", (v) => ({ backend: { kind: "s3", bucket: `b${v}`, region: "eu-central-1" } })],
    ["backend.key", (v) => ({ backend: { kind: "s3", bucket: "b", region: "eu-central-1", key: `k${v}` } })],
    ["backend.address", (v) => ({ backend: { kind: "http", address: `https://state.example.com/${v}` } })],
    ["backend.organization", (v) => ({ backend: { kind: "cloud", organization: `org${v}` } })],
  ];

  test.each(FIELDS.flatMap(([field, config]) => [evil, tmpl].map((v) => [field, v, config] as const)))(
    "%s with %s is refused naming the field, or reaches the JSON escaped; never a Terraform expression",
    (field, value, config) => {
      let json: string;
      try {
        json = Testing.synth(new MonitoringStack(Testing.app(), "monitoring", config(value)));
      } catch (e) {
        // Refused: the message names the field first, and nothing else (no cascade).
        const problems = (e as ConfigError).problems ?? [(e as Error).message];
        expect(problems[0]).toMatch(new RegExp(`^${field.replace(/\./g, "\\.")}[.:\[ ]|^${field.split(".")[0]}`));
        expect(problems.filter((p) => p.startsWith("metric provenance"))).toEqual([]);
        return;
      }
      expect(templateSequences(json)).toEqual([]);
    },
  );

  test("text that goes into a config file stays literal there, out of Terraform's reach; Terraform accepts the stack", () => {
    const stack = new MonitoringStack(Testing.app(), "monitoring", { application: { metricsPath: `/metrics/${evil}` } });
    const json = Testing.synth(stack);
    expect(templateSequences(json)).toEqual([]);
    expect(json).not.toContain("/etc/passwd");
    expect(stack.prometheus.config).toContain(`metrics_path: /metrics/${evil}`);
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
