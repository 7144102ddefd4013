import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { compareRendered, formatReview, main, parseArgs, readRendered } from "../../stacks/review-diff";

const ROOT = path.resolve(__dirname, "../..");

/** A small cdktf app shaped like ours: a service construct whose container uploads a config file asset. */
const FIXTURE_APP = `import * as path from "node:path";
import { App, AssetType, TerraformAsset, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { Container } from "@cdktf/provider-docker/lib/container";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";

class Service extends Construct {
  constructor(scope: Construct, id: string, file: string, target: string) {
    super(scope, id);
    const asset = new TerraformAsset(this, "config", { path: path.join(__dirname, "config", file), type: AssetType.FILE });
    new Container(this, "container", {
      name: "monitoring-" + id,
      image: "prom/" + id + ":v1",
      upload: [{ file: target, source: asset.path, sourceHash: asset.assetHash }],
    });
  }
}

const app = new App();
const stack = new TerraformStack(app, "monitoring");
new DockerProvider(stack, "docker", {});
new Service(stack, "prometheus", "prometheus.yml", "/etc/prometheus/prometheus.yml");
new Service(stack, "alertmanager", "alertmanager.yml", "/etc/alertmanager/alertmanager.yml");
app.synth();
`;

const PROMETHEUS_YML = (interval: string) => `global:\n  scrape_interval: ${interval}\n  evaluation_interval: 15s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: [localhost:9090]\n`;
const ALERTMANAGER_YML = "route:\n  receiver: default\nreceivers:\n  - name: default\n";

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" },
  });
}

