import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Coupling } from '../../src/split/couplings/index.js';
import type { SplitReport } from '../../src/split/report.js';
import { createTempDatabase, dropDatabase, withClient } from '../helpers/pg.js';
import type { TempDatabase } from '../helpers/pg.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTree } from '../helpers/tempdir.js';
import { FIXTURE_DIR, FIXTURE_SQL } from './helpers.js';

let db: TempDatabase;
let report: SplitReport;
let markdown: string;
let ddl: Record<string, string>;

beforeAll(async () => {
  db = await createTempDatabase('dbboundary_split');
  await withClient(db.url, (client) => client.query(FIXTURE_SQL));
  const out = makeTree({});
  const run = await runCli(['split', '--db', db.url, '--out', out], { cwd: FIXTURE_DIR });
  if (run.exitCode !== 1) throw new Error(`split failed: ${run.stderr}`);
  report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as SplitReport;
  markdown = readFileSync(path.join(out, 'report.md'), 'utf8');
  ddl = Object.fromEntries(
    ['crm', 'sales'].map((c) => [c, readFileSync(path.join(out, `contexts/${c}.sql`), 'utf8')]),
  );
});

afterAll(async () => {
  if (db) await dropDatabase(db.name);
});

function find(kind: Coupling['kind'], first: string): Coupling {
  const found = report.couplings.find((c) => c.kind === kind && c.objects[0] === first);
  if (!found) {
    const listed = report.couplings.filter((c) => c.kind === kind).map((c) => c.objects[0]);
    throw new Error(`no ${kind} coupling for ${first}; found ${listed.join(', ') || 'none'}`);
  }
  return found;
}

