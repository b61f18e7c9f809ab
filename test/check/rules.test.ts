import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run.js';
import type { CheckResult } from '../../src/check/run.js';
import { UserError } from '../../src/errors.js';
import { makeTree } from '../helpers/tempdir.js';

const MAP = `version: 1
defaultSchema: public
contexts:
  orders:
    code: ["src/orders/**"]
    tables: ["orders.*", "order_audit"]
    public: ["src/orders/api/**"]
  customers:
    code: ["src/customers/**"]
    tables: ["customers.*"]
    public: ["src/customers/api/**"]
  catalog:
    code: ["src/catalog/**"]
    tables: ["catalog.*"]
`;

const BASE = {
  'src/orders/api/index.ts': 'export const placeOrder = () => 1;\n',
  'src/customers/api/index.ts': 'export type Customer = { id: string };\n',
  'src/customers/model.ts': 'export class CustomerEntity {}\n',
  'src/catalog/index.ts': 'export {};\n',
};

async function check(files: Record<string, string>, map = MAP): Promise<CheckResult> {
  const root = makeTree({ 'dbboundary.yaml': map, ...BASE, ...files });
  return runCheck({ cwd: root });
}

/** rule@line:column for each finding, the shape a reader checks against the code. */
async function findingsOf(files: Record<string, string>, map = MAP): Promise<string[]> {
  const result = await check(files, map);
  return result.findings.map((f) => `${f.rule}@${f.file}:${f.line}:${f.column}`);
}

describe('cross-context-join', () => {
  it('flags one statement that joins two contexts, at the foreign table', async () => {
    const result = await check({
      'src/orders/report.ts': [
        'export const q = (pool: any) =>',
        '  pool.query(`SELECT o.id, c.name FROM orders.orders o',
        '    JOIN customers.customers c ON c.id = o.customer_id`);',
      ].join('\n'),
    });
    expect(result.findings).toEqual([
      expect.objectContaining({
        rule: 'cross-context-join',
        severity: 'error',
        file: 'src/orders/report.ts',
        line: 3,
        column: 10,
        context: 'orders',
        targets: ['customers'],
        tables: ['customers.customers', 'orders.orders'],
      }),
    ]);
  });

  it('is the one rule for code outside every context', async () => {
    const result = await check({
      'src/jobs/nightly.ts': [
        "pool.query('SELECT * FROM catalog.products p JOIN orders.order_lines l ON l.sku = p.sku');",
        "pool.query('SELECT * FROM customers.customers');",
        "pool.query('SELECT * FROM nobody_owns_this');",
        "import { CustomerEntity } from '../customers/model';",
      ].join('\n'),
    });
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.context, f.targets])).toEqual([
      ['cross-context-join', 1, 51, null, ['catalog', 'orders']],
    ]);
  });

  it('names every other context when a statement reaches two of them', async () => {
    const result = await check({
      'src/orders/x.ts': "db.query('SELECT * FROM customers.customers c, catalog.products p');",
    });
    expect(result.findings.map((f) => [f.rule, f.targets])).toEqual([
      ['cross-context-join', ['catalog', 'customers']],
    ]);
  });

  it('does not count CTE names, aliases or columns named like other tables', async () => {
    const findings = await findingsOf({
      'src/orders/x.ts': [
        'db.query(`WITH customers AS (SELECT customer_id FROM orders.orders)',
        '  SELECT customers.customer_id AS customers FROM customers JOIN order_audit catalog ON true`);',
      ].join('\n'),
    });
    expect(findings).toEqual([]);
  });
});

describe('foreign-table-access', () => {
  it('flags reads and writes of one other context', async () => {
    const result = await check({
      'src/orders/x.ts': [
        "db.query('SELECT email FROM customers.customers WHERE id = $1::uuid', [id]);",
        "db.query('UPDATE catalog.stock SET qty = qty - 1 WHERE sku = $1', [sku]);",
      ].join('\n'),
    });
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.targets, f.message])).toEqual([
      [
        'foreign-table-access',
        1,
        29,
        ['customers'],
        'reads customers.customers, owned by customers.',
      ],
      ['foreign-table-access', 2, 18, ['catalog'], 'writes catalog.stock, owned by catalog.'],
    ]);
  });

  it('leaves a context alone with its own tables, qualified or through the default schema', async () => {
    const findings = await findingsOf({
      'src/orders/x.ts': [
        "db.query('INSERT INTO order_audit (order_id) SELECT id FROM orders.orders');",
        "db.query('SELECT * FROM public.order_audit');",
      ].join('\n'),
    });
    expect(findings).toEqual([]);
  });
});

