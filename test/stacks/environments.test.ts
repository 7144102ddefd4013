import { Testing } from "cdktf";
import { MonitoringConfig } from "../../stacks/config";
import { defineEnvironments, EnvironmentOverrides, mergeConfig, selectEnvironments } from "../../stacks/environments";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { resources } from "../constructs/helpers";

const BASE: MonitoringConfig = { backend: { kind: "s3", bucket: "acme-tf-state", region: "eu-central-1" } };
const ENVS: Record<string, EnvironmentOverrides> = {
  staging: { dockerHost: { url: "ssh://deploy@staging.example.com" } },
  production: { dockerHost: { url: "ssh://deploy@prod.example.com" }, prometheus: { retentionTime: "30d" } },
};

function synth(stack: MonitoringStack): any {
  return JSON.parse(Testing.synth(stack));
}

describe("defineEnvironments", () => {
  const app = Testing.app();
  const stacks = defineEnvironments(app, BASE, ENVS);
  const staging = synth(stacks.staging);
  const production = synth(stacks.production);

  test("one stack per environment, id <prefix>-<environment>, in definition order", () => {
    expect(Object.keys(stacks)).toEqual(["staging", "production"]);
    expect(stacks.staging.node.id).toBe("monitoring-staging");
    expect(stacks.production.node.id).toBe("monitoring-production");
  });

  test("each environment has its own state key", () => {
    expect(staging.terraform.backend.s3.key).toBe("monitoring-staging/terraform.tfstate");
    expect(production.terraform.backend.s3.key).toBe("monitoring-production/terraform.tfstate");
    expect(staging.terraform.backend.s3.bucket).toBe(production.terraform.backend.s3.bucket);
  });

  test("names differ: containers, volumes and network are prefixed with the stack id", () => {
    const names = (json: any, type: string) => Object.values(resources(JSON.stringify(json), type)).map((r: any) => r.name);
    expect(names(staging, "docker_container")).toContain("monitoring-staging-prometheus");
    expect(names(production, "docker_container")).toContain("monitoring-production-prometheus");
    expect(names(staging, "docker_network").sort()).toEqual(["monitoring-staging", "monitoring-staging-databases", "monitoring-staging-docker-api"]);
    const shared = names(staging, "docker_volume").filter((v: string) => names(production, "docker_volume").includes(v));
    expect(shared).toEqual([]);
  });

  test("overrides are layered over the base: the Docker host and retention of production only", () => {
    expect(staging.variable.docker_host.default).toBe("ssh://deploy@staging.example.com");
    expect(production.variable.docker_host.default).toBe("ssh://deploy@prod.example.com");
    const flags = (json: any) => (Object.values(resources(JSON.stringify(json), "docker_container")).find((c: any) => c.name.endsWith("-prometheus")) as any).command;
    expect(flags(production)).toContain("--storage.tsdb.retention.time=30d");
    expect(flags(staging)).toContain("--storage.tsdb.retention.time=15d");
  });

  test("the override's own name wins over the derived one", () => {
    const s = defineEnvironments(Testing.app(), {}, { qa: { name: "obs-qa" } });
    expect(s.qa.node.id).toBe("monitoring-qa");
    expect(Object.values(resources(Testing.synth(s.qa), "docker_network")).map((n: any) => n.name).sort()).toEqual(["obs-qa", "obs-qa-databases", "obs-qa-docker-api"]);
  });

  test("select chooses environments: list, all, none", () => {
    expect(Object.keys(defineEnvironments(Testing.app(), BASE, ENVS, { select: "production" }))).toEqual(["production"]);
    expect(Object.keys(defineEnvironments(Testing.app(), BASE, ENVS, { select: "" }))).toEqual([]);
    expect(selectEnvironments(["staging", "production"], "production, staging")).toEqual(["staging", "production"]);
    expect(selectEnvironments(["staging", "production"], undefined)).toEqual(["staging", "production"]);
  });

  test("the default monitoring stack and the environments live side by side in one app", () => {
    const both = Testing.app();
    new MonitoringStack(both, "monitoring", {});
    defineEnvironments(both, BASE, ENVS);
    expect(both.node.children.map((c) => c.node.id).sort()).toEqual(["monitoring", "monitoring-production", "monitoring-staging"]);
  });
});

describe("defineEnvironments errors", () => {
  test("unknown environment in the selection names the known ones", () => {
    expect(() => defineEnvironments(Testing.app(), BASE, ENVS, { select: "prod" })).toThrow(
      /MONITORING_ENVIRONMENTS: "prod" is not an environment; use "all", "" or a comma-separated list of "staging", "production"/,
    );
  });

  test("a bad environment name", () => {
    expect(() => defineEnvironments(Testing.app(), BASE, { Staging: {} })).toThrow(/environments\.Staging: "Staging" must be a lower-case name/);
  });

  test("two environments sharing one state location", () => {
    const base: MonitoringConfig = { backend: { kind: "http", address: "https://state.example.com/monitoring" } };
    expect(() => defineEnvironments(Testing.app(), base, ENVS)).toThrow(
      /environments\.production\.backend: state "https:\/\/state\.example\.com\/monitoring" is also used by environment staging; put "\{stack\}"/,
    );
  });

  test("two environments on one Docker host with the default subnet and ports", () => {
    // GIVEN both environments on the local socket WHEN defined THEN the subnet and the host ports clash
    expect(() => defineEnvironments(Testing.app(), {}, { a: {}, b: {} })).toThrow(
      /environments a and b share the Docker host unix:\/\/\/var\/run\/docker\.sock: network\.subnet 172\.30\.0\.0\/24 and 172\.30\.0\.0\/24 overlap[\s\S]*both publish host port\(s\) 3000, 4317, 4318, 9090, 9093, 16686/,
    );
  });

  test("two environments on one Docker host are fine with their own subnets and ports", () => {
    const b: EnvironmentOverrides = {
      network: { subnet: "172.31.0.0/24" },
      prometheus: { publishedPort: 19090 },
      alertmanager: { publishedPort: 19093 },
      grafana: { publishedPort: 13000 },
      jaeger: { publishedPorts: { ui: 26686, otlpGrpc: 14317, otlpHttp: 14318 } },
    };
    expect(Object.keys(defineEnvironments(Testing.app(), {}, { a: {}, b }))).toEqual(["a", "b"]);
  });

  test("the same name on one host", () => {
    const over: EnvironmentOverrides = { name: "obs" };
    expect(() =>
      defineEnvironments(Testing.app(), {}, { a: over, b: { ...over, network: { subnet: "172.31.0.0/24" }, jaeger: { enabled: false }, grafana: { publishedPort: false }, prometheus: { publishedPort: false }, alertmanager: { publishedPort: false } } }),
    ).toThrow(/environments a and b share the Docker host unix:\/\/\/var\/run\/docker\.sock and the name "obs"; give each its own name\/network\.name/);
  });
});

describe("mergeConfig", () => {
  test("objects merge field by field; arrays and values replace; undefined keeps the base", () => {
    const base = { a: { x: 1, y: [1, 2] }, b: "keep" };
    expect(mergeConfig(base, { a: { y: [3] } })).toEqual({ a: { x: 1, y: [3] }, b: "keep" });
    expect(mergeConfig(base, undefined)).toBe(base);
  });
});
