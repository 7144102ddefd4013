import { IMAGES, ImageKey, ImageRef } from "../constructs/versions";
import { nearestRelease, ReleaseCandidate } from "./releases";

/**
 * A program built from its Go module at a pinned version, for the end-to-end deploy. Nothing here is
 * copied from upstream: the Go toolchain fetches the module from the module proxy and builds it.
 */
export interface GoProgram {
  /** Short name; the cache folder is `<name>-<version>`. */
  readonly name: string;
  /** The module that holds the program. */
  readonly module: string;
  /** The module version to request (a tag, or the pseudo-version of the pinned tag's commit). */
  readonly version: string;
  /** The upstream release this version is, as its users know it (e.g. Prometheus "3.16.0"). */
  readonly release: string;
  /** Binary name → main package. */
  readonly binaries: Readonly<Record<string, string>>;
  /**
   * The module path the wrapper requires when the module's go.mod declares another path than the one it
   * is fetched by (the Terraform providers): the wrapper requires `requirePath` and replaces it with
   * `module@version`.
   */
  readonly requirePath?: string;
  /** Build tags. @default none */
  readonly tags?: readonly string[];
  /** `-X` settings of the binary's version variables, so `--version` tells the truth. @default none */
  readonly versionFlags?: Readonly<Record<string, string>>;
  /**
   * Files the module leaves out but a `//go:embed` needs (a UI bundle built by npm upstream): the module
   * is copied into a writable folder, these placeholders are written (gzipped when the path ends in
   * `.gz`), and the wrapper builds that copy. Each entry says which path and why.
   */
  readonly placeholders?: readonly { readonly path: string; readonly content: string; readonly why: string }[];
  /**
   * Builds with cgo (`CGO_ENABLED=1`) instead of the default static pure-Go build: the C toolchain
   * (`gcc`) and the Debian development packages named here must be installed. @default cgo off
   */
  readonly cgo?: CgoBuild;
  /** Further `go build` flags, e.g. `-buildmode=pie`. @default none */
  readonly buildFlags?: readonly string[];
  /** Linker flags after `-s -w` and the version flags, e.g. `-linkmode external`. @default none */
  readonly ldflags?: readonly string[];
}

/** What a cgo build needs from the machine, and why the program needs C at all. */
export interface CgoBuild {
  /** Debian packages with the C headers and libraries it links (e.g. `libseccomp-dev`). */
  readonly debianPackages: readonly string[];
  /** Files of those packages the build cannot do without, checked before it starts. */
  readonly needs: readonly string[];
  readonly why: string;
}

/** `-X` flags of prometheus/common's version package, as upstream's promu sets them. */
function promVersion(version: string): Record<string, string> {
  return {
    "github.com/prometheus/common/version.Version": version,
    "github.com/prometheus/common/version.Branch": "HEAD",
    "github.com/prometheus/common/version.BuildUser": "monitoring-stack-e2e",
  };
}

/** The pins of the rig's Docker Engine: each module version once, with the release it is. */
const MOBY = { version: "v2.0.0-beta.24", release: "29.8.1" } as const;
const CONTAINERD = { version: "v2.4.2", release: "2.4.2" } as const;
const RUNC = { version: "v1.5.3", release: "1.5.3" } as const;
const COMPOSE = { version: "v5.6.0", release: "5.6.0" } as const;

