import { Testing } from "cdktf";
import { MonitoringConfig } from "../../stacks/config";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { resources } from "../constructs/helpers";

function build(config: MonitoringConfig = {}) {
  const stack = new MonitoringStack(Testing.app(), "monitoring", { network: { applicationNetwork: "chat_default" }, ...config });
  const json = JSON.parse(Testing.synth(stack));
  const warnings = stack.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
  const containers = Object.fromEntries(Object.values(resources(JSON.stringify(json), "docker_container")).map((c: any) => [c.name, c]));
  const outputs = Object.fromEntries(Object.entries(json.output ?? {}).map(([k, v]: [string, any]) => [k, v.value]));
  const flag = (container: string, name: string) =>
    (containers[container].command as string[]).find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3);
  const exposure = warnings.filter((w) => w.startsWith("bindAddress is"));
  return { stack, warnings, exposure, containers, outputs, flag };
}

describe("a bind address other than loopback warns, naming each exposed service", () => {
  test.each(["192.168.1.10", "0.0.0.0", "10.0.0.5"])("%s: every published service is named with its ports and its switch", (bindAddress) => {
    const { exposure } = build({ bindAddress });
    expect(exposure).toHaveLength(1);
    const w = exposure[0];
    expect(w).toContain(`bindAddress is ${bindAddress}, not loopback`);
    for (const [service, ports, field] of [
      ["prometheus", "9090", "prometheus.publishedPort"],
      ["alertmanager", "9093", "alertmanager.publishedPort"],
      ["grafana", "3000", "grafana.publishedPort"],
      ["jaeger", "16686", "jaeger.publishedPort"],
    ]) {
      expect(w).toMatch(new RegExp(`${service} on ${bindAddress.replace(/\./g, "\\.")}:${ports}[^)]*private: ${field.replace(".", "\\.")}: false\\)`));
    }
    expect(w).toContain(`jaeger on ${bindAddress}:16686, ${bindAddress}:4317, ${bindAddress}:4318`);
    expect(w).toContain("anyone can add silences");
  });

  test("loopback binds do not warn; neither does a LAN bind that publishes nothing", () => {
    expect(build().exposure).toEqual([]);
    expect(build({ bindAddress: "127.0.0.2" }).exposure).toEqual([]);
    const none = build({
      bindAddress: "192.168.1.10",
      prometheus: { publishedPort: false },
      alertmanager: { publishedPort: false },
      grafana: { publishedPort: false },
      jaeger: { publishedPort: false },
    });
    expect(none.exposure).toEqual([]);
    for (const c of Object.values(none.containers)) expect((c as any).ports ?? []).toEqual([]);
  });

  test("Grafana only: one switch per service, the same name everywhere; the warning names Grafana alone", () => {
    const { exposure, containers } = build({
      bindAddress: "192.168.1.10",
      prometheus: { publishedPort: false },
      alertmanager: { publishedPort: false },
      jaeger: { publishedPort: false },
    });
    const published = Object.entries(containers).filter(([, c]: [string, any]) => (c.ports ?? []).length > 0).map(([n]) => n);
    expect(published).toEqual(["monitoring-grafana"]);
    expect(exposure).toHaveLength(1);
    expect(exposure[0]).toMatch(/these services are reachable from the network, and Docker bypasses host firewalls: grafana on 192\.168\.1\.10:3000 \(/);
    expect(exposure[0]).not.toMatch(/prometheus on|alertmanager on|jaeger on/);
  });

  test("Loki and the k6 receiver take the same switch; a published Loki is named", () => {
    const { exposure, containers } = build({ bindAddress: "192.168.1.10", loki: { publishedPort: 3100 }, loadTesting: { enabled: true } });
    expect(containers["monitoring-loki"].ports).toEqual([expect.objectContaining({ internal: 3100, external: 3100, ip: "192.168.1.10" })]);
    expect(exposure[0]).toMatch(/loki on 192\.168\.1\.10:3100 \([^)]*private: loki\.publishedPort: false\)/);
    expect(exposure[0]).toMatch(/k6-receiver on 192\.168\.1\.10:9091 \([^)]*private: loadTesting\.publishedPort: false\)/);
    expect(build({ loki: { publishedPort: false } }).containers["monitoring-loki"].ports ?? []).toEqual([]);
  });

  test("Jaeger's older switches keep working; mixing them with publishedPort is a clear error", () => {
    expect(build({ jaeger: { publish: false } }).containers["monitoring-jaeger"].ports ?? []).toEqual([]);
    expect(build({ jaeger: { publishedPort: 26686 } }).containers["monitoring-jaeger"].ports.map((p: any) => p.external)).toEqual([26686, 4317, 4318]);
    expect(() => build({ jaeger: { publish: true, publishedPort: false } })).toThrow(
      /jaeger\.publish: true and jaeger\.publishedPort: false are both set; publishedPort is the switch every service shares/,
    );
    expect(() => build({ jaeger: { publishedPort: 26686, publishedPorts: { ui: 26687 } } })).toThrow(
      /jaeger\.publishedPort: 26686 and jaeger\.publishedPorts\.ui: 26687 both set the UI's host port/,
    );
  });
});

