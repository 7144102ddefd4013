import * as path from "node:path";
import { App } from "cdktf";
import { IMAGES, ImageKey, PROVIDER_VERSIONS } from "../../constructs/versions";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { defineStacks } from "../../stacks/app";
import { E2E_STACK, deployable, e2eConfig, imageOverride, lacksDisableScrapeEndpoint, REDEPLOY_OVERRIDE } from "../../e2e/app";
import { dockerdArgs } from "../../e2e/dockerd";
import { BuildError, parseReplaces, wrapperGoMod } from "../../e2e/go-build";
import { importChanges, RECIPE_LABEL, recipeHash } from "../../e2e/images";
import { containerTimings, deployRatio, detectionBudget, parsePlan } from "../../e2e/measure";
import { packageClosure, webhookRecipe } from "../../e2e/peers";
import { deploymentOf, expectedTag, LOCAL_IMAGES, PROGRAMS, PROVIDERS, sourceRelease } from "../../e2e/programs";
import { cliConfig, mirrorPath, providerProgram, requiredProviders } from "../../e2e/providers";
import { missingPrerequisites } from "../../e2e/run";
import { synthesizeStacks } from "../../e2e/synth";

function synthesized(define: (app: App) => MonitoringStack[]): any[] {
  return synthesizeStacks(define).texts.map((t) => JSON.parse(t));
}

describe("programs and pins", () => {
  test("every image pin has a local image entry: built at the pin's version, the nearest release with the pin's refusal, or unbuildable with a reason", () => {
    expect(Object.keys(LOCAL_IMAGES).sort()).toEqual(Object.keys(IMAGES).sort());
    for (const key of Object.keys(IMAGES) as ImageKey[]) {
      const local = LOCAL_IMAGES[key];
      if (local.kind === "built") {
        // A pin that moves without its build entry fails here.
        expect({ key, tag: expectedTag(key) }).toEqual({ key, tag: IMAGES[key].tag });
      } else if (local.kind === "nearest") {
        // The pin is among the candidates, refused with a reason: a pin that moves must say why again.
        const pin = local.releases.find((r) => `v${r.release}` === IMAGES[key].tag || r.release === IMAGES[key].tag);
        expect({ key, refused: (pin?.refused ?? "").length > 20 }).toEqual({ key, refused: true });
        expect(local.differences.length).toBeGreaterThan(0);
        // Every usable candidate names the release its source really is.
        for (const r of local.releases.filter((c) => c.source)) expect({ key, release: sourceRelease(r.source!) }).toEqual({ key, release: r.release });
      } else {
        expect(local.reason.length).toBeGreaterThan(20);
      }
    }
  });

  test("the nearest releases deployed here, through the service's image override, never another program", () => {
    const nearest = Object.fromEntries(
      (Object.keys(IMAGES) as ImageKey[]).flatMap((k) => {
        const d = deploymentOf(k);
        return d.kind === "nearest" ? [[k, `${d.image.repository}:${d.image.tag}`]] : [];
      }),
    );
    expect(nearest).toEqual({
      jaeger: "jaegertracing/jaeger:2.12.0",
      postgresExporter: "prometheuscommunity/postgres-exporter:v0.17.1",
      redisExporter: "oliver006/redis_exporter:v1.45.0-debian",
    });
    for (const [key, image] of Object.entries(nearest)) expect(image.startsWith(`${IMAGES[key as ImageKey].repository}:`)).toBe(true);
    expect(imageOverride("jaeger")).toEqual({ repository: "jaegertracing/jaeger", tag: "2.12.0" });
    expect(imageOverride("prometheus")).toBeUndefined();
  });

  test("an entry whose every release is refused is not deployed, with each refusal in the reason", () => {
    const d = deploymentOf("jaeger", {
      kind: "nearest",
      releases: [{ release: "2.21.0", refused: "not served" }, { release: "2.13.0", refused: "not approved" }],
      differences: ["x"],
      install: {},
      entrypoint: [],
      user: { name: "u", uid: 1, gid: 1 },
      dirs: [],
    });
    expect(d).toEqual({ kind: "none", key: "jaeger", reason: "no release of it can be had here (2.21.0: not served; 2.13.0: not approved)" });
  });

  test("redis_exporter older than 1.83 lacks --disable-scrape-endpoint", () => {
    expect(lacksDisableScrapeEndpoint({ repository: "oliver006/redis_exporter", tag: "v1.45.0-debian" })).toBe(true);
    expect(lacksDisableScrapeEndpoint({ repository: "oliver006/redis_exporter", tag: "v1.83.0" })).toBe(false);
    expect(lacksDisableScrapeEndpoint(IMAGES.redisExporter)).toBe(false);
    expect(lacksDisableScrapeEndpoint(undefined)).toBe(false);
  });

  test("Prometheus 3.x is built from module version v0.3XX.Y", () => {
    const [major, minor, patch] = PROGRAMS.prometheus.release.split(".");
    expect(major).toBe("3");
    expect(PROGRAMS.prometheus.version).toBe(`v0.3${minor.padStart(2, "0")}.${patch}`);
  });

  test("the synthesized stacks require exactly the provider versions the mirror can build", () => {
    const [main] = synthesized((app) => defineStacks(app, ""));
    const required = requiredProviders(main);
    expect(required).toEqual([
      { name: "docker", source: "kreuzwerker/docker", version: PROVIDER_VERSIONS.docker },
      { name: "random", source: "hashicorp/random", version: PROVIDER_VERSIONS.random },
    ]);
    for (const p of required) {
      expect(providerProgram(p).release).toBe(p.version);
    }
  });

  test("a provider version without a Go module build is an error naming it and the known ones", () => {
    expect(() => providerProgram({ name: "docker", source: "kreuzwerker/docker", version: "3.6.2" })).toThrow(
      new BuildError(
        `required_providers.docker: kreuzwerker/docker@3.6.2 has no Go module build in e2e/programs.ts (known: ${Object.keys(PROVIDERS).join(", ")}); add the module and the commit of that release`,
      ),
    );
  });

  test("a version constraint instead of an exact pin is refused", () => {
    expect(() => requiredProviders({ terraform: { required_providers: { docker: { source: "kreuzwerker/docker", version: "~> 4.0" } } } })).toThrow(
      /required_providers.docker: .*"~> 4.0" is not an exact pin/,
    );
  });
});

