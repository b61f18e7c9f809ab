import mysql from 'mysql2/promise';
import type { Connection, FieldPacket, TypeCastField } from 'mysql2/promise';
import { UserError } from '../errors.js';
import { describeTarget, scrubSecrets } from './url.js';
import type { Cell, ColumnInfo, Session, TableInfo } from './session.js';
import { splitTableName } from './session.js';

/** Connecting waits no longer than a query may (--timeout), and at most this long. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Pinned like the PostgreSQL side: UTC, UTF-8, read-only, exact decimal division. */
const PINNED = [
  "SET time_zone = '+00:00'",
  'SET NAMES utf8mb4',
  'SET SESSION TRANSACTION READ ONLY',
  'SET SESSION div_precision_increment = 30',
];

/** Every value as the server's text; binary values as hex. */
function asText(field: TypeCastField, next: () => unknown): unknown {
  void next;
  if (
    ['BLOB', 'TINY_BLOB', 'MEDIUM_BLOB', 'LONG_BLOB', 'VAR_STRING', 'STRING'].includes(field.type)
  ) {
    const buffer = field.buffer();
    if (buffer == null) return null;
    return (field as { charset?: number }).charset === 63
      ? buffer.toString('hex')
      : buffer.toString('utf8');
  }
  return field.string();
}

export async function openMysqlSession(url: string, timeoutSeconds: number): Promise<Session> {
  const where = describeMysql(url);
  let connection: Connection;
  try {
    connection = await mysql.createConnection({
      uri: url,
      connectTimeout: Math.min(CONNECT_TIMEOUT_MS, timeoutSeconds * 1000),
      typeCast: asText,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      multipleStatements: false,
    });
  } catch (error) {
    throw mysqlFailure(error, url, `cannot connect to MySQL/MariaDB at ${where}`);
  }
  connection.on('error', () => undefined);

  const session = new MysqlSession(connection, url, where, timeoutSeconds);
  for (const statement of PINNED) await session.query(statement);
  return session;
}

class MysqlSession implements Session {
  readonly engine = 'mysql';

  constructor(
    private readonly connection: Connection,
    private readonly url: string,
    readonly where: string,
    private readonly timeoutSeconds: number,
  ) {}

  async query(sql: string, params: Cell[] = []): Promise<Cell[][]> {
    try {
      const [rows] = (await this.connection.query({
        sql,
        values: params,
        rowsAsArray: true,
        timeout: this.timeoutSeconds * 1000,
      })) as [unknown, FieldPacket[]];
      return Array.isArray(rows) ? (rows as Cell[][]) : [];
    } catch (error) {
      throw mysqlFailure(error, this.url, `query on ${this.where} failed`);
    }
  }

  async describeTable(table: string): Promise<TableInfo> {
    const parts = splitTableName(table);
    const [schema, name] = parts.length > 1 ? parts : [null, parts[0] ?? ''];
    const columns = await this.query(COLUMNS, [schema, name]);
    if (columns.length === 0) {
      throw new UserError(
        `${this.where}: no table ${table}; give it as schema.table, as the database names it.`,
      );
    }

    const key = await this.query(PRIMARY_KEY, [schema, name]);
    const [[estimate] = []] = await this.query(
      'SELECT CAST(COALESCE(TABLE_ROWS, 0) AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?',
      [schema, name],
    );
    return {
      serverVersion: 0,
      estimatedRows: Number(estimate ?? 0),
      name: table,
      columns: columns.map(columnOf),
      primaryKey: key.map(([column]) => column!),
    };
  }

  async close(): Promise<void> {
    await this.connection.end().catch(() => undefined);
  }
}

const COLUMNS = `
SELECT COLUMN_NAME, LOWER(DATA_TYPE), CAST(DATETIME_PRECISION AS CHAR), COALESCE(COLLATION_NAME, ''),
  LOWER(COLUMN_TYPE)
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?
ORDER BY ORDINAL_POSITION`;

const PRIMARY_KEY = `
SELECT COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY'
ORDER BY ORDINAL_POSITION`;

function columnOf(row: Cell[]): ColumnInfo {
  const [name, type, precision, collation, columnType] = row as string[];
  const unsigned = columnType!.includes('unsigned') ? ' unsigned' : '';
  return {
    name: name!,
    type: columnType === 'tinyint(1)' ? 'tinyint(1)' : `${type}${unsigned}`,
    fractionDigits: ['datetime', 'timestamp', 'time'].includes(type!)
      ? Number(precision ?? 0)
      : null,
    bytewiseOrder: /_bin$/.test(collation!) || collation === '',
    caseInsensitive: /_ci$/.test(collation!),
    isArray: false,
  };
}

/** `host:port/database` like describeTarget, with MySQL's default port. */
function describeMysql(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed) return describeTarget(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)';
  return `${parsed.hostname || 'localhost'}:${parsed.port || '3306'}/${database}`;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused; is MySQL/MariaDB running and listening there?',
  ENOTFOUND: 'no such host',
  ETIMEDOUT: 'no answer in time',
  ECONNRESET: 'the server closed the connection',
  PROTOCOL_CONNECTION_LOST: 'the server closed the connection',
  PROTOCOL_SEQUENCE_TIMEOUT: 'the query took longer than the timeout (--timeout)',
};

function mysqlFailure(error: unknown, url: string, what: string): unknown {
  if (error instanceof UserError || !(error instanceof Error)) return error;

  const code = (error as NodeJS.ErrnoException).code ?? '';
  const text = scrubSecrets(error.message.split('\n')[0]!.trim(), url);
  const reason = NETWORK_REASONS[code] ?? text;
  const line = `${what}: ${(reason || code).replace(/[.;\s]+$/, '')}`;
  return new UserError(line.endsWith('?') ? line : `${line}.`);
}
