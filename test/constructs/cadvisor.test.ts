import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Duration } from "../../alerts/duration";
import { JOBS } from "../../alerts/jobs";
import {
  CADVISOR_DEFAULT_CONTAINER_LABELS,
  CADVISOR_DEFAULT_DISABLED_METRICS,
  CADVISOR_METRICS,
  Cadvisor,
  CadvisorMetric,
  CadvisorProps,
} from "../../constructs/cadvisor";
import { IMAGES } from "../../constructs/versions";
import { context, synth, theContainer } from "./service-test-support";

function build(props: Partial<CadvisorProps> = {}) {
  return synth((scope) => new Cadvisor(scope, "cadvisor", { context, dockerHost: "tcp://docker-socket-proxy:2375", ...props }));
}

function flag(json: any, name: string): string | undefined {
  const arg = (theContainer(json).command as string[]).find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

describe("Cadvisor defaults", () => {
  const { out, json, built: cadvisor } = build();

  test("exposes url and scrape target", () => {
    expect(cadvisor.hostname).toBe("cadvisor");
    expect(cadvisor.port).toBe(8080);
    expect(cadvisor.url).toBe("http://cadvisor:8080");
    expect(cadvisor.scrapeTarget).toEqual({ job: JOBS.cadvisor, targets: ["cadvisor:8080"] });
  });

  test("container: root with only SYSLOG, read-only root and host mounts, /dev/kmsg, nothing published", () => {
    expect(out).toHaveResourceWithProperties(Image, { name: `${IMAGES.cadvisor.repository}:${IMAGES.cadvisor.tag}` });
    expect(out).toHaveResourceWithProperties(Container, {
      name: "monitoring-cadvisor",
      user: "0",
      read_only: true,
      memory: 256,
      cpus: "0.5",
      ports: [],
      capabilities: { drop: ["ALL"], add: ["SYSLOG"] },
      devices: [{ host_path: "/dev/kmsg", container_path: "/dev/kmsg", permissions: "r" }],
      tmpfs: { "/tmp": "rw,noexec,nosuid,size=16m" },
      volumes: [
        { host_path: "/proc", container_path: "/rootfs/proc", read_only: true },
        { host_path: "/var/lib/docker", container_path: "/rootfs/var/lib/docker", read_only: true },
        { host_path: "/sys", container_path: "/sys", read_only: true },
        { host_path: "/var/lib/docker", container_path: "/var/lib/docker", read_only: true },
        { host_path: "/dev/disk", container_path: "/dev/disk", read_only: true },
      ],
    });
    expect(theContainer(json).privileged).toBeUndefined();
  });

  test("the Docker API only through the socket proxy: no socket, no /var/run, no host / (which holds the socket)", () => {
    expect(flag(json, "docker")).toBe("tcp://docker-socket-proxy:2375");
    const hostPaths = (theContainer(json).volumes as { host_path: string }[]).map((v) => v.host_path);
    for (const p of hostPaths) {
      expect(p).not.toMatch(/^\/$|^\/var\/run|^\/run|docker\.sock/);
    }
  });

  test("healthcheck: wget /healthz", () => {
    expect(out).toHaveResourceWithProperties(Container, {
      healthcheck: expect.objectContaining({
        test: ["CMD", "wget", "--quiet", "--tries=1", "--spider", "http://127.0.0.1:8080/healthz"],
      }),
    });
  });

  test("tuned flags", () => {
    expect(flag(json, "port")).toBe("8080");
    expect(flag(json, "docker_only")).toBe("true");
    expect(flag(json, "housekeeping_interval")).toBe("30s");
    expect(flag(json, "store_container_labels")).toBe("false");
    expect(flag(json, "whitelisted_container_labels")).toBe(CADVISOR_DEFAULT_CONTAINER_LABELS.join(","));
  });

  test("disabled metrics: upstream defaults plus percpu, disk and diskIO; cpu, memory, network kept", () => {
    const disabled = flag(json, "disable_metrics")!.split(",");
    expect(disabled).toEqual([...CADVISOR_DEFAULT_DISABLED_METRICS].sort());
    // cAdvisor v0.60's own default set; --disable_metrics replaces it, so each must still be listed.
    for (const m of ["memory_numa", "tcp", "udp", "advtcp", "sched", "process", "hugetlb", "referenced_memory", "cpu_topology", "resctrl", "cpuset"]) {
      expect(disabled).toContain(m);
    }
    for (const m of ["percpu", "disk", "diskIO"]) expect(disabled).toContain(m);
    for (const m of ["cpu", "memory", "network", "pressure", "oom_event"]) expect(disabled).not.toContain(m);
    for (const m of disabled) expect(CADVISOR_METRICS).toContain(m);
  });
});

describe("Cadvisor props", () => {
  test("port", () => {
    const { json, built } = build({ port: 8081 });
    expect(flag(json, "port")).toBe("8081");
    expect(built.scrapeTarget.targets).toEqual(["cadvisor:8081"]);
    expect(theContainer(json).healthcheck.test).toContain("http://127.0.0.1:8081/healthz");
  });

  test("housekeepingInterval", () => {
    expect(flag(build({ housekeepingInterval: Duration.parse("1m") }).json, "housekeeping_interval")).toBe("1m");
  });

  test("disabledMetrics replaces the list", () => {
    expect(flag(build({ disabledMetrics: ["percpu", "advtcp"] }).json, "disable_metrics")).toBe("advtcp,percpu");
  });

  test("containerLabels", () => {
    expect(flag(build({ containerLabels: ["app"] }).json, "whitelisted_container_labels")).toBe("app");
  });

  test("resources and image", () => {
    const { out } = build({ resources: { memoryMb: 512, cpus: 1 }, image: { repository: "ghcr.io/google/cadvisor", tag: "v0.55.1" } });
    expect(out).toHaveResourceWithProperties(Container, { memory: 512, cpus: "1.0" });
    expect(out).toHaveResourceWithProperties(Image, { name: "ghcr.io/google/cadvisor:v0.55.1" });
  });
});

describe("Cadvisor validation", () => {
  test.each<[string, Partial<CadvisorProps>, RegExp]>([
    ["port", { port: 0 }, /cadvisor\.port: 0 is not a TCP port/],
    ["housekeeping too short", { housekeepingInterval: Duration.parse("100ms") }, /cadvisor\.housekeepingInterval: "100ms" is out of range; allowed: 1s to 5m/],
    ["housekeeping too long", { housekeepingInterval: Duration.parse("10m") }, /cadvisor\.housekeepingInterval: "10m" is out of range/],
    ["unknown metric", { disabledMetrics: ["percpu", "diskio" as CadvisorMetric] }, /cadvisor\.disabledMetrics: "diskio" unknown; allowed: advtcp, app/],
    ["label with comma", { containerLabels: ["a,b"] }, /cadvisor\.containerLabels: \["a,b"\] has an empty name or one with a comma/],
  ])("%s", (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