/** The programs the end-to-end deploy builds, by name. */
export const PROGRAMS = {
  prometheus: {
    name: "prometheus",
    module: "github.com/prometheus/prometheus",
    // Prometheus 3.x is published as module versions v0.3XX.Y.
    version: "v0.316.0",
    release: "3.16.0",
    binaries: {
      prometheus: "github.com/prometheus/prometheus/cmd/prometheus",
      promtool: "github.com/prometheus/prometheus/cmd/promtool",
    },
    // Not `builtinassets`: the generated UI files are not in the module. The API, /metrics and the
    // health endpoints work; the UI pages answer 500.
    versionFlags: promVersion("3.16.0"),
  },
  alertmanager: {
    name: "alertmanager",
    module: "github.com/prometheus/alertmanager",
    version: "v0.35.0",
    release: "0.35.0",
    binaries: {
      alertmanager: "github.com/prometheus/alertmanager/cmd/alertmanager",
      amtool: "github.com/prometheus/alertmanager/cmd/amtool",
    },
    versionFlags: promVersion("0.35.0"),
    // ui/web.go embeds `app/dist` and, since 0.35, serves two UIs from it: the Elm UI at `/` from
    // app/dist/elm and the new Mantine UI at `/ui/` from app/dist/mantine. Written gzipped (the paths
    // end in .gz, as upstream's pre-compressed assets); the API and notifications use neither.
    placeholders: [
      {
        path: "ui/app/dist/elm/index.html.gz",
        content: "<!doctype html><title>Alertmanager</title><p>UI not built (end-to-end test image)</p>",
        why: "the Elm web UI bundle (served at /) is built by npm upstream and is not part of the Go module",
      },
      {
        path: "ui/app/dist/mantine/index.html.gz",
        content: "<!doctype html><title>Alertmanager</title><p>Mantine UI not built (end-to-end test image)</p>",
        why: "the Mantine web UI bundle (served at /ui/) is built by npm upstream and is not part of the Go module",
      },
    ],
  },
  nodeExporter: {
    name: "node_exporter",
    module: "github.com/prometheus/node_exporter",
    version: "v1.12.1",
    release: "1.12.1",
    binaries: { node_exporter: "github.com/prometheus/node_exporter" },
    versionFlags: promVersion("1.12.1"),
  },
  blackboxExporter: {
    name: "blackbox_exporter",
    module: "github.com/prometheus/blackbox_exporter",
    version: "v0.28.0",
    release: "0.28.0",
    binaries: { blackbox_exporter: "github.com/prometheus/blackbox_exporter" },
    versionFlags: promVersion("0.28.0"),
  },
  // --- Nearest releases of pins that cannot be built here (LOCAL_IMAGES, kind "nearest") ---
  // Jaeger v2 is tagged in its Go module as v1.x: v1.75.0 is Jaeger 2.12.0 (its CHANGELOG's
  // "v2.12.0 / v1.75.0" entry). The all-in-one v2 binary is ./cmd/jaeger (upstream's build-jaeger target).
  jaeger: {
    name: "jaeger",
    module: "github.com/jaegertracing/jaeger",
    version: "v1.75.0",
    release: "2.12.0",
    binaries: { jaeger: "github.com/jaegertracing/jaeger/cmd/jaeger" },
    // As scripts/makefiles/BuildInfo.mk sets them (BUILD_INFO_V2): `jaeger version` says v2.12.0. No UI
    // bundle (built by npm upstream, not in the module): Jaeger serves its own placeholder page.
    versionFlags: {
      "github.com/jaegertracing/jaeger/internal/version.latestVersion": "v2.12.0",
      "github.com/jaegertracing/jaeger/internal/version.commitSHA": "jaeger@v1.75.0",
    },
  },
  postgresExporter: {
    name: "postgres_exporter",
    module: "github.com/prometheus-community/postgres_exporter",
    version: "v0.17.1",
    release: "0.17.1",
    binaries: { postgres_exporter: "github.com/prometheus-community/postgres_exporter/cmd/postgres_exporter" },
    versionFlags: promVersion("0.17.1"),
  },
  // Not in the stack: the workflow linter the tests run on .github/workflows (test/stacks/workflows.test.ts).
  actionlint: {
    name: "actionlint",
    module: "github.com/rhysd/actionlint",
    version: "v1.7.12",
    release: "1.7.12",
    binaries: { actionlint: "github.com/rhysd/actionlint/cmd/actionlint" },
    versionFlags: { "github.com/rhysd/actionlint.version": "1.7.12" },
  },
  // --- The rig's Docker Engine (e2e/engine.ts): a current engine instead of Debian's docker.io 20.10 ---
  // dockerd and docker-proxy of Docker Engine 29. The moby/v2 module tags betas on its main branch;
  // the docker-29.x release branch merges a tag and releases it. This tag's releases/versions.yaml
  // says `last: "29.8.0"`, `next: "29.8.1"`, and it was tagged the day 29.8.1 was released (API 1.56,
  // github.com/moby/moby/api v1.56.0, the same as docker/cli v29.8.1 vendors).
  moby: {
    name: "moby",
    module: "github.com/moby/moby/v2",
    version: MOBY.version,
    release: MOBY.release,
    binaries: {
      dockerd: "github.com/moby/moby/v2/cmd/dockerd",
      "docker-proxy": "github.com/moby/moby/v2/cmd/docker-proxy",
    },
    // Upstream's static build (hack/make.sh) without journald; no btrfs headers here.
    tags: ["netgo", "osusergo", "static_build", "nri_no_wasm", "exclude_graphdriver_btrfs"],
    // As hack/make/.go-autogen sets them: `docker version` reports the engine's release.
    versionFlags: {
      "github.com/moby/moby/v2/dockerversion.Version": MOBY.release,
      "github.com/moby/moby/v2/dockerversion.GitCommit": `moby/v2@${MOBY.version}`,
      "github.com/moby/moby/v2/dockerversion.PlatformName": "Docker Engine (monitoring-stack-e2e build)",
    },
  },
  containerd: {
    name: "containerd",
    module: "github.com/containerd/containerd/v2",
    version: CONTAINERD.version,
    release: CONTAINERD.release,
    binaries: {
      containerd: "github.com/containerd/containerd/v2/cmd/containerd",
      "containerd-shim-runc-v2": "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2",
    },
    tags: ["no_btrfs"],
    versionFlags: {
      "github.com/containerd/containerd/v2/version.Version": CONTAINERD.version,
      "github.com/containerd/containerd/v2/version.Package": "github.com/containerd/containerd/v2",
    },
  },
  runc: {
    name: "runc",
    module: "github.com/opencontainers/runc",
    version: RUNC.version,
    release: RUNC.release,
    // `runc --version` reads the module's VERSION file (go:embed): no version flag needed.
    binaries: { runc: "github.com/opencontainers/runc" },
    // Upstream's defaults are `seccomp urfave_cli_no_docs libpathrs`; libpathrs is a Rust library
    // Debian does not package, and runc falls back to its Go path resolution without it.
    tags: ["seccomp"],
    cgo: {
      debianPackages: ["libseccomp-dev"],
      needs: ["/usr/include/seccomp.h", "/usr/lib/x86_64-linux-gnu/libseccomp.a"],
      why: "runc's nsenter (C, run before the Go runtime starts) and its seccomp filters (libseccomp) need cgo",
    },
    // Upstream's `make static` on amd64: a static PIE.
    buildFlags: ["-buildmode=pie"],
    ldflags: ["-linkmode", "external", "-extldflags", "-static-pie"],
  },
  // Not used by the current checks: the scaling tests run `docker compose` against the rig's engine.
  compose: {
    name: "docker-compose",
    module: "github.com/docker/compose/v5",
    version: COMPOSE.version,
    release: COMPOSE.release,
    // The CLI plugin binary (upstream's Makefile builds ./cmd as docker-compose); it also runs standalone.
    binaries: { "docker-compose": "github.com/docker/compose/v5/cmd" },
    versionFlags: { "github.com/docker/compose/v5/internal.Version": COMPOSE.version },
  },
} as const satisfies Record<string, GoProgram>;

