import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Duration } from "../../alerts/duration";
import { JOBS } from "../../alerts/jobs";
import { BLACKBOX_MODULES, BlackboxExporter, BlackboxExporterProps, renderBlackboxConfig } from "../../constructs/blackbox-exporter";
import { renderPrometheusConfig } from "../../constructs/prometheus";
import { IMAGES } from "../../constructs/versions";
import { parseYaml } from "./helpers";
import { findTool, run } from "../tools";
import { context, synth, theContainer } from "./service-test-support";

function build(props: Partial<BlackboxExporterProps> = {}) {
  return synth((scope) => new BlackboxExporter(scope, "bb", { context, healthTargets: ["chat-server:8080", "group-service:8083"], websocketTargets: ["chat-server:8080"], ...props }));
}

describe("BlackboxExporter", () => {
  const { json, built: bb } = build();

  test("defaults: pinned image, config uploaded, wget healthcheck on /-/healthy, nothing published", () => {
    const c = theContainer(json);
    expect(Object.values(json.resource.docker_image as Record<string, { name: string }>)[0].name).toBe(`${IMAGES.blackboxExporter.repository}:${IMAGES.blackboxExporter.tag}`);
    expect(c.command).toEqual(["--config.file=/etc/blackbox_exporter/config.yml", "--web.listen-address=:9115"]);
    expect(c.healthcheck.test).toEqual(["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9115/-/healthy"]);
    expect(c.ports ?? []).toEqual([]);
    expect(c.upload.map((u: { file: string }) => u.file)).toEqual(["/etc/blackbox_exporter/config.yml"]);
  });

  test("two probe jobs: health URLs and WebSocket host:port, labelled by service and relabelled through the exporter", () => {
    const [health, ws] = bb.scrapeTargets;
    expect(health).toMatchObject({
      job: JOBS.probeHealth,
      targets: ["http://chat-server:8080/health", "http://group-service:8083/health"],
      targetLabels: [{ service: "chat-server" }, { service: "group-service" }],
      metricsPath: "/probe",
      params: { module: [BLACKBOX_MODULES.health] },
    });
    expect(ws).toMatchObject({ job: JOBS.probeWebsocket, targets: ["chat-server:8080"], params: { module: [BLACKBOX_MODULES.websocket] } });
    expect(ws.relabelConfigs).toEqual([
      { source_labels: ["__address__"], target_label: "__param_target" },
      { source_labels: ["__param_target"], target_label: "instance" },
      { target_label: "__address__", replacement: "blackbox-exporter:9115" },
    ]);
  });

  test("the WebSocket module sends the RFC 6455 handshake to the configured path and expects 101", () => {
    const config = parseYaml(renderBlackboxConfig("/chat"));
    const tcp = config.modules[BLACKBOX_MODULES.websocket].tcp;
    expect(tcp.query_response[0].send).toMatch(/^GET \/chat HTTP\/1\.1\r\n[\s\S]*Upgrade: websocket\r\n[\s\S]*Sec-WebSocket-Version: 13\r\n\r\n$/);
    expect(tcp.query_response[1]).toEqual({ expect: "^HTTP/1\\.1 101 " });
  });

  test("paths are validated, naming the field", () => {
    expect(() => build({ websocketPath: "ws" })).toThrow('exporters.blackbox.websocketPath: "ws" must be a path such as "/ws"');
    expect(() => build({ healthPath: "/he alth" })).toThrow('exporters.blackbox.healthPath: "/he alth" must be a path such as "/health"');
  });

  test("blackbox_exporter itself accepts the config (--config.check), and promtool the probe jobs", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bb-"));
    fs.writeFileSync(path.join(dir, "config.yml"), bb.config);
    const exporter = findTool("blackbox_exporter");
    if (exporter) {
      const r = run(exporter, ["--config.check", `--config.file=${path.join(dir, "config.yml")}`]);
      expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.any(String) });
      // ... and the check can fail: an unknown field is refused
      fs.writeFileSync(path.join(dir, "broken.yml"), bb.config.replace("    tcp:", "    tcpx:"));
      expect(run(exporter, ["--config.check", `--config.file=${path.join(dir, "broken.yml")}`]).status).not.toBe(0);
    }
    const promtool = findTool("promtool");
    if (promtool) {
      fs.writeFileSync(
        path.join(dir, "prometheus.yml"),
        renderPrometheusConfig({
          scrapeInterval: Duration.parse("15s"),
          evaluationInterval: Duration.parse("15s"),
          externalLabels: {},
          ruleFilesGlob: "/rules/*.yml",
          alertmanagers: [],
          maxExemplars: 100,
          scrapeTargets: bb.scrapeTargets,
        }),
      );
      const r = run(promtool, ["check", "config", "--syntax-only", path.join(dir, "prometheus.yml")]);
      expect(r.output).toContain("SUCCESS");
    }
  });
});
