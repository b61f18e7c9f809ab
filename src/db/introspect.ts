import pg from 'pg';
import { UserError } from '../errors.js';
import { assertPostgresUrl, describeTarget, resolveDatabaseUrl, scrubSecrets } from './url.js';

const CONNECT_TIMEOUT_MS = 10_000;
const QUERY_TIMEOUT_MS = 30_000;

/**
 * The tables and views of every schema a user made, by schema: system schemas (pg_catalog,
 * information_schema, pg_toast, pg_temp_*) and what extensions own are left out, and so are
 * partitions, which belong to their parent table. A schema without tables is listed empty.
 */
const TABLES_BY_SCHEMA = `
SELECT n.nspname AS schema, c.relname AS table
FROM pg_catalog.pg_namespace n
LEFT JOIN pg_catalog.pg_class c
  ON c.relnamespace = n.oid
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND NOT c.relispartition
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  )
WHERE n.nspname <> 'information_schema'
  AND n.nspname !~ '^pg_'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e'
  )
ORDER BY 1, 2`;

/**
 * Reads which tables each schema of a PostgreSQL database holds, in a read-only transaction that
 * queries the catalogs only. `url` may be `env:NAME`. Messages never show the URL's secrets.
 */
export async function introspectTableOwnership(url: string): Promise<Record<string, string[]>> {
  const resolved = resolveDatabaseUrl(url);
  assertPostgresUrl(resolved);
  const client = await connect(resolved);

  try {
    await client.query('BEGIN READ ONLY');
    const { rows } = await client.query<{ schema: string; table: string | null }>(TABLES_BY_SCHEMA);
    await client.query('ROLLBACK');
    return groupBySchema(rows);
  } catch (error) {
    throw failure(error, resolved, `cannot read the catalog of ${describeTarget(resolved)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function connect(url: string): Promise<pg.Client> {
  const client = createClient(url);
  // A connection lost between queries also fails the query waiting on it; without a listener
  // the same error would end the process instead.
  client.on('error', () => undefined);

  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw failure(error, url, `cannot connect to PostgreSQL at ${describeTarget(url)}`);
  }
}

/** The driver reads files the URL names (sslrootcert, sslcert…) as it builds the client. */
function createClient(url: string): pg.Client {
  try {
    return new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: QUERY_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      application_name: 'dbboundary',
    });
  } catch (error) {
    throw failure(error, url, `cannot use the connection settings for ${describeTarget(url)}`);
  }
}

function groupBySchema(rows: { schema: string; table: string | null }[]): Record<string, string[]> {
  const bySchema: Record<string, string[]> = {};
  for (const { schema, table } of rows) {
    bySchema[schema] ??= [];
    if (table != null) bySchema[schema].push(table);
  }
  return bySchema;
}

/** Network failures Node reports by code, often with an empty message (several addresses tried). */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused; is PostgreSQL running and listening there?',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved',
  ETIMEDOUT: 'no answer in time',
  EHOSTUNREACH: 'the host cannot be reached',
  ECONNRESET: 'the server closed the connection',
};

/** What to check, by PostgreSQL error code. */
const HINTS: Record<string, string> = {
  '3D000': 'check the database name',
  '28P01': 'check the user name and password',
  '28000': 'check the user name, and that pg_hba.conf lets it in',
  '42501': 'the user needs to be able to read the catalogs',
};

/** One line for the user, without the URL or its password, whatever the driver put in its message. */
export function failure(error: unknown, url: string, what: string): unknown {
  if (!(error instanceof Error)) return error;

  const code = (error as NodeJS.ErrnoException).code ?? '';
  const text = scrubSecrets(error.message.split('\n')[0]!.trim(), url);
  const reason = NETWORK_REASONS[code] ?? (timedOut(text) ? 'no answer in time' : text || code);
  const line = `${what}: ${reason.replace(/[.;\s]+$/, '')}${HINTS[code] ? `; ${HINTS[code]}` : ''}`;
  return new UserError(line.endsWith('?') ? line : `${line}.`);
}

function timedOut(message: string): boolean {
  return /timeout/i.test(message);
}