/** Name of a program of {@link PROGRAMS}. */
export type ProgramKey = keyof typeof PROGRAMS;

/** The programs of the rig's Docker Engine and its Compose plugin, in build order (e2e/engine.ts). */
export const ENGINE_PROGRAMS = ["moby", "containerd", "runc", "compose"] as const satisfies readonly ProgramKey[];

/**
 * Terraform providers by `<namespace>/<type>@<version>` as the synthesized `required_providers` name
 * them. Both providers' go.mod files still declare the old `terraform-providers` path, so the wrapper
 * requires that path and replaces it with the module at the release commit.
 */
export const PROVIDERS: Readonly<Record<string, GoProgram>> = {
  "kreuzwerker/docker@4.6.0": {
    name: "terraform-provider-docker",
    module: "github.com/kreuzwerker/terraform-provider-docker",
    // The module proxy serves this commit of 2026-09-16: CHANGELOG.md's newest release is v4.6.0 and
    // docs/index.md pins `version = "4.6.0"`.
    version: "v0.0.0-20260916201441-96d331c98ff4",
    release: "4.6.0",
    requirePath: "github.com/terraform-providers/terraform-provider-docker",
    binaries: { "terraform-provider-docker": "github.com/terraform-providers/terraform-provider-docker" },
  },
  "hashicorp/random@3.9.0": {
    name: "terraform-provider-random",
    module: "github.com/hashicorp/terraform-provider-random",
    // The module proxy serves this commit of 2026-08-24; CHANGELOG.md's newest release is 3.9.0.
    version: "v1.3.2-0.20260824155315-e1092b0cfc07",
    release: "3.9.0",
    requirePath: "github.com/terraform-providers/terraform-provider-random",
    binaries: { "terraform-provider-random": "github.com/terraform-providers/terraform-provider-random" },
  },
};

