import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL that tests use; CI starts it (.ci/run). */
export const TEST_PG_URL =
  process.env.DBBOUNDARY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TempDatabase {
  name: string;
  /** TEST_PG_URL pointed at the new database. */
  url: string;
}

/**
 * Creates an empty database with a random name (prefix_<hex>) and runs setup SQL in it. A server
 * that does not answer fails the test with what to do: these tests are never skipped.
 */
export async function createTempDatabase(
  prefix = 'dbboundary_test',
  setup = '',
): Promise<TempDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  assertSafeName(name);
  await withClient(TEST_PG_URL, (client) => client.query(`CREATE DATABASE "${name}"`));

  const url = urlOf(name);
  if (setup) await withClient(url, (client) => client.query(setup));
  return { name, url };
}

/** Drops a database made by createTempDatabase, closing any connection still open to it. */
export async function dropDatabase(name: string): Promise<void> {
  assertSafeName(name);
  await withClient(TEST_PG_URL, (client) =>
    client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}

/** Runs fn with a connected client and closes it afterwards. */
export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw notAnswering(error);
  }

  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** TEST_PG_URL with another database. */
export function urlOf(database: string): string {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${database}`;
  return url.href;
}

function assertSafeName(name: string): void {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a safe test database name: ${name}`);
}

function notAnswering(error: unknown): Error {
  const url = new URL(TEST_PG_URL);
  if (url.password) url.password = '***';
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reason = (error instanceof Error && error.message) || code || String(error);
  return new Error(
    `PostgreSQL is not answering at ${url.href} (${reason}). These tests need it: start it (CI does, in .ci/run), or point DBBOUNDARY_TEST_PG_URL at another server.`,
  );
}
