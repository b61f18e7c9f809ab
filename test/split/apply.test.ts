import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempDatabase, dropDatabase, withClient } from '../helpers/pg.js';
import type { TempDatabase } from '../helpers/pg.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTree } from '../helpers/tempdir.js';
import { FIXTURE_DIR, FIXTURE_SQL, MOVED, asRole, catalogSnapshot, digests } from './helpers.js';

const databases: TempDatabase[] = [];

afterEach(async () => {
  while (databases.length > 0) await dropDatabase(databases.pop()!.name);
});

/** Registered for dropping before the fixture loads, so a failing load leaves no database behind. */
async function fixtureDatabase(extra = ''): Promise<TempDatabase> {
  const db = await createTempDatabase('dbboundary_split');
  databases.push(db);
  await withClient(db.url, (client) => client.query(`${FIXTURE_SQL}\n${extra}`));
  return db;
}

function planSteps(out: string): { id: string; title: string }[] {
  return (
    JSON.parse(readFileSync(path.join(out, 'plan.json'), 'utf8')) as {
      steps: { id: string; title: string }[];
    }
  ).steps;
}

function script(out: string, kind: string, id: string): string {
  return readFileSync(path.join(out, kind, `${id}.sql`), 'utf8');
}

const BEFORE = MOVED.map(([before]) => before);
const AFTER = MOVED.map(([, after]) => after);

