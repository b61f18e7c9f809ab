import { beforeAll, describe, expect, test } from 'vitest';

import { loadSqlFrontend } from '../../src/sql/index.js';
import type { SqlFrontend } from '../../src/sql/index.js';
import {
  buildLargeInsert,
  nameSet,
  offsetOf,
  parseOk,
  qualify,
  rolesOf,
  tablesOf,
} from './helpers.js';

let mysql: SqlFrontend;

beforeAll(async () => {
  mysql = await loadSqlFrontend('mysql');
});

// The 7 MySQL extraction cases of the parser research (parser-bench/tables.cjs).
const EXTRACTION_CASES: Array<[string, string, string[]]> = [
  [
    'backticks-db-qualified',
    'SELECT * FROM `shop`.`orders` o JOIN crm.customers c ON c.id = o.customer_id',
    ['shop.orders', 'crm.customers'],
  ],
  [
    'cte',
    `WITH recent AS (SELECT * FROM shop.orders)
     SELECT * FROM recent r JOIN crm.customers c ON c.id = r.customer_id`,
    ['shop.orders', 'crm.customers'],
  ],
  [
    'update-join',
    'UPDATE shop.stock s JOIN shop.order_lines l ON l.sku = s.sku SET s.qty = s.qty - l.qty',
    ['shop.stock', 'shop.order_lines'],
  ],
  [
    'delete-join',
    'DELETE c FROM crm.contacts c JOIN crm.companies co ON co.id = c.company_id WHERE co.deleted = 1',
    ['crm.contacts', 'crm.companies'],
  ],
  [
    'insert-on-duplicate',
    `INSERT INTO stats.daily (day, n) SELECT DATE(created_at), COUNT(*) FROM shop.orders
     GROUP BY 1 ON DUPLICATE KEY UPDATE n = VALUES(n)`,
    ['stats.daily', 'shop.orders'],
  ],
  [
    'subquery-in-where',
    'SELECT * FROM shop.orders WHERE customer_id IN (SELECT id FROM crm.customers WHERE vip = 1)',
    ['shop.orders', 'crm.customers'],
  ],
  [
    'create-table-fk',
    `CREATE TABLE shop.invoices (id INT PRIMARY KEY, customer_id INT,
     FOREIGN KEY (customer_id) REFERENCES crm.customers (id))`,
    ['shop.invoices', 'crm.customers'],
  ],
];

describe('mysql: table extraction cases', () => {
  test.each(EXTRACTION_CASES)('%s', (_name, sql, expected) => {
    expect(nameSet(tablesOf(mysql, sql))).toEqual([...expected].sort());
  });
});

