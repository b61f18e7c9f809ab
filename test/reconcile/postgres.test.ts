import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDatabase, dropDatabase, withClient } from '../helpers/pg.js';
import type { TempDatabase } from '../helpers/pg.js';
import { changedSummary, keysOf, onlyTable, reconcileJson } from './helpers.js';
import { makeTree } from '../helpers/tempdir.js';

const created: TempDatabase[] = [];

async function database(setup: string): Promise<TempDatabase> {
  const db = await createTempDatabase('dbboundary_rc', setup);
  created.push(db);
  return db;
}

afterAll(async () => {
  for (const db of created) await dropDatabase(db.name);
});

/** reconcile --format json of one table between two databases, with further flags. */
function compareTables(
  source: TempDatabase,
  target: TempDatabase,
  table: string,
  flags: string[] = [],
) {
  return reconcileJson([
    '--source',
    source.url,
    '--target',
    target.url,
    '--table',
    table,
    ...flags,
  ]);
}

function sql(db: TempDatabase, text: string): Promise<unknown> {
  return withClient(db.url, (client) => client.query(text));
}

const ALL_TYPES = `
CREATE TABLE items (
  id bigint PRIMARY KEY, i int, n numeric(12,3), f float8, b bool, t text, v varchar(20),
  u uuid, j jsonb, ts timestamptz, d date, tm time, by bytea, arr int[]
);
INSERT INTO items
SELECT g, g * 10, g * 1.25, g / 3.0, g % 2 = 0, 'text ' || g, 'v' || g,
  md5(g::text)::uuid, jsonb_build_object('a', g, 'b', 'x'),
  '2024-03-01 12:00:00+00'::timestamptz + g * interval '1.000001 second',
  '2024-01-01'::date + g, '08:00'::time + g * interval '1 minute',
  decode(lpad(to_hex(g), 4, '0'), 'hex'), ARRAY[g, g + 1]
FROM generate_series(1, 40) g;
`;

