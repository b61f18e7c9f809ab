/**
 * What reconcile needs from a database, whichever engine it is: the shape of a table, and
 * queries whose every value comes back as the database's own text, so that no value passes
 * through a JavaScript number or Date on the way.
 */
export type Engine = 'postgresql' | 'mysql';

/** A value as the database renders it; binary values as lower-case hex. */
export type Cell = string | null;

export interface ColumnInfo {
  name: string;
  /** The engine's type name, lower case (int8, numeric, timestamptz, varchar, datetime…). */
  type: string;
  /** Digits kept after the second for timestamps and times; null for other types. */
  fractionDigits: number | null;
  /** Whether text of this column orders byte by byte (C, POSIX, *_bin) on its side. */
  bytewiseOrder: boolean;
  /** Whether equal-ignoring-case text counts as one value there (MySQL *_ci collations). */
  caseInsensitive: boolean;
  isArray: boolean;
}

export interface TableInfo {
  /** The table as the user named it. */
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  /** The catalog's row estimate (0 when unknown), for sizing chunks and buckets. */
  estimatedRows: number;
  /** server_version_num on PostgreSQL; 0 on MySQL. */
  serverVersion: number;
}

export interface Session {
  readonly engine: Engine;
  /** `host:port/database`, never with a password. */
  readonly where: string;
  describeTable(table: string): Promise<TableInfo>;
  /** Runs one statement in a read-only transaction; placeholders as the engine writes them. */
  query(sql: string, params?: Cell[]): Promise<Cell[][]>;
  close(): Promise<void>;
}

/**
 * Splits `schema.table` (either part may be "quoted") into its parts. An unquoted part is the
 * exact name, inner spaces included (`public.Mixed Case`), as the catalog spells it.
 */
export function splitTableName(name: string): string[] {
  const parts: string[] = [];
  const pattern = /\s*(?:"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|([^."`]+?))\s*(\.|$)/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < name.length && (match = pattern.exec(name)) != null) {
    parts.push(match[1]?.replaceAll('""', '"') ?? match[2]?.replaceAll('``', '`') ?? match[3]!);
    if (match[4] === '') break;
  }
  return parts;
}
