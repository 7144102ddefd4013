import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { TerraformVariable } from "cdktf";
import { JOBS } from "../../alerts/jobs";
import { RedisExporter, RedisExporterProps } from "../../constructs/redis-exporter";
import { IMAGES } from "../../constructs/versions";
import { context, synth, theContainer } from "./service-test-support";

function build(props: Partial<RedisExporterProps> = {}) {
  return synth((scope) => new RedisExporter(scope, "redis", { context, ...props }));
}

describe("RedisExporter defaults", () => {
  const { out, json, built: redis } = build();

  test("exposes url and scrape target", () => {
    expect(redis.hostname).toBe("redis-exporter");
    expect(redis.port).toBe(9121);
    expect(redis.url).toBe("http://redis-exporter:9121");
    expect(redis.scrapeTarget).toEqual({ job: JOBS.redisExporter, targets: ["redis-exporter:9121"] });
    expect(redis.redisAddress).toBe("redis://redis:6379");
  });

  test("container: image user, read-only root, nothing published, no healthcheck (scratch image)", () => {
    expect(out).toHaveResourceWithProperties(Image, {
      name: `${IMAGES.redisExporter.repository}:${IMAGES.redisExporter.tag}`,
    });
    expect(out).toHaveResourceWithProperties(Container, {
      name: "monitoring-redis-exporter",
      read_only: true,
      memory: 64,
      cpus: "0.25",
      ports: [],
      env: ["REDIS_ADDR=redis://redis:6379"],
    });
    const c = theContainer(json);
    expect(c.healthcheck).toBeUndefined();
    expect(c.user).toBeUndefined();
    // /scrape?target= would use this exporter's password against any address a caller names.
    expect(c.command).toEqual(["--disable-scrape-endpoint"]);
  });
});

describe("RedisExporter props", () => {
  test("redisAddress", () => {
    const { out } = build({ redisAddress: "rediss://cache.internal:6380" });
    expect(out).toHaveResourceWithProperties(Container, { env: ["REDIS_ADDR=rediss://cache.internal:6380"] });
  });

  test("host:port without a scheme is accepted (the exporter adds redis://)", () => {
    const { out } = build({ redisAddress: "redis:6379" });
    expect(out).toHaveResourceWithProperties(Container, { env: ["REDIS_ADDR=redis:6379"] });
  });

  test("password from a sensitive variable reaches REDIS_PASSWORD by reference only", () => {
    const { json } = synth((scope) => {
      const pw = new TerraformVariable(scope, "redis_password", { type: "string", sensitive: true });
      return new RedisExporter(scope, "redis", { context, password: pw.stringValue });
    });
    expect(theContainer(json).env).toEqual(["REDIS_ADDR=redis://redis:6379", "REDIS_PASSWORD=${var.redis_password}"]);
  });

  test("redisAddress may be a Terraform token", () => {
    const { json } = synth((scope) => {
      const addr = new TerraformVariable(scope, "redis_addr", { type: "string" });
      return new RedisExporter(scope, "redis", { context, redisAddress: addr.stringValue });
    });
    expect(theContainer(json).env).toEqual(["REDIS_ADDR=${var.redis_addr}"]);
  });

  test("resources and image", () => {
    const { out } = build({ resources: { memoryMb: 32, cpus: 0.1 }, image: { repository: "oliver006/redis_exporter", tag: "v1.80.1" } });
    expect(out).toHaveResourceWithProperties(Container, { memory: 32, cpus: "0.1" });
    expect(out).toHaveResourceWithProperties(Image, { name: "oliver006/redis_exporter:v1.80.1" });
  });
});

describe("RedisExporter validation", () => {
  test.each<[string, Partial<RedisExporterProps>, RegExp]>([
    ["address with a path", { redisAddress: "redis/6379" }, /redisExporter\.redisAddress: "redis\/6379" is not a Redis address/],
    ["address without port", { redisAddress: "redis" }, /redisExporter\.redisAddress: "redis" is not a Redis address/],
    ["empty password", { password: "" }, /redisExporter\.password: "" is empty; leave it out/],
  ])("%s", (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
