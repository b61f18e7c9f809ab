/**
 * The one interface every SQL dialect sits behind. The checker never sees a parser's own tree:
 * it sees statements and the tables each one touches.
 */

export type Dialect = 'postgresql' | 'mysql';

/**
 * read: SELECT-like use; write: INSERT/UPDATE/DELETE/MERGE/TRUNCATE target; ddl: CREATE/ALTER/DROP/…;
 * reference: the target of a foreign key (REFERENCES), which `referencedBy` declares.
 */
export type TableRole = 'read' | 'write' | 'ddl' | 'reference';

export interface TableRef {
  /** Schema (PostgreSQL) or database (MySQL) as written, after the dialect's case folding; null when unqualified. */
  schema: string | null;
  /** Table, view or sequence name, after the dialect's case folding. */
  name: string;
  role: TableRole;
  /** 0-based offset in characters (not bytes) of the reference in the SQL text given to parse(). */
  offset: number;
  /** For a foreign key's target: the table that declares the key. */
  referencedBy?: { schema: string | null; name: string };
  /**
   * For a table named in a routine's body: the 0-based character offset of the body statement that
   * names it. Each body statement is judged on its own, as if the code had sent it.
   */
  bodyStatement?: number;
}

/** SQL text built at run time inside a routine (PL/pgSQL EXECUTE of an expression). */
export interface DynamicSql {
  /** 0-based character offset of the expression in the SQL text given to parse(). */
  offset: number;
  /** The expression as written, such as format('DELETE FROM %I', tbl). */
  expression: string;
}

/** A statement inside a routine's body that could not be read. */
export interface BodyProblem {
  /** 0-based character offset in the SQL text given to parse(). */
  offset: number;
  message: string;
}

export interface ParsedStatement {
  /** 0-based character offset of the statement's start in the SQL text. */
  offset: number;
  /** The statement's own text. */
  text: string;
  /**
   * Every real relation the statement references, in text order, duplicates kept; for a function,
   * procedure or DO block, the relations its body's statements reference too.
   */
  tables: TableRef[];
  /** Statements in the routine's body built at run time: their tables are unknown. */
  dynamic?: DynamicSql[];
  /** Parts of the routine's body that could not be parsed. */
  bodyProblems?: BodyProblem[];
}

export type ParseResult =
  | { ok: true; statements: ParsedStatement[] }
  /** offset: 0-based character offset of the error in the SQL text, when the parser says. */
  | { ok: false; message: string; offset: number | null };

export interface SqlFrontend {
  readonly dialect: Dialect;
  parse(sql: string): ParseResult;
  /**
   * The statement's shape as a short hex id: the same for the same statement whatever its
   * constants, placeholders, whitespace, comments and keyword case. Null when there is no shape to
   * take: empty text, or (PostgreSQL) text the parser rejects.
   */
  fingerprint(sql: string): string | null;
}
