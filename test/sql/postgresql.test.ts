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

let pg: SqlFrontend;

beforeAll(async () => {
  pg = await loadSqlFrontend('postgresql');
});

// The 28 PostgreSQL extraction cases of the parser research (parser-bench/tables.cjs).
const EXTRACTION_CASES: Array<[string, string, string[]]> = [
  [
    'cte-not-table',
    `WITH recent AS (SELECT * FROM billing.invoices WHERE created_at > now() - interval '1 day')
     SELECT r.id, c.name FROM recent r JOIN crm.customers c ON c.id = r.customer_id`,
    ['billing.invoices', 'crm.customers'],
  ],
  [
    'cte-shadows-table',
    'WITH orders AS (SELECT * FROM sales.orders WHERE total > 0) SELECT * FROM orders',
    ['sales.orders'],
  ],
  [
    'recursive-cte',
    `WITH RECURSIVE tree AS (SELECT id, parent_id FROM org.units WHERE parent_id IS NULL
     UNION ALL SELECT u.id, u.parent_id FROM org.units u JOIN tree t ON u.parent_id = t.id)
     SELECT * FROM tree`,
    ['org.units'],
  ],
  [
    'cte-in-union-branch',
    'WITH foo AS (SELECT * FROM bar) SELECT * FROM baz UNION SELECT * FROM foo',
    ['bar', 'baz'],
  ],
  ['cte-scope-ends', 'SELECT * FROM (WITH x AS (SELECT 1 AS a) SELECT a FROM x) s, x', ['x']],
  [
    'subqueries-everywhere',
    `SELECT (SELECT count(*) FROM audit.events e WHERE e.user_id = u.id) AS n
     FROM (SELECT * FROM auth.users) u
     WHERE EXISTS (SELECT 1 FROM billing.subscriptions s WHERE s.user_id = u.id)
     AND u.id IN (SELECT user_id FROM crm.flags)`,
    ['audit.events', 'auth.users', 'billing.subscriptions', 'crm.flags'],
  ],
  [
    'cross-join-lateral',
    `SELECT u.id, last.amount FROM auth.users u CROSS JOIN LATERAL
     (SELECT p.amount FROM billing.payments p WHERE p.user_id = u.id
      ORDER BY p.created_at DESC LIMIT 1) last`,
    ['auth.users', 'billing.payments'],
  ],
  [
    'left-join-lateral',
    `SELECT o.id, l.n FROM sales.orders o LEFT JOIN LATERAL
     (SELECT count(*) AS n FROM sales.order_lines ol WHERE ol.order_id = o.id) l ON true`,
    ['sales.orders', 'sales.order_lines'],
  ],
  [
    'quoted-identifiers',
    'SELECT * FROM "Billing"."Invoice" i JOIN "public"."user accounts" ua ON ua.id = i."userId"',
    ['Billing.Invoice', 'public.user accounts'],
  ],
  [
    'unquoted-case-folding',
    'SELECT * FROM Sales.Orders JOIN CRM."Customer" c ON true',
    ['sales.orders', 'crm.Customer'],
  ],
  [
    'alias-named-like-table',
    'SELECT * FROM billing.invoices users JOIN auth.users u ON u.id = users.user_id',
    ['billing.invoices', 'auth.users'],
  ],
  ['three-part-column', 'SELECT billing.invoices.id FROM billing.invoices', ['billing.invoices']],
  [
    'srf-in-from',
    'SELECT * FROM generate_series(1, 10) g(n) JOIN app.items i ON i.id = g.n',
    ['app.items'],
  ],
  [
    'window-join-using',
    `SELECT o.*, row_number() OVER (PARTITION BY o.customer_id ORDER BY o.created_at)
     FROM sales.orders o JOIN crm.customers c USING (customer_id)`,
    ['sales.orders', 'crm.customers'],
  ],
  [
    'json-ops-params',
    `SELECT data->>'x' FROM app.docs WHERE data @> '{"a":1}'::jsonb AND id = $1::uuid`,
    ['app.docs'],
  ],
  [
    'only-for-update',
    `SELECT * FROM ONLY queue.jobs WHERE state = 'ready' ORDER BY id LIMIT 10
     FOR UPDATE SKIP LOCKED`,
    ['queue.jobs'],
  ],
  [
    'update-from',
    'UPDATE inventory.stock s SET qty = s.qty - o.qty FROM sales.order_lines o WHERE o.sku = s.sku',
    ['inventory.stock', 'sales.order_lines'],
  ],
  [
    'update-from-join',
    `UPDATE inventory.stock s SET qty = 0 FROM sales.order_lines o
     JOIN sales.orders h ON h.id = o.order_id WHERE o.sku = s.sku`,
    ['inventory.stock', 'sales.order_lines', 'sales.orders'],
  ],
  [
    'update-scalar-subquery',
    `UPDATE crm.customers SET score = (SELECT avg(rating) FROM support.tickets t
     WHERE t.customer_id = customers.id)`,
    ['crm.customers', 'support.tickets'],
  ],
  [
    'delete-using',
    'DELETE FROM crm.contacts c USING crm.companies co WHERE c.company_id = co.id AND co.deleted',
    ['crm.contacts', 'crm.companies'],
  ],
  [
    'insert-select-on-conflict',
    `INSERT INTO reporting.daily_totals (day, total)
     SELECT date_trunc('day', created_at), sum(amount) FROM billing.payments GROUP BY 1
     ON CONFLICT (day) DO UPDATE SET total = EXCLUDED.total`,
    ['reporting.daily_totals', 'billing.payments'],
  ],
  [
    'data-modifying-cte',
    `WITH moved AS (DELETE FROM queue.jobs WHERE done RETURNING *)
     INSERT INTO archive.jobs SELECT * FROM moved`,
    ['queue.jobs', 'archive.jobs'],
  ],
  [
    'merge',
    `MERGE INTO crm.customers c USING staging.customers s ON s.id = c.id
     WHEN MATCHED THEN UPDATE SET name = s.name
     WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)`,
    ['crm.customers', 'staging.customers'],
  ],
  [
    'create-view',
    `CREATE VIEW reporting.customer_revenue AS SELECT c.id, sum(p.amount) AS total
     FROM crm.customers c JOIN billing.payments p ON p.customer_id = c.id GROUP BY c.id`,
    ['reporting.customer_revenue', 'crm.customers', 'billing.payments'],
  ],
  [
    'create-table-fk',
    `CREATE TABLE billing.invoices (id bigint PRIMARY KEY,
     customer_id bigint REFERENCES crm.customers (id))`,
    ['billing.invoices', 'crm.customers'],
  ],
  [
    'alter-table-fk',
    `ALTER TABLE billing.invoices ADD CONSTRAINT invoices_customer_fk
     FOREIGN KEY (customer_id) REFERENCES crm.customers (id)`,
    ['billing.invoices', 'crm.customers'],
  ],
  [
    'create-trigger',
    `CREATE TRIGGER orders_audit AFTER INSERT ON sales.orders
     FOR EACH ROW EXECUTE FUNCTION audit.log_change()`,
    ['sales.orders'],
  ],
  ['truncate', 'TRUNCATE sales.orders, sales.order_lines', ['sales.orders', 'sales.order_lines']],
];

