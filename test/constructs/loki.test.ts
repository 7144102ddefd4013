import * as yaml from "js-yaml";
import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Duration } from "../../alerts/duration";
import { JOBS } from "../../alerts/jobs";
import { LOKI_DEFAULT_LIMITS, Loki, LokiProps, renderLokiConfig } from "../../constructs/loki";
import { sha256 } from "../../constructs/service";
import { IMAGES } from "../../constructs/versions";
import { context, interpolatedStrings, synth, theContainer, uploadOf } from "./service-test-support";

const CONFIG = "/etc/loki/config.yaml";

function build(props: Partial<LokiProps> = {}) {
  return synth((scope) => new Loki(scope, "loki", { context, ...props }));
}

function configOf(loki: Loki): any {
  return yaml.load(loki.config);
}

describe("Loki defaults", () => {
  const { out, json, built: loki } = build();

  test("exposes hostname, port, urls and scrape target", () => {
    expect(loki.hostname).toBe("loki");
    expect(loki.port).toBe(3100);
    expect(loki.url).toBe("http://loki:3100");
    expect(loki.pushUrl).toBe("http://loki:3100/loki/api/v1/push");
    expect(loki.scrapeTarget).toEqual({ job: JOBS.loki, targets: ["loki:3100"] });
    expect(loki.retention.toString()).toBe("15d");
  });

  test("pins the image from IMAGES", () => {
    expect(out).toHaveResourceWithProperties(Image, { name: `${IMAGES.loki.repository}:${IMAGES.loki.tag}` });
  });

  test("container: config flag, data volume, no published port, health via loki -health", () => {
    expect(out).toHaveResourceWithProperties(Container, {
      name: "monitoring-loki",
      command: [`-config.file=${CONFIG}`],
      read_only: false,
      memory: 1024,
      cpus: "1.0",
      ports: [],
      healthcheck: {
        test: ["CMD", "/usr/bin/loki", "-health", "-health.url=http://127.0.0.1:3100/ready"],
        interval: "30s",
        timeout: "5s",
        retries: 3,
        start_period: "1m",
        start_interval: "1s",
      },
    });
    expect(out).toHaveResourceWithProperties(Volume, { name: "monitoring-loki-data" });
    expect(theContainer(json).volumes).toEqual([
      { container_path: "/loki", volume_name: expect.stringMatching(/^\$\{docker_volume\..+\.name\}$/) },
    ]);
    expect(theContainer(json).user).toBeUndefined();
  });

  test("config is uploaded from a file asset with a content hash, never inline", () => {
    const upload = theContainer(json).upload;
    expect(upload).toHaveLength(1);
    expect(upload[0]).toMatchObject({ file: CONFIG, source: expect.stringMatching(/config\.yaml$/) });
    expect(upload[0].source_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(upload[0].content).toBeUndefined();
    expect(out).not.toContain("retention_period");
  });

  test("no ${ from the rendered config reaches Terraform; only resource references do", () => {
    for (const s of interpolatedStrings(json)) {
      expect(s).toMatch(/^\$\{docker_(image|volume)\.[^}]+\}$/);
    }
  });

  test("renders a single-tenant tsdb v13 filesystem config with compactor retention", () => {
    const c = configOf(loki);
    expect(uploadOf(json, CONFIG).source_hash).toBe(sha256(loki.config));
    expect(c.auth_enabled).toBe(false);
    expect(c.server.http_listen_port).toBe(3100);
    expect(c.common.path_prefix).toBe("/loki");
    expect(c.common.storage.filesystem).toEqual({ chunks_directory: "/loki/chunks", rules_directory: "/loki/rules" });
    expect(c.common.replication_factor).toBe(1);
    expect(c.schema_config.configs).toEqual([
      { from: "2024-04-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } },
    ]);
    expect(c.compactor).toMatchObject({
      working_directory: "/loki/compactor",
      retention_enabled: true,
      delete_request_store: "filesystem",
    });
    expect(c.analytics).toEqual({ reporting_enabled: false });
    expect(c.ruler).toEqual({ enable_api: false });
    expect(c.ruler.alertmanager_url).toBeUndefined();
  });

  test("renders the upstream ingestion limits and 15d retention", () => {
    expect(configOf(loki).limits_config).toEqual({
      retention_period: "15d",
      ingestion_rate_mb: 4,
      ingestion_burst_size_mb: 6,
      per_stream_rate_limit: "3MB",
      per_stream_rate_limit_burst: "15MB",
      max_global_streams_per_user: 5000,
      max_line_size: "256KB",
      reject_old_samples: true,
      reject_old_samples_max_age: "7d",
    });
  });
});

describe("Loki props", () => {
  test("port moves the listener, the healthcheck and the urls", () => {
    const { out, built } = build({ port: 3200 });
    expect(configOf(built).server.http_listen_port).toBe(3200);
    expect(built.pushUrl).toBe("http://loki:3200/loki/api/v1/push");
    expect(built.scrapeTarget.targets).toEqual(["loki:3200"]);
    expect(out).toHaveResourceWithProperties(Container, {
      healthcheck: expect.objectContaining({
        test: ["CMD", "/usr/bin/loki", "-health", "-health.url=http://127.0.0.1:3200/ready"],
      }),
    });
  });

  test("publishedPort publishes on the context's bind address only", () => {
    const { out } = build({ publishedPort: 13100 });
    expect(out).toHaveResourceWithProperties(Container, {
      ports: [{ internal: 3100, external: 13100, ip: "127.0.0.1", protocol: "tcp" }],
    });
  });

  test("retention", () => {
    const { built } = build({ retention: Duration.parse("30d") });
    expect(configOf(built).limits_config.retention_period).toBe("30d");
    expect(built.retention.toString()).toBe("30d");
  });

  test("limits override one value and keep the other defaults", () => {
    const { built } = build({ limits: { ingestionRateMb: 8, ingestionBurstSizeMb: 16, rejectOlderThan: Duration.parse("3d") } });
    const l = configOf(built).limits_config;
    expect(l.ingestion_rate_mb).toBe(8);
    expect(l.ingestion_burst_size_mb).toBe(16);
    expect(l.reject_old_samples_max_age).toBe("3d");
    expect(l.max_global_streams_per_user).toBe(LOKI_DEFAULT_LIMITS.maxStreams);
    expect(built.limits.perStreamRateLimitMb).toBe(3);
  });

  test("every limit prop reaches the config", () => {
    const { built } = build({
      limits: { perStreamRateLimitMb: 1, perStreamRateLimitBurstMb: 2, maxStreams: 100, maxLineSizeKb: 64 },
    });
    expect(configOf(built).limits_config).toMatchObject({
      per_stream_rate_limit: "1MB",
      per_stream_rate_limit_burst: "2MB",
      max_global_streams_per_user: 100,
      max_line_size: "64KB",
    });
  });

  test("resources and image", () => {
    const { out } = build({ resources: { memoryMb: 512, cpus: 0.5 }, image: { repository: "grafana/loki", tag: "3.7.0" } });
    expect(out).toHaveResourceWithProperties(Container, { memory: 512, cpus: "0.5" });
    expect(out).toHaveResourceWithProperties(Image, { name: "grafana/loki:3.7.0" });
  });

  test("a config change changes only the upload's hash, not the volume", () => {
    const a = build().json;
    const b = build({ retention: Duration.parse("20d") }).json;
    expect(theContainer(a).upload[0].source_hash).not.toBe(theContainer(b).upload[0].source_hash);
    expect(a.resource.docker_volume).toEqual(b.resource.docker_volume);
  });
});

describe("Loki validation", () => {
  test.each<[string, Partial<LokiProps>, RegExp]>([
    ["port", { port: 0 }, /loki\.port: 0 is not a TCP port/],
    ["publishedPort", { publishedPort: 70000 }, /loki\.publishedPort: 70000 is not a TCP port/],
    ["retention", { retention: Duration.parse("12h") }, /loki\.retention: "12h" is too short; allowed: at least 24h/],
    ["ingestionRateMb", { limits: { ingestionRateMb: 0 } }, /loki\.limits\.ingestionRateMb: 0 is not allowed/],
    ["ingestionBurstSizeMb", { limits: { ingestionBurstSizeMb: -1 } }, /loki\.limits\.ingestionBurstSizeMb: -1 is not allowed/],
    ["burst below rate", { limits: { ingestionRateMb: 10 } }, /ingestionBurstSizeMb: 6 is below ingestionRateMb \(10\)/],
    ["perStreamRateLimitMb", { limits: { perStreamRateLimitMb: 0 } }, /loki\.limits\.perStreamRateLimitMb: 0 is not allowed/],
    ["perStreamRateLimitBurstMb", { limits: { perStreamRateLimitBurstMb: 0 } }, /perStreamRateLimitBurstMb: 0 is not allowed/],
    ["stream burst below rate", { limits: { perStreamRateLimitMb: 20 } }, /perStreamRateLimitBurstMb: 15 is below perStreamRateLimitMb \(20\)/],
    ["maxStreams", { limits: { maxStreams: 1.5 } }, /loki\.limits\.maxStreams: 1\.5 is not allowed; use a whole number/],
    ["maxLineSizeKb", { limits: { maxLineSizeKb: 0 } }, /loki\.limits\.maxLineSizeKb: 0 is not allowed/],
    ["rejectOlderThan", { limits: { rejectOlderThan: Duration.parse("0s") } }, /loki\.limits\.rejectOlderThan: "0s" is not allowed/],
    ["image", { image: { repository: "grafana/loki", tag: "latest" } }, /loki\.image\.tag: "latest" is a moving tag/],
  ])("%s", (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

describe("renderLokiConfig", () => {
  test("is pure: same options, same text", () => {
    const options = { port: 3100, retention: Duration.days(15), limits: LOKI_DEFAULT_LIMITS };
    expect(renderLokiConfig(options)).toBe(renderLokiConfig(options));
    expect(renderLokiConfig(options)).not.toContain("${");
  });
});