/** Where the binaries of an image come from: a program built here, or a Debian package installed here. */
export type BinarySource =
  | { readonly kind: "go"; readonly program: ProgramKey }
  | {
      readonly kind: "debian";
      /** The Debian package (`apt-get install` it). */
      readonly package: string;
      /** The upstream release the package is. */
      readonly release: string;
      /** Binary name → its path on this machine, installed by the package. */
      readonly binaries: Readonly<Record<string, string>>;
    };

/** How an image lays out its program as upstream's does. */
export interface ImageLayout {
  /** Binary name → path in the image (upstream's path). */
  readonly install: Readonly<Record<string, string>>;
  readonly entrypoint: readonly string[];
  /** Upstream's default arguments. @default none */
  readonly cmd?: readonly string[];
  /** Upstream's user. */
  readonly user: { readonly name: string; readonly uid: number; readonly gid: number };
  /** Directories upstream creates, with their owner uid (data directories the program writes). */
  readonly dirs: readonly { readonly path: string; readonly uid: number; readonly mode?: number }[];
  readonly workdir?: string;
  /** Upstream's `ENV` lines. @default none */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * How a pinned image is made locally: from a built program at the pin; at the nearest release that can
 * be had (the pin cannot), deployed through the service's `image` override; or not at all (with the
 * reason).
 */
export type LocalImage =
  | ({ readonly kind: "built"; readonly program: ProgramKey } & ImageLayout)
  | ({
      readonly kind: "nearest";
      /**
       * Releases of the same program considered, the pin among them with why it is refused; the nearest
       * one not refused is deployed ({@link nearestRelease}).
       */
      readonly releases: readonly ReleaseCandidate<BinarySource>[];
      /**
       * What differs from the pin that the stack's config, rules or dashboards touch (flags, metric
       * names), each in one sentence; docs/e2e.md lists the same.
       */
      readonly differences: readonly string[];
    } & ImageLayout)
  | { readonly kind: "unbuildable"; readonly reason: string };

const NOBODY = { name: "nobody", uid: 65534, gid: 65534 };

/**
 * One entry per image pin of `constructs/versions.ts`. The base of every built image is busybox (from
 * Debian's busybox-static), like upstream's `quay.io/prometheus/busybox`: the healthchecks call its
 * `wget`.
 */