describe('postgresql: table extraction cases', () => {
  test.each(EXTRACTION_CASES)('%s', (_name, sql, expected) => {
    expect(nameSet(tablesOf(pg, sql))).toEqual([...expected].sort());
  });
});

describe('postgresql: roles', () => {
  // Each row: SQL, then `name:role` for every table in text order.
  const ROLE_CASES: Array<[string, string, string[]]> = [
    ['select', 'SELECT * FROM a.t JOIN b.u USING (id)', ['a.t:read', 'b.u:read']],
    [
      'SELECT … FOR UPDATE locks rows to change them, a write; FOR UPDATE OF names an alias',
      'SELECT * FROM queue.jobs j JOIN queue.kinds k ON k.id = j.kind FOR UPDATE OF j SKIP LOCKED',
      ['queue.jobs:write', 'queue.kinds:read'],
    ],
    [
      'FOR NO KEY UPDATE without OF locks every table of the FROM',
      'SELECT * FROM a.t, b.u FOR NO KEY UPDATE',
      ['a.t:write', 'b.u:write'],
    ],
    [
      'FOR SHARE only keeps rows from changing, a read',
      'SELECT * FROM a.t FOR SHARE',
      ['a.t:read'],
    ],
    [
      'a subquery in WHERE is not locked by the FOR UPDATE of the query around it',
      'SELECT * FROM a.t WHERE id IN (SELECT id FROM b.u) FOR UPDATE',
      ['a.t:write', 'b.u:read'],
    ],
    [
      'nextval and setval write the sequence they name, currval reads it',
      "SELECT nextval('crm.customers_id_seq'), currval('crm.orders_id_seq'::regclass), pg_catalog.setval('\"Crm\".\"Seq\"', 1)",
      ['crm.customers_id_seq:write', 'crm.orders_id_seq:read', 'Crm.Seq:write'],
    ],
    ['an unqualified sequence', "SELECT nextval('ids')", ['ids:write']],
    ['insert values', 'INSERT INTO app.items (id) VALUES ($1)', ['app.items:write']],
    [
      'insert … select',
      'INSERT INTO archive.jobs SELECT * FROM queue.jobs',
      ['archive.jobs:write', 'queue.jobs:read'],
    ],
    [
      'update … from',
      'UPDATE inventory.stock s SET qty = 0 FROM sales.order_lines o WHERE o.sku = s.sku',
      ['inventory.stock:write', 'sales.order_lines:read'],
    ],
    [
      'update with subqueries in SET and WHERE',
      `UPDATE crm.customers SET score = (SELECT 1 FROM support.tickets)
       WHERE id IN (SELECT customer_id FROM sales.orders)`,
      ['crm.customers:write', 'support.tickets:read', 'sales.orders:read'],
    ],
    [
      'delete … using',
      'DELETE FROM crm.contacts c USING crm.companies co WHERE c.company_id = co.id',
      ['crm.contacts:write', 'crm.companies:read'],
    ],
    [
      'delete with EXISTS',
      'DELETE FROM a.t WHERE EXISTS (SELECT 1 FROM b.u WHERE b.u.id = a.t.id)',
      ['a.t:write', 'b.u:read'],
    ],
    [
      'merge',
      `MERGE INTO crm.customers c USING staging.customers s ON s.id = c.id
       WHEN MATCHED THEN UPDATE SET name = s.name`,
      ['crm.customers:write', 'staging.customers:read'],
    ],
    [
      'merge from a subquery',
      `MERGE INTO crm.customers c USING (SELECT * FROM staging.customers) s ON s.id = c.id
       WHEN NOT MATCHED THEN DO NOTHING`,
      ['crm.customers:write', 'staging.customers:read'],
    ],
    ['truncate', 'TRUNCATE a.t, b.u', ['a.t:write', 'b.u:write']],
    ['copy from', 'COPY app.items FROM STDIN', ['app.items:write']],
    ['copy to', 'COPY app.items TO STDOUT', ['app.items:read']],
    ['copy a query to', 'COPY (SELECT * FROM app.items) TO STDOUT', ['app.items:read']],
    [
      'data-modifying CTE in a SELECT',
      'WITH d AS (UPDATE a.t SET x = 1 RETURNING *) SELECT * FROM d',
      ['a.t:write'],
    ],
    [
      'data-modifying CTE before an INSERT',
      'WITH moved AS (DELETE FROM queue.jobs RETURNING *) INSERT INTO archive.jobs SELECT * FROM moved',
      ['queue.jobs:write', 'archive.jobs:write'],
    ],
    [
      'an INSERT target is a table even when a CTE has its name',
      'WITH jobs AS (SELECT 1 AS id) INSERT INTO jobs SELECT id FROM jobs',
      ['jobs:write'],
    ],
    [
      'create table with an inline FK',
      'CREATE TABLE billing.invoices (id int, customer_id int REFERENCES crm.customers (id))',
      ['billing.invoices:ddl', 'crm.customers:reference'],
    ],
    [
      'create table with a table FK constraint',
      `CREATE TABLE billing.invoices (id int, customer_id int,
       FOREIGN KEY (customer_id) REFERENCES crm.customers (id))`,
      ['billing.invoices:ddl', 'crm.customers:reference'],
    ],
    [
      'alter table add FK',
      'ALTER TABLE billing.invoices ADD FOREIGN KEY (customer_id) REFERENCES crm.customers (id)',
      ['billing.invoices:ddl', 'crm.customers:reference'],
    ],
    ['alter table rename', 'ALTER TABLE a.t RENAME TO u', ['a.t:ddl']],
    ['alter table set schema', 'ALTER TABLE public.t SET SCHEMA billing', ['public.t:ddl']],
    [
      'create table partition of',
      "CREATE TABLE a.t_2024 PARTITION OF a.t FOR VALUES IN ('2024')",
      ['a.t_2024:ddl', 'a.t:ddl'],
    ],
    [
      'create view',
      'CREATE VIEW reporting.v AS SELECT * FROM crm.customers',
      ['reporting.v:ddl', 'crm.customers:read'],
    ],
    [
      'create materialized view',
      'CREATE MATERIALIZED VIEW reporting.mv AS SELECT * FROM crm.customers',
      ['reporting.mv:ddl', 'crm.customers:read'],
    ],
    [
      'create table as',
      'CREATE TABLE reporting.copy AS SELECT * FROM crm.customers',
      ['reporting.copy:ddl', 'crm.customers:read'],
    ],
    [
      'select into creates a table',
      'SELECT * INTO reporting.copy FROM crm.customers',
      ['reporting.copy:ddl', 'crm.customers:read'],
    ],
    ['create index', 'CREATE INDEX orders_cid ON sales.orders (customer_id)', ['sales.orders:ddl']],
    [
      'create trigger',
      'CREATE TRIGGER t AFTER INSERT ON sales.orders FOR EACH ROW EXECUTE FUNCTION audit.f()',
      ['sales.orders:ddl'],
    ],
    ['drop table', 'DROP TABLE a.t, u CASCADE', ['a.t:ddl', 'u:ddl']],
    ['drop view', 'DROP VIEW IF EXISTS reporting.v', ['reporting.v:ddl']],
    ['drop trigger names its table', 'DROP TRIGGER trg ON sales.orders', ['sales.orders:ddl']],
    ['drop index names no table', 'DROP INDEX sales.orders_cid', []],
    ['drop function names no table', 'DROP FUNCTION audit.f()', []],
    ['comment on table', "COMMENT ON TABLE sales.orders IS 'x'", ['sales.orders:ddl']],
    ['comment on column', "COMMENT ON COLUMN sales.orders.total IS 'x'", ['sales.orders:ddl']],
    ['grant on tables', 'GRANT SELECT ON sales.orders, u TO app', ['sales.orders:ddl', 'u:ddl']],
    ['revoke', 'REVOKE ALL ON TABLE sales.orders FROM app', ['sales.orders:ddl']],
    ['grant on a whole schema names no table', 'GRANT SELECT ON ALL TABLES IN SCHEMA s TO r', []],
    ['alter index names no table', 'ALTER INDEX sales.orders_cid RENAME TO orders_c', []],
    ['alter index attach partition', 'ALTER INDEX sales.orders_cid ATTACH PARTITION sales.i1', []],
    ['reindex index', 'REINDEX INDEX sales.orders_cid', []],
    ['reindex table', 'REINDEX TABLE sales.orders', ['sales.orders:ddl']],
    [
      'create policy: the table is ddl, its subquery read',
      'CREATE POLICY p ON sales.orders USING (owner IN (SELECT id FROM auth.users))',
      ['sales.orders:ddl', 'auth.users:read'],
    ],
    [
      'create table like',
      'CREATE TABLE sales.orders_copy (LIKE sales.orders INCLUDING ALL)',
      ['sales.orders_copy:ddl', 'sales.orders:ddl'],
    ],
    ['a composite type is no table', 'CREATE TYPE app.pair AS (a int, b int)', []],
    ['lock, exclusive', 'LOCK TABLE sales.orders IN ACCESS EXCLUSIVE MODE', ['sales.orders:write']],
    ['lock, access share', 'LOCK TABLE sales.orders IN ACCESS SHARE MODE', ['sales.orders:read']],
    ['refresh materialized view', 'REFRESH MATERIALIZED VIEW reporting.mv', ['reporting.mv:write']],
    ['explain keeps the inner roles', 'EXPLAIN DELETE FROM a.t', ['a.t:write']],
  ];

  test.each(ROLE_CASES)('%s', (_name, sql, expected) => {
    expect(rolesOf(pg, sql)).toEqual(expected);
  });
});

