import { engineArgs, engineDescription, engineEnv, MIN_CLIENT_API } from "../../e2e/engine";
import { READY_MARKERS, readySeconds } from "../../e2e/measure";
import { PROGRAMS } from "../../e2e/programs";

describe("the rig's Docker Engine 29", () => {
  test("its own data root, exec root, pid file and socket; no iptables, no default bridge; the default storage", () => {
    const args = engineArgs("/cache/docker-29", "/tmp/run");
    expect(args).toEqual([
      "--data-root", "/cache/docker-29",
      "--exec-root", "/tmp/run/exec",
      "--pidfile", "/tmp/run/dockerd.pid",
      "-H", "unix:///tmp/run/docker.sock",
      "--iptables=false", "--ip6tables=false", "--bridge=none",
    ]);
    // The containerd image store is the engine's default: no storage-driver flag.
    expect(args.join(" ")).not.toMatch(/storage-driver/);
  });

  test("the built dockerd, containerd and runc come first on its PATH, and Debian's 20.10 CLI is accepted", () => {
    const env = engineEnv({ dockerd: "/b/moby/dockerd", containerd: "/b/ctr/containerd", runc: "/b/runc/runc" }, { PATH: "/usr/bin:/bin" });
    expect(env.PATH).toBe("/b/moby:/b/ctr:/b/runc:/usr/bin:/bin");
    expect(env.DOCKER_MIN_API_VERSION).toBe(MIN_CLIENT_API);
    expect(MIN_CLIENT_API).toBe("1.41");
  });

  test("its description names the pins", () => {
    expect(engineDescription()).toBe(
      `Docker Engine ${PROGRAMS.moby.release} (moby/v2 ${PROGRAMS.moby.version}, containerd ${PROGRAMS.containerd.version}, runc ${PROGRAMS.runc.release}), containerd image store`,
    );
  });
});

describe("program readiness from its own log", () => {
  const started = "2026-12-04T03:40:00.000000000Z";
  const log = [
    "2026-12-04T03:40:00.300000000Z time=… level=INFO msg=\"Starting Prometheus Server\"",
    "2026-12-04T03:40:01.250000000Z time=… level=INFO msg=\"Server is ready to receive web requests.\"",
  ].join("\n");

  test("seconds from the container's start to the first line with the marker", () => {
    expect(readySeconds(started, log, READY_MARKERS.prometheus)).toBeCloseTo(1.25, 3);
  });

  test("undefined when the program never logged it", () => {
    expect(readySeconds(started, log, READY_MARKERS.alertmanager)).toBeUndefined();
  });
});
