import { Fn } from "cdktf";
import { Construct } from "constructs";
import { JOBS } from "../alerts/jobs";
import { MonitoringService, ResourceLimits, ScrapeTarget, ServiceContext, assertChecks, Check } from "./service";
import { IMAGES, ImageRef } from "./versions";

/** Where the password file is uploaded: JSON `{ "<redis URI>": "<password>" }` (`--redis.password-file`). */
export const REDIS_PASSWORD_FILE = "/etc/redis_exporter/passwords.json";

/**
 * The key redis_exporter looks a password up by: the address with `redis://` added when it has no scheme
 * (exporter/redis.go), which must match the file's key exactly.
 */
export function redisPasswordKey(address: string): string {
  return /^[a-z]+:\/\//.test(address) ? address : `redis://${address}`;
}

/** The exporter's fixed listen port (`--web.listen-address` default). */
const PORT = 9121;

/** Props of {@link RedisExporter}. */
export interface RedisExporterProps {
  readonly context: ServiceContext;
  /**
   * Redis address as the exporter sees it (`REDIS_ADDR`): `redis://host:port`, `rediss://` for TLS, or
   * plain `host:port`. A plain string: it is also the key of the password file.
   * @default "redis://redis:6379" (the guide's `redis:6379` on the application's network)
   */
  readonly redisAddress?: string;
  /**
   * Redis password. Pass a Terraform token, normally a sensitive variable's `.stringValue`, so that only
   * a reference reaches `cdktf.out`. It is uploaded as the JSON password file (`--redis.password-file`,
   * keyed by the address), not passed as `REDIS_PASSWORD`, which `docker inspect` would show.
   * @default none: Redis without AUTH
   */
  readonly password?: string;
  /**
   * Keep the exporter's multi-target `/scrape?target=` endpoint: leave out `--disable-scrape-endpoint`.
   * Off by default because that endpoint logs in to any address a caller names with this exporter's
   * password. Needed only for an `image` older than redis_exporter 1.83, which has no such flag and
   * refuses to start with it (its `/scrape` is always open).
   * @default false
   */
  readonly scrapeEndpoint?: boolean;
  /** @default IMAGES.redisExporter */
  readonly image?: ImageRef;
  /** @default 64 MiB, 0.25 CPU */
  readonly resources?: ResourceLimits;
}

/**
 * The exporter's flags that do not depend on the deployment: `--include-system-metrics` exports
 * `redis_total_system_memory_bytes` (off upstream), which the memory ratio (HighCacheMemory, the
 * "Memory utilisation" panel) divides by when Redis has no maxmemory. The rehearsal runs these too.
 */
export function redisExporterFlags(): string[] {
  return ["--include-system-metrics"];
}

/**
 * oliver006/redis_exporter for the application's Redis.
 *
 * Runs as the image's uid 59000 with a read-only root filesystem, publishes nothing. No healthcheck: the
 * image is built `FROM scratch` and holds only the exporter binary (no shell, no wget), and the binary has
 * no health subcommand. Its liveness is watched by Prometheus instead (`up{job="redis-exporter"}`).
 *
 * @see https://github.com/oliver006/redis_exporter
 */
export class RedisExporter extends Construct {
  public readonly hostname: string;
  public readonly port: number;
  /** e.g. `http://redis-exporter:9121` */
  public readonly url: string;
  public readonly scrapeTarget: ScrapeTarget;
  public readonly redisAddress: string;
  /** Whether `/scrape?target=` is served (see {@link RedisExporterProps.scrapeEndpoint}). */
  public readonly scrapeEndpoint: boolean;
  public readonly service: MonitoringService;

  constructor(scope: Construct, id: string, props: RedisExporterProps) {
    super(scope, id);
    this.port = PORT;
    this.redisAddress = props.redisAddress ?? "redis://redis:6379";
    const addr = this.redisAddress;
    this.scrapeEndpoint = props.scrapeEndpoint ?? false;
    const checks: Check[] = [
      [
        // The exporter prefixes "redis://" to an address without a scheme, so "host:port" is fine too.
        /^((rediss?):\/\/[A-Za-z0-9.-]+:\d{1,5}(\/\d{1,2})?|unix:\/\/\/[A-Za-z0-9_./-]+|[A-Za-z0-9.-]+:\d{1,5})$/.test(addr),
        `exporters.redis.address: "${addr}" is not a Redis address; use "redis://host:port", ` +
          `"rediss://host:port", "unix:///path" or "host:port" (no user or password: that is exporters.redis.password)`,
      ],
      [
        props.password === undefined || props.password !== "",
        `exporters.redis.password: "" is empty; leave it out for a Redis without AUTH, or pass a sensitive variable`,
      ],
    ];
    assertChecks(checks);

    const flags = [
      ...(this.scrapeEndpoint ? [] : ["--disable-scrape-endpoint"]),
      ...redisExporterFlags(),
      ...(props.password !== undefined ? [`--redis.password-file=${REDIS_PASSWORD_FILE}`] : []),
    ];
    this.service = new MonitoringService(this, "service", {
      serviceName: "redis-exporter",
      context: props.context,
      image: props.image ?? IMAGES.redisExporter,
      // /scrape?target=… would log in to any address a caller names with this exporter's password.
      command: flags,
      env: { REDIS_ADDR: addr },
      // The password as a file, not an environment variable that `docker inspect` shows.
      secretFiles: props.password !== undefined ? [{ path: REDIS_PASSWORD_FILE, content: Fn.jsonencode({ [redisPasswordKey(addr)]: props.password }) }] : undefined,
      resources: props.resources ?? { memoryMb: 64, cpus: 0.25 },
      // An uploaded file needs a writable root filesystem (Docker's archive API refuses a read-only one).
      readOnlyRootFilesystem: props.password === undefined,
    });

    this.hostname = this.service.hostname;
    this.url = `http://${this.hostname}:${PORT}`;
    this.scrapeTarget = { job: JOBS.redisExporter, targets: [`${this.hostname}:${PORT}`] };
  }
}
