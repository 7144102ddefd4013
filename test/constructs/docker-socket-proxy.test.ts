import { Testing } from "cdktf";
import { DOCKER_API_ALLOWED_GET, DOCKER_API_GROUP_ID, DockerSocketMount, DockerSocketProxy, DockerSocketProxyProps, SWARM_SOCKET } from "../../constructs/docker-socket-proxy";
import { Alloy } from "../../constructs/alloy";
import { Cadvisor } from "../../constructs/cadvisor";
import { ServiceContext } from "../../constructs/service";
import { IMAGES } from "../../constructs/versions";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { MonitoringConfig } from "../../stacks/config";
import { context, synth, theContainer } from "./service-test-support";

function build(props: Partial<DockerSocketProxyProps> = {}) {
  return synth((scope) => new DockerSocketProxy(scope, "proxy", { context, ...props }));
}

/** socket-proxy anchors every allow regex with ^…$ and matches the path without the query. */
const allowed = (p: string) => new RegExp(`^${DOCKER_API_ALLOWED_GET}$`).test(p);

describe("DockerSocketProxy", () => {
  const { json, built } = build();
  const c = theContainer(json);

  test("the pinned image, uid 0 without any capability, read-only root, the socket read-only, nothing published", () => {
    expect(json.resource.docker_image && Object.values(json.resource.docker_image as Record<string, any>)[0].name).toBe(
      `${IMAGES.socketProxy.repository}:${IMAGES.socketProxy.tag}`,
    );
    expect(c).toMatchObject({ name: "monitoring-docker-socket-proxy", user: "0", read_only: true, ports: [], capabilities: { drop: ["ALL"] } });
    expect(c.volumes).toEqual([{ host_path: "/var/run/docker.sock", container_path: "/var/run/docker.sock", read_only: true }]);
    expect(c.healthcheck.test).toEqual(["CMD", "/healthcheck"]);
    expect(built.dockerHost).toBe("tcp://docker-socket-proxy:2375");
  });

  test("forwards GET of what Alloy and cAdvisor read, HEAD /_ping, nothing else", () => {
    expect(c.command).toEqual([
      "-listenip=0.0.0.0",
      "-proxyport=2375",
      "-allowfrom=0.0.0.0/0",
      `-allowGET=${DOCKER_API_ALLOWED_GET}`,
      "-allowHEAD=/_ping",
      "-shutdowngracetime=5",
      "-allowhealthcheck",
    ]);
    for (const p of ["/_ping", "/v1.47/info", "/version", "/v1.43/containers/json", "/v1.43/networks", "/v1.43/containers/3f2a9c/json", "/v1.43/containers/monitoring-loki/logs"]) {
      expect([p, allowed(p)]).toEqual([p, true]);
    }
    for (const p of ["/v1.43/containers/abc/exec", "/v1.43/containers/abc/archive", "/v1.43/containers/abc/export", "/v1.43/images/json", "/v1.43/secrets", "/v1.43/containers/a/b/json", "/v1.43/events", "/v1.43/containers/../../x/json"]) {
      expect([p, allowed(p)]).toEqual([p, false]);
    }
  });

  test("socket and socketGroupId", () => {
    const c2 = theContainer(build({ socket: "/run/user/1000/docker.sock", socketGroupId: 998 }).json);
    expect(c2.user).toBe("65534:998");
    expect(c2.volumes[0].host_path).toBe("/run/user/1000/docker.sock");
  });

  test.each<[Partial<DockerSocketProxyProps>, string]>([
    [{ socket: "docker.sock" }, 'dockerSocketProxy.socket: "docker.sock" must be an absolute path on the Docker host'],
    [{ socketGroupId: 0 }, "dockerSocketProxy.socketGroupId: 0 is not a group id; use the host's docker group (getent group docker)"],
    [{ socketGroupId: 1.5 }, "dockerSocketProxy.socketGroupId: 1.5 is not a group id"],
  ])("%j is refused", (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

describe("the Docker socket in the stack", () => {
  function stack(config: MonitoringConfig = {}): any {
    const app = Testing.app();
    return JSON.parse(Testing.synth(new MonitoringStack(app, "monitoring", config)));
  }
  const containers = (tf: any) => Object.values(tf.resource.docker_container as Record<string, any>);
  const byName = (tf: any, name: string) => containers(tf).find((c) => c.name === name);
  const networksOf = (c: any) => (c.networks_advanced ?? []).map((n: any) => n.name);

  test("only the proxy mounts it; no other container mounts /var/run, /run or the host's /", () => {
    const tf = stack({ network: { applicationNetwork: "chat_default" } });
    const mounting = containers(tf).filter((c) => (c.volumes ?? []).some((v: any) => /docker\.sock$/.test(v.host_path ?? "")));
    expect(mounting.map((c) => c.name)).toEqual(["monitoring-docker-socket-proxy"]);
    // node-exporter reads the host's / (filesystem metrics), socket included, but as nobody without any
    // capability it cannot connect to the root:docker 0660 socket.
    const nodeExporter = byName(tf, "monitoring-node-exporter");
    expect(nodeExporter.user).toBeUndefined(); // the image's USER nobody
    expect(nodeExporter.capabilities).toEqual({ drop: ["ALL"] });
    for (const c of containers(tf).filter((c) => !["monitoring-docker-socket-proxy", "monitoring-node-exporter"].includes(c.name))) {
      for (const v of c.volumes ?? []) expect([c.name, v.host_path]).not.toEqual([c.name, expect.stringMatching(/^\/$|^\/var\/run|^\/run/)]);
    }
  });

  test("on an internal network of its own, which only Alloy and cAdvisor join", () => {
    const tf = stack({ network: { applicationNetwork: "chat_default" } });
    const nets = Object.entries(tf.resource.docker_network as Record<string, any>);
    const [apiId, api] = nets.find(([, n]) => n.name === "monitoring-docker-api")!;
    expect(api.internal).toBe(true);
    const ref = `\${docker_network.${apiId}.name}`;
    expect(networksOf(byName(tf, "monitoring-docker-socket-proxy"))).toEqual([ref]);
    const onIt = containers(tf).filter((c) => networksOf(c).includes(ref)).map((c) => c.name).sort();
    expect(onIt).toEqual(["monitoring-alloy", "monitoring-cadvisor", "monitoring-docker-socket-proxy"]);
    expect(byName(tf, "monitoring-cadvisor").command).toContain("--docker=tcp://docker-socket-proxy:2375");
  });

  test("no reader, no proxy: without Alloy and cAdvisor neither the proxy nor its network exists", () => {
    const tf = stack({ alloy: { enabled: false }, exporters: { cadvisor: { enabled: false } } });
    expect(byName(tf, "monitoring-docker-socket-proxy")).toBeUndefined();
    expect(Object.values(tf.resource.docker_network as Record<string, any>).map((n) => n.name)).not.toContain("monitoring-docker-api");
  });

  test("dockerSocketProxy options reach the proxy", () => {
    const tf = stack({ dockerSocketProxy: { socket: "/srv/docker.sock", socketGroupId: 991, resources: { memoryMb: 32, cpus: 0.1 } } });
    expect(byName(tf, "monitoring-docker-socket-proxy")).toMatchObject({ user: "65534:991", memory: 32, volumes: [expect.objectContaining({ host_path: "/srv/docker.sock" })] });
  });
});

describe("DockerSocketProxy on a swarm, and what its readers accept", () => {
  const swarm: ServiceContext = { ...context, runtime: { kind: "swarm", nodes: [{ hostname: "sw1", address: "10.0.0.1" }] } };
  const { built } = synth((scope) => new DockerSocketProxy(scope, "proxy", { context: swarm }));

  test("readers get its unix socket, inside the directory they mount read-only, and the group that may connect", () => {
    expect(SWARM_SOCKET).toBe("/run/docker-api/docker.sock");
    expect(built.dockerHost).toBe(`unix://${SWARM_SOCKET}`);
    expect(built.socketMount).toEqual({
      directory: { name: "monitoring-docker-api", containerPath: "/run/docker-api", uid: 0, gid: DOCKER_API_GROUP_ID, mode: "2750", readOnly: true },
      groupId: 2375,
    });
    expect(build().built.socketMount).toBeUndefined();
  });

  const mount = built.socketMount!;
  const readers = {
    alloy: (dockerHost: string, dockerSocketMount?: DockerSocketMount) =>
      synth((scope) => new Alloy(scope, "alloy", { context: swarm, lokiPushUrl: "http://loki:3100/loki/api/v1/push", dockerHost, dockerSocketMount })),
    cadvisor: (dockerHost: string, dockerSocketMount?: DockerSocketMount) =>
      synth((scope) => new Cadvisor(scope, "cadvisor", { context: swarm, dockerHost, dockerSocketMount })),
  };
  const cases: [string, string, DockerSocketMount | undefined, RegExp][] = [
    ["a unix socket without the proxy's directory", "unix:///run/docker-api/docker.sock", undefined, /\.dockerHost: "unix:\/\/\/run\/docker-api\/docker\.sock" is not the socket proxy's tcp:\/\/host:port; (Alloy|cAdvisor) never mounts the Docker socket/],
    ["the Docker socket itself", "unix:///var/run/docker.sock", mount, /\.dockerHost: "unix:\/\/\/var\/run\/docker\.sock" is outside the mounted socket directory "\/run\/docker-api"/],
    ["a path that climbs out of the directory", "unix:///run/docker-api/../docker.sock", mount, /is outside the mounted socket directory "\/run\/docker-api"/],
    ["a directory mounted for a TCP proxy", "tcp://docker-socket-proxy:2375", mount, /\.dockerSocketMount: the socket directory "\/run\/docker-api" is mounted, but dockerHost "tcp:\/\/docker-socket-proxy:2375" is not a unix:\/\/ socket in it/],
    ["a directory mounted writable", SWARM_SOCKET.replace(/^/, "unix://"), { ...mount, directory: { ...mount.directory, readOnly: false } }, /\.dockerSocketMount: "\/run\/docker-api" must be mounted read-only/],
    ["a bad socket directory", "unix:///run/docker-api/docker.sock", { ...mount, directory: { ...mount.directory, containerPath: "run/docker-api" } }, /\.dockerSocketMount: the socket directory "run\/docker-api" is not an absolute path inside the container/],
    ["a bad group", "unix:///run/docker-api/docker.sock", { ...mount, groupId: -5 }, /\.groups: -5 is not a group id/],
  ];
  for (const [reader, make] of Object.entries(readers)) {
    test.each(cases)(`${reader}: %s is refused`, (_what, host, m, message) => {
      expect(() => make(host, m)).toThrow(message);
    });
  }
});
