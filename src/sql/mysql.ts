/**
 * MySQL frontend: node-sql-parser in MySQL mode, our own walk over its tree, and a tokenizer that
 * splits statements and finds where each table is named (node-sql-parser gives no table positions).
 */
import { fingerprintMysql } from './mysql-fingerprint.js';
import { tokenizeMysql } from './mysql-lexer.js';
import type { MysqlToken } from './mysql-lexer.js';
import { collectMysqlTables } from './mysql-tables.js';
import type { NamedTable } from './mysql-tables.js';
import type { ParseResult, ParsedStatement, SqlFrontend, TableRef } from './types.js';

/** The part of node-sql-parser's Parser this module uses. */
export interface MysqlAstParser {
  astify(sql: string, options: AstifyOptions): unknown;
}

interface AstifyOptions {
  database: string;
  parseOptions: { includeLocations: boolean };
}

const ASTIFY_OPTIONS: AstifyOptions = {
  database: 'mysql',
  parseOptions: { includeLocations: true },
};

type TableName = Pick<NamedTable, 'schema' | 'name'>;

type ParseFailure = Extract<ParseResult, { ok: false }>;

interface StatementSpan {
  start: number;
  end: number;
  tokens: MysqlToken[];
}

export async function loadMysqlFrontend(): Promise<SqlFrontend> {
  // The MySQL-only build loads in about a quarter of the time of the all-dialect bundle.
  const { default: nodeSqlParser } = await import('node-sql-parser/build/mysql.js');
  const parser = new nodeSqlParser.Parser();
  return {
    dialect: 'mysql',
    parse: (sql) => parseMysql(parser, sql),
    fingerprint: fingerprintMysql,
  };
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
): { ok: true; statement: ParsedStatement } | ParseFailure {
  const text = sql.slice(span.start, span.end);
  if (isTableLock(span.tokens)) {
    return { ok: true, statement: { offset: span.start, text, tables: [] } };
  }
  let ast: unknown;
  try {
    ast = parser.astify(text, ASTIFY_OPTIONS);
  } catch (error) {
    const tables = unparsedTables(span);
    if (tables == null) return describeParseError(error, sql, span);
    return { ok: true, statement: { offset: span.start, text, tables } };
  }

  const tables = locateTables(collectMysqlTables(ast), span);
  return { ok: true, statement: { offset: span.start, text, tables } };
}

/**
 * `LOCK TABLES … WRITE` and `UNLOCK TABLES` hold the session's locks for the statements that
 * follow, as mysqldump writes around each table's rows: those statements are judged, not the lock.
 */
function isTableLock(tokens: MysqlToken[]): boolean {
  const [first, second] = tokens.map((token) =>
    token.kind === 'word' ? token.value.toUpperCase() : '',
  );
  return (first === 'LOCK' || first === 'UNLOCK') && (second === 'TABLES' || second === 'TABLE');
}

/**
 * Statements node-sql-parser rejects that mysqldump writes in every file. A `SET` that reads no
 * table (`SET NAMES utf8mb4`, `SET @saved = @@sql_mode`) only changes the session and names no
 * table; `ALTER TABLE t DISABLE KEYS` (and `ENABLE KEYS`) is a schema change of `t`. Null for
 * anything else, which stays a parse failure.
 */
function unparsedTables(span: StatementSpan): TableRef[] | null {
  const words = span.tokens.map((token) =>
    token.kind === 'word' ? token.value.toUpperCase() : '',
  );
  if (words[0] === 'SET') return words.includes('SELECT') ? null : [];

  const name = keysToggleTable(span.tokens, words);
  if (name == null) return null;
  return [{ ...name.table, role: 'ddl', offset: span.tokens[name.index]!.start }];
}

/** `ALTER TABLE [schema.]name DISABLE|ENABLE KEYS`, as written. */
function keysToggleTable(
  tokens: MysqlToken[],
  words: string[],
): { table: TableName; index: number } | null {
  if (words[0] !== 'ALTER' || words[1] !== 'TABLE') return null;
  const qualified = isDot(tokens[3]);
  const end = qualified ? 5 : 3;
  const toggle = words[end];
  if (tokens.length !== end + 2 || (toggle !== 'DISABLE' && toggle !== 'ENABLE')) return null;
  if (words[end + 1] !== 'KEYS') return null;

  const parts = tokens.slice(2, end).filter((token) => !isDot(token));
  if (!parts.every(isIdentifier)) return null;
  const name = parts.at(-1)!.value;
  const schema = qualified ? parts[0]!.value : null;
  return { table: { schema, name }, index: 2 };
}

