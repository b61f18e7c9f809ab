import type { ts } from 'ts-morph';
import { ts as compiler } from '../compiler.js';
import type { BuilderLibrary, BuilderTableRef, SymbolValue, TableAccess } from '../facts.js';
import { SUBQUERY } from './constants.js';
import type { SymbolScope } from './constants.js';

/**
 * A method chain read from its start: `knex('orders').join('lines', …).where(…)` is the root
 * `knex` and the links `(…)`, `.join(…)`, `.where(…)`. A builder runs a chain as one statement.
 */
export interface ChainLink {
  /** The method or property name; null for a call of the root itself (`knex('orders')`). */
  name: string | null;
  /** The call's arguments; null for a property read without a call. */
  args: readonly ts.Expression[] | null;
  node: ts.Node;
}

export interface Chain {
  root: ts.Expression;
  /** The root's identifier (`trx`), `this`, or null for anything else. */
  rootName: string | null;
  links: ChainLink[];
  start: number;
  end: number;
}

/** What one library reads out of a chain. */
export interface ChainReading {
  library: BuilderLibrary;
  tables: BuilderTableRef[];
}

/** What a library's reader may ask about the file. */
export interface ReadingContext {
  source: ts.SourceFile;
  scope: SymbolScope;
  /** Repositories held by name in the file (`this.orders`, `const repo = …`) → their entity. */
  repositories: Map<string, SymbolValue>;
}

export function chainOf(top: ts.Expression, source: ts.SourceFile): Chain {
  const links: ChainLink[] = [];
  let current = skipWrappers(top);
  for (;;) {
    if (compiler.isCallExpression(current)) {
      const callee = skipWrappers(current.expression);
      const named = memberName(callee);
      if (named) {
        links.push({ name: named.name, args: current.arguments, node: named.node });
        current = skipWrappers(named.object);
      } else {
        links.push({ name: null, args: current.arguments, node: callee });
        current = callee;
      }
      continue;
    }
    const named = memberName(current);
    if (!named) break;
    links.push({ name: named.name, args: null, node: named.node });
    current = skipWrappers(named.object);
  }
  links.reverse();
  return {
    root: current,
    rootName: compiler.isIdentifier(current)
      ? current.text
      : current.kind === compiler.SyntaxKind.ThisKeyword
        ? 'this'
        : null,
    links,
    start: top.getStart(source),
    end: top.end,
  };
}

/** `a.b` → b, `a['b']` → b, `a[x]` → `[]` (a name known at run time). */
function memberName(
  node: ts.Expression,
): { name: string; node: ts.Node; object: ts.Expression } | null {
  if (compiler.isPropertyAccessExpression(node)) {
    return { name: node.name.text, node: node.name, object: node.expression };
  }
  if (compiler.isElementAccessExpression(node)) {
    const key = node.argumentExpression;
    const name = compiler.isStringLiteralLike(key) ? key.text : '[]';
    return { name, node: key, object: node.expression };
  }
  return null;
}

export function skipWrappers(node: ts.Expression): ts.Expression {
  let current = node;
  while (
    compiler.isParenthesizedExpression(current) ||
    compiler.isNonNullExpression(current) ||
    compiler.isAsExpression(current) ||
    compiler.isAwaitExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/** The name a call link is made on: the property before it, or the root's name. */
export function calleeNameOf(chain: Chain, index: number): string | null {
  const previous = chain.links[index - 1];
  if (previous) return previous.name;
  return chain.rootName;
}

/**
 * A table named by an argument: a string (`'orders as o'`), a name to look up (a constant, a
 * Drizzle table, an entity), or a value known only at run time.
 */
export function tableArgument(
  argument: ts.Expression,
  access: TableAccess,
  context: ReadingContext,
  optional = false,
): BuilderTableRef | null {
  const node = skipWrappers(argument);
  const offset = node.getStart(context.source);
  if (compiler.isStringLiteralLike(node)) return { offset, access, source: { text: node.text } };
  if (
    compiler.isArrowFunction(node) ||
    compiler.isFunctionExpression(node) ||
    compiler.isCallExpression(node)
  ) {
    return null;
  }
  if (compiler.isObjectLiteralExpression(node) || compiler.isArrayLiteralExpression(node)) {
    return null;
  }

  const value = optional ? context.scope.topLevelValueOf(node) : context.scope.valueOf(node);
  if ('text' in value) return { offset, access, source: { text: value.text } };
  if ('unknown' in value && value.unknown === SUBQUERY) return null;
  if ('unknown' in value) {
    if (optional) return null;
    return { offset, access, source: { dynamic: value.unknown } };
  }
  // An argument that may be data is kept only when it is, or may turn out to be, a table.
  if (optional && !('table' in value) && !('import' in value)) return null;
  return { offset, access, source: { symbol: value }, ...(optional ? { optional: true } : {}) };
}

/** Strings in an array argument (`selectFrom(['a', 'b'])`) or the argument itself. */
export function tableArguments(
  argument: ts.Expression,
  access: TableAccess,
  context: ReadingContext,
): BuilderTableRef[] {
  const node = skipWrappers(argument);
  if (compiler.isArrayLiteralExpression(node)) {
    return node.elements.flatMap((element) => {
      const ref = tableArgument(element, access, context);
      return ref ? [ref] : [];
    });
  }
  const ref = tableArgument(node, access, context);
  return ref ? [ref] : [];
}

/** Names a chain gives its common table expressions (`.with('recent', …)`): not tables. */
export function cteNames(chain: Chain): Set<string> {
  const names = new Set<string>();
  for (const link of chain.links) {
    if (!link.args || !/^with(?:Recursive|Materialized|NotMaterialized)?$/.test(link.name ?? '')) {
      continue;
    }
    const [first] = link.args;
    if (first && compiler.isStringLiteralLike(first)) names.add(first.text.split(/[\s(]/)[0]!);
  }
  return names;
}

/** Drops references to a chain's CTEs, and applies `.withSchema('s')` to unqualified names. */
export function qualify(chain: Chain, refs: BuilderTableRef[]): BuilderTableRef[] {
  const ctes = cteNames(chain);
  const schemaLink = chain.links.find((link) => link.name === 'withSchema' && link.args);
  const schemaArg = schemaLink?.args?.[0];
  const schema = schemaArg && compiler.isStringLiteralLike(schemaArg) ? schemaArg.text : null;
  return refs.flatMap((ref) => {
    if (!('text' in ref.source)) return [ref];
    const name = ref.source.text.split(/\s+as\s+|\s+/i)[0]!;
    if (ctes.has(name)) return [];
    if (schema == null || name.includes('.')) return [ref];
    return [{ ...ref, source: { text: `${schema}.${ref.source.text}` } }];
  });
}
