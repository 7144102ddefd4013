/**
 * Every container image the stack runs, pinned in one place (kube-prometheus style: one `versions`
 * source from which every image reference is built). Never `latest`: a pin makes `cdktf diff` show an
 * upgrade as a reviewable change, and the metric catalog (alerts/catalog) is checked against these
 * exact versions.
 */
export const IMAGES = {
  prometheus: { repository: "prom/prometheus", tag: "v3.16.0" },
  alertmanager: { repository: "prom/alertmanager", tag: "v0.35.0" },
  grafana: { repository: "grafana/grafana", tag: "12.4.5" },
  loki: { repository: "grafana/loki", tag: "3.7.8" },
  alloy: { repository: "grafana/alloy", tag: "v1.19.2" },
  jaeger: { repository: "jaegertracing/jaeger", tag: "2.21.0" },
  nodeExporter: { repository: "prom/node-exporter", tag: "v1.12.1" },
  cadvisor: { repository: "ghcr.io/google/cadvisor", tag: "v0.60.6" },
  postgresExporter: { repository: "prometheuscommunity/postgres-exporter", tag: "v0.20.1" },
  redisExporter: { repository: "oliver006/redis_exporter", tag: "v1.91.1" },
  blackboxExporter: { repository: "prom/blackbox-exporter", tag: "v0.28.0" },
  socketProxy: { repository: "wollomatic/socket-proxy", tag: "1.13.1" },
} as const;

/** Key of {@link IMAGES}. */
export type ImageKey = keyof typeof IMAGES;

/** An image reference: repository plus a pinned tag (or digest). */
export interface ImageRef {
  readonly repository: string;
  readonly tag: string;
}

/**
 * Validates a pin and returns `repository:tag`. A moving tag (`latest`, empty, `main`...) is refused
 * because it makes two deploys of the same commit run different software.
 */
export function imageName(ref: ImageRef, field = "image"): string {
  const moving = ["", "latest", "main", "master", "nightly", "edge", "dev"];
  // An optional registry host (with a port: `registry.local:5000/`), then lower-case path components.
  if (!/^([A-Za-z0-9.-]+(:\d{1,5})?\/)?[a-z0-9]+([._/-][a-z0-9]+)*$/.test(ref.repository)) {
    throw new Error(
      `${field}.repository: "${ref.repository}" is not a valid image repository (lower-case name such as "prom/prometheus", optionally after a registry host such as "registry.local:5000/")`,
    );
  }
  if (moving.includes(ref.tag.toLowerCase())) {
    throw new Error(
      `${field}.tag: "${ref.tag}" is a moving tag; pin an exact version such as "v3.13.2" or a digest "sha256:…"`,
    );
  }
  if (ref.tag.startsWith("sha256:")) {
    return `${ref.repository}@${ref.tag}`;
  }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(ref.tag)) {
    throw new Error(`${field}.tag: "${ref.tag}" is not a valid image tag (letters, digits, "_", "." and "-", at most 128)`);
  }
  return `${ref.repository}:${ref.tag}`;
}

/**
 * The Terraform providers the stack is deployed and verified with (`required_providers`). The cdktf
 * bindings (`@cdktf/provider-docker` 12.0.3, `@cdktf/provider-random` 12.0.1) were generated from docker
 * 3.6.2 and random 3.7.2 and are final (cdktf is archived); the attributes they render are read by these
 * newer providers, which `terraform validate` checks in the tests and the end-to-end deploy runs.
 * @see https://github.com/kreuzwerker/terraform-provider-docker/blob/master/CHANGELOG.md
 */
export const PROVIDER_VERSIONS = {
  docker: "4.6.0",
  random: "3.9.0",
} as const;
