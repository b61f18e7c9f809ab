import { describe, expect, it } from 'vitest';
import { findingsOf } from './check.js';

describe('knex', () => {
  it('passes a chain on the file context’s own tables', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts':
          "export const find = (id: string) => db('orders.orders').where({ id }).first();\n",
      }),
    ).toEqual([]);
  });

  it('reads the table of an alias object, at the string that names it', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts':
          "export const emails = () => knex({ c: 'customers.customers' }).select('c.email');\n",
      }),
    ).toEqual(['foreign-table-access@src/orders/repo.ts:1:39']);
  });

  it('checks a file whose only hint of a query is the builder chain', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts': [
          "import { db } from '../db';",
          'export async function email(id: string) {',
          "  return db('customers.customers').where({ id }).first('email');",
          '}',
        ].join('\n'),
      }),
    ).toEqual(['foreign-table-access@src/orders/repo.ts:3:13']);
  });

  it('takes rows passed to insert for data, not for a table', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts': [
          'export async function save(rows: object[]) {',
          "  await db.insert(rows).into('orders.orders');",
          '}',
        ].join('\n'),
      }),
    ).toEqual([]);
  });

  it('does not take a translation call for a table', async () => {
    expect(
      await findingsOf({
        'src/orders/view.ts': "export const title = t('customers.customers');\n",
      }),
    ).toEqual([]);
  });

  it('skips the names of common table expressions', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts': [
          'export const recent = () =>',
          "  db.with('customers', (qb) => qb.from('orders.orders').select('customer_id'))",
          "    .select('*')",
          "    .from('customers');",
        ].join('\n'),
      }),
    ).toEqual([]);
  });

  it('puts unqualified names in the schema of withSchema', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts':
          "export const all = () => db.withSchema('customers').select('*').from('customers');\n",
      }),
    ).toEqual(['foreign-table-access@src/orders/repo.ts:1:70']);
  });

  it('reports a table name from a parameter as dynamic-sql, at the argument', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts': 'export const count = (table: string) => db(table).count();\n',
      }),
    ).toEqual(['dynamic-sql@src/orders/repo.ts:1:44']);
  });

  // Found on the Bluesky PDS: a helper that returns a query builder, called with the database.
  it('does not take a helper called with the database for a dynamic table', async () => {
    expect(
      await findingsOf({
        'src/orders/invites.ts': [
          "import { selectInvitesQb } from './qb';",
          "export const own = () => db('orders.orders').first();",
          'export const invites = (db: any, dids: string[]) =>',
          "  selectInvitesQb(db).where('forAccount', 'in', dids).execute();",
        ].join('\n'),
      }),
    ).toEqual([]);
  });

  it('compares MySQL names without regard to case', async () => {
    const map = `version: 1
dialect: mysql
contexts:
  orders:
    code: ["src/orders/**"]
    tables: ["orders.*"]
  customers:
    code: ["src/customers/**"]
    tables: ["customers.*"]
`;
    expect(
      await findingsOf(
        {
          'src/orders/repo.ts':
            "export const all = () => knex('Customers.Customers').select('*');\n",
        },
        map,
      ),
    ).toEqual(['foreign-table-access@src/orders/repo.ts:1:31']);
  });
});

