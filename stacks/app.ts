import { App } from "cdktf";
import { ConfigError, MonitoringConfig } from "./config";
import { defineEnvironments } from "./environments";
import { MonitoringStack } from "./monitoring-stack";

/**
 * The deployed stacks. Every option has the guide's value as its default; override here (see README,
 * "Configuration"). Secrets are named, never written: `secret("slack_api_url")` becomes a sensitive
 * Terraform variable that you set at deploy time (`TF_VAR_slack_api_url`).
 *
 * @param environments which environment stacks to add: "" (none), "all", or a comma-separated list
 *   (the `MONITORING_ENVIRONMENTS` variable)
 */
export function defineStacks(app: App, environments: string): MonitoringStack[] {
  const config: MonitoringConfig = {};

  // The default stack: local Docker, local state (`cdktf synth`, `cdktf deploy monitoring`).
  const main = new MonitoringStack(app, "monitoring", config);

  // Environments, opt-in: MONITORING_ENVIRONMENTS=all (or "staging,production") adds the stacks
  // monitoring-staging and monitoring-production, each with its own state and Docker host. CI plans and
  // deploys them (docs/ci.md). Replace the example bucket and hosts with yours.
  const envs = defineEnvironments(
    app,
    { ...config, backend: { kind: "s3", bucket: "example-monitoring-state", region: "eu-central-1", key: "{stack}/terraform.tfstate" } },
    {
      staging: { dockerHost: { url: "ssh://deploy@staging.example.com" } },
      production: { dockerHost: { url: "ssh://deploy@monitoring.example.com" }, prometheus: { retentionTime: "30d" } },
    },
    { select: environments },
  );
  return [main, ...Object.values(envs)];
}

/**
 * The text a user sees for an invalid config: one numbered line per distinct problem (field, value,
 * what is allowed), no stack trace.
 */
export function formatConfigError(e: ConfigError): string {
  const problems = [...new Set(e.problems)];
  return ["invalid monitoring config:", ...problems.map((p, i) => `  ${i + 1}. ${p}`)].join("\n");
}

/**
 * Runs the app's synthesis as the entry point does: a config mistake prints {@link formatConfigError}
 * on stderr and exits 1; any other error keeps its stack trace (it is a bug, not a config mistake).
 */
export function runApp(synthesize: () => void, exit: (code: number) => never = (c) => process.exit(c)): void {
  try {
    synthesize();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(formatConfigError(e));
      exit(1);
      return;
    }
    throw e;
  }
}
