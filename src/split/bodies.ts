/**
 * What a function body reads and writes. PL/pgSQL bodies go through PostgreSQL's own PL/pgSQL
 * parser; every embedded statement or expression is then parsed as SQL and walked for relations.
 * SQL bodies (string or SQL-standard) are parsed as SQL directly.
 */
import { parsePlPgSQLSync, parseSync } from 'libpg-query';
import { collectPostgresqlTables } from '../sql/postgresql-tables.js';

export interface RawBodyRef {
  schema: string | null;
  name: string;
  writes: boolean;
}

export interface BodyReading {
  refs: RawBodyRef[];
  dynamic: boolean;
  /** Why the body could not be read, or null. */
  unparsed: string | null;
}

type Node = Record<string, unknown>;

/** PL/pgSQL statements that run SQL built at run time. */
const DYNAMIC_NODES = new Set(['PLpgSQL_stmt_dynexecute', 'PLpgSQL_stmt_dynfors']);

/**
 * Reads a function from its whole CREATE FUNCTION statement (pg_get_functiondef or the dump's
 * text). Languages other than sql and plpgsql are not read: their bodies are not SQL.
 */
export function readFunctionBody(definition: string, language: string): BodyReading {
  try {
    if (language === 'plpgsql') return readPlpgsql(definition);
    if (language === 'sql') return readSql(definition);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return { refs: [], dynamic: false, unparsed: reason };
  }
  return { refs: [], dynamic: false, unparsed: `${language} bodies are not read` };
}

function readPlpgsql(definition: string): BodyReading {
  const parsed = parsePlPgSQLSync(definition) as unknown as Node;
  const refs: RawBodyRef[] = [];
  let dynamic = false;

  walk(parsed, (key, value) => {
    if (DYNAMIC_NODES.has(key)) dynamic = true;
    if (key === 'PLpgSQL_stmt_return_query' && (value as Node).dynquery) dynamic = true;
    if (key === 'PLpgSQL_expr') refs.push(...refsOfExpression(value as Node));
  });
  return { refs: unique(refs), dynamic, unparsed: null };
}

/** parseMode 0 is a whole statement; the other modes are expressions (IF x, RETURN y…). */
function refsOfExpression(expr: Node): RawBodyRef[] {
  const query = typeof expr.query === 'string' ? expr.query : '';
  if (query.trim() === '') return [];
  const sql = expr.parseMode === 0 || expr.parseMode == null ? query : `SELECT ${query}`;
  try {
    return refsOfSql(sql);
  } catch {
    return [];
  }
}

function readSql(definition: string): BodyReading {
  const statement = (parseSync(definition).stmts ?? [])[0]?.stmt as Node | undefined;
  const create = statement?.CreateFunctionStmt as Node | undefined;
  if (!create) return { refs: [], dynamic: false, unparsed: 'not a CREATE FUNCTION statement' };

  if (create.sql_body) {
    return { refs: unique(refsOfTree(create.sql_body)), dynamic: false, unparsed: null };
  }
  const body = bodyText(create);
  const refs = body == null ? [] : refsOfSql(body);
  return { refs: unique(refs), dynamic: false, unparsed: null };
}

/** The AS '...' text of a CREATE FUNCTION. */
function bodyText(create: Node): string | null {
  for (const option of (create.options as Node[] | undefined) ?? []) {
    const def = option.DefElem as Node | undefined;
    if (def?.defname !== 'as') continue;
    const items = ((def.arg as Node | undefined)?.List as Node | undefined)?.items as Node[];
    const first = (items?.[0]?.String as Node | undefined)?.sval;
    return typeof first === 'string' ? first : null;
  }
  return null;
}

export function refsOfSql(sql: string): RawBodyRef[] {
  return (parseSync(sql).stmts ?? []).flatMap((raw) => refsOfTree(raw.stmt));
}

function refsOfTree(tree: unknown): RawBodyRef[] {
  return collectPostgresqlTables(tree).map((table) => ({
    schema: table.schema,
    name: table.name,
    writes: table.role === 'write',
  }));
}

function walk(node: unknown, visit: (key: string, value: unknown) => void): void {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) {
      stack.push(...current);
    } else if (current !== null && typeof current === 'object') {
      for (const [key, value] of Object.entries(current as Node)) {
        visit(key, value);
        if (value !== null && typeof value === 'object') stack.push(value);
      }
    }
  }
}

function unique(refs: RawBodyRef[]): RawBodyRef[] {
  const seen = new Map<string, RawBodyRef>();
  for (const ref of refs) {
    const key = `${ref.schema ?? ''}.${ref.name}`;
    const known = seen.get(key);
    seen.set(key, { ...ref, writes: ref.writes || known?.writes === true });
  }
  return [...seen.values()];
}
