import * as net from "node:net";

/** The only address the rehearsal binds to or connects to. */
export const LOOPBACK = "127.0.0.1";

/** Binds `host:0` and resolves with the server, so the kernel's choice stays reserved until closed. */
function listenOnAnyPort(host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => resolve(server));
  });
}

/**
 * `count` distinct free TCP ports on loopback, chosen by the kernel (bind to port 0), so two rehearsals
 * on one machine get different ports. All are held open until every one is chosen, then released for
 * the programs to bind; the short window between release and the program's bind is covered by the
 * process manager, which reports a program that exits at start-up with its log.
 */
export async function freePorts(count: number, host = LOOPBACK): Promise<number[]> {
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`freePorts: count ${count} must be a whole number >= 0`);
  }
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      servers.push(await listenOnAnyPort(host));
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/** Resolves true when something accepts TCP connections on `host:port` within `timeoutMs`. */
export function isListening(port: number, host = LOOPBACK, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** `127.0.0.1:<port>`. */
export function loopback(port: number): string {
  return `${LOOPBACK}:${port}`;
}
