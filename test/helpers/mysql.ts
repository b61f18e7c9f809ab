import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

/** The MariaDB (or MySQL) that tests use; CI starts it (.ci/run). */
export const TEST_MYSQL_URL =
  process.env.DBBOUNDARY_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export interface TempMysqlDatabase {
  name: string;
  /** TEST_MYSQL_URL pointed at the new database. */
  url: string;
}

/**
 * Creates an empty database with a random name and runs the setup statements in it. A server
 * that does not answer fails the test with what to do: these tests are never skipped.
 */
export async function createTempMysqlDatabase(
  prefix = 'dbboundary_test',
  setup: string[] = [],
): Promise<TempMysqlDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  assertSafeName(name);
  await withMysql(TEST_MYSQL_URL, (connection) => connection.query(`CREATE DATABASE \`${name}\``));

  const url = mysqlUrlOf(name);
  try {
    await withMysql(url, async (connection) => {
      for (const statement of setup) await connection.query(statement);
    });
  } catch (error) {
    await dropMysqlDatabase(name);
    throw error;
  }
  return { name, url };
}

export async function dropMysqlDatabase(name: string): Promise<void> {
  assertSafeName(name);
  await withMysql(TEST_MYSQL_URL, (connection) =>
    connection.query(`DROP DATABASE IF EXISTS \`${name}\``),
  );
}

/** Runs fn with a connection (UTC, utf8mb4) and closes it afterwards. */
export async function withMysql<T>(
  url: string,
  fn: (connection: mysql.Connection) => Promise<T>,
): Promise<T> {
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection({ uri: url, connectTimeout: 10_000, timezone: 'Z' });
  } catch (error) {
    throw notAnswering(error);
  }

  try {
    await connection.query("SET time_zone = '+00:00'");
    return await fn(connection);
  } finally {
    await connection.end();
  }
}

export function mysqlUrlOf(database: string): string {
  const url = new URL(TEST_MYSQL_URL);
  url.pathname = `/${database}`;
  return url.href;
}

function assertSafeName(name: string): void {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a safe test database name: ${name}`);
}

function notAnswering(error: unknown): Error {
  const url = new URL(TEST_MYSQL_URL);
  if (url.password) url.password = '***';
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reason = (error instanceof Error && error.message) || code || String(error);
  return new Error(
    `MariaDB/MySQL is not answering at ${url.href} (${reason}). These tests need it: start it (CI does, in .ci/run), or point DBBOUNDARY_TEST_MYSQL_URL at another server.`,
  );
}
