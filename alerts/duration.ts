/**
 * A Prometheus duration (`5s`, `15m`, `1h`, `7d`), validated when it is created.
 *
 * Prometheus, Alertmanager and Loki all accept this form; keeping durations typed means a
 * typo such as `5mins` fails at synth time instead of when the service loads its config.
 *
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#duration
 */
export class Duration {
  private static readonly UNITS: ReadonlyArray<readonly [string, number]> = [
    ["y", 365 * 24 * 3600 * 1000],
    ["w", 7 * 24 * 3600 * 1000],
    ["d", 24 * 3600 * 1000],
    ["h", 3600 * 1000],
    ["m", 60 * 1000],
    ["s", 1000],
    ["ms", 1],
  ];

  /** Accepts one or more `<number><unit>` parts, largest unit first: `1h30m`, `90s`, `500ms`. */
  public static parse(text: string, field = "duration"): Duration {
    const match = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/.exec(text);
    if (text === "" || !match) {
      throw new Error(
        `${field}: "${text}" is not a valid duration; use a number followed by a unit (ms, s, m, h, d, w, y), e.g. "30s", "5m" or "1h30m"`,
      );
    }
    const parts = [match[2], match[4], match[6], match[8], match[10], match[12], match[14]];
    const ms = parts.reduce((sum, part, i) => sum + (part ? Number(part) * Duration.UNITS[i][1] : 0), 0);
    return Duration.millis(ms, field);
  }

  public static millis(ms: number, field = "duration"): Duration {
    if (!Number.isInteger(ms) || ms < 0) {
      throw new Error(`${field}: ${ms} ms is not a valid duration; use a whole, non-negative number of milliseconds`);
    }
    return new Duration(ms);
  }

  public static seconds(s: number): Duration {
    return Duration.millis(Math.round(s * 1000));
  }

  public static minutes(m: number): Duration {
    return Duration.millis(m * 60 * 1000);
  }

  public static hours(h: number): Duration {
    return Duration.millis(h * 3600 * 1000);
  }

  public static days(d: number): Duration {
    return Duration.millis(d * 24 * 3600 * 1000);
  }

  private constructor(public readonly milliseconds: number) {}

  public get seconds(): number {
    return this.milliseconds / 1000;
  }

  public plus(other: Duration): Duration {
    return new Duration(this.milliseconds + other.milliseconds);
  }

  public isZero(): boolean {
    return this.milliseconds === 0;
  }

  public compare(other: Duration): number {
    return this.milliseconds - other.milliseconds;
  }

  /** The shortest Prometheus form: 90000 ms → `1m30s`, 0 → `0s`. */
  public toString(): string {
    if (this.milliseconds === 0) {
      return "0s";
    }
    let rest = this.milliseconds;
    let out = "";
    for (const [unit, size] of Duration.UNITS) {
      // Prometheus accepts `y` and `w`, but `d` reads better in reviews up to a year.
      if (unit === "y" || unit === "w") {
        continue;
      }
      const n = Math.floor(rest / size);
      if (n > 0) {
        out += `${n}${unit}`;
        rest -= n * size;
      }
    }
    return out;
  }

  /** Human words for annotations and docs: `1h`, `30s`, `1.5m` is written `1m30s`. */
  public toJSON(): string {
    return this.toString();
  }
}
