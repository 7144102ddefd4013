import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import { Testing } from "cdktf";
import * as yaml from "js-yaml";
import { Duration } from "../../alerts/duration";
import { MonitoringStack } from "../../stacks/monitoring-stack";
import { median } from "../bench/alert-latency";
import { CacheTraffic, respCommand } from "./cache-traffic";
import { INJECTED_ALERTS, RECEIVERS, SHORT_INTERVALS, mapScrapeTargets, rehearsalConfig, symptomTwins, writeRehearsalFiles, ERROR_RATIO_WARNING_TWIN } from "./config";
import { allowRigAddress, request, StopWaiting, waitUntil } from "./http";
import { applyControl, HEALTHY, startMessenger } from "./messenger";
import { freePorts, isListening } from "./ports";
import { commandLine, ProcessManager, userIds } from "./processes";
import { missingPrograms, missingProgramsMessage, PROGRAMS } from "./programs";
import { findAlert, parseNotification, WebhookRecorder } from "./webhook";
import { allTargetsUp, AlertmanagerApi, PrometheusApi } from "./apis";
import { describeFaultTimeline, faultTimeline, formatTimeline } from "./stages";

describe("ports", () => {
  test("freePorts returns distinct loopback ports that can be bound", async () => {
    // WHEN
    const ports = await freePorts(5);
    // THEN
    expect(new Set(ports).size).toBe(5);
    for (const p of ports) {
      expect(p).toBeGreaterThan(1023);
      expect(await isListening(p)).toBe(false);
    }
    const server = net.createServer().listen(ports[0], "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    expect(await isListening(ports[0])).toBe(true);
    server.close();
  });

  test("freePorts rejects a bad count", async () => {
    await expect(freePorts(-1)).rejects.toThrow(/count -1 must be a whole number/);
  });
});

describe("mapScrapeTargets", () => {
  const targets = [
    { job: "prometheus", targets: ["localhost:9090"] },
    { job: "performance-metrics", targets: ["chat-server:8080"], scrapeInterval: Duration.parse("1s") },
    { job: "loki", targets: ["loki:3100"] },
  ];

  test("replaces container addresses by loopback ones and keeps everything else", () => {
    // WHEN
    const m = mapScrapeTargets(targets, { prometheus: "127.0.0.1:4000", "performance-metrics": ["127.0.0.1:4001"] });
    // THEN
    expect(m.kept).toEqual([
      { job: "prometheus", targets: ["127.0.0.1:4000"] },
      { job: "performance-metrics", targets: ["127.0.0.1:4001"], scrapeInterval: Duration.parse("1s") },
    ]);
    expect(m.dropped).toEqual(["loki"]);
  });

  test("refuses a different number of addresses than targets", () => {
    expect(() => mapScrapeTargets(targets, { prometheus: ["127.0.0.1:1", "127.0.0.1:2"] })).toThrow(
      /job "prometheus" has 1 targets \(localhost:9090\) but 2 local addresses were given/,
    );
  });

  test("refuses any address that is not loopback", () => {
    expect(() => mapScrapeTargets(targets, { prometheus: "10.0.0.1:9090" })).toThrow(/"10.0.0.1:9090" is not a loopback address/);
  });
});

describe("rehearsal config and files", () => {
  const stack = new MonitoringStack(
    Testing.app(),
    "monitoring",
    rehearsalConfig({ intervals: SHORT_INTERVALS, webhookUrl: (r) => `http://127.0.0.1:5000/${r}` }),
  );

  test("the stack gets short intervals, loopback webhooks and short `for` on the injected alerts", () => {
    const am = yaml.load(stack.alertmanager.config) as { route: { group_wait: string }; receivers: Array<{ name: string; webhook_configs: Array<{ url: string }> }> };
    expect(am.route.group_wait).toBe("2s");
    expect(am.receivers.map((r) => r.webhook_configs[0].url)).toEqual(Object.values(RECEIVERS).map((r) => `http://127.0.0.1:5000/${r}`));
    const alerts = stack.ruleGroups.flatMap((g) => g.rules).filter((r) => "name" in r) as Array<{ name: string; for: Duration }>;
    for (const name of Object.values(INJECTED_ALERTS)) {
      expect(alerts.find((a) => a.name === name)?.for.toString()).toBe("5s");
    }
  });

  test("writes prometheus.yml with only loopback targets, the local Alertmanager and local rule files", () => {
    // GIVEN
    const dir = fs.mkdtempSync("/tmp/rehearsal-test-");
    // WHEN
    const files = writeRehearsalFiles(stack, dir, {
      prometheus: "127.0.0.1:4000",
      alertmanager: "127.0.0.1:4001",
      "performance-metrics": "127.0.0.1:4002",
    });
    // THEN
    const prom = yaml.load(fs.readFileSync(files.prometheusConfig, "utf8")) as {
      rule_files: string[];
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
      scrape_configs: Array<{ job_name: string; scrape_interval?: string; static_configs: Array<{ targets: string[] }> }>;
      global: { scrape_interval: string; evaluation_interval: string };
    };
    expect(prom.global).toMatchObject({ scrape_interval: "2s", evaluation_interval: "1s" });
    expect(prom.rule_files).toEqual([`${dir}/rules/*.yml`]);
    expect(prom.alerting.alertmanagers[0].static_configs[0].targets).toEqual(["127.0.0.1:4001"]);
    expect(prom.scrape_configs.map((s) => [s.job_name, s.static_configs[0].targets])).toEqual([
      ["prometheus", ["127.0.0.1:4000"]],
      ["performance-metrics", ["127.0.0.1:4002"]],
      ["alertmanager", ["127.0.0.1:4001"]],
    ]);
    expect(files.mapped.dropped).toEqual(expect.arrayContaining(["loki", "grafana"]));
    expect(files.ruleFiles.length).toBe(stack.ruleGroups.length);
    expect(fs.readFileSync(files.alertmanagerConfig, "utf8")).toBe(stack.alertmanager.config);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the error ratio alert has a warning twin by symptom, whose `for` outlasts the critical's", () => {
    const twin = symptomTwins(stack).find((t) => t.critical === INJECTED_ALERTS.errorRatio);
    expect(twin?.warning).toBe(ERROR_RATIO_WARNING_TWIN);
    const rules = stack.ruleGroups.flatMap((g) => g.rules) as Array<{ name?: string; for?: Duration }>;
    expect(rules.find((r) => r.name === ERROR_RATIO_WARNING_TWIN)?.for?.toString()).toBe("20s");
  });

  test("symptomTwins pairs critical and warning alerts by the symptom label", () => {
    const rule = (name: string, severity: string, symptom?: string) => ({ name, severity, expr: "vector(1)", labels: symptom ? { symptom } : undefined });
    const groups = [{ name: "g", rules: [rule("Hi", "critical", "s"), rule("Lo", "warning", "s"), rule("Alone", "warning", "t"), rule("X", "warning")] }] as never;
    expect(symptomTwins({ ruleGroups: groups })).toEqual([{ symptom: "s", critical: "Hi", warning: "Lo" }]);
  });
});

describe("webhook recorder", () => {
  const body = (status: string, alertname: string, severity: string) =>
    JSON.stringify({ version: "4", receiver: "critical", status, alerts: [{ status, labels: { alertname, severity }, annotations: {} }] });

  test("parseNotification takes the receiver from the path and keeps labels and status", () => {
    const n = parseNotification("/critical", body("firing", "HighErrorRate", "critical"), 42);
    expect(n).toMatchObject({ path: "critical", receiver: "critical", status: "firing", receivedAt: 42 });
    expect(n.alerts[0].labels).toEqual({ alertname: "HighErrorRate", severity: "critical" });
  });

  test("parseNotification rejects a body that is not an Alertmanager payload", () => {
    expect(() => parseNotification("/x", "{}")).toThrow(/receiver, status and alerts are required/);
  });

  test("findAlert matches every given field", () => {
    const ns = [parseNotification("/warning", body("firing", "TargetDown", "warning"), 10), parseNotification("/critical", body("resolved", "HighErrorRate", "critical"), 20)];
    expect(findAlert(ns, { alertname: "HighErrorRate", status: "resolved" })?.notification.path).toBe("critical");
    expect(findAlert(ns, { alertname: "HighErrorRate", status: "firing" })).toBeUndefined();
    expect(findAlert(ns, { alertname: "TargetDown", path: "critical" })).toBeUndefined();
    expect(findAlert(ns, { alertname: "TargetDown", since: 11 })).toBeUndefined();
    expect(findAlert(ns, { alertname: "TargetDown", severity: "warning", labels: { alertname: "TargetDown" } })).toBeDefined();
  });

  test("records notifications POSTed to it and rejects other bodies", async () => {
    // GIVEN
    const w = new WebhookRecorder();
    await w.start();
    try {
      // WHEN
      const ok = await request(w.url("warning"), { method: "POST", body: body("firing", "TargetDown", "warning") });
      const bad = await request(w.url("warning"), { method: "POST", body: "{}" });
      // THEN
      expect([ok.status, bad.status]).toEqual([200, 400]);
      const found = await w.waitFor({ alertname: "TargetDown", path: "warning" }, 2000);
      expect(found.alert.status).toBe("firing");
      expect(w.rejected).toHaveLength(1);
      await expect(w.waitFor({ alertname: "Nope" }, 300)).rejects.toThrow(/received so far: warning\[TargetDown\/warning\/firing\]/);
    } finally {
      await w.close();
    }
  });
});

describe("synthetic messenger", () => {
  test("applyControl validates each field", () => {
    expect(applyControl(HEALTHY, { errorRatio: 0.5 })).toEqual({ ...HEALTHY, errorRatio: 0.5 });
    expect(() => applyControl(HEALTHY, { errorRatio: 2 })).toThrow(/errorRatio: 2 must be a ratio between 0 and 1/);
    expect(() => applyControl(HEALTHY, { connections: -1 })).toThrow(/connections: -1 must be a finite number >= 0/);
    expect(() => applyControl(HEALTHY, { speed: 1 })).toThrow(/unknown field "speed"/);
    expect(applyControl(HEALTHY, { available: false })).toEqual({ ...HEALTHY, available: false });
    expect(() => applyControl(HEALTHY, { available: 0 })).toThrow("control.available: 0 must be true or false");
    expect(() => applyControl(HEALTHY, [])).toThrow(/must be a JSON object/);
  });

  test("exposes the guide's metrics and obeys POST /control", async () => {
    const m = await startMessenger({ port: 0, requestsPerSecond: 200 });
    try {
      const control = await request(`${m.url}/control`, { method: "POST", body: { errorRatio: 0.25, connections: 7 } });
      expect(JSON.parse(control.body)).toMatchObject({ errorRatio: 0.25, connections: 7 });
      expect((await request(`${m.url}/control`, { method: "POST", body: { errorRatio: "x" } })).status).toBe(400);
      await new Promise((r) => setTimeout(r, 200));
      const metrics = (await request(`${m.url}/metrics`)).body;
      expect(metrics).toMatch(/^messenger_websocket_connections 7$/m);
      expect(metrics).toMatch(/messenger_message_delivery_latency_seconds_bucket\{le="0.02"\}/);
      const count = (status: string) => Number(new RegExp(`messenger_http_requests_total\\{[^}]*status="${status}"[^}]*\\} (\\d+)`).exec(metrics)?.[1]);
      const errors = count("500");
      expect(errors).toBeGreaterThan(0);
      // Errors are spread evenly: 25% of the requests made since the change, within one request.
      expect(errors / (count("200") + errors)).toBeLessThan(0.25);
    } finally {
      await m.close();
    }
  });
});

describe("process manager", () => {
  test("commandLine drops to another user through runuser only as root", () => {
    const spec = { name: "pg", command: "/bin/postgres", args: ["-D", "x"], runAs: "postgres" };
    expect(commandLine(spec, 0)).toEqual({ command: "runuser", args: ["-u", "postgres", "--", "/bin/postgres", "-D", "x"] });
    expect(commandLine(spec, 1000)).toEqual({ command: "/bin/postgres", args: ["-D", "x"] });
  });

  test("userIds reads /etc/passwd and names a missing user", () => {
    const passwd = "root:x:0:0::/root:/bin/sh\npostgres:x:101:104::/var/lib/postgresql:/bin/sh\n";
    expect(userIds("postgres", passwd)).toEqual({ uid: 101, gid: 104 });
    expect(() => userIds("nobody-here", passwd)).toThrow(/user "nobody-here" does not exist/);
  });

  test("stops a program and the children it forked (process group), and reports an early exit with its log", async () => {
    const pm = new ProcessManager("rehearsal-test-");
    try {
      const p = pm.start({ name: "tree", command: "/bin/sh", args: ["-c", "sleep 60 & echo started; wait"] });
      await waitUntil("log line", async () => fs.readFileSync(p.logFile, "utf8").includes("started"), { timeoutMs: 5000 });
      await pm.stop("tree", 5000);
      expect(p.exit?.signal).toBe("SIGTERM");
      expect(pm.running()).toEqual([]);

      pm.start({ name: "dies", command: "/bin/sh", args: ["-c", "echo bad flag >&2; exit 3"] });
      await expect(pm.waitReady("dies", "ready", async () => false, 5000)).rejects.toThrow(/dies exited \(code 3[\s\S]*bad flag/);
    } finally {
      await pm.stopAll();
      pm.removeWorkDir();
    }
  });
});

describe("helpers", () => {
  test("waitUntil returns the first truthy value, and gives up on StopWaiting or the deadline", async () => {
    let n = 0;
    expect(await waitUntil("n", async () => (++n >= 3 ? n : false), { timeoutMs: 2000, intervalMs: 1 })).toBe(3);
    await expect(waitUntil("never", async () => false, { timeoutMs: 50, intervalMs: 10 })).rejects.toThrow(/timed out after 0 s waiting for never/);
    await expect(waitUntil("stop", async () => { throw new StopWaiting("gone"); }, { timeoutMs: 5000 })).rejects.toThrow("gone");
  });

  test("request refuses anything but loopback", async () => {
    await expect(request("http://10.1.2.3:80/")).rejects.toThrow(/refusing non-loopback URL/);
  });

  test("an address of the rig's own namespaces is allowed only while its allowance lasts", async () => {
    const revoke = allowRigAddress("127.0.0.2");
    // Allowed (a loopback address other than 127.0.0.1, so nothing leaves the machine): the request is made and
    // refused by the closed port, not by the guard.
    await expect(request("http://127.0.0.2:9/", { timeoutMs: 300 })).rejects.not.toThrow(/refusing non-loopback URL/);
    await expect(request("http://127.0.0.3:9/")).rejects.toThrow(/refusing non-loopback URL/);
    revoke();
    await expect(request("http://127.0.0.2:9/")).rejects.toThrow(/refusing non-loopback URL/);
  });

  test("missing programs are named with their Debian packages", () => {
    const missing = missingPrograms(["prometheus", "amtool", "postgres"], (p) => p === PROGRAMS.prometheus.path);
    expect(missing).toEqual(["amtool", "postgres"]);
    const msg = missingProgramsMessage(missing, true);
    expect(msg).toMatch(/CI=true: a missing program is a failure/);
    expect(msg).toMatch(/apt-get install -y postgresql-15 prometheus-alertmanager$/m);
  });

  test("median", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(() => median([])).toThrow(/empty/);
  });
});

describe("Alertmanager API", () => {
  test("postAlerts never sends a startsAt after endsAt (an alert expired 'now' is not refused with 400)", async () => {
    // GIVEN an Alertmanager stand-in that records the posted alerts
    const posted: Array<{ startsAt: string; endsAt: string }> = [];
    const server = http.createServer((req, res) => {
      let data = "";
      req.on("data", (c: Buffer) => (data += c.toString()));
      req.on("end", () => {
        posted.push(...(JSON.parse(data) as Array<{ startsAt: string; endsAt: string }>));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const am = new AlertmanagerApi(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    try {
      // WHEN one alert is expired at a time already past, and one posted to end in ten minutes
      const past = new Date(Date.now() - 1000);
      await am.postAlerts([{ labels: { alertname: "Probe" } }], past);
      const before = Date.now();
      await am.postAlerts([{ labels: { alertname: "Probe" } }], new Date(before + 600_000));
      // THEN the expired one starts when it ends, and the live one starts now
      expect(posted[0]).toEqual({ labels: { alertname: "Probe" }, startsAt: past.toISOString(), endsAt: past.toISOString() });
      expect(Date.parse(posted[1].startsAt)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(posted[1].startsAt)).toBeLessThan(Date.parse(posted[1].endsAt));
    } finally {
      server.close();
    }
  });
});

describe("fault diagnostics", () => {
  const target = (scrapePool: string, health: "up" | "down" | "unknown") => ({ scrapePool, health, labels: {}, lastError: "", scrapeUrl: `http://127.0.0.1:9090/metrics` });

  test("allTargetsUp needs every job listed: an empty target list (Prometheus just started) is not all up", () => {
    expect(allTargetsUp([], ["prometheus"])).toBe(false);
    expect(allTargetsUp([], [])).toBe(false);
    expect(allTargetsUp([target("prometheus", "up")], ["prometheus", "alertmanager"])).toBe(false);
    expect(allTargetsUp([target("prometheus", "up"), target("alertmanager", "unknown")], ["prometheus", "alertmanager"])).toBe(false);
    expect(allTargetsUp([target("prometheus", "up"), target("alertmanager", "up")], ["prometheus", "alertmanager"])).toBe(true);
  });

  test("formatTimeline prints each stage cumulatively after the fault, ? for an unknown one", () => {
    const t0 = 1_000_000;
    expect(
      formatTimeline({ injectedAt: t0, firstScrapeAt: t0 + 600, pendingAt: t0 + 700, firingAt: t0 + 5700, alertmanagerAt: t0 + 5720, notifiedAt: t0 + 7700 }),
    ).toBe("scraped +0.6 s, pending +0.7 s, firing +5.7 s, at Alertmanager +5.7 s, notified +7.7 s");
    expect(formatTimeline({ injectedAt: t0, notifiedAt: t0 + 9000 })).toBe("scraped ?, pending ?, firing ?, at Alertmanager ?, notified +9.0 s");
  });

  test("faultTimeline reads the first scrape after the fault, activeAt, startsAt and updatedAt from the APIs", async () => {
    const t0 = Date.parse("2026-01-01T00:00:10.000Z");
    const iso = (ms: number) => new Date(t0 + ms).toISOString();
    const labels = { alertname: "LowWebSocketAvailability", severity: "critical" };
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      seen.push(`${url.pathname} ${url.searchParams.get("query") ?? url.searchParams.get("filter") ?? ""}`);
      const body =
        url.pathname === "/api/v1/query"
          ? { data: { result: [{ metric: { job: "performance-metrics" }, values: [[(t0 - 400) / 1000, "1"], [(t0 + 600) / 1000, "1"], [(t0 + 1600) / 1000, "1"]] }] } }
          : url.pathname === "/api/v1/alerts"
            ? { data: { alerts: [{ labels: { alertname: "Watchdog" }, state: "firing", activeAt: iso(-60_000) }, { labels: { ...labels, job: "x" }, state: "firing", activeAt: iso(700) }] } }
            : [{ fingerprint: "f", labels: { ...labels, job: "x" }, startsAt: iso(5700), updatedAt: iso(5720), status: { state: "active", inhibitedBy: [], silencedBy: [] }, receivers: [] }];
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    try {
      const t = await faultTimeline(new PrometheusApi(base), new AlertmanagerApi(base), { labels, job: "performance-metrics", injectedAt: t0, notifiedAt: t0 + 7700 });
      expect(t).toEqual({ injectedAt: t0, firstScrapeAt: t0 + 600, pendingAt: t0 + 700, firingAt: t0 + 5700, alertmanagerAt: t0 + 5720, notifiedAt: t0 + 7700 });
      expect(seen.find((s) => s.startsWith("/api/v1/query"))).toMatch(/^\/api\/v1\/query up\{job="performance-metrics"\}\[\d+s\]$/);
      expect(seen).toContain('/api/v2/alerts alertname="LowWebSocketAvailability"');
      // A diagnostic never fails the assertion it decorates.
      expect(await describeFaultTimeline(new PrometheusApi("http://127.0.0.1:1"), new AlertmanagerApi(base), { labels, job: "j", injectedAt: t0, notifiedAt: t0 })).toMatch(
        /^stages unavailable \(/,
      );
    } finally {
      server.close();
    }
  });
});

describe("CacheTraffic: the simulated application's cache use", () => {
  test("authenticates first, then sends SET, GET of that key (a hit) and GET of an unset key (a miss)", async () => {
    expect(respCommand("GET", "k")).toBe("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    let received = "";
    const server = net.createServer((s) => s.on("data", (c) => (received += c.toString())));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const traffic = new CacheTraffic(port, "secret", 20);
    try {
      await traffic.start();
      await waitUntil("three rounds", async () => (received.match(/GET/g) ?? []).length >= 6, { timeoutMs: 5000, intervalMs: 10 });
    } finally {
      traffic.stop();
      server.close();
    }
    expect(received.startsWith(respCommand("AUTH", "secret"))).toBe(true);
    expect(received).toContain(respCommand("SET", "rehearsal:0", "v") + respCommand("GET", "rehearsal:0") + respCommand("GET", "rehearsal:missing:1"));
  });
});
