/**
 * Reads the body of a function, procedure or DO block. PostgreSQL keeps a body as a string, so the
 * statement's own tree says nothing about the tables the body uses: a LANGUAGE sql body is parsed
 * as SQL, a PL/pgSQL body by PostgreSQL's PL/pgSQL parser, whose statements and expressions are
 * then parsed one by one. Positions are mapped back through the string literal to the SQL text.
 */
import { parsePlPgSQLSync, parseSync } from 'libpg-query';
import type { CreateFunctionStmt, DefElem, DoStmt, RawStmt } from 'libpg-query';

import { collectPostgresqlTables } from './postgresql-tables.js';
import { readStringLiteral } from './string-literal.js';
import type { StringLiteral } from './string-literal.js';
import { createByteOffsetMapper } from './text-offsets.js';
import type { BodyProblem, DynamicSql, TableRef } from './types.js';

export interface RoutineFacts {
  tables: TableRef[];
  dynamic: DynamicSql[];
  problems: BodyProblem[];
}

/** Where the body literal sits in the SQL text, and the way from body offsets to text offsets. */
interface Body {
  literal: StringLiteral | null;
  /** The body as PostgreSQL reads it. */
  text: string;
  /** Text offset used when a position cannot be mapped. */
  fallback: number;
}

interface PlExpr {
  query: string;
  parseMode: number;
  lineno: number;
  /** EXECUTE, RETURN QUERY EXECUTE, FOR … IN EXECUTE, OPEN … FOR EXECUTE. */
  dynamic: boolean;
}

/** Fields whose expression is SQL text to run, not SQL: the statements that run it. */
const DYNAMIC_FIELDS: Record<string, string> = {
  PLpgSQL_stmt_dynexecute: 'query',
  PLpgSQL_stmt_dynfors: 'query',
  PLpgSQL_stmt_return_query: 'dynquery',
  PLpgSQL_stmt_open: 'dynquery',
};

/** PL/pgSQL expressions are run as `SELECT <expression>`. */
const EXPRESSION_PREFIX = 'SELECT ';

/** parseMode of `target := expression` in PostgreSQL's RawParseMode (PLPGSQL_ASSIGN1..3). */
const ASSIGNMENT_MODES = new Set([3, 4, 5]);

/**
 * The tables, dynamic EXECUTEs and unreadable parts of a routine's body, or null when the
 * statement has no string body in SQL or PL/pgSQL (BEGIN ATOMIC bodies are part of the tree).
 */
export function readRoutine(
  raw: RawStmt,
  sql: string,
  statementStart: number,
  toCharOffset: (byte: number) => number,
): RoutineFacts | null {
  const options = routineOptions(raw.stmt);
  if (options == null) return null;

  const language = options.language ?? 'plpgsql';
  const asOption = options.as;
  if (asOption == null || (language !== 'sql' && language !== 'plpgsql')) return null;

  const start = asOption.location == null ? statementStart : toCharOffset(asOption.location);
  const literal = readStringLiteral(sql, skipAsKeyword(sql, start));
  const body: Body = {
    literal: literal?.value === options.body ? literal : null,
    text: options.body,
    fallback: literal?.contentStart ?? start,
  };
  const facts: RoutineFacts = { tables: [], dynamic: [], problems: [] };
  if (language === 'sql') readSqlBody(body, facts);
  else readPlpgsqlBody(statementText(sql, raw, toCharOffset, statementStart), body, facts);
  return facts;
}

function routineOptions(
  stmt: RawStmt['stmt'],
): { language?: string; body: string; as?: DefElem } | null {
  const node = stmt as { CreateFunctionStmt?: CreateFunctionStmt; DoStmt?: DoStmt } | undefined;
  const elements = node?.CreateFunctionStmt?.options ?? node?.DoStmt?.args;
  if (elements == null) return null;

  const defs = elements.flatMap((element) => {
    const def = (element as { DefElem?: DefElem }).DefElem;
    return def ? [def] : [];
  });
  const as = defs.find((def) => def.defname === 'as');
  const language = stringOf(defs.find((def) => def.defname === 'language')?.arg);
  const body = stringOf(as?.arg);
  if (body == null) return null;
  return { ...(language ? { language: language.toLowerCase() } : {}), body, ...(as ? { as } : {}) };
}

