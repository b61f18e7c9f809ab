/**
 * Entry point of the SQL layer. Each dialect's parser is imported only when that dialect is asked
 * for, and loaded once per process.
 */
import v8 from 'node:v8';
import { textFingerprint } from './fingerprint.js';
import type { Dialect, SqlFrontend } from './types.js';

export { textFingerprint } from './fingerprint.js';

export type {
  Dialect,
  ParseResult,
  ParsedStatement,
  SqlFrontend,
  TableRef,
  TableRole,
} from './types.js';

const loaded = new Map<Dialect, Promise<SqlFrontend>>();
const ready = new Map<Dialect, SqlFrontend>();

export function loadSqlFrontend(dialect: Dialect): Promise<SqlFrontend> {
  const existing = loaded.get(dialect);
  if (existing) return existing;

  const loading = importFrontend(dialect);
  loaded.set(dialect, loading);
  loading.then(
    (frontend) => ready.set(dialect, frontend),
    // A failed load (a missing or broken install) may be retried after the user fixes it.
    () => loaded.delete(dialect),
  );
  return loading;
}

/**
 * The fingerprint of one statement's text, by the dialect's frontend, which the check has loaded
 * before it parses anything. Falls back to the text's own fingerprint when the frontend has none.
 */
export function fingerprintStatement(dialect: Dialect, sql: string): string {
  return ready.get(dialect)?.fingerprint(sql) ?? textFingerprint(sql);
}

async function importFrontend(dialect: Dialect): Promise<SqlFrontend> {
  switch (dialect) {
    case 'postgresql':
      keepWasmBaselineCode();
      return (await import('./postgresql.js')).loadPostgresqlFrontend();
    case 'mysql':
      return (await import('./mysql.js')).loadMysqlFrontend();
    default:
      // Reachable only from untyped callers; the config layer should have refused the value.
      throw new Error(`Unknown SQL dialect: ${String(dialect)}`);
  }
}

/**
 * A check parses a few thousand statements at most. V8 compiles the PostgreSQL parser's WASM with
 * its baseline compiler, then recompiles hot functions with its optimizing one; for that many
 * statements the recompiling costs more time than it saves and keeps about 45 MB more memory
 * (1,600 statements: 65 ms and 64 MB resident with baseline code only, 105 to 150 ms and 110 to
 * 120 MB with both). Past some 20,000 statements optimized code would be faster (30,000: 1.7 s
 * against 1.5 s). The flag holds for WASM compiled after it is set: libpg-query starts compiling
 * as it is imported, so it is set before.
 */
function keepWasmBaselineCode(): void {
  v8.setFlagsFromString('--liftoff-only');
}
