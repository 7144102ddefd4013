import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { Duration } from "../../alerts/duration";
import { Alertmanager, AlertmanagerProps, BLACKHOLE, renderAlertmanagerConfig } from "../../constructs/alertmanager";
import { CONTEXT, only, parseYaml } from "./helpers";
import { findTool, run } from "../tools";

function variable(scope: Construct, name: string): string {
  return new TerraformVariable(scope, name, { type: "string", sensitive: true }).stringValue;
}

function synth(props: (scope: Construct) => Partial<AlertmanagerProps> = () => ({})): { out: string; am: Alertmanager } {
  let am!: Alertmanager;
  const out = Testing.synthScope((scope) => {
    am = new Alertmanager(scope, "alertmanager", {
      context: CONTEXT,
      receivers: [{ name: "default" }],
      routing: { defaultReceiver: "default" },
      ...props(scope),
    });
  });
  return { out, am };
}

describe("Alertmanager", () => {
  test("defaults: group by alertname+service+instance, 30s/5m/4h, severity routes, twins inhibit on the whole object identity, outages silence their service", () => {
    const { out, am } = synth();
    const config = parseYaml(am.config);
    expect(config.route).toMatchObject({
      receiver: "default",
      group_by: ["alertname", "service", "instance"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
    });
    expect(config.route.routes.map((r: any) => [r.matchers[0], r.receiver])).toEqual([
      ['alertname="Watchdog"', BLACKHOLE],
      ['severity="critical"', "default"],
      ['severity="warning"', "default"],
    ]);
    const identity = ["symptom", "job", "service", "instance", "datname", "device", "mountpoint"];
    expect(config.inhibit_rules).toEqual([
      {
        source_matchers: ['severity="critical"', 'symptom=~".+"'],
        target_matchers: ['severity="warning"', 'symptom=~".+"'],
        equal: identity,
      },
      {
        source_matchers: ['symptom=~".+"', 'symptom_role="primary"'],
        target_matchers: ['symptom=~".+"', 'symptom_role="secondary"'],
        equal: identity,
      },
      // ServiceDown silences the service's other alerts (not another outage alert) ...
      { source_matchers: ['outage="service"'], target_matchers: ['service=~".+"', 'outage=""'], equal: ["service"] },
      // ... and ApplicationDown silences every ServiceDown of its job.
      { source_matchers: ['outage="application"'], target_matchers: ['outage="service"'], equal: ["job"] },
    ]);
    expect(config.receivers.map((r: any) => r.name)).toEqual(["default", BLACKHOLE]);
    const container = only(out, "docker_container") as any;
    expect(container.command).toEqual([
      "--config.file=/etc/alertmanager/alertmanager.yml",
      "--storage.path=/alertmanager",
      "--cluster.listen-address=",
      "--web.external-url=http://localhost:9093",
    ]);
    expect(container.ports).toEqual([{ internal: 9093, external: 9093, ip: "127.0.0.1", protocol: "tcp" }]);
    expect(container.memory).toBe(256);
    expect(am.scrapeTarget).toEqual({ job: "alertmanager", targets: ["alertmanager:9093"] });
    expect((only(out, "docker_volume") as any).name).toBe("monitoring-alertmanager-data");
  });

  test("routing and timing props", () => {
    const { am } = synth(() => ({
      receivers: [{ name: "ops" }, { name: "pager" }, { name: "beat", webhooks: [{ url: "http://hb:1/ping" }] }],
      routing: { defaultReceiver: "ops", critical: "pager", heartbeat: "beat" },
      groupWait: Duration.parse("10s"),
      groupInterval: Duration.parse("1m"),
      repeatInterval: Duration.parse("1h"),
    }));
    const config = parseYaml(am.config);
    expect(config.route).toMatchObject({ receiver: "ops", group_wait: "10s", group_interval: "1m", repeat_interval: "1h" });
    expect(config.route.routes.map((r: any) => r.receiver)).toEqual(["beat", "pager", "ops"]);
    expect(config.receivers.map((r: any) => r.name)).toEqual(["ops", "pager", "beat"]);
    expect(config.receivers[2].webhook_configs).toEqual([{ url: "http://hb:1/ping", send_resolved: true }]);
  });

  test("secrets are uploaded from Terraform tokens into files referenced by *_file; no value in the config", () => {
    const { out, am } = synth((scope) => ({
      receivers: [
        {
          name: "team",
          slack: [{ apiUrl: variable(scope, "slack_url"), channel: "#alerts" }],
          pagerduty: [{ routingKey: variable(scope, "pd_key") }],
          email: [
            {
              to: "ops@example.com",
              from: "am@example.com",
              smarthost: "smtp.example.com:587",
              authUsername: "am",
              authPassword: variable(scope, "smtp_password"),
            },
          ],
          webhooks: [{ urlSecret: variable(scope, "hook_url") }],
        },
      ],
      routing: { defaultReceiver: "team" },
    }));
    const r = parseYaml(am.config).receivers[0];
    expect(r.slack_configs[0]).toMatchObject({ api_url_file: "/etc/alertmanager/secrets/team-slack-api-url-0", channel: "#alerts" });
    expect(r.pagerduty_configs[0]).toMatchObject({ routing_key_file: "/etc/alertmanager/secrets/team-pagerduty-routing-key-0", send_resolved: true });
    // Notifications carry the runbook: PagerDuty as a link, Slack in the text.
    expect(r.pagerduty_configs[0].links).toEqual([{ href: "{{ (index .Alerts 0).Annotations.runbook_url }}", text: "Runbook" }]);
    expect(r.slack_configs[0].text).toContain("Runbook: {{ .Annotations.runbook_url }}");
    expect(r.email_configs[0]).toMatchObject({ auth_username: "am", auth_password_file: "/etc/alertmanager/secrets/team-smtp-password-0", require_tls: true });
    expect(r.webhook_configs[0]).toEqual({ url_file: "/etc/alertmanager/secrets/team-webhook-url-0", send_resolved: true });
    const uploads = (only(out, "docker_container") as any).upload;
    expect(uploads.find((u: any) => u.file.endsWith("team-slack-api-url-0"))).toEqual({
      file: "/etc/alertmanager/secrets/team-slack-api-url-0",
      content: "${var.slack_url}",
      permissions: "0444",
    });
    expect(uploads.filter((u: any) => u.content).map((u: any) => u.content).sort()).toEqual(
      ["${var.hook_url}", "${var.pd_key}", "${var.slack_url}", "${var.smtp_password}"],
    );
  });

  test("the rendered config passes amtool check-config (secrets as files)", () => {
    const amtool = findTool("amtool");
    if (!amtool) {
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "am-"));
    const secretFile = path.join(dir, "secret");
    fs.writeFileSync(secretFile, "https://hooks.example.invalid/x");
    const text = renderAlertmanagerConfig({
      receivers: [
        {
          name: "team",
          webhooks: [{ url: "http://127.0.0.1:9/hook", sendResolved: true }],
          slack: [{ apiUrlFile: secretFile, channel: "#a", sendResolved: true }],
          pagerduty: [{ routingKeyFile: secretFile, sendResolved: true }],
          email: [{ to: "a@b.c", from: "d@e.f", smarthost: "smtp.invalid:587", authUsername: "u", authPasswordFile: secretFile, requireTls: true, sendResolved: false }],
        },
      ],
      routing: { defaultReceiver: "team", critical: "team" },
      groupWait: Duration.parse("30s"),
      groupInterval: Duration.parse("5m"),
      repeatInterval: Duration.parse("4h"),
    });
    const file = path.join(dir, "alertmanager.yml");
    fs.writeFileSync(file, text);
    const result = run(amtool, ["check-config", file]);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  test.each<[string, (scope: Construct) => Partial<AlertmanagerProps>, RegExp]>([
    ["no receivers", () => ({ receivers: [], routing: { defaultReceiver: "x" } }), /alertmanager.receivers: at least one receiver is required/],
    ["duplicate receiver", () => ({ receivers: [{ name: "a" }, { name: "a" }], routing: { defaultReceiver: "a" } }), /receivers\[1\].name: "a" is used twice/],
    ["bad receiver name", () => ({ receivers: [{ name: "a b" }], routing: { defaultReceiver: "a b" } }), /receivers\[0\].name: "a b" may only contain/],
    ["unknown route receiver", () => ({ routing: { defaultReceiver: "default", critical: "pager" } }), /alertmanager.routing.critical: receiver "pager" does not exist; allowed: default/],
    ["literal slack secret", () => ({ receivers: [{ name: "default", slack: [{ apiUrl: "https://hooks.slack.com/x", channel: "#a" }] }] }), /slack\[0\].apiUrl: a literal value would be written to cdktf.out/],
    ["missing pagerduty key", () => ({ receivers: [{ name: "default", pagerduty: [{ routingKey: "" }] }] }), /pagerduty\[0\].routingKey: a secret is required/],
    ["smtp user without password", () => ({ receivers: [{ name: "default", email: [{ to: "a@b.c", from: "c@d.e", smarthost: "s:25", authUsername: "u" }] }] }), /email\[0\].authPassword: a secret is required/],
    ["bad email", () => ({ receivers: [{ name: "default", email: [{ to: "nobody", from: "c@d.e", smarthost: "s:25" }] }] }), /email\[0\].to: "nobody" is not an email address/],
    ["bad smarthost", () => ({ receivers: [{ name: "default", email: [{ to: "a@b.c", from: "c@d.e", smarthost: "smtp" }] }] }), /smarthost: "smtp" must be host:port/],
    ["webhook with both urls", (s) => ({ receivers: [{ name: "default", webhooks: [{ url: "http://a/", urlSecret: variable(s, "u") }] }] }), /webhooks\[0\]: set exactly one of url or urlSecret/],
    ["bad webhook url", () => ({ receivers: [{ name: "default", webhooks: [{ url: "ftp://x" }] }] }), /webhooks\[0\].url: "ftp:\/\/x" is not an http\(s\) URL/],
    ["bad slack channel", (s) => ({ receivers: [{ name: "default", slack: [{ apiUrl: variable(s, "u"), channel: "a b" }] }] }), /slack\[0\].channel: "a b" is not a channel name/],
    ["repeat below group interval", () => ({ groupInterval: Duration.parse("10m"), repeatInterval: Duration.parse("5m") }), /alertmanager.repeatInterval: "5m" must be at least groupInterval \("10m"\)/],
    ["bad port", () => ({ publishedPort: 0 }), /alertmanager.publishedPort: 0 is not a port/],
  ])("rejects %s", (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
