// Posts an environment's plan to the pull request as a section of ONE comment, found by its hidden marker
// and updated on every push (each environment replaces only its own section). Called from
// actions/github-script: `await require('./.github/scripts/plan-comment.cjs')({ github, context, ... })`.
const fs = require("node:fs");

const MARKER = "<!-- monitoring-stack-plan -->";
// The author of the comments this script writes: the workflow's GITHUB_TOKEN. A comment by anyone else
// that carries the marker (a person quoting it, another bot) is never touched.
const AUTHOR = "github-actions[bot]";
// The environment name comes from the plan job, which ran pull-request code: only a plain name is used.
const ENVIRONMENT = /^[a-z0-9-]{1,40}$/;
// GitHub rejects comments over 65536 characters; several environments share one comment.
const MAX_PLAN_CHARS = 20000;

/** The section of one environment, between its own markers. */
function renderSection(environment, plan, exitCode, sha) {
  let text = plan.trimEnd();
  if (text.length > MAX_PLAN_CHARS) {
    text = `… (truncated to the last ${MAX_PLAN_CHARS} characters; the whole plan is in the job log)\n${text.slice(-MAX_PLAN_CHARS)}`;
  }
  const ok = String(exitCode) === "0";
  return [
    `<!-- plan:${environment} -->`,
    `<details${ok ? "" : " open"}><summary><b>${environment}</b>: plan ${ok ? "succeeded" : `failed (exit ${exitCode})`} for ${sha.slice(0, 7)}</summary>`,
    "",
    "~~~~text",
    text.replace(/~~~~/g, "~ ~ ~ ~"),
    "~~~~",
    "</details>",
    `<!-- /plan:${environment} -->`,
  ].join("\n");
}

/** The whole comment: the marker, a title, and the sections of every environment in name order. */
function renderComment(previousBody, environment, section) {
  const sections = {};
  for (const m of (previousBody || "").matchAll(/<!-- plan:([a-z0-9-]+) -->[\s\S]*?<!-- \/plan:\1 -->/g)) {
    sections[m[1]] = m[0];
  }
  sections[environment] = section;
  return [
    MARKER,
    "### Terraform plan (`cdktf diff`)",
    "",
    ...Object.keys(sections)
      .sort()
      .map((k) => sections[k]),
    "",
    "<sub>Updated on every push by the pull-request workflow. The config review diff is in the job summary.</sub>",
  ].join("\n");
}

/** Our own comment among the pull request's comments: written by {@link AUTHOR} and carrying the marker. */
function findOwnComment(comments) {
  return comments.find((c) => c.user && c.user.login === AUTHOR && c.user.type === "Bot" && (c.body || "").includes(MARKER));
}

module.exports = async function postPlan({ github, context, environment, planFile, exitCode }) {
  if (!ENVIRONMENT.test(String(environment))) {
    throw new Error(`plan-comment: environment ${JSON.stringify(environment)} is not a plain name (a-z, 0-9, "-")`);
  }
  if (!/^-?\d+$/.test(String(exitCode).trim())) {
    throw new Error(`plan-comment: exit code ${JSON.stringify(exitCode)} is not a number`);
  }
  const { owner, repo } = context.repo;
  const issue_number = context.payload.pull_request.number;
  const plan = fs.existsSync(planFile) ? fs.readFileSync(planFile, "utf8") : "(no plan output)";
  const sha = (context.payload.pull_request.head && context.payload.pull_request.head.sha) || context.sha;
  const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
  const existing = findOwnComment(comments);
  const body = renderComment(existing && existing.body, environment, renderSection(environment, plan, exitCode, sha));
  if (existing) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
  } else {
    await github.rest.issues.createComment({ owner, repo, issue_number, body });
  }
  return body;
};
module.exports.MARKER = MARKER;
module.exports.AUTHOR = AUTHOR;
module.exports.findOwnComment = findOwnComment;
module.exports.renderSection = renderSection;
module.exports.renderComment = renderComment;