describe('kysely', () => {
  it('joins two contexts through an array of tables', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts':
          "export const both = () => db.selectFrom(['orders.orders', 'customers.customers']).selectAll().execute();\n",
      }),
    ).toEqual(['cross-context-join@src/orders/repo.ts:1:59']);
  });

  it('writes through insertInto, and passes the context’s own writes', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts': [
          "export const a = () => db.insertInto('orders.orders').values({}).execute();",
          "export const b = () => db.deleteFrom('customers.customers as c').where('c.id', '=', 1).execute();",
        ].join('\n'),
      }),
    ).toEqual(['foreign-table-access@src/orders/repo.ts:2:38']);
  });

  it('reads a subquery of another context as part of the statement', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts': [
          "export const a = () => db.selectFrom('orders.orders')",
          "  .where('customer_id', 'in', (eb) => eb.selectFrom('customers.customers').select('id'))",
          '  .execute();',
        ].join('\n'),
      }),
    ).toEqual(['cross-context-join@src/orders/repo.ts:2:53']);
  });

  // Found on a NestJS codebase: the method name was looked up with `in`, so Object's own
  // methods (toString, constructor) counted as kysely statements.
  it('does not take methods every object has for builder calls', async () => {
    expect(
      await findingsOf({
        'src/orders/slug.ts': [
          "export const own = () => db('orders.orders').first();",
          'export const suffix = () => (Math.random() * 1e6 | 0).toString(36);',
          'export const kind = (value: object, db: any) => db.constructor(value).hasOwnProperty(1);',
        ].join('\n'),
      }),
    ).toEqual([]);
  });

  // Found on umami: an array's join and Buffer.from were taken for a knex chain and a Drizzle from.
  it('does not take calls on strings, arrays or buffers for builder chains', async () => {
    expect(
      await findingsOf({
        'src/orders/format.ts': [
          "export const own = () => db('orders.orders').first();",
          "export const list = (value: unknown, f: any) => String(value).split(',').map(f).join(', ');",
          "export const decode = (s: string) => Buffer.from(s, 'latin1').toString('utf-8');",
          'export const copy = (items: Set<string>) => Array.from(items).join(db.name);',
        ].join('\n'),
      }),
    ).toEqual([]);
  });

  // Found on the Bluesky AppView: a subquery kept in a const and selected from by name.
  it('takes a subquery held in a constant for a subquery, not a dynamic table', async () => {
    expect(
      await findingsOf({
        'src/orders/recent.ts': [
          'export async function recent(db: any) {',
          "  const latest = db.selectFrom('orders.orders').select('id').limit(5).as('latest');",
          '  return db.selectFrom(latest).selectAll().execute();',
          '}',
        ].join('\n'),
      }),
    ).toEqual([]);
  });

  // Found on the Bluesky AppView: a helper of another file defines the CTE the chain selects from.
  it('knows the names of common table expressions that imported helpers define', async () => {
    expect(
      await findingsOf({
        'src/orders/tree.ts': [
          'export const ancestors = (db: any, id: string) =>',
          "  db.withRecursive('ancestor(id, parent)', (cte: any) =>",
          "    cte.selectFrom('orders.orders').select(['id', 'parent']).where('id', '=', id),",
          '  );',
        ].join('\n'),
        'src/orders/thread.ts': [
          "import { ancestors } from './tree';",
          'export const thread = (db: any, id: string) =>',
          "  ancestors(db, id).selectFrom('ancestor').innerJoin('orders.orders', 'orders.id', 'ancestor.id').selectAll().execute();",
        ].join('\n'),
      }),
    ).toEqual([]);
  });

  // Found by comparing the gated walk with a full one on real code: a hash's update was knex.
  it('does not take a hash or a map for a knex table', async () => {
    expect(
      await findingsOf({
        'src/orders/hash.ts': [
          "import { createHash } from 'node:crypto';",
          "export const own = () => db('orders.orders').first();",
          "export const digest = (data: string) => createHash('sha256').update(data).digest('hex');",
        ].join('\n'),
      }),
    ).toEqual([]);
  });
});

describe('Drizzle', () => {
  // Found by comparing the gated walk with a full one: a file whose only query is db.update(t).
  it('checks a file whose only query is a write to a table object', async () => {
    expect(
      await findingsOf({
        'src/customers/schema.ts': [
          "import { pgSchema, text } from 'drizzle-orm/pg-core';",
          "export const customers = pgSchema('customers').table('customers', { id: text('id') });",
        ].join('\n'),
        'src/orders/rename.ts': [
          "import { customers } from '../customers/schema';",
          'export const rename = (db: any, name: string) => db.update(customers).set({ name });',
        ].join('\n'),
      }),
    ).toEqual([
      'cross-context-import@src/orders/rename.ts:1:27',
      'foreign-table-access@src/orders/rename.ts:2:60',
    ]);
  });

  it('reads mysqlTable and mysqlSchema tables on MySQL', async () => {
    const map = `version: 1
dialect: mysql
contexts:
  orders:
    code: ["src/orders/**"]
    tables: ["shop.orders"]
  customers:
    code: ["src/customers/**"]
    tables: ["crm.*"]
`;
    expect(
      await findingsOf(
        {
          'src/customers/schema.ts': [
            "import { mysqlSchema, mysqlTable, varchar } from 'drizzle-orm/mysql-core';",
            "export const customers = mysqlSchema('crm').table('customers', { id: varchar('id', { length: 36 }) });",
            "export const orders = mysqlTable('orders', { id: varchar('id', { length: 36 }) });",
          ].join('\n'),
          'src/orders/report.ts': [
            "import { customers } from '../customers/schema';",
            'export const all = (db: any) => db.select().from(customers);',
          ].join('\n'),
        },
        map,
      ),
    ).toEqual([
      'cross-context-import@src/orders/report.ts:1:27',
      'foreign-table-access@src/orders/report.ts:2:50',
    ]);
  });
});
