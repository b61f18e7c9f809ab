import type { Dialect } from '../sql/types.js';
import { fileOffsetOf, isHole } from './facts.js';
import type { Runs, SqlChunk, SqlPart } from './facts.js';

/**
 * Turns SQL with interpolated values into text a parser accepts. A value's text is known only
 * at run time, so each one becomes what its place in the statement asks for: a parameter where
 * a value goes, a stand-in name after FROM or before a dot, a parenthesised list after VALUES
 * or IN. When that text still does not parse, the checker asks for other renderings in turn.
 */

/** Stand-in names for values that hold a table, schema or column name. */
export const STAND_IN_NAME = /dbb_value_\d+/;

/** How a value in a plain value position is written: fit the place, drop it, or make it a name. */
export type ValueStyle = 'fit' | 'empty' | 'name';

export interface RenderOptions {
  values: ValueStyle;
  /** Rewrite driver placeholders the dialect's parser does not know (?, ??, $<name>, $1:name). */
  driverPlaceholders: boolean;
}

export interface RenderedSql {
  text: string;
  runs: Runs;
}

export const FIT: RenderOptions = { values: 'fit', driverPlaceholders: false };

/** The renderings the checker tries, in order, until one parses. */
export const FALLBACKS: RenderOptions[] = [
  { values: 'fit', driverPlaceholders: true },
  { values: 'empty', driverPlaceholders: true },
  { values: 'name', driverPlaceholders: true },
];

export function renderSql(parts: SqlPart[], dialect: Dialect, options: RenderOptions): RenderedSql {
  let text = '';
  const runs: Runs = [];
  let holes = 0;

  parts.forEach((part, index) => {
    if (!isHole(part)) {
      const chunk = options.driverPlaceholders ? rewriteDriverPlaceholders(part, dialect) : part;
      for (const [at, source] of chunk.runs) runs.push([text.length + at, source]);
      text += chunk.text;
      return;
    }
    holes += 1;
    const next = parts[index + 1];
    const after = next && !isHole(next) ? next.text : '';
    runs.push([text.length, part.hole]);
    text += part.isName
      ? `dbb_value_${holes}`
      : fillHole(text, after, holes, dialect, options.values);
  });
  return { text, runs };
}

/** What may stand just before a value that cannot be left out: an operator, a keyword that takes one. */
const NEEDS_A_VALUE =
  /(?:[=<>(,+\-*/|%]|\b(?:like|ilike|is|not|and|or|any|all|limit|offset|then|else|when|between|by|select|where|having|on|returning|interval|distinct))\s*$/i;

function fillHole(
  before: string,
  after: string,
  n: number,
  dialect: Dialect,
  values: ValueStyle,
): string {
  const tail = before.slice(-64);
  const name = `dbb_value_${n}`;
  const value = dialect === 'mysql' ? '?' : `$${n}`;

  if (tail.endsWith('$')) return String(n);
  if (/[\w."`]$/.test(tail) || /^[\w."`]/.test(after)) return name;
  if (/\binto\s+[\w."`]+\s*$/i.test(tail)) return `(${name}) VALUES (${value})`;
  if (/\b(?:from|join|into|update|table|truncate|only|as|using)\s*$/i.test(tail)) return name;
  if (/\bvalues\s*$/i.test(tail)) return `(${Array(columnCount(tail)).fill(value).join(', ')})`;
  if (/\bin\s*$/i.test(tail)) return `(${value})`;
  if (/\bset\s*$/i.test(tail)) return `${name} = ${value}`;
  if (values === 'fit') return value;
  if (values === 'empty') return NEEDS_A_VALUE.test(tail) ? value : '';
  return name;
}

/** How many columns the `(a, b)` list before VALUES names; 1 when there is none. */
function columnCount(tail: string): number {
  const list = /\(([^()]*)\)\s*values\s*$/i.exec(tail);
  return list ? list[1]!.split(',').length : 1;
}

/**
 * Placeholders of drivers and query builders that the database never sees as written:
 * knex's ? and ?? (PostgreSQL has no ?), pg-promise's $<name>, $(name), ${name} and the
 * :name / :raw / ^ / ~ modifiers, mysql2's ?? for identifiers.
 */
function rewriteDriverPlaceholders(chunk: SqlChunk, dialect: Dialect): SqlChunk {
  let counter = 900;
  const next = (): number => (counter += 1);
  if (dialect === 'mysql') {
    // mysql's driver expands `VALUES ?`, `SET ?` and `IN ?` from arrays and objects, and ?? to a name.
    return rewriteChunk(chunk, /\?\?|\b(values|in|set)(\s+)\?/gi, (match) => {
      if (match[0] === '??') return `dbb_value_${next()}`;
      const keyword = match[1]!.toLowerCase();
      const filled = keyword === 'set' ? `dbb_value_${next()} = ?` : '(?)';
      return `${match[1]}${match[2]}${filled}`;
    });
  }

  const named = rewriteChunk(
    chunk,
    /\$(?:<\w+(?:\.\w+)*(:\w+|[~^])?>|\(\w+(?:\.\w+)*(:\w+|[~^])?\)|\{\w+(?:\.\w+)*(:\w+|[~^])?\}|\[\w+(?:\.\w+)*(:\w+|[~^])?\]|\d+(:\w+|[~^]))/g,
    (match) => {
      const modifier = match[1] ?? match[2] ?? match[3] ?? match[4] ?? match[5] ?? '';
      return /^(?::name|:alias|~)$/.test(modifier) ? `dbb_value_${next()}` : `$${next()}`;
    },
  );
  return rewriteChunk(named, /\?\?|\?/g, (match) =>
    match[0] === '??' ? `dbb_value_${next()}` : `$${next()}`,
  );
}

/** Replaces each match in a chunk, keeping every other character's way back to the file. */
function rewriteChunk(
  chunk: SqlChunk,
  pattern: RegExp,
  replace: (match: RegExpExecArray) => string,
): SqlChunk {
  let text = '';
  const runs: Runs = [];
  let last = 0;

  const copy = (from: number, to: number): void => {
    if (from >= to) return;
    runs.push([text.length, fileOffsetOf(chunk, from)]);
    for (const [at, source] of chunk.runs) {
      if (at > from && at < to) runs.push([text.length + at - from, source]);
    }
    text += chunk.text.slice(from, to);
  };

  for (const match of chunk.text.matchAll(pattern)) {
    copy(last, match.index);
    runs.push([text.length, fileOffsetOf(chunk, match.index)]);
    text += replace(match);
    last = match.index + match[0].length;
  }
  if (last === 0) return chunk;
  copy(last, chunk.text.length);
  return { text, runs };
}