describe('postgresql: scoping and things that are not tables', () => {
  test('EXCLUDED in ON CONFLICT is not a table', () => {
    const sql = `INSERT INTO app.items (id, n) VALUES ($1, 1)
      ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n + app.items.n`;
    expect(rolesOf(pg, sql)).toEqual(['app.items:write']);
  });

  test('UNNEST($1::int[]) in FROM is not a table', () => {
    const sql = 'SELECT * FROM UNNEST($1::int[]) AS u(id) JOIN app.items i ON i.id = u.id';
    expect(nameSet(tablesOf(pg, sql))).toEqual(['app.items']);
  });

  test('a schema-qualified name is never a CTE', () => {
    const sql = 'WITH orders AS (SELECT 1) SELECT * FROM orders, sales.orders';
    expect(nameSet(tablesOf(pg, sql))).toEqual(['sales.orders']);
  });

  test('a CTE in one UNION branch does not hide a table in the other', () => {
    const sql = 'SELECT * FROM (WITH t AS (SELECT 1) SELECT * FROM t) a UNION SELECT * FROM t';
    expect(nameSet(tablesOf(pg, sql))).toEqual(['t']);
  });

  test('without RECURSIVE, a CTE that names itself reads the real table', () => {
    const sql = 'WITH t AS (SELECT * FROM t) SELECT * FROM t';
    expect(rolesOf(pg, sql)).toEqual(['t:read']);
  });

  test('without RECURSIVE, a later CTE sees an earlier one', () => {
    const sql = 'WITH a AS (SELECT 1), b AS (SELECT * FROM a) SELECT * FROM b, c';
    expect(nameSet(tablesOf(pg, sql))).toEqual(['c']);
  });

  test('window functions, EXISTS and LATERAL together', () => {
    const sql = `SELECT o.id, sum(o.total) OVER w, l.n FROM sales.orders o
      LEFT JOIN LATERAL (SELECT count(*) AS n FROM sales.order_lines ol
        WHERE ol.order_id = o.id) l ON true
      WHERE EXISTS (SELECT 1 FROM crm.customers c WHERE c.id = o.customer_id)
      WINDOW w AS (PARTITION BY o.customer_id)`;
    expect(rolesOf(pg, sql)).toEqual([
      'sales.orders:read',
      'sales.order_lines:read',
      'crm.customers:read',
    ]);
  });

  test('a duplicated table is reported once per reference', () => {
    const sql = 'SELECT * FROM a.t x JOIN a.t y ON x.id = y.parent_id';
    expect(rolesOf(pg, sql)).toEqual(['a.t:read', 'a.t:read']);
  });

  test('a three-part name keeps schema and table', () => {
    expect(tablesOf(pg, 'SELECT * FROM db.sales.orders')).toMatchObject([
      { schema: 'sales', name: 'orders' },
    ]);
  });

  test('DO blocks and PL/pgSQL functions parse, with the tables their bodies use', () => {
    const sql = `DO $$ BEGIN INSERT INTO audit.log VALUES (1); END $$;
      CREATE FUNCTION audit.f() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN INSERT INTO audit.log SELECT NEW.*; RETURN NEW; END $fn$;`;
    const statements = parseOk(pg, sql);
    expect(statements).toHaveLength(2);
    expect(statements.flatMap((statement) => statement.tables)).toEqual([
      {
        schema: 'audit',
        name: 'log',
        role: 'write',
        offset: offsetOf(sql, 'audit.log'),
        bodyStatement: offsetOf(sql, 'INSERT'),
      },
      {
        schema: 'audit',
        name: 'log',
        role: 'write',
        offset: offsetOf(sql, 'audit.log', 1),
        bodyStatement: offsetOf(sql, 'INSERT', 1),
      },
    ]);
  });

  test('a SQL-standard function body is parsed SQL, so its tables are reported', () => {
    const sql = `CREATE FUNCTION sales.total() RETURNS bigint LANGUAGE sql
      BEGIN ATOMIC SELECT sum(total) FROM sales.orders; END`;
    expect(rolesOf(pg, sql)).toEqual(['sales.orders:read']);
  });
});