describe('unmapped-table', () => {
  it('warns once per table per statement, and not for system catalogs', async () => {
    const result = await check({
      'src/orders/x.ts': [
        "db.query('SELECT * FROM feature_flags f JOIN feature_flags g ON true');",
        "db.query('SELECT * FROM pg_catalog.pg_class, information_schema.tables, pg_stat_activity');",
      ].join('\n'),
    });
    expect(result.findings.map((f) => [f.rule, f.severity, f.line, f.tables])).toEqual([
      ['unmapped-table', 'warning', 1, ['public.feature_flags']],
    ]);
    expect(result.summary.errors).toBe(0);
  });

  it('matches a bare pattern in any schema when no default schema is set', async () => {
    const map = MAP.replace('defaultSchema: public\n', '').replace('"order_audit"', '"audit_log"');
    const findings = await findingsOf(
      {
        'src/orders/x.ts':
          "db.query('SELECT * FROM archive.audit_log, audit_log, customers_view');",
      },
      map,
    );
    expect(findings).toEqual(['unmapped-table@src/orders/x.ts:1:55']);
  });
});

describe('unparsed-sql', () => {
  it('warns with the parser message at the error', async () => {
    const result = await check({ 'src/orders/x.ts': "db.query('SELECT * FORM orders.orders');" });
    expect(result.findings).toEqual([
      expect.objectContaining({
        rule: 'unparsed-sql',
        severity: 'warning',
        line: 1,
        column: 20,
        message: expect.stringContaining('syntax error at or near "FORM"'),
      }),
    ]);
    expect(result.summary.unparsedSql).toBe(1);
  });

  it('says what was tried when SQL with interpolated values does not parse', async () => {
    const result = await check({
      'src/orders/x.ts': 'db.query(`SELECT * FORM orders.orders WHERE id = ${id}`);',
    });
    expect(result.findings.map((f) => [f.rule, f.column])).toEqual([['unparsed-sql', 20]]);
    expect(result.findings[0]!.message).toMatch(/tried as values, names and empty text/);
  });
});

describe('cross-context-import', () => {
  it("flags private files of another context, whatever the import's form", async () => {
    const result = await check({
      'tsconfig.json':
        '{ "compilerOptions": { "baseUrl": ".", "paths": { "@customers/*": ["src/customers/*"] } } }',
      'src/orders/x.ts': [
        "import { CustomerEntity } from '../customers/model';",
        "import type { CustomerEntity as T } from '@customers/model';",
        "export { CustomerEntity as C } from '../customers/model.js';",
        "const lazy = () => import('../customers/model');",
        "const old = require('../customers/model');",
      ].join('\n'),
    });
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.import, f.targets])).toEqual([
      ['cross-context-import', 1, 32, '../customers/model', ['customers']],
      ['cross-context-import', 2, 42, '@customers/model', ['customers']],
      ['cross-context-import', 3, 37, '../customers/model.js', ['customers']],
      ['cross-context-import', 4, 27, '../customers/model', ['customers']],
      ['cross-context-import', 5, 21, '../customers/model', ['customers']],
    ]);
    expect(result.findings[1]!.message).toMatch(/^imports types from src\/customers\/model\.ts/);
  });

  it('lets a context import public files, its own files and shared code', async () => {
    const findings = await findingsOf({
      'tsconfig.json':
        '{ "compilerOptions": { "paths": { "@customers": ["./src/customers/api/index.ts"] } } }',
      'src/shared/db.ts': 'export const pool = {};\n',
      'src/orders/x.ts': [
        "import type { Customer } from '@customers';",
        "import { Customer as C } from '../customers/api';",
        "import { placeOrder } from './api';",
        "import { pool } from '../shared/db';",
        "import pg from 'pg';",
      ].join('\n'),
      'src/shared/uses-private.ts': "import { CustomerEntity } from '../customers/model';",
    });
    expect(findings).toEqual([]);
  });
});

