import { Testing } from "cdktf";
import { Duration } from "../../alerts/duration";
import { DASHBOARD_DIR, Grafana, GrafanaProps, TRACE_ID_REGEX, renderDashboardProviders, renderDatasources } from "../../constructs/grafana";
import { DATASOURCES } from "../../dashboards/datasources";
import { CONTEXT, only, parseYaml } from "./helpers";

const URLS = {
  prometheus: "http://prometheus:9090",
  loki: "http://loki:3100",
  jaeger: "http://jaeger:16686",
  alertmanager: "http://alertmanager:9093",
};
const DASHBOARD = { fileName: "performance-overview.json", content: '{"title":"x","templating":{"list":[{"name":"datasource"}]},"q":"${datasource}"}' };

function synth(props: Partial<GrafanaProps> = {}): { out: string; grafana: Grafana } {
  let grafana!: Grafana;
  const out = Testing.synthScope((scope) => {
    grafana = new Grafana(scope, "grafana", { context: CONTEXT, datasources: URLS, dashboards: [DASHBOARD], ...props });
  });
  return { out, grafana };
}

function env(out: string): Record<string, string> {
  return Object.fromEntries(((only(out, "docker_container") as any).env as string[]).map((e) => e.split(/=(.*)/s).slice(0, 2)));
}

