import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { Testing } from "cdktf";
import { builtBinary } from "../../e2e/built";
import { MonitoringConfig, secret } from "../../stacks/config";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { resources } from "../constructs/helpers";

const README = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
const section = README.slice(README.indexOf("### Wiring into a Compose application"));
const composeText = /```yaml\n(# compose\.yaml[\s\S]*?)```/.exec(section)?.[1] ?? "";
const configText = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";

/** The README's config, as the snippet test compiles it: the same values, checked against the snippet's text. */
const CONFIG: MonitoringConfig = {
  network: { applicationNetwork: "chat_default", databaseNetwork: "chat_monitoring" },
  exporters: { postgres: { uri: "db:5432/chat?sslmode=disable" }, redis: { address: "redis://cache:6379", password: secret("redis_password") } },
};

describe("the README's worked compose file", () => {
  const compose = yaml.load(composeText) as any;

  test("the config shown beside it is the one checked here", () => {
    for (const text of ['applicationNetwork: "chat_default"', 'databaseNetwork: "chat_monitoring"', 'uri: "db:5432/chat?sslmode=disable"', 'address: "redis://cache:6379"']) {
      expect(configText).toContain(text);
    }
  });

  test("it names the networks the stack joins, and the databases are on the database network under the exporters' host names", () => {
    const networkNames = Object.fromEntries(Object.entries(compose.networks).map(([key, n]: [string, any]) => [n.name, key]));
    expect(Object.keys(networkNames).sort()).toEqual(["chat_default", "chat_monitoring"]);
    const dbKey = networkNames.chat_monitoring;
    // A service's name is its DNS name on every network it joins: the exporters' hosts must be services on it.
    const onDatabaseNetwork = Object.entries(compose.services).filter(([, s]: [string, any]) => (s.networks ?? []).includes(dbKey)).map(([n]) => n);
    expect(onDatabaseNetwork.sort()).toEqual(["cache", "db"]);
    // The application's own services stay off it (postgres_exporter's /probe).
    expect(compose.services["chat-server"].networks).not.toContain(dbKey);
  });

  test("the stack built from that config joins exactly those networks and creates none of them", () => {
    const json = JSON.parse(Testing.synth(new MonitoringStack(Testing.app(), "monitoring", CONFIG)));
    const networks = Object.values(json.resource.docker_network).map((n: any) => n.name);
    expect(networks).not.toContain("chat_default");
    expect(networks).not.toContain("chat_monitoring");
    const containers = Object.fromEntries(Object.values(resources(JSON.stringify(json), "docker_container")).map((c: any) => [c.name, c]));
    const joined = (name: string) => containers[name].networks_advanced.map((n: any) => n.name);
    expect(joined("monitoring-postgres-exporter")).toContain("chat_monitoring");
    expect(joined("monitoring-redis-exporter")).toContain("chat_monitoring");
    expect(joined("monitoring-prometheus")).toContain("chat_default");
    expect(containers["monitoring-postgres-exporter"].env).toContain("DATA_SOURCE_URI=db:5432/chat?sslmode=disable");
  });

  test("docker-compose config accepts it (the pinned Compose, where it is built)", () => {
    const compose = builtBinary("docker-compose")?.path ?? (() => {
      try {
        return execFileSync("sh", ["-c", "command -v docker-compose"], { encoding: "utf8" }).trim() || undefined;
      } catch {
        return undefined;
      }
    })();
    if (!compose) {
      // Not built by `npm run e2e -- --build-only` (the engine programs are built on demand): skipped, loudly.
      console.warn("\n*** SKIPPED: no docker-compose binary (build the pinned Compose with the e2e engine programs) ***\n");
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compose-"));
    try {
      fs.writeFileSync(path.join(dir, "compose.yaml"), composeText);
      const out = execFileSync(compose, ["-f", path.join(dir, "compose.yaml"), "config", "--format", "json"], {
        encoding: "utf8",
        env: { ...process.env, DOCKER_HOST: "unix:///nonexistent.sock" },
      });
      const resolved = JSON.parse(out);
      expect(resolved.name).toBe("chat");
      expect(Object.keys(resolved.services.db.networks).sort()).toEqual(["default", "monitoring"]);
      expect(resolved.networks.monitoring.name).toBe("chat_monitoring");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
