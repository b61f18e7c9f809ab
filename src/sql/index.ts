/**
 * Entry point of the SQL layer. Each dialect's parser is imported only when that dialect is asked
 * for, and loaded once per process.
 */
import type { Dialect, SqlFrontend } from './types.js';

export type {
  Dialect,
  ParseResult,
  ParsedStatement,
  SqlFrontend,
  TableRef,
  TableRole,
} from './types.js';

const loaded = new Map<Dialect, Promise<SqlFrontend>>();

export function loadSqlFrontend(dialect: Dialect): Promise<SqlFrontend> {
  const existing = loaded.get(dialect);
  if (existing) return existing;

  const loading = importFrontend(dialect);
  loaded.set(dialect, loading);
  // A failed load (a missing or broken install) may be retried after the user fixes it.
  loading.catch(() => loaded.delete(dialect));
  return loading;
}

async function importFrontend(dialect: Dialect): Promise<SqlFrontend> {
  switch (dialect) {
    case 'postgresql':
      return (await import('./postgresql.js')).loadPostgresqlFrontend();
    case 'mysql':
      return (await import('./mysql.js')).loadMysqlFrontend();
    default:
      // Reachable only from untyped callers; the config layer should have refused the value.
      throw new Error(`Unknown SQL dialect: ${String(dialect)}`);
  }
}