/** A String node, or the first String of a List (`AS 'obj_file', 'link_symbol'` has two). */
function stringOf(node: unknown): string | undefined {
  const value = node as { String?: { sval?: string }; List?: { items?: unknown[] } } | undefined;
  if (value?.String) return value.String.sval ?? '';
  const first = value?.List?.items?.[0];
  return first === undefined ? undefined : stringOf(first);
}

function skipAsKeyword(sql: string, at: number): number {
  const match = /^\s*as\b/i.exec(sql.slice(at, at + 20));
  return match ? at + match[0].length : at;
}

function statementText(
  sql: string,
  raw: RawStmt,
  toCharOffset: (byte: number) => number,
  start: number,
): string {
  const end = raw.stmt_len ? toCharOffset((raw.stmt_location ?? 0) + raw.stmt_len) : sql.length;
  return sql.slice(start, end);
}

/** A LANGUAGE sql body is a list of ordinary statements. */
function readSqlBody(body: Body, facts: RoutineFacts): void {
  readSqlText(body, body.text, 0, 0, facts, 'the PostgreSQL parser rejects this function body');
}

/**
 * Parses SQL found in the body at `bodyOffset`; `prefix` characters were put in front of it to make
 * it a statement, and come off every position.
 */
function readSqlText(
  body: Body,
  text: string,
  bodyOffset: number,
  prefix: number,
  facts: RoutineFacts,
  failure: string,
): boolean {
  let stmts: RawStmt[];
  try {
    stmts = parseSync(text).stmts ?? [];
  } catch (error) {
    const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails
      ?.cursorPosition;
    const at = cursor == null ? bodyOffset : bodyOffset + Math.max(0, cursor - prefix);
    facts.problems.push({ offset: toText(body, at), message: `${failure}: ${messageOf(error)}` });
    return false;
  }

  const toChar = createByteOffsetMapper(text);
  const inBody = (inText: number): number =>
    toText(body, bodyOffset + Math.max(0, inText - prefix));
  for (const raw of stmts) {
    const start = toChar(raw.stmt_location ?? 0);
    const bodyStatement = inBody(startOfCode(text, start));
    const found = collectPostgresqlTables(raw.stmt).sort((a, b) => a.location - b.location);
    for (const table of found) {
      const offset = inBody(table.location >= 0 ? toChar(table.location) : start);
      const { schema, name, role, referencedBy } = table;
      facts.tables.push({
        schema,
        name,
        role,
        offset,
        ...(referencedBy ? { referencedBy } : {}),
        bodyStatement,
      });
    }
  }
  return true;
}

/** The first character after blanks and comments: a statement's own start. */
function startOfCode(text: string, from: number): number {
  const lead = /^(?:\s+|--[^\n]*|\/\*[^]*?\*\/)*/.exec(text.slice(from))![0];
  return from + lead.length;
}

function readPlpgsqlBody(statement: string, body: Body, facts: RoutineFacts): void {
  let parsed: unknown;
  try {
    parsed = parsePlPgSQLSync(statement);
  } catch (error) {
    facts.problems.push({
      offset: toText(body, firstWordOf(body.text, 0)),
      message: `the PL/pgSQL parser rejects this body: ${messageOf(error)}`,
    });
    return;
  }

  const lineStarts = lineStartsOf(body.text);
  let cursor = 0;
  for (const expr of collectExpressions(parsed)) {
    const lineStart = lineStarts[Math.max(0, expr.lineno - 1)] ?? 0;
    const at = locate(body.text, expr.query, Math.max(lineStart, cursor), lineStart);
    if (at >= 0) cursor = at + expr.query.length;
    readExpression(body, expr, at >= 0 ? at : firstWordOf(body.text, lineStart), facts);
  }
}