/** The checklist of what a per-context schema split must handle, item by item. */
describe('split report on the shared shop schema', () => {
  it('1. lists foreign keys across contexts, cascading ones first', () => {
    expect(report.couplings[0]).toMatchObject({
      kind: 'foreign-key',
      objects: ['billing.bills.bills_purchase_id_fkey', 'billing.bills', 'sales.purchases'],
      contexts: ['billing', 'sales'],
      severity: 'high',
    });
    expect(report.couplings[0]!.advice).toContain('event sales publishes');
    expect(find('foreign-key', 'sales.purchases.purchases_client_id_fkey').severity).toBe('medium');
    // A cascade inside one context is no coupling.
    expect(
      report.couplings.some((c) => c.objects[0] === 'crm.client_notes.client_notes_client_id_fkey'),
    ).toBe(false);
  });

  it('2. moves owned sequences (serial, identity) with their tables', () => {
    const byTable = Object.fromEntries(report.moves.map((m) => [m.table, m.sequences]));
    expect(byTable['public.client_notes']).toEqual(['public.client_notes_id_seq']);
    expect(byTable['public.purchase_items']).toEqual(['public.purchase_items_id_seq']);
    // Nothing is left under the old name: the report says so for each table that owns one.
    const notes = find('sequence', 'crm.client_notes_id_seq');
    expect(notes).toMatchObject({ objects: ['crm.client_notes_id_seq', 'crm.client_notes'] });
    expect(notes.severity).toBe('low');
    expect(notes.what).toContain('public.client_notes_id_seq stops working');
    expect(notes.advice).toContain("currval('crm.client_notes_id_seq')");
    expect(notes.advice).toContain('a compatibility view cannot stand in for a sequence');
  });

  it('3. flags a sequence that feeds several contexts', () => {
    expect(find('sequence', 'public.shared_ids').contexts).toEqual(['billing', 'crm', 'sales']);
  });

  it('4. flags views and materialized views spanning contexts, through other views', () => {
    expect(find('view', 'public.client_spend').contexts).toEqual(['crm', 'sales']);
    const best = find('view', 'public.best_clients');
    expect(best.contexts).toEqual(['crm', 'sales']);
    expect(best.what).toContain('materialized view');
  });

  it('5. parses PL/pgSQL bodies: writes across contexts, bare names, dynamic SQL', () => {
    const bill = find('function', 'public.bill_purchase(p bigint)');
    expect(bill).toMatchObject({ severity: 'high', contexts: ['billing', 'sales'] });
    expect(bill.what).toContain('writes billing.bills');
    const bare = report.couplings.filter(
      (c) => c.kind === 'function' && c.objects[0] === 'public.purchase_needs_client()',
    );
    expect(bare.map((c) => c.what).join(' ')).toContain('clients → crm.clients');
    expect(find('function', 'public.count_rows(t text)').what).toContain('EXECUTE');
  });

  it('6. uses SQL-standard bodies', () => {
    const count = find('function', 'public.client_purchase_count(text)');
    expect(count.contexts).toEqual(['crm', 'sales']);
    expect(count.what).toContain('PostgreSQL records these dependencies');
  });

  it("7. flags a trigger whose function reads another context's table", () => {
    expect(find('trigger', 'sales.purchases.purchases_need_client')).toMatchObject({
      severity: 'high',
      contexts: ['sales', 'crm'],
      objects: [
        'sales.purchases.purchases_need_client',
        'public.purchase_needs_client()',
        'crm.clients',
      ],
    });
  });

  it('8. flags enum and composite types used by several contexts', () => {
    expect(find('type', 'public.money_code').contexts).toEqual(['billing', 'sales']);
    expect(find('type', 'public.postal').contexts).toEqual(['billing', 'crm']);
    expect(report.couplings.some((c) => c.kind === 'type' && c.objects[0] === 'public.mail')).toBe(
      false,
    );
  });

  it("9. lists functions that take a moved table's row type", () => {
    const label = report.couplings.find(
      (c) =>
        c.kind === 'function' &&
        c.objects[0] === 'public.client_label(c public.clients)' &&
        c.what.includes('row type'),
    );
    expect(label?.objects).toContain('crm.clients');
  });

  it('10. flags functions called by indexes and constraints', () => {
    const tidy = find('function', 'public.tidy_code');
    expect(tidy.what).toContain('index purchase_items_code');
    expect(tidy.what).toContain('constraint purchase_items_code_check');
    expect(tidy.contexts).toEqual(['sales']);
  });

  it('11. moves partitions with their parent', () => {
    const move = report.moves.find((m) => m.table === 'public.purchase_log');
    expect(move?.partitions).toEqual(['public.purchase_log_2025', 'public.purchase_log_2026']);
    const coupling = find('partition', 'sales.purchase_log');
    expect(coupling.advice).toContain('moves each partition');
    // Named after the split, like the objects of every other kind.
    expect(coupling.objects).toEqual([
      'sales.purchase_log',
      'sales.purchase_log_2025',
      'sales.purchase_log_2026',
    ]);
  });

  it('12. moves extended statistics objects', () => {
    const coupling = find('statistics', 'sales.purchases_client_tenant');
    expect(coupling.advice).toContain('ALTER STATISTICS … SET SCHEMA sales');
    expect(coupling.objects).toEqual(['sales.purchases_client_tenant', 'sales.purchases']);
  });

  it("13. flags row-level security policies that read another context's table", () => {
    expect(find('policy', 'sales.purchases.purchases_same_tenant')).toMatchObject({
      severity: 'high',
      contexts: ['sales', 'crm'],
    });
  });

  it('14. flags grants across contexts and default privileges left on the old schema', () => {
    expect(find('grant', 'crm.clients')).toMatchObject({
      contexts: ['crm', 'sales'],
      severity: 'medium',
    });
    expect(find('grant', 'sales.purchases').contexts).toEqual(['sales', 'billing']);
    expect(find('grant', 'public').what).toContain('give reporting SELECT on new tables');
  });

  it('15. flags an unpinned SECURITY DEFINER function and lists role search_paths', () => {
    const definer = report.couplings.find(
      (c) => c.objects[0] === 'public.client_label(c public.clients)' && c.severity === 'high',
    );
    expect(definer?.what).toContain('SECURITY DEFINER without a pinned search_path');
    expect(report.roleSearchPaths).toContainEqual({
      role: 'reporting',
      database: db.name,
      searchPath: 'public',
    });
  });

  it('16. reports extension types used by contexts', () => {
    expect(find('extension', 'public.citext')).toMatchObject({
      contexts: ['crm'],
      severity: 'low',
    });
    expect(report.couplings.some((c) => c.objects[0] === 'public.pg_trgm')).toBe(false);
  });

  it('17. warns about publications of moved tables', () => {
    expect(find('publication', 'shop_feed').objects).toEqual([
      'shop_feed',
      'billing.bills',
      'sales.purchases',
    ]);
    const whole = find('publication', 'everything_feed');
    expect(whole.severity).toBe('high');
    expect(whole.advice).toContain('ADD TABLES IN SCHEMA');
    expect(whole.objects).toContain('crm.clients');
  });

  it('18. names the owner of each moved table', () => {
    expect(report.moves.every((m) => m.owner === 'postgres')).toBe(true);
  });

  it('lists tables no context owns', () => {
    expect(find('unowned-table', 'public.settings').advice).toContain('dbboundary.yaml');
  });

  it('orders couplings by severity and writes the same couplings as Markdown', () => {
    const ranks = report.couplings.map((c) => ['high', 'medium', 'low'].indexOf(c.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(report.summary).toMatchObject({
      moves: 7,
      steps: 10,
      couplings: report.couplings.length,
    });
    const headings = markdown.split('\n').filter((line) => line.startsWith('### '));
    expect(headings).toHaveLength(report.couplings.length);
    expect(headings[0]).toBe(
      '### HIGH foreign-key: `billing.bills.bills_purchase_id_fkey` (billing, sales)',
    );
  });

  it('writes each context schema as DDL with the new names', () => {
    const sales = ddl.sales!;
    expect(sales).toContain('CREATE TABLE sales.purchases (');
    expect(sales).toContain('REFERENCES sales.purchases(id) ON DELETE CASCADE');
    expect(sales).toContain('REFERENCES crm.clients(id)');
    expect(sales).toContain('CREATE TABLE sales.purchase_log_2025 PARTITION OF sales.purchase_log');
    expect(sales).toContain('--   sequence public.shared_ids');
    const crm = ddl.crm!;
    expect(crm).toContain("DEFAULT nextval('crm.client_notes_id_seq'::regclass)");
    expect(crm).toContain('ALTER SEQUENCE crm.client_notes_id_seq OWNED BY crm.client_notes.id;');
    expect(crm).not.toMatch(/public\.(clients|client_notes)\b/);
  });
});