describe('PostgreSQL to PostgreSQL', () => {
  let source: TempDatabase;
  let target: TempDatabase;

  beforeAll(async () => {
    source = await database(ALL_TYPES);
    target = await database(ALL_TYPES);
    await sql(
      target,
      `DELETE FROM items WHERE id = 2;
       INSERT INTO items (id, t) VALUES (100, 'only here');
       UPDATE items SET i = i + 1 WHERE id = 3;
       UPDATE items SET n = n + 0.001 WHERE id = 4;
       UPDATE items SET f = f * 2 WHERE id = 5;
       UPDATE items SET b = NOT b WHERE id = 6;
       UPDATE items SET t = t || ' ' WHERE id = 7;
       UPDATE items SET v = upper(v) WHERE id = 8;
       UPDATE items SET u = md5('other')::uuid WHERE id = 9;
       UPDATE items SET j = '{"a": 10, "b": "y"}' WHERE id = 10;
       UPDATE items SET ts = ts + interval '1 microsecond' WHERE id = 11;
       UPDATE items SET d = d + 1 WHERE id = 12;
       UPDATE items SET tm = tm + interval '1 second' WHERE id = 13;
       UPDATE items SET by = '\\x00' WHERE id = 14;
       UPDATE items SET arr = ARRAY[0] WHERE id = 15;
       UPDATE items SET t = NULL WHERE id = 16;
       UPDATE items SET t = '' WHERE id = 17;
       UPDATE items SET n = n::numeric(14,5), j = '{"b": "x", "a": 18}' WHERE id = 18;`,
    );
  });

  it('finds every missing, extra and changed row, per data type, with both values', async () => {
    const run = await compareTables(source, target, 'items', ['--chunk-rows', '8']);

    expect(run.exitCode).toBe(1);
    const table = onlyTable(run);
    expect(table.status).toBe('differ');
    expect(table.mode).toBe('range');
    expect(table.rows).toEqual({ source: 40, target: 40 });
    expect(keysOf(table.differences.missing)).toEqual(['2']);
    expect(keysOf(table.differences.extra)).toEqual(['100']);
    expect(changedSummary(table)).toEqual(
      [
        '3: i',
        '4: n',
        '5: f',
        '6: b',
        '7: t',
        '8: v',
        '9: u',
        '10: j',
        '11: ts',
        '12: d',
        '13: tm',
        '14: by',
        '15: arr',
        '16: t',
        '17: t',
      ].sort(),
    );
    const byKey = (id: string) => table.differences.changed.find((row) => row.key.id === id)!;
    expect(byKey('16').columns.t).toEqual({ source: 'text 16', target: null });
    expect(byKey('17').columns.t).toEqual({ source: 'text 17', target: '' });
    expect(byKey('11').columns.ts).toEqual({
      source: '2024-03-01 12:00:11.000011+00',
      target: '2024-03-01 12:00:11.000012+00',
    });
  });

  it('compares only the rows the filter keeps, on both sides', async () => {
    const run = await compareTables(source, target, 'items', [
      '--filter',
      'id BETWEEN 5 AND 8',
      '--exclude',
      'f',
    ]);

    const table = onlyTable(run);
    expect(table.rows).toEqual({ source: 4, target: 4 });
    expect(changedSummary(table)).toEqual(['6: b', '7: t', '8: v']);
    expect(table.differences.missing).toEqual([]);
    expect(table.differences.extra).toEqual([]);
  });

  it('gives the same answer with hash buckets', async () => {
    const run = await compareTables(source, target, 'items', ['--mode', 'bucket']);

    const table = onlyTable(run);
    expect(table.mode).toBe('bucket');
    expect(keysOf(table.differences.missing)).toEqual(['2']);
    expect(keysOf(table.differences.extra)).toEqual(['100']);
    expect(changedSummary(table)).toHaveLength(15);
  });

  it('stops at --max-differences and still reports what it confirmed', async () => {
    const run = await compareTables(source, target, 'items', [
      '--chunk-rows',
      '4',
      '--max-differences',
      '3',
    ]);

    expect(run.exitCode).toBe(1);
    const table = onlyTable(run);
    const found =
      table.differences.missing.length +
      table.differences.extra.length +
      table.differences.changed.length;
    expect(found).toBeGreaterThanOrEqual(3);
    expect(found).toBeLessThan(17);
    expect(table.notes.join(' ')).toContain('3 differing rows (--max-differences) reached after');
  });

  it('writes repair SQL that makes the target match when run', async () => {
    const repaired = await database(ALL_TYPES);
    await sql(
      repaired,
      `DELETE FROM items WHERE id IN (2, 3);
       INSERT INTO items (id, t) VALUES (100, 'only here');
       UPDATE items SET t = NULL, j = '[]', by = NULL, ts = now() WHERE id = 16;`,
    );
    const file = path.join(makeTree({}), 'repair.sql');
    const args = ['--source', source.url, '--target', repaired.url, '--table', 'items'];

    const first = await reconcileJson([...args, '--repair-sql', file]);
    expect(first.exitCode).toBe(1);
    const { readFileSync } = await import('node:fs');
    const repair = readFileSync(file, 'utf8');
    expect(repair).toContain('DELETE FROM "items" WHERE "id" = \'100\';');
    await sql(repaired, repair);

    const second = await reconcileJson(args);
    expect(second.exitCode).toBe(0);
    expect(onlyTable(second).status).toBe('match');
  });
});

