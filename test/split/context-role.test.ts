import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempDatabase, dropDatabase, withClient } from '../helpers/pg.js';
import type { TempDatabase } from '../helpers/pg.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTree } from '../helpers/tempdir.js';
import { FIXTURE_DIR, FIXTURE_SQL, catalogSnapshot } from './helpers.js';

const databases: TempDatabase[] = [];

afterEach(async () => {
  while (databases.length > 0) await dropDatabase(databases.pop()!.name);
});

async function fixtureDatabase(): Promise<TempDatabase> {
  const db = await createTempDatabase('dbboundary_split');
  databases.push(db);
  await withClient(db.url, (client) => client.query(FIXTURE_SQL));
  return db;
}

async function privileges(url: string): Promise<Record<string, boolean>> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<Record<string, boolean>>(`SELECT
      has_table_privilege('billing_app', 'billing.bills', 'UPDATE') AS bills_update,
      has_table_privilege('billing_app', 'billing.bills', 'DELETE') AS bills_delete,
      has_table_privilege('sales_app', 'sales.purchase_log', 'SELECT') AS log_select,
      has_table_privilege('sales_app', 'sales.purchase_log', 'INSERT') AS log_insert,
      has_table_privilege('sales_app', 'sales.purchases', 'DELETE') AS purchases_delete,
      has_sequence_privilege('crm_app', 'crm.client_notes_id_seq', 'USAGE') AS seq_usage,
      has_sequence_privilege('crm_app', 'crm.client_notes_id_seq', 'SELECT') AS seq_select,
      has_sequence_privilege('sales_app', 'sales.purchase_items_id_seq', 'USAGE') AS identity_usage,
      has_table_privilege('sales_app', 'crm.clients', 'SELECT') AS other_context`);
    return rows[0]!;
  });
}

describe('split gives each context role its moved tables', () => {
  it('grants the context role read and write on its tables and their sequences, verifies it, and revert takes back only that', async () => {
    const db = await fixtureDatabase();
    const out = makeTree({});
    const before = await catalogSnapshot(db.url);
    await runCli(['split', '--db', db.url, '--out', out], { cwd: FIXTURE_DIR });
    const applied = await runCli(['split', '--db', db.url, '--out', out, '--apply'], {
      cwd: FIXTURE_DIR,
    });
    expect(applied.exitCode).toBe(0);
    expect(await privileges(db.url)).toEqual({
      bills_update: true,
      bills_delete: true,
      log_select: true,
      log_insert: true,
      purchases_delete: true,
      seq_usage: true,
      seq_select: true,
      identity_usage: true,
      other_context: true, // granted in the fixture, kept as it was
    });

    // Taking a grant away makes the move step's verify fail, so --apply puts it back.
    await withClient(db.url, (client) =>
      client.query('REVOKE DELETE ON billing.bills FROM billing_app'),
    );
    const again = await runCli(['split', '--db', db.url, '--out', out, '--apply'], {
      cwd: FIXTURE_DIR,
    });
    expect(again.stderr).toMatch(/^applied +\S+-move-public\.bills$/m);
    expect((await privileges(db.url)).bills_delete).toBe(true);

    const reverted = await runCli(['split', '--db', db.url, '--out', out, '--revert'], {
      cwd: FIXTURE_DIR,
    });
    expect(reverted.exitCode).toBe(0);
    expect(await catalogSnapshot(db.url)).toEqual(before);
  });
});