describe('split --apply and --revert on a shared schema with data', () => {
  it('moves every table with all its rows, keeps the old names working, and reverts to the original catalog', async () => {
    const db = await fixtureDatabase();
    const out = makeTree({});
    const rowsBefore = await digests(db.url, [...BEFORE, 'public.settings']);
    const catalogBefore = await catalogSnapshot(db.url);

    const planned = await runCli(['split', '--db', db.url, '--out', out], { cwd: FIXTURE_DIR });
    expect(planned.stderr).toBe('');
    expect(planned.exitCode).toBe(1); // high-severity couplings
    expect(await catalogSnapshot(db.url)).toEqual(catalogBefore); // reading changed nothing

    const applied = await runCli(['split', '--db', db.url, '--out', out, '--apply'], {
      cwd: FIXTURE_DIR,
    });
    expect(applied.exitCode).toBe(0);
    const steps = planSteps(out);
    expect(applied.stderr.trim().split('\n')).toEqual(steps.map((s) => `applied         ${s.id}`));
    const catalogAfter = await catalogSnapshot(db.url);
    expect(catalogAfter).toContain(
      'relation: crm | clients | r | postgres | {postgres=arwdDxt/postgres,reporting=r/postgres,sales_app=r/postgres,crm_app=arwdDxt/postgres} | null | false | false | null',
    );
    expect(
      catalogAfter.filter((line) => line.startsWith('relation: public | clients | v')),
    ).toHaveLength(1);

    // Every row is in the new schema, and the same rows answer through the old names.
    const moved = await digests(db.url, AFTER);
    const throughViews = await digests(db.url, BEFORE);
    MOVED.forEach(([before, after]) => {
      expect(moved[after], after).toEqual(rowsBefore[before]);
      expect(throughViews[before], before).toEqual(rowsBefore[before]);
      expect(rowsBefore[before]!.rows, before).toBeGreaterThan(0);
    });
    expect((await digests(db.url, ['public.settings']))['public.settings']).toEqual(
      rowsBefore['public.settings'],
    );

    // Every verify script passes on its own, and every deploy script can run again harmlessly.
    await withClient(db.url, async (client) => {
      for (const step of steps) {
        await client.query(script(out, 'verify', step.id));
        await client.query('BEGIN');
        await client.query(script(out, 'deploy', step.id));
        await client.query('COMMIT');
      }
    });
    expect(await digests(db.url, AFTER)).toEqual(moved);

    const again = await runCli(['split', '--db', db.url, '--out', out, '--apply'], {
      cwd: FIXTURE_DIR,
    });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain(`0 step(s) applied, ${steps.length} left as they were`);

    const reverted = await runCli(['split', '--db', db.url, '--out', out, '--revert'], {
      cwd: FIXTURE_DIR,
    });
    expect(reverted.exitCode).toBe(0);
    expect(reverted.stderr.trim().split('\n')).toEqual(
      [...steps].reverse().map((s) => `reverted        ${s.id}`),
    );
    expect(await catalogSnapshot(db.url)).toEqual(catalogBefore);
    expect(await digests(db.url, [...BEFORE, 'public.settings'])).toEqual(rowsBefore);
  });

  it('lets a context role read and write through the old names, under row-level security and triggers', async () => {
    const db = await fixtureDatabase();
    const out = makeTree({});
    await runCli(['split', '--db', db.url, '--out', out], { cwd: FIXTURE_DIR });
    const applied = await runCli(['split', '--db', db.url, '--out', out, '--apply'], {
      cwd: FIXTURE_DIR,
    });
    expect(applied.exitCode).toBe(0);

    await asRole(db.url, 'sales_app', async (client) => {
      const path = await client.query<{ search_path: string }>('SHOW search_path');
      expect(path.rows[0]!.search_path).toBe('sales, public');

      await client.query('BEGIN');
      // The trigger on purchases reads "clients" by its bare name: it now finds the view.
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO public.purchases (client_id, money, amount, made_on)
         SELECT min(id), 'EUR', 12.5, date '2025-06-01' FROM public.clients RETURNING id`,
      );
      const landed = await client.query('SELECT 1 FROM sales.purchases WHERE id = $1', [
        inserted.rows[0]!.id,
      ]);
      expect(landed.rowCount).toBe(1);
      const bare = await client.query<{ n: string }>('SELECT count(*) AS n FROM purchases');
      expect(Number(bare.rows[0]!.n)).toBe(121);
      await client.query('ROLLBACK');
    });

    await asRole(db.url, 'billing_app', async (client) => {
      const bills = await client.query<{ n: string }>('SELECT count(*) AS n FROM public.bills');
      expect(Number(bills.rows[0]!.n)).toBe(60);
      await expect(client.query('SELECT * FROM public.clients')).rejects.toThrow(
        /permission denied/,
      );
    });
  });

  it('stops at a step that fails, names it, rolls it back and keeps the data; revert never drops a table', async () => {
    const db = await fixtureDatabase();
    const out = makeTree({});
    const rowsBefore = await digests(db.url, BEFORE);
    await runCli(['split', '--db', db.url, '--out', out], { cwd: FIXTURE_DIR });
    // After planning, someone makes a table where the plan wants to move public.bills.
    await withClient(db.url, (client) =>
      client.query('CREATE SCHEMA billing; CREATE TABLE billing.bills (note text);'),
    );
    const failing = planSteps(out).find((s) => s.id.endsWith('move-public.bills'))!;

    const applied = await runCli(['split', '--db', db.url, '--out', out, '--apply'], {
      cwd: FIXTURE_DIR,
    });
    expect(applied.exitCode).toBe(1);
    expect(applied.stderr).toContain(
      `dbboundary: step ${failing.id} (${failing.title}) failed: relation "bills" already exists in schema "billing"`,
    );
    expect(applied.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(await digests(db.url, ['public.bills'])).toEqual({
      'public.bills': rowsBefore['public.bills'],
    });

    const reverted = await runCli(['split', '--db', db.url, '--out', out, '--revert'], {
      cwd: FIXTURE_DIR,
    });
    expect(reverted.exitCode).toBe(1);
    expect(reverted.stderr).toMatch(
      /step 01-schemas .* failed: cannot drop schema billing because other objects depend on it/,
    );
    const kept = await withClient(db.url, (client) =>
      client.query(`SELECT to_regclass('billing.bills') AS t`),
    );
    expect(kept.rows[0].t).toBe('billing.bills');
  });

  it('refuses to plan a move onto a table that is already there', async () => {
    const db = await fixtureDatabase(
      'CREATE SCHEMA billing; CREATE TABLE billing.bills (note text);',
    );
    const run = await runCli(['split', '--db', db.url, '--out', makeTree({})], {
      cwd: FIXTURE_DIR,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(
      "dbboundary: public.bills would move to billing.bills, which already exists; rename one of them first, or leave one out of the context's tables patterns.",
    );
  });

  it('tries a step again when another session holds its table longer than the lock timeout', async () => {
    const db = await fixtureDatabase();
    const out = makeTree({});
    await runCli(['split', '--db', db.url, '--out', out], { cwd: FIXTURE_DIR });

    // Held for longer than the steps' 5 s lock_timeout: the first try of the move must give up.
    const holder = withClient(db.url, async (client) => {
      await client.query('BEGIN');
      await client.query('LOCK TABLE public.clients IN ACCESS EXCLUSIVE MODE');
      await new Promise((resolve) => setTimeout(resolve, 6_500));
      await client.query('COMMIT');
    });
    const applied = await runCli(['split', '--db', db.url, '--out', out, '--apply'], {
      cwd: FIXTURE_DIR,
    });
    await holder;
    expect(applied.stderr).not.toContain('failed');
    expect(applied.exitCode).toBe(0);
    expect((await digests(db.url, ['crm.clients']))['crm.clients']!.rows).toBe(40);
  });

  it('writes per-context DDL that builds the same tables as applying the plan', async () => {
    const applied = await fixtureDatabase();
    const built = await fixtureDatabase();
    const out = makeTree({});
    await runCli(['split', '--db', applied.url, '--out', out], { cwd: FIXTURE_DIR });
    const run = await runCli(['split', '--db', applied.url, '--out', out, '--apply'], {
      cwd: FIXTURE_DIR,
    });
    expect(run.exitCode).toBe(0);

    // Each context's file in dependency order: sales references crm, billing references sales.
    await withClient(built.url, async (client) => {
      for (const context of ['crm', 'sales', 'billing']) {
        await client.query(script(out, 'contexts', context));
      }
    });

    const tablesOf = async (url: string): Promise<string[]> =>
      (await catalogSnapshot(url))
        .filter((line) =>
          /^(relation|column|constraint|index|sequence|policy|trigger|statistics): /.test(line),
        )
        .filter((line) => /(: | ON )(crm|sales|billing)[ .]/.test(line))
        .map((line) =>
          line.replace(
            /\{([^}]*)\}/g,
            (_, items: string) => `{${items.split(',').sort().join(',')}}`,
          ),
        );
    const fromPlan = await tablesOf(applied.url);
    expect(fromPlan.length).toBeGreaterThan(40);
    expect(await tablesOf(built.url)).toEqual(fromPlan);
  });
});
