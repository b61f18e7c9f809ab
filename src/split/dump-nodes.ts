/** Small readers of libpg-query's tree and of a dump's source text, for the dump reader. */
import { parseSync } from 'libpg-query';
import type { DeleteAction, Rel } from './model.js';
import { qualified } from './model.js';

export type Node = Record<string, unknown>;

export interface Statement {
  node: Node;
  kind: string;
  text: string;
  /** The whole file as UTF-8, and the statement's end in it: node locations are file offsets. */
  bytes: Buffer;
  end: number;
}

export const DELETE_ACTIONS: Record<string, DeleteAction> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

export const CONSTRAINT_KINDS: Record<
  string,
  'primary' | 'unique' | 'check' | 'foreign' | 'exclusion'
> = {
  CONSTR_PRIMARY: 'primary',
  CONSTR_UNIQUE: 'unique',
  CONSTR_CHECK: 'check',
  CONSTR_FOREIGN: 'foreign',
  CONSTR_EXCLUSION: 'exclusion',
};

export const DEFAULT_OBJECT_TYPES: Record<string, 'tables' | 'sequences' | 'functions' | 'types'> =
  {
    OBJECT_TABLE: 'tables',
    OBJECT_SEQUENCE: 'sequences',
    OBJECT_FUNCTION: 'functions',
    OBJECT_TYPE: 'types',
  };

export function relOf(node: Node): Rel {
  return { schema: String(node.schemaname ?? 'public'), name: String(node.relname) };
}

/** A name given as a list of String nodes: [schema, name] or [name]. */
export function names(list: unknown): Rel {
  const parts = strings(list);
  return parts.length > 1
    ? { schema: parts[parts.length - 2]!, name: parts[parts.length - 1]! }
    : { schema: 'public', name: parts[0]! };
}

export function strings(list: unknown): string[] {
  return ((list as Node[] | undefined) ?? []).map((item) =>
    String((item.String as Node | undefined)?.sval ?? ''),
  );
}

/** A user-defined type a TypeName names; built-in types (pg_catalog or unqualified) give null. */
export function typeRel(typeName: Node | undefined): Rel | null {
  const parts = strings(typeName?.names);
  if (parts.length < 2 || parts[0] === 'pg_catalog' || parts[0] === 'information_schema') {
    return null;
  }
  return { schema: parts[parts.length - 2]!, name: parts[parts.length - 1]! };
}

/** DefElem options by name, with simple values unwrapped. */
export function options(list: unknown): Map<string, unknown> {
  const found = new Map<string, unknown>();
  for (const item of (list as Node[] | undefined) ?? []) {
    const def = item.DefElem as Node;
    const arg = def.arg as Node | undefined;
    const setting = arg?.VariableSetStmt as Node | undefined;
    if (setting) {
      const values = ((setting.args as Node[] | undefined) ?? []).map((a) => constText(a));
      found.set(String(setting.name), values.join(', '));
    } else {
      found.set(String(def.defname), argValue(arg));
    }
  }
  return found;
}

function argValue(arg: Node | undefined): unknown {
  if (arg == null) return true;
  if (arg.String) return String((arg.String as Node).sval);
  if (arg.Boolean) return (arg.Boolean as Node).boolval === true;
  if (arg.List) {
    const items = ((arg.List as Node).items as Node[]) ?? [];
    return items.map((item) =>
      String(
        (item.String as Node | undefined)?.sval ??
          (item.RoleSpec as Node | undefined)?.rolename ??
          '',
      ),
    );
  }
  return null;
}

function constText(node: Node): string {
  const value = (node.A_Const as Node | undefined)?.sval as Node | undefined;
  return String(value?.sval ?? '');
}

export function granteesOf(list: unknown): string[] {
  return ((list as Node[] | undefined) ?? []).map((item) => {
    const role = (item.RoleSpec ?? item) as Node;
    return role.roletype === 'ROLESPEC_PUBLIC' ? 'PUBLIC' : String(role.rolename);
  });
}

/** User functions called in an expression tree: schema-qualified FuncCall names. */
export function functionCalls(tree: unknown): Rel[] {
  const found: Rel[] = [];
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
    } else if (node !== null && typeof node === 'object') {
      const call = (node as Node).FuncCall as Node | undefined;
      const parts = call ? strings(call.funcname) : [];
      if (parts.length === 2 && parts[0] !== 'pg_catalog') {
        found.push({ schema: parts[0]!, name: parts[1]! });
      }
      stack.push(...Object.values(node as Node));
    }
  }
  return uniqueRels(found);
}

export function parseExpression(expression: string): unknown {
  try {
    return parseSync(`SELECT ${expression}`).stmts;
  } catch {
    return null;
  }
}

function locationOf(node: Node): number {
  const inner = Object.values(node)[0] as Node;
  return Number(inner.location ?? 0);
}

export function constraintText(
  statement: Statement,
  constraint: Node,
  next: Node | undefined,
): string {
  const source = elementText(statement, constraint, next);
  return source.replace(/^CONSTRAINT\s+(?:"(?:[^"]|"")+"|\S+)\s+/i, '').trim();
}

/**
 * The source text of one column or constraint of CREATE TABLE: up to the next element, or for the
 * last one up to the parenthesis that closes the list (and what pg_dump writes after it).
 */
export function elementText(statement: Statement, element: Node, next: Node | undefined): string {
  const start = Number(element.location ?? 0);
  const end = next ? locationOf(next) : statement.end;
  const source = statement.bytes.subarray(start, end).toString('utf8');
  if (next) return source.replace(/[\s,]*$/, '');
  return source.replace(
    /\s*\)\s*(?:(?:PARTITION BY|INHERITS|WITH|SERVER|USING)\b[\s\S]*)?;?\s*$/i,
    '',
  );
}

export function boundOf(text: string): string | null {
  return /\b(FOR VALUES[\s\S]*?|DEFAULT);?$/i.exec(text)?.[1]?.trim() ?? null;
}

/** The argument list of CREATE FUNCTION name(...), as written. */
export function argumentsOf(text: string): string {
  const open = text.indexOf('(');
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    if (text[i] === ')' && --depth === 0) {
      return text
        .slice(open + 1, i)
        .replace(/\s+/g, ' ')
        .trim();
    }
  }
  return '';
}

export function uniqueRels(rels: Rel[]): Rel[] {
  const seen = new Map(rels.map((rel) => [qualified(rel), { schema: rel.schema, name: rel.name }]));
  return [...seen.values()];
}
