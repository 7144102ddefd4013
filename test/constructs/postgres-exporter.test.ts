import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { TerraformVariable } from "cdktf";
import { JOBS } from "../../alerts/jobs";
import { PostgresExporter, PostgresExporterProps } from "../../constructs/postgres-exporter";
import { IMAGES } from "../../constructs/versions";
import { context, synth, theContainer } from "./service-test-support";

const SECRET = "s3cret";

function build(props: Partial<PostgresExporterProps> = {}) {
  return synth((scope) => {
    const password = new TerraformVariable(scope, "postgres_password", { type: "string", sensitive: true, default: SECRET });
    return new PostgresExporter(scope, "pg", { context, password: password.stringValue, ...props });
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

  test("container: image user, writable root (the password file is an upload), nothing published, stat_statements on", () => {
    expect(out).toHaveResourceWithProperties(Image, {
      name: `${IMAGES.postgresExporter.repository}:${IMAGES.postgresExporter.tag}`,
    });
    expect(out).toHaveResourceWithProperties(Container, {
      name: "monitoring-postgres-exporter",
      command: ["--collector.stat_statements"],
      read_only: false,
      memory: 64,
      cpus: "0.25",
      ports: [],
      healthcheck: expect.objectContaining({ test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9187/"] }),
    });
    expect(theContainer(json).user).toBeUndefined();
    expect(theContainer(json).command).not.toContain("--auto-discover-databases");
  });

  test("the password is an uploaded file, by reference only; the environment holds no secret", () => {
    const c = theContainer(json);
    expect(c.env.sort()).toEqual([
      "DATA_SOURCE_PASS_FILE=/etc/postgres_exporter/password",
      "DATA_SOURCE_URI=postgres:5432/postgres?sslmode=disable",
      "DATA_SOURCE_USER=postgres_exporter",
    ]);
    expect(c.upload).toEqual([{ file: "/etc/postgres_exporter/password", content: "${var.postgres_password}", permissions: "0444" }]);
    const withoutVariables = { ...json, variable: undefined };
    expect(JSON.stringify(withoutVariables)).not.toContain(SECRET);
  });
});

describe("PostgresExporter props", () => {
  test("statStatements: false drops the collector flag", () => {
    const { json, built } = build({ statStatements: false });
    expect(theContainer(json).command).toBeUndefined();
    expect(built.statStatements).toBe(false);
  });

  test("uri and user", () => {
    const { json } = build({ uri: "db.internal:6432/messenger?sslmode=require", user: "monitor" });
    expect(theContainer(json).env).toContain("DATA_SOURCE_URI=db.internal:6432/messenger?sslmode=require");
    expect(theContainer(json).env).toContain("DATA_SOURCE_USER=monitor");
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
  test("empty password", () => {
    expect(() => synth((scope) => new PostgresExporter(scope, "pg", { context, password: " " }))).toThrow(
      'exporters.postgres.password: " " is empty; pass a sensitive Terraform variable\'s value',
    );
  });

  test.each<[Partial<PostgresExporterProps>, string]>([
    [{ uri: "postgresql://u:p@db:5432/x" }, 'exporters.postgres.uri: "postgresql://u:***@db:5432/x" is not host[:port]/database[?options] (no scheme, user or password)'],
    [{ uri: "db:5432" }, 'exporters.postgres.uri: "db:5432" is not host[:port]/database[?options]'],
    [{ uri: "db:5432/x?a=${file(\"/etc/passwd\")}" }, "exporters.postgres.uri: "],
    [{ user: "x y" }, 'exporters.postgres.user: "x y" is not a PostgreSQL user name'],
  ])("%j is refused", (props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test("moving image tag", () => {
    expect(() => build({ image: { repository: "prometheuscommunity/postgres-exporter", tag: "latest" } })).toThrow(
      /postgres-exporter\.image\.tag: "latest" is a moving tag/,
    );
  });
});
