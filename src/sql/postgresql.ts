/**
 * PostgreSQL frontend: PostgreSQL's own parser (libpg-query, WASM) and a scope-aware walk over its
 * tree that lists every real relation a statement references.
 */
import { fingerprintSync, hasSqlDetails, loadModule, parseSync } from 'libpg-query';
import type { RawStmt } from 'libpg-query';

import { readRoutine } from './postgresql-routines.js';
import { collectPostgresqlTables } from './postgresql-tables.js';
import type { FoundTable } from './postgresql-tables.js';
import { createByteOffsetMapper, createCodePointOffsetMapper } from './text-offsets.js';
import type { OffsetMapper } from './text-offsets.js';
import type { ParseResult, ParsedStatement, SqlFrontend, TableRef } from './types.js';

export async function loadPostgresqlFrontend(): Promise<SqlFrontend> {
  await loadModule();
  return { dialect: 'postgresql', parse: parsePostgresql, fingerprint: fingerprintPostgresql };
}

/** Needs loadModule() to have resolved; loadPostgresqlFrontend() sees to that. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function parsePostgresql(sql: string): ParseResult {
  if (sql.trim() === '') {
    return { ok: true, statements: [] };
  }

  // The C parser stops at a NUL byte; a space is one byte too, so every offset stays valid.
  // A lone surrogate has no UTF-8 form and would cut the text short; U+FFFD is what an encoder
  // writes for it anyway, so offsets stay valid there too.
  const input = sql.replaceAll('\0', ' ').replace(LONE_SURROGATE, '\uFFFD');
  let rawStatements: RawStmt[];
  try {
    rawStatements = parseSync(input).stmts ?? [];
  } catch (error) {
    return describeParseError(error, sql);
  }

  const toCharOffset = createByteOffsetMapper(sql);
  const statements = rawStatements.map((raw) => buildStatement(sql, raw, toCharOffset));
  return { ok: true, statements };
}

/**
 * PostgreSQL's own statement fingerprint (pg_query's, as pg_stat_statements groups queries):
 * constants, the length of IN lists and VALUES rows, comments and whitespace do not change it.
 */
export function fingerprintPostgresql(sql: string): string | null {
  if (sql.trim() === '') return null;

  const input = sql.replaceAll('\0', ' ').replace(LONE_SURROGATE, '\uFFFD');
  try {
    return fingerprintSync(input);
  } catch {
    return null;
  }
}

/**
 * Every position libpg-query reports is a UTF-8 byte offset. Statements come in text order and
 * their tables are sorted before conversion, so the mapper mostly moves forward.
 */
function buildStatement(sql: string, raw: RawStmt, toCharOffset: OffsetMapper): ParsedStatement {
  const startByte = raw.stmt_location ?? 0;
  const start = toCharOffset(startByte);
  const end = raw.stmt_len ? toCharOffset(startByte + raw.stmt_len) : sql.length;
  const found = collectPostgresqlTables(raw.stmt);
  const located = found.filter((table) => table.location >= 0);
  located.sort((a, b) => a.location - b.location);

  const tables = located.map((table) => toTableRef(table, toCharOffset(table.location)));
  const unplaced = found.filter((table) => table.location < 0);
  tables.push(...placeByName(sql, start, end, unplaced));
  tables.sort((a, b) => a.offset - b.offset);
  const statement: ParsedStatement = { ...trimStatement(sql, start, end), tables };

  const routine = readRoutine(raw, sql, start, toCharOffset);
  if (routine == null) return statement;
  statement.tables = [...tables, ...routine.tables].sort((a, b) => a.offset - b.offset);
  if (routine.dynamic.length > 0) statement.dynamic = routine.dynamic;
  if (routine.problems.length > 0) statement.bodyProblems = routine.problems;
  return statement;
}

/**
 * Names taken from string lists (DROP, COMMENT ON) carry no position: each is looked for in the
 * statement's text after the previous one, and points at the statement when it is not found.
 */
function placeByName(sql: string, start: number, end: number, tables: FoundTable[]): TableRef[] {
  const text = sql.slice(start, end);
  const statementStart = text.length - text.trimStart().length;
  let from = 0;
  return tables.map((table) => {
    const at = findName(text, table, from);
    if (at >= 0) from = at + 1;
    return toTableRef(table, start + (at >= 0 ? at : statementStart));
  });
}

function findName(text: string, table: FoundTable, from: number): number {
  const schema = table.schema == null ? '' : `${namePattern(table.schema)}\\s*\\.\\s*`;
  const pattern = new RegExp(`(?<![\\w."])${schema}${namePattern(table.name)}(?![\\w"])`, 'gi');
  pattern.lastIndex = from;
  return pattern.exec(text)?.index ?? -1;
}

function namePattern(name: string): string {
  return `"?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?`;
}

function toTableRef(table: FoundTable, offset: number): TableRef {
  const { schema, name, role, referencedBy } = table;
  return { schema, name, role, offset, ...(referencedBy ? { referencedBy } : {}) };
}

function trimStatement(sql: string, start: number, end: number): { offset: number; text: string } {
  const raw = sql.slice(start, end);
  const leading = raw.length - raw.trimStart().length;
  return { offset: start + leading, text: raw.trim() };
}

function describeParseError(error: unknown, sql: string): ParseResult {
  if (hasSqlDetails(error) && error.sqlDetails) {
    // PostgreSQL counts the error cursor in characters (code points), not in bytes.
    const offset = createCodePointOffsetMapper(sql)(error.sqlDetails.cursorPosition);
    return { ok: false, message: error.sqlDetails.message, offset };
  }
  if (error instanceof RangeError) {
    return {
      ok: false,
      message: `SQL nested too deeply to parse (${error.message})`,
      offset: null,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, message, offset: null };
}
