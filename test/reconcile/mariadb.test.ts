import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withMysql } from '../helpers/mysql.js';
import { changedSummary, keysOf, onlyTable, reconcileJson } from './helpers.js';
import { temporaryDatabases } from './helpers.js';
import type { TempDatabase } from '../helpers/pg.js';
import type { TempMysqlDatabase } from '../helpers/mysql.js';
import { makeTree } from '../helpers/tempdir.js';

const { pg, maria } = temporaryDatabases();

const PG_ITEMS = `
CREATE TABLE items (
  id bigint PRIMARY KEY, qty int, price numeric(12,2), at timestamptz, stamp timestamp(6),
  day date, name text, note text, active bool, bin bytea, ref uuid
);
INSERT INTO items
SELECT g, g * 10, g * 1.5, '2024-03-01 12:00:00+00'::timestamptz + g * interval '1.5 second',
  '2024-03-01 12:00:00.123567'::timestamp + g * interval '1 day', '2024-01-01'::date + g,
  'café ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END, g % 2 = 0,
  decode(lpad(to_hex(g), 4, '0'), 'hex'), md5(g::text)::uuid
FROM generate_series(1, 60) g;
`;

/** The same rows in MariaDB types: decimal with another scale, datetime(3), latin1 text, tinyint(1). */
const MARIA_ITEMS = [
  `CREATE TABLE items (
    id bigint PRIMARY KEY, qty int, price decimal(14,3), at datetime(6), stamp datetime(3),
    day date, name varchar(40) CHARACTER SET latin1, note text, active tinyint(1), bin varbinary(8),
    ref char(36)
  )`,
  `INSERT INTO items
   SELECT seq, seq * 10, seq * 1.5, TIMESTAMPADD(MICROSECOND, seq * 1500000, '2024-03-01 12:00:00'),
     TIMESTAMPADD(DAY, seq, '2024-03-01 12:00:00.124'), DATE_ADD('2024-01-01', INTERVAL seq DAY),
     CONCAT('café ', seq), IF(seq % 3 = 0, NULL, CONCAT('n', seq)), seq % 2 = 0,
     UNHEX(LPAD(HEX(seq), 4, '0')),
     UPPER(CONCAT_WS('-', SUBSTR(MD5(seq), 1, 8), SUBSTR(MD5(seq), 9, 4), SUBSTR(MD5(seq), 13, 4),
       SUBSTR(MD5(seq), 17, 4), SUBSTR(MD5(seq), 21, 12)))
   FROM seq_1_to_60`,
];

const CHANGES = [
  'DELETE FROM items WHERE id = 2',
  "INSERT INTO items (id, name) VALUES (1000, 'only here')",
  'UPDATE items SET qty = qty + 1 WHERE id = 4',
  'UPDATE items SET price = price + 0.001 WHERE id = 5',
  'UPDATE items SET at = TIMESTAMPADD(MICROSECOND, 1, at) WHERE id = 7',
  "UPDATE items SET stamp = '2024-03-09 12:00:00.123' WHERE id = 8",
  'UPDATE items SET day = DATE_ADD(day, INTERVAL 1 DAY) WHERE id = 10',
  "UPDATE items SET name = 'cafe 11' WHERE id = 11",
  "UPDATE items SET note = '' WHERE id = 12",
  'UPDATE items SET active = 1 - active WHERE id = 13',
  "UPDATE items SET bin = UNHEX('00') WHERE id = 14",
  'UPDATE items SET ref = LOWER(ref) WHERE id = 16',
  "UPDATE items SET ref = '00000000-0000-0000-0000-000000000000' WHERE id = 17",
];

