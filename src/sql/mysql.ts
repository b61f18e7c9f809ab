/**
 * MySQL frontend: node-sql-parser in MySQL mode, our own walk over its tree, and a tokenizer that
 * splits statements and finds where each table is named (node-sql-parser gives no table positions).
 */
import { tokenizeMysql } from './mysql-lexer.js';
import type { MysqlToken } from './mysql-lexer.js';
import { collectMysqlTables } from './mysql-tables.js';
import type { NamedTable } from './mysql-tables.js';
import type { ParseResult, ParsedStatement, SqlFrontend, TableRef } from './types.js';

/** The part of node-sql-parser's Parser this module uses. */
export interface MysqlAstParser {
  astify(sql: string, options: { database: string }): unknown;
}

interface StatementSpan {
  start: number;
  end: number;
  tokens: MysqlToken[];
}

export async function loadMysqlFrontend(): Promise<SqlFrontend> {
  // The MySQL-only build loads in about a quarter of the time of the all-dialect bundle.
  const { default: nodeSqlParser } = await import('node-sql-parser/build/mysql.js');
  const parser = new nodeSqlParser.Parser();
  return { dialect: 'mysql', parse: (sql) => parseMysql(parser, sql) };
}

/**
 * Parses statement by statement, so an error's position and the statement texts come from our own
 * split. The first statement that fails makes the whole result a failure.
 */
export function parseMysql(parser: MysqlAstParser, sql: string): ParseResult {
  const statements: ParsedStatement[] = [];

  for (const span of splitStatements(tokenizeMysql(sql))) {
    const result = parseStatement(parser, sql, span);
    if (!result.ok) return result;
    statements.push(result.statement);
  }
  return { ok: true, statements };
}

/** Cuts the token stream at each `;`; a run with no tokens (only comments) is no statement. */
function splitStatements(tokens: MysqlToken[]): StatementSpan[] {
  const spans: StatementSpan[] = [];
  let current: MysqlToken[] = [];

  for (const token of [...tokens, null]) {
    if (token !== null && !(token.kind === 'punctuation' && token.value === ';')) {
      current.push(token);
      continue;
    }
    const first = current[0];
    const last = current.at(-1);
    if (first && last) spans.push({ start: first.start, end: last.end, tokens: current });
    current = [];
  }
  return spans;
}

function parseStatement(
  parser: MysqlAstParser,
  sql: string,
  span: StatementSpan,
): { ok: true; statement: ParsedStatement } | Extract<ParseResult, { ok: false }> {
  const text = sql.slice(span.start, span.end);
  let ast: unknown;
  try {
    ast = parser.astify(text, { database: 'mysql' });
  } catch (error) {
    return describeParseError(error, span.start);
  }

  const tables = locateTables(collectMysqlTables(ast), span);
  return { ok: true, statement: { offset: span.start, text, tables } };
}

/**
 * Finds each table's name in the statement's tokens, searching onward from the previous match
 * so repeated names land on successive occurrences. A name not found points at the statement.
 */
function locateTables(found: NamedTable[], span: StatementSpan): TableRef[] {
  let cursor = 0;
  const tables = found.map((table) => {
    const index = findNameToken(span.tokens, table, cursor) ?? findNameToken(span.tokens, table, 0);
    if (index !== undefined) cursor = index + 1;
    const offset = index === undefined ? span.start : (span.tokens[index]?.start ?? span.start);
    return { ...table, offset };
  });
  return tables.sort((a, b) => a.offset - b.offset);
}

/** The index of the first token of `schema.name` (or of a lone `name`) at or after `from`. */
function findNameToken(tokens: MysqlToken[], table: NamedTable, from: number): number | undefined {
  const parts = table.schema === null ? [table.name] : [table.schema, table.name];

  for (let index = from; index < tokens.length; index += 1) {
    if (matchesQualifiedName(tokens, index, parts)) return index;
  }
  return undefined;
}

/** Matches `a . b` exactly: not part of a longer dotted name such as a column `t.c`. */
function matchesQualifiedName(tokens: MysqlToken[], index: number, parts: string[]): boolean {
  if (isDot(tokens[index - 1])) return false;
  const matched = parts.every((part, offset) => {
    const token = tokens[index + offset * 2];
    const separator = offset === 0 || isDot(tokens[index + offset * 2 - 1]);
    return separator && isIdentifier(token) && token.value.toLowerCase() === part.toLowerCase();
  });
  return matched && !isDot(tokens[index + parts.length * 2 - 1]);
}

function isIdentifier(token: MysqlToken | undefined): token is MysqlToken {
  return token?.kind === 'word' || token?.kind === 'quoted-identifier';
}

function isDot(token: MysqlToken | undefined): boolean {
  return token?.kind === 'punctuation' && token.value === '.';
}

/** node-sql-parser's syntax errors carry a position relative to the text it was given. */
function describeParseError(
  error: unknown,
  statementStart: number,
): Extract<ParseResult, { ok: false }> {
  const message = error instanceof Error ? error.message : String(error);
  const position = readErrorOffset(error);
  const offset = position === null ? null : statementStart + position;

  if (error instanceof RangeError) {
    return { ok: false, message: `SQL nested too deeply to parse (${message})`, offset };
  }
  return { ok: false, message, offset };
}

function readErrorOffset(error: unknown): number | null {
  if (typeof error !== 'object' || error === null || !('location' in error)) return null;
  const location = error.location as { start?: { offset?: unknown } } | undefined;
  const offset = location?.start?.offset;
  return typeof offset === 'number' ? offset : null;
}