describe('allow', () => {
  const allow =
    'allow:\n  - from: orders\n    to: customers\n    reason: "until the customers API ships"\n';

  it('silences findings it covers, and counts them', async () => {
    const result = await check(
      {
        'src/orders/x.ts': [
          "import { CustomerEntity } from '../customers/model';",
          "db.query('SELECT * FROM customers.customers');",
          "db.query('SELECT * FROM orders.orders o JOIN customers.customers c ON true');",
          "db.query('SELECT * FROM customers.customers c JOIN catalog.products p ON true');",
        ].join('\n'),
      },
      MAP + allow,
    );
    expect(result.findings.map((f) => [f.rule, f.line])).toEqual([['cross-context-join', 4]]);
    expect(result.allowed.map((f) => [f.rule, f.allowedBy.reason])).toEqual([
      ['cross-context-import', 'until the customers API ships'],
      ['foreign-table-access', 'until the customers API ships'],
      ['cross-context-join', 'until the customers API ships'],
    ]);
    expect(result.summary.allowed).toBe(3);
  });

  it('does not work backwards', async () => {
    const findings = await findingsOf(
      { 'src/customers/x.ts': "db.query('SELECT * FROM orders.orders');" },
      MAP + allow,
    );
    expect(findings).toEqual(['foreign-table-access@src/customers/x.ts:1:25']);
  });
});

describe('ownership conflicts', () => {
  it('stops with a clear error when a table matches patterns of two contexts', async () => {
    const map = MAP.replace('tables: ["catalog.*"]', 'tables: ["*.stock"]');
    await expect(
      check({ 'src/catalog/x.ts': "db.query('SELECT * FROM orders.stock');" }, map),
    ).rejects.toThrowError(UserError);
  });
});

describe('MySQL', () => {
  const mysqlMap = `version: 1
dialect: mysql
defaultSchema: shop
contexts:
  orders:
    code: ["src/orders/**"]
    tables: ["orders", "order_lines"]
  customers:
    code: ["src/customers/**"]
    tables: ["crm.*"]
`;

  it('compares names without regard to case, through backticks and the default database', async () => {
    const result = await check(
      {
        'src/orders/x.ts': [
          "conn.query('SELECT * FROM `Shop`.`Orders` o JOIN CRM.Customers c ON c.id = o.customer_id');",
          'conn.query(`UPDATE Order_Lines l JOIN crm.customers c ON c.id = l.customer_id SET l.vip = 1 WHERE l.id = ${id}`);',
        ].join('\n'),
      },
      mysqlMap,
    );
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.tables])).toEqual([
      ['cross-context-join', 1, 50, ['crm.customers', 'shop.orders']],
      ['cross-context-join', 2, 39, ['crm.customers', 'shop.order_lines']],
    ]);
  });
});

describe('notices', () => {
  it('says when a tsconfig path alias leads to no file', async () => {
    const result = await check({
      'tsconfig.json':
        '{ "compilerOptions": { "paths": { "@customers/*": ["./src/customer/*"] } } }',
      'src/orders/x.ts':
        "import { CustomerEntity } from '@customers/model';\nimport pg from 'pg';\n",
    });
    expect(result.notices).toEqual([
      'import "@customers/model" matches the tsconfig path "@customers/*" but no file; it was not checked.',
    ]);
  });
});

describe('odd text', () => {
  it('keeps reading PostgreSQL SQL past lone surrogates', async () => {
    const result = await check({
      'src/catalog/x.ts':
        "db.query('SELECT \\'' + '\\uD800'.repeat(10) + '\\' AS x FROM catalog.products, orders.orders');\n",
    });
    expect(result.findings.map((f) => [f.rule, f.targets])).toEqual([
      ['cross-context-join', ['orders']],
    ]);
  });
});

describe('symbolic links', () => {
  it('leaves a link into another context to be read where its files really are', async () => {
    const root = makeTree({
      'dbboundary.yaml': MAP,
      ...BASE,
      'src/customers/private/q.ts': "db.query('SELECT * FROM orders.orders');\n",
    });
    symlinkSync(path.join(root, 'src/customers/private'), path.join(root, 'src/orders/borrowed'));
    const result = await runCheck({ cwd: root });
    expect(result.findings.map((f) => [f.rule, f.file, f.context])).toEqual([
      ['foreign-table-access', 'src/customers/private/q.ts', 'customers'],
    ]);
  });
});