describe('pitfall pairs', () => {
  let source: TempDatabase;
  let target: TempDatabase;

  beforeAll(async () => {
    source = await database(`
      CREATE TABLE p (
        id int PRIMARY KEY, num numeric(10,1), ts timestamp(6), tz timestamptz, id_u uuid,
        doc json, pad char(5), fl float8, f4 float8, a text, b text, word varchar(10)
      );
      INSERT INTO p VALUES
        (1, 1.0, '2024-03-01 12:00:00.123567', '2024-03-01 12:00:00+00',
         'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 2, "a": 1}', 'abc', -0.0, 0.5,
         'ab', 'c', 'abc'),
        (2, 1.0, '2024-03-01 12:00:00.123567', '2024-03-01 12:00:00+00', NULL, NULL, NULL, 0, 0.1,
         'x', 'y', 'abc'),
        (3, 1.0, NULL, NULL, NULL, NULL, NULL, 0, 0.5, NULL, 'y', 'abc'),
        (4, 1.0, NULL, NULL, NULL, NULL, NULL, 0, 0.5, 'ab', 'c', 'abc'),
        (5, 1.0, NULL, NULL, NULL, NULL, NULL, 0, 0.5, 'x', 'y', 'abc');`);
    target = await database(`
      CREATE TABLE p (
        id int PRIMARY KEY, num numeric(10,2), ts timestamp(3), tz timestamptz, id_u text,
        doc jsonb, pad varchar(5), fl float8, f4 float4, a text, b text, word varchar(10)
      );
      INSERT INTO p VALUES
        (1, 1.00, '2024-03-01 12:00:00.124', '2024-03-01 07:00:00-05',
         'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"a":1,"b":2}', 'abc', 0, 0.5, 'ab', 'c', 'abc'),
        (2, 1.0, '2024-03-01 12:00:00.123', '2024-03-01 12:00:00+00', NULL, NULL, NULL, 0, 0.1,
         'x', 'y', 'abc'),
        (3, 1.0, NULL, NULL, NULL, NULL, NULL, 0, 0.5, '', 'y', 'abc'),
        (4, 1.0, NULL, NULL, NULL, NULL, NULL, 0, 0.5, 'a', 'bc', 'abc'),
        (5, 1.0, NULL, NULL, NULL, NULL, NULL, 0, 0.5, 'x', 'y', 'abc ');`);
    await sql(target, `ALTER DATABASE ${target.name} SET timezone = 'America/New_York'`);
  });

  it('holds equal values equal and different values different', async () => {
    const run = await compareTables(source, target, 'p');

    const table = onlyTable(run);
    // Row 1: 1.0 = 1.00; µs rounded to ms; one instant in two zones; uuid case; json key order;
    // char padding; -0 = 0. Row 2: truncated ms and a widened float4. Row 3: NULL is not ''.
    // Row 4: ('ab','c') is not ('a','bc'). Row 5: varchar keeps its trailing space.
    expect(changedSummary(table)).toEqual(['2: f4,ts', '3: a', '4: a,b', '5: word']);
    expect(table.differences.missing).toEqual([]);
    expect(table.differences.extra).toEqual([]);
  });

  it("sees changes that PostgreSQL's own hash functions do not", async () => {
    // Each pair hashes alike under the type's own hash: numeric ignores the sign and maps NaN
    // and the infinities to one value, bigint and time fold 64 bits into 32, jsonb inherits
    // numeric's blindness and hashes empty containers alike.
    const setup = `CREATE TABLE h (
        id int PRIMARY KEY, n numeric, big bigint, tm time, ts timestamptz, j jsonb);
      INSERT INTO h VALUES
        (1, 5, 1, '00:00:00.000001', '2024-03-01 12:00:00+00', '{"a": 5}'),
        (2, 'NaN', 7, '08:00', '2024-03-01 12:00:00+00', '[]'),
        (3, 2.5, 7, '08:00', '2024-03-01 12:00:00+00', '{"a": [1, {"b": -2}]}'),
        (4, 1.10, 7, '08:00', '2024-03-01 12:00:00+00', '{"a": 1}');`;
    const source = await database(setup);
    const target = await database(`${setup}
      UPDATE h SET n = -5, big = 4294967296, tm = '01:11:34.967296', j = '{"a": -5}' WHERE id = 1;
      UPDATE h SET n = 'Infinity', j = '{}' WHERE id = 2;
      UPDATE h SET n = -2.5, j = '{"a": [1, {"b": 2}]}',
        ts = '2024-03-01 12:00:00+00'::timestamptz + interval '4294.967297 seconds' WHERE id = 3;
      UPDATE h SET n = 1.1 WHERE id = 4;`);
    const folded = await withClient(source.url, (client) =>
      client.query(`SELECT timestamp_hash_extended('2024-03-01 12:00:00'::timestamp, 0)
        = timestamp_hash_extended('2024-03-01 12:00:00'::timestamp
          + interval '4294.967297 seconds', 0) AS same`),
    );

    const run = await compareTables(source, target, 'h');

    expect(folded.rows[0].same).toBe(true);
    expect(changedSummary(onlyTable(run))).toEqual(['1: big,j,n,tm', '2: j,n', '3: j,n,ts']);
  });

  it('does not let changes in two columns cancel out in the row hash', async () => {
    // numeric's own hash XORs in the weight and gives constants for 0, NaN and the infinities;
    // a float's gives one for 0; a NULL is a constant too. Column terms XORed as they are
    // cancel: 1 -> 10000 and 2 -> 20000, 0 <-> Infinity twice, (0, 0) -> (NULL, NULL).
    const setup = `CREATE TABLE x (id int PRIMARY KEY, a numeric, b numeric, f float8, g float4);
      INSERT INTO x VALUES (1, 1, 2, 5, 5), (2, 0, 0, 5, 5), (3, 1, 0, 0, 0), (4, 0, 'Infinity', 0, NULL),
        (5, 5, 1, 1, 1);`;
    const source = await database(setup);
    const target = await database(`${setup}
      UPDATE x SET a = 10000, b = 20000 WHERE id = 1;
      UPDATE x SET a = 'Infinity', b = 'Infinity' WHERE id = 2;
      UPDATE x SET a = 10000, b = 'Infinity', f = NULL, g = NULL WHERE id = 3;
      UPDATE x SET a = 'Infinity', b = 0, f = NULL, g = 0 WHERE id = 4;`);

    const run = await compareTables(source, target, 'x');

    expect(changedSummary(onlyTable(run))).toEqual([
      '1: a,b',
      '2: a,b',
      '3: a,b,f,g',
      '4: a,b,f,g',
    ]);
  });

  it('hashes the edge values of every typed column, keyed by each key type', async () => {
    const setup = `CREATE TABLE e (
        k1 smallint, k2 date, k3 uuid, k4 numeric, s smallint, f real, b bool, c char(3),
        ts timestamp, tz timestamptz, d date, t time, n numeric, PRIMARY KEY (k1, k2, k3, k4));
      INSERT INTO e VALUES
        (1, 'infinity', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'NaN', -32768, 'NaN', true, 'a',
         'infinity', '-infinity', '-infinity', '24:00', 'Infinity'),
        (2, '4713-01-01 BC', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', -1.5, 32767, '-Infinity',
         false, 'ab ', '9999-12-31 23:59:59', '4713-01-01 00:00:00+00 BC', '5874897-12-31',
         '00:00', '-Infinity'),
        (3, '2024-01-01', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13', 0, 0, -0, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL);`;
    const source = await database(setup);
    const same = await database(setup);
    const changed = await database(`${setup}
      UPDATE e SET d = 'infinity', tz = 'infinity', n = '-Infinity', c = 'a ' WHERE k1 = 1;
      UPDATE e SET s = -32767, f = 'Infinity', ts = '9999-12-31 23:59:58.999999' WHERE k1 = 2;
      UPDATE e SET b = false WHERE k1 = 3;`);

    const compare = (target: TempDatabase) => compareTables(source, target, 'e');
    const [equal, different] = [await compare(same), await compare(changed)];

    expect(equal.exitCode).toBe(0);
    expect(changedSummary(onlyTable(different))).toEqual([
      '1,infinity,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NaN: d,n,tz',
      '2,4713-01-01 BC,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12,-1.5: f,s,ts',
      '3,2024-01-01,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13,0: b',
    ]);
  });

  it('compares floats within a tolerance when one is given', async () => {
    const run = await compareTables(source, target, 'p', ['--tolerance', 'f4=0.000001']);

    expect(changedSummary(onlyTable(run))).toEqual(['2: ts', '3: a', '4: a,b', '5: word']);
  });
});

