import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { TerraformVariable } from "cdktf";
import { Duration } from "../../alerts/duration";
import { JOBS } from "../../alerts/jobs";
import { Alloy, AlloyProps, renderAlloyConfig } from "../../constructs/alloy";
import { sha256 } from "../../constructs/service";
import { IMAGES } from "../../constructs/versions";
import { context, interpolatedStrings, synth, theContainer, uploadOf } from "./service-test-support";

const CONFIG = "/etc/alloy/config.alloy";
const PUSH = "http://loki:3100/loki/api/v1/push";
const DOCKER_API = "tcp://docker-socket-proxy:2375";

function build(props: Partial<AlloyProps> = {}) {
  return synth((scope) => new Alloy(scope, "alloy", { context, lokiPushUrl: PUSH, dockerHost: DOCKER_API, ...props }));
}

/** The body of the block `header { ... }` (blocks in the rendered file do not nest braces on one line). */
function block(config: string, header: string): string {
  const start = config.indexOf(`${header} {`);
  expect(start).toBeGreaterThanOrEqual(0);
  const lines = config.slice(start).split("\n");
  const end = lines.findIndex((l) => l === "}");
  return lines.slice(1, end).join("\n");
}

describe("Alloy defaults", () => {
  const { out, json, built: alloy } = build();

  test("exposes url and scrape target", () => {
    expect(alloy.hostname).toBe("alloy");
    expect(alloy.port).toBe(12345);
    expect(alloy.url).toBe("http://alloy:12345");
    expect(alloy.scrapeTarget).toEqual({ job: JOBS.alloy, targets: ["alloy:12345"] });
  });

  test("container: the image's non-root user, no Docker socket, listen on 0.0.0.0, storage on a volume, no published port", () => {
    expect(out).toHaveResourceWithProperties(Image, { name: `${IMAGES.alloy.repository}:${IMAGES.alloy.tag}` });
    expect(out).toHaveResourceWithProperties(Container, {
      name: "monitoring-alloy",
      user: "473:473",
      command: [
        "run",
        CONFIG,
        "--server.http.listen-addr=0.0.0.0:12345",
        "--storage.path=/var/lib/alloy/data",
        "--disable-reporting",
      ],
      read_only: false,
      memory: 256,
      cpus: "0.5",
      ports: [],
      capabilities: { drop: ["ALL"] },
    });
    // Only its data volume: no host path at all, so no socket.
    expect(theContainer(json).volumes).toEqual([
      { container_path: "/var/lib/alloy/data", volume_name: expect.stringMatching(/^\$\{docker_volume\./) },
    ]);
    expect(out).toHaveResourceWithProperties(Volume, { name: "monitoring-alloy-data" });
  });

  test("healthcheck asks /-/ready through bash's /dev/tcp (the image has no wget)", () => {
    const test = theContainer(json).healthcheck.test;
    expect(test.slice(0, 3)).toEqual(["CMD", "bash", "-c"]);
    expect(test[3]).toContain("/dev/tcp/127.0.0.1/12345");
    expect(test[3]).toContain("GET /-/ready HTTP/1.0");
    expect(test[3]).not.toContain("${");
  });

  test("config is an uploaded asset; nothing of it reaches Terraform", () => {
    expect(uploadOf(json, CONFIG).source_hash).toBe(sha256(alloy.config));
    expect(uploadOf(json, CONFIG).content).toBeUndefined();
    expect(out).not.toContain("loki.source.docker");
    for (const s of interpolatedStrings(json)) {
      expect(s).toMatch(/^\$\{docker_(image|volume)\.[^}]+\}$/);
    }
  });

  test("discovers all containers through the socket proxy, and reads their logs through it", () => {
    const d = block(alloy.config, 'discovery.docker "containers"');
    expect(d).toContain(`host             = "${DOCKER_API}"`);
    expect(block(alloy.config, 'loki.source.docker "containers"')).toContain(`host          = "${DOCKER_API}"`);
    expect(alloy.config).not.toContain("unix://");
    expect(d).toContain('refresh_interval = "15s"');
    expect(d).not.toContain("filter");
  });

  test("labels container, service (compose label, else name) and stream", () => {
    const r = block(alloy.config, 'discovery.relabel "logs"');
    expect(r).toContain("targets = []");
    const rules = r.split("rule {").slice(1).map((x) => x.replace(/\s+/g, " ").trim());
    expect(rules).toEqual([
      'source_labels = ["__meta_docker_container_name"] regex = "/?(.*)" target_label = "container" }',
      'source_labels = ["__meta_docker_container_name"] regex = "/?(.*)" target_label = "service" }',
      'source_labels = ["__meta_docker_container_label_com_docker_compose_service"] regex = "(.+)" target_label = "service" }',
      'source_labels = ["__meta_docker_container_log_stream"] regex = "(.+)" target_label = "stream" }',
    ]);
  });

  test("the container-name rule strips the leading slash", () => {
    const m = new RegExp("^(?:/?(.*))$").exec("/monitoring-loki");
    expect(m?.[1]).toBe("monitoring-loki");
  });

  test("reads logs with the rules and writes to the Loki push URL", () => {
    const s = block(alloy.config, 'loki.source.docker "containers"');
    expect(s).toContain("targets       = discovery.docker.containers.targets");
    expect(s).toContain("relabel_rules = discovery.relabel.logs.rules");
    expect(s).toContain("forward_to    = [loki.write.loki.receiver]");
    expect(alloy.config).toContain(`url = "${PUSH}"`);
  });

  test("braces balance", () => {
    const open = (alloy.config.match(/{/g) ?? []).length;
    const close = (alloy.config.match(/}/g) ?? []).length;
    expect(open).toBe(close);
  });
});

