/**
 * Reads one PostgreSQL string constant ('…', E'…' or $tag$…$tag$) and keeps the way from each
 * character of its value back to the text, so that positions inside a function body written as a
 * string can be reported where they are in the file.
 */

export interface StringLiteral {
  /** Offsets in the text: where the literal starts, where its content starts, where it ends. */
  start: number;
  contentStart: number;
  end: number;
  /** The value, escapes decoded. */
  value: string;
  /** [valueOffset, textOffset] pairs, sorted: from each pair on, characters map one to one. */
  runs: [number, number][];
}

const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uFFFF][\w\u0080-\uFFFF]*)?\$/;

/** The literal starting at `at` (blanks and comments before it are skipped), or null. */
export function readStringLiteral(text: string, at: number): StringLiteral | null {
  const start = skipBlanks(text, at);
  const dollar = DOLLAR_TAG.exec(text.slice(start, start + 200));
  if (dollar) return readDollarQuoted(text, start, dollar[0]);
  if (text[start] === "'") return readQuoted(text, start, start + 1, false);
  if (/[eE]/.test(text[start] ?? '') && text[start + 1] === "'") {
    return readQuoted(text, start, start + 2, true);
  }
  return null;
}

function readDollarQuoted(text: string, start: number, tag: string): StringLiteral | null {
  const contentStart = start + tag.length;
  const close = text.indexOf(tag, contentStart);
  if (close < 0) return null;
  return {
    start,
    contentStart,
    end: close + tag.length,
    value: text.slice(contentStart, close),
    runs: [[0, contentStart]],
  };
}

/** '' stands for one quote; in E'' strings a backslash escapes the next character too. */
function readQuoted(
  text: string,
  start: number,
  contentStart: number,
  backslashes: boolean,
): StringLiteral | null {
  let value = '';
  const runs: [number, number][] = [[0, contentStart]];
  for (let index = contentStart; index < text.length; index += 1) {
    const char = text[index]!;
    const isEscape = (char === "'" && text[index + 1] === "'") || (backslashes && char === '\\');
    if (char === "'" && !isEscape) {
      return { start, contentStart, end: index + 1, value, runs };
    }
    if (isEscape) {
      value += char === '\\' ? unescape(text[index + 1] ?? '') : "'";
      index += 1;
      runs.push([value.length, index + 1]);
      continue;
    }
    value += char;
  }
  return null;
}

function unescape(char: string): string {
  const named: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
  return named[char] ?? char;
}

function skipBlanks(text: string, at: number): number {
  let index = at;
  for (;;) {
    const rest = text.slice(index);
    const blank = /^(?:\s+|--[^\n]*|\/\*[^]*?\*\/)/.exec(rest);
    if (!blank || blank[0].length === 0) return index;
    index += blank[0].length;
  }
}
