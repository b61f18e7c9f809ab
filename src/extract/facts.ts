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
  /** A constant of another file the value may come from; the project pass puts its text in. */
  ref?: SymbolValue;
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
  /**
   * For a statement of a .sql file followed by psql's `\gexec`: the command's offset. psql runs
   * each value the statement returns as SQL, which is known only at run time.
   */
  gexec?: number;
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
  /** Query builders, ORM entities and relations, transactions: absent when the file has none. */
  builders?: BuilderFacts;
  /** The file's exported names other files may look up: constants, tables, entities. */
  exports?: Record<string, SymbolValue>;
  /** Specifiers of `export * from …`: names not found in `exports` may come from there. */
  reexports?: string[];
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

/**
 * What a name in the code stands for, as far as one file can tell: a constant's text, a constant
 * object's fields, a table (a Drizzle table object or a TypeORM entity class), or a reference into
 * another file that the project pass follows (src/check/project.ts).
 */
export type SymbolValue =
  | { text: string }
  | { fields: Record<string, SymbolValue> }
  | { concat: SymbolValue[] }
  | { table: TableName; via: 'drizzle' | 'entity'; relations?: Record<string, SymbolValue> }
  | { import: string; name: string; path: string[] }
  | { unknown: string };

export interface TableName {
  schema: string | null;
  name: string;
}

export type BuilderLibrary = 'knex' | 'kysely' | 'typeorm' | 'prisma' | 'drizzle';

/** read: the statement only reads the table; write: it inserts, updates or deletes rows of it. */
export type TableAccess = 'read' | 'write';

/** Where a query builder or ORM call names a table, and how. */
export type TableSource =
  /** A table as a string names it in the builder: `schema.table`, `table as alias`. */
  | { text: string }
  /** A name to look up: a constant, a Drizzle table or an entity class, maybe in another file. */
  | { symbol: SymbolValue }
  /** A Prisma Client model accessor (`prisma.order`), mapped to a table by schema.prisma. */
  | { model: string }
  /** A Prisma relation field reached from a model (`include: { lines: true }`). */
  | { modelRelation: { model: string; path: string[] } }
  /** A TypeORM join along a relation property (`leftJoin('order.lines', 'l')`). */
  | { entityRelation: { entity: SymbolValue; property: string } }
  /** Raw SQL for one clause (knex `joinRaw`, `fromRaw`): parsed as that clause of a statement. */
  | { fragment: { clause: 'join' | 'from'; text: string } }
  /** The name is known only at run time. */
  | { dynamic: string };

export interface BuilderTableRef {
  /** 0-based offset in the file of the expression that names the table. */
  offset: number;
  access: TableAccess;
  source: TableSource;
  /** Set where the argument may be data, not a table (`insert(rows)`): dropped unless a table. */
  optional?: true;
}

/** One query built by a chain of builder calls: it runs as one statement. */
export interface BuilderStatement {
  library: BuilderLibrary;
  /** 0-based offsets of the chain's start and end in the file. */
  offset: number;
  end: number;
  tables: BuilderTableRef[];
  /** Index into the file's transactions when the statement runs inside one. */
  transaction?: number;
}

/** A transaction: its builder statements are marked with its index, its raw SQL calls listed here. */
export interface TransactionFact {
  /** 0-based offset of the call (or BEGIN) that opens it. */
  offset: number;
  kind: BuilderLibrary | 'sql';
  /** [start, end) file ranges of the SQL arguments run in it; SQL facts inside belong to it. */
  sqlRanges: [number, number][];
}

/** A TypeORM relation decorator on a property of an entity class. */
export interface RelationFact {
  /** 0-based offset of the decorator's name. */
  offset: number;
  decorator: string;
  /** The entity class holding the property, and the one the relation points at. */
  from: SymbolValue;
  to: SymbolValue;
}

export interface BuilderFacts {
  statements: BuilderStatement[];
  transactions: TransactionFact[];
  relations: RelationFact[];
  /** Names the file gives common table expressions (`.with('recent', …)`): files importing it may select from them. */
  ctes?: string[];
}

/** A constant's text in SQL, every character pointing at the value that holds it. */
export function constantChunk(text: string, at: number): SqlChunk {
  return { text, runs: Array.from({ length: Math.max(text.length, 1) }, (_, i) => [i, at]) };
}

/**
 * A copy of text taken from a file's source. V8 keeps a substring of a long string as a view into
 * it, so an import specifier or a constant kept for the whole run would keep its file's whole text
 * in memory: on 7,000 files, some 15 MB more at the peak.
 */
export function detached(text: string): string {
  return (' ' + text).slice(1);
}

/** A copy of a value whose texts come from a file's source (see detached). */
export function detachedValue(value: SymbolValue): SymbolValue {
  return JSON.parse(JSON.stringify(value)) as SymbolValue;
}
