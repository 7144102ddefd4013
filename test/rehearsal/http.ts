import * as http from "node:http";

/** A small HTTP response: status and body text. */
export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

/** Options of {@link request}. */
export interface RequestOptions {
  /** @default "GET" */
  readonly method?: string;
  /** Sent as JSON (`content-type: application/json`) unless a string. */
  readonly body?: unknown;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

/** Addresses besides 127.0.0.1 that requests may reach: only those of namespaces the rig itself made. */
const rigAddresses = new Set<string>();

/**
 * Lets requests reach `address`, an address of a network namespace this run created (the swarm lab's
 * nodes, e2e/swarm-lab.ts). Returns a function that takes the allowance back.
 */
export function allowRigAddress(address: string): () => void {
  rigAddresses.add(address);
  return () => rigAddresses.delete(address);
}

/**
 * One HTTP request with a deadline. Only loopback URLs are allowed (and the addresses of the rig's own
 * namespaces, {@link allowRigAddress}): the rehearsal must never reach another address.
 */
export function request(url: string, options: RequestOptions = {}): Promise<HttpResult> {
  const u = new URL(url);
  if (u.hostname !== "127.0.0.1" && !rigAddresses.has(u.hostname)) {
    return Promise.reject(new Error(`refusing non-loopback URL ${url}: the rehearsal only talks to 127.0.0.1 and the rig's own namespaces`));
  }
  const payload =
    options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      u,
      {
        method: options.method ?? "GET",
        timeout: options.timeoutMs ?? 5000,
        headers: payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout after ${options.timeoutMs ?? 5000} ms: ${options.method ?? "GET"} ${url}`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** GETs `url` and parses JSON; throws on a non-2xx status. */
export async function getJson<T = unknown>(url: string, timeoutMs = 5000): Promise<T> {
  const r = await request(url, { timeoutMs });
  if (r.status < 200 || r.status >= 300) {
    throw new Error(`GET ${url}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
  }
  return JSON.parse(r.body) as T;
}

/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** @default 250 */
  readonly intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than `undefined`/`false`, or throws after the deadline
 * with `what` and the last error or value seen. Polling with a deadline (never a fixed sleep) keeps the
 * rehearsal fast on an idle machine and patient on a loaded one.
 */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last = "no attempt finished";
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) {
        return v;
      }
      last = `last result: ${String(v)}`;
    } catch (e) {
      if (e instanceof StopWaiting) {
        throw e;
      }
      last = `last error: ${(e as Error).message}`;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${(options.timeoutMs / 1000).toFixed(0)} s waiting for ${what} (${last})`);
    }
    await sleep(Math.min(options.intervalMs ?? 250, Math.max(0, deadline - Date.now())));
  }
}

/** Thrown by a {@link waitUntil} probe to give up at once (e.g. the program being waited for exited). */
export class StopWaiting extends Error {}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
