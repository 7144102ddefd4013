import { parser } from "@prometheus-io/lezer-promql";

/** A syntax error found by the PromQL grammar. */
export interface PromQLError {
  /** 0-based character offset into the expression. */
  readonly position: number;
  /** The text at the position, for the error message. */
  readonly snippet: string;
}

/** Result of {@link parsePromQL}. */
export interface PromQLParseResult {
  readonly valid: boolean;
  readonly errors: readonly PromQLError[];
}

/**
 * Parses a PromQL expression with `@prometheus-io/lezer-promql`, the grammar the Prometheus UI uses.
 * The parser is error tolerant: it always yields a tree, with error nodes where the text does not fit.
 *
 * @see https://github.com/prometheus/prometheus/tree/main/web/ui/module/lezer-promql
 */
export function parsePromQL(expr: string): PromQLParseResult {
  if (expr.trim() === "") {
    return { valid: false, errors: [{ position: 0, snippet: "(empty expression)" }] };
  }
  const { errors } = promqlTree(expr);
  return { valid: errors.length === 0, errors };
}

/** A parsed expression: the lezer tree and its syntax errors (empty when it parses). */
export interface PromQLTree {
  readonly tree: ReturnType<typeof parser.parse>;
  readonly errors: readonly PromQLError[];
}

const TREES = new Map<string, PromQLTree>();
const MAX_CACHED_TREES = 10_000;

/**
 * The lezer tree of `expr` with its syntax errors. Synth parses every rule and panel expression twice
 * (syntax validation, then metric provenance), so trees are cached by expression text.
 */
export function promqlTree(expr: string): PromQLTree {
  let parsed = TREES.get(expr);
  if (!parsed) {
    const tree = parser.parse(expr);
    const errors: PromQLError[] = [];
    tree.iterate({
      enter: (node) => {
        if (node.type.isError) {
          errors.push({ position: node.from, snippet: snippetAt(expr, node.from) });
        }
      },
    });
    if (TREES.size >= MAX_CACHED_TREES) {
      TREES.clear();
    }
    parsed = { tree, errors };
    TREES.set(expr, parsed);
  }
  return parsed;
}

/**
 * Throws `Error("<where>: invalid PromQL at position N: <snippet>")` when `expr` does not parse.
 * `where` should name the owner precisely, e.g. `rule group "host-alerts", alert "HighCPUUsage"`.
 */
export function assertValidPromQL(expr: string, where: string): void {
  const result = parsePromQL(expr);
  if (!result.valid) {
    const first = result.errors[0];
    throw new Error(`${where}: invalid PromQL at position ${first.position}: ${first.snippet} (in: ${expr})`);
  }
}

function snippetAt(expr: string, position: number): string {
  const start = Math.max(0, position - 10);
  const end = Math.min(expr.length, position + 20);
  return `${start > 0 ? "…" : ""}${expr.slice(start, position)}⟨here⟩${expr.slice(position, end)}${end < expr.length ? "…" : ""}`;
}
