import { Duration } from "../alerts/duration";
import { GUIDE_APPLICATION_SERVICES, JOBS, SERVICE_LABEL, serviceOfTarget } from "../alerts/jobs";
import { DnsName, ScrapeTarget } from "../constructs/service";
import { ApplicationOptions, ApplicationService, isHostPort, Problems } from "./config";

/** The application's scrape settings, resolved once and validated. */
export interface ResolvedApplication {
  /** Discovered per replica by DNS. */
  readonly services: readonly ApplicationService[];
  /** Scraped at static addresses. */
  readonly targets: readonly string[];
  readonly refreshInterval: Duration;
  readonly scrapeInterval: Duration;
  readonly metricsPath?: string;
}

/** A DNS name as Docker's embedded DNS and Compose service names allow (no port, no scheme). */
const DNS_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * `application.services` and `application.targets` with their defaults (the guide's four services,
 * discovered, unless static targets are given), each problem named by its field.
 */
export function resolveApplication(app: ApplicationOptions, problems: Problems): ResolvedApplication {
  const targets = app.targets ?? [];
  const services: readonly ApplicationService[] = app.services ?? (app.targets === undefined ? GUIDE_APPLICATION_SERVICES : []);
  const refreshInterval = problems.duration("application.discoveryRefreshInterval", app.discoveryRefreshInterval, "10s");
  if (refreshInterval.compare(Duration.parse("1s")) < 0) {
    problems.add(`application.discoveryRefreshInterval: "${refreshInterval}" is shorter than 1s; Docker's DNS needs no faster polling than the scrape`);
  }
  if (services.length === 0 && targets.length === 0) {
    problems.add(
      'application: no service to scrape; give application.services (e.g. [{ name: "chat-server", port: 8080 }]) or application.targets (e.g. ["10.0.0.5:8080"])',
    );
  }
  const seen = new Set<string>();
  services.forEach((s, i) => {
    const field = `application.services[${i}]`;
    if (typeof s?.name !== "string" || !DNS_NAME.test(s.name)) {
      problems.add(`${field}.name: "${s?.name}" is not a DNS name (letters, digits, "-" and "."; no port or scheme: the port goes in ${field}.port)`);
    } else if (seen.has(s.name)) {
      problems.add(`${field}.name: "${s.name}" is listed twice; each service once, with one port`);
    }
    seen.add(s?.name);
    if (!(Number.isInteger(s?.port) && s.port >= 1 && s.port <= 65535)) {
      problems.add(`${field}.port: ${JSON.stringify(s?.port)} is not a port 1-65535`);
    }
    if (s?.metricsPath !== undefined && !/^\/[A-Za-z0-9._~\/-]*$/.test(s.metricsPath)) {
      problems.add(`${field}.metricsPath: "${s.metricsPath}" must be a path such as "/metrics"`);
    }
  });
  targets.forEach((t, i) => {
    if (!isHostPort(t)) {
      problems.add(`application.targets[${i}]: "${t}" is not host:port with a port 1-65535`);
    } else if (seen.has(serviceOfTarget(t))) {
      problems.add(
        `application.targets[${i}]: "${t}" is also application.services' "${serviceOfTarget(t)}"; a service is either discovered or static, not both`,
      );
    }
  });
  if (app.metricsPath !== undefined && !app.metricsPath.startsWith("/")) {
    problems.add(`application.metricsPath: "${app.metricsPath}" must start with "/"`);
  }
  return {
    services,
    targets,
    refreshInterval,
    scrapeInterval: problems.duration("application.scrapeInterval", app.scrapeInterval, "5s"),
    metricsPath: app.metricsPath,
  };
}

/** The DNS names of the discovered services, each on its port. */
export function dnsNames(app: ResolvedApplication): DnsName[] {
  return app.services.map((s) => ({ name: s.name, port: s.port, ...(s.metricsPath ? { metricsPath: s.metricsPath } : {}) }));
}

/** The application's scrape job: discovered replicas and static targets, each labelled with its service. */
export function applicationScrapeTarget(app: ResolvedApplication): ScrapeTarget {
  return {
    job: JOBS.application,
    targets: app.targets,
    // The service of a static target is its host: chat-server:8080 → service="chat-server".
    targetLabels: app.targets.map((t) => ({ [SERVICE_LABEL]: serviceOfTarget(t) })),
    ...(app.services.length > 0 ? { dns: { names: dnsNames(app), refreshInterval: app.refreshInterval, nameLabel: SERVICE_LABEL } } : {}),
    scrapeInterval: app.scrapeInterval,
    metricsPath: app.metricsPath,
  };
}

/** Every `host:port` or `name:port` the application answers on, for messages. */
export function applicationAddresses(app: ResolvedApplication): string[] {
  return [...app.services.map((s) => `${s.name}:${s.port}`), ...app.targets];
}