export const LOCAL_IMAGES: Readonly<Record<ImageKey, LocalImage>> = {
  prometheus: {
    kind: "built",
    program: "prometheus",
    install: { prometheus: "/bin/prometheus", promtool: "/bin/promtool" },
    entrypoint: ["/bin/prometheus"],
    cmd: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"],
    user: NOBODY,
    dirs: [
      { path: "/etc/prometheus", uid: 0 },
      { path: "/prometheus", uid: NOBODY.uid },
    ],
    workdir: "/prometheus",
  },
  alertmanager: {
    kind: "built",
    program: "alertmanager",
    install: { alertmanager: "/bin/alertmanager", amtool: "/bin/amtool" },
    entrypoint: ["/bin/alertmanager"],
    cmd: ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"],
    user: NOBODY,
    dirs: [
      { path: "/etc/alertmanager", uid: 0 },
      { path: "/alertmanager", uid: NOBODY.uid },
    ],
    workdir: "/alertmanager",
  },
  nodeExporter: {
    kind: "built",
    program: "nodeExporter",
    install: { node_exporter: "/bin/node_exporter" },
    entrypoint: ["/bin/node_exporter"],
    user: NOBODY,
    dirs: [],
  },
  postgresExporter: {
    kind: "nearest",
    releases: [
      {
        release: "0.20.1",
        refused:
          "the Go module proxy serves github.com/prometheus-community/postgres_exporter v0.20.1's go.mod but refuses its source zip (403, as for v0.18.0-v0.20.0)",
      },
      { release: "0.17.1", source: { kind: "go", program: "postgresExporter" } },
      // Debian's prometheus-postgres-exporter is 0.11.1: further from the pin than 0.17.1.
      { release: "0.11.1", source: { kind: "debian", package: "prometheus-postgres-exporter", release: "0.11.1", binaries: { postgres_exporter: "/usr/bin/prometheus-postgres-exporter" } } },
    ],
    differences: [
      "the replication-slot collector is `replication_slot` (0.20: `replication_slots`), so its switch is `--[no-]collector.replication_slot`; the stack passes neither",
      "`--disable-settings-metrics` still exists (0.20 removed it: pg_settings_* became the `settings` collector, `--no-collector.settings`); the stack passes neither",
      "pg_stat_activity_* and pg_settings_* come from the exporter's built-in queries, not from the `stat_activity` and `settings` collectors of 0.20: the names and labels the rules read (pg_stat_activity_count, pg_stat_activity_max_tx_duration, pg_settings_max_connections) are the same; `pg_scrape_collector_*{collector=...}` has no stat_activity, settings, stat_archiver, stat_progress_vacuum or stat_replication series",
    ],
    install: { postgres_exporter: "/bin/postgres_exporter" },
    entrypoint: ["/bin/postgres_exporter"],
    user: NOBODY,
    dirs: [],
  },

  socketProxy: {
    kind: "unbuildable",
    reason: "the Go module proxy refuses github.com/wollomatic/socket-proxy (403); without it Alloy and cAdvisor, its only readers, are not deployed either",
  },
  blackboxExporter: {
    kind: "built",
    program: "blackboxExporter",
    install: { blackbox_exporter: "/bin/blackbox_exporter" },
    entrypoint: ["/bin/blackbox_exporter"],
    cmd: ["--config.file=/etc/blackbox_exporter/config.yml"],
    user: NOBODY,
    dirs: [{ path: "/etc/blackbox_exporter", uid: 0 }],
  },
  grafana: {
    kind: "unbuildable",
    reason:
      "the Go module proxy refuses github.com/grafana/grafana at every 12.x version, and this workplace's module list marks it not-to-use (AGPL-3.0)",
  },
  loki: {
    kind: "unbuildable",
    reason: "this workplace's module list marks github.com/grafana/loki/v3 not-to-use (AGPL-3.0)",
  },
  alloy: {
    kind: "unbuildable",
    reason:
      "github.com/grafana/alloy v1.19.2 requires github.com/grafana/loki/v3, which this workplace's module list marks not-to-use (AGPL-3.0); without Loki it would have nothing to ship to",
  },
  jaeger: {
    kind: "nearest",
    releases: [
      { release: "2.21.0", refused: "the Go module proxy refuses github.com/jaegertracing/jaeger at the 2.21.0 release; it serves v1.x tags up to v1.76.0" },
      { release: "2.13.0", refused: "github.com/jaegertracing/jaeger v1.76.0 (2.13.0) is served but not an approved release in this workplace's module list" },
      { release: "2.12.0", source: { kind: "go", program: "jaeger" } },
    ],
    differences: [
      "no UI bundle (built by npm upstream, not in the Go module): the UI page is Jaeger's own placeholder; the query API (/api/traces) and OTLP work",
      "the stack's generated config and `--config` flag are accepted unchanged",
      "of the pinned catalog, otelcol_exporter_enqueue_failed_spans_total, otelcol_exporter_queue_size and _capacity, otelcol_processor_incoming_items_total and outgoing_items_total and http_server_request_duration_seconds were not exposed in the run (none read by the stack's rules; JaegerRefusingSpans' otelcol_receiver_refused_spans_total is)",
    ],
    // Upstream's cmd/jaeger/Dockerfile: the binary at /cmd/jaeger/jaeger-linux, uid 10001, VOLUME /tmp.
    install: { jaeger: "/cmd/jaeger/jaeger-linux" },
    entrypoint: ["/cmd/jaeger/jaeger-linux"],
    user: { name: "jaeger", uid: 10001, gid: 10001 },
    dirs: [{ path: "/tmp", uid: 0, mode: 0o1777 }],
    env: { JAEGER_LISTEN_HOST: "0.0.0.0" },
  },

  cadvisor: {
    kind: "unbuildable",
    reason:
      "the cadvisor binary lives in the separate module github.com/google/cadvisor/cmd, which the Go module proxy does not serve (only the library module github.com/google/cadvisor)",
  },
  redisExporter: {
    kind: "nearest",
    releases: [
      { release: "1.91.1", refused: "the Go module proxy refuses github.com/oliver006/redis_exporter at v1.91.1 (and every version tried)" },
      {
        release: "1.45.0",
        source: { kind: "debian", package: "prometheus-redis-exporter", release: "1.45.0", binaries: { redis_exporter: "/usr/bin/prometheus-redis-exporter" } },
      },
    ],
    differences: [
      "no `--disable-scrape-endpoint` flag (an unknown flag stops 1.45): the e2e sets exporters.redis.scrapeEndpoint true, so /scrape?target= stays open as it always is on 1.45",
      "Debian's build is dynamically linked against glibc: the image carries the binary's shared libraries",
    ],
    // Upstream's Dockerfile: FROM scratch, /redis_exporter, USER 59000:59000.
    install: { redis_exporter: "/redis_exporter" },
    entrypoint: ["/redis_exporter"],
    user: { name: "redis_exporter", uid: 59000, gid: 59000 },
    dirs: [],
  },

};

