import * as net from "node:net";

/** A command in Redis' protocol (RESP): an array of bulk strings. */
export function respCommand(...args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
}

/**
 * The application's use of its cache, simulated: every `intervalMs` one `SET`, one `GET` of that key (a
 * hit) and one `GET` of a key never set (a miss), after `AUTH`. Without it the rehearsal's Redis is
 * idle: its keyspace counters stay at 0 and the hit ratio is 0/0, a panel without data.
 */
export class CacheTraffic {
  private socket?: net.Socket;
  private timer?: NodeJS.Timeout;
  private n = 0;

  constructor(private readonly port: number, private readonly password: string, private readonly intervalMs = 250) {}

  public start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port: this.port }, () => {
        socket.write(respCommand("AUTH", this.password));
        this.timer = setInterval(() => {
          const key = `rehearsal:${this.n++ % 100}`;
          socket.write(respCommand("SET", key, "v") + respCommand("GET", key) + respCommand("GET", `rehearsal:missing:${this.n}`));
        }, this.intervalMs);
        resolve();
      });
      // Replies are not read back: the exporter's counters are what the rehearsal looks at.
      socket.on("data", () => undefined);
      socket.on("error", (e) => (this.timer ? undefined : reject(e)));
      this.socket = socket;
    });
  }

  public stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.socket?.destroy();
  }
}