describe('PostgreSQL and MariaDB', () => {
  let source: TempDatabase;
  let target: TempMysqlDatabase;

  beforeAll(async () => {
    source = await pg(PG_ITEMS);
    target = await maria([...MARIA_ITEMS, ...CHANGES]);
  });

  it('finds every kind of difference from PostgreSQL to MariaDB, and nothing else', async () => {
    const run = await reconcileJson([
      '--source',
      source.url,
      '--target',
      target.url,
      '--table',
      'items',
      '--chunk-rows',
      '16',
    ]);

    expect(run.exitCode).toBe(1);
    const table = onlyTable(run);
    expect(table.mode).toBe('range');
    expect(keysOf(table.differences.missing)).toEqual(['2']);
    expect(keysOf(table.differences.extra)).toEqual(['1000']);
    // 16 differs only in uuid case and is equal; 12 is NULL against ''.
    expect(changedSummary(table)).toEqual(
      [
        '4: qty',
        '5: price',
        '7: at',
        '8: stamp',
        '10: day',
        '11: name',
        '12: note',
        '13: active',
        '14: bin',
        '17: ref',
      ].sort(),
    );
  });

  it('finds the same from MariaDB to PostgreSQL, the kinds turned round', async () => {
    const run = await reconcileJson([
      '--source',
      target.url,
      '--target',
      source.url,
      '--table',
      'items',
    ]);

    const table = onlyTable(run);
    expect(keysOf(table.differences.missing)).toEqual(['1000']);
    expect(keysOf(table.differences.extra)).toEqual(['2']);
    expect(changedSummary(table)).toHaveLength(10);
  });

  it('writes repair SQL for MariaDB that makes it match when run', async () => {
    const repaired = await maria([...MARIA_ITEMS, ...CHANGES]);
    const file = path.join(makeTree({}), 'repair.sql');
    const args = ['--source', source.url, '--target', repaired.url, '--table', 'items'];

    expect((await reconcileJson([...args, '--repair-sql', file])).exitCode).toBe(1);
    const statements = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('--'));
    // The session's time zone pinned first, then one statement per differing row.
    expect(statements[0]).toBe("SET time_zone = '+00:00';");
    expect(statements).toHaveLength(13);
    await withMysql(repaired.url, async (connection) => {
      for (const statement of statements) await connection.query(statement);
    });

    const again = await reconcileJson(args);
    expect(again.exitCode).toBe(0);
    expect(onlyTable(again).status).toBe('match');
  });

  it('holds doubles equal across engines whatever notation each prints', async () => {
    const values = ['1.5e-5', '1e20', '1e-16', '-2.5e-300', '0.1', '123456789012345.6', '-0.0'];
    const rows = values.map((value, index) => `(${index + 1}, ${value})`).join(', ');
    const pgSource = await pg(`CREATE TABLE f (id int PRIMARY KEY, v float8);
      INSERT INTO f VALUES ${rows}, (8, 0.3);`);
    const mariaTarget = await maria([
      'CREATE TABLE f (id int PRIMARY KEY, v double)',
      `INSERT INTO f VALUES ${rows.replaceAll(/, (-?[\d.]+)\)/g, ', $1e0)')}, (8, 0.1e0 + 0.2e0)`,
    ]);

    const run = await reconcileJson([
      '--source',
      pgSource.url,
      '--target',
      mariaTarget.url,
      '--table',
      'f',
    ]);

    expect(changedSummary(onlyTable(run))).toEqual(['8: v']);
    expect(onlyTable(run).differences.changed[0]!.columns.v).toEqual({
      source: '0.3',
      target: '0.30000000000000004',
    });
  });

  it('finds the rows that differ inside a chunk larger than a leaf on MariaDB', async () => {
    const pgSource = await pg(`CREATE TABLE w (id bigint PRIMARY KEY, v text);
      INSERT INTO w SELECT g, 'v' || g FROM generate_series(1, 6000) g;`);
    const mariaTarget = await maria([
      'CREATE TABLE w (id bigint PRIMARY KEY, v text)',
      "INSERT INTO w SELECT seq, CONCAT('v', seq) FROM seq_1_to_6000",
      'DELETE FROM w WHERE id IN (17, 4500)',
      "UPDATE w SET v = 'changed' WHERE id IN (42, 2999)",
      "INSERT INTO w VALUES (9000, 'new')",
    ]);

    const run = await reconcileJson([
      '--source',
      pgSource.url,
      '--target',
      mariaTarget.url,
      '--table',
      'w',
      '--chunk-rows',
      '3000',
    ]);

    const table = onlyTable(run);
    expect(keysOf(table.differences.missing)).toEqual(['17', '4500']);
    expect(keysOf(table.differences.extra)).toEqual(['9000']);
    expect(changedSummary(table)).toEqual(['2999: v', '42: v']);
  });

  it('leaves a row written within the settle window on MariaDB in flight', async () => {
    const pgSource = await pg(`CREATE TABLE s (id int PRIMARY KEY, v text, updated_at timestamptz);
      INSERT INTO s SELECT g, 'v' || g, '2024-01-01' FROM generate_series(1, 50) g;`);
    const mariaTarget = await maria([
      'CREATE TABLE s (id int PRIMARY KEY, v text, updated_at datetime(6))',
      "INSERT INTO s SELECT seq, CONCAT('v', seq), '2024-01-01' FROM seq_1_to_50",
      "UPDATE s SET v = 'new', updated_at = NOW(6) WHERE id = 7",
      "INSERT INTO s VALUES (51, 'just written', NOW(6))",
    ]);
    const args = ['--source', pgSource.url, '--target', mariaTarget.url, '--table', 's'];

    const settled = await reconcileJson([
      ...args,
      '--settle-column',
      'updated_at',
      '--settle',
      '600',
    ]);
    expect(settled.exitCode).toBe(0);
    const inFlight = [...onlyTable(settled).inFlight].sort(
      (a, b) => Number(a.key.id) - Number(b.key.id),
    );
    expect(inFlight).toEqual([
      { kind: 'changed', key: { id: '7' } },
      { kind: 'extra', key: { id: '51' } },
    ]);

    const plain = await reconcileJson(args);
    expect(plain.exitCode).toBe(1);
    expect(changedSummary(onlyTable(plain))).toEqual(['7: updated_at,v']);
  });

  it('compares text keys that the two engines sort differently by hash buckets', async () => {
    const keys = ['B', 'a-c', 'a_b', 'ab', 'é', 'Z'];
    const mariaSource = await maria([
      'CREATE TABLE codes (code varchar(10) PRIMARY KEY, v int) CHARACTER SET utf8mb4',
      `INSERT INTO codes VALUES ${keys.map((key, index) => `('${key}', ${index})`).join(', ')}`,
    ]);
    const pgTarget = await pg(`CREATE TABLE codes (code text PRIMARY KEY, v int);
      INSERT INTO codes VALUES ${keys.map((key, index) => `('${key}', ${index})`).join(', ')};
      DELETE FROM codes WHERE code = 'a_b'; UPDATE codes SET v = 9 WHERE code = 'é';`);

    const run = await reconcileJson([
      '--source',
      mariaSource.url,
      '--target',
      pgTarget.url,
      '--table',
      'codes',
    ]);

    const table = onlyTable(run);
    expect(table.mode).toBe('bucket');
    expect(table.notes.join(' ')).toContain('key code ignores case on one side only');
    expect(table.differences.missing).toEqual([{ code: 'a_b' }]);
    expect(changedSummary(table)).toEqual(['é: v']);
  });
});