/** The release a built image must carry, to compare with the pin: `v3.16.0` for Prometheus 3.16.0. */
export function expectedTag(key: ImageKey): string | undefined {
  const local = LOCAL_IMAGES[key];
  if (local.kind !== "built") {
    return undefined;
  }
  const release = PROGRAMS[local.program].release;
  return IMAGES[key].tag.startsWith("v") ? `v${release}` : release;
}

/** The upstream release a source provides. */
export function sourceRelease(source: BinarySource): string {
  return source.kind === "go" ? PROGRAMS[source.program].release : source.release;
}

/**
 * The tag of an image of `key` at another release than the pin, in the pin's style (`v0.17.1` beside
 * `v0.20.1`, `2.12.0` beside `2.21.0`); a Debian build says so (`v1.45.0-debian`), as upstream's tags
 * name their base (`-alpine`).
 */
export function nearestTag(key: ImageKey, source: BinarySource): string {
  const release = sourceRelease(source);
  const tag = IMAGES[key].tag.startsWith("v") ? `v${release}` : release;
  return source.kind === "debian" ? `${tag}-debian` : tag;
}

/** What the end-to-end deploy runs for one image pin. */
export type Deployment =
  | { readonly kind: "pinned"; readonly key: ImageKey; readonly image: ImageRef; readonly source: BinarySource; readonly layout: ImageLayout }
  | {
      readonly kind: "nearest";
      readonly key: ImageKey;
      /** The image the service's `image` override names. */
      readonly image: ImageRef;
      readonly release: string;
      readonly source: BinarySource;
      readonly layout: ImageLayout;
      /** Why the pin is not deployed. */
      readonly reason: string;
      readonly differences: readonly string[];
    }
  | { readonly kind: "none"; readonly key: ImageKey; readonly reason: string };

/** The deployment of `key`: the pin, the nearest release that can be had, or nothing (with the reason). */
export function deploymentOf(key: ImageKey, local: LocalImage = LOCAL_IMAGES[key]): Deployment {
  if (local.kind === "unbuildable") return { kind: "none", key, reason: local.reason };
  const { install, entrypoint, cmd, user, dirs, workdir, env } = local;
  const layout: ImageLayout = { install, entrypoint, cmd, user, dirs, workdir, env };
  if (local.kind === "built") return { kind: "pinned", key, image: IMAGES[key], source: { kind: "go", program: local.program }, layout };
  const choice = nearestRelease(IMAGES[key].tag, local.releases);
  if (!choice) {
    const refused = local.releases.filter((r) => r.refused).map((r) => `${r.release}: ${r.refused}`);
    return { kind: "none", key, reason: `no release of it can be had here (${refused.join("; ")})` };
  }
  const source = choice.chosen.source;
  return {
    kind: "nearest",
    key,
    image: { repository: IMAGES[key].repository, tag: nearestTag(key, source) },
    release: choice.chosen.release,
    source,
    layout,
    reason: choice.pinRefused,
    differences: local.differences,
  };
}

/** Every image pin's deployment, in the order of `constructs/versions.ts`. */
export function deployments(): Deployment[] {
  return (Object.keys(IMAGES) as ImageKey[]).map((k) => deploymentOf(k));
}
