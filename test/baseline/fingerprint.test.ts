import { beforeAll, describe, expect, it } from 'vitest';
import { findingKey, fingerprintOf } from '../../src/baseline/index.js';
import type { Finding } from '../../src/check/findings.js';
import { runCheck } from '../../src/check/run.js';
import { loadSqlFrontend, textFingerprint } from '../../src/sql/index.js';
import type { SqlFrontend } from '../../src/sql/index.js';
import { normalizeMysql } from '../../src/sql/mysql-fingerprint.js';
import { makeTree } from '../helpers/tempdir.js';
import { ORDERS_AND_CUSTOMERS } from '../helpers/maps.js';

let pg: SqlFrontend;
let mysql: SqlFrontend;

beforeAll(async () => {
  pg = await loadSqlFrontend('postgresql');
  mysql = await loadSqlFrontend('mysql');
});

describe('statement fingerprint', () => {
  // [dialect, a, b]: the two texts are one statement shape.
  const SAME: Array<['postgresql' | 'mysql', string, string]> = [
    [
      'postgresql',
      'SELECT name FROM customers.customers WHERE id = 1',
      'select name\n    from customers.customers\n   where id = 42',
    ],
    [
      'postgresql',
      "SELECT * FROM orders.orders WHERE status = 'open' AND id IN (1, 2, 3)",
      "SELECT * FROM orders.orders /* hot path */ WHERE status = 'paid' AND id IN ($1)",
    ],
    [
      'postgresql',
      'INSERT INTO t (a, b) VALUES (1, 2), (3, 4)',
      'INSERT INTO t (a, b) VALUES ($1, $2)',
    ],
    [
      'mysql',
      'SELECT name FROM `crm`.`customers` WHERE id = 1',
      'select NAME\n  from crm.customers -- by id\n where id = ?',
    ],
    [
      'mysql',
      "SELECT * FROM shop.orders WHERE status = 'open' AND total > 1.5 AND id IN (1, 2, 3)",
      'SELECT * FROM shop.orders WHERE status = "paid" AND total > 20 AND id IN (?) # hot',
    ],
    ['mysql', 'INSERT INTO t (a, b) VALUES (1, 2), (3, 4)', 'INSERT INTO t (a, b) VALUES (?, ?)'],
  ];

  it.each(SAME)('%s: is the same for layout, case, comments and constants', (dialect, a, b) => {
    const frontend = dialect === 'mysql' ? mysql : pg;
    expect(frontend.fingerprint(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(frontend.fingerprint(a)).toBe(frontend.fingerprint(b));
  });

  const DIFFERENT: Array<['postgresql' | 'mysql', string, string]> = [
    ['postgresql', 'SELECT * FROM customers.customers', 'SELECT * FROM customers.addresses'],
    ['postgresql', 'SELECT * FROM orders.orders', 'DELETE FROM orders.orders'],
    ['postgresql', 'SELECT id FROM orders.orders', 'SELECT status FROM orders.orders'],
    ['mysql', 'SELECT * FROM crm.customers', 'SELECT * FROM crm.addresses'],
    ['mysql', 'SELECT * FROM shop.orders', 'DELETE FROM shop.orders'],
  ];

  it.each(DIFFERENT)('%s: differs for other tables, columns or verbs', (dialect, a, b) => {
    const frontend = dialect === 'mysql' ? mysql : pg;
    expect(frontend.fingerprint(a)).not.toBe(frontend.fingerprint(b));
  });

  it('is null where there is no shape: empty text, or PostgreSQL that does not parse', () => {
    expect(pg.fingerprint('  ')).toBeNull();
    expect(pg.fingerprint('SELEC oops')).toBeNull();
    expect(mysql.fingerprint('-- only a comment')).toBeNull();
  });

  it('reduces MySQL to its shape: values as ?, names lower-cased, lists collapsed', () => {
    expect(
      normalizeMysql("INSERT INTO `Shop`.Orders (id, note) VALUES (1, 'a'), (2.5, :note), (?, ?)"),
    ).toBe('insert into shop . orders ( id , note ) values ( ? )');
  });

  it('keeps unparsed text apart by its words, whatever its indentation', () => {
    expect(textFingerprint('SELECT id,\n    FROM t')).toBe(textFingerprint('  SELECT id, FROM t '));
    expect(textFingerprint('SELECT id, FROM t')).not.toBe(textFingerprint('SELECT id, FROM u'));
  });
});

const MAP = ORDERS_AND_CUSTOMERS;

async function findingsOf(code: string): Promise<Finding[]> {
  const root = makeTree({
    'dbboundary.yaml': MAP,
    'src/orders/a.ts': code,
    'src/customers/model.ts': 'export class Customer {}\n',
  });
  return (await runCheck({ cwd: root })).findings;
}

describe('findings of a check', () => {
  it('carry the statement fingerprint on SQL findings, and none on imports', async () => {
    const findings = await findingsOf(
      [
        "import { Customer } from '../customers/model';",
        "pool.query('SELECT * FROM customers.customers WHERE id = 1');",
        "pool.query('SELECT * FROM customers.customers WHERE id = ,');",
      ].join('\n'),
    );

    expect(findings.map((f) => [f.rule, typeof f.statement])).toEqual([
      ['cross-context-import', 'undefined'],
      ['foreign-table-access', 'string'],
      ['unparsed-sql', 'string'],
    ]);
    expect(findings[1]!.statement).toBe(
      pg.fingerprint('SELECT * FROM customers.customers WHERE id = 1'),
    );
  });

  it('keep their statement fingerprint when the SQL is reformatted or a constant changes', async () => {
    const before = await findingsOf(
      "pool.query('SELECT * FROM customers.customers WHERE id = 1');",
    );
    const after = await findingsOf(
      [
        '',
        '',
        'pool.query(`',
        '  SELECT *',
        '    FROM customers.customers',
        '   WHERE id = 7`);',
      ].join('\n'),
    );

    expect(after[0]!.line).not.toBe(before[0]!.line);
    expect(after[0]!.statement).toBe(before[0]!.statement);
    expect(fingerprintOf(after[0]!, 0)).toBe(fingerprintOf(before[0]!, 0));
  });

  it('have an id that leaves line, column and message out, and counts occurrences', () => {
    const finding: Finding = {
      rule: 'foreign-table-access',
      severity: 'error',
      file: 'src/orders/a.ts',
      line: 3,
      column: 5,
      context: 'orders',
      targets: ['customers'],
      tables: ['customers.customers'],
      message: 'reads customers.customers, owned by customers.',
      statement: '00b9f719a46da6e3',
    };
    const moved = { ...finding, line: 30, column: 1, message: 'worded otherwise' };

    expect(fingerprintOf(moved, 0)).toBe(fingerprintOf(finding, 0));
    expect(fingerprintOf(finding, 1)).not.toBe(fingerprintOf(finding, 0));
    expect(findingKey({ ...finding, tables: ['customers.addresses'] })).not.toBe(
      findingKey(finding),
    );
  });
});
