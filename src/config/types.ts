import type { Dialect } from '../sql/types.js';

/** A `tables` entry: `schema.table`, `schema.*`, `prefix_*`, or a bare name (in defaultSchema). */
export interface TablePattern {
  /** The entry as written in the config. */
  source: string;
  /** null for a bare name when no defaultSchema is set: then it matches that name in any schema. */
  schema: string | null;
  name: string;
  line: number | null;
}

export interface ContextDef {
  name: string;
  code: string[];
  tables: TablePattern[];
  public: string[];
  /** Line of the context's name. */
  line: number | null;
  /** Line of each of its keys (code, tables, public). */
  keyLines: Record<string, number | null>;
}

export interface AllowRule {
  from: string;
  to: string;
  reason: string;
  /** read: accepts findings that only read `to`'s tables; read-write: every finding. */
  access: 'read' | 'read-write';
  line: number | null;
}

/** The validated context map, with every default filled in. */
export interface ContextMap {
  /** Absolute path of the config file. */
  file: string;
  /** Absolute path of the folder the config's paths are relative to. */
  root: string;
  dialect: Dialect;
  defaultSchema: string | null;
  include: string[];
  exclude: string[];
  contexts: ContextDef[];
  allow: AllowRule[];
  /** The `reconcile:` section, when the file has one. */
  reconcile?: ReconcileDef | null;
}

/** One table pair of the `reconcile:` section, defaults not yet filled in. */
export interface ReconcileTableDef {
  table: string;
  targetTable: string | null;
  key: string[];
  exclude: string[];
  rename: Record<string, string>;
  filter: string | null;
  targetFilter: string | null;
  settle: { column: string; seconds: number } | null;
  tolerance: Record<string, number>;
  mode: 'auto' | 'range' | 'bucket';
}

/** The `reconcile:` section: two connections (URLs or env:NAME) and the table pairs. */
export interface ReconcileDef {
  source: string;
  target: string;
  tables: ReconcileTableDef[];
}
