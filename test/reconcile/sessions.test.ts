import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../../src/db/open-session.js';
import { createTempDatabase, dropDatabase } from '../helpers/pg.js';
import type { TempDatabase } from '../helpers/pg.js';
import { createTempMysqlDatabase, dropMysqlDatabase } from '../helpers/mysql.js';
import type { TempMysqlDatabase } from '../helpers/mysql.js';

let pg: TempDatabase;
let maria: TempMysqlDatabase;

beforeAll(async () => {
  pg = await createTempDatabase(
    'dbboundary_rc',
    'CREATE TABLE t (id int PRIMARY KEY, at timestamptz)',
  );
  maria = await createTempMysqlDatabase('dbboundary_rc', [
    'CREATE TABLE t (id int PRIMARY KEY, at datetime(6))',
  ]);
});

afterAll(async () => {
  if (pg) await dropDatabase(pg.name);
  if (maria) await dropMysqlDatabase(maria.name);
});

describe('reconcile sessions', () => {
  it.each([
    ['PostgreSQL', () => pg.url, /read-only transaction/],
    ['MariaDB', () => maria.url, /READ ONLY transaction/],
  ])('refuse every write on %s, temporary tables included', async (_, url, readOnly) => {
    const session = await openSession(url(), '--source', 30);
    try {
      await expect(session.query('INSERT INTO t VALUES (1, NULL)')).rejects.toThrow(readOnly);
      await expect(session.query('CREATE TEMPORARY TABLE scratch (id int)')).rejects.toThrow(
        /read.only/i,
      );
      expect(await session.query('SELECT count(*) FROM t')).toEqual([['0']]);
    } finally {
      await session.close();
    }
  });

  it.each([
    ['PostgreSQL', () => pg.url, 'SHOW TimeZone', 'UTC'],
    ['MariaDB', () => maria.url, 'SELECT @@session.time_zone', '+00:00'],
  ])('pin the time zone on %s to UTC', async (_, url, show, utc) => {
    const session = await openSession(url(), '--source', 30);
    try {
      expect(await session.query(show)).toEqual([[utc]]);
    } finally {
      await session.close();
    }
  });
});