describe('mysql: roles', () => {
  // Each row: SQL, then `name:role` for every table in text order.
  const ROLE_CASES: Array<[string, string, string[]]> = [
    [
      'select',
      'SELECT * FROM shop.orders o JOIN crm.customers c USING (id)',
      ['shop.orders:read', 'crm.customers:read'],
    ],
    [
      'select … for update is a read',
      'SELECT * FROM queue.jobs WHERE id = ? FOR UPDATE',
      ['queue.jobs:read'],
    ],
    ['insert values', 'INSERT INTO shop.orders (id, total) VALUES (?, ?)', ['shop.orders:write']],
    [
      'insert … select … on duplicate key update',
      `INSERT INTO stats.daily (day, n) SELECT DATE(created_at), COUNT(*) FROM shop.orders
       GROUP BY 1 ON DUPLICATE KEY UPDATE n = (SELECT COUNT(*) FROM shop.refunds)`,
      ['stats.daily:write', 'shop.orders:read', 'shop.refunds:read'],
    ],
    ['replace', 'REPLACE INTO shop.orders SET id = ?, total = ?', ['shop.orders:write']],
    [
      'update … join: the assigned table is written, the joined one read',
      'UPDATE shop.stock s JOIN shop.order_lines l ON l.sku = s.sku SET s.qty = s.qty - l.qty',
      ['shop.stock:write', 'shop.order_lines:read'],
    ],
    [
      'update of the joined table, by its alias',
      'UPDATE shop.stock s JOIN shop.order_lines l ON l.sku = s.sku SET l.done = 1',
      ['shop.stock:read', 'shop.order_lines:write'],
    ],
    [
      'multi-table update with a comma list',
      'UPDATE shop.a, shop.b SET a.x = b.y WHERE a.id = b.id',
      ['shop.a:write', 'shop.b:read'],
    ],
    [
      'update with subqueries',
      'UPDATE crm.customers SET score = (SELECT MAX(r) FROM support.tickets) WHERE id IN (SELECT cid FROM shop.orders)',
      ['crm.customers:write', 'support.tickets:read', 'shop.orders:read'],
    ],
    ['single-table delete', 'DELETE FROM crm.contacts WHERE id = ?', ['crm.contacts:write']],
    [
      'delete … join: only the named target is written',
      'DELETE c FROM crm.contacts c JOIN crm.companies co ON co.id = c.company_id',
      ['crm.contacts:write', 'crm.companies:read'],
    ],
    [
      'multi-table delete',
      'DELETE a, b FROM shop.a a JOIN shop.b b ON a.id = b.id JOIN shop.c c ON c.id = a.id',
      ['shop.a:write', 'shop.b:write', 'shop.c:read'],
    ],
    ['truncate', 'TRUNCATE TABLE shop.orders', ['shop.orders:write']],
    [
      'create table with a foreign key',
      'CREATE TABLE shop.invoices (id INT, cid INT, FOREIGN KEY (cid) REFERENCES crm.customers (id))',
      ['shop.invoices:ddl', 'crm.customers:reference'],
    ],
    [
      'create table with a named, backticked constraint',
      'CREATE TABLE `shop`.`invoices` (`id` INT, CONSTRAINT `fk` FOREIGN KEY (`id`) REFERENCES `crm`.`customers` (`id`) ON DELETE CASCADE) ENGINE=InnoDB',
      ['shop.invoices:ddl', 'crm.customers:reference'],
    ],
    [
      'create table with an inline reference',
      'CREATE TABLE shop.invoices (id INT, cid INT REFERENCES crm.customers (id))',
      ['shop.invoices:ddl', 'crm.customers:reference'],
    ],
    [
      'alter table add foreign key',
      'ALTER TABLE shop.orders ADD CONSTRAINT fk FOREIGN KEY (cid) REFERENCES crm.customers (id)',
      ['shop.orders:ddl', 'crm.customers:reference'],
    ],
    ['alter table add column', 'ALTER TABLE shop.orders ADD COLUMN note TEXT', ['shop.orders:ddl']],
    [
      'create table like',
      'CREATE TABLE shop.copy LIKE shop.orders',
      ['shop.copy:ddl', 'shop.orders:ddl'],
    ],
    [
      'create table as select',
      'CREATE TABLE shop.copy AS SELECT * FROM shop.orders',
      ['shop.copy:ddl', 'shop.orders:read'],
    ],
    [
      'create view',
      'CREATE VIEW report.v AS SELECT * FROM shop.orders',
      ['report.v:ddl', 'shop.orders:read'],
    ],
    ['create index', 'CREATE INDEX orders_cid ON shop.orders (cid)', ['shop.orders:ddl']],
    [
      'create trigger: the table, not the trigger name',
      'CREATE TRIGGER orders_audit BEFORE INSERT ON shop.orders FOR EACH ROW SET NEW.x = 1',
      ['shop.orders:ddl'],
    ],
    ['drop table', 'DROP TABLE shop.a, b', ['shop.a:ddl', 'b:ddl']],
    ['drop view', 'DROP VIEW report.v', ['report.v:ddl']],
    ['drop index names its table', 'DROP INDEX orders_cid ON shop.orders', ['shop.orders:ddl']],
    ['rename table', 'RENAME TABLE shop.a TO archive.a', ['shop.a:ddl', 'archive.a:ddl']],
    [
      'lock tables hold locks for the statements that follow, and use no table',
      'LOCK TABLES shop.a READ, shop.b WRITE',
      [],
    ],
    ['unlock tables', 'UNLOCK TABLES', []],
    ['set names changes the session only', 'SET NAMES utf8mb4', []],
    [
      'set reading a table is judged by its table',
      'SET @n = (SELECT COUNT(*) FROM shop.a)',
      ['shop.a:read'],
    ],
    [
      'disable keys, which node-sql-parser rejects, is a schema change',
      'ALTER TABLE `shop`.`a` DISABLE KEYS',
      ['shop.a:ddl'],
    ],
    ['enable keys of an unqualified table', 'ALTER TABLE a ENABLE KEYS', ['a:ddl']],
  ];

  test.each(ROLE_CASES)('%s', (_name, sql, expected) => {
    expect(rolesOf(mysql, sql)).toEqual(expected);
  });
});

