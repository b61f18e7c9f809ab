import { loadModule, parseSync } from 'libpg-query';
import type { Engine } from '../db/session.js';
import { UserError } from '../errors.js';

/**
 * A filter is put in parentheses next to the chunk's key range, so it must be one condition that
 * stays inside them: quotes and parentheses balanced on its own, no comment, no second statement.
 * On PostgreSQL its own parser must also read `SELECT 1 WHERE <filter>` as one SELECT.
 */
export async function checkFilter(engine: Engine, filter: string, name: string): Promise<void> {
  const problem = scan(engine, filter) ?? (engine === 'postgresql' ? await parsePg(filter) : null);
  if (problem) {
    throw new UserError(
      `${name} ${JSON.stringify(filter)}: ${problem}; give one SQL condition, such as "created_at >= '2024-01-01'".`,
    );
  }
}

/** The first lexical problem outside quotes, or null. */
function scan(engine: Engine, filter: string): string | null {
  const quotes = engine === 'postgresql' ? `'"` : `'"\``;
  let depth = 0;
  for (let i = 0; i < filter.length; i++) {
    const char = filter[i]!;
    const pair = filter.slice(i, i + 2);
    if (quotes.includes(char)) {
      const end = closingQuote(engine, filter, i);
      if (end < 0) return `a ${char} quote is not closed`;
      i = end;
    } else if (
      engine === 'postgresql' &&
      char === '$' &&
      /^\$(?:[A-Za-z_]\w*)?\$/.test(filter.slice(i))
    ) {
      const tag = /^\$(?:[A-Za-z_]\w*)?\$/.exec(filter.slice(i))![0];
      const end = filter.indexOf(tag, i + tag.length);
      if (end < 0) return `a ${tag} quote is not closed`;
      i = end + tag.length - 1;
    } else if (pair === '--' || pair === '/*' || (engine === 'mysql' && char === '#')) {
      return 'it holds a comment';
    } else if (char === ';') {
      return 'it holds a ;';
    } else if (char === '(') {
      depth += 1;
    } else if (char === ')' && --depth < 0) {
      return 'it closes a parenthesis it did not open';
    }
  }
  return depth > 0 ? 'a parenthesis is not closed' : null;
}

/** Index of the quote closing the one at `start` (doubled quotes stay inside), or -1. */
function closingQuote(engine: Engine, text: string, start: number): number {
  const quote = text[start]!;
  for (let i = start + 1; i < text.length; i++) {
    if (engine === 'mysql' && quote !== '`' && text[i] === '\\') i += 1;
    else if (text[i] === quote) {
      if (text[i + 1] !== quote) return i;
      i += 1;
    }
  }
  return -1;
}

async function parsePg(filter: string): Promise<string | null> {
  await loadModule();
  try {
    const stmts = parseSync(`SELECT 1 WHERE ${filter}`).stmts ?? [];
    if (stmts.length !== 1 || !('SelectStmt' in (stmts[0]?.stmt ?? {}))) {
      return 'it is not one condition';
    }
    return null;
  } catch (error) {
    return `PostgreSQL cannot read it (${error instanceof Error ? error.message : String(error)})`;
  }
}
