import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { synthesize } from "../../stacks/review-diff";
import { findTool, run } from "../tools";

const ROOT = path.resolve(__dirname, "../..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const PREFLIGHT = path.join(ROOT, ".github", "scripts", "plan-preflight.sh");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const planComment = require(path.join(ROOT, ".github", "scripts", "plan-comment.cjs"));

type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, any>; env?: Record<string, string> };
type Job = { if?: string; permissions?: Record<string, string>; outputs?: Record<string, string>; needs?: string | string[]; uses?: string; with?: Record<string, any>; secrets?: string; environment?: any; strategy?: any; container?: string; steps?: Step[]; env?: Record<string, string> };
type Workflow = { name: string; on: any; permissions: Record<string, string>; concurrency?: any; env?: Record<string, string>; jobs: Record<string, Job> };

function load(file: string): Workflow {
  return yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
}

function step(job: Job, match: (s: Step) => boolean, what: string): Step {
  const found = (job.steps ?? []).filter(match);
  if (found.length !== 1) {
    throw new Error(`expected one step ${what}, found ${found.length}`);
  }
  return found[0];
}

const runs = (text: string) => (s: Step) => (s.run ?? "").includes(text);

/** The Debian packages .ci/run installs. */
function ciPackages(): string[] {
  const m = /DEBIAN_PACKAGES=\(([^)]*)\)/.exec(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8"));
  return (m?.[1] ?? "").split(/\s+/).filter((p) => p !== "");
}

describe("workflow files", () => {
  const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml")).sort();

  test("the three workflows parse as YAML", () => {
    expect(files).toEqual(["deploy-environment.yml", "deploy.yml", "pull-request.yml"]);
    for (const f of files) {
      expect(load(f).jobs).toBeDefined();
    }
  });

  test.each(files)("%s pins every action by full commit SHA", (f) => {
    const uses = Object.values(load(f).jobs).flatMap((j) => (j.steps ?? []).map((s) => s.uses).filter((u): u is string => !!u));
    for (const u of uses) {
      expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    }
  });
});

