import * as yaml from "js-yaml";
import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { JOBS } from "../../alerts/jobs";
import { Jaeger, JaegerProps, renderJaegerConfig } from "../../constructs/jaeger";
import { sha256 } from "../../constructs/service";
import { IMAGES } from "../../constructs/versions";
import { context, interpolatedStrings, synth, theContainer, uploadOf } from "./service-test-support";

const CONFIG = "/etc/jaeger/config.yaml";

function build(props: Partial<JaegerProps> = {}) {
  return synth((scope) => new Jaeger(scope, "jaeger", { context, ...props }));
}

describe("Jaeger defaults", () => {
  const { out, json, built: jaeger } = build();
  const c: any = yaml.load(jaeger.config);

  test("exposes endpoints and the scrape target on 8888", () => {
    expect(jaeger.hostname).toBe("jaeger");
    expect(jaeger.port).toBe(16686);
    expect(jaeger.url).toBe("http://jaeger:16686");
    expect(jaeger.uiUrl).toBe("http://jaeger:16686");
    expect(jaeger.otlpGrpcEndpoint).toBe("http://jaeger:4317");
    expect(jaeger.otlpHttpEndpoint).toBe("http://jaeger:4318");
    expect(jaeger.scrapeTarget).toEqual({ job: JOBS.jaeger, targets: ["jaeger:8888"] });
    expect(jaeger.maxTraces).toBe(50000);
  });

  test("container: pinned image, config flag, wget healthcheck on /status, writable root, no volume", () => {
    expect(out).toHaveResourceWithProperties(Image, { name: `${IMAGES.jaeger.repository}:${IMAGES.jaeger.tag}` });
    expect(out).toHaveResourceWithProperties(Container, {
      name: "monitoring-jaeger",
      command: ["--config", CONFIG],
      read_only: false,
      memory: 1024,
      cpus: "1.0",
      healthcheck: expect.objectContaining({
        test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:13133/status"],
      }),
    });
    expect(theContainer(json).volumes).toEqual([]);
    expect(theContainer(json).user).toBeUndefined();
  });

  test("publishes UI and OTLP on the bind address by default", () => {
    expect(out).toHaveResourceWithProperties(Container, {
      ports: [
        { internal: 16686, external: 16686, ip: "127.0.0.1", protocol: "tcp" },
        { internal: 4317, external: 4317, ip: "127.0.0.1", protocol: "tcp" },
        { internal: 4318, external: 4318, ip: "127.0.0.1", protocol: "tcp" },
      ],
    });
  });

  test("config is an uploaded asset; nothing of it reaches Terraform", () => {
    const upload = uploadOf(json, CONFIG);
    expect(upload.source_hash).toBe(sha256(jaeger.config));
    expect(upload.content).toBeUndefined();
    expect(out).not.toContain("jaeger_storage_exporter");
    for (const s of interpolatedStrings(json)) {
      expect(s).toMatch(/^\$\{docker_image\.[^}]+\}$/);
    }
  });

  test("pipeline: otlp -> batch -> jaeger_storage_exporter into a bounded memory store", () => {
    expect(c.service.extensions).toEqual(["jaeger_storage", "jaeger_query", "healthcheckv2"]);
    expect(c.service.pipelines.traces).toEqual({
      receivers: ["otlp"],
      processors: ["batch"],
      exporters: ["jaeger_storage_exporter"],
    });
    expect(c.extensions.jaeger_storage.backends).toEqual({ traces: { memory: { max_traces: 50000 } } });
    expect(c.extensions.jaeger_query.storage).toEqual({ traces: "traces" });
    expect(c.exporters.jaeger_storage_exporter).toEqual({ trace_storage: "traces" });
  });

  test("every endpoint binds 0.0.0.0", () => {
    expect(c.receivers.otlp.protocols).toEqual({
      grpc: { endpoint: "0.0.0.0:4317" },
      http: { endpoint: "0.0.0.0:4318" },
    });
    expect(c.extensions.jaeger_query.http).toEqual({ endpoint: "0.0.0.0:16686" });
    expect(c.extensions.jaeger_query.grpc).toEqual({ endpoint: "0.0.0.0:16685" });
    expect(c.extensions.healthcheckv2).toEqual({ use_v2: true, http: { endpoint: "0.0.0.0:13133" } });
  });

  test("telemetry metrics use the readers/pull/prometheus form on 8888", () => {
    expect(c.service.telemetry.metrics).toEqual({
      level: "normal",
      readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: 8888 } } } }],
    });
    expect(c.service.telemetry.metrics.address).toBeUndefined();
  });
});

describe("Jaeger props", () => {
  test("maxTraces", () => {
    const c: any = yaml.load(build({ maxTraces: 200000 }).built.config);
    expect(c.extensions.jaeger_storage.backends.traces.memory.max_traces).toBe(200000);
  });

  test("publish: false publishes nothing", () => {
    const { out, built } = build({ publish: false });
    expect(out).toHaveResourceWithProperties(Container, { ports: [] });
    expect(built.publishedPorts).toEqual([]);
  });

  test("publishedPorts change the host side only", () => {
    const { out } = build({ publishedPorts: { ui: 26686, otlpGrpc: 14317, otlpHttp: 14318 } });
    expect(out).toHaveResourceWithProperties(Container, {
      ports: [
        { internal: 16686, external: 26686, ip: "127.0.0.1", protocol: "tcp" },
        { internal: 4317, external: 14317, ip: "127.0.0.1", protocol: "tcp" },
        { internal: 4318, external: 14318, ip: "127.0.0.1", protocol: "tcp" },
      ],
    });
  });

  test("metricsLevel", () => {
    const c: any = yaml.load(build({ metricsLevel: "detailed" }).built.config);
    expect(c.service.telemetry.metrics.level).toBe("detailed");
  });

  test("resources and image", () => {
    const { out } = build({ resources: { memoryMb: 2048, cpus: 2 }, image: { repository: "jaegertracing/jaeger", tag: "2.13.0" } });
    expect(out).toHaveResourceWithProperties(Container, { memory: 2048, cpus: "2.0" });
    expect(out).toHaveResourceWithProperties(Image, { name: "jaegertracing/jaeger:2.13.0" });
  });
});

describe("Jaeger validation", () => {
  test.each<[string, Partial<JaegerProps>, RegExp]>([
    ["maxTraces 0", { maxTraces: 0 }, /jaeger\.maxTraces: 0 is not allowed; use a whole number greater than 0/],
    ["maxTraces fraction", { maxTraces: 10.5 }, /jaeger\.maxTraces: 10\.5 is not allowed/],
    ["publishedPorts without publish", { publish: false, publishedPorts: { ui: 8080 } }, /jaeger\.publishedPorts: set, but jaeger\.publish is false/],
    ["bad port", { publishedPorts: { otlpHttp: 0 } }, /jaeger\.publishedPorts\.otlpHttp: 0 is not a TCP port/],
    ["clash", { publishedPorts: { ui: 4317 } }, /jaeger\.publishedPorts: host port 4317 is used twice/],
  ])("%s", (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

test("renderJaegerConfig is pure and has no ${", () => {
  const text = renderJaegerConfig({ maxTraces: 10, metricsLevel: "basic" });
  expect(text).toBe(renderJaegerConfig({ maxTraces: 10, metricsLevel: "basic" }));
  expect(text).not.toContain("${");
});
