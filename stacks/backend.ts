import { CloudBackend, HttpBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformBackend } from "cdktf";
import * as path from "node:path";
import { Construct } from "constructs";
import { ConfigError } from "./config";
import { hasUserInfoSecret } from "../constructs/secret-mask";

/**
 * Where Terraform keeps the stack's state. Every location may contain `{stack}`, replaced by the stack id
 * (`monitoring`, `monitoring-staging`...), so one backend config serves several environments, each with its
 * own state. Credentials are never part of this config: Terraform reads them from the environment (see
 * {@link BACKEND_ENVIRONMENT} and docs/ci.md).
 */
export type BackendConfig = LocalStateBackend | S3StateBackend | HttpStateBackend | CloudStateBackend;

/** State in a file on the machine running Terraform. Fine for one person; no sharing, no locking across machines. */
export interface LocalStateBackend {
  readonly kind: "local";
  /** State file, relative to the directory `cdktf` runs in. @default "terraform.{stack}.tfstate" */
  readonly path?: string;
}

/**
 * State in an S3 bucket (or an S3-compatible store through {@link endpoint}), locked with an S3 lock file
 * (`use_lockfile`, Terraform >= 1.10) or, for older set-ups, a DynamoDB table.
 * @see https://developer.hashicorp.com/terraform/language/backend/s3
 */
export interface S3StateBackend {
  readonly kind: "s3";
  readonly bucket: string;
  /** Object key of the state. @default "{stack}/terraform.tfstate" */
  readonly key?: string;
  /** @default AWS_REGION / AWS_DEFAULT_REGION of the environment */
  readonly region?: string;
  /**
   * How concurrent runs are kept apart: `"lockfile"` writes `<key>.tflock` next to the state (S3
   * conditional writes, no other AWS service); `{ dynamodbTable }` uses a DynamoDB table with a `LockID`
   * string key (deprecated by Terraform, kept for existing set-ups).
   * @default "lockfile"
   */
  readonly locking?: "lockfile" | { readonly dynamodbTable: string };
  /** Server-side encryption of the state object. @default true */
  readonly encrypt?: boolean;
  /** S3-compatible endpoint (MinIO, Ceph...). @default AWS S3 */
  readonly endpoint?: string;
  /** Path-style URLs, as most S3-compatible stores need. @default false */
  readonly usePathStyle?: boolean;
  /** AWS shared-config profile. @default the environment's credentials */
  readonly profile?: string;
  /** Role assumed for state access. @default none */
  readonly roleArn?: string;
}

/**
 * State behind an HTTP endpoint (GitLab's managed state, Terraform state servers...), locked with
 * LOCK/UNLOCK requests.
 * @see https://developer.hashicorp.com/terraform/language/backend/http
 */
export interface HttpStateBackend {
  readonly kind: "http";
  /** State URL, e.g. `https://gitlab.example.com/api/v4/projects/42/terraform/state/{stack}`. */
  readonly address: string;
  /** Where locks are taken; `false` turns locking off. @default the state address */
  readonly lockAddress?: string | false;
  /** @default the lock address */
  readonly unlockAddress?: string;
  /** @default "LOCK" (Terraform's) */
  readonly lockMethod?: string;
  /** @default "UNLOCK" (Terraform's) */
  readonly unlockMethod?: string;
  /** @default "POST" (Terraform's) */
  readonly updateMethod?: string;
}

/**
 * State in HCP Terraform (Terraform Cloud) or Terraform Enterprise, one workspace per stack; runs are
 * locked by the workspace.
 * @see https://developer.hashicorp.com/terraform/cli/cloud/settings
 */
export interface CloudStateBackend {
  readonly kind: "cloud";
  readonly organization: string;
  /** Workspace name. @default "{stack}" */
  readonly workspace?: string;
  /** HCP Terraform project of new workspaces. @default the organization's default project */
  readonly project?: string;
  /** Terraform Enterprise host. @default "app.terraform.io" */
  readonly hostname?: string;
}