describe("Grafana", () => {
  test("defaults: generated admin password as a file, anonymous access and sign-up off, port 3000 on loopback", () => {
    const { out, grafana } = synth();
    const e = env(out);
    expect(e).toMatchObject({
      GF_SECURITY_ADMIN_USER: "admin",
      GF_SECURITY_ADMIN_PASSWORD__FILE: "/etc/grafana/secrets/admin_password",
      GF_AUTH_ANONYMOUS_ENABLED: "false",
      GF_USERS_ALLOW_SIGN_UP: "false",
      GF_SERVER_ROOT_URL: "http://localhost:3000/",
      GF_SECURITY_COOKIE_SECURE: "false",
      GF_ANALYTICS_REPORTING_ENABLED: "false",
      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: `${DASHBOARD_DIR}/monitoring-stack/performance-overview.json`,
    });
    expect(Object.keys(e).some((k) => k === "GF_SECURITY_ADMIN_PASSWORD")).toBe(false);
    const password = only(out, "random_password") as any;
    expect(password).toMatchObject({ length: 32, special: false });
    const container = only(out, "docker_container") as any;
    expect(container.upload.find((u: any) => u.file === "/etc/grafana/secrets/admin_password").content).toMatch(
      /^\$\{random_password\..+\.result\}$/,
    );
    expect(container.ports).toEqual([{ internal: 3000, external: 3000, ip: "127.0.0.1", protocol: "tcp" }]);
    expect(container.user).toBe("472:0");
    expect(container.healthcheck.test).toEqual(["CMD", "wget", "-q", "--spider", "http://127.0.0.1:3000/api/health"]);
    expect(grafana.scrapeTarget).toEqual({ job: "grafana", targets: ["grafana:3000"] });
    expect(grafana.url).toBe("http://grafana:3000");
  });

  test("datasources: uids the dashboards use, exemplars → Jaeger, log trace ids → Jaeger, traces → Loki", () => {
    const { grafana } = synth();
    const ds = parseYaml(grafana.datasourcesConfig).datasources;
    expect(ds.map((d: any) => d.uid)).toEqual([
      DATASOURCES.prometheus.uid,
      DATASOURCES.loki.uid,
      DATASOURCES.jaeger.uid,
      DATASOURCES.alertmanager.uid,
    ]);
    expect(ds[0].jsonData.exemplarTraceIdDestinations).toEqual([{ name: "trace_id", datasourceUid: "jaeger" }]);
    expect(ds[0].jsonData.timeInterval).toBe("15s");
    expect(ds[1].jsonData.derivedFields[0]).toMatchObject({ datasourceUid: "jaeger", url: "$${__value.raw}" });
    expect(ds[2].jsonData.tracesToLogsV2.datasourceUid).toBe("loki");
    expect(ds[3].jsonData.implementation).toBe("prometheus");
  });

  test("the trace-id regex finds ids in common log formats", () => {
    const re = new RegExp(TRACE_ID_REGEX);
    expect(re.exec('level=info trace_id=4bf92f3577b34da6a3ce929d0e0e4736 msg="sent"')?.[1]).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(re.exec('{"traceId":"00f067aa0ba902b7","msg":"x"}')?.[1]).toBe("00f067aa0ba902b7");
    expect(re.exec("traceID: 00f067aa0ba902b7")?.[1]).toBe("00f067aa0ba902b7");
    expect(re.exec("no trace here")).toBeNull();
  });

  test("without Loki and Jaeger there are no links to them", () => {
    const ds = parseYaml(renderDatasources({ prometheus: "http://p:9090" }, Duration.parse("5s"))).datasources;
    expect(ds).toHaveLength(1);
    expect(ds[0].jsonData).toEqual({ httpMethod: "POST", timeInterval: "5s" });
  });

  test("dashboards are uploaded as files and their ${...} never reaches Terraform", () => {
    const { out } = synth();
    const container = only(out, "docker_container") as any;
    const upload = container.upload.find((u: any) => u.file === `${DASHBOARD_DIR}/monitoring-stack/performance-overview.json`);
    expect(upload.source).toMatch(/^assets\/.+\/performance-overview\.json$/);
    expect(out).not.toContain("${datasource}");
    expect(out).not.toContain("__value.raw");
  });

  test("props: admin user, port, https root URL, folder, home dashboard", () => {
    const second = { fileName: "hosts.json", content: "{}", folder: "Infrastructure" };
    const { out } = synth({
      adminUser: "ops",
      publishedPort: 13000,
      rootUrl: "https://grafana.example.com/",
      dashboards: [DASHBOARD, second],
      homeDashboard: "hosts.json",
      resources: { memoryMb: 1024, cpus: 1 },
    });
    const e = env(out);
    expect(e.GF_SECURITY_ADMIN_USER).toBe("ops");
    expect(e.GF_SERVER_ROOT_URL).toBe("https://grafana.example.com/");
    expect(e.GF_SECURITY_COOKIE_SECURE).toBe("true");
    expect(e.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${DASHBOARD_DIR}/infrastructure/hosts.json`);
    const container = only(out, "docker_container") as any;
    expect(container.ports[0].external).toBe(13000);
    expect(container.memory).toBe(1024);
  });

  test("one read-only dashboard provider per folder, each loading its own directory", () => {
    const providers = parseYaml(renderDashboardProviders(["Messenger", "Capacity & load"])).providers;
    expect(providers.map((p: any) => [p.folder, p.options.path, p.allowUiUpdates, p.disableDeletion])).toEqual([
      ["Messenger", `${DASHBOARD_DIR}/messenger`, false, true],
      ["Capacity & load", `${DASHBOARD_DIR}/capacity-load`, false, true],
    ]);
  });

  test.each<[Partial<GrafanaProps>, RegExp]>([
    [{ publishedPort: 99999 }, /grafana.publishedPort: 99999 is not a port/],
    [{ adminUser: "a b" }, /grafana.adminUser: "a b" is not a valid login/],
    [{ homeDashboard: "nope.json" }, /grafana.homeDashboard: "nope.json" is not one of the dashboards \(performance-overview.json\)/],
    [{ rootUrl: "grafana.example.com" }, /grafana.rootUrl: "grafana.example.com" must be an http\(s\) URL ending in "\/"/],
    [{ dashboards: [{ fileName: "My Dash.json", content: "{}" }] }, /grafana.dashboards: "My Dash.json" must be a kebab-case file name/],
    [{ dashboards: [DASHBOARD, DASHBOARD] }, /grafana.dashboards: "performance-overview.json" is provided twice/],
  ])("rejects %p", (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
