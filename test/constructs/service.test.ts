import { Duration } from "../../alerts/duration";
import { dockerCpus, HealthCheck, MonitoringService } from "../../constructs/service";
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