/** The environment variables Terraform reads for each backend's credentials. Never put them in code. */
export const BACKEND_ENVIRONMENT: Readonly<Record<BackendConfig["kind"], readonly string[]>> = {
  local: [],
  s3: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION"],
  http: ["TF_HTTP_USERNAME", "TF_HTTP_PASSWORD"],
  cloud: ["TF_TOKEN_app_terraform_io (TF_TOKEN_<hostname with _ for .>)"],
};

/** Fields that would hold a credential; rejected so that a secret never lands in git or cdktf.out. */
const CREDENTIAL_FIELDS: Readonly<Record<string, string>> = {
  accessKey: "AWS_ACCESS_KEY_ID",
  secretKey: "AWS_SECRET_ACCESS_KEY",
  sessionToken: "AWS_SESSION_TOKEN",
  username: "TF_HTTP_USERNAME",
  password: "TF_HTTP_PASSWORD",
  token: "TF_TOKEN_<hostname>",
};

/** Replaces `{stack}` with the stack id. */
export function stateLocation(template: string, stackId: string): string {
  return template.split("{stack}").join(stackId);
}

/**
 * Where a backend config puts the state of stack `stackId`, as one comparable string
 * (`s3://bucket/key`, the HTTP address, `cloud:org/workspace`, the local path). Two stacks must never share one.
 */
export function stateIdentity(config: BackendConfig | undefined, stackId: string): string {
  const c = config ?? { kind: "local" };
  switch (c.kind) {
    case "local":
      return `local:${stateLocation(c.path ?? "terraform.{stack}.tfstate", stackId)}`;
    case "s3":
      return `s3://${c.bucket}/${stateLocation(c.key ?? "{stack}/terraform.tfstate", stackId)}`;
    case "http":
      return stateLocation(c.address, stackId);
    case "cloud":
      return `cloud:${c.hostname ?? "app.terraform.io"}/${c.organization}/${stateLocation(c.workspace ?? "{stack}", stackId)}`;
  }
}

/** Lists every problem of a backend config, each naming the field, the value and what is allowed. */
export function validateBackend(config: BackendConfig): string[] {
  const problems: string[] = [];
  const raw = config as unknown as Record<string, unknown>;
  for (const [field, env] of Object.entries(CREDENTIAL_FIELDS)) {
    if (raw[field] !== undefined) {
      problems.push(`backend.${field}: credentials never go into the config; remove it and set ${env} in the environment (CI secret)`);
    }
  }
  // A backend block takes no expressions: Terraform refuses "${" there, and a "%{" would be one.
  for (const [field, value] of Object.entries(raw)) {
    if (typeof value === "string" && /[$%]\{/.test(value)) {
      problems.push(`backend.${field}: "${value}" contains a Terraform template sequence ("\${" or "%{"), which a backend setting cannot hold; {stack} is the only placeholder`);
    }
  }
  const url = (field: string, value: string | undefined): void => {
    if (value !== undefined && !/^https?:\/\/[^\s/]+/.test(value)) {
      problems.push(`backend.${field}: "${value}" is not an http(s):// URL`);
    } else if (value !== undefined && hasUserInfoSecret(value)) {
      problems.push(`backend.${field}: "${value}" carries credentials in its user info; remove them and set TF_HTTP_USERNAME / TF_HTTP_PASSWORD in the environment (CI secret)`);
    }
  };
  switch (config.kind) {
    case "local":
      if (config.path !== undefined && config.path.trim() === "") {
        problems.push(`backend.path: "" is empty; give a file name such as "terraform.{stack}.tfstate"`);
      }
      break;
    case "s3": {
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(config.bucket ?? "")) {
        problems.push(`backend.bucket: "${config.bucket}" is not an S3 bucket name (3-63 characters: a-z, 0-9, ".", "-")`);
      }
      if (config.key !== undefined && (config.key === "" || config.key.startsWith("/") || config.key.endsWith("/"))) {
        problems.push(`backend.key: "${config.key}" must be an object key such as "{stack}/terraform.tfstate" (no leading or trailing "/")`);
      }
      const locking = config.locking ?? "lockfile";
      if (locking !== "lockfile" && !(typeof locking === "object" && /^[A-Za-z0-9_.-]{3,255}$/.test(locking.dynamodbTable ?? ""))) {
        problems.push(`backend.locking: ${JSON.stringify(locking)} must be "lockfile" or { dynamodbTable: "<table name>" }`);
      }
      url("endpoint", config.endpoint);
      break;
    }
    case "http":
      url("address", config.address ?? "");
      if (config.lockAddress !== false) {
        url("lockAddress", config.lockAddress);
      }
      url("unlockAddress", config.unlockAddress);
      if (config.lockAddress === false && config.unlockAddress !== undefined) {
        problems.push("backend.unlockAddress: set, but lockAddress is false (locking off)");
      }
      break;
    case "cloud":
      if (!/^[A-Za-z0-9_-]+$/.test(config.organization ?? "")) {
        problems.push(`backend.organization: "${config.organization}" is not an HCP Terraform organization name (letters, digits, "_", "-")`);
      }
      if (config.workspace !== undefined && !/^[A-Za-z0-9_{}-]+$/.test(config.workspace)) {
        problems.push(`backend.workspace: "${config.workspace}" is not a workspace name (letters, digits, "_", "-", and {stack})`);
      }
      break;
    default:
      problems.push(
        `backend.kind: "${(config as { kind?: unknown }).kind}" is not a backend; use "local", "s3", "http" or "cloud"`,
      );
  }
  return problems;
}

