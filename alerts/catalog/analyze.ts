import { parser } from "@prometheus-io/lezer-promql";
import { promqlTree } from "../promql";

/** The grammar's node type, taken from the parser so that one @lezer/common copy is used. */
type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

/**
 * A small typed AST of a PromQL expression, built from the `@prometheus-io/lezer-promql` tree: just
 * what the provenance checker needs (selectors, calls, aggregations, binary operators, literals).
 */
export type Expr =
  | SelectorExpr
  | CallExpr
  | AggregateExpr
  | BinaryExpr
  | NumberExpr
  | StringExpr
  | UnaryExpr
  | SubqueryExpr;

export interface LabelMatcher {
  readonly label: string;
  readonly op: "=" | "!=" | "=~" | "!~";
  readonly value: string;
}

export interface SelectorExpr {
  readonly kind: "selector";
  /** Metric name, from the identifier or an `__name__="…"` matcher; undefined for `{__name__=~"…"}`. */
  readonly metric: string | undefined;
  readonly matchers: readonly LabelMatcher[];
  /** A range selector `m[5m]`. */
  readonly range: boolean;
}

export interface CallExpr {
  readonly kind: "call";
  readonly fn: string;
  readonly args: readonly Expr[];
}

export interface AggregateExpr {
  readonly kind: "aggregate";
  readonly op: string;
  readonly by?: readonly string[];
  readonly without?: readonly string[];
  readonly args: readonly Expr[];
}

export interface BinaryExpr {
  readonly kind: "binary";
  readonly op: string;
  readonly left: Expr;
  readonly right: Expr;
  readonly on?: readonly string[];
  readonly ignoring?: readonly string[];
  readonly groupLeft?: readonly string[];
  readonly groupRight?: readonly string[];
  readonly bool: boolean;
}

export interface NumberExpr {
  readonly kind: "number";
  readonly value: number;
}

export interface StringExpr {
  readonly kind: "string";
  readonly value: string;
}

export interface UnaryExpr {
  readonly kind: "unary";
  readonly op: string;
  readonly expr: Expr;
}

/** `expr[5m:1m]`: a range over an instant expression. */
export interface SubqueryExpr {
  readonly kind: "subquery";
  readonly expr: Expr;
}

/** Comparison operators; a comparison against a number literal is a threshold. */
export const COMPARISON_OPS: ReadonlySet<string> = new Set(["==", "!=", ">", "<", ">=", "<="]);

/** Grafana's template variables in range positions (`[$__rate_interval]`, `[$window]`) become `[5m]`. */
export function normalizeGrafanaVariables(expr: string): string {
  return expr
    .replace(/\[\s*\$\{?[A-Za-z_]\w*\}?\s*(?=[\]:])/g, "[5m")
    .replace(/:\s*\$\{?[A-Za-z_]\w*\}?\s*\]/g, ":1m]")
    .replace(/\$\{?__\w+\}?/g, "5m");
}

/** Thrown when an expression does not parse; `position` is a character offset. */
export class PromQLSyntaxError extends Error {
  constructor(public readonly position: number, expr: string) {
    super(`invalid PromQL at position ${position} (near "${expr.slice(position, position + 20)}")`);
  }
}

