import { createHash } from 'node:crypto';
import pg from 'pg';
import { UserError } from '../errors.js';
import { describeTarget, scrubSecrets } from './url.js';
import type { Cell, ColumnInfo, Session, TableInfo } from './session.js';
import { splitTableName } from './session.js';

/** Connecting waits no longer than a query may (--timeout), and at most this long. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Settings pinned for every reconcile session, so that both sides render values alike: UTC,
 * shortest exact floats, ISO dates, hex bytea. Every statement's transaction is read-only.
 */
const PINNED_OPTIONS = [
  'TimeZone=UTC',
  'extra_float_digits=1',
  'DateStyle=ISO,YMD',
  'IntervalStyle=postgres',
  'bytea_output=hex',
  'client_encoding=UTF8',
  'default_transaction_read_only=on',
]
  .map((setting) => `-c ${setting}`)
  .join(' ');

/** Every type comes back as the server's text; pg would turn some into numbers and Dates. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

export async function openPgSession(url: string, timeoutSeconds: number): Promise<Session> {
  const where = describeTarget(url);
  let client: pg.Client;
  try {
    client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: Math.min(CONNECT_TIMEOUT_MS, timeoutSeconds * 1000),
      statement_timeout: timeoutSeconds * 1000,
      query_timeout: timeoutSeconds * 1000 + 5000,
      application_name: 'dbboundary reconcile',
      options: PINNED_OPTIONS,
      types: RAW_TEXT,
    });
  } catch (error) {
    throw pgFailure(error, url, `cannot use the connection settings for ${where}`);
  }
  client.on('error', () => undefined);

  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw pgFailure(error, url, `cannot connect to PostgreSQL at ${where}`);
  }
  return new PgSession(client, url, where);
}

class PgSession implements Session {
  readonly engine = 'postgresql';

  constructor(
    private readonly client: pg.Client,
    private readonly url: string,
    readonly where: string,
  ) {}

  async query(sql: string, params: Cell[] = []): Promise<Cell[][]> {
    try {
      // Named, so the server parses and plans a statement once per connection, not per chunk.
      const name = `dbboundary_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      const result = await this.client.query<Cell[]>({
        name,
        text: sql,
        values: params,
        rowMode: 'array',
      });
      return result.rows;
    } catch (error) {
      throw pgFailure(error, this.url, `query on ${this.where} failed`);
    }
  }

  async describeTable(table: string): Promise<TableInfo> {
    const quoted = splitTableName(table)
      .map((part) => `"${part.replaceAll('"', '""')}"`)
      .join('.');
    const [[oid] = []] = await this.query('SELECT to_regclass($1)::oid::text', [quoted]);
    if (oid == null) {
      throw new UserError(
        `${this.where}: no table ${table}; give it as schema.table, as the database names it.`,
      );
    }

    const [[collate] = []] = await this.query(
      'SELECT datcollate FROM pg_database WHERE datname = current_database()',
    );
    const columns = await this.query(COLUMNS, [oid]);
    const key = await this.query(PRIMARY_KEY, [oid]);
    const [[estimate] = []] = await this.query(
      'SELECT greatest(reltuples, 0)::bigint::text FROM pg_class WHERE oid = $1::oid',
      [oid],
    );
    const [[version] = []] = await this.query("SELECT current_setting('server_version_num')");
    return {
      serverVersion: Number(version ?? 0),
      estimatedRows: Number(estimate ?? 0),
      name: table,
      columns: columns.map((row) => columnOf(row, collate ?? '')),
      primaryKey: key.map(([name]) => name!),
    };
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

const COLUMNS = `
SELECT a.attname, t.typname, a.atttypmod::text, coalesce(co.collname, ''),
  (t.typcategory = 'A')::text, coalesce(et.typname, '')
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

const PRIMARY_KEY = `
SELECT a.attname
FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = $1::oid AND i.indisprimary
ORDER BY k.ord`;

const TIME_TYPES = new Set(['timestamp', 'timestamptz', 'time', 'timetz']);

function columnOf(row: Cell[], databaseCollation: string): ColumnInfo {
  const [name, type, typmod, collation, isArray, elementType] = row as string[];
  const effective = collation === 'default' ? databaseCollation : collation;
  return {
    name: name!,
    type: isArray === 'true' ? `${elementType}[]` : type!,
    fractionDigits: TIME_TYPES.has(type!) ? (Number(typmod) >= 0 ? Number(typmod) : 6) : null,
    bytewiseOrder: effective === 'C' || effective === 'POSIX' || effective === 'ucs_basic',
    caseInsensitive: false,
    isArray: isArray === 'true',
  };
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused; is PostgreSQL running and listening there?',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved',
  ETIMEDOUT: 'no answer in time',
  ECONNRESET: 'the server closed the connection',
  '57P01': 'the server ended the connection',
  '57014': 'the query took longer than the timeout (--timeout)',
};

/** One line for the user, without the URL or its password. */
function pgFailure(error: unknown, url: string, what: string): unknown {
  if (error instanceof UserError || !(error instanceof Error)) return error;

  const code = (error as NodeJS.ErrnoException).code ?? '';
  const text = scrubSecrets(error.message.split('\n')[0]!.trim(), url);
  const reason =
    NETWORK_REASONS[code] ?? (/timeout/i.test(text) ? 'no answer in time (--timeout)' : text);
  const line = `${what}: ${(reason || text || code).replace(/[.;\s]+$/, '')}`;
  return new UserError(line.endsWith('?') ? line : `${line}.`);
}
