/**
 * Decides whether a string is SQL. A log line that names a table is not a query, so text counts
 * as SQL only when it starts like a statement and reads like SQL: an uppercase keyword, or SQL
 * punctuation such as $1, =, *, ::. Where SQL is run (a query call or an sql tag) the statement's
 * first keyword and either of those is enough; elsewhere the text must also have a statement's
 * shape (SELECT … FROM, INSERT INTO, UPDATE … SET, …).
 */

const STATEMENT_START =
  /^(?:select|insert|update|delete|with|merge|create|alter|drop|truncate|grant|revoke|comment\s+on|copy|lock|refresh|replace|upsert|call|prepare|execute|listen|notify|unlisten|load|handler|rename|vacuum|analyze|reindex|cluster|do|begin|commit|rollback|savepoint|set|show|explain|values|table)\b/i;

/** Shapes that prose rarely has: what a statement needs after its first keyword. */
const STATEMENT_SHAPES = [
  /^select\b[\s\S]*?\bfrom\b/i,
  /^select\s+(?:\*|\d|\$|\w+\s*\(|count\b|exists\b|1\b)/i,
  /^insert\s+(?:ignore\s+)?into\s/i,
  /^replace\s+into\s/i,
  /^update\s+[\w"`.]+(?:\s+(?:as\s+)?\w+)?\s+set\s/i,
  /^update\s+[\w"`.]+\s[\s\S]*\bjoin\b[\s\S]*\bset\s/i,
  /^delete\s+(?:[\w`.]+(?:\s*,\s*[\w`.]+)*\s+)?from\s/i,
  /^with\s+(?:recursive\s+)?[\w"`]+\s*(?:\([^)]*\))?\s+as\s*(?:not\s+)?(?:materialized\s+)?\(/i,
  /^merge\s+into\s/i,
  /^(?:create|alter|drop)\s+(?:or\s+replace\s+)?(?:unique\s+|temp\s+|temporary\s+|unlogged\s+|materialized\s+|foreign\s+)?(?:table|view|index|schema|sequence|type|function|procedure|trigger|extension|policy|domain|role|database)\b/i,
  /^truncate\s+(?:table\s+)?[\w"`]/i,
  /^(?:grant|revoke)\s[\s\S]*\bon\b/i,
  /^comment\s+on\s/i,
  /^refresh\s+materialized\s+view\s/i,
  /^copy\s+[\w"`.]+[\s\S]*\b(?:from|to)\b/i,
  /^prepare\s+\w+\s*(?:\([^)]*\))?\s*as\s/i,
];

const SQL_PUNCTUATION = /\$\d|[\s(,=]\?|\*|\s=|::|;\s*$|\bon\s+conflict\b/i;

export type SqlSite = 'sql' | 'prose' | 'other';

/** Strips what may stand before the first keyword: blanks, comments, opening parentheses. */
function statementStart(text: string): string {
  let rest = text;
  for (;;) {
    const trimmed = rest.replace(/^[\s(]+/, '');
    if (trimmed.startsWith('--')) {
      const end = trimmed.indexOf('\n');
      rest = end < 0 ? '' : trimmed.slice(end + 1);
    } else if (trimmed.startsWith('/*')) {
      const end = trimmed.indexOf('*/');
      rest = end < 0 ? '' : trimmed.slice(end + 2);
    } else {
      return trimmed;
    }
  }
}

export function isSqlText(text: string, site: SqlSite): boolean {
  if (site === 'prose' || text.length < 6) return false;
  const start = statementStart(text.length > 4096 ? text.slice(0, 4096) : text);
  const keyword = STATEMENT_START.exec(start);
  if (!keyword) return site === 'sql' && looksLikeMistypedStatement(start);

  const head = start.length > 2048 ? start.slice(0, 2048) : start;
  const hasShape = STATEMENT_SHAPES.some((shape) => shape.test(head));
  const readsLikeSql = keyword[0] === keyword[0].toUpperCase() || SQL_PUNCTUATION.test(head);
  if (site === 'sql') return readsLikeSql || hasShape;
  return hasShape && readsLikeSql;
}

/**
 * Whether text that starts with this prefix is SQL outside the places SQL is run, whatever
 * follows: no when the prefix already holds a first word that starts no statement. A prefix
 * that leaves it open (blanks only, an unfinished word or comment, COMMENT before ON) may be SQL.
 */
export function mayStartStatement(prefix: string): boolean {
  if (prefix.length > 4096) return true;
  const start = statementStart(prefix);
  if (start === '' || start.startsWith('-') || start.startsWith('/')) return true;
  const word = /^\w*/.exec(start)![0];
  if (word.length === start.length || word.toLowerCase() === 'comment') return true;
  return STATEMENT_START.test(start);
}

/**
 * Where SQL is run, an uppercase first word followed by FROM, INTO, SET or WHERE is a statement
 * with a typo (SELEC * FROM …): it goes to the parser so that the typo is reported, not skipped.
 */
function looksLikeMistypedStatement(start: string): boolean {
  return /^[A-Z]{3,}\b/.test(start) && /\b(?:FROM|INTO|SET|WHERE)\b/.test(start.slice(0, 2048));
}