describe('keys', () => {
  it('keeps integer keys above 2^53 exact', async () => {
    const setup = `CREATE TABLE big (id bigint PRIMARY KEY, v text);
      INSERT INTO big VALUES (9007199254740992, 'a'), (9007199254740993, 'b'), (1, 'c');`;
    const source = await database(setup);
    const target = await database(`${setup} DELETE FROM big WHERE id = 9007199254740993;`);

    const run = await compareTables(source, target, 'big');

    expect(onlyTable(run).differences.missing).toEqual([{ id: '9007199254740993' }]);
  });

  it('orders chunks by key value, and cuts a range where only the target has rows', async () => {
    const setup = `CREATE TABLE n (id int PRIMARY KEY, v int);
      INSERT INTO n SELECT g, g FROM generate_series(1, 1000) g;`;
    const source = await database(setup);
    const target = await database(
      `${setup} DELETE FROM n WHERE id IN (9, 10, 99, 100, 555, 999, 1000);
       INSERT INTO n SELECT g, g FROM generate_series(2000, 2029) g;`,
    );

    const run = await compareTables(source, target, 'n', ['--chunk-rows', '7']);

    const table = onlyTable(run);
    expect(keysOf(table.differences.missing)).toEqual([
      '10',
      '100',
      '1000',
      '555',
      '9',
      '99',
      '999',
    ]);
    expect(table.differences.extra).toHaveLength(30);
    expect(table.rows).toEqual({ source: 1000, target: 1023 });
  });

  it('finds the rows that differ inside a chunk larger than a leaf', async () => {
    const setup = `CREATE TABLE w (id int PRIMARY KEY, v text);
      INSERT INTO w SELECT g, 'v' || g FROM generate_series(1, 6000) g;`;
    const source = await database(setup);
    const target = await database(
      `${setup} DELETE FROM w WHERE id IN (17, 4500);
       UPDATE w SET v = 'changed' WHERE id IN (42, 2999, 3001);
       INSERT INTO w VALUES (6001, 'new'), (9000, 'new');`,
    );

    const run = await compareTables(source, target, 'w', ['--chunk-rows', '3000']);

    const table = onlyTable(run);
    expect(keysOf(table.differences.missing)).toEqual(['17', '4500']);
    expect(keysOf(table.differences.extra)).toEqual(['6001', '9000']);
    expect(changedSummary(table)).toEqual(['2999: v', '3001: v', '42: v']);
  });

  it('chunks composite keys by row values', async () => {
    const setup = `CREATE TABLE lines (order_id int, line date, qty int, PRIMARY KEY (order_id, line));
      INSERT INTO lines SELECT o, '2024-01-01'::date + l, o * l FROM generate_series(1, 30) o,
        generate_series(1, 5) l;`;
    const source = await database(setup);
    const target = await database(
      `${setup} DELETE FROM lines WHERE order_id = 7 AND line = '2024-01-04';
       UPDATE lines SET qty = 0 WHERE order_id = 20 AND line = '2024-01-02';`,
    );

    const run = await compareTables(source, target, 'lines', ['--chunk-rows', '9']);

    const table = onlyTable(run);
    expect(table.mode).toBe('range');
    expect(table.chunks.total).toBeGreaterThan(10);
    expect(table.differences.missing).toEqual([{ order_id: '7', line: '2024-01-04' }]);
    expect(changedSummary(table)).toEqual(['20,2024-01-02: qty']);
  });

  it('uses hash buckets when text keys sort differently on the two sides', async () => {
    const rows = `INSERT INTO k VALUES ('Ab', 1), ('B', 2), ('a', 3), ('a-c', 4), ('a_b', 5), ('ab', 6);`;
    const source = await database(
      `CREATE TABLE k (code text COLLATE "C" PRIMARY KEY, v int); ${rows}`,
    );
    const target = await database(
      `CREATE TABLE k (code text COLLATE "en-US-x-icu" PRIMARY KEY, v int); ${rows}
       DELETE FROM k WHERE code = 'a_b';`,
    );

    const run = await compareTables(source, target, 'k');

    const table = onlyTable(run);
    expect(table.mode).toBe('bucket');
    expect(table.differences.missing).toEqual([{ code: 'a_b' }]);
    expect(table.differences.extra).toEqual([]);
  });

  it('finishes with a --key that is not unique', async () => {
    const setup = `CREATE TABLE events (id int PRIMARY KEY, kind text, n int);
      INSERT INTO events SELECT g, CASE WHEN g <= 40 THEN 'click' ELSE 'view' END, g
      FROM generate_series(1, 50) g;`;
    const source = await database(setup);
    const target = await database(`${setup} UPDATE events SET n = 0 WHERE id = 3;`);

    const run = await compareTables(source, target, 'events', [
      '--key',
      'kind',
      '--exclude',
      'id',
      '--chunk-rows',
      '5',
    ]);

    expect(run.exitCode).toBe(1);
    expect(onlyTable(run).rows).toEqual({ source: 50, target: 50 });
  });

  it('reports a key repeated on a side without a unique key', async () => {
    const source = await database(`CREATE TABLE r (id int PRIMARY KEY, v text);
      INSERT INTO r VALUES (1, 'a'), (2, 'b');`);
    const target = await database(`CREATE TABLE r (id int, v text);
      INSERT INTO r VALUES (1, 'a'), (2, 'b'), (2, 'b');`);

    const run = await compareTables(source, target, 'r');

    expect(run.exitCode).toBe(1);
    expect(onlyTable(run).differences.extra).toEqual([{ id: '2' }]);
  });
});
