import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDatabase, dropDatabase, withClient } from '../helpers/pg.js';
import type { TempDatabase } from '../helpers/pg.js';
import { runCli } from '../helpers/run-cli.js';
import { onlyTable, reconcileJson } from './helpers.js';
import { makeTree } from '../helpers/tempdir.js';

const BIN = fileURLToPath(new URL('../../bin/dbboundary.js', import.meta.url));
const created: TempDatabase[] = [];

async function database(setup: string): Promise<TempDatabase> {
  const db = await createTempDatabase('dbboundary_rc', setup);
  created.push(db);
  return db;
}

afterAll(async () => {
  for (const db of created) await dropDatabase(db.name);
});

function sql<T = unknown>(db: TempDatabase, text: string): Promise<T[]> {
  return withClient(db.url, async (client) => (await client.query(text)).rows as T[]);
}

const ORDERS = `
CREATE TABLE orders (id bigint PRIMARY KEY, status text, total numeric(10,2),
  updated_at timestamptz NOT NULL DEFAULT '2024-01-01 00:00:00+00');
INSERT INTO orders (id, status, total) SELECT g, 'pending', g FROM generate_series(1, 20000) g;
`;

describe('writes during a run', () => {
  let source: TempDatabase;
  let target: TempDatabase;

  beforeAll(async () => {
    source = await database(ORDERS);
    target = await database(ORDERS);
  });

  it('changes that reach the target late are transient or in flight, never confirmed', async () => {
    const args = ['--source', source.url, '--target', target.url, '--table', 'orders'];
    const run = reconcileJson([
      ...args,
      '--chunk-rows',
      '100',
      '--jobs',
      '1',
      '--recheck-delay',
      '1',
    ]);
    const started = Date.now();
    let round = 0;
    // Dual-write with lag: the old store first, the new one 300 ms later, while the run reads.
    while (Date.now() - started < 3000) {
      round += 1;
      const change = `UPDATE orders SET status = 'paid ${round}' WHERE id % 50 = ${round % 50}`;
      await sql(source, change);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sql(target, change);
    }
    const result = await run;

    expect(result.exitCode).toBe(0);
    const table = onlyTable(result);
    expect(table.status).toBe('match');
    expect(table.differences).toEqual({ missing: [], extra: [], changed: [] });
    expect(table.transient.length + table.inFlight.length).toBeGreaterThan(0);
  });

  it('a row changed within the settle window is in flight; without the window it is confirmed', async () => {
    await sql(
      source,
      `INSERT INTO orders (id, status, total, updated_at) VALUES (50000, 'new', 1, now())`,
    );
    const args = ['--source', source.url, '--target', target.url, '--table', 'orders'];

    const settled = await reconcileJson([
      ...args,
      '--settle-column',
      'updated_at',
      '--settle',
      '600',
    ]);
    expect(settled.exitCode).toBe(0);
    expect(onlyTable(settled).inFlight).toEqual([{ kind: 'missing', key: { id: '50000' } }]);

    const plain = await reconcileJson(args);
    expect(plain.exitCode).toBe(1);
    expect(onlyTable(plain).differences.missing).toEqual([{ id: '50000' }]);
    await sql(source, 'DELETE FROM orders WHERE id = 50000');
  });
});