describe("actionlint (built from its Go module by npm run e2e -- --build-only)", () => {
  const actionlint = findTool("actionlint");
  const lint = (dir: string) => run(actionlint!, ["-no-color", "-oneline", "-shellcheck=", "-pyflakes="], dir);
  const maybe = actionlint ? test : test.skip;

  maybe("every workflow passes: expressions, permissions, job outputs, reusable-workflow inputs", () => {
    const r = lint(ROOT);
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  maybe("an expression or permission mistake fails here, not on GitHub", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "actionlint-"));
    try {
      // actionlint finds the project by its .git directory.
      fs.mkdirSync(path.join(dir, ".git"));
      fs.mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
      for (const f of fs.readdirSync(WORKFLOWS)) fs.copyFileSync(path.join(WORKFLOWS, f), path.join(dir, ".github", "workflows", f));
      const pr = path.join(dir, ".github", "workflows", "pull-request.yml");
      const text = fs.readFileSync(pr, "utf8");
      fs.writeFileSync(
        pr,
        text
          .replace("pull-requests: write", "pull-request: write")
          .replace("needs.plan.outputs.run == 'true'", "needs.plan.outputs.ran == 'true'"),
      );
      const r = lint(dir);
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/unknown permission scope "pull-request"/);
      expect(r.output).toMatch(/property "ran" is not defined/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("pull-request workflow", () => {
  const wf = load("pull-request.yml");
  const test_ = wf.jobs.test;
  const plan = wf.jobs.plan;
  const comment = wf.jobs.comment;
  const text = fs.readFileSync(path.join(WORKFLOWS, "pull-request.yml"), "utf8");

  test("runs on pull requests with a read-only token; only the comment job may write to the pull request", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.permissions).toEqual({ contents: "read" });
    expect(wf.concurrency["cancel-in-progress"]).toBe(true);
    expect(plan.permissions).toEqual({ contents: "read" });
    expect(comment.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const writers = Object.entries(wf.jobs).filter(([, j]) => Object.values(j.permissions ?? {}).includes("write"));
    expect(writers.map(([name]) => name)).toEqual(["comment"]);
  });

  test("pull-request code never sees production or deploy credentials", () => {
    const secrets = [...text.matchAll(/secrets(?:\.([A-Z0-9_]+)|\[)/g)].map((m) => m[1] ?? "dynamic");
    expect(secrets.length).toBeGreaterThan(0);
    // Only the least-privilege plan secrets, each named literally (no secrets[format(...)] that a matrix could point elsewhere).
    for (const name of secrets) {
      expect(name).toMatch(/^(STAGING_PLAN|PLAN)_[A-Z0-9_]+$/);
    }
    expect(text).not.toMatch(/PRODUCTION/);
    expect(plan.strategy).toBeUndefined();
    expect(plan.env).toMatchObject({ ENVIRONMENT: "staging", STACK: "monitoring-staging", SECRET_PREFIX: "STAGING_PLAN" });
    // Plan credentials may read the state only.
    expect(plan.env?.TF_CLI_ARGS_plan).toBe("-lock=false");
  });

  test("test job: checkout with history, Node.js 22 with the npm cache, npm ci, .ci/run's packages, npm test, synth", () => {
    const checkout = step(test_, (s) => (s.uses ?? "").startsWith("actions/checkout@"), "checkout");
    expect(checkout.with?.["fetch-depth"]).toBe(0);
    expect(step(test_, (s) => (s.uses ?? "").startsWith("actions/setup-node@"), "setup-node").with).toEqual({ "node-version": 22, cache: "npm" });
    const apt = step(test_, runs("apt-get install"), "apt-get install");
    for (const p of ciPackages()) {
      expect(apt.run).toMatch(new RegExp(`\\s${p}(\\s|$)`));
    }
    const order = ["npm ci", "npm test", "npm run synth", "review-diff.ts"].map((t) => test_.steps!.findIndex(runs(t)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test("the config review diff of the base revision goes into the job summary", () => {
    const s = step(test_, runs("review-diff.ts"), "review diff");
    expect(s.env?.BASE_SHA).toBe("${{ github.event.pull_request.base.sha }}");
    expect(s.run).toContain('--base "$BASE_SHA" --markdown');
    expect(s.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
  });

  test("plan job: the staging stack, synthesized with the environment stacks", () => {
    expect(wf.env?.MONITORING_ENVIRONMENTS).toBe("all");
    step(plan, runs("npm run synth"), "synth");
    const tf = step(plan, (s) => (s.uses ?? "").startsWith("hashicorp/setup-terraform@"), "setup-terraform");
    expect(tf.with).toEqual({ terraform_version: "1.11.4", terraform_wrapper: false });
  });

  test("the plan is skipped with a notice when the secrets are absent: preflight decides, later steps and the comment job obey", () => {
    const pre = step(plan, (s) => s.id === "preflight", "preflight");
    expect(pre.run).toBe('.github/scripts/plan-preflight.sh "$ENVIRONMENT"');
    expect(pre.env?.IS_FORK).toBe("${{ github.event.pull_request.head.repo.full_name != github.repository }}");
    expect(pre.env?.DOCKER_HOST_SECRET).toBe("${{ secrets.STAGING_PLAN_DOCKER_HOST }}");
    expect(pre.env?.DOCKER_SSH_KNOWN_HOSTS).toBe("${{ secrets.STAGING_PLAN_DOCKER_SSH_KNOWN_HOSTS }}");
    const diff = step(plan, runs("npx cdktf diff"), "cdktf diff");
    expect(diff.if).toBe("steps.preflight.outputs.run == 'true'");
    expect(diff.run).toContain('npx cdktf diff "$STACK" --skip-synth');
    const upload = step(plan, (s) => (s.uses ?? "").startsWith("actions/upload-artifact@"), "upload");
    expect(upload.if).toBe("steps.preflight.outputs.run == 'true'");
    expect(plan.outputs?.run).toBe("${{ steps.preflight.outputs.run }}");
    expect(comment.needs).toBe("plan");
    expect(comment.if).toBe("${{ !cancelled() && needs.plan.outputs.run == 'true' }}");
  });

  test("the comment job runs the base revision's script, not the pull request's, and finds its own comment by marker", () => {
    const checkout = step(comment, (s) => (s.uses ?? "").startsWith("actions/checkout@"), "checkout");
    expect(checkout.with).toMatchObject({ ref: "${{ github.event.pull_request.base.sha }}", "persist-credentials": false });
    const download = step(comment, (s) => (s.uses ?? "").startsWith("actions/download-artifact@"), "download");
    const upload = step(plan, (s) => (s.uses ?? "").startsWith("actions/upload-artifact@"), "upload");
    expect(download.with?.name).toBe(upload.with?.name);
    const post = step(comment, (s) => (s.uses ?? "").startsWith("actions/github-script@"), "comment");
    expect(post.with?.script).toContain("<!-- monitoring-stack-plan -->");
    expect(post.with?.script).toContain(".github/scripts/plan-comment.cjs");
    expect(planComment.MARKER).toBe("<!-- monitoring-stack-plan -->");
    // No step of the comment job runs a command: npm, the synth and the plan stay in the read-only job.
    expect((comment.steps ?? []).filter((s) => s.run)).toEqual([]);
  });

  test("a failed plan fails the plan job after the plan was handed to the comment job", () => {
    const names = plan.steps!.map((s) => s.name ?? s.uses);
    const fail = step(plan, runs("exit 1"), "fail");
    expect(fail.if).toBe("steps.preflight.outputs.run == 'true' && steps.plan.outputs.exitcode != '0'");
    expect(names.indexOf(fail.name)).toBe(names.length - 1);
  });

  test("the environment the workflow plans is a stack of main.ts", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-synth-"));
    const before = process.env.MONITORING_ENVIRONMENTS;
    process.env.MONITORING_ENVIRONMENTS = "all";
    try {
      synthesize(ROOT, path.join(out, "cdktf.out"));
    } finally {
      if (before === undefined) delete process.env.MONITORING_ENVIRONMENTS;
      else process.env.MONITORING_ENVIRONMENTS = before;
    }
    const stacks = fs.readdirSync(path.join(out, "cdktf.out", "stacks"));
    expect(stacks).toContain(plan.env!.STACK);
    fs.rmSync(out, { recursive: true, force: true });
  });
});

describe("deploy workflows", () => {
  const wf = load("deploy.yml");
  const env = load("deploy-environment.yml");
  const deploy = env.jobs.deploy;
  const NOT_FORK = "github.event.repository.fork == false && github.ref == 'refs/heads/main'";

  test("on push to main and by hand; one deploy at a time, never cancelled", () => {
    expect(wf.on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: null });
    expect(wf.permissions).toEqual({ contents: "read" });
    expect(wf.concurrency["cancel-in-progress"]).toBe(false);
  });

  test("never from a fork: every job checks the repository and the branch", () => {
    for (const job of Object.values(wf.jobs)) {
      expect(job.if).toBe(NOT_FORK);
    }
  });

  test("tests first, then staging, then production, each through the environment workflow", () => {
    expect(step(wf.jobs.verify, runs("npm test"), "npm test")).toBeDefined();
    expect(wf.jobs.staging).toMatchObject({ needs: "verify", uses: "./.github/workflows/deploy-environment.yml", with: { environment: "staging" }, secrets: "inherit" });
    expect(wf.jobs.production).toMatchObject({ needs: "staging", uses: "./.github/workflows/deploy-environment.yml", with: { environment: "production" }, secrets: "inherit" });
  });

  test("the deploy job runs in the GitHub environment (required reviewers) and requires every credential", () => {
    expect(Object.keys(env.on)).toEqual(["workflow_call"]);
    expect(deploy.environment).toEqual({ name: "${{ inputs.environment }}" });
    expect(step(deploy, (s) => s.id === "preflight", "preflight").run).toBe('.github/scripts/plan-preflight.sh "$ENVIRONMENT" --require');
    expect(step(deploy, runs("cdktf deploy"), "deploy").run).toBe('npx cdktf deploy "$STACK" --skip-synth --auto-approve --no-color --var-file "$VAR_FILE"');
  });

  test("production is planned only here, behind the environment's reviewers, before the apply", () => {
    const names = deploy.steps!.map((s) => s.name ?? s.uses);
    const diff = step(deploy, runs("npx cdktf diff"), "plan");
    const apply = step(deploy, runs("cdktf deploy"), "deploy");
    expect(names.indexOf(diff.name)).toBeLessThan(names.indexOf(apply.name));
    expect(wf.jobs.production.with?.environment).toBe("production");
  });

  test.each(["deploy.yml", "deploy-environment.yml", "pull-request.yml"])("%s runs Node.js 22 (20 is end of life)", (f) => {
    const nodes = Object.values(load(f).jobs).flatMap((j) => (j.steps ?? []).filter((s) => (s.uses ?? "").startsWith("actions/setup-node@")));
    expect(nodes.length).toBeGreaterThan(0);
    for (const s of nodes) expect(s.with?.["node-version"]).toBe(22);
  });
});

describe("plan-preflight.sh", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes a synthesized stack and runs the script; returns its exit status, output and the files it wrote. */
  function preflight(tf: object, env: Record<string, string>, args: string[] = []): { status: number; stdout: string; output: string; ghEnv: string } {
    const stackDir = path.join(dir, "cdktf.out", "stacks", "monitoring-staging");
    fs.mkdirSync(stackDir, { recursive: true });
    fs.writeFileSync(path.join(stackDir, "cdk.tf.json"), JSON.stringify(tf));
    const outputFile = path.join(dir, "output");
    const envFile = path.join(dir, "env");
    fs.writeFileSync(outputFile, "");
    fs.writeFileSync(envFile, "");
    let status = 0;
    let stdout = "";
    try {
      stdout = execFileSync("bash", [PREFLIGHT, "staging", ...args], {
        cwd: dir,
        encoding: "utf8",
        env: { PATH: process.env.PATH, HOME: dir, GITHUB_OUTPUT: outputFile, GITHUB_ENV: envFile, RUNNER_TEMP: dir, SECRET_PREFIX: "STAGING", SKIP_SSH_AGENT: "true", ...env },
      });
    } catch (e) {
      const err = e as { status: number; stdout: string };
      status = err.status;
      stdout = err.stdout;
    }
    return { status, stdout, output: fs.readFileSync(outputFile, "utf8"), ghEnv: fs.readFileSync(envFile, "utf8") };
  }

  const KNOWN = "h ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
  const s3 = (host: string, tls = false) => ({
    terraform: { backend: { s3: { bucket: "b", key: "monitoring-staging/terraform.tfstate" } } },
    variable: { docker_host: { default: host }, ...(tls ? { docker_cert_material: {} } : {}) },
  });

  test("no secrets: a notice naming what is missing, run=false, success", () => {
    const r = preflight(s3("ssh://deploy@staging.example.com"), {});
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      "::notice title=Plan skipped for staging::missing secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (S3 state); secret STAGING_DOCKER_SSH_KEY (ssh:// Docker host); " +
        "secret STAGING_DOCKER_SSH_KNOWN_HOSTS (the ssh:// host's key, from ssh-keyscan checked against the host)\n",
    );
    expect(r.output).toMatch(/^run=false\n/);
    expect(r.ghEnv).toBe("");
  });

  test("a fork: skipped before looking at anything", () => {
    const r = preflight(s3("ssh://h"), { IS_FORK: "true", AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s", DOCKER_SSH_KEY: "k" });
    expect(r.stdout).toMatch(/^::notice title=Plan skipped for staging::pull requests from forks get no secrets/);
    expect(r.output).toMatch(/^run=false\n/);
  });

  test("local state and the local socket are never planned in CI", () => {
    const r = preflight({ terraform: {}, variable: { docker_host: { default: "unix:///var/run/docker.sock" } } }, {});
    expect(r.stdout).toContain("missing a remote state backend (the stack keeps local state; set backend in main.ts); secret STAGING_DOCKER_HOST");
  });

  test("with --require (deploy) a missing secret is an error and a failure", () => {
    const r = preflight(s3("ssh://h"), { AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s", DOCKER_SSH_KNOWN_HOSTS: KNOWN }, ["--require"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("::error title=Cannot deploy staging::missing secret STAGING_DOCKER_SSH_KEY (ssh:// Docker host)\n");
  });

  test("ssh:// needs the host key: never trusted on first use", () => {
    const missing = preflight(s3("ssh://deploy@h"), { AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s", DOCKER_SSH_KEY: "k" }, ["--require"]);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain("missing secret STAGING_DOCKER_SSH_KNOWN_HOSTS");
    expect(fs.existsSync(path.join(dir, ".ssh", "config"))).toBe(false);
    const r = preflight(s3("ssh://deploy@h"), { AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s", DOCKER_SSH_KEY: "k", DOCKER_SSH_KNOWN_HOSTS: KNOWN }, ["--require"]);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, ".ssh", "known_hosts"), "utf8")).toBe(`${KNOWN}\n`);
    const sshConfig = fs.readFileSync(path.join(dir, ".ssh", "config"), "utf8");
    expect(sshConfig).toContain("StrictHostKeyChecking yes");
    expect(sshConfig).not.toContain("accept-new");
    expect(fs.readFileSync(PREFLIGHT, "utf8")).not.toContain("accept-new");
  });

  test("tcp:// with TLS: all three PEM secrets are exported as Terraform variables, multi-line intact", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    const r = preflight(s3("tcp://docker.example.com:2376", true), {
      AWS_ACCESS_KEY_ID: "a",
      AWS_SECRET_ACCESS_KEY: "s",
      DOCKER_CERT: pem,
      DOCKER_KEY: "key",
      DOCKER_CA: "ca",
      DOCKER_HOST_SECRET: "tcp://10.1.2.3:2376",
      TFVARS: 'slack_api_url = "https://hooks.example.com/x"',
    });
    expect(r.status).toBe(0);
    expect(r.output).toContain("run=true\nbackend=s3\ndocker_scheme=tcp\n");
    expect(r.ghEnv).toMatch(/^TF_VAR_docker_host<<(EOF_\d+)\ntcp:\/\/10\.1\.2\.3:2376\n\1\n/);
    expect(r.ghEnv).toMatch(/TF_VAR_docker_cert_material<<(EOF_\d+)\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n\1\n/);
    expect(r.ghEnv).toContain("TF_VAR_docker_key_material<<");
    const varFile = /var_file=(.*)\n/.exec(r.output)![1];
    expect(fs.readFileSync(varFile, "utf8")).toBe('slack_api_url = "https://hooks.example.com/x"\n');
    expect(fs.statSync(varFile).mode & 0o077).toBe(0);
  });

  test("tcp:// without the PEM secrets is skipped", () => {
    const r = preflight(s3("tcp://docker.example.com:2376", true), { AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s", DOCKER_CERT: "c" });
    expect(r.stdout).toContain("missing secrets STAGING_DOCKER_CERT, _DOCKER_KEY and _DOCKER_CA (tcp:// Docker host with TLS)");
  });

  test("HCP Terraform: TF_API_TOKEN becomes TF_TOKEN_<host>", () => {
    const tf = { terraform: { cloud: { organization: "acme", hostname: "tfe.example.com", workspaces: { name: "monitoring-staging" } } }, variable: { docker_host: { default: "ssh://h" } } };
    expect(preflight(tf, { DOCKER_SSH_KEY: "k", DOCKER_SSH_KNOWN_HOSTS: KNOWN }).stdout).toContain("missing secret TF_API_TOKEN (HCP Terraform state)");
    const r = preflight(tf, { DOCKER_SSH_KEY: "k", DOCKER_SSH_KNOWN_HOSTS: KNOWN, TF_API_TOKEN: "t0k" });
    expect(r.output).toContain("run=true\nbackend=cloud\n");
    expect(r.ghEnv).toMatch(/^TF_TOKEN_tfe_example_com<<(EOF_\d+)\nt0k\n\1\n$/);
  });

  test("HTTP state needs no secret; the stack must exist", () => {
    const tf = { terraform: { backend: { http: { address: "https://s/x" } } }, variable: { docker_host: { default: "ssh://h" } } };
    expect(preflight(tf, { DOCKER_SSH_KEY: "k", DOCKER_SSH_KNOWN_HOSTS: KNOWN }).output).toContain("run=true\nbackend=http\n");
    fs.rmSync(path.join(dir, "cdktf.out"), { recursive: true });
    const r = execFileSync("bash", ["-c", `GITHUB_OUTPUT=/dev/null bash ${PREFLIGHT} qa; true`], { cwd: dir, encoding: "utf8" });
    expect(r).toContain("cdktf.out/stacks/monitoring-qa/cdk.tf.json does not exist");
  });
});

describe("plan-comment.cjs", () => {
  /** A fake of the part of Octokit the script calls, keeping comments in memory. */
  function fakeGithub(initial: { id: number; body: string; user: { type: string; login: string } }[] = []) {
    const comments = [...initial];
    const calls: string[] = [];
    const github = {
      paginate: async (_f: unknown, _args: unknown) => comments,
      rest: {
        issues: {
          listComments: {},
          createComment: async ({ body }: { body: string }) => {
            calls.push("create");
            comments.push({ id: 100 + comments.length, body, user: { type: "Bot", login: "github-actions[bot]" } });
          },
          updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
            calls.push(`update ${comment_id}`);
            comments.find((c) => c.id === comment_id)!.body = body;
          },
        },
      },
    };
    return { github, comments, calls };
  }
  const context = (sha: string) => ({ repo: { owner: "o", repo: "r" }, sha: "merge", payload: { pull_request: { number: 7, head: { sha } } } });
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-comment-"))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  function planFile(text: string): string {
    const f = path.join(dir, `plan-${Math.random()}.txt`);
    fs.writeFileSync(f, text);
    return f;
  }

  test("one comment for all environments and pushes: created once, then each environment's section updated", async () => {
    const users = { id: 1, body: "I quote <!-- monitoring-stack-plan --> here", user: { type: "User", login: "alice" } };
    // Another bot's comment with the marker (e.g. an app that echoes comments) is not ours either.
    const otherBot = { id: 2, body: "<!-- monitoring-stack-plan --> copied", user: { type: "Bot", login: "renovate[bot]" } };
    const { github, comments, calls } = fakeGithub([users, otherBot]);
    await planComment({ github, context: context("aaaaaaa1"), environment: "staging", planFile: planFile("Plan: 10 to add"), exitCode: "0" });
    await planComment({ github, context: context("aaaaaaa1"), environment: "production", planFile: planFile("Plan: 11 to add"), exitCode: "1" });
    await planComment({ github, context: context("bbbbbbb2"), environment: "staging", planFile: planFile("No changes."), exitCode: "0" });
    expect(calls).toEqual(["create", "update 102", "update 102"]);
    const body = comments.find((c) => c.id === 102)!.body;
    expect(body.startsWith("<!-- monitoring-stack-plan -->\n")).toBe(true);
    expect(body).toContain("<b>staging</b>: plan succeeded for bbbbbbb");
    expect(body).toContain("No changes.");
    expect(body).not.toContain("Plan: 10 to add");
    expect(body).toContain("<details open><summary><b>production</b>: plan failed (exit 1) for aaaaaaa");
    expect(body.indexOf("plan:production")).toBeLessThan(body.indexOf("plan:staging"));
    expect(comments[0].body).toBe(users.body);
    expect(comments[1].body).toBe(otherBot.body);
  });

  test("an environment name or exit code that is not plain (the artifact came from pull-request code) is refused", async () => {
    const { github, calls } = fakeGithub();
    const post = (environment: string, exitCode: string) =>
      planComment({ github, context: context("aaaaaaa1"), environment, planFile: planFile("x"), exitCode });
    await expect(post("staging --><img src=x>", "0")).rejects.toThrow('environment "staging --><img src=x>" is not a plain name');
    await expect(post("staging", "0; rm")).rejects.toThrow('exit code "0; rm" is not a number');
    expect(calls).toEqual([]);
  });

  test("a long plan keeps its end, within GitHub's comment limit", () => {
    const section = planComment.renderSection("staging", "x".repeat(100000) + "\nPlan: 1 to add", 0, "abcdef123");
    expect(section.length).toBeLessThan(21000);
    expect(section).toContain("Plan: 1 to add");
    expect(section).toContain("truncated to the last 20000 characters");
  });
});
