import type { Dashboard, Panel } from "@grafana/grafana-foundation-sdk/dashboard";
import { buildDashboards, type DashboardOptions } from "../../dashboards";
import type { DashboardFile } from "../../dashboards/common";

/** Every exporter on: the stack's full set of dashboards. */
export const ALL_EXPORTERS = { node: true, cadvisor: true, postgres: true, redis: true, minio: true } as const;

/** Every optional component on, load testing included: the stack's full set of dashboards. */
export const ALL_COMPONENTS = { alloy: true, jaeger: true, blackbox: true, loadTesting: true } as const;

/** Builds the dashboards with the given overrides over the full options (every exporter and component). */
export function build(overrides: Partial<DashboardOptions> = {}): DashboardFile[] {
  return buildDashboards({ exporters: ALL_EXPORTERS, applicationJob: "performance-metrics", components: ALL_COMPONENTS, ...overrides });
}

/** The dashboard with this uid, or a failing assertion. */
export function byUid(files: readonly DashboardFile[], uid: string): DashboardFile {
  const file = files.find((f) => f.uid === uid);
  if (!file) throw new Error(`no dashboard ${uid} among ${files.map((f) => f.uid).join(", ")}`);
  return file;
}

/** Non-row panels of a dashboard. */
export function panels(json: Dashboard): Panel[] {
  return (json.panels ?? []).filter((p) => p.type !== "row") as Panel[];
}

/** The panel with this title. */
export function panel(json: Dashboard, title: string): Panel {
  const found = panels(json).find((p) => p.title === title);
  if (!found) throw new Error(`no panel "${title}" in ${json.title}`);
  return found;
}

/** The red (alerting) step of a panel's thresholds. */
export function alertStep(p: Panel): number | undefined {
  const steps = p.fieldConfig?.defaults?.thresholds?.steps ?? [];
  const base = steps[0]?.color === "red" ? steps[1] : steps.find((s) => s.color === "red");
  return base?.value ?? undefined;
}