describe('postgresql: statements and locations', () => {
  test('each statement has its own text and offset; table offsets count from the whole string', () => {
    const sql =
      'SELECT 1;\n\n-- next\nUPDATE sales.orders SET total = 0 ;  \nSELECT * FROM crm.customers';
    const statements = parseOk(pg, sql);

    expect(statements.map((statement) => statement.text)).toEqual([
      'SELECT 1',
      'UPDATE sales.orders SET total = 0',
      'SELECT * FROM crm.customers',
    ]);
    expect(statements.map((statement) => statement.offset)).toEqual([
      0,
      offsetOf(sql, 'UPDATE'),
      offsetOf(sql, 'SELECT *'),
    ]);
    expect(statements[1]?.tables[0]?.offset).toBe(offsetOf(sql, 'sales.orders'));
    expect(statements[2]?.tables[0]?.offset).toBe(offsetOf(sql, 'crm.customers'));
  });

  test('offsets count characters, not bytes, after non-ASCII text', () => {
    const sql = "SELECT 'héllo wörld' AS greeting FROM crm.customers";
    expect(tablesOf(pg, sql)[0]?.offset).toBe(offsetOf(sql, 'crm.customers'));
  });

  test('offsets count UTF-16 code units after characters outside the BMP', () => {
    const sql = "SELECT '😀 🚀' AS e FROM crm.customers";
    expect(tablesOf(pg, sql)[0]?.offset).toBe(offsetOf(sql, 'crm.customers'));
  });

  test('non-ASCII text in one statement does not shift the next statement', () => {
    const sql = "INSERT INTO crm.notes VALUES ('naïve café 😀');\nSELECT * FROM ünïcode.tâble t";
    const [first, second] = parseOk(pg, sql);

    expect(first?.text).toBe("INSERT INTO crm.notes VALUES ('naïve café 😀')");
    expect(second?.offset).toBe(offsetOf(sql, 'SELECT'));
    expect(second?.text).toBe('SELECT * FROM ünïcode.tâble t');
    expect(second?.tables[0]).toEqual({
      schema: 'ünïcode',
      name: 'tâble',
      role: 'read',
      offset: offsetOf(sql, 'ünïcode.tâble'),
    });
  });

  test('tables come in text order even when the tree lists them otherwise', () => {
    const sql =
      'UPDATE a.t SET x = (SELECT 1 FROM b.u) FROM c.v WHERE c.v.id IN (SELECT id FROM d.w)';
    const tables = tablesOf(pg, sql);

    expect(tables.map(qualify)).toEqual(['a.t', 'b.u', 'c.v', 'd.w']);
    expect(tables.map((table) => table.offset)).toEqual(
      ['a.t', 'b.u', 'c.v', 'd.w'].map((name) => offsetOf(sql, name)),
    );
  });

  test('a name with no position (DROP, COMMENT ON) is found in its statement', () => {
    const sql =
      'SELECT 1; DROP TABLE sales.orders, "Sales" . "Orders"; COMMENT ON TABLE SALES.LINES IS $$sales.lines$$';
    expect(tablesOf(pg, sql).map((t) => [qualify(t), t.offset])).toEqual([
      ['sales.orders', offsetOf(sql, 'sales.orders')],
      ['Sales.Orders', offsetOf(sql, '"Sales"')],
      ['sales.lines', offsetOf(sql, 'SALES.LINES')],
    ]);
  });

  test('a NUL character does not hide the statements after it', () => {
    const sql = 'SELECT 1;\0\nSELECT * FROM crm.customers';
    const tables = tablesOf(pg, sql);
    expect(tables.map(qualify)).toEqual(['crm.customers']);
    expect(tables[0]?.offset).toBe(offsetOf(sql, 'crm.customers'));
  });

  test.each(['', '   \n\t', '-- only a comment\n', '/* block */', ';;'])(
    'no statements in %j',
    (sql) => {
      expect(pg.parse(sql)).toEqual({ ok: true, statements: [] });
    },
  );
});

