import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run.js';
import type { CheckResult } from '../../src/check/run.js';
import { ConfigError } from '../../src/errors.js';
import { formatReport } from '../../src/report/index.js';
import { ORDERS_AND_CUSTOMERS } from '../helpers/maps.js';
import { makeTree } from '../helpers/tempdir.js';
import chalk, { Chalk } from 'chalk';

const MAP = `${ORDERS_AND_CUSTOMERS}  catalog:
    code: ["src/catalog/**"]
    tables: ["catalog.*"]
`;

/** One file in each context's folder, so that every context's code glob matches. */
const CONTEXT_FILES = {
  'src/orders/index.ts': 'export {};\n',
  'src/customers/index.ts': 'export {};\n',
  'src/catalog/index.ts': 'export {};\n',
};

async function check(files: Record<string, string>, map = MAP): Promise<CheckResult> {
  const root = makeTree({ 'dbboundary.yaml': map, ...CONTEXT_FILES, ...files });
  return runCheck({ cwd: root });
}

/** rule file:line:column, the way a reader checks a finding against the file. */
async function findingsOf(files: Record<string, string>, map = MAP): Promise<string[]> {
  const result = await check(files, map);
  return result.findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column}`);
}

describe('cross-context-foreign-key', () => {
  it('flags REFERENCES in CREATE TABLE and ALTER TABLE, at the referenced table', async () => {
    const result = await check({
      'src/orders/migrations/001_orders.sql': [
        'CREATE TABLE orders.orders (',
        '  id bigint PRIMARY KEY,',
        '  customer_id bigint NOT NULL REFERENCES customers.customers (id)',
        ');',
        'ALTER TABLE orders.order_lines',
        '  ADD CONSTRAINT lines_product_fk FOREIGN KEY (sku) REFERENCES catalog.products (sku);',
      ].join('\n'),
    });
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.targets, f.tables])).toEqual([
      ['cross-context-foreign-key', 3, 42, ['customers'], ['orders.orders', 'customers.customers']],
      ['cross-context-foreign-key', 6, 64, ['catalog'], ['orders.order_lines', 'catalog.products']],
    ]);
    expect(result.findings[0]!.message).toBe(
      'foreign key from orders.orders (orders) to customers.customers (customers); no database can enforce it once each context has its own. Keep the id without the constraint, and check it through the API or events of customers.',
    );
  });

  it('leaves keys between tables of one context alone', async () => {
    const findings = await findingsOf({
      'src/orders/migrations/001_orders.sql': [
        'CREATE TABLE orders.orders (id bigint PRIMARY KEY);',
        'CREATE TABLE orders.order_lines (order_id bigint REFERENCES orders.orders (id));',
      ].join('\n'),
    });
    expect(findings).toEqual([]);
  });

  it('finds a key declared in SQL inside TypeScript as well', async () => {
    const findings = await findingsOf({
      'src/orders/migrations/002.ts': [
        'export const up = (knex: any) =>',
        "  knex.raw('ALTER TABLE orders.orders ADD FOREIGN KEY (customer_id) REFERENCES customers.customers (id)');",
      ].join('\n'),
    });
    expect(findings).toEqual(['cross-context-foreign-key src/orders/migrations/002.ts:2:80']);
  });

  it('is a schema change of a foreign table when the key joins two tables of another context', async () => {
    const result = await check({
      'src/orders/fix.sql':
        'ALTER TABLE customers.addresses ADD FOREIGN KEY (customer_id) REFERENCES customers.customers (id);',
    });
    expect(result.findings.map((f) => [f.rule, f.column, f.access, f.message])).toEqual([
      [
        'foreign-table-access',
        13,
        'write',
        'changes the schema of customers.addresses, owned by customers.',
      ],
    ]);
  });
});

describe('views and routines in .sql files', () => {
  it('flags a view over two contexts as cross-context-join, and a view over its own tables not', async () => {
    const findings = await findingsOf({
      'src/orders/views.sql': [
        'CREATE VIEW orders.open_orders AS SELECT * FROM orders.orders WHERE status = $$open$$;',
        '',
        'CREATE MATERIALIZED VIEW orders.with_email AS',
        'SELECT o.id, c.email',
        '  FROM orders.orders o JOIN customers.customers c ON c.id = o.customer_id;',
      ].join('\n'),
    });
    expect(findings).toEqual(['cross-context-join src/orders/views.sql:5:29']);
  });

  it('reads PL/pgSQL bodies statement by statement, and a body writing two contexts as one transaction', async () => {
    const result = await check({
      'src/orders/functions.sql': [
        'CREATE FUNCTION orders.cancel(p_id bigint) RETURNS void LANGUAGE plpgsql AS $$',
        'BEGIN',
        '  UPDATE orders.orders SET status = $q$cancelled$q$ WHERE id = p_id;',
        '  UPDATE catalog.stock SET reserved = reserved - 1',
        '   WHERE sku IN (SELECT sku FROM orders.order_lines WHERE order_id = p_id);',
        'END $$;',
      ].join('\n'),
    });
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.targets, f.access])).toEqual([
      ['cross-context-transaction', 1, 1, ['catalog'], undefined],
      ['cross-context-join', 4, 10, ['catalog'], 'write'],
    ]);
    expect(result.findings[0]!.message).toBe(
      'the body runs in one transaction and writes tables of catalog (catalog.stock) and orders (orders.orders); it cannot commit atomically once each context has its own database.',
    );
  });

  it('reports EXECUTE of built SQL as dynamic-sql, and parses EXECUTE of a constant', async () => {
    const findings = await findingsOf({
      'src/orders/maintenance.sql': [
        'DO $$',
        'BEGIN',
        "  EXECUTE 'TRUNCATE ' || quote_ident(current_setting('app.table'));",
        "  EXECUTE 'DELETE FROM customers.sessions WHERE expires_at < now()';",
        'END',
        '$$;',
      ].join('\n'),
    });
    expect(findings).toEqual([
      'dynamic-sql src/orders/maintenance.sql:3:11',
      'foreign-table-access src/orders/maintenance.sql:4:24',
    ]);
  });

  it('reports a statement the parser rejects, and still checks the ones after it', async () => {
    const result = await check({
      'src/orders/002.sql': [
        'ALTER TABLE orders.orders ADD COLUMN note text;',
        'ALTER TABLE orders.orders ADD COLUM note2 text;',
        'UPDATE customers.customers SET vip = true;',
      ].join('\n'),
    });
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.message])).toEqual([
      [
        'unparsed-sql',
        2,
        43,
        'the PostgreSQL parser rejects this SQL: syntax error at or near "text".',
      ],
      ['foreign-table-access', 3, 8, 'writes customers.customers, owned by customers.'],
    ]);
    expect(result.summary).toMatchObject({ statements: 2, unparsedSql: 1 });
  });

  it('reports a function body the PL/pgSQL parser rejects, at the body, and counts it', async () => {
    const result = await check({
      'src/orders/trg.sql': [
        'CREATE FUNCTION orders.touch(p_id bigint) RETURNS trigger',
        'LANGUAGE plpgsql AS $$',
        'BEGIN UPDATE customers.customers SET touched = now(); RETURN NEW; END $$;',
      ].join('\n'),
    });
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.message])).toEqual([
      [
        'unparsed-sql',
        3,
        1,
        'the PL/pgSQL parser rejects this body: trigger functions cannot have declared arguments; the tables it names are not checked.',
      ],
    ]);
    expect(result.summary.unparsedSql).toBe(1);
  });

  it('silences a statement with a -- dbboundary-ignore-next-line comment above it', async () => {
    const result = await check({
      'src/orders/003.sql': [
        '-- dbboundary-ignore-next-line foreign-table-access -- backfill, runs once (ORD-9)',
        'UPDATE customers.customers',
        '   SET vip = true;',
      ].join('\n'),
    });
    expect(result.findings).toEqual([]);
    expect(result.suppressed.map((f) => [f.rule, f.line, f.suppressedBy.reason])).toEqual([
      ['foreign-table-access', 2, 'backfill, runs once (ORD-9)'],
    ]);
  });

  it('silences one statement of a function body with a comment inside the body', async () => {
    const result = await check({
      'src/orders/fn.sql': [
        'CREATE FUNCTION orders.close(p_id bigint) RETURNS void LANGUAGE plpgsql AS $$',
        'BEGIN',
        '  -- dbboundary-ignore-next-line foreign-table-access -- moves to an event (ORD-12)',
        '  UPDATE customers.customers SET open_orders = open_orders - 1 WHERE id = p_id;',
        'END $$;',
      ].join('\n'),
    });
    expect(result.findings).toEqual([]);
    expect(result.suppressed.map((f) => [f.rule, f.line, f.column])).toEqual([
      ['foreign-table-access', 4, 10],
    ]);
  });

  it('silences only the body statement below a comment in a function body', async () => {
    const result = await check({
      'src/orders/k.sql': [
        'CREATE FUNCTION orders.k() RETURNS void LANGUAGE plpgsql AS $$',
        'BEGIN',
        '  -- dbboundary-ignore-next-line foreign-table-access -- archive cleanup until customers ships its API',
        '  DELETE FROM customers.archive WHERE id = 1;',
        '  UPDATE customers.customers SET paid = true;',
        '  UPDATE customers.customers SET paid = false',
        '   WHERE id IN (SELECT id FROM customers.archive);',
        'END $$;',
      ].join('\n'),
    });
    expect(result.suppressed.map((f) => [f.rule, f.line, f.column, f.tables])).toEqual([
      ['foreign-table-access', 4, 15, ['customers.archive']],
    ]);
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.tables])).toEqual([
      ['foreign-table-access', 5, 10, ['customers.customers']],
      ['foreign-table-access', 6, 10, ['customers.archive', 'customers.customers']],
    ]);
  });

  it('silences a whole body statement from the line above it, wherever its table is named', async () => {
    const result = await check({
      'src/orders/k2.sql': [
        'CREATE FUNCTION orders.k2() RETURNS void LANGUAGE sql AS $$',
        '  -- dbboundary-ignore-next-line cross-context-join -- reconciled nightly (ORD-40)',
        '  UPDATE orders.orders SET paid = true',
        '   WHERE customer_id IN (SELECT id FROM customers.customers);',
        '  SELECT count(*) FROM customers.archive;',
        '$$;',
      ].join('\n'),
    });
    expect(result.suppressed.map((f) => [f.rule, f.line])).toEqual([['cross-context-join', 4]]);
    expect(result.findings.map((f) => [f.rule, f.line, f.column])).toEqual([
      ['foreign-table-access', 5, 24],
    ]);
  });

  it('reads .sql files only when the include globs take them', async () => {
    const map = `include: ["src/**/*.ts"]\n${MAP}`;
    const findings = await findingsOf(
      { 'src/orders/004.sql': 'UPDATE customers.customers SET vip = true;' },
      map,
    );
    expect(findings).toEqual([]);
  });
});

describe('psql scripts', () => {
  it('reports a psql variable used as a name as dynamic-sql, not as a table', async () => {
    const result = await check({
      'src/orders/p.sql': '\\set schema customers\nSELECT * FROM :"schema".customers;\n',
    });
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.message])).toEqual([
      [
        'dynamic-sql',
        2,
        15,
        'the schema comes from a value at run time and no context lists a table named customers, so its owner is unknown; name it in the SQL text, or pick the statement from a fixed list of literal queries.',
      ],
    ]);
  });

  it('reads \\copy FROM as a write and \\copy TO as a read of the table', async () => {
    const result = await check({
      'src/orders/load.sql': [
        "\\copy customers.customers FROM 'x.csv'",
        '\\copy customers.addresses TO x.csv',
      ].join('\n'),
    });
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.access])).toEqual([
      ['foreign-table-access', 1, 7, 'write'],
      ['foreign-table-access', 2, 7, 'read'],
    ]);
  });

  it('checks a statement after a \\\\ separator, and reports \\gexec as SQL built at run time', async () => {
    const result = await check({
      'src/orders/run.sql': [
        '\\echo cleaning \\\\ DELETE FROM customers.sessions;',
        "SELECT format('TRUNCATE %I', tablename) FROM pg_tables WHERE schemaname = 'orders' \\gexec",
      ].join('\n'),
    });
    expect(result.findings.map((f) => [f.rule, f.line, f.column])).toEqual([
      ['foreign-table-access', 1, 31],
      ['dynamic-sql', 2, 84],
    ]);
    expect(result.findings[1]!.message).toContain('\\gexec runs');
  });
});

describe('reads and writes', () => {
  const readOnly = `${MAP}allow:
  - from: orders
    to: customers
    access: read
    reason: "customers.customers is the published customer list"