describe('mysql: names and scoping', () => {
  test('names are kept as written, backticks removed', () => {
    const sql = 'SELECT * FROM Shop.Orders JOIN `my db`.`order lines` l ON true';
    expect(tablesOf(mysql, sql).map(qualify)).toEqual(['Shop.Orders', 'my db.order lines']);
  });

  test('a CTE shadows a table of the same name, whatever its case', () => {
    const sql = 'WITH Recent AS (SELECT * FROM shop.orders) SELECT * FROM recent, shop.recent';
    expect(nameSet(tablesOf(mysql, sql))).toEqual(['shop.orders', 'shop.recent']);
  });

  test('a CTE inside a derived table does not hide a table outside it', () => {
    const sql = 'SELECT * FROM (WITH x AS (SELECT 1 AS a) SELECT a FROM x) s, x';
    const tables = tablesOf(mysql, sql);
    expect(tables.map(qualify)).toEqual(['x']);
    expect(tables[0]?.offset).toBe(sql.lastIndexOf('x'));
  });

  test('a recursive CTE refers to itself, not to a table', () => {
    const sql = `WITH RECURSIVE tree AS (SELECT id FROM org.units WHERE parent_id IS NULL
      UNION ALL SELECT u.id FROM org.units u JOIN tree t ON u.parent_id = t.id) SELECT * FROM tree`;
    expect(rolesOf(mysql, sql)).toEqual(['org.units:read', 'org.units:read']);
  });

  test('subqueries in the select list, FROM, EXISTS and IN, and window functions', () => {
    const sql = `SELECT (SELECT COUNT(*) FROM audit.events e WHERE e.uid = u.id) AS n,
        ROW_NUMBER() OVER (PARTITION BY u.team ORDER BY u.id) AS rn
      FROM (SELECT * FROM auth.users) u
      WHERE EXISTS (SELECT 1 FROM billing.subs s WHERE s.uid = u.id)
        AND u.id IN (SELECT uid FROM crm.flags)`;
    expect(tablesOf(mysql, sql).map(qualify)).toEqual([
      'audit.events',
      'auth.users',
      'billing.subs',
      'crm.flags',
    ]);
  });

  test('UNION branches are all read', () => {
    const sql = 'SELECT id FROM shop.a UNION ALL SELECT id FROM shop.b';
    expect(rolesOf(mysql, sql)).toEqual(['shop.a:read', 'shop.b:read']);
  });

  test('placeholders parse', () => {
    const sql = 'SELECT * FROM shop.orders WHERE id = ? AND total > ? LIMIT ?';
    expect(tablesOf(mysql, sql).map(qualify)).toEqual(['shop.orders']);
  });
});

