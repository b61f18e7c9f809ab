import type { Cell, Engine } from '../db/session.js';

/** One pair of tables to compare, as the config or the flags give it. */
export interface PairSpec {
  /** Connection URLs or env:NAME. */
  source: string;
  target: string;
  table: string;
  targetTable: string;
  /** Key columns on the source side; the primary key when empty. */
  key: string[];
  /** Column names (either side) left out of the comparison. */
  exclude: string[];
  /** Source column name -> target column name. */
  rename: Record<string, string>;
  filter: string | null;
  targetFilter: string | null;
  /** An updated_at-style column (source name) and how long rows take to settle. */
  settle: { column: string; seconds: number } | null;
  /** Source column name -> largest difference still equal (floats). */
  tolerance: Record<string, number>;
  mode: 'auto' | 'range' | 'bucket';
  /** Where a pair from the config was written (file and table), for messages; absent for flags. */
  origin?: string;
}

export interface RunOptions {
  /** Rows per chunk; null sizes chunks from the table's estimated rows. */
  chunkRows: number | null;
  leafRows: number;
  maxDifferences: number;
  jobs: number;
  recheckDelaySeconds: number;
  recheckRounds: number;
  timeoutSeconds: number;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = {
  chunkRows: null,
  leafRows: 1_000,
  maxDifferences: 100_000,
  jobs: 2,
  recheckDelaySeconds: 5,
  recheckRounds: 3,
  timeoutSeconds: 300,
};

/** Key columns by name, values as the source database prints them (the target's for extra rows). */
export type KeyObject = Record<string, Cell>;

export interface ColumnDifference {
  source: Cell;
  target: Cell;
}

export interface ChangedRow {
  key: KeyObject;
  /** Target column name -> both values. */
  columns: Record<string, ColumnDifference>;
}

export interface Differences {
  missing: KeyObject[];
  extra: KeyObject[];
  changed: ChangedRow[];
}

export type DifferenceKind = 'missing' | 'extra' | 'changed';

/** A difference that did not last (transient) or that kept changing (in flight). */
export interface PassingDifference {
  kind: DifferenceKind;
  key: KeyObject;
}

export interface TableResult {
  source: string;
  target: string;
  /** The target's engine, which the repair statements are written for. */
  targetEngine: Engine;
  status: 'match' | 'differ';
  mode: 'range' | 'bucket';
  rows: { source: number; target: number };
  chunks: { total: number; differing: number };
  differences: Differences;
  transient: PassingDifference[];
  inFlight: PassingDifference[];
  /** Statements that would make the target match the source (confirmed differences only). */
  repair: string[];
  notes: string[];
  seconds: number;
}

export interface ReconcileResult {
  tables: TableResult[];
  seconds: number;
}