/**
 * Finds where each table is named. FROM items come with the parser's position, checked against
 * the tokens; other names are searched for onward from the previous match, so repeated names land
 * on successive occurrences. A name not found points at the statement.
 */
function locateTables(found: NamedTable[], span: StatementSpan): TableRef[] {
  let cursor = 0;
  const tables = found.map(({ position, ...table }) => {
    const index =
      findTokenAtPosition(span, table, position) ??
      findNameToken(span.tokens, table, cursor) ??
      findNameToken(span.tokens, table, 0);
    if (index !== undefined) cursor = index + 1;
    const offset = index === undefined ? span.start : (span.tokens[index]?.start ?? span.start);
    return { ...table, offset };
  });
  return tables.sort((a, b) => a.offset - b.offset);
}

function findTokenAtPosition(
  span: StatementSpan,
  table: TableName,
  position: number | null,
): number | undefined {
  if (position === null) return undefined;
  const index = findTokenStartingAt(span.tokens, span.start + position);
  if (index === undefined || !matchesQualifiedName(span.tokens, index, partsOf(table))) {
    return undefined;
  }
  return index;
}

/** Binary search: tokens are in text order. */
function findTokenStartingAt(tokens: MysqlToken[], offset: number): number | undefined {
  let low = 0;
  let high = tokens.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const start = tokens[middle]?.start ?? offset;
    if (start === offset) return middle;
    if (start < offset) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}

/** The index of the first token of `schema.name` (or of a lone `name`) at or after `from`. */
function findNameToken(tokens: MysqlToken[], table: TableName, from: number): number | undefined {
  const parts = partsOf(table);

  for (let index = from; index < tokens.length; index += 1) {
    if (matchesQualifiedName(tokens, index, parts)) return index;
  }
  return undefined;
}

/**
 * Matches `a . b` exactly: not part of a longer dotted name such as a column `t.c`, and not a CTE
 * being defined (`x AS (`), which would otherwise catch a table that shares the CTE's name.
 */
function matchesQualifiedName(tokens: MysqlToken[], index: number, parts: string[]): boolean {
  if (isDot(tokens[index - 1])) return false;
  const matched = parts.every((part, offset) => {
    const token = tokens[index + offset * 2];
    const separator = offset === 0 || isDot(tokens[index + offset * 2 - 1]);
    return separator && isIdentifier(token) && token.value.toLowerCase() === part.toLowerCase();
  });
  const after = index + parts.length * 2 - 1;
  return matched && !isDot(tokens[after]) && !isCteDefinition(tokens, after);
}

function isCteDefinition(tokens: MysqlToken[], after: number): boolean {
  const keyword = tokens[after];
  return (
    keyword?.kind === 'word' &&
    keyword.value.toUpperCase() === 'AS' &&
    tokens[after + 1]?.value === '(' &&
    tokens[after + 1]?.kind === 'punctuation'
  );
}

function partsOf(table: TableName): string[] {
  return table.schema === null ? [table.name] : [table.schema, table.name];
}

function isIdentifier(token: MysqlToken | undefined): token is MysqlToken {
  return token?.kind === 'word' || token?.kind === 'quoted-identifier';
}

function isDot(token: MysqlToken | undefined): boolean {
  return token?.kind === 'punctuation' && token.value === '.';
}

/**
 * node-sql-parser's syntax errors carry a position relative to the text it was given, and a long
 * list of expected grammar tokens. The message names the token at that position instead, in the
 * same words PostgreSQL uses.
 */
function describeParseError(error: unknown, sql: string, span: StatementSpan): ParseFailure {
  const position = readErrorOffset(error);
  const offset = position === null ? null : span.start + position;

  if (error instanceof RangeError) {
    return { ok: false, message: `SQL nested too deeply to parse (${error.message})`, offset };
  }
  if (isGrammarError(error) && offset !== null) {
    return { ok: false, message: describeErrorPosition(sql, span, offset), offset };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, message, offset };
}

function describeErrorPosition(sql: string, span: StatementSpan, offset: number): string {
  const token = span.tokens.find((candidate) => candidate.end > offset);
  if (token === undefined) return 'syntax error at end of input';
  return `syntax error at or near "${sql.slice(token.start, token.end)}"`;
}

/** The generated parser's SyntaxError says what it expected and what it found. */
function isGrammarError(error: unknown): boolean {
  return error instanceof Error && 'expected' in error && 'found' in error;
}

function readErrorOffset(error: unknown): number | null {
  if (typeof error !== 'object' || error === null || !('location' in error)) return null;
  const location = error.location as { start?: { offset?: unknown } } | undefined;
  const offset = location?.start?.offset;
  return typeof offset === 'number' ? offset : null;
}
