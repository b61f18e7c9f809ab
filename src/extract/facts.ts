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
 * sql-tag: a template tagged sql`…`; literal: a string elsewhere whose text is clearly SQL;
 * sql-file: one statement of a .sql file.
 */
export type SqlOrigin = 'sql-call' | 'sql-tag' | 'literal' | 'sql-file';

/** [textOffset, fileOffset] pairs, sorted: from each pair on, characters map one to one. */
export type Runs = [number, number][];

/** Literal SQL text as the program holds it (escapes decoded), with the way back to the file. */
export interface SqlChunk {
  text: string;
  runs: Runs;
}

/** An interpolated value (`${…}`, or a non-literal operand of `+`): its text is known only at run time. */
export interface SqlHole {
  /** 0-based offset of the value's expression in the file. */
  hole: number;
  /** Set when the expression quotes an identifier (ident(x), escapeIdentifier(x)…): a name goes here. */
  isName?: true;
}

export type SqlPart = SqlChunk | SqlHole;

export interface SqlFact {
  origin: SqlOrigin;
  /** 0-based offset of the literal (or the first literal of a concatenation) in the file. */
  offset: number;
  /** The literal text and the values between, in order. */
  parts: SqlPart[];
  /** The SQL with each value as the placeholder its place asks for (see render.ts). */
  text: string;
  runs: Runs;
  /** How many values are interpolated. */
  interpolations: number;
  /**
   * 0-based offset of the code statement that holds the SQL (`const rows = await db.query(`),
   * when the walk knows it: a suppression comment above that statement covers the SQL.
   */
  statementOffset?: number;
}

export function isHole(part: SqlPart): part is SqlHole {
  return 'hole' in part;
}

export interface SyntaxProblem {
  offset: number;
  message: string;
}

/**
 * A comment that starts with `dbboundary-ignore`, as written:
 * `// dbboundary-ignore-next-line <rule>[, <rule>…] -- <reason>`. check/suppress.ts judges it.
 */
export interface SuppressionComment {
  /** 1-based line and column (UTF-16 code units) of the comment's start. */
  line: number;
  column: number;
  /** 0-based offset of the comment's start in the file. */
  offset: number;
  /** The line it silences: the one after the line the comment ends on. */
  nextLine: number;
  /** The first word: dbboundary-ignore-next-line, or whatever was written instead. */
  directive: string;
  /** The rule names between the directive and `--`, as written. */
  rules: string[];
  /** The text after `--`, trimmed; null when there is no `--`. */
  reason: string | null;
}

export interface FileFacts {
  imports: ImportFact[];
  sql: SqlFact[];
  syntaxErrors: SyntaxProblem[];
  suppressions: SuppressionComment[];
}

/** Maps an offset in a text back to an offset in the file, through the text's runs. */
export function fileOffsetOf(mapped: { runs: Runs }, textOffset: number, fallback = 0): number {
  const runs = mapped.runs;
  let low = 0;
  let high = runs.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (runs[middle]![0] <= textOffset) low = middle;
    else high = middle - 1;
  }
  const run = runs[low];
  return run ? run[1] + (textOffset - run[0]) : fallback;
}
