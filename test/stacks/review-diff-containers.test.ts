import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { compareRendered, formatReview, readRendered, Rendered } from "../../stacks/review-diff";
import { containerFacts, diffFacts, reviewEnvValue } from "../../stacks/review-diff-containers";
import { MonitoringConfig, secret } from "../../stacks/config";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { IMAGES } from "../../constructs/versions";

/** Synthesizes one stack as `cdktf synth` would, into a temporary directory, and reads it as the review does. */
function rendered(config: MonitoringConfig): Rendered {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "review-containers-"));
  try {
    const app = new App({ outdir });
    new MonitoringStack(app, "monitoring", config);
    app.synth();
    return readRendered(outdir, outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The detail lines printed under the first changed address that matches. */
function detailsOf(review: ReturnType<typeof compareRendered>, address: RegExp): readonly string[] {
  const key = [...review.resources.changed, ...review.resources.added].find((k) => address.test(k));
  expect(key).toBeDefined();
  return review.details.get(key!) ?? [];
}

/** A Prometheus release newer than the pin (the next minor), so the image change shows whatever the pin is. */
const NEWER_PROMETHEUS = IMAGES.prometheus.tag.replace(/^v(\d+)\.(\d+)\.\d+$/, (_, major: string, minor: string) => `v${major}.${Number(minor) + 1}.0`);

describe("container-level changes of the real stack", () => {
  // GIVEN the default stack and one with a longer retention, a slower scrape, another host port, the application network,
  // a newer Prometheus, more memory for it and a Redis password
  const base = rendered({});
  const head = rendered({
    prometheus: {
      retentionTime: "30d",
      scrapeInterval: "30s",
      publishedPort: 9191,
      image: { repository: "prom/prometheus", tag: NEWER_PROMETHEUS },
      resources: { memoryMb: 4096, cpus: 2 },
    },
    network: { applicationNetwork: "chat_default" },
    exporters: { redis: { address: "redis://cache:6379", password: secret("redis_password") } },
  });
  // WHEN they are compared
  const review = compareRendered(base, head);
  const prometheus = detailsOf(review, /^monitoring: docker_container\.prometheus_/);

  test("Prometheus: its flags, port, network, image and limits, each on a line of its own", () => {
    // THEN every attribute that changed is named, old and new
    expect(prometheus).toEqual(
      expect.arrayContaining([
        `~ image: ${IMAGES.prometheus.repository}:${IMAGES.prometheus.tag} -> prom/prometheus:${NEWER_PROMETHEUS}`,
        "- flag --storage.tsdb.retention.time=15d",
        "+ flag --storage.tsdb.retention.time=30d",
        "- flag --web.external-url=http://localhost:9090",
        "+ flag --web.external-url=http://localhost:9191",
        "- port 127.0.0.1:9090->9090/tcp",
        "+ port 127.0.0.1:9191->9090/tcp",
        "+ network chat_default (alias prometheus)",
        "~ memory: 2048 MB -> 4096 MB",
        "~ memory_swap: 2048 MB -> 4096 MB",
        "~ cpus: 1.0 -> 2.0",
        "~ file /etc/prometheus/prometheus.yml: content changed (diff below)",
      ]),
    );
    // ...and nothing that stayed the same
    expect(prometheus.join("\n")).not.toMatch(/retention\.size|network monitoring |healthcheck|user/);
  });

  test("the new image tag also shows on its docker_image; the text report prints the lines under the address", () => {
    expect(detailsOf(review, /^monitoring: docker_image\.prometheus_/)).toEqual([
      `~ name: ${IMAGES.prometheus.repository}:${IMAGES.prometheus.tag} -> prom/prometheus:${NEWER_PROMETHEUS}`,
    ]);
    const text = formatReview(review);
    expect(text).toMatch(/^~ monitoring: docker_container\.prometheus_service_container_[0-9A-F]{8}\n(    [-+~] .*\n)*    \+ flag --storage\.tsdb\.retention\.time=30d\n/m);
  });

  test("Jaeger and blackbox-exporter join the application network; the database exporters do not", () => {
    expect(detailsOf(review, /docker_container\.jaeger_/)).toContain("+ network chat_default (alias jaeger)");
    expect(detailsOf(review, /docker_container\.blackbox-exporter_/)).toContain("+ network chat_default (alias blackbox-exporter)");
    const redis = detailsOf(review, /docker_container\.redis-exporter_/);
    expect(redis.join("\n")).not.toContain("chat_default");
    // The password file is named with the variable it reads, never a value.
    expect(redis).toEqual(
      expect.arrayContaining([
        "~ env REDIS_ADDR: redis://redis:6379 -> redis://cache:6379",
        expect.stringMatching(/^\+ file \/[^ ]+ \(mode 0444, secret \(var\.redis_password\)\)$/),
      ]),
    );
  });

  test("markdown puts each container's lines in a diff block inside its list item", () => {
    const md = formatReview(review, { markdown: true });
    expect(md).toMatch(/- changed `monitoring: docker_container\.prometheus_[^`]+`\n {2}```diff\n( {2}[-+~] .*\n)+ {2}```\n/);
  });

  test("a container that is new lists what it runs and where it is reachable", () => {
    const withK6 = compareRendered(base, rendered({ loadTesting: { enabled: true } }));
    expect(detailsOf(withK6, /^monitoring: docker_container\.k6-receiver_/)).toEqual([
      expect.stringMatching(/^\+ image: prom\/prometheus:/),
      "+ port 127.0.0.1:9091->9090/tcp",
      "+ network monitoring (alias k6-receiver)",
      "+ mount volume monitoring-k6-receiver-data at /prometheus",
    ]);
  });
});

describe("a swarm service reads like a container", () => {
  const swarm = (extra: MonitoringConfig): MonitoringConfig => ({
    runtime: { kind: "swarm", nodes: [{ hostname: "sw1", address: "10.250.0.11" }] },
    exporters: { cadvisor: { enabled: false } },
    alloy: { enabled: false },
    ...extra,
  });
  const review = compareRendered(rendered(swarm({})), rendered(swarm({ prometheus: { retentionTime: "30d", scrapeInterval: "30s", publishedPort: 9191 } })));

  test("args, host-mode port and the config file (a new content-hashed docker_config)", () => {
    expect(detailsOf(review, /^monitoring: docker_service\.prometheus_/)).toEqual(
      expect.arrayContaining([
        "- flag --storage.tsdb.retention.time=15d",
        "+ flag --storage.tsdb.retention.time=30d",
        "- port host:9090->9090/tcp",
        "+ port host:9191->9090/tcp",
        "~ file /etc/prometheus/prometheus.yml: content changed (diff below)",
      ]),
    );
  });
});

describe("no secret value is echoed", () => {
  const none = () => undefined;

  test("environment values: computed by Terraform, secret by name, or with credentials in them", () => {
    expect(reviewEnvValue("REDIS_PASSWORD", "${var.redis_password}", none)).toBe("*** (from var.redis_password)");
    expect(reviewEnvValue("GF_ADMIN", "${random_password.grafana_admin.result}", none)).toBe("*** (from random_password.grafana_admin)");
    expect(reviewEnvValue("DSN", "postgres://app:${var.db_password}@db:5432/chat", none)).toBe("*** (from var.db_password)");
    expect(reviewEnvValue("API_TOKEN", "tok-123456", none)).toBe("***");
    expect(reviewEnvValue("DB_PASSWORD", "hunter2", none)).toBe("***");
    expect(reviewEnvValue("DATA_SOURCE_URI", "postgresql://chat:S3cretPass@db:5432/chat", none)).toBe("postgresql://chat:***@db:5432/chat");
    // A file path is not a secret: the variable says where the secret is.
    expect(reviewEnvValue("DATA_SOURCE_PASS_FILE", "/etc/postgres_exporter/password", none)).toBe("/etc/postgres_exporter/password");
    expect(reviewEnvValue("GF_SERVER_ROOT_URL", "http://localhost:3000/", none)).toBe("http://localhost:3000/");
  });

  test("a changed container with secrets in env, flags and files shows none of them", () => {
    const container = (password: string, token: string) => ({
      name: "monitoring-app",
      image: "app:1",
      command: [`--redis.password=${password}`, "--listen=:8080"],
      env: [`SMTP_PASSWORD=${password}`, "DB_PASSWORD=${var.db_password}", `UPSTREAM=https://bot:${token}@hooks.example.com/x`],
      upload: [{ file: "/run/secrets/key", content: "${var.api_key}", permissions: "0444" }],
    });
    const lines = diffFacts(containerFacts(container("OldPass1", "tokA"), () => undefined), containerFacts(container("NewPass2", "tokB"), () => undefined));
    for (const secretValue of ["OldPass1", "NewPass2", "tokA", "tokB"]) expect(lines.join("\n")).not.toContain(secretValue);
    // What changed is still said: the flag's and the variable's secret, and the URL with its token.
    expect(lines).toEqual([
      "- flag --redis.password=***",
      "+ flag --redis.password=***",
      "~ env SMTP_PASSWORD: *** -> *** (secret changed)",
      "~ env UPSTREAM: https://bot:***@hooks.example.com/x -> https://bot:***@hooks.example.com/x (secret changed)",
    ]);
    const other = containerFacts(
      { ...container("x", "y"), env: ["SMTP_PASSWORD=x", "DB_PASSWORD=${var.other_password}"], upload: [{ file: "/run/secrets/key", content: "${var.other_key}", permissions: "0444" }] },
      () => undefined,
    );
    expect(diffFacts(containerFacts(container("x", "y"), () => undefined), other)).toEqual([
      "- env UPSTREAM=https://bot:***@hooks.example.com/x",
      "~ env DB_PASSWORD: *** (from var.db_password) -> *** (from var.other_password)",
      "~ file /run/secrets/key: mode 0444, secret (var.api_key) -> mode 0444, secret (var.other_key)",
    ]);
  });
});

