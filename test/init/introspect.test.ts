import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspectTableOwnership } from '../../src/db/introspect.js';
import { UserError } from '../../src/errors.js';
import { inferContextMap } from '../../src/init/index.js';
import { createTempDatabase, dropDatabase, urlOf, withClient } from '../helpers/pg.js';
import type { TempDatabase } from '../helpers/pg.js';
import { makeTree } from '../helpers/tempdir.js';
import { entryOf, expectLoadsCleanly } from './helpers.js';

/** A shop's database: a schema per context, one nobody claims, and what init must leave out. */
const SETUP = `
CREATE SCHEMA orders;
CREATE TABLE orders.orders (id int PRIMARY KEY);
CREATE TABLE orders.order_lines (order_id int, sku text);
CREATE TABLE orders.events (at date) PARTITION BY RANGE (at);
CREATE TABLE orders.events_2026 PARTITION OF orders.events
  FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE SCHEMA customers;
CREATE TABLE customers.customers (id int PRIMARY KEY, email text);
CREATE VIEW customers.active_customers AS SELECT id FROM customers.customers;
CREATE SCHEMA catalog;
CREATE TABLE catalog.products (sku text PRIMARY KEY);
CREATE SCHEMA legacy;
CREATE TABLE legacy.old_invoices (id int);
`;

const CODE = 'export const x = 1;\n';

let db: TempDatabase;

beforeAll(async () => {
  db = await createTempDatabase('dbboundary_init', SETUP);
});

afterAll(async () => {
  if (db) await dropDatabase(db.name);
});

describe('introspectTableOwnership', () => {
  it('lists the tables of each schema a user made, partitions and system schemas left out', async () => {
    expect(await introspectTableOwnership(db.url)).toEqual({
      catalog: ['products'],
      customers: ['active_customers', 'customers'],
      legacy: ['old_invoices'],
      orders: ['events', 'order_lines', 'orders'],
      public: [],
    });
  });

  it('reads the URL from the environment with env:NAME', async () => {
    process.env.DBBOUNDARY_INIT_TEST_URL = db.url;
    try {
      expect(Object.keys(await introspectTableOwnership('env:DBBOUNDARY_INIT_TEST_URL'))).toEqual([
        'catalog',
        'customers',
        'legacy',
        'orders',
        'public',
      ]);
    } finally {
      delete process.env.DBBOUNDARY_INIT_TEST_URL;
    }
  });

  it('leaves nothing open in the database', async () => {
    await introspectTableOwnership(db.url);
    const open = await withClient(db.url, (client) =>
      client.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'dbboundary'",
        [db.name],
      ),
    );
    expect(open.rows[0].n).toBe(0);
  });

  it('says which database it cannot connect to, one line, without the password', async () => {
    const url = withPassword(urlOf('dbboundary_init_missing'), 's3cret-pw');
    const message = await userErrorOf(introspectTableOwnership(url));

    expect(message).toMatch(
      /^cannot connect to PostgreSQL at [^ ]+:\d+\/dbboundary_init_missing: .*does not exist; check the database name\.$/,
    );
    expect(message).not.toContain('s3cret-pw');
  });

  it('says when nothing listens at the address, without the URL', async () => {
    const url = 'postgres://me:s3cret-pw@127.0.0.1:1/shop?sslmode=disable';
    const message = await userErrorOf(introspectTableOwnership(url));

    expect(message).toBe(
      'cannot connect to PostgreSQL at 127.0.0.1:1/shop: connection refused; is PostgreSQL running and listening there?',
    );
  });
});

describe('init --db', () => {
  it('gives each context the schema of its name, and lists the schema nobody claims', async () => {
    const root = makeTree({
      'src/contexts/orders/order-service.ts': CODE,
      'src/contexts/customers/api/index.ts': CODE,
      'src/contexts/catalog/index.ts': CODE,
    });
    const tables = await introspectTableOwnership(db.url);
    const { yaml, notes } = inferContextMap(root, { tables });

    expect(entryOf(yaml, 'orders')).toEqual([
      '  orders:',
      '    code: ["src/contexts/orders/**"]',
      '    tables: ["orders.*"]',
      '    public: [] # Fill in: no api/ folder or index file found; list the files others may import',
    ]);
    expect(entryOf(yaml, 'customers')).toContain('    tables: ["customers.*"]');
    expect(entryOf(yaml, 'catalog')).toContain('    tables: ["catalog.*"]');
    expect(yaml).toContain('#   "legacy.*": 1 table (old_invoices)\n');
    expect(notes).toEqual([
      'found 3 contexts in src/contexts/*.',
      'schema legacy (1 table) matches no context by name; it is listed at the end of the file for you to place.',
    ]);
    await expectLoadsCleanly(root, yaml);
  });
});

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.username ||= 'postgres';
  parsed.password = password;
  return parsed.href;
}

async function userErrorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) {
      expect(error.lines).toHaveLength(1);
      return error.message;
    }
    throw error;
  }
  throw new Error('it succeeded; a UserError was expected');
}