function readExpression(body: Body, expr: PlExpr, at: number, facts: RoutineFacts): void {
  const failure = 'the PostgreSQL parser rejects this statement in the body';
  if (expr.dynamic) {
    const literal = readStringLiteral(expr.query, leadingBlanks(expr.query));
    const isWhole = literal != null && expr.query.slice(literal.end).trim() === '';
    if (!isWhole) {
      facts.dynamic.push({ offset: toText(body, at), expression: expr.query });
      return;
    }
    const start = at + literal.contentStart;
    const inner: Body = {
      ...body,
      literal: chain(body, literal, start),
      fallback: toText(body, at),
    };
    readSqlText(inner, literal.value, 0, 0, facts, failure);
    return;
  }
  if (expr.parseMode === 0) {
    readSqlText(body, expr.query, at, 0, facts, failure);
    return;
  }

  const assigned = ASSIGNMENT_MODES.has(expr.parseMode) ? /^[^]*?:?=/.exec(expr.query) : null;
  const skip = assigned ? assigned[0].length : 0;
  const expression = `${EXPRESSION_PREFIX}${expr.query.slice(skip)}`;
  readSqlText(body, expression, at + skip, EXPRESSION_PREFIX.length, facts, failure);
}

/**
 * A body offset of a string inside the body (EXECUTE 'SELECT …'): positions in that string go
 * through its own literal first, then through the body's.
 */
function chain(body: Body, literal: StringLiteral, start: number): StringLiteral {
  const runs: [number, number][] = literal.runs.map(([inValue, inQuery]) => [
    inValue,
    toText(body, start - literal.contentStart + inQuery),
  ]);
  return { ...literal, runs };
}

/** Maps an offset in the body to an offset in the SQL text. */
function toText(body: Body, bodyOffset: number): number {
  const literal = body.literal;
  if (literal == null) return body.fallback;
  let run = literal.runs[0]!;
  for (const candidate of literal.runs) {
    if (candidate[0] > bodyOffset) break;
    run = candidate;
  }
  return run[1] + (bodyOffset - run[0]);
}

/** Every SQL expression in a PL/pgSQL tree, in tree order, with the line it is on. */
function collectExpressions(tree: unknown): PlExpr[] {
  const found: PlExpr[] = [];
  const visit = (node: unknown, lineno: number, dynamicField: string | null): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, lineno, null);
      return;
    }
    if (typeof node !== 'object' || node === null) return;

    for (const [key, value] of Object.entries(node)) {
      if (key === 'PLpgSQL_expr') {
        const expr = value as { query?: string; parseMode?: number };
        found.push({
          query: expr.query ?? '',
          parseMode: expr.parseMode ?? 0,
          lineno,
          dynamic: dynamicField != null,
        });
        continue;
      }
      const line = (value as { lineno?: number } | null)?.lineno ?? lineno;
      const dynamic = Object.hasOwn(DYNAMIC_FIELDS, key) ? DYNAMIC_FIELDS[key]! : null;
      if (dynamic != null && typeof value === 'object' && value !== null) {
        for (const [field, inner] of Object.entries(value)) {
          visit(inner, line, field === dynamic ? field : null);
        }
      } else {
        visit(value, line, key === dynamicField ? dynamicField : null);
      }
    }
  };
  visit(tree, 1, null);
  return found;
}

/**
 * Where the expression is in the body. PL/pgSQL blanks out an INTO clause with spaces of the
 * same length, so a space in the query may stand for any character of the body.
 */
function locate(text: string, query: string, from: number, lineStart: number): number {
  const trimmed = query.trimStart();
  const lead = query.length - trimmed.length;
  const first = /^\S+/.exec(trimmed)?.[0];
  if (first == null) return -1;

  for (const start of [from, lineStart]) {
    for (let at = text.indexOf(first, start); at >= 0; at = text.indexOf(first, at + 1)) {
      if (matchesBlanked(text, at - lead, query)) return at - lead;
    }
  }
  return -1;
}

function matchesBlanked(text: string, at: number, query: string): boolean {
  if (at < 0 || at + query.length > text.length) return false;
  for (let index = 0; index < query.length; index += 1) {
    const expected = query[index];
    if (expected !== ' ' && text[at + index] !== expected) return false;
  }
  return true;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index += 1) {
    if (text[index] === '\n') starts.push(index + 1);
  }
  return starts;
}

function firstWordOf(text: string, from: number): number {
  const match = /\S/.exec(text.slice(from));
  return match ? from + match.index : from;
}

function leadingBlanks(text: string): number {
  return text.length - text.trimStart().length;
}

function messageOf(error: unknown): string {
  const details = (error as { sqlDetails?: { message?: string } }).sqlDetails;
  const message = details?.message ?? (error instanceof Error ? error.message : String(error));
  return message.replace(/^(?:Error: )+/, '');
}
