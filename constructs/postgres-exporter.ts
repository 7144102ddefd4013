import { Construct } from "constructs";
import { JOBS } from "../alerts/jobs";
import { MonitoringService, ResourceLimits, ScrapeTarget, ServiceContext, assertChecks, Check } from "./service";
import { IMAGES, ImageRef } from "./versions";

/** The exporter's fixed listen port (`--web.listen-address` default). */
const PORT = 9187;
/** Where the password file is uploaded (the exporter trims surrounding whitespace when it reads it). */
export const POSTGRES_PASSWORD_FILE = "/etc/postgres_exporter/password";

/** Props of {@link PostgresExporter}. */
export interface PostgresExporterProps {
  readonly context: ServiceContext;
  /**
   * Where the database is, without user or password: `host:port/database?sslmode=…` (the exporter's
   * `DATA_SOURCE_URI`; it builds `postgresql://<user>:<password>@<uri>`, escaping both).
   * @default "postgres:5432/postgres?sslmode=disable"
   */
  readonly uri?: string;
  /** The database user (`DATA_SOURCE_USER`). @default "postgres_exporter" */
  readonly user?: string;
  /**
   * The user's password: a Terraform token, normally a sensitive variable's `.stringValue`, so that only a
   * reference reaches `cdktf.out`. It is uploaded as a file and read through `DATA_SOURCE_PASS_FILE`: it
   * is not in the container's environment, which `docker inspect` (and the Docker socket proxy) shows.
   */
  readonly password: string;
  /**
   * Enable the `pg_stat_statements` collector (`--collector.stat_statements`, off upstream because every
   * distinct query is a series). The stack's query-latency rules use it. The database must load the
   * extension: `shared_preload_libraries = 'pg_stat_statements'` and `CREATE EXTENSION pg_stat_statements;`
   * in the monitored database; without it the collector logs an error on each scrape and the rest works.
   * @default true
   */
  readonly statStatements?: boolean;
  /** @default IMAGES.postgresExporter */
  readonly image?: ImageRef;
  /** @default 64 MiB, 0.25 CPU */
  readonly resources?: ResourceLimits;
}

/** postgres_exporter's command-line flags (the image's entrypoint is the binary). */
export function postgresExporterFlags(options: { readonly statStatements: boolean }): string[] {
  // `--auto-discover-databases` is deprecated upstream (v0.20); one exporter per DSN is the supported way.
  return options.statStatements ? ["--collector.stat_statements"] : [];
}

/**
 * Prometheus postgres_exporter for the application's database.
 *
 * Runs as the image's `nobody`, publishes nothing. Its root filesystem is writable because the password
 * arrives as an uploaded file, which Docker's archive API refuses on a read-only one. The healthcheck is
 * busybox `wget` on the landing page `/`, which proves the exporter is serving without running a scrape
 * against the database every 30s; an unreachable database shows as `pg_up == 0`, which is an alert, not a
 * reason to restart the exporter.
 *
 * @see https://github.com/prometheus-community/postgres_exporter
 */
export class PostgresExporter extends Construct {
  public readonly hostname: string;
  public readonly port: number;
  /** e.g. `http://postgres-exporter:9187` */
  public readonly url: string;
  public readonly scrapeTarget: ScrapeTarget;
  public readonly statStatements: boolean;
  /** Where the database is: `host[:port]/database[?options]` (`DATA_SOURCE_URI`). */
  public readonly uri: string;
  public readonly service: MonitoringService;

  constructor(scope: Construct, id: string, props: PostgresExporterProps) {
    super(scope, id);
    this.port = PORT;
    this.statStatements = props.statStatements ?? true;
    const uri = props.uri ?? "postgres:5432/postgres?sslmode=disable";
    this.uri = uri;
    const user = props.user ?? "postgres_exporter";
    const checks: Check[] = [
      [
        /^[A-Za-z0-9.-]+(:\d{1,5})?\/[A-Za-z0-9_.-]+(\?[A-Za-z0-9_=&.-]*)?$/.test(uri),
        `exporters.postgres.uri: "${uri}" is not host[:port]/database[?options] (no scheme, user or password), e.g. "postgres:5432/messenger?sslmode=require"`,
      ],
      [
        // DATA_SOURCE_URI is written into cdktf.out (and shown by docker inspect): no password in its options.
        !/[?&](password|passfile|sslpassword)=/i.test(uri),
        `exporters.postgres.uri: "${uri}" carries a password option; leave it out and use exporters.postgres.password (a secret, uploaded as a file)`,
      ],
      [/^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/.test(user), `exporters.postgres.user: "${user}" is not a PostgreSQL user name (letters, digits, "_", "." and "-")`],
      [
        typeof props.password === "string" && props.password.trim() !== "",
        `exporters.postgres.password: "${props.password}" is empty; pass a sensitive Terraform variable's value`,
      ],
    ];
    assertChecks(checks);

    const flags = postgresExporterFlags({ statStatements: this.statStatements });
    this.service = new MonitoringService(this, "service", {
      serviceName: "postgres-exporter",
      context: props.context,
      image: props.image ?? IMAGES.postgresExporter,
      command: flags.length > 0 ? flags : undefined,
      env: { DATA_SOURCE_URI: uri, DATA_SOURCE_USER: user, DATA_SOURCE_PASS_FILE: POSTGRES_PASSWORD_FILE },
      secretFiles: [{ path: POSTGRES_PASSWORD_FILE, content: props.password }],
      healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${PORT}/`] },
      resources: props.resources ?? { memoryMb: 64, cpus: 0.25 },
      readOnlyRootFilesystem: false,
    });

    this.hostname = this.service.hostname;
    this.url = `http://${this.hostname}:${PORT}`;
    this.scrapeTarget = { job: JOBS.postgresExporter, targets: [`${this.hostname}:${PORT}`] };
  }
}
