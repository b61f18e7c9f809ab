/**
 * A small MySQL tokenizer: enough to split a script into statements and to find table names in
 * the text. It skips comments and keeps string literals whole, so a `;` or a name inside either is
 * never taken for code.
 */

export type MysqlTokenKind = 'word' | 'quoted-identifier' | 'string' | 'punctuation';

export interface MysqlToken {
  kind: MysqlTokenKind;
  /** Character offsets of the token in the text; end is exclusive. */
  start: number;
  end: number;
  /** Identifiers without their backticks; a string literal or punctuation as written. */
  value: string;
}

export function tokenizeMysql(text: string): MysqlToken[] {
  const tokens: MysqlToken[] = [];
  let index = 0;

  while (index < text.length) {
    const skipped = skipSpaceAndComments(text, index);
    if (skipped !== index) {
      index = skipped;
      continue;
    }
    const token = readToken(text, index);
    tokens.push(token);
    index = token.end;
  }
  return tokens;
}

function skipSpaceAndComments(text: string, index: number): number {
  const char = text[index] ?? '';
  if (/\s/.test(char)) return index + 1;
  if (char === '#' || startsLineComment(text, index)) return findLineEnd(text, index);
  if (text.startsWith('/*', index)) return findAfter(text, '*/', index + 2);
  return index;
}

/** MySQL wants whitespace (or the end) after `--`; `1--1` is arithmetic. */
function startsLineComment(text: string, index: number): boolean {
  if (!text.startsWith('--', index)) return false;
  const next = text[index + 2];
  return next === undefined || /\s/.test(next);
}

function readToken(text: string, index: number): MysqlToken {
  const char = text[index] ?? '';
  if (char === '`') return readQuoted(text, index, 'quoted-identifier');
  if (char === "'" || char === '"') return readQuoted(text, index, 'string');
  if (isWordCharacter(char)) return readWord(text, index);
  return { kind: 'punctuation', start: index, end: index + 1, value: char };
}

function readWord(text: string, start: number): MysqlToken {
  let end = start + 1;
  while (end < text.length && isWordCharacter(text[end] ?? '')) end += 1;
  return { kind: 'word', start, end, value: text.slice(start, end) };
}

/**
 * Reads a quoted run up to its closing quote. A doubled quote stands for itself; in strings a
 * backslash escapes the next character too. An unclosed run ends the text (the parser reports it).
 */
function readQuoted(text: string, start: number, kind: MysqlTokenKind): MysqlToken {
  const quote = text[start] ?? '';
  const end = findClosingQuote(text, start + 1, quote, kind === 'string');
  const inner = text.slice(start + 1, end - 1);
  const value = kind === 'string' ? text.slice(start, end) : inner.replaceAll(quote + quote, quote);
  return { kind, start, end, value };
}

/** Returns the offset just past the closing quote, or the text's length when there is none. */
function findClosingQuote(text: string, from: number, quote: string, escapes: boolean): number {
  let index = from;
  while (index < text.length) {
    const char = text[index];
    if (char === '\\' && escapes) {
      index += 2;
    } else if (char === quote && text[index + 1] === quote) {
      index += 2;
    } else if (char === quote) {
      return index + 1;
    } else {
      index += 1;
    }
  }
  return text.length;
}

function isWordCharacter(char: string): boolean {
  return /[A-Za-z0-9_$]/.test(char) || char.charCodeAt(0) >= 0x80;
}

function findLineEnd(text: string, index: number): number {
  const end = text.indexOf('\n', index);
  return end === -1 ? text.length : end + 1;
}

function findAfter(text: string, marker: string, index: number): number {
  const end = text.indexOf(marker, index);
  return end === -1 ? text.length : end + marker.length;
}