function write(dir: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

describe("review diff of two revisions of a git repository", () => {
  let repo: string;

  beforeAll(() => {
    // GIVEN a repository with two commits: the second changes one line of prometheus.yml
    repo = fs.mkdtempSync(path.join(os.tmpdir(), "review-diff-fixture-"));
    git(repo, "init", "--quiet", "--initial-branch=main");
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
    write(repo, ".gitignore", "node_modules\ncdktf.out\n");
    write(repo, "cdktf.json", JSON.stringify({ language: "typescript", app: "npx ts-node main.ts" }));
    write(repo, "tsconfig.json", JSON.stringify({ compilerOptions: { module: "commonjs", target: "ES2022", esModuleInterop: true, skipLibCheck: true } }));
    write(repo, "main.ts", FIXTURE_APP);
    write(repo, "config/prometheus.yml", PROMETHEUS_YML("15s"));
    write(repo, "config/alertmanager.yml", ALERTMANAGER_YML);
    git(repo, "add", ".");
    git(repo, "commit", "--quiet", "-m", "base");
    write(repo, "config/prometheus.yml", PROMETHEUS_YML("30s"));
    git(repo, "commit", "--quiet", "-am", "head");
  });

  afterAll(() => {
    fs.rmSync(repo, { recursive: true, force: true });
  });

  test("prints exactly the changed line of prometheus.yml, keyed by service path, and the changed container", () => {
    // WHEN the two commits are compared
    const out = main(["--base", "HEAD~1", "--head", "HEAD"], repo);
    // THEN the report is the one changed file and resource, nothing else
    const lines = out.split("\n");
    expect(lines.slice(0, 4)).toEqual(["# Config review diff (HEAD~1 → HEAD)", "", "## Terraform addresses", ""]);
    expect(lines[4]).toMatch(/^~ monitoring: docker_container\.prometheus_container_[0-9A-F]{8}$/);
    // Under it, what changed in the container: only its config file.
    expect(lines[5]).toBe("    ~ file /etc/prometheus/prometheus.yml: content changed (diff below)");
    expect(lines.slice(6)).toEqual([
      "",
      "## Rendered config files",
      "",
      "diff -ruN a/monitoring/prometheus/etc/prometheus/prometheus.yml b/monitoring/prometheus/etc/prometheus/prometheus.yml",
      "--- a/monitoring/prometheus/etc/prometheus/prometheus.yml",
      "+++ b/monitoring/prometheus/etc/prometheus/prometheus.yml",
      "@@ -1,5 +1,5 @@",
      " global:",
      "-  scrape_interval: 15s",
      "+  scrape_interval: 30s",
      "   evaluation_interval: 15s",
      " scrape_configs:",
      "   - job_name: prometheus",
      "",
    ]);
    // Stable: no temporary paths, no asset hash folders, no timestamps.
    expect(out).not.toMatch(/\/tmp\/|review-diff-|[0-9A-F]{32}|\d{4}-\d\d-\d\d/);
  });

  test("identical revisions: \"no config changes\"", () => {
    expect(main(["--base", "HEAD", "--head", "HEAD"], repo)).toBe("no config changes\n");
  });

  test("default head is the working tree: an uncommitted edit shows, the worktrees are cleaned up", () => {
    write(repo, "config/alertmanager.yml", ALERTMANAGER_YML.replace("receiver: default", "receiver: oncall"));
    try {
      const out = main(["--markdown"], repo);
      expect(out).toMatch(/^### Config review diff \(HEAD → working tree\)\n/);
      expect(out).toContain("-  receiver: default\n+  receiver: oncall\n");
      expect(out).toContain("a/monitoring/alertmanager/etc/alertmanager/alertmanager.yml");
      expect(out).not.toContain("prometheus.yml");
      expect(out).toMatch(/- changed `monitoring: docker_container\.alertmanager_container_[0-9A-F]{8}`/);
      expect(out).toMatch(/```diff\n[\s\S]*\n```\n$/);
    } finally {
      git(repo, "checkout", "--quiet", "--", "config/alertmanager.yml");
    }
    expect(git(repo, "worktree", "list").trim().split("\n")).toHaveLength(1);
  });

  test("an unknown base ref is an error naming the git command", () => {
    expect(() => main(["--base", "no-such-ref"], repo)).toThrow(/git worktree add .* no-such-ref failed/);
  });
});

describe("readRendered and compareRendered on two config trees", () => {
  /** A hand-made synth output: one stack whose prometheus uploads a file, one content upload, one loose asset. */
  function tree(root: string, prom: string, extra: Record<string, string> = {}): string {
    const out = path.join(root, "out");
    const stack = path.join(out, "stacks", "monitoring");
    write(stack, "assets/prometheus_config_ABCDEF12/0123456789ABCDEF0123456789ABCDEF/prometheus.yml", prom);
    write(stack, "assets/dashboards_overview-json_12345678/FEDCBA9876543210FEDCBA9876543210/overview.json", '{"title":"Overview"}\n');
    for (const [f, t] of Object.entries(extra)) {
      write(stack, f, t);
    }
    const tf = {
      terraform: { backend: { local: { path: `${root}/terraform.monitoring.tfstate` } } },
      resource: {
        docker_container: {
          prometheus_container_11111111: {
            "//": { metadata: { path: "monitoring/prometheus/service/container" } },
            name: "monitoring-prometheus",
            upload: [
              { file: "/etc/prometheus/prometheus.yml", source: "assets/prometheus_config_ABCDEF12/0123456789ABCDEF0123456789ABCDEF/prometheus.yml", source_hash: Buffer.from(prom).toString("hex") },
            ],
          },
          alertmanager_container_22222222: {
            "//": { metadata: { path: "monitoring/alertmanager/service/container" } },
            upload: [{ file: "/run/secrets/slack_api_url", content: "${var.slack_api_url}" }],
          },
        },
      },
    };
    write(stack, "cdk.tf.json", JSON.stringify(tf));
    return out;
  }

  test("keys are stack/service/container path; loose assets lose their hash folders; checkout roots vanish", () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), "rd-a-"));
    const rendered = readRendered(tree(a, "x: 1\n"), a);
    expect([...rendered.files.keys()].sort()).toEqual([
      "monitoring/alertmanager/run/secrets/slack_api_url",
      "monitoring/assets/dashboards_overview-json/overview.json",
      "monitoring/prometheus/etc/prometheus/prometheus.yml",
    ]);
    expect(rendered.blocks.get("monitoring: terraform.backend")).toBe('{"local":{"path":"./terraform.monitoring.tfstate"}}');
    fs.rmSync(a, { recursive: true, force: true });
  });

  test("two trees from different directories with the same content compare equal", () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), "rd-a-"));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), "rd-b-"));
    const review = compareRendered(readRendered(tree(a, "x: 1\n"), a), readRendered(tree(b, "x: 1\n"), b));
    expect(formatReview(review)).toBe("no config changes\n");
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  });

  test("a changed line, an added file and a changed resource", () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), "rd-a-"));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), "rd-b-"));
    const review = compareRendered(
      readRendered(tree(a, "x: 1\ny: 2\n"), a),
      readRendered(tree(b, "x: 1\ny: 3\n", { "assets/rules_new-yml_AAAAAAAA/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB/new.yml": "groups: []\n" }), b),
    );
    expect(review.resources).toEqual({ added: [], removed: [], changed: ["monitoring: docker_container.prometheus_container_11111111"] });
    expect(review.diff).toContain("--- a/monitoring/prometheus/etc/prometheus/prometheus.yml\n+++ b/monitoring/prometheus/etc/prometheus/prometheus.yml\n@@ -1,2 +1,2 @@\n x: 1\n-y: 2\n+y: 3\n");
    expect(review.diff).toContain("+++ b/monitoring/assets/rules_new-yml/new.yml\n@@ -0,0 +1 @@\n+groups: []\n");
    expect(review.diff).not.toMatch(/\t|rd-[ab]-/);
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  });
});

describe("parseArgs", () => {
  test("defaults and flags", () => {
    expect(parseArgs([])).toEqual({ base: "HEAD", head: undefined, markdown: false });
    expect(parseArgs(["--base", "origin/main", "--head", "abc123", "--markdown"])).toEqual({ base: "origin/main", head: "abc123", markdown: true });
  });

  test("errors", () => {
    expect(() => parseArgs(["--base"])).toThrow(/--base needs a git ref/);
    expect(() => parseArgs(["--frobnicate"])).toThrow(/unknown argument "--frobnicate"; usage: review-diff/);
  });
});
