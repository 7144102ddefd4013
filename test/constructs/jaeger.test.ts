import * as yaml from "js-yaml";
import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Duration } from "../../alerts/duration";
import { JOBS } from "../../alerts/jobs";
import { goDuration, Jaeger, JaegerProps, renderJaegerConfig } from "../../constructs/jaeger";
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
    expect(jaeger.storage).toBe("badger");
    expect(jaeger.retention?.toString()).toBe("15d");
    expect(jaeger.maxTraces).toBeUndefined();
  });

  test("container: pinned image, config flag, wget healthcheck on /status, writable root, the image's user", () => {
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
    expect(theContainer(json).user).toBeUndefined();
  });

  test("traces live on a protected named volume over the image's /tmp, which survives a replacement", () => {
    // The image's user 10001 can write only /tmp (its VOLUME, mode 1777): a new volume takes that mode.
    expect(out).toHaveResourceWithProperties(Volume, {
      name: "monitoring-jaeger-data",
      labels: [{ label: "com.monitoring-stack.service", value: "jaeger" }],
      lifecycle: { prevent_destroy: true },
    });
    expect(theContainer(json).volumes).toEqual([{ volume_name: expect.stringMatching(/^\$\{docker_volume\.jaeger_service_volume-data_[0-9A-F]{8}\.name\}$/), container_path: "/tmp" }]);
    expect(Object.keys(jaeger.service.volumes)).toEqual(["data"]);
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
      expect(s).toMatch(/^\$\{docker_(image|volume)\.[^}]+\}$/);
    }
  });

  test("pipeline: otlp -> batch -> jaeger_storage_exporter into badger on the volume, spans kept 15d", () => {
    expect(c.service.extensions).toEqual(["jaeger_storage", "jaeger_query", "healthcheckv2"]);
    expect(c.service.pipelines.traces).toEqual({
      receivers: ["otlp"],
      processors: ["batch"],
      exporters: ["jaeger_storage_exporter"],
    });
    expect(c.extensions.jaeger_storage.backends).toEqual({
      traces: { badger: { directories: { keys: "/tmp/jaeger/keys", values: "/tmp/jaeger/values" }, ephemeral: false, ttl: { spans: "360h" } } },
    });
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
  test("retention: the spans' TTL, in Go's duration form (hours at most)", () => {
    const { built } = build({ retention: Duration.parse("30d") });
    expect((yaml.load(built.config) as any).extensions.jaeger_storage.backends.traces.badger.ttl).toEqual({ spans: "720h" });
    expect(built.retention?.toString()).toBe("30d");
    expect(goDuration(Duration.parse("1d12h30m"))).toBe("36h30m");
    expect(goDuration(Duration.parse("90s"))).toBe("1m30s");
  });

  test("storage: memory keeps the bounded in-memory store, with no volume", () => {
    const { json, built } = build({ storage: "memory" });
    expect((yaml.load(built.config) as any).extensions.jaeger_storage.backends).toEqual({ traces: { memory: { max_traces: 50000 } } });
    expect(json.resource.docker_volume).toBeUndefined();
    expect(theContainer(json).volumes).toEqual([]);
    expect([built.maxTraces, built.retention]).toEqual([50000, undefined]);
  });

  test("maxTraces, with the memory store", () => {
    const c: any = yaml.load(build({ storage: "memory", maxTraces: 200000 }).built.config);
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
    ["maxTraces 0", { storage: "memory", maxTraces: 0 }, /jaeger\.maxTraces: 0 is not allowed; use a whole number greater than 0/],
    ["maxTraces fraction", { storage: "memory", maxTraces: 10.5 }, /jaeger\.maxTraces: 10\.5 is not allowed/],
    [
      "maxTraces with badger (the default)",
      { maxTraces: 100000 },
      /^jaeger\.maxTraces: 100000 bounds the in-memory store only, but jaeger\.storage is "badger" \(the default\), which keeps traces on its volume for the retention; remove maxTraces, or set jaeger\.storage: "memory" to keep the in-memory store$/,
    ],
    ["retention with memory", { storage: "memory", retention: Duration.days(7) }, /^jaeger\.retention: "7d" applies to the badger store only, but jaeger\.storage is "memory"/],
    ["retention 0", { retention: Duration.parse("0s") }, /^jaeger\.retention: "0s" is not allowed; use a positive duration such as "7d"/],
    ["unknown storage", { storage: "disk" as never }, /^jaeger\.storage: "disk" is not allowed; use "badger" \(the default: traces on the volume <prefix>-jaeger-data, kept for the retention\) or "memory"/],
    ["publishedPorts without publish", { publish: false, publishedPorts: { ui: 8080 } }, /jaeger\.publishedPorts: set, but jaeger\.publish is false/],
    ["bad port", { publishedPorts: { otlpHttp: 0 } }, /jaeger\.publishedPorts\.otlpHttp: 0 is not a TCP port/],
    ["clash", { publishedPorts: { ui: 4317 } }, /jaeger\.publishedPorts: host port 4317 is used twice/],
  ])("%s", (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

test("renderJaegerConfig is pure and has no ${", () => {
  for (const store of [{ kind: "memory", maxTraces: 10 }, { kind: "badger", ttl: Duration.days(3) }] as const) {
    const text = renderJaegerConfig({ store, metricsLevel: "basic" });
    expect(text).toBe(renderJaegerConfig({ store, metricsLevel: "basic" }));
    expect(text).not.toContain("${");
  }
});
