import { afterAll } from 'vitest';
import { createTempDatabase, dropDatabase } from '../helpers/pg.js';
import type { TempDatabase } from '../helpers/pg.js';
import { createTempMysqlDatabase, dropMysqlDatabase } from '../helpers/mysql.js';
import type { TempMysqlDatabase } from '../helpers/mysql.js';
import { runCli } from '../helpers/run-cli.js';
import type { CliRun } from '../helpers/run-cli.js';

export interface JsonTable {
  source: string;
  target: string;
  status: 'match' | 'differ';
  mode: 'range' | 'bucket';
  rows: { source: number; target: number };
  chunks: { total: number; differing: number };
  differences: {
    missing: Record<string, string | null>[];
    extra: Record<string, string | null>[];
    changed: {
      key: Record<string, string | null>;
      columns: Record<string, { source: string | null; target: string | null }>;
    }[];
  };
  transient: { kind: string; key: Record<string, string | null> }[];
  inFlight: { kind: string; key: Record<string, string | null> }[];
  notes: string[];
  matchingSince?: string;
}

export interface JsonRun extends CliRun {
  report: { status: string; tables: JsonTable[] } | null;
}

/** Runs reconcile with a JSON report and a short recheck delay, and parses the report. */
export async function reconcileJson(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<JsonRun> {
  const run = await runCli(
    ['reconcile', '--format', 'json', '--recheck-delay', '0.2', ...args],
    options,
  );
  let report = null;
  try {
    report = JSON.parse(run.stdout) as JsonRun['report'];
  } catch {
    report = null;
  }
  return { ...run, report };
}

/** The only table of a report. */
export function onlyTable(run: JsonRun): JsonTable {
  if (!run.report || run.report.tables.length !== 1) {
    throw new Error(`expected a report of one table; exit ${run.exitCode}, stderr: ${run.stderr}`);
  }
  return run.report.tables[0]!;
}

/** Changed rows as `key: columns` strings, sorted, for compact assertions. */
export function changedSummary(table: JsonTable): string[] {
  return table.differences.changed
    .map(
      (row) => `${Object.values(row.key).join(',')}: ${Object.keys(row.columns).sort().join(',')}`,
    )
    .sort();
}

export function keysOf(keys: Record<string, string | null>[]): string[] {
  return keys.map((key) => Object.values(key).join(',')).sort();
}

/**
 * Temporary PostgreSQL and MariaDB databases for one test file, all dropped after its tests:
 * `const { pg, maria } = temporaryDatabases();` at the top of the file.
 */
export function temporaryDatabases(): {
  pg: (setup: string) => Promise<TempDatabase>;
  maria: (setup: string[]) => Promise<TempMysqlDatabase>;
} {
  const pgCreated: TempDatabase[] = [];
  const myCreated: TempMysqlDatabase[] = [];
  afterAll(async () => {
    for (const db of pgCreated) await dropDatabase(db.name);
    for (const db of myCreated) await dropMysqlDatabase(db.name);
  });
  return {
    pg: async (setup) => {
      const db = await createTempDatabase('dbboundary_rc', setup);
      pgCreated.push(db);
      return db;
    },
    maria: async (setup) => {
      const db = await createTempMysqlDatabase('dbboundary_rc', setup);
      myCreated.push(db);
      return db;
    },
  };
}