describe("Alloy props", () => {
  test("lokiPushUrl", () => {
    const { built } = build({ lokiPushUrl: "http://logs:3200/loki/api/v1/push" });
    expect(built.config).toContain('url = "http://logs:3200/loki/api/v1/push"');
  });

  test("port", () => {
    const { out, built } = build({ port: 12346 });
    expect(built.scrapeTarget.targets).toEqual(["alloy:12346"]);
    expect(out).toHaveResourceWithProperties(Container, {
      command: expect.arrayContaining(["--server.http.listen-addr=0.0.0.0:12346"]),
    });
  });

  test("containerFilter label and network become Docker API filters", () => {
    const { built } = build({ containerFilter: { label: "logs=true", network: "chat" } });
    const d = block(built.config, 'discovery.docker "containers"').replace(/\s+/g, " ");
    expect(d).toContain('filter { name = "label" values = ["logs=true"] }');
    expect(d).toContain('filter { name = "network" values = ["chat"] }');
  });

  test("refreshInterval", () => {
    expect(build({ refreshInterval: Duration.parse("1m") }).built.config).toContain('refresh_interval = "1m"');
  });

  test("dockerHost", () => {
    expect(build({ dockerHost: "tcp://api-gate:2376" }).built.config).toContain('host             = "tcp://api-gate:2376"');
  });

  test("resources and image", () => {
    const { out } = build({ resources: { memoryMb: 512, cpus: 1 }, image: { repository: "grafana/alloy", tag: "v1.12.0" } });
    expect(out).toHaveResourceWithProperties(Container, { memory: 512, cpus: "1.0" });
    expect(out).toHaveResourceWithProperties(Image, { name: "grafana/alloy:v1.12.0" });
  });

  test("strings are quoted as Alloy literals", () => {
    const text = renderAlloyConfig({
      lokiPushUrl: 'http://loki:3100/push?a="b"',
      dockerHost: DOCKER_API,
      containerFilter: { label: 'x=a"b' },
      refreshInterval: Duration.seconds(5),
    });
    expect(text).toContain('url = "http://loki:3100/push?a=\\"b\\""');
    expect(text).toContain('values = ["x=a\\"b"]');
  });
});

describe("Alloy validation", () => {
  test.each<[string, Partial<AlloyProps>, RegExp]>([
    ["port", { port: 65536 }, /alloy\.port: 65536 is not a TCP port/],
    ["lokiPushUrl", { lokiPushUrl: "loki:3100" }, /alloy\.lokiPushUrl: "loki:3100" is not an http\(s\) URL/],
    ["refreshInterval", { refreshInterval: Duration.parse("500ms") }, /alloy\.refreshInterval: "500ms" is too short/],
    ["dockerHost", { dockerHost: "unix:///var/run/docker.sock" }, /alloy\.dockerHost: "unix:\/\/\/var\/run\/docker\.sock" is not the socket proxy's tcp:\/\/host:port; Alloy never mounts the Docker socket/],
    ["label", { containerFilter: { label: "=x" } }, /alloy\.containerFilter\.label: "=x" is not a label filter/],
    ["network", { containerFilter: { network: " " } }, /alloy\.containerFilter\.network: " " is empty/],
  ])("%s", (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test("a Terraform token as lokiPushUrl is refused: the file is rendered at synth time", () => {
    expect(() =>
      synth((scope) => {
        const v = new TerraformVariable(scope, "loki_url", { type: "string" });
        return new Alloy(scope, "alloy", { context, lokiPushUrl: v.stringValue, dockerHost: DOCKER_API });
      }),
    ).toThrow(/alloy\.lokiPushUrl: ".*" is a Terraform token/);
  });
});

describe("renderAlloyConfig per node (one Alloy on every node of a cluster)", () => {
  const options = { lokiPushUrl: PUSH, dockerHost: "unix:///run/docker-api/docker.sock", refreshInterval: Duration.seconds(15) };
  const perNode = renderAlloyConfig({ ...options, perNode: { label: "node", env: "NODE_HOSTNAME" } });

  test("every line carries the node's name from the task's environment", () => {
    expect(block(perNode, 'loki.write "loki"')).toContain('external_labels = { "node" = sys.env("NODE_HOSTNAME") }');
    expect(renderAlloyConfig(options)).not.toContain("external_labels");
  });

  test("a swarm task's service is its swarm service, after the container name and the Compose service", () => {
    const sources = [...block(perNode, 'discovery.relabel "logs"').matchAll(/source_labels = \["([^"]+)"\]\n\s+regex\s+= "[^"]+"\n\s+target_label\s+= "service"/g)].map((m) => m[1]);
    expect(sources).toEqual([
      "__meta_docker_container_name",
      "__meta_docker_container_label_com_docker_compose_service",
      "__meta_docker_container_label_com_docker_swarm_service_name",
    ]);
  });
});