describe('split on a database where the plan is applied', () => {
  it('keeps the applied plan, and a plan made afterwards never takes back what the first one granted', async () => {
    const db = await fixtureDatabase();
    const out = makeTree({});
    await runCli(['split', '--db', db.url, '--out', out], { cwd: FIXTURE_DIR });
    await runCli(['split', '--db', db.url, '--out', out, '--apply'], { cwd: FIXTURE_DIR });

    const replanned = await runCli(['split', '--db', db.url, '--out', out], { cwd: FIXTURE_DIR });
    expect(replanned.exitCode).toBe(2);
    expect(replanned.stderr).toMatch(/plan\.json: a plan is already there/);

    const other = makeTree({});
    await runCli(['split', '--db', db.url, '--out', other], { cwd: FIXTURE_DIR });
    await runCli(['split', '--db', db.url, '--out', other, '--revert'], { cwd: FIXTURE_DIR });
    const usage = async (): Promise<boolean> =>
      withClient(db.url, async (client) => {
        const { rows } = await client.query<{ ok: boolean }>(
          `SELECT has_schema_privilege('crm_app', 'crm', 'USAGE') AS ok`,
        );
        return rows[0]!.ok;
      });
    expect(await usage()).toBe(true);

    const reverted = await runCli(['split', '--db', db.url, '--out', out, '--revert'], {
      cwd: FIXTURE_DIR,
    });
    expect(reverted.exitCode).toBe(0);
    expect(reverted.stdout).toMatch(/^revert: \d+ step\(s\) reverted, 0 left as they were/);
  });
});

describe('split tables patterns that match nothing', () => {
  const config = (crmTables: string, salesTables: string): string =>
    `version: 1\ndialect: postgresql\ndefaultSchema: public\ncontexts:\n  crm:\n    code: ["src/crm/**"]\n    tables: ${crmTables}\n  sales:\n    code: ["src/sales/**"]\n    tables: ${salesTables}\n`;

  it('warns about each pattern that matches no table, and refuses a plan that places none', async () => {
    const db = await fixtureDatabase();
    const root = makeTree({ 'dbboundary.yaml': config('[clients, clientz]', '["purchase*"]') });
    const run = await runCli(['split', '--db', db.url, '--out', 'out'], { cwd: root });
    expect(run.stderr.trim().split('\n')).toEqual([
      'dbboundary: warning: dbboundary.yaml:7: tables pattern "clientz" of context crm matches no table in the database; the plan moves nothing for it.',
    ]);
    expect(run.stdout).toContain('moving 4 table(s)'); // clients and purchase*

    const none = makeTree({ 'dbboundary.yaml': config('[clientz]', '[sales.orders]') });
    const empty = await runCli(['split', '--db', db.url, '--out', 'out'], { cwd: none });
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr.trim().split('\n')).toEqual([
      'dbboundary: warning: dbboundary.yaml:7: tables pattern "clientz" of context crm matches no table in the database; the plan moves nothing for it.',
      'dbboundary: warning: dbboundary.yaml:10: tables pattern "sales.orders" of context sales matches no table in the database; the plan moves nothing for it.',
      "dbboundary: no table in the database matches any context's tables patterns in dbboundary.yaml, so there is nothing to split; check the patterns and defaultSchema (split moves tables, not views).",
    ]);
    expect(existsSync(path.join(none, 'out'))).toBe(false);
  });
});

describe('split --revert of a plan that moves no table', () => {
  it('refuses it, since its schema and grant steps verify once any earlier plan ran', async () => {
    const db = await createTempDatabase('dbboundary_split');
    databases.push(db);
    await withClient(db.url, (client) =>
      client.query('CREATE SCHEMA sales; CREATE TABLE sales.orders (id int);'),
    );
    const root = makeTree({
      'dbboundary.yaml':
        'version: 1\ndialect: postgresql\ndefaultSchema: public\ncontexts:\n  sales:\n    code: ["src/**"]\n    tables: [sales.orders]\n',
    });
    const planned = await runCli(['split', '--db', db.url, '--out', 'out'], { cwd: root });
    expect(planned.stdout).toContain('moving 0 table(s)');
    await runCli(['split', '--db', db.url, '--out', 'out', '--apply'], { cwd: root });

    const reverted = await runCli(['split', '--db', db.url, '--out', 'out', '--revert'], {
      cwd: root,
    });
    expect(reverted.exitCode).toBe(2);
    expect(reverted.stderr).toBe(
      'dbboundary: out/plan.json: this plan moves no table, so its other steps may be those of an earlier plan; revert with the plan that moved the tables.',
    );
    const usage = await withClient(db.url, (client) =>
      client.query<{ ok: boolean }>(
        `SELECT has_schema_privilege('sales_app', 'sales', 'USAGE') AS ok`,
      ),
    );
    expect(usage.rows[0]!.ok).toBe(true);
  });
});