describe("URLs follow the bind address and the published ports", () => {
  test("an unpublished service has no output; published ones read the bind address (no http://host:false)", () => {
    const { outputs } = build({ bindAddress: "192.168.1.10", prometheus: { publishedPort: false } });
    expect(outputs.prometheus_url).toBeUndefined();
    expect(outputs.alertmanager_url).toBe("http://192.168.1.10:9093");
    expect(outputs.grafana_url).toBe("http://192.168.1.10:3000/");
    expect(outputs.jaeger_url).toBe("http://192.168.1.10:16686");
    expect(JSON.stringify(outputs)).not.toContain(":false");
    const none = build({ alertmanager: { publishedPort: false }, grafana: { publishedPort: false }, jaeger: { publishedPort: false } }).outputs;
    expect([none.alertmanager_url, none.grafana_url, none.jaeger_url]).toEqual([undefined, undefined, undefined]);
    expect(none.prometheus_url).toBe("http://localhost:9090");
  });

  test("--web.external-url of Prometheus and Alertmanager is the LAN address and published port, so notification links open", () => {
    const { flag, containers } = build({ bindAddress: "192.168.1.10", prometheus: { publishedPort: 19090 }, alertmanager: { publishedPort: 19093 } });
    expect(flag("monitoring-prometheus", "web.external-url")).toBe("http://192.168.1.10:19090");
    expect(flag("monitoring-alertmanager", "web.external-url")).toBe("http://192.168.1.10:19093");
    expect(containers["monitoring-grafana"].env).toContain("GF_SERVER_ROOT_URL=http://192.168.1.10:3000/");
  });

  test("on loopback and on 0.0.0.0 they stay localhost; a configured URL wins; unpublished without a URL sets none", () => {
    expect(build().flag("monitoring-prometheus", "web.external-url")).toBe("http://localhost:9090");
    expect(build({ bindAddress: "0.0.0.0" }).flag("monitoring-alertmanager", "web.external-url")).toBe("http://localhost:9093");
    const configured = build({ bindAddress: "192.168.1.10", alertmanager: { externalUrl: "https://am.example.com/" } });
    expect(configured.flag("monitoring-alertmanager", "web.external-url")).toBe("https://am.example.com/");
    expect(configured.outputs.alertmanager_url).toBe("https://am.example.com/");
    expect(build({ prometheus: { publishedPort: false } }).flag("monitoring-prometheus", "web.external-url")).toBeUndefined();
  });

  test("runbook links point at Grafana on the LAN address", () => {
    const rules = JSON.stringify(build({ bindAddress: "192.168.1.10" }).stack.ruleGroups);
    expect(rules).toContain('"runbookUrl":"http://192.168.1.10:3000/d/');
    expect(rules).not.toContain("localhost:3000");
  });
});
