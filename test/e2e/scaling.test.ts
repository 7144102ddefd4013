import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { GUIDE_APPLICATION_SERVICES } from "../../alerts/jobs";
import { APP_PROJECT, applicationComposeFile, notificationsWith, parseNotificationLog } from "../../e2e/scaling";
import { findTool, run } from "../tools";

describe("the e2e application as a Compose project", () => {
  const file = applicationComposeFile("e2e/messenger:1", "e2e-app");

  test("one Compose service per guide service, each serving its own port, on the external application network", () => {
    const doc = yaml.load(file) as { name: string; services: Record<string, { command: string[]; networks: string[]; image: string }>; networks: Record<string, unknown> };
    expect(doc.name).toBe(APP_PROJECT);
    expect(Object.keys(doc.services)).toEqual(GUIDE_APPLICATION_SERVICES.map((s) => s.name));
    for (const s of GUIDE_APPLICATION_SERVICES) {
      expect(doc.services[s.name]).toMatchObject({ image: "e2e/messenger:1", command: [String(s.port)], networks: ["app"] });
    }
    expect(doc.networks).toEqual({ app: { name: "e2e-app", external: true } });
  });

  // Compose itself reads the file (no engine needed for `config`): the pinned build from the e2e cache.
  const compose = findTool("docker-compose");
  (compose ? test : test.skip)("docker compose (the pinned build) accepts the file and scales chat-server", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compose-"));
    fs.writeFileSync(path.join(dir, "compose.yaml"), file);
    const r = run(compose!, ["-f", "compose.yaml", "config", "--format", "json"], dir, { ...process.env, DOCKER_HOST: "unix:///nonexistent.sock" });
    expect(r.status).toBe(0);
    const resolved = JSON.parse(r.output) as { services: Record<string, { command: string[]; networks: Record<string, unknown>; mem_limit?: unknown }> };
    expect(resolved.services["chat-server"].command).toEqual(["8080"]);
    expect(Object.keys(resolved.services["chat-server"].networks)).toEqual(["app"]);
  });
});

describe("the webhook receiver's log", () => {
  const line = (status: string, labels: Record<string, string>) => JSON.stringify({ receiver: "e2e-webhook", status, alerts: [{ status, labels }] });
  const log = [
    line("firing", { alertname: "Watchdog" }),
    "not json",
    line("firing", { alertname: "ServiceReplicaDown", service: "chat-server" }),
    line("resolved", { alertname: "ServiceReplicaDown", service: "chat-server" }),
    "",
  ].join("\n");

  test("each notification keeps its line, unreadable lines are skipped", () => {
    expect(parseNotificationLog(log).map((n) => n.line)).toEqual([0, 2, 3]);
  });

  test("a notification is found by labels, status and position", () => {
    const all = parseNotificationLog(log);
    expect(notificationsWith(all, -1, { alertname: "ServiceReplicaDown" }, "firing").map((n) => n.line)).toEqual([2]);
    expect(notificationsWith(all, 2, { alertname: "ServiceReplicaDown" }, "firing")).toEqual([]);
    expect(notificationsWith(all, 2, { alertname: "ServiceReplicaDown", service: "chat-server" }, "resolved").map((n) => n.line)).toEqual([3]);
    expect(notificationsWith(all, -1, { alertname: "ServiceReplicaDown", service: "group-service" }, "firing")).toEqual([]);
  });
});