describe("wrapper modules", () => {
  test("parseReplaces separates remote from local replaces, single lines and blocks, ignoring comments", () => {
    const goMod = [
      "module x",
      "replace cloud.google.com/go => cloud.google.com/go v0.123.0 // pinned",
      "replace (",
      "  github.com/a/b v1.0.0 => github.com/c/b v1.1.0",
      "  github.com/grafana/alloy/syntax => ./syntax",
      ")",
    ].join("\n");
    expect(parseReplaces(goMod)).toEqual({
      remote: ["cloud.google.com/go => cloud.google.com/go v0.123.0", "github.com/a/b v1.0.0 => github.com/c/b v1.1.0"],
      local: ["github.com/grafana/alloy/syntax => ./syntax"],
    });
  });

  test("a provider's wrapper requires the declared path and replaces it with the module at its commit", () => {
    const p = PROVIDERS["kreuzwerker/docker@4.6.0"];
    const mod = wrapperGoMod(p, ["a => b v1.0.0"]);
    expect(mod).toContain(`require github.com/terraform-providers/terraform-provider-docker ${p.version}`);
    expect(mod).toContain(`replace github.com/terraform-providers/terraform-provider-docker => github.com/kreuzwerker/terraform-provider-docker ${p.version}`);
    expect(mod).toContain("replace a => b v1.0.0");
  });

  test("a program with placeholders builds a writable copy of its module", () => {
    const mod = wrapperGoMod(PROGRAMS.alertmanager, [], "./src");
    expect(mod).toContain("replace github.com/prometheus/alertmanager => ./src");
  });
});

