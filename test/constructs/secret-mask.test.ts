import * as fs from "node:fs";
import * as path from "node:path";
import { hasUserInfoSecret, maskSecrets } from "../../constructs/secret-mask";

describe("maskSecrets", () => {
  test.each([
    ["redis://:S3cretPass@cache:6379", "redis://:***@cache:6379"],
    ["https://admin:S3cretPass@grafana.example.com/", "https://admin:***@grafana.example.com/"],
    ["ssh://deploy:S3cretPass@docker-01", "ssh://deploy:***@docker-01"],
    ["https://ghp_0123456789abcdefghij@github.com/x", "https://***@github.com/x"],
    ['exporters.postgres.uri: "chat:S3cretPass@db:5432/chat" is not', 'exporters.postgres.uri: "chat:***@db:5432/chat" is not'],
    ["db:5432/chat?sslmode=disable&password=S3cretPass", "db:5432/chat?sslmode=disable&password=***"],
    ['["app:S3cretPass@chat:8080"]', '["app:***@chat:8080"]'],
  ])("%s → %s", (input, masked) => {
    expect(maskSecrets(input)).toBe(masked);
    expect(hasUserInfoSecret(input)).toBe(true);
  });

  test.each([
    "ssh://deploy@docker-01",
    "redis://cache:6379",
    "ops@example.com",
    "host port 9090 is published by both grafana (container port 3000) and prometheus",
    "postgres:5432/postgres?sslmode=disable",
    'bindAddress: "192.168.1.10" is not an IPv4 address; use "127.0.0.1"',
  ])("leaves %s alone", (text) => {
    expect(maskSecrets(text)).toBe(text);
    expect(hasUserInfoSecret(text)).toBe(false);
  });

  test("masking twice changes nothing more", () => {
    const once = maskSecrets("redis://:S3cretPass@cache:6379 and u:p@db:5432/x");
    expect(maskSecrets(once)).toBe(once);
  });
});

describe("every synth warning and note goes through the masking helpers", () => {
  test("no source file but constructs/secret-mask.ts calls Annotations' addWarning/addInfo/addError", () => {
    const root = path.join(__dirname, "..", "..");
    const offenders: string[] = [];
    for (const dir of ["stacks", "constructs", "alerts", "dashboards"]) {
      for (const file of fs.readdirSync(path.join(root, dir), { recursive: true }) as string[]) {
        if (!file.endsWith(".ts") || path.join(dir, file) === path.join("constructs", "secret-mask.ts")) continue;
        const text = fs.readFileSync(path.join(root, dir, file), "utf8");
        if (/\.add(Warning|Info|Error)\(/.test(text)) offenders.push(path.join(dir, file));
      }
    }
    expect(offenders).toEqual([]);
  });
});