/**
 * Sets the state backend of `stack`, its state located by the stack's id. Nothing is created for the
 * default (`undefined`): cdktf's own local backend, `terraform.<stack id>.tfstate`. Throws a
 * {@link ConfigError} listing every problem of the config.
 */
export function configureBackend(stack: Construct, config: BackendConfig | undefined): TerraformBackend | undefined {
  if (config === undefined) {
    return undefined;
  }
  const problems = validateBackend(config);
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  const id = stack.node.id;
  switch (config.kind) {
    case "local":
      return new LocalBackend(stack, { path: path.resolve(stateLocation(config.path ?? "terraform.{stack}.tfstate", id)) });
    case "s3": {
      const locking = config.locking ?? "lockfile";
      const backend = new S3Backend(stack, {
        bucket: config.bucket,
        key: stateLocation(config.key ?? "{stack}/terraform.tfstate", id),
        region: config.region,
        encrypt: config.encrypt ?? true,
        endpoints: config.endpoint ? { s3: config.endpoint } : undefined,
        usePathStyle: config.usePathStyle,
        profile: config.profile,
        assumeRole: config.roleArn ? { roleArn: config.roleArn } : undefined,
        dynamodbTable: locking === "lockfile" ? undefined : locking.dynamodbTable,
      });
      if (locking === "lockfile") {
        // cdktf 0.21's S3BackendConfig predates Terraform 1.10's S3-native locking.
        backend.addOverride("use_lockfile", true);
      }
      return backend;
    }
    case "http": {
      const lock = config.lockAddress === false ? undefined : stateLocation(config.lockAddress ?? config.address, id);
      return new HttpBackend(stack, {
        address: stateLocation(config.address, id),
        lockAddress: lock,
        unlockAddress: lock === undefined ? undefined : config.unlockAddress ? stateLocation(config.unlockAddress, id) : lock,
        lockMethod: config.lockMethod,
        unlockMethod: config.unlockMethod,
        updateMethod: config.updateMethod,
      });
    }
    case "cloud":
      return new CloudBackend(stack, {
        organization: config.organization,
        hostname: config.hostname,
        workspaces: new NamedCloudWorkspace(stateLocation(config.workspace ?? "{stack}", id), config.project),
      });
  }
}