describe('mysql: statements and locations', () => {
  test('statements are split on `;` outside strings and comments', () => {
    const sql = "SELECT 'a;b' FROM shop.a; -- one; two\n/* ; */ UPDATE shop.b SET x = 1 ;\n";
    const statements = parseOk(mysql, sql);

    expect(statements.map((statement) => statement.text)).toEqual([
      "SELECT 'a;b' FROM shop.a",
      'UPDATE shop.b SET x = 1',
    ]);
    expect(statements.map((statement) => statement.offset)).toEqual([0, offsetOf(sql, 'UPDATE')]);
    expect(statements[1]?.tables[0]?.offset).toBe(offsetOf(sql, 'shop.b'));
  });

  test('offsets point at the name, backticks and database included', () => {
    const sql = 'SELECT * FROM `shop`.`orders` o JOIN crm.customers c ON c.id = o.customer_id';
    expect(tablesOf(mysql, sql).map((table) => table.offset)).toEqual([
      offsetOf(sql, '`shop`'),
      offsetOf(sql, 'crm.customers'),
    ]);
  });

  test('offsets count characters after non-ASCII text, in a later statement too', () => {
    const sql = "SELECT 'naïve 😀';\nINSERT INTO crm.notes (t) VALUES ('café') ";
    const [, second] = parseOk(mysql, sql);
    expect(second?.offset).toBe(offsetOf(sql, 'INSERT'));
    expect(second?.tables[0]?.offset).toBe(offsetOf(sql, 'crm.notes'));
  });

  test('a name inside a string or a comment is not taken for the table', () => {
    const sql = "SELECT 'shop.orders' AS s /* shop.orders */ FROM shop.orders # shop.orders";
    expect(tablesOf(mysql, sql)[0]?.offset).toBe(offsetOf(sql, 'shop.orders', 2));
  });

  test('a column qualified by the table name is not taken for the table', () => {
    const sql = 'INSERT INTO orders (id) SELECT orders.id FROM archive, orders';
    const tables = tablesOf(mysql, sql);
    expect(tables.map((table) => table.offset)).toEqual([
      offsetOf(sql, 'orders'),
      offsetOf(sql, 'archive'),
      sql.lastIndexOf('orders'),
    ]);
  });

  test('a table named twice gets two offsets', () => {
    const sql = 'SELECT * FROM shop.a JOIN shop.a AS a2 ON a2.parent = shop.a.id';
    expect(tablesOf(mysql, sql).map((table) => table.offset)).toEqual([
      offsetOf(sql, 'shop.a'),
      offsetOf(sql, 'shop.a', 1),
    ]);
  });

  test('DML and DDL targets are found by name', () => {
    const sql =
      'UPDATE crm.customers SET name = ? WHERE id = (SELECT cid FROM shop.orders LIMIT 1)';
    expect(tablesOf(mysql, sql).map((table) => table.offset)).toEqual([
      offsetOf(sql, 'crm.customers'),
      offsetOf(sql, 'shop.orders'),
    ]);
  });

  test.each([
    '',
    '  \n',
    '-- only a comment',
    '# hash comment',
    '/* block */',
    ';;',
    '/*!40101 SET x=1 */;',
  ])('no statements in %j', (sql) => {
    expect(mysql.parse(sql)).toEqual({ ok: true, statements: [] });
  });
});

describe('mysql: errors', () => {
  test('a syntax error names the token and gives its character offset', () => {
    // FRM reads as a column alias, so the error is at the name after it.
    const sql = "SELECT 'é😀' FRM crm.customers";
    expect(mysql.parse(sql)).toEqual({
      ok: false,
      message: 'syntax error at or near "crm"',
      offset: offsetOf(sql, 'crm'),
    });
  });

  test('an error in a later statement is placed in the whole string', () => {
    const sql = 'SELECT 1;\nSELECT * FROM shop.orders WHERE id = = 1';
    expect(mysql.parse(sql)).toEqual({
      ok: false,
      message: 'syntax error at or near "="',
      offset: sql.lastIndexOf('= 1'),
    });
  });

  test('an unfinished statement fails at the end of the input', () => {
    const sql = 'SELECT * FROM shop.orders WHERE';
    expect(mysql.parse(sql)).toEqual({
      ok: false,
      message: 'syntax error at end of input',
      offset: sql.length,
    });
  });

  test('deep nesting fails instead of throwing', () => {
    const sql = `SELECT ${'('.repeat(5_000)}1${')'.repeat(5_000)}`;
    expect(mysql.parse(sql)).toMatchObject({ ok: false, message: /nested too deeply/ });
  });
});

describe('mysql: large input', () => {
  // Its time (about 1.0 to 1.4 s on a 2-core VM) is a figure for a benchmark, not a test.
  test('a 1 MB INSERT parses, with its table', () => {
    const sql = buildLargeInsert('shop.items', 1_000_000, '?');
    const result = mysql.parse(sql);

    expect(result.ok && result.statements[0]?.tables.map(qualify)).toEqual(['shop.items']);
  });
});
