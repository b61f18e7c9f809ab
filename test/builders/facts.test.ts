import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractFile } from '../../src/extract/typescript.js';

const FILES = [
  'knex/src/orders/order-repository.ts',
  'kysely/src/billing/invoices.ts',
  'typeorm/src/orders/order.entity.ts',
  'typeorm/src/orders/orders.service.ts',
  'prisma/src/orders/order-service.ts',
  'drizzle/src/db/schema.ts',
  'drizzle/src/orders/orders.ts',
];

describe('builder facts', () => {
  // Facts are cached by content and compared between runs, so they must survive JSON unchanged.
  it.each(FILES)('of %s are plain data', (file) => {
    const path = fileURLToPath(new URL(`../../fixtures/${file}`, import.meta.url));
    const facts = extractFile(path, readFileSync(path, 'utf8'), 'postgresql');
    expect(facts.builders ?? facts.exports).toBeDefined();
    expect(JSON.parse(JSON.stringify(facts))).toEqual(facts);
  });

  it('give the exported Drizzle tables with their schema', () => {
    const path = fileURLToPath(new URL('../../fixtures/drizzle/src/db/schema.ts', import.meta.url));
    const facts = extractFile(path, readFileSync(path, 'utf8'), 'postgresql');
    expect(facts.exports).toEqual({
      orders: { table: { schema: 'orders', name: 'orders' }, via: 'drizzle' },
      orderLines: { table: { schema: 'orders', name: 'order_lines' }, via: 'drizzle' },
      products: { table: { schema: null, name: 'products' }, via: 'drizzle' },
    });
  });
});
