import { Token } from "cdktf";
import { Construct } from "constructs";
import { JOBS } from "../alerts/jobs";
import { MonitoringService, ResourceLimits, ScrapeTarget, ServiceContext, assertChecks, Check } from "./service";
import { IMAGES, ImageRef } from "./versions";

/** The exporter's fixed listen port (`--web.listen-address` default). */
const PORT = 9121;

/** Props of {@link RedisExporter}. */
export interface RedisExporterProps {
  readonly context: ServiceContext;
  /**
   * Redis address as the exporter sees it (`REDIS_ADDR`): `redis://host:port`, `rediss://` for TLS, or
   * plain `host:port`.
   * A Terraform token is accepted too.
   * @default "redis://redis:6379" (the guide's `redis:6379` on the application's network)
   */
  readonly redisAddress?: string;
  /**
   * Redis password (`REDIS_PASSWORD`). Pass a Terraform token, normally a sensitive variable's
   * `.stringValue`, so that only a reference reaches `cdktf.out`. Anyone allowed to `docker inspect` the
   * container can read it.
   * @default none: Redis without AUTH
   */
  readonly password?: string;
  /** @default IMAGES.redisExporter */
  readonly image?: ImageRef;
  /** @default 64 MiB, 0.25 CPU */
  readonly resources?: ResourceLimits;
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
  public readonly service: MonitoringService;

  constructor(scope: Construct, id: string, props: RedisExporterProps) {
    super(scope, id);
    this.port = PORT;
    this.redisAddress = props.redisAddress ?? "redis://redis:6379";
    const addr = this.redisAddress;
    const checks: Check[] = [
      [
        // The exporter prefixes "redis://" to an address without a scheme, so "host:port" is fine too.
        Token.isUnresolved(addr) || /^((rediss?|unix):\/\/\S+|[A-Za-z0-9.-]+:\d{1,5})$/.test(addr),
        `redisExporter.redisAddress: "${addr}" is not a Redis address; use "redis://host:port", ` +
          `"rediss://host:port", "unix:///path" or "host:port"`,
      ],
      [
        props.password === undefined || props.password !== "",
        `redisExporter.password: "" is empty; leave it out for a Redis without AUTH, or pass a sensitive variable`,
      ],
    ];
    assertChecks(checks);

    this.service = new MonitoringService(this, "service", {
      serviceName: "redis-exporter",
      context: props.context,
      image: props.image ?? IMAGES.redisExporter,
      // /scrape?target=… would log in to any address a caller names with this exporter's password.
      command: ["--disable-scrape-endpoint"],
      env: {
        REDIS_ADDR: addr,
        ...(props.password !== undefined ? { REDIS_PASSWORD: props.password } : {}),
      },
      resources: props.resources ?? { memoryMb: 64, cpus: 0.25 },
      readOnlyRootFilesystem: true,
    });

    this.hostname = this.service.hostname;
    this.url = `http://${this.hostname}:${PORT}`;
    this.scrapeTarget = { job: JOBS.redisExporter, targets: [`${this.hostname}:${PORT}`] };
  }
}