`;

  it('accepts reads through an allow entry limited to reads, and keeps writes and keys', async () => {
    const result = await check(
      {
        'src/orders/q.sql': [
          'SELECT email FROM customers.customers WHERE id = 1;',
          'UPDATE customers.customers SET vip = true;',
          'SELECT o.id, c.email FROM orders.orders o JOIN customers.customers c ON c.id = o.customer_id;',
          'CREATE TABLE orders.notes (customer_id bigint REFERENCES customers.customers (id));',
        ].join('\n'),
      },
      readOnly,
    );
    expect(result.allowed.map((f) => [f.rule, f.line, f.access])).toEqual([
      ['foreign-table-access', 1, 'read'],
      ['cross-context-join', 3, 'read'],
    ]);
    expect(result.findings.map((f) => [f.rule, f.line, f.access, f.message])).toEqual([
      [
        'foreign-table-access',
        2,
        'write',
        'writes customers.customers, owned by customers. (allow from orders to customers is limited to reads, and this writes)',
      ],
      ['cross-context-foreign-key', 4, undefined, expect.stringContaining('foreign key from')],
    ]);
  });

  it('judges reads and writes per context: a context only read is accepted by a read-only entry', async () => {
    const map = `${ORDERS_AND_CUSTOMERS}  billing:
    code: ["src/billing/**"]
    tables: ["billing.*"]
