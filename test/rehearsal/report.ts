/** One assertion's outcome. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly seconds: number;
}

/**
 * Prints a PASS/FAIL line per assertion and remembers the results; a failed assertion does not stop
 * the ones after it unless they depend on it.
 */
export class Report {
  public readonly results: CheckResult[] = [];

  constructor(private readonly out: (line: string) => void = (l) => console.log(l)) {}

  /** Runs `fn`; its returned string is the PASS detail, a thrown error the FAIL detail. */
  public async check(name: string, fn: () => Promise<string>): Promise<boolean> {
    const t = Date.now();
    let ok = true;
    let detail: string;
    try {
      detail = await fn();
    } catch (e) {
      ok = false;
      detail = (e as Error).message;
    }
    const r: CheckResult = { name, ok, detail, seconds: (Date.now() - t) / 1000 };
    this.results.push(r);
    this.out(formatResult(r));
    return ok;
  }

  public get failed(): CheckResult[] {
    return this.results.filter((r) => !r.ok);
  }
}

/** `PASS  name (1.2 s): detail`, with a multi-line detail indented. */
export function formatResult(r: CheckResult): string {
  const detail = r.detail.split("\n").join("\n        ");
  return `${r.ok ? "PASS" : "FAIL"}  ${r.name} (${r.seconds.toFixed(1)} s)${detail ? `: ${detail}` : ""}`;
}
