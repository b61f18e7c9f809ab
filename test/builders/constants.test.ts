import { describe, expect, it } from 'vitest';
import { findingsOf } from './check.js';

describe('table names and SQL from constants', () => {
  it('reads a field of an `as const` object imported through a barrel', async () => {
    expect(
      await findingsOf({
        'src/shared/tables.ts':
          "export const TABLES = { customers: 'customers.customers' } as const;\n",
        'src/shared/index.ts': "export * from './tables';\n",
        'src/orders/repo.ts': [
          "import { TABLES } from '../shared';",
          'export const all = () => db(TABLES.customers).select();',
        ].join('\n'),
      }),
    ).toEqual(['foreign-table-access@src/orders/repo.ts:2:29']);
  });

  it('reads string enums, namespace imports and renamed re-exports', async () => {
    expect(
      await findingsOf({
        'src/shared/tables.ts': "export enum Table { Customers = 'customers.customers' }\n",
        'src/shared/index.ts': "export { Table as T } from './tables';\n",
        'src/orders/repo.ts': [
          "import * as shared from '../shared';",
          'export const all = () => knex(shared.T.Customers).select();',
        ].join('\n'),
      }),
    ).toEqual(['foreign-table-access@src/orders/repo.ts:2:31']);
  });

  it('fills an interpolated SQL value from an imported template constant', async () => {
    expect(
      await findingsOf({
        'src/shared/tables.ts': [
          "const SCHEMA = 'customers';",
          'export const CUSTOMERS = `${SCHEMA}.customers`;',
        ].join('\n'),
        'src/orders/repo.ts': [
          "import { CUSTOMERS } from '../shared/tables';",
          'export const all = (pool: any) => pool.query(`SELECT email FROM ${CUSTOMERS} WHERE id = $1`, [1]);',
        ].join('\n'),
      }),
    ).toEqual(['foreign-table-access@src/orders/repo.ts:2:67']);
  });

  it('checks SQL held in another file’s constant where it is run', async () => {
    expect(
      await findingsOf({
        'src/shared/queries.ts':
          "export const EMAIL_BY_ID = 'SELECT email FROM customers.customers WHERE id = $1';\n",
        'src/orders/repo.ts': [
          "import { EMAIL_BY_ID } from '../shared/queries';",
          'export const email = (pool: any, id: string) => pool.query(EMAIL_BY_ID, [id]);',
        ].join('\n'),
      }),
    ).toEqual(['foreign-table-access@src/orders/repo.ts:2:60']);
  });

  it('reports SQL of a constant in the same file once, where it is written', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts': [
          "const EMAIL_BY_ID = 'SELECT email FROM customers.customers WHERE id = $1';",
          'export const email = (pool: any, id: string) => pool.query(EMAIL_BY_ID, [id]);',
        ].join('\n'),
      }),
    ).toEqual(['foreign-table-access@src/orders/repo.ts:1:40']);
  });

  it('uses the innermost declaration: a parameter hides a constant of the same name', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts': [
          "const table = 'orders.orders';",
          'export const own = () => db(table).select();',
          'export const any = (table: string) => db(table).select();',
        ].join('\n'),
      }),
    ).toEqual(['dynamic-sql@src/orders/repo.ts:3:42']);
  });

  it('keeps a hole whose value is not constant, and checks the rest of the statement', async () => {
    expect(
      await findingsOf({
        'src/orders/repo.ts': [
          'export function byStatus(pool: any, column: string) {',
          '  let table = "orders.orders";',
          '  return pool.query(`SELECT ${column} FROM customers.customers JOIN ${table} t ON true`);',
          '}',
        ].join('\n'),
      }),
    ).toEqual([
      'foreign-table-access@src/orders/repo.ts:3:44',
      'dynamic-sql@src/orders/repo.ts:3:71',
    ]);
  });

  it('reads a joined table from an imported constant', async () => {
    expect(
      await findingsOf({
        'src/shared/tables.ts':
          "export const TABLES = { customers: 'customers.customers' } as const;\n",
        'src/orders/repo.ts': [
          "import { TABLES } from '../shared/tables';",
          "export const all = () => db('orders.orders').join(TABLES.customers, 'c.id', 'customer_id');",
        ].join('\n'),
      }),
    ).toEqual(['cross-context-join@src/orders/repo.ts:2:51']);
  });
});
