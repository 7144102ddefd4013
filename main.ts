import { App } from "cdktf";
import { MonitoringStack } from "./stacks/monitoring-stack";

/**
 * The deployed stacks. Every option has the guide's value as its default; override here (see README,
 * "Configuration"). Secrets are named, never written: `secret("slack_api_url")` becomes a sensitive
 * Terraform variable that you set at deploy time (`TF_VAR_slack_api_url`).
 */
const app = new App();
new MonitoringStack(app, "monitoring", {});
app.synth();
