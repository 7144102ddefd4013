import type { Duration } from "../alerts/duration";
import { DEFAULT_THRESHOLDS, type Thresholds } from "../alerts/thresholds";
import { cache } from "./cache";
import { capacityPlanning } from "./capacity-planning";
import type { DashboardContext, DashboardFile } from "./common";
import { containers } from "./containers";
import { database } from "./database";
import { hostsNetwork } from "./hosts-network";
import { httpApi } from "./http-api";
import { loadTesting } from "./load-testing";
import { logsTraces } from "./logs-traces";
import { messagingWebsocket } from "./messaging-websocket";
import { performanceOverview } from "./performance-overview";
import { slos } from "./slo";
import { runbooks } from "./runbooks";
import type { ResolvedAlert } from "../alerts";
import { stackHealth } from "./stack-health";

export { renderDashboard, type DashboardFile } from "./common";
export { DATASOURCES } from "./datasources";
export { grafanaRunbookLink, RUNBOOKS_UID, runbookPanelId } from "./runbooks";

/** Which exporters the stack runs; a dashboard (or row) built on a disabled exporter is left out. */
export interface DashboardExporters {
  readonly node: boolean;
  readonly cadvisor: boolean;
  readonly postgres: boolean;
  readonly redis: boolean;
  readonly minio: boolean;
}

/** The guide's application services (its `performance-metrics` targets), as log `service` and trace service names. */
export const DEFAULT_APPLICATION_SERVICES: readonly string[] = ["chat-server", "group-service", "presence-service", "notification-service"];

/** Input of {@link buildDashboards}. */
export interface DashboardOptions {
  /**
   * The thresholds the alert rules use (after the user's overrides): panels draw their lines from them.
   * @default DEFAULT_THRESHOLDS
   */
  readonly thresholds?: Thresholds;
  /** Exporters the stack runs. */
  readonly exporters: DashboardExporters;
  /** Prometheus `job` of the messenger's own metrics (the guide's `performance-metrics`). */
  readonly applicationJob: string;
  /** Global scrape interval: the minimum step of every Prometheus panel. @default the datasource's setting */
  readonly scrapeInterval?: Duration;
  /** Services shown in Logs & Traces (Loki `service` label, Jaeger service). @default DEFAULT_APPLICATION_SERVICES */
  readonly applicationServices?: readonly string[];
  /** Optional stack components; panels on a disabled one's metrics or datasource are left out. @default all enabled */
  readonly components?: StackComponents;
  /**
   * The stack's resolved alerts: when given, the "Alert runbooks" dashboard is built, one panel per
   * alert of the library, which the alerts' `runbook_url` links open. @default none (no runbook dashboard)
   */
  readonly runbookAlerts?: readonly ResolvedAlert[];
}

/** The stack components that can be switched off. */
export interface StackComponents {
  readonly alloy: boolean;
  readonly jaeger: boolean;
  /** Loki (logs): its panels and the Logs row; without it they would query a datasource that does not exist. @default true */
  readonly loki?: boolean;
  /** blackbox-exporter's probes (WebSocket availability). @default true */
  readonly blackbox?: boolean;
  /** k6 results (federated from the load-test receiver): the Load Testing dashboard. @default false */
  readonly loadTesting?: boolean;
}

/**
 * Every dashboard of the stack, in the order of the README's table. Each PromQL query is parsed;
 * an invalid one throws naming the dashboard, the panel and the query.
 */
export function buildDashboards(options: DashboardOptions): DashboardFile[] {
  if (options.applicationJob.trim() === "") {
    throw new Error('applicationJob: "" is empty; give the Prometheus job of the application, e.g. "performance-metrics"');
  }
  const ctx: DashboardContext = {
    thresholds: options.thresholds ?? DEFAULT_THRESHOLDS,
    applicationJob: options.applicationJob,
    scrapeInterval: options.scrapeInterval,
  };
  const e = options.exporters;
  const components = options.components ?? { alloy: true, jaeger: true };
  const files: DashboardFile[] = [
    performanceOverview(ctx, e),
    slos(ctx),
    messagingWebsocket(ctx, options.components?.blackbox ?? true),
    httpApi(ctx),
  ];
  if (e.postgres) files.push(database(ctx));
  if (e.redis) files.push(cache(ctx));
  if (e.node) files.push(hostsNetwork(ctx));
  if (e.cadvisor) files.push(containers(ctx));
  files.push(capacityPlanning(ctx, e));
  if (options.components?.loadTesting) files.push(loadTesting(ctx, e));
  files.push(
    stackHealth(ctx, components),
    logsTraces(ctx, options.applicationServices ?? DEFAULT_APPLICATION_SERVICES, components),
  );
  if (options.runbookAlerts) files.push(runbooks(ctx, options.runbookAlerts));
  return files;
}
export { dashboardExpressions, type DashboardExpression } from "./expressions";