/** Parses `expr` into an {@link Expr}; throws {@link PromQLSyntaxError} on a syntax error. */
export function parseExpr(expr: string): Expr {
  const text = normalizeGrafanaVariables(expr);
  const { tree, errors } = promqlTree(text);
  if (errors.length > 0) throw new PromQLSyntaxError(errors[0].position, text);
  const top = tree.topNode.firstChild;
  if (!top) throw new PromQLSyntaxError(0, text);
  return build(top, text);
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

function textOf(node: SyntaxNode, src: string): string {
  return src.slice(node.from, node.to);
}

function unquote(s: string): string {
  if (s.startsWith("`")) return s.slice(1, -1);
  try {
    return JSON.parse(s.startsWith("'") ? `"${s.slice(1, -1).replace(/"/g, '\\"')}"` : s) as string;
  } catch {
    return s.slice(1, -1);
  }
}

function grouping(node: SyntaxNode | null, src: string): string[] {
  if (!node) return [];
  return children(node)
    .filter((c) => c.name === "LabelName" || c.name === "QuotedLabelName")
    .map((c) => (c.name === "QuotedLabelName" ? unquote(textOf(c, src)) : textOf(c, src)));
}

function matchers(node: SyntaxNode, src: string): LabelMatcher[] {
  const out: LabelMatcher[] = [];
  for (const m of children(node)) {
    const parts = children(m);
    const name = parts.find((p) => p.name === "LabelName" || p.name === "QuotedLabelName");
    const op = parts.find((p) => p.name === "MatchOp");
    const value = parts.find((p) => p.name === "StringLiteral");
    if (m.name === "QuotedLabelName" || (!op && parts.length === 1 && parts[0].name === "StringLiteral")) {
      // `{"metric_name"}` (UTF-8 syntax): a bare quoted name selects the metric.
      out.push({ label: "__name__", op: "=", value: unquote(textOf(parts[0] ?? m, src)) });
      continue;
    }
    if (name && op && value) {
      const labelText = textOf(name, src);
      out.push({
        label: name.name === "QuotedLabelName" ? unquote(labelText) : labelText,
        op: textOf(op, src) as LabelMatcher["op"],
        value: unquote(textOf(value, src)),
      });
    }
  }
  return out;
}

function selector(node: SyntaxNode, src: string, range: boolean): SelectorExpr {
  const parts = children(node);
  const ident = parts.find((p) => p.name === "Identifier");
  const lm = parts.find((p) => p.name === "LabelMatchers");
  const ms = lm ? matchers(lm, src) : [];
  const nameMatcher = ms.find((m) => m.label === "__name__" && m.op === "=");
  return {
    kind: "selector",
    metric: ident ? textOf(ident, src) : nameMatcher?.value,
    matchers: ms.filter((m) => m.label !== "__name__"),
    range,
  };
}

function callArgs(body: SyntaxNode | undefined, src: string): Expr[] {
  if (!body) return [];
  return children(body)
    .filter((c) => !["(", ")", ","].includes(c.name))
    .map((c) => build(c, src));
}

function build(node: SyntaxNode, src: string): Expr {
  const parts = children(node);
  switch (node.name) {
    case "VectorSelector":
      return selector(node, src, false);
    case "MatrixSelector": {
      const inner = parts.find((p) => p.name === "VectorSelector");
      if (inner) return selector(inner, src, true);
      const expr = parts[0];
      return { kind: "subquery", expr: build(expr, src) };
    }
    case "SubqueryExpr":
      return { kind: "subquery", expr: build(parts[0], src) };
    case "ParenExpr":
    case "OffsetExpr":
    case "StepInvariantExpr":
      return build(parts.find((p) => !["(", ")"].includes(p.name)) ?? parts[0], src);
    case "NumberDurationLiteral":
    case "NumberLiteral":
      return { kind: "number", value: parseNumber(textOf(node, src)) };
    case "StringLiteral":
      return { kind: "string", value: unquote(textOf(node, src)) };
    case "UnaryExpr": {
      const op = parts.find((p) => p.name === "UnaryOp");
      const expr = parts.find((p) => p.name !== "UnaryOp")!;
      return { kind: "unary", op: op ? textOf(op, src) : "-", expr: build(expr, src) };
    }
    case "FunctionCall": {
      const id = parts.find((p) => p.name === "FunctionIdentifier");
      const body = parts.find((p) => p.name === "FunctionCallBody");
      return { kind: "call", fn: id ? textOf(id, src) : "", args: callArgs(body, src) };
    }
    case "AggregateExpr": {
      const op = parts.find((p) => p.name === "AggregateOp");
      const mod = parts.find((p) => p.name === "AggregateModifier");
      const body = parts.find((p) => p.name === "FunctionCallBody");
      const agg: { by?: string[]; without?: string[] } = {};
      if (mod) {
        const labels = grouping(children(mod).find((c) => c.name === "GroupingLabels") ?? null, src);
        if (children(mod).some((c) => c.name === "By")) agg.by = labels;
        else agg.without = labels;
      }
      return { kind: "aggregate", op: op ? textOf(op, src) : "", ...agg, args: callArgs(body, src) };
    }
    case "BinaryExpr": {
      const operands = parts.filter((p) => p.type.isTop === false && isExprNode(p));
      const opNode = parts.find((p) => !isExprNode(p) && p.name !== "MatchingModifierClause" && p.name !== "BoolModifier");
      const clause = parts.find((p) => p.name === "MatchingModifierClause");
      const bin: { on?: string[]; ignoring?: string[]; groupLeft?: string[]; groupRight?: string[] } = {};
      if (clause) {
        const cs = children(clause);
        for (let i = 0; i < cs.length; i++) {
          const next = cs[i + 1]?.name === "GroupingLabels" ? grouping(cs[i + 1], src) : [];
          if (cs[i].name === "On") bin.on = next;
          if (cs[i].name === "Ignoring") bin.ignoring = next;
          if (cs[i].name === "GroupLeft") bin.groupLeft = next;
          if (cs[i].name === "GroupRight") bin.groupRight = next;
        }
      }
      return {
        kind: "binary",
        op: opNode ? textOf(opNode, src) : "",
        left: build(operands[0], src),
        right: build(operands[1], src),
        ...bin,
        bool: parts.some((p) => p.name === "BoolModifier") || /\bbool\b/.test(clause ? textOf(clause, src) : ""),
      };
    }
    default:
      if (parts.length === 1) return build(parts[0], src);
      throw new PromQLSyntaxError(node.from, src);
  }
}

const EXPR_NODES = new Set([
  "VectorSelector", "MatrixSelector", "SubqueryExpr", "ParenExpr", "OffsetExpr", "StepInvariantExpr",
  "NumberDurationLiteral", "NumberLiteral", "StringLiteral", "UnaryExpr", "FunctionCall", "AggregateExpr", "BinaryExpr",
]);

function isExprNode(node: SyntaxNode): boolean {
  return EXPR_NODES.has(node.name);
}

function parseNumber(text: string): number {
  const t = text.toLowerCase();
  if (t === "inf" || t === "+inf") return Infinity;
  if (t === "-inf") return -Infinity;
  if (t === "nan") return NaN;
  const n = Number(t.replace(/_/g, ""));
  return Number.isNaN(n) ? parseFloat(t) : n;
}

/** Every selector in an expression, depth first, left to right. */
export function selectorsOf(expr: Expr): SelectorExpr[] {
  switch (expr.kind) {
    case "selector":
      return [expr];
    case "call":
    case "aggregate":
      return expr.args.flatMap(selectorsOf);
    case "binary":
      return [...selectorsOf(expr.left), ...selectorsOf(expr.right)];
    case "unary":
    case "subquery":
      return selectorsOf(expr.expr);
    default:
      return [];
  }
}

/** The number a literal expression evaluates to (`1`, `-0.5`, `(2)`), or undefined. */
export function numberValue(expr: Expr): number | undefined {
  if (expr.kind === "number") return expr.value;
  if (expr.kind === "unary" && expr.op === "-") {
    const v = numberValue(expr.expr);
    return v === undefined ? undefined : -v;
  }
  if (expr.kind === "unary" && expr.op === "+") return numberValue(expr.expr);
  return undefined;
}
