import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { runCheck } from '../../src/check/run.js';
import { ConfigError } from '../../src/errors.js';
import { makeTree } from '../helpers/tempdir.js';
import { checkTree, problemsOf } from './helpers.js';

function mapOf(tables: string, head = 'version: 1\n'): string {
  return `${head}contexts:
  billing:
    code: ["src/billing/**"]
    tables: ${tables}
  sales:
    code: ["src/sales/**"]
    tables: ["sales.*"]
`;
}

function patternsOf(yaml: string): [string | null, string][] {
  const root = makeTree({ 'dbboundary.yaml': yaml });
  const { map, problems } = loadConfig(path.join(root, 'dbboundary.yaml'));
  expect(problems).toEqual([]);
  return map.contexts[0]!.tables.map((t) => [t.schema, t.name]);
}

/** rule and tables of each finding in src/sales/x.ts, which runs the given statements. */
async function findingsFor(yaml: string, statements: string[]): Promise<[string, string[]][]> {
  const code = statements.map((sql) => `db.query('${sql}');`).join('\n');
  const result = await checkTree(yaml, {
    'src/billing/index.ts': 'export {};\n',
    'src/sales/x.ts': code,
  });
  return result.findings.map((f) => [f.rule, f.tables]);
}

describe('table patterns and case', () => {
  it('folds unquoted parts to lower case as PostgreSQL does, so B.T owns SQL B.T', async () => {
    const yaml = mapOf('["Billing.Invoices", "Credit_*"]', 'version: 1\ndefaultSchema: Public\n');
    expect(patternsOf(yaml)).toEqual([
      ['billing', 'invoices'],
      ['public', 'credit_*'],
    ]);
    expect(
      await findingsFor(yaml, ['SELECT * FROM Billing.Invoices', 'SELECT * FROM CREDIT_NOTES']),
    ).toEqual([
      ['foreign-table-access', ['billing.invoices']],
      ['foreign-table-access', ['public.credit_notes']],
    ]);
  });

  it('keeps the case of double-quoted parts exactly', async () => {
    const yaml = mapOf(`['"Billing"."Invoice"', 'billing."Order*"', '"My.Schema".x']`);
    expect(patternsOf(yaml)).toEqual([
      ['Billing', 'Invoice'],
      ['billing', 'Order*'],
      ['My.Schema', 'x'],
    ]);
    const sql = [
      'SELECT * FROM "Billing"."Invoice"',
      'SELECT * FROM billing."OrderLines"',
      'SELECT * FROM Billing.Invoice',
      'SELECT * FROM billing.orderlines',
    ];
    expect(await findingsFor(yaml, sql)).toEqual([
      ['foreign-table-access', ['Billing.Invoice']],
      ['foreign-table-access', ['billing.OrderLines']],
      ['unmapped-table', ['billing.invoice']],
      ['unmapped-table', ['billing.orderlines']],
    ]);
  });

  it('ignores case and quotes in MySQL', () => {
    const yaml = mapOf(`['"Billing".Invoices']`, 'version: 1\ndialect: mysql\n');
    expect(patternsOf(yaml)).toEqual([['billing', 'invoices']]);
  });

  it('sees that patterns differing only in the case of unquoted parts overlap', async () => {
    const yaml = mapOf('["SALES.Orders", \'"Sales".orders\']');
    expect(await problemsOf(yaml, { 'src/billing/a.ts': '', 'src/sales/a.ts': '' })).toEqual([
      '8: contexts.sales.tables: "sales.*" overlaps "SALES.Orders" of billing; a table has one owner. Narrow one of the patterns.',
    ]);
  });

  it('reports a pattern whose quotes do not close or do not cover a whole part', async () => {
    const yaml = mapOf(`['"Billing.x', 'billing."Order"s', 'a.b.c', '""."x"']`);
    const hint =
      'is not schema.table, schema.* or a bare name; quote a whole part to keep its case, as in "Billing"."Invoice".';
    expect(await problemsOf(yaml, { 'src/billing/a.ts': '', 'src/sales/a.ts': '' })).toEqual([
      `5: contexts.billing.tables: "\\"Billing.x" ${hint}`,
      `5: contexts.billing.tables: "billing.\\"Order\\"s" ${hint}`,
      `5: contexts.billing.tables: "a.b.c" ${hint}`,
      `5: contexts.billing.tables: "\\"\\".\\"x\\"" ${hint}`,
    ]);
  });
});

describe('a table matched by two contexts while checking', () => {
  it('names the config relative to the working folder and the line of each pattern', async () => {
    const yaml = `version: 1
contexts:
  billing:
    code: ["src/billing/**"]
    tables:
      - "stock"
  sales:
    code: ["src/sales/**"]
    tables: ["sales.*"]
`;
    const root = makeTree({
      'dbboundary.yaml': yaml,
      'src/billing/index.ts': 'export {};\n',
      'src/sales/x.ts': "db.query('SELECT * FROM sales.stock');\n",
    });
    const before = process.cwd();
    process.chdir(root);
    try {
      await runCheck({ cwd: root });
      expect.unreachable('the check should stop');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(
        'dbboundary.yaml:6: table sales.stock matches "stock" of billing (line 6) and "sales.*" of sales (line 9); a table has one owner. Narrow one of the patterns.',
      );
    } finally {
      process.chdir(before);
    }
  });
});