describe("provider mirror", () => {
  test("unpacked filesystem_mirror layout and a CLI config with no direct source", () => {
    expect(mirrorPath("/m", { name: "docker", source: "kreuzwerker/docker", version: "4.6.0" })).toBe(
      "/m/registry.terraform.io/kreuzwerker/docker/4.6.0/linux_amd64/terraform-provider-docker_v4.6.0",
    );
    const config = cliConfig("/m");
    expect(config).toContain('filesystem_mirror {\n    path    = "/m"');
    expect(config).not.toMatch(/direct\s*\{/);
  });
});

describe("images", () => {
  test("import changes carry entrypoint, cmd, user, workdir and the recipe label", () => {
    const changes = importChanges(
      { tag: "prom/prometheus:v3.16.0", copy: [], entrypoint: ["/bin/prometheus"], cmd: ["--x"], user: "nobody", workdir: "/prometheus" },
      "abc",
    );
    expect(changes).toEqual([
      'ENTRYPOINT ["/bin/prometheus"]',
      'CMD ["--x"]',
      "USER nobody",
      "WORKDIR /prometheus",
      `LABEL ${RECIPE_LABEL}=abc`,
    ]);
  });

  test("the recipe hash changes with the recipe", () => {
    const a = webhookRecipe();
    expect(recipeHash(a)).toBe(recipeHash(webhookRecipe()));
    expect(recipeHash(a)).not.toBe(recipeHash({ ...a, user: "root" }));
  });

  test("the messenger image gets prom-client and every package it depends on", () => {
    const closure = packageClosure(path.join(__dirname, "../../node_modules"), "prom-client");
    expect(closure[0]).toBe("prom-client");
    expect(closure).toEqual(expect.arrayContaining(["tdigest", "bintrees"]));
  });

  test("the built images copy upstream's layout: Prometheus data owned by nobody, entrypoint /bin/prometheus", () => {
    const p = LOCAL_IMAGES.prometheus;
    expect(p.kind).toBe("built");
    if (p.kind === "built") {
      expect(p.entrypoint).toEqual(["/bin/prometheus"]);
      expect(p.user.uid).toBe(65534);
      expect(p.dirs).toContainEqual({ path: "/prometheus", uid: 65534 });
    }
  });
});

describe("the rig's engine", () => {
  test("dockerd runs with its own roots and socket, no iptables, no default bridge", () => {
    const args = dockerdArgs("/cache/docker", "/tmp/run");
    expect(args).toEqual(expect.arrayContaining(["--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver"]));
    expect(args[args.indexOf("-H") + 1]).toBe("unix:///tmp/run/docker.sock");
    expect(args[args.indexOf("--data-root") + 1]).toBe("/cache/docker");
  });

  test("missing prerequisites are each named with where they come from", () => {
    expect(missingPrerequisites(() => false, () => false)).toEqual([
      "go (Go 1.26, builds the pinned programs and providers from the Go module proxy)",
      "dockerd and docker (Debian package docker.io)",
      "terraform 1.11 on the PATH",
      "/bin/busybox (Debian package busybox-static: the base of every image)",
      "/usr/lib/postgresql/15/bin/postgres (Debian package postgresql-15: the database peer)",
      "/usr/bin/redis-server (Debian package redis-server: the cache peer)",
      "/usr/bin/prometheus-redis-exporter (Debian package prometheus-redis-exporter: redisExporter 1.45.0, the release deployed instead of the pin)",
      "ldd and tar",
    ]);
    expect(missingPrerequisites(() => true, () => true)).toEqual([]);
  });
});

describe("the e2e stack", () => {
  const [cold] = synthesized((app) => [new MonitoringStack(app, E2E_STACK, e2eConfig("cold", "/tmp/s.tfstate"))]);
  const [redeploy] = synthesized((app) => [new MonitoringStack(app, E2E_STACK, e2eConfig("redeploy", "/tmp/s.tfstate"))]);
  const containers = (json: any) => Object.values(json.resource.docker_container).map((c: any) => c.name).sort();

  test("services whose programs cannot be built are not deployed; the others are", () => {
    const names = containers(cold);
    for (const key of ["prometheus", "alertmanager"] as ImageKey[]) expect(deployable(key)).toBe(true);
    expect(names).toContain("e2e-prometheus");
    expect(names).toContain("e2e-alertmanager");
    for (const key of Object.keys(LOCAL_IMAGES) as ImageKey[]) {
      if (!deployable(key)) {
        const image = `${IMAGES[key].repository}:${IMAGES[key].tag}`;
        const images = Object.values(cold.resource.docker_image).map((i: any) => i.name);
        expect({ key, deployed: images.includes(image) }).toEqual({ key, deployed: false });
      }
    }
  });

  test("the redeploy changes only the Prometheus container's rule file", () => {
    const diff = Object.keys(cold.resource.docker_container).filter(
      (k) => JSON.stringify(cold.resource.docker_container[k]) !== JSON.stringify(redeploy.resource.docker_container[k]),
    );
    expect(diff.map((k) => redeploy.resource.docker_container[k].name)).toEqual(["e2e-prometheus"]);
    expect(REDEPLOY_OVERRIDE.threshold).not.toBe(0.8);
  });
});

describe("measurements", () => {
  test("start-to-healthy from StartedAt and the first passing healthcheck; ratio to the deploy", () => {
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const timings = containerTimings(
      [
        {
          Id: "1",
          Name: "/e2e-prometheus",
          State: { Status: "running", StartedAt: t(10), Health: { Status: "healthy", Log: [{ Start: t(39), End: t(40), ExitCode: 0 }, { Start: t(69), End: t(70), ExitCode: 0 }] } },
        },
        { Id: "2", Name: "/e2e-x", State: { Status: "running", StartedAt: t(12) } },
      ],
      Date.UTC(2026, 0, 1, 0, 0, 0),
    );
    expect(timings).toEqual([
      { name: "e2e-prometheus", startToHealthy: 30, healthyAfterDeployStart: 40 },
      { name: "e2e-x", startToHealthy: 0, healthyAfterDeployStart: 12 },
    ]);
    expect(deployRatio(45, 30)).toBe(1.5);
  });

  test("parsePlan reads the last plan summary and fails without one", () => {
    expect(parsePlan("e2e  Plan: 3 to add, 0 to change, 0 to destroy.\n...\nPlan: 1 to add, 0 to change, 1 to destroy.")).toEqual({ add: 1, change: 0, destroy: 1 });
    expect(() => parsePlan("Apply complete!")).toThrow(/no "Plan: … to add/);
  });

  test("a detection budget sums its terms, with a discovery refresh only when the target is discovered", () => {
    // GIVEN PostgresDown's terms in the e2e stack (static target), WHEN summed, THEN 15 + 15 + 60 + 30.
    expect(detectionBudget({ scrape: 15, evaluation: 15, for: 60, groupWait: 30 })).toEqual({
      seconds: 120,
      text: "scrape 15 s + evaluation 15 s + for 60 s + group_wait 30 s = 120 s",
    });
    // A DNS-discovered target (ServiceReplicaDown) waits for a refresh first.
    expect(detectionBudget({ refresh: 10, scrape: 5, evaluation: 15, for: 60, groupWait: 30 }).seconds).toBe(120);
  });
});
