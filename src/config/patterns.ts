import type { Dialect } from '../sql/types.js';
import type { TablePattern } from './types.js';

/**
 * Reads one identifier as the dialect would: PostgreSQL folds an unquoted name to lower case and
 * keeps a double-quoted one exactly ("" inside quotes stands for "); MySQL compares names without
 * case, quoted or not. `*` stays a wildcard either way. Null when the text is not one name.
 */
export function parseIdentifier(text: string, dialect: Dialect): string | null {
  const parts = splitParts(text, dialect);
  return parts?.length === 1 ? parts[0]! : null;
}

/** Reads a `tables` entry; null when it is not `schema.table`, `schema.*` or a bare name. */
export function parseTablePattern(
  source: string,
  defaultSchema: string | null,
  dialect: Dialect,
  line: number | null,
): TablePattern | null {
  const parts = splitParts(source, dialect);
  if (parts?.length === 1) return { source, schema: defaultSchema, name: parts[0]!, line };
  if (parts?.length === 2) return { source, schema: parts[0]!, name: parts[1]!, line };
  return null;
}

/** Splits `a.b` into its folded names; a part is either quoted whole or holds no quote, dot or space. */
function splitParts(text: string, dialect: Dialect): string[] | null {
  const parts: string[] = [];
  let rest = text;
  for (;;) {
    const quoted = /^"((?:[^"]|"")+)"/.exec(rest);
    const plain = quoted ? null : /^[^."\s]+/.exec(rest);
    if (!quoted && !plain) return null;

    const name = quoted ? quoted[1]!.replaceAll('""', '"') : foldUnquoted(plain![0]);
    parts.push(dialect === 'mysql' ? name.toLowerCase() : name);
    rest = rest.slice((quoted ?? plain)![0].length);
    if (rest === '') return parts;
    if (!rest.startsWith('.')) return null;
    rest = rest.slice(1);
  }
}

/** PostgreSQL folds only ASCII letters of an unquoted name; the parser does the same to SQL. */
function foldUnquoted(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** True when some table matches both patterns. Two wildcard patterns overlap only when equal or when one is *. */
export function patternsOverlap(a: TablePattern, b: TablePattern): boolean {
  return partsOverlap(a.schema, b.schema) && partsOverlap(a.name, b.name);
}

function partsOverlap(a: string | null, b: string | null): boolean {
  // A bare name with no default schema may meet a qualified pattern in some schema; whether it
  // does depends on the tables queried, so that case is left to the check itself.
  if (a == null || b == null) return a == null && b == null;
  if (!a.includes('*')) return wildcardMatch(b, a);
  if (!b.includes('*')) return wildcardMatch(a, b);
  return a === b || a === '*' || b === '*';
}

export function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const source = pattern.split('*').map(escapeRegExp).join('.*');
  return new RegExp(`^${source}$`).test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
