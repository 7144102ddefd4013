import { Duration } from "../../alerts/duration";
import { dockerCpus, HealthCheck, MonitoringService, ServiceContext } from "../../constructs/service";
import { IMAGES } from "../../constructs/versions";
import { context, synth, theContainer } from "./service-test-support";

describe("dockerCpus", () => {
  // The provider reads `cpus` back from the engine's NanoCPUs (internal/provider/helpers.go,
  // nanoInt64ToDecimalString) and `cpus` forces replacement: the stack must write that exact form.
  test.each([
    [1, "1.0"],
    [2, "2.0"],
    [0.5, "0.5"],
    [0.25, "0.25"],
    [1.5, "1.5"],
    [0.125, "0.125"],
  ])("%p CPUs are written as %p", (cpus, text) => {
    expect(dockerCpus(cpus)).toBe(text);
  });
});

describe("MonitoringService healthcheck", () => {
  const build = (healthcheck: HealthCheck | undefined) =>
    synth((scope) => new MonitoringService(scope, "svc", { serviceName: "svc", context, image: IMAGES.nodeExporter, resources: { memoryMb: 64, cpus: 0.5 }, readOnlyRootFilesystem: true, healthcheck }));
  const test_ = ["CMD", "/bin/true"];

  test("defaults: a check every second during the 30s start period, then every 30s", () => {
    const hc = theContainer(build({ test: test_ }).json).healthcheck;
    expect(hc).toEqual({ test: test_, interval: "30s", timeout: "5s", retries: 3, start_period: "30s", start_interval: "1s" });
  });

  test("startInterval is a prop", () => {
    const hc = theContainer(build({ test: test_, startInterval: Duration.parse("500ms"), startPeriod: Duration.parse("10s") }).json).healthcheck;
    expect([hc.start_interval, hc.start_period]).toEqual(["500ms", "10s"]);
  });

  test.each([
    ["longer than the start period", { startInterval: Duration.parse("1m"), startPeriod: Duration.parse("30s") }],
    ["longer than the interval", { startInterval: Duration.parse("20s"), interval: Duration.parse("10s"), startPeriod: Duration.parse("1m") }],
  ])("a start interval %s is refused, naming the service, the value and the bounds", (_what, props) => {
    expect(() => build({ test: test_, ...props })).toThrow(/svc\.healthcheck\.startInterval: "(1m|20s)" must be at least 1ms and at most the start period \("(30s|1m)"\) and the interval \("(30s|10s)"\)/);
  });

  test("no healthcheck, no start interval", () => {
    expect(theContainer(build(undefined).json).healthcheck).toBeUndefined();
  });
});

describe("MonitoringService on a swarm: shared directories, groups, what a service cannot express", () => {
  const swarm: ServiceContext = { ...context, runtime: { kind: "swarm", nodes: [{ hostname: "sw1", address: "10.0.0.1" }] } };
  const base = { serviceName: "svc", image: IMAGES.nodeExporter, resources: { memoryMb: 64, cpus: 0.5 }, readOnlyRootFilesystem: true };
  const dir = { name: "monitoring-sock", containerPath: "/run/sock", uid: 0, gid: 2375, mode: "2750" };
  const build = (props: Partial<ConstructorParameters<typeof MonitoringService>[2]>, ctx: ServiceContext = swarm) =>
    synth((scope) => new MonitoringService(scope, "svc", { ...base, context: ctx, ...props }));
  const service = (json: any) => Object.values(json.resource.docker_service)[0] as any;

  test("a shared directory is a local tmpfs volume named by its options, the same for every service that mounts it", () => {
    const a = service(build({ sharedDirectories: [dir] }).json);
    const b = service(build({ sharedDirectories: [{ ...dir, readOnly: true }] }).json);
    const mount = a.task_spec.container_spec.mounts[0];
    expect(mount).toEqual({
      type: "volume",
      source: expect.stringMatching(/^monitoring-sock-[0-9a-f]{8}$/),
      target: "/run/sock",
      read_only: false,
      volume_options: { no_copy: true, driver_name: "local", driver_options: { type: "tmpfs", device: "tmpfs", o: "size=64k,uid=0,gid=2375,mode=2750" } },
    });
    expect(b.task_spec.container_spec.mounts[0]).toEqual({ ...mount, read_only: true });
    // Other owners are another volume: a node never keeps the old one under the same name.
    const c = service(build({ sharedDirectories: [{ ...dir, uid: 65534 }] }).json);
    expect(c.task_spec.container_spec.mounts[0].source).not.toBe(mount.source);
  });

  test("supplementary groups: `groups` of the service, `group_add` of a container", () => {
    expect(service(build({ groups: [2375] }).json).task_spec.container_spec.groups).toEqual(["2375"]);
    expect(theContainer(build({ groups: [2375] }, context).json).group_add).toEqual(["2375"]);
    expect(theContainer(build({}, context).json).group_add).toBeUndefined();
  });

  test("a service without networks has no networks_advanced; a per-node service with a volume is not pinned", () => {
    const s = service(build({ context: { ...swarm, networks: [] }, scheduling: { mode: "per-node" }, dataVolumes: [{ name: "data", containerPath: "/data" }] }).json);
    expect(s.task_spec.networks_advanced).toBeUndefined();
    expect(s.task_spec.placement?.constraints).toBeUndefined();
    expect(s.task_spec.placement?.max_replicas).toBeUndefined();
    expect(s.task_spec.container_spec.mounts).toEqual([{ type: "volume", source: "monitoring-svc-data", target: "/data" }]);
  });

  test.each([
    ["devices", { devices: ["/dev/kmsg"] }, /svc\.devices: a swarm service has no devices/],
    ["pidMode", { pidMode: "host" as const }, /svc\.pidMode: a swarm service has no pidMode/],
    ["networkMode", { networkMode: "host" as const }, /svc\.networkMode: a swarm service has no networkMode/],
    ["a bad volume name", { sharedDirectories: [{ ...dir, name: "-sock" }] }, /svc\.sharedDirectories: "-sock" is not a volume name/],
    ["a relative path", { sharedDirectories: [{ ...dir, containerPath: "run/sock" }] }, /svc\.sharedDirectories: "run\/sock" must be an absolute path/],
    ["a bad mode", { sharedDirectories: [{ ...dir, mode: "rwx" }] }, /svc\.sharedDirectories: mode "rwx" is not an octal mode/],
    ["a bad gid", { sharedDirectories: [{ ...dir, gid: -1 }] }, /svc\.sharedDirectories: -1 is not a uid\/gid/],
    ["a bad group", { groups: [1.5] }, /svc\.groups: 1\.5 is not a group id/],
  ])("%s is refused on a swarm, naming the field", (_what, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test("a shared directory is refused on the single host", () => {
    expect(() => build({ sharedDirectories: [dir] }, context)).toThrow(/svc\.sharedDirectories: a directory shared per node needs a cluster runtime/);
  });
});
