/**
 * MySQL statement fingerprints. node-sql-parser has no fingerprint of its own, so the statement
 * is reduced to its shape with our tokenizer: comments dropped, words lower-cased (MySQL compares
 * keywords and, in dbboundary, names without case), literals and placeholders made `?`, and value
 * lists collapsed, as libpg-query does for PostgreSQL.
 */
import { shortHash } from './fingerprint.js';
import { tokenizeMysql } from './mysql-lexer.js';
import type { MysqlToken } from './mysql-lexer.js';

/** A list of values only: `(?, ?, ?)` is `(?)`, whatever its length. */
const VALUE_LIST = /\( \?(?: , \?)+ \)/g;

/** Rows after VALUES that read alike: `(?, now()), (?, now())` is one row. */
const REPEATED_ROWS = /(\( [^()]* \))(?: , \1)+/g;

export function fingerprintMysql(sql: string): string | null {
  const shape = normalizeMysql(sql);
  return shape === '' ? null : shortHash(shape);
}

export function normalizeMysql(sql: string): string {
  const words = joinDecimals(tokenizeMysql(sql).map(wordOf));

  return words.join(' ').replace(VALUE_LIST, '( ? )').replace(REPEATED_ROWS, '$1');
}

function wordOf(token: MysqlToken): string {
  switch (token.kind) {
    case 'string':
      return '?';
    case 'quoted-identifier':
      return token.value.toLowerCase();
    case 'word':
      return /^[0-9]/.test(token.value) ? '?' : token.value.toLowerCase();
    case 'punctuation':
      return token.value;
  }
}

/** The tokenizer reads `1.5` as `1`, `.`, `5`; a number is one value. Named `:id` too. */
function joinDecimals(words: string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index]!;
    const next = words[index + 1];
    if (word === '.' && joined.at(-1) === '?' && next === '?') {
      index += 1;
    } else if (word === ':' && next !== undefined && /^[a-z_]\w*$/.test(next)) {
      joined.push('?');
      index += 1;
    } else {
      joined.push(word);
    }
  }
  return joined;
}
