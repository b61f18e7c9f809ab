/** What extraction learns about one source file: plain data, so it can be cached and compared. */

export type ImportKind = 'static' | 'type' | 'export' | 'dynamic' | 'require';

export interface ImportFact {
  specifier: string;
  kind: ImportKind;
  /** 0-based offset of the specifier literal (its opening quote) in the file. */
  offset: number;
}

/**
 * sql-call: an argument of a call that runs SQL (query, execute, raw…);
 * sql-tag: a template tagged sql`…`; literal: a string elsewhere whose text is clearly SQL.
 */
export type SqlOrigin = 'sql-call' | 'sql-tag' | 'literal';

export interface SqlFact {
  /** The SQL as the database would receive it; each interpolated value is a placeholder. */
  text: string;
  origin: SqlOrigin;
  /** 0-based offset of the literal (or the first literal of a concatenation) in the file. */
  offset: number;
  /** [sqlOffset, fileOffset] pairs, sorted: from each pair on, characters map one to one. */
  runs: [number, number][];
  /** How many placeholders stand for interpolated values. */
  interpolations: number;
}

export interface SyntaxProblem {
  offset: number;
  message: string;
}

export interface FileFacts {
  imports: ImportFact[];
  sql: SqlFact[];
  syntaxErrors: SyntaxProblem[];
}

/** Maps an offset in a fact's SQL text back to an offset in the file. */
export function fileOffsetOf(fact: SqlFact, sqlOffset: number): number {
  let low = 0;
  let high = fact.runs.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (fact.runs[middle]![0] <= sqlOffset) low = middle;
    else high = middle - 1;
  }
  const run = fact.runs[low];
  return run ? run[1] + (sqlOffset - run[0]) : fact.offset;
}
