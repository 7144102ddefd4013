import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, TerraformBackend, TerraformStack, Testing } from "cdktf";
import { BackendConfig, BACKEND_ENVIRONMENT, configureBackend, stateIdentity, validateBackend } from "../../stacks/backend";
import { MonitoringConfig } from "../../stacks/config";
import { configureDockerHost, dockerHostKind, DockerHostConfig } from "../../stacks/docker-host";
import { MonitoringStack } from "../../stacks/monitoring-stack";

/** Synthesizes the whole monitoring stack and returns its Terraform JSON. */
function synthStack(config: MonitoringConfig, id = "monitoring"): any {
  const app = Testing.app();
  return JSON.parse(Testing.synth(new MonitoringStack(app, id, config)));
}

/** A bare stack with only the backend: fast, for the validation table. */
function synthBackend(config: BackendConfig | undefined, id = "monitoring"): any {
  const app = Testing.app();
  const stack = new TerraformStack(app, id);
  configureBackend(stack, config);
  return JSON.parse(Testing.synth(stack));
}

function synthDocker(config: DockerHostConfig | undefined): { json: any; stack: TerraformStack } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "monitoring");
  configureDockerHost(stack, config);
  return { json: JSON.parse(Testing.synth(stack)), stack };
}

describe("state backend of the monitoring stack", () => {
  test("default: cdktf's local backend, terraform.<stack id>.tfstate, and no backend resource of ours", () => {
    // GIVEN no backend WHEN fully synthesized THEN cdktf adds its local default
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-test-"));
    const app = new App({ outdir });
    const stack = new MonitoringStack(app, "monitoring", {});
    expect(stack.node.findAll().filter((c) => c instanceof TerraformBackend)).toEqual([]);
    app.synth();
    const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "monitoring", "cdk.tf.json"), "utf8"));
    expect(json.terraform.backend).toEqual({ local: { path: expect.stringMatching(/\/terraform\.monitoring\.tfstate$/) } });
    expect(json.terraform.cloud).toBeUndefined();
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test("local with a path: the path, {stack} replaced, resolved from the working directory", () => {
    const json = synthBackend({ kind: "local", path: "state/{stack}.tfstate" }, "monitoring-staging");
    expect(json.terraform.backend.local.path).toBe(`${process.cwd()}/state/monitoring-staging.tfstate`);
  });

  test("s3: bucket, key per stack, encryption and S3-native locking (use_lockfile), no credentials", () => {
    const json = synthStack({ backend: { kind: "s3", bucket: "acme-tf-state", region: "eu-central-1" } });
    expect(json.terraform.backend).toEqual({
      s3: {
        bucket: "acme-tf-state",
        key: "monitoring/terraform.tfstate",
        region: "eu-central-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  test("s3 with a DynamoDB lock table, an S3-compatible endpoint and a role", () => {
    const json = synthBackend(
      {
        kind: "s3",
        bucket: "state",
        key: "tf/{stack}.tfstate",
        locking: { dynamodbTable: "tf-locks" },
        endpoint: "https://minio.example.com:9000",
        usePathStyle: true,
        roleArn: "arn:aws:iam::123456789012:role/tf-state",
        encrypt: false,
      },
      "monitoring-production",
    );
    expect(json.terraform.backend.s3).toEqual({
      bucket: "state",
      key: "tf/monitoring-production.tfstate",
      dynamodb_table: "tf-locks",
      endpoints: { s3: "https://minio.example.com:9000" },
      use_path_style: true,
      assume_role: { role_arn: "arn:aws:iam::123456789012:role/tf-state" },
      encrypt: false,
    });
  });

  test("http: state address per stack, locking at the same address by default", () => {
    const json = synthStack({
      backend: { kind: "http", address: "https://gitlab.example.com/api/v4/projects/42/terraform/state/{stack}" },
    });
    const url = "https://gitlab.example.com/api/v4/projects/42/terraform/state/monitoring";
    expect(json.terraform.backend).toEqual({ http: { address: url, lock_address: url, unlock_address: url } });
  });

  test("http: own lock and unlock addresses and methods; lockAddress false turns locking off", () => {
    const withLock = synthBackend({
      kind: "http",
      address: "https://state.example.com/{stack}",
      lockAddress: "https://state.example.com/{stack}/lock",
      unlockAddress: "https://state.example.com/{stack}/unlock",
      lockMethod: "POST",
      unlockMethod: "DELETE",
    });
    expect(withLock.terraform.backend.http).toEqual({
      address: "https://state.example.com/monitoring",
      lock_address: "https://state.example.com/monitoring/lock",
      unlock_address: "https://state.example.com/monitoring/unlock",
      lock_method: "POST",
      unlock_method: "DELETE",
    });
    const noLock = synthBackend({ kind: "http", address: "https://state.example.com/{stack}", lockAddress: false });
    expect(noLock.terraform.backend.http).toEqual({ address: "https://state.example.com/monitoring" });
  });

  test("cloud: HCP Terraform organization, one workspace per stack, no token", () => {
    const json = synthStack({ backend: { kind: "cloud", organization: "acme", project: "monitoring" } }, "monitoring-staging");
    expect(json.terraform.backend).toBeUndefined();
    expect(json.terraform.cloud).toEqual({ organization: "acme", workspaces: { name: "monitoring-staging", project: "monitoring" } });
    expect(JSON.stringify(json.terraform)).not.toMatch(/token/);
  });

  test("cloud: Terraform Enterprise hostname and a workspace name template", () => {
    const json = synthBackend({ kind: "cloud", organization: "acme", hostname: "tfe.example.com", workspace: "obs-{stack}" });
    expect(json.terraform.cloud).toEqual({ organization: "acme", hostname: "tfe.example.com", workspaces: { name: "obs-monitoring" } });
  });

  test("each backend documents the environment variables it reads credentials from", () => {
    expect(BACKEND_ENVIRONMENT.s3).toEqual(expect.arrayContaining(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]));
    expect(BACKEND_ENVIRONMENT.http).toEqual(["TF_HTTP_USERNAME", "TF_HTTP_PASSWORD"]);
    expect(BACKEND_ENVIRONMENT.cloud[0]).toMatch(/^TF_TOKEN_app_terraform_io/);
  });

  test("stateIdentity: distinct per stack for every kind", () => {
    const configs: (BackendConfig | undefined)[] = [
      undefined,
      { kind: "s3", bucket: "b" },
      { kind: "http", address: "https://s/{stack}" },
      { kind: "cloud", organization: "o" },
    ];
    for (const c of configs) {
      expect(stateIdentity(c, "monitoring-staging")).not.toBe(stateIdentity(c, "monitoring-production"));
    }
    expect(stateIdentity({ kind: "s3", bucket: "b" }, "monitoring-staging")).toBe("s3://b/monitoring-staging/terraform.tfstate");
  });
});

describe("backend validation errors", () => {
  const cases: [string, BackendConfig, RegExp][] = [
    ["bad S3 bucket", { kind: "s3", bucket: "Not_A_Bucket" }, /backend\.bucket: "Not_A_Bucket" is not an S3 bucket name/],
    ["S3 key with a leading slash", { kind: "s3", bucket: "bucket", key: "/state" }, /backend\.key: "\/state" must be an object key/],
    ["S3 locking neither lockfile nor a table", { kind: "s3", bucket: "bucket", locking: { dynamodbTable: "" } }, /backend\.locking: .* must be "lockfile" or \{ dynamodbTable/],
    ["S3 endpoint not a URL", { kind: "s3", bucket: "bucket", endpoint: "minio:9000" }, /backend\.endpoint: "minio:9000" is not an http\(s\):\/\/ URL/],
    ["HTTP address not a URL", { kind: "http", address: "state.example.com" }, /backend\.address: "state\.example\.com" is not an http\(s\):\/\/ URL/],
    ["HTTP lock address not a URL", { kind: "http", address: "https://s/x", lockAddress: "lock" }, /backend\.lockAddress: "lock" is not/],
    ["HTTP unlock address without locking", { kind: "http", address: "https://s/x", lockAddress: false, unlockAddress: "https://s/u" }, /backend\.unlockAddress: set, but lockAddress is false/],
    ["cloud organization empty", { kind: "cloud", organization: "" }, /backend\.organization: "" is not an HCP Terraform organization name/],
    ["cloud workspace with a space", { kind: "cloud", organization: "acme", workspace: "my ws" }, /backend\.workspace: "my ws" is not a workspace name/],
    ["local path empty", { kind: "local", path: " " }, /backend\.path: "" is empty/],
    ["unknown kind", { kind: "gcs" } as unknown as BackendConfig, /backend\.kind: "gcs" is not a backend; use "local", "s3", "http" or "cloud"/],
  ];
  test.each(cases)("%s", (_name, config, message) => {
    // GIVEN a bad config WHEN the stack is built THEN the error names the field, the value and what is allowed
    expect(() => synthBackend(config)).toThrow(message);
  });

  test.each([
    ["accessKey", "AWS_ACCESS_KEY_ID"],
    ["secretKey", "AWS_SECRET_ACCESS_KEY"],
    ["password", "TF_HTTP_PASSWORD"],
    ["token", "TF_TOKEN_<hostname>"],
  ])("a credential field (%s) is refused and points to %s", (field, env) => {
    const config = { kind: "s3", bucket: "bucket", [field]: "s3cr3t" } as unknown as BackendConfig;
    expect(validateBackend(config)).toEqual([
      `backend.${field}: credentials never go into the config; remove it and set ${env} in the environment (CI secret)`,
    ]);
  });

  test("the stack reports backend problems with every other config problem", () => {
    expect(() => synthStack({ name: "Bad Name", backend: { kind: "s3", bucket: "x" } })).toThrow(
      /name: "Bad Name"[\s\S]*backend\.bucket: "x"/,
    );
  });
});

describe("Docker host", () => {
  test("default: the local socket, no TLS variables, no ssh options", () => {
    const { json } = synthDocker(undefined);
    expect(json.variable.docker_host.default).toBe("unix:///var/run/docker.sock");
    expect(json.provider.docker).toEqual([{ host: "${var.docker_host}" }]);
    expect(Object.keys(json.variable)).toEqual(["docker_host"]);
  });

  test("the docker_host variable only accepts the configured scheme (CI overrides the host, not the kind)", () => {
    const { json } = synthDocker({ url: "ssh://deploy@monitoring.example.com" });
    expect(json.variable.docker_host.validation).toEqual([
      {
        condition: '${startswith(var.docker_host, "ssh://")}',
        error_message: expect.stringContaining("(ssh://)"),
      },
    ]);
  });

  test("ssh://: the URL and ssh options reach the provider; keys stay with the ssh agent", () => {
    const { json } = synthDocker({ url: "ssh://deploy@monitoring.example.com:2222", sshOpts: ["-o", "StrictHostKeyChecking=yes"] });
    expect(json.variable.docker_host.default).toBe("ssh://deploy@monitoring.example.com:2222");
    expect(json.provider.docker).toEqual([{ host: "${var.docker_host}", ssh_opts: ["-o", "StrictHostKeyChecking=yes"] }]);
  });

  test("tcp:// with TLS: cert, key and CA come from sensitive, non-nullable variables without defaults", () => {
    const { json } = synthDocker({ url: "tcp://docker.example.com:2376" });
    expect(json.provider.docker).toEqual([
      {
        host: "${var.docker_host}",
        cert_material: "${var.docker_cert_material}",
        key_material: "${var.docker_key_material}",
        ca_material: "${var.docker_ca_material}",
      },
    ]);
    for (const name of ["docker_cert_material", "docker_key_material", "docker_ca_material"]) {
      expect(json.variable[name]).toEqual({ type: "string", sensitive: true, nullable: false, description: expect.stringContaining(`TF_VAR_${name}`) });
    }
  });

  test("tcp:// with tls false: no TLS variables, and a warning", () => {
    const { json, stack } = synthDocker({ url: "tcp://10.0.0.5:2375", tls: false });
    expect(json.variable.docker_cert_material).toBeUndefined();
    expect(json.provider.docker).toEqual([{ host: "${var.docker_host}" }]);
    const warnings = stack.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(/dockerHost\.tls is false: tcp:\/\/10\.0\.0\.5:2375 is reached without TLS/)]);
  });

  test("the monitoring stack uses the configured host", () => {
    const json = synthStack({ dockerHost: { url: "tcp://docker.example.com:2376" } });
    expect(json.provider.docker[0].cert_material).toBe("${var.docker_cert_material}");
    expect(json.variable.docker_key_material.sensitive).toBe(true);
  });

  test.each([
    ["http://docker.example.com:2375", /dockerHost\.url: "http:\/\/docker\.example\.com:2375" has an unsupported scheme; use unix:\/\/\/var\/run\/docker\.sock, ssh:\/\/user@host or tcp:\/\/host:2376/],
    ["docker.example.com", /dockerHost\.url: "docker\.example\.com" has an unsupported scheme/],
    ["tcp://docker.example.com", /dockerHost\.url: "tcp:\/\/docker\.example\.com" is not of the form tcp:\/\/host:port/],
    ["ssh://", /dockerHost\.url: "ssh:\/\/" is not of the form ssh:\/\/\[user@\]host\[:port\]/],
    ["unix://relative.sock", /dockerHost\.url: "unix:\/\/relative\.sock" is not of the form unix:\/\/\/absolute\/path\.sock/],
  ])("bad URL %s", (url, message) => {
    expect(() => dockerHostKind(url)).toThrow(message);
    expect(() => synthStack({ dockerHost: { url } })).toThrow(message);
  });

  test("options that don't fit the scheme are errors", () => {
    expect(() => synthDocker({ url: "ssh://host", tls: true })).toThrow(/dockerHost\.tls: only applies to tcp:\/\/ hosts, but dockerHost\.url is "ssh:\/\/host"/);
    expect(() => synthDocker({ sshOpts: ["-v"] })).toThrow(/dockerHost\.sshOpts: only applies to ssh:\/\/ hosts/);
  });
});
