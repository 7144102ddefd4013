import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { TerraformVariable } from "cdktf";
import { JOBS } from "../../alerts/jobs";
import { PostgresExporter, PostgresExporterProps } from "../../constructs/postgres-exporter";
import { IMAGES } from "../../constructs/versions";
import { context, synth, theContainer } from "./service-test-support";

const SECRET = "postgresql://monitor:s3cret@postgres:5432/chat?sslmode=disable";

function build(props: Partial<PostgresExporterProps> = {}) {
  return synth((scope) => {
    const dsn = new TerraformVariable(scope, "postgres_dsn", { type: "string", sensitive: true, default: SECRET });
    return new PostgresExporter(scope, "pg", { context, dsn: dsn.stringValue, ...props });
  });
}

describe("PostgresExporter defaults", () => {
  const { out, json, built: pg } = build();

  test("exposes url and scrape target", () => {
    expect(pg.hostname).toBe("postgres-exporter");
    expect(pg.port).toBe(9187);
    expect(pg.url).toBe("http://postgres-exporter:9187");
    expect(pg.scrapeTarget).toEqual({ job: JOBS.postgresExporter, targets: ["postgres-exporter:9187"] });
    expect(pg.statStatements).toBe(true);
  });

  test("container: image user, read-only root, nothing published, stat_statements on", () => {
    expect(out).toHaveResourceWithProperties(Image, {
      name: `${IMAGES.postgresExporter.repository}:${IMAGES.postgresExporter.tag}`,
    });
    expect(out).toHaveResourceWithProperties(Container, {
      name: "monitoring-postgres-exporter",
      command: ["--collector.stat_statements"],
      read_only: true,
      memory: 64,
      cpus: "0.25",
      ports: [],
      healthcheck: expect.objectContaining({ test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9187/"] }),
    });
    expect(theContainer(json).user).toBeUndefined();
    expect(theContainer(json).command).not.toContain("--auto-discover-databases");
  });

  test("the DSN reaches the container as DATA_SOURCE_NAME by reference only", () => {
    expect(theContainer(json).env).toEqual(["DATA_SOURCE_NAME=${var.postgres_dsn}"]);
    const withoutVariables = { ...json, variable: undefined };
    expect(JSON.stringify(withoutVariables)).not.toContain("s3cret");
  });
});

describe("PostgresExporter props", () => {
  test("statStatements: false drops the collector flag", () => {
    const { json, built } = build({ statStatements: false });
    expect(theContainer(json).command).toBeUndefined();
    expect(built.statStatements).toBe(false);
  });

  test("a plain DSN string is accepted too", () => {
    const { json } = synth((scope) => new PostgresExporter(scope, "pg", { context, dsn: "postgresql://postgres:5432/chat" }));
    expect(theContainer(json).env).toEqual(["DATA_SOURCE_NAME=postgresql://postgres:5432/chat"]);
  });

  test("resources and image", () => {
    const { out } = build({
      resources: { memoryMb: 128, cpus: 0.5 },
      image: { repository: "prometheuscommunity/postgres-exporter", tag: "v0.18.1" },
    });
    expect(out).toHaveResourceWithProperties(Container, { memory: 128, cpus: "0.5" });
    expect(out).toHaveResourceWithProperties(Image, { name: "prometheuscommunity/postgres-exporter:v0.18.1" });
  });
});

describe("PostgresExporter validation", () => {
  test("empty dsn", () => {
    expect(() => synth((scope) => new PostgresExporter(scope, "pg", { context, dsn: " " }))).toThrow(
      /postgresExporter\.dsn: " " is empty/,
    );
  });

  test("moving image tag", () => {
    expect(() => build({ image: { repository: "prometheuscommunity/postgres-exporter", tag: "latest" } })).toThrow(
      /postgres-exporter\.image\.tag: "latest" is a moving tag/,
    );
  });
});
