import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Network } from "@cdktf/provider-docker/lib/network";
import { TerraformVariable } from "cdktf";
import { JOBS } from "../../alerts/jobs";
import {
  NODE_EXPORTER_DEFAULT_MOUNT_POINTS_EXCLUDE,
  NODE_EXPORTER_DEFAULT_NETDEV_EXCLUDE,
  NodeExporter,
  NodeExporterProps,
} from "../../constructs/node-exporter";
import { IMAGES } from "../../constructs/versions";
import { context, synth, theContainer } from "./service-test-support";

const LISTEN = "172.30.0.1:9100";

function build(props: Partial<NodeExporterProps> = {}) {
  return synth((scope) => new NodeExporter(scope, "node", { context, listenAddress: LISTEN, ...props }));
}

describe("NodeExporter defaults", () => {
  const { out, json, built: node } = build();

  test("exposes the listen address as its scrape target", () => {
    expect(node.listenAddress).toBe(LISTEN);
    expect(node.hostname).toBe("172.30.0.1");
    expect(node.port).toBe(9100);
    expect(node.url).toBe("http://172.30.0.1:9100");
    expect(node.scrapeTarget).toEqual({ job: JOBS.nodeExporter, targets: [LISTEN] });
  });

  test("host pid and network, / read-only at /host, read-only root, image user, nothing published", () => {
    expect(out).toHaveResourceWithProperties(Image, {
      name: `${IMAGES.nodeExporter.repository}:${IMAGES.nodeExporter.tag}`,
    });
    expect(out).toHaveResourceWithProperties(Container, {
      name: "monitoring-node-exporter",
      pid_mode: "host",
      network_mode: "host",
      read_only: true,
      memory: 64,
      cpus: "0.25",
      ports: [],
      volumes: [{ host_path: "/", container_path: "/host", read_only: true }],
    });
    const c = theContainer(json);
    expect(c.user).toBeUndefined();
    expect(c.networks_advanced).toBeUndefined();
    expect(c.upload).toBeUndefined();
    expect(c.depends_on).toBeUndefined();
    // What Docker adds for a host PID namespace, written out so the provider sees no diff (e2e redeploy).
    expect(c.security_opts).toEqual(["no-new-privileges:true", "label=disable"]);
  });

  test("flags: listen address, rootfs, mount-point and device excludes", () => {
    expect(out).toHaveResourceWithProperties(Container, {
      command: [
        `--web.listen-address=${LISTEN}`,
        "--path.rootfs=/host",
        `--collector.filesystem.mount-points-exclude=${NODE_EXPORTER_DEFAULT_MOUNT_POINTS_EXCLUDE}`,
        `--collector.netdev.device-exclude=${NODE_EXPORTER_DEFAULT_NETDEV_EXCLUDE}`,
      ],
    });
  });

  test("healthcheck fetches /metrics on the listen address", () => {
    expect(out).toHaveResourceWithProperties(Container, {
      healthcheck: expect.objectContaining({
        test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://${LISTEN}/metrics`],
      }),
    });
  });

  test("the default excludes match container plumbing and not the host's own", () => {
    const dev = new RegExp(NODE_EXPORTER_DEFAULT_NETDEV_EXCLUDE);
    for (const d of ["veth1a2b3c", "br-0123456789ab", "docker0"]) expect(dev.test(d)).toBe(true);
    for (const d of ["eth0", "ens3", "wlan0", "lo"]) expect(dev.test(d)).toBe(false);
    const mp = new RegExp(NODE_EXPORTER_DEFAULT_MOUNT_POINTS_EXCLUDE);
    for (const m of ["/var/lib/docker/overlay2/abc/merged", "/run/docker/netns/x", "/proc", "/sys/fs/cgroup"]) {
      expect(mp.test(m)).toBe(true);
    }
    for (const m of ["/", "/home", "/var/lib/docker", "/boot/efi"]) expect(mp.test(m)).toBe(false);
  });
});

describe("NodeExporter props", () => {
  test("dependsOn orders it after the stack network", () => {
    const { json } = synth((scope) => {
      const net = new Network(scope, "net", { name: "monitoring" });
      return new NodeExporter(scope, "node", { context, listenAddress: LISTEN, dependsOn: [net] });
    });
    // The plain resource address; whether Terraform accepts the whole stack is judged by Terraform
    // itself in test/stacks/terraform.test.ts.
    expect(theContainer(json).depends_on).toEqual(["docker_network.net"]);
  });

  test("mountPointsExclude and netdevDeviceExclude", () => {
    const { out } = build({ mountPointsExclude: "^/snap($|/)", netdevDeviceExclude: "^lo$" });
    expect(out).toHaveResourceWithProperties(Container, {
      command: expect.arrayContaining([
        "--collector.filesystem.mount-points-exclude=^/snap($|/)",
        "--collector.netdev.device-exclude=^lo$",
      ]),
    });
  });

  test("IPv6 listen address", () => {
    expect(build({ listenAddress: "[fd00::1]:9100" }).built.scrapeTarget.targets).toEqual(["[fd00::1]:9100"]);
  });

  test("resources and image", () => {
    const { out } = build({ resources: { memoryMb: 128, cpus: 0.5 }, image: { repository: "prom/node-exporter", tag: "v1.10.2" } });
    expect(out).toHaveResourceWithProperties(Container, { memory: 128, cpus: "0.5" });
    expect(out).toHaveResourceWithProperties(Image, { name: "prom/node-exporter:v1.10.2" });
  });
});

describe("NodeExporter validation", () => {
  test.each<[string, string, RegExp]>([
    ["no port", "172.30.0.1", /nodeExporter\.listenAddress: "172\.30\.0\.1" is not an "ip:port" address/],
    ["hostname", "localhost:9100", /nodeExporter\.listenAddress: "localhost:9100" is not an "ip:port" address/],
    ["bad octet", "300.1.1.1:9100", /nodeExporter\.listenAddress: "300\.1\.1\.1:9100" is not an "ip:port" address/],
    ["bad port", "172.30.0.1:0", /nodeExporter\.listenAddress: port 0 in "172\.30\.0\.1:0" is not a TCP port/],
    ["wildcard", "0.0.0.0:9100", /nodeExporter\.listenAddress: "0\.0\.0\.0:9100" listens on every interface/],
    ["empty host", ":9100", /nodeExporter\.listenAddress: ":9100" is not an "ip:port" address/],
  ])("%s", (_name, listenAddress, message) => {
    expect(() => build({ listenAddress })).toThrow(message);
  });

  test("a Terraform token is refused: Prometheus needs the literal address", () => {
    expect(() =>
      synth((scope) => {
        const v = new TerraformVariable(scope, "addr", { type: "string" });
        return new NodeExporter(scope, "node", { context, listenAddress: v.stringValue });
      }),
    ).toThrow(/nodeExporter\.listenAddress: ".*" is a Terraform token/);
  });
});