describe('postgresql: errors', () => {
  test('a syntax error gives PostgreSQL’s message and the character offset', () => {
    const sql = "SELECT 'é😀' frm crm.customers";
    expect(pg.parse(sql)).toEqual({
      ok: false,
      message: 'syntax error at or near "crm"',
      offset: offsetOf(sql, 'crm'),
    });
  });

  test('an error in a later statement points into that statement', () => {
    const sql = "SELECT 'ü';\nSELECT * FROM WHERE x = 1";
    const result = pg.parse(sql);
    expect(result).toMatchObject({ ok: false, offset: offsetOf(sql, 'WHERE') });
  });

  test('an unterminated string', () => {
    const sql = "SELECT * FROM t WHERE name = 'oops";
    expect(pg.parse(sql)).toEqual({
      ok: false,
      message: 'unterminated quoted string at or near "\'oops"',
      offset: offsetOf(sql, "'oops"),
    });
  });

  test('input nested beyond the parser’s limits fails instead of throwing', () => {
    const sql = `SELECT ${'('.repeat(50_000)}1${')'.repeat(50_000)}`;
    const result = pg.parse(sql);
    expect(result.ok).toBe(false);
  });

  test('a long chain of operators fails or parses, and never throws', () => {
    const sql = `SELECT 1${' + 1'.repeat(20_000)} FROM a.t`;
    const result = pg.parse(sql);
    if (result.ok) {
      expect(result.statements[0]?.tables.map(qualify)).toEqual(['a.t']);
    } else {
      expect(result.message).toMatch(/nested too deeply/);
    }
  });
});

// Times are figures for a benchmark, not assertions; a walk that went quadratic on 1 MB would
// still fail these tests by running past the test timeout.
describe('postgresql: large input', () => {
  test('a 1 MB INSERT parses, with its table', () => {
    const sql = buildLargeInsert('app.items', 1_000_000, '$1::uuid');
    const result = pg.parse(sql);

    expect(result.ok && result.statements[0]?.tables.map(qualify)).toEqual(['app.items']);
  });

  test('a 1 MB script of many statements keeps every statement and offset', () => {
    const statement =
      'SELECT * FROM sales.orders o JOIN crm.customers c ON c.id = o.cid WHERE o.id = $1;\n';
    const sql = `SELECT 'ünïcode';\n${statement.repeat(Math.ceil(1_000_000 / statement.length))}`;
    const statements = parseOk(pg, sql);

    const last = statements.at(-1);
    expect(statements).toHaveLength(1 + Math.ceil(1_000_000 / statement.length));
    expect(last?.tables[1]?.offset).toBe(sql.lastIndexOf('crm.customers'));
  });
});
