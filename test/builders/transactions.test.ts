import { describe, expect, it } from 'vitest';
import { findingsOf } from './check.js';

describe('cross-context-transaction', () => {
  it('flags BEGIN … COMMIT on one client that writes two contexts, at the BEGIN', async () => {
    expect(
      await findingsOf({
        'src/orders/place.ts': [
          'export async function place(pool: any) {',
          '  const client = await pool.connect();',
          "  await client.query('BEGIN');",
          "  await client.query('INSERT INTO orders.orders (id) VALUES ($1)', [1]);",
          "  await client.query('UPDATE customers.customers SET orders = orders + 1');",
          "  await client.query('COMMIT');",
          '}',
        ].join('\n'),
      }),
    ).toEqual([
      'cross-context-transaction@src/orders/place.ts:3:16',
      'foreign-table-access@src/orders/place.ts:5:30',
    ]);
  });

  it('does not join writes sent on two clients into one transaction', async () => {
    expect(
      await findingsOf({
        'src/orders/place.ts': [
          'export async function place(a: any, b: any) {',
          "  await a.query('BEGIN');",
          "  await a.query('INSERT INTO orders.orders (id) VALUES ($1)', [1]);",
          "  await b.query('INSERT INTO orders.audit (id) VALUES ($1)', [1]);",
          "  await a.query('COMMIT');",
          '}',
        ].join('\n'),
      }),
    ).toEqual([]);
  });

  it('counts writes only: a transaction that reads another context is no finding of its own', async () => {
    expect(
      await findingsOf({
        'src/orders/place.ts': [
          'export const place = (knex: any) =>',
          '  knex.transaction(async (trx: any) => {',
          "    await trx('customers.customers').where({ id: 1 }).first();",
          "    await trx('orders.orders').insert({ id: 1 });",
          '  });',
        ].join('\n'),
      }),
    ).toEqual(['foreign-table-access@src/orders/place.ts:3:15']);
  });

  it('takes every query of a Prisma transaction array, and raw SQL on the callback’s client', async () => {
    const schema = [
      'model Order {\n  id String @id\n  @@map("orders")\n  @@schema("orders")\n}',
      'model Customer {\n  id String @id\n  @@map("customers")\n  @@schema("customers")\n}',
    ].join('\n');
    expect(
      await findingsOf({
        'prisma/schema.prisma': schema,
        'src/orders/place.ts': [
          'export const a = (prisma: any) =>',
          '  prisma.$transaction([prisma.order.create({ data: {} }), prisma.customer.update({ data: {} })]);',
          'export const b = (prisma: any) =>',
          '  prisma.$transaction(async (tx: any) => {',
          '    await tx.order.delete({ where: { id: 1 } });',
          '    await tx.$executeRaw`UPDATE customers.customers SET n = 0`;',
          '  });',
        ].join('\n'),
      }),
    ).toEqual([
      'cross-context-transaction@src/orders/place.ts:2:10',
      'foreign-table-access@src/orders/place.ts:2:66',
      'cross-context-transaction@src/orders/place.ts:4:10',
      'foreign-table-access@src/orders/place.ts:6:33',
    ]);
  });

  // Found on umami: the client wraps $transaction and code calls it bare, after destructuring.
  it('takes a bare transaction() call, with an array or a callback', async () => {
    const schema = [
      'model Order {\n  id String @id\n  @@map("orders")\n  @@schema("orders")\n}',
      'model Customer {\n  id String @id\n  @@map("customers")\n  @@schema("customers")\n}',
    ].join('\n');
    expect(
      await findingsOf({
        'prisma/schema.prisma': schema,
        'src/orders/purge.ts': [
          'export function purge(db: any) {',
          '  const { client, transaction } = db;',
          '  transaction([client.order.deleteMany({}), client.customer.deleteMany({})]);',
          '  return transaction(async (tx: any) => {',
          '    await tx.order.deleteMany({});',
          '    await tx.customer.deleteMany({});',
          '  }, { timeout: 30000 }).then(() => true);',
          '}',
        ].join('\n'),
      }),
    ).toEqual([
      'cross-context-transaction@src/orders/purge.ts:3:3',
      'foreign-table-access@src/orders/purge.ts:3:52',
      'cross-context-transaction@src/orders/purge.ts:4:10',
      'foreign-table-access@src/orders/purge.ts:6:14',
    ]);
  });
});