allow:
  - from: billing
    to: orders
    access: read
    reason: "orders.orders is the published order list"
  - from: billing
    to: customers
    reason: "customers are merged into billing this quarter"
`;
    const result = await check(
      {
        'src/billing/index.ts': 'export {};\n',
        'src/billing/m.sql':
          'DELETE FROM customers.customers c USING orders.orders o WHERE o.customer_id = c.id;',
      },
      map,
    );
    expect(result.findings).toEqual([]);
    expect(result.allowed.map((f) => [f.rule, f.line, f.column, f.access, f.message])).toEqual([
      [
        'cross-context-join',
        1,
        13,
        'write',
        'one statement touches tables of customers (customers.customers) and orders (orders.orders) (writing those of customers; only reading those of orders); it cannot run once each context has its own database.',
      ],
    ]);
  });

  it('names only the contexts written when a statement writes one and reads another', async () => {
    const map = `${ORDERS_AND_CUSTOMERS}  billing:
    code: ["src/billing/**"]
    tables: ["billing.*"]
allow:
  - from: billing
    to: customers
    access: read
    reason: "customers.customers is the published customer list"
  - from: billing
    to: orders
    access: read
    reason: "orders.orders is the published order list"
`;
    const result = await check(
      {
        'src/billing/index.ts': 'export {};\n',
        'src/billing/fn.sql': [
          'CREATE FUNCTION billing.f() RETURNS void LANGUAGE plpgsql AS $$',
          'BEGIN',
          '  UPDATE customers.customers SET vip = true',
          '   WHERE id IN (SELECT customer_id FROM orders.orders);',
          'END $$;',
        ].join('\n'),
      },
      map,
    );
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.message])).toEqual([
      [
        'cross-context-join',
        3,
        10,
        'one statement touches tables of customers (customers.customers) and orders (orders.orders) (writing those of customers; only reading those of orders); it cannot run once each context has its own database. (allow from billing to customers is limited to reads, and this writes; allow accepts orders from billing, not customers)',
      ],
    ]);
  });

  it('counts nextval of a sequence and SELECT … FOR UPDATE as writes', async () => {
    const result = await check(
      {
        'src/orders/s.sql': [
          "SELECT nextval('customers.customers_id_seq');",
          'SELECT * FROM customers.customers WHERE id = 1 FOR UPDATE;',
          'SELECT * FROM customers.customers WHERE id = 1 FOR SHARE;',
          "SELECT currval('customers.customers_id_seq');",
        ].join('\n'),
      },
      readOnly,
    );
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.tables, f.access])).toEqual([
      ['foreign-table-access', 1, 17, ['customers.customers_id_seq'], 'write'],
      ['foreign-table-access', 2, 15, ['customers.customers'], 'write'],
    ]);
    expect(result.allowed.map((f) => [f.line, f.access])).toEqual([
      [3, 'read'],
      [4, 'read'],
    ]);
  });

  it('says read or write in the JSON and SARIF reports', async () => {
    const result = await check({ 'src/orders/q.sql': 'DELETE FROM customers.customers;' });
    const context = { colors: chalk, configDir: '/tmp', toolVersion: '0.0.0' };
    const json = JSON.parse(formatReport('json', result, context));
    const sarif = JSON.parse(formatReport('sarif', result, context));
    expect(json.findings[0]).toMatchObject({ rule: 'foreign-table-access', access: 'write' });
    expect(sarif.runs[0].results[0].properties).toMatchObject({ access: 'write' });
    expect(sarif.runs[0].results[0].message.text).toContain('writes customers.customers');
  });

  it('refuses an access the config does not know', async () => {
    const map = `${MAP}allow:\n  - from: orders\n    to: customers\n    access: write\n    reason: "x"\n`;
    await expect(check({}, map)).rejects.toThrow(ConfigError);
    await expect(check({}, map)).rejects.toThrow(/access/);
  });
});

describe('the summary', () => {
  it('counts the statements of .sql files as such, not as strings', async () => {
    const root = makeTree({
      'dbboundary.yaml': MAP,
      'src/orders/001.sql': 'SELECT 1;\nSELECT 2;',
      'src/customers/001.sql': 'SELECT 3;',
      'src/catalog/001.sql': 'SELECT 4;',
    });
    const result = await runCheck({ cwd: root });
    const context = { colors: new Chalk({ level: 0 }), configDir: root, toolVersion: '0' };
    expect(result.summary).toMatchObject({ sqlFiles: 3, sqlFileStatements: 4, statements: 4 });
    expect(formatReport('text', result, context)).toContain(': 4 SQL statements in 3 .sql files;');
  });
});

describe('MySQL .sql files', () => {
  const map = `version: 1\ndialect: mysql\n${MAP.slice('version: 1\n'.length)}`;

  it('finds foreign keys and joins, and says plainly that stored programs are not read', async () => {
    const result = await check(
      {
        'src/orders/V1__orders.sql': [
          'CREATE TABLE orders.orders (id BIGINT PRIMARY KEY, customer_id BIGINT,',
          '  FOREIGN KEY (customer_id) REFERENCES customers.customers (id)) ENGINE=InnoDB;',
          'DELIMITER $$',
          'CREATE TRIGGER orders.touch AFTER INSERT ON orders.orders FOR EACH ROW',
          'BEGIN UPDATE customers.customers SET updated_at = NOW(); END $$',
          'DELIMITER ;',
        ].join('\n'),
      },
      map,
    );
    expect(result.findings.map((f) => [f.rule, f.line, f.column])).toEqual([
      ['cross-context-foreign-key', 2, 40],
      ['unparsed-sql', 5, 1],
    ]);
    expect(result.findings[1]!.message).toContain(
      'cannot read CREATE TRIGGER statements, so the tables this one uses are not checked',
    );
  });

  it('reads a mysqldump file without noise: session settings are skipped, KEYS toggles are schema changes', async () => {
    const result = await check(
      {
        'src/orders/dump.sql': [
          '/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;',
          '/*!50503 SET NAMES utf8mb4 */;',
          "/*!40103 SET TIME_ZONE='+00:00' */;",
          '/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;',
          'LOCK TABLES `orders`.`orders` WRITE;',
          '/*!40000 ALTER TABLE `orders`.`orders` DISABLE KEYS */;',
          'INSERT INTO `orders`.`orders` VALUES (1,2),(3,4);',
          '/*!40000 ALTER TABLE `orders`.`orders` ENABLE KEYS */;',
          'UNLOCK TABLES;',
          'LOCK TABLES `customers`.`customers` WRITE;',
          '/*!40000 ALTER TABLE `customers`.`customers` DISABLE KEYS */;',
          'UNLOCK TABLES;',
          'SET @n = (SELECT COUNT(*) FROM customers.customers);',
        ].join('\n'),
      },
      map,
    );
    expect(result.findings.map((f) => [f.rule, f.line, f.column, f.access])).toEqual([
      ['foreign-table-access', 11, 22, 'write'],
      ['foreign-table-access', 13, 32, 'read'],
    ]);
    expect(result.findings[0]!.message).toBe(
      'changes the schema of customers.customers, owned by customers.',
    );
    expect(result.summary.unparsedSql).toBe(0);
  });
});

describe('labelled fixtures', () => {
  for (const name of ['sql-files', 'sql-files-mysql']) {
    it(`${name}: check reports exactly what expected.json lists`, async () => {
      const folder = fileURLToPath(new URL(`../../fixtures/${name}/`, import.meta.url));
      const expected = JSON.parse(readFileSync(`${folder}expected.json`, 'utf8'));
      const result = await runCheck({ cwd: folder });
      const actual = [
        ...result.findings.map((f) => ({ ...f, allowed: false })),
        ...result.allowed.map((f) => ({ ...f, allowed: true })),
      ].map(({ rule, file, line, column, context, targets, tables, access, allowed }) => ({
        rule,
        file,
        line,
        column,
        context,
        targets,
        tables,
        ...(access ? { access } : {}),
        allowed,
      }));
      expect(actual).toEqual(expect.arrayContaining(expected));
      expect(actual).toHaveLength(expected.length);
    });
  }
});