describe("diffFacts", () => {
  test("a flag moved within the command line is a change of order", () => {
    const c = (command: string[]) => containerFacts({ command }, () => undefined);
    expect(diffFacts(c(["--a", "--b"]), c(["--b", "--a"]))).toEqual(["~ command order: --a --b -> --b --a"]);
    expect(diffFacts(c(["--a", "--a"]), c(["--a"]))).toEqual(["- flag --a"]);
    expect(diffFacts(c(["--config", "/etc/a.yaml"]), c(["--config", "/etc/b.yaml"]))).toEqual(["- arg /etc/a.yaml", "+ arg /etc/b.yaml"]);
  });

  test("mounts, healthcheck, labels and unknown settings", () => {
    const before = containerFacts(
      { volumes: [{ volume_name: "${docker_volume.v.name}", container_path: "/data" }], healthcheck: { test: ["CMD", "true"], interval: "30s" }, labels: [{ label: "team", value: "a" }], user: "nobody" },
      (a) => (a === "docker_volume.v" ? { name: "monitoring-x-data" } : undefined),
    );
    const after = containerFacts(
      { volumes: [{ host_path: "/var/run/docker.sock", container_path: "/var/run/docker.sock", read_only: true }], healthcheck: { test: ["CMD", "false"], interval: "10s" }, labels: [{ label: "team", value: "b" }], user: "10001", shm_size: 64 },
      () => undefined,
    );
    // Kind by kind: what is gone, what changed, what is new.
    expect(diffFacts(before, after)).toEqual([
      "- mount volume monitoring-x-data at /data",
      "+ mount host /var/run/docker.sock at /var/run/docker.sock, read-only",
      "~ healthcheck interval: 30s -> 10s",
      "~ healthcheck test: CMD true -> CMD false",
      "~ label team: a -> b",
      "~ user: nobody -> 10001",
      "+ shm_size: 64",
    ]);
  });
});

describe("a renamed container", () => {
  test("shows its old and new name", () => {
    expect(diffFacts(containerFacts({ name: "monitoring-prometheus" }, () => undefined), containerFacts({ name: "ops-prometheus" }, () => undefined))).toEqual([
      "~ name: monitoring-prometheus -> ops-prometheus",
    ]);
  });
});
