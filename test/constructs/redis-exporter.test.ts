import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { TerraformVariable } from "cdktf";
import { JOBS } from "../../alerts/jobs";
import { REDIS_PASSWORD_FILE, RedisExporter, RedisExporterProps, redisPasswordKey } from "../../constructs/redis-exporter";
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
    expect(c.command).toEqual(["--disable-scrape-endpoint", "--include-system-metrics"]);
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

  test("a password from a sensitive variable becomes the password file, keyed by the address; not an environment variable", () => {
    const { json } = synth((scope) => {
      const pw = new TerraformVariable(scope, "redis_password", { type: "string", sensitive: true });
      return new RedisExporter(scope, "redis", { context, redisAddress: "cache:6379", password: pw.stringValue });
    });
    const c = theContainer(json);
    expect(c.env).toEqual(["REDIS_ADDR=cache:6379"]);
    expect(c.command).toEqual(["--disable-scrape-endpoint", "--include-system-metrics", `--redis.password-file=${REDIS_PASSWORD_FILE}`]);
    // The exporter adds redis:// to a bare host:port before it looks the password up.
    expect(c.upload).toEqual([{ file: REDIS_PASSWORD_FILE, content: '${jsonencode({"redis://cache:6379" = var.redis_password})}', permissions: "0444" }]);
    // An upload needs a writable root filesystem; without a password the exporter stays read-only.
    expect(c.read_only).toBe(false);
  });

  test("scrapeEndpoint: true leaves out --disable-scrape-endpoint (an image older than 1.83 lacks the flag)", () => {
    // GIVEN an exporter with a password, WHEN scrapeEndpoint is true, THEN the system metrics and the password flag remain.
    const { json } = synth((scope) => {
      const pw = new TerraformVariable(scope, "redis_password", { type: "string", sensitive: true });
      return new RedisExporter(scope, "redis", { context, password: pw.stringValue, scrapeEndpoint: true });
    });
    expect(theContainer(json).command).toEqual(["--include-system-metrics", `--redis.password-file=${REDIS_PASSWORD_FILE}`]);
    const { json: plain } = synth((scope) => new RedisExporter(scope, "redis", { context, scrapeEndpoint: true }));
    expect(theContainer(plain).command).toEqual(["--include-system-metrics"]);
  });

  test("the password file's key is the address as the exporter normalizes it", () => {
    expect(redisPasswordKey("redis:6379")).toBe("redis://redis:6379");
    expect(redisPasswordKey("rediss://cache:6380")).toBe("rediss://cache:6380");
    expect(redisPasswordKey("unix:///run/redis.sock")).toBe("unix:///run/redis.sock");
  });

  test("resources and image", () => {
    const { out } = build({ resources: { memoryMb: 32, cpus: 0.1 }, image: { repository: "oliver006/redis_exporter", tag: "v1.80.1" } });
    expect(out).toHaveResourceWithProperties(Container, { memory: 32, cpus: "0.1" });
    expect(out).toHaveResourceWithProperties(Image, { name: "oliver006/redis_exporter:v1.80.1" });
  });
});

describe("RedisExporter validation", () => {
  test.each<[string, Partial<RedisExporterProps>, RegExp]>([
    ["address with a path", { redisAddress: "redis/6379" }, /exporters\.redis\.address: "redis\/6379" is not a Redis address/],
    ["address without port", { redisAddress: "redis" }, /exporters\.redis\.address: "redis" is not a Redis address/],
    ["address with a password (masked in the message)", { redisAddress: "redis://:pw@redis:6379" }, /exporters\.redis\.address: "redis:\/\/:\*\*\*@redis:6379" is not a Redis address; .* \(no user or password: that is exporters\.redis\.password\)/],
    ["address with an interpolation", { redisAddress: "redis://${var.x}:6379" }, /exporters\.redis\.address: "redis:\/\/\$\{var\.x\}:6379" is not a Redis address/],
    ["empty password", { password: "" }, /exporters\.redis\.password: "" is empty; leave it out/],
  ])("%s", (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
