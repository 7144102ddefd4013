import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..", "..");

/** A node of MonitoringConfig's shape: its fields, an index signature (`Record<string, …>`), array elements. */
export interface ShapeNode {
  readonly fields: Map<string, ShapeNode>;
  /** `Record<string, X>`: any key, then X. */
  any?: ShapeNode;
}

/**
 * The shape of `MonitoringConfig`, read from its TypeScript declaration with the compiler (so it cannot
 * drift from the type): every field, recursively, through optional fields, unions of object types (the
 * backend kinds), arrays and `Record`s. Classes such as `Duration` and primitives are leaves.
 */
export function monitoringConfigShape(): ShapeNode {
  const program = ts.createProgram([path.join(ROOT, "stacks", "config.ts")], {
    strict: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(path.join(ROOT, "stacks", "config.ts"))!;
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "MonitoringConfig")!;
  const seen = new Map<ts.Type, ShapeNode>();

  const objectMembers = (type: ts.Type): ts.Type[] => {
    const t = checker.getNonNullableType(type);
    if (t.isUnion()) return t.types.flatMap(objectMembers);
    if (t.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.Undefined | ts.TypeFlags.Null)) return [];
    if (checker.isArrayType(t) || checker.isTupleType(t)) {
      return (checker.getTypeArguments(t as ts.TypeReference) ?? []).flatMap(objectMembers);
    }
    const symbol = t.getSymbol();
    // Classes (Duration) and functions are values, not option objects.
    if (symbol && symbol.flags & ts.SymbolFlags.Class) return [];
    if (t.getCallSignatures().length > 0) return [];
    return t.flags & ts.TypeFlags.Object ? [t] : [];
  };

  const shapeOf = (type: ts.Type): ShapeNode => {
    const cached = seen.get(type);
    if (cached) return cached;
    const node: ShapeNode = { fields: new Map() };
    seen.set(type, node);
    for (const member of objectMembers(type)) {
      for (const prop of checker.getPropertiesOfType(member)) {
        const propType = checker.getTypeOfSymbol(prop);
        const child = shapeOf(propType);
        const existing = node.fields.get(prop.name);
        if (existing) {
          for (const [k, v] of child.fields) existing.fields.set(k, v);
        } else {
          node.fields.set(prop.name, child);
        }
      }
      const index = checker.getIndexInfoOfType(member, ts.IndexKind.String);
      if (index) node.any = shapeOf(index.type);
    }
    return node;
  };
  return shapeOf(checker.getTypeAtLocation(decl));
}

/** Whether an option path such as `rules.overrides.HighCPUUsage.threshold` or `application.services[0].port` exists. */
export function hasPath(shape: ShapeNode, option: string): boolean {
  let node: ShapeNode | undefined = shape;
  for (const part of option.replace(/\[\d+\]/g, "").split(".")) {
    node = node.fields.get(part) ?? node.any;
    if (!node) return false;
  }
  return true;
}
