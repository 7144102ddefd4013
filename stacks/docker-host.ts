import { TerraformVariable } from "cdktf";
import { warn } from "../constructs/secret-mask";
import { Construct } from "constructs";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { ConfigError } from "./config";

/**
 * The Docker daemon the stack is deployed to. The scheme of {@link url} chooses how Terraform reaches it:
 * - `unix://` — a local socket (the default: the machine running `cdktf deploy`);
 * - `ssh://user@host[:port]` — the remote daemon's socket through SSH; keys come from the ssh-agent or
 *   `~/.ssh` of the machine running Terraform, never from this config;
 * - `tcp://host:port` — the daemon's TLS port; the client certificate, its key and the CA come from the
 *   sensitive Terraform variables `docker_cert_material`, `docker_key_material`, `docker_ca_material`.
 *
 * The URL becomes the default of the Terraform variable `docker_host`, so CI can point a plan at another
 * daemon with `TF_VAR_docker_host` — but only with the same scheme (a variable validation enforces it),
 * since TLS variables exist only for `tcp://`.
 * @see https://registry.terraform.io/providers/kreuzwerker/docker/3.6.2/docs#remote-hosts
 */
export interface DockerHostConfig {
  /** `unix:///path`, `ssh://user@host[:port]` or `tcp://host:port`. @default "unix:///var/run/docker.sock" */
  readonly url?: string;
  /**
   * `tcp://` only: authenticate with TLS client certificates (Docker's `--tlsverify`). Turning it off
   * leaves an unauthenticated root-equivalent API on the network; synth warns. @default true
   */
  readonly tls?: boolean;
  /**
   * `ssh://` only: extra options for the ssh client, e.g. `["-o", "StrictHostKeyChecking=yes"]`.
   * @default none (the ssh client's own configuration)
   */
  readonly sshOpts?: readonly string[];
}

/** How the provider reaches the daemon, from the URL's scheme. */
export type DockerHostKind = "local" | "ssh" | "tcp";

/** The socket Docker listens on by default. */
export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/** The sensitive variables holding the TLS material of a `tcp://` host, in PEM. */
export const DOCKER_TLS_VARIABLES = {
  cert: "docker_cert_material",
  key: "docker_key_material",
  ca: "docker_ca_material",
} as const;

const SCHEMES: Readonly<Record<string, DockerHostKind>> = { "unix:": "local", "ssh:": "ssh", "tcp:": "tcp" };

/**
 * The kind of a Docker host URL, or a {@link ConfigError} naming `field` when the URL is not one of
 * `unix:///path`, `ssh://[user@]host[:port]`, `tcp://host:port`.
 */
export function dockerHostKind(url: string, field = "dockerHost.url"): DockerHostKind {
  const m = /^([a-z]+:)\/\/(.*)$/.exec(url);
  const kind = m ? SCHEMES[m[1]] : undefined;
  if (!m || !kind) {
    throw new ConfigError([
      `${field}: "${url}" has an unsupported scheme; use unix:///var/run/docker.sock, ssh://user@host or tcp://host:2376`,
    ]);
  }
  const rest = m[2];
  const valid =
    kind === "local"
      ? /^\/\S+$/.test(rest)
      : kind === "ssh"
        ? /^([A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+(:\d{1,5})?$/.test(rest)
        : /^[A-Za-z0-9.-]+:\d{1,5}$/.test(rest);
  if (!valid) {
    const shape = { local: "unix:///absolute/path.sock", ssh: "ssh://[user@]host[:port]", tcp: "tcp://host:port" }[kind];
    throw new ConfigError([`${field}: "${url}" is not of the form ${shape}`]);
  }
  return kind;
}

/** What {@link configureDockerHost} created. */
export interface DockerHostResources {
  readonly kind: DockerHostKind;
  readonly provider: DockerProvider;
  /** The `docker_host` variable (its default is the configured URL). */
  readonly host: TerraformVariable;
  /** `tcp://` with TLS only: the three sensitive PEM variables. */
  readonly tls?: { readonly cert: TerraformVariable; readonly key: TerraformVariable; readonly ca: TerraformVariable };
}

/**
 * Creates the Docker provider of `scope` (a stack) for the configured host: the `docker_host` variable,
 * and for `tcp://` with TLS the sensitive `docker_cert_material`, `docker_key_material` and
 * `docker_ca_material` variables, passed to the provider's `cert_material`, `key_material` and
 * `ca_material`. Throws a {@link ConfigError} on a bad URL or an option that does not fit its scheme.
 */
export function configureDockerHost(scope: Construct, config: DockerHostConfig = {}): DockerHostResources {
  const url = config.url ?? DEFAULT_DOCKER_HOST;
  const kind = dockerHostKind(url);
  const problems: string[] = [];
  if (config.tls !== undefined && kind !== "tcp") {
    problems.push(`dockerHost.tls: only applies to tcp:// hosts, but dockerHost.url is "${url}"`);
  }
  (config.sshOpts ?? []).forEach((o, i) => {
    if (!/^[A-Za-z0-9_.,:=\/@+-]+$/.test(o)) {
      problems.push(`dockerHost.sshOpts[${i}]: "${o}" is not an ssh option word (letters, digits and _.,:=/@+-, e.g. "-o" or "ServerAliveInterval=30")`);
    }
  });
  if (config.sshOpts !== undefined && kind !== "ssh") {
    problems.push(`dockerHost.sshOpts: only applies to ssh:// hosts, but dockerHost.url is "${url}"`);
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  const scheme = url.slice(0, url.indexOf(":"));
  const host = new TerraformVariable(scope, "docker_host", {
    type: "string",
    default: url,
    description: "Docker daemon to deploy to: unix:///var/run/docker.sock, ssh://user@host or tcp://host:2376",
    validation: [
      {
        condition: `\${startswith(var.docker_host, "${scheme}://")}`,
        errorMessage: `docker_host must use the scheme of the stack's dockerHost.url (${scheme}://); change dockerHost.url to switch schemes.`,
      },
    ],
  });
  let tls: DockerHostResources["tls"];
  if (kind === "tcp" && (config.tls ?? true)) {
    const pem = (name: string, what: string): TerraformVariable =>
      new TerraformVariable(scope, name, {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `${what} (PEM) for the Docker daemon at dockerHost.url; set TF_VAR_${name}`,
      });
    tls = {
      cert: pem(DOCKER_TLS_VARIABLES.cert, "TLS client certificate"),
      key: pem(DOCKER_TLS_VARIABLES.key, "TLS client private key"),
      ca: pem(DOCKER_TLS_VARIABLES.ca, "CA certificate that signed the daemon's certificate"),
    };
  } else if (kind === "tcp") {
    warn(
      scope,
      `dockerHost.tls is false: ${url} is reached without TLS client authentication; anyone who can reach that port controls the host`,
    );
  }
  const provider = new DockerProvider(scope, "docker", {
    host: host.stringValue,
    sshOpts: kind === "ssh" && config.sshOpts ? [...config.sshOpts] : undefined,
    certMaterial: tls?.cert.stringValue,
    keyMaterial: tls?.key.stringValue,
    caMaterial: tls?.ca.stringValue,
  });
  return { kind, provider, host, tls };
}