describe('safety', () => {
  let source: TempDatabase;
  let target: TempDatabase;

  beforeAll(async () => {
    source = await database(ORDERS);
    target = await database(`${ORDERS} UPDATE orders SET total = 0 WHERE id = 7;`);
  });

  it('leaves the write counters of both tables untouched', async () => {
    const counters = (db: TempDatabase) =>
      sql<{ writes: string; reads: string }>(
        db,
        `SELECT n_tup_ins + n_tup_upd + n_tup_del + n_tup_hot_upd AS writes,
           coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS reads
         FROM pg_stat_user_tables WHERE relname = 'orders'`,
      );
    const before = [...(await counters(source)), ...(await counters(target))];

    const run = await reconcileJson([
      '--source',
      source.url,
      '--target',
      target.url,
      '--table',
      'orders',
    ]);
    expect(run.exitCode).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const after = [...(await counters(source)), ...(await counters(target))];
    expect(after.map((row) => row.writes)).toEqual(before.map((row) => row.writes));
    // The reads show the statistics did see the run.
    after.forEach((row, index) =>
      expect(Number(row.reads)).toBeGreaterThan(Number(before[index]!.reads)),
    );
  });

  it('a connection killed mid-run ends with exit 2 and how far it got, never a match', async () => {
    const child = execa(
      'node',
      [
        BIN,
        'reconcile',
        '--source',
        source.url,
        '--target',
        target.url,
        '--table',
        'orders',
        '--chunk-rows',
        '200',
        '--jobs',
        '1',
      ],
      { reject: false, env: { NO_COLOR: '1' } },
    );
    let killed = 0;
    for (let attempt = 0; attempt < 200 && killed === 0; attempt++) {
      const rows = await sql<{ n: string }>(
        target,
        `SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity
         WHERE application_name = 'dbboundary reconcile' AND datname = current_database()
           AND query LIKE '%hash%'`,
      );
      killed = Number(rows[0]!.n);
      if (killed === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const result = await child;

    expect(killed).toBeGreaterThan(0);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /reconcile stopped on 127\.0\.0\.1:5432\/\w+ orders after \d+ of \d+ chunks \([\d,]+ source rows compared\)/,
    );
    expect(result.stdout).toBe('');
  });

  it('a query past --timeout ends with exit 2, never a match', async () => {
    await withClient(target.url, async (locker) => {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
      try {
        const run = await runCli([
          'reconcile',
          '--source',
          source.url,
          '--target',
          target.url,
          '--table',
          'orders',
          '--timeout',
          '1',
        ]);
        expect(run.exitCode).toBe(2);
        expect(run.stderr).toMatch(/reconcile stopped on .* orders .*longer than the timeout/);
        expect(run.stdout).toBe('');
      } finally {
        await locker.query('ROLLBACK');
      }
    });
  });

  it('never shows the password of a connection URL', async () => {
    const secret = 's3cret-Pa55';
    const withPassword = (db: TempDatabase) => db.url.replace('postgres@', `postgres:${secret}@`);
    const env = { NO_COLOR: '1', OLD_DB: withPassword(source), NEW_DB: withPassword(target) };

    const text = await runCli(
      [
        'reconcile',
        '--source',
        'env:OLD_DB',
        '--target',
        'env:NEW_DB',
        '--table',
        'orders',
        '--recheck-delay',
        '0',
      ],
      { env },
    );
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain('127.0.0.1:5432');
    expect(`${text.stdout}${text.stderr}`).not.toContain(secret);

    const refused = await runCli(
      [
        'reconcile',
        '--source',
        'env:OLD_DB',
        '--target',
        `postgres://u:${secret}@127.0.0.1:1/x`,
        '--table',
        'orders',
      ],
      { env },
    );
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/cannot connect to PostgreSQL at 127\.0\.0\.1:1\/x/);
    expect(refused.stderr).not.toContain(secret);
  });
});

describe('config and history', () => {
  it('takes the pairs from dbboundary.yaml and says how long a pair has matched', async () => {
    const source = await database(ORDERS);
    const target = await database(`${ORDERS} ALTER TABLE orders RENAME COLUMN status TO state;
      ALTER TABLE orders ADD COLUMN note text;`);
    const dir = makeTree({});
    writeFileSync(
      path.join(dir, 'dbboundary.yaml'),
      `version: 1
contexts:
  orders:
    code: ["src/**"]
reconcile:
  source: env:OLD_DB
  target: env:NEW_DB
  tables:
    - table: public.orders
      rename: { status: state }
      exclude: [note]
`,
    );
    const env = { NO_COLOR: '1', OLD_DB: source.url, NEW_DB: target.url };
    const history = path.join(dir, 'history.jsonl');

    const first = await runCli(['reconcile', '--history', history], { cwd: dir, env });
    const second = await runCli(['reconcile', '--history', history], { cwd: dir, env });
    expect(first.exitCode).toBe(0);
    expect(second.exitCode).toBe(0);
    const entries = readFileSync(history, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries.map((entry) => entry.status)).toEqual(['match', 'match']);
    expect(second.stdout).toContain(`matched without a break since ${entries[0].time} (2 run(s))`);

    await sql(target, 'DELETE FROM orders WHERE id = 3');
    const third = await runCli(['reconcile', '--history', history, '--recheck-delay', '0'], {
      cwd: dir,
      env,
    });
    expect(third.exitCode).toBe(1);
    expect(third.stdout).toContain('missing (source only): "3"');
    expect(third.stdout).toContain('the matching streak starts again');
  });

  it('reports a malformed reconcile section with its lines, before connecting', async () => {
    const dir = makeTree({});
    writeFileSync(
      path.join(dir, 'dbboundary.yaml'),
      `version: 1
contexts:
  orders:
    code: ["src/**"]
reconcile:
  source: env:OLD_DB
  tables:
    - table: public.orders
      tolerance: { weight: lots }
      mode: fastest
`,
    );

    const run = await runCli(['reconcile'], { cwd: dir });

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      'dbboundary.yaml:9: reconcile.tables[0].tolerance.weight must be a number',
    );
    expect(run.stderr).toContain(
      'dbboundary.yaml:10: reconcile.tables[0].mode must be one of auto, range, bucket',
    );
    expect(run.stderr).toContain('dbboundary.yaml:6: reconcile.target is required');
  });

  it('points at a column only the target has', async () => {
    const source = await database(ORDERS);
    const target = await database(`${ORDERS} ALTER TABLE orders ADD COLUMN note text;`);

    const run = await runCli([
      'reconcile',
      '--source',
      source.url,
      '--target',
      target.url,
      '--table',
      'orders',
    ]);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      'orders: note only in the target table; exclude it (--exclude note)',
    );
  });
});
