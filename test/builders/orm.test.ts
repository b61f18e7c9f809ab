import { describe, expect, it } from 'vitest';
import { findingsOf } from './check.js';

const CUSTOMER_ENTITY = [
  "import { Entity, ManyToMany, PrimaryColumn } from 'typeorm';",
  '',
  "@Entity({ schema: 'customers' })",
  'export class LoyaltyAccount {',
  '  @PrimaryColumn() id!: string;',
  '}',
].join('\n');

describe('TypeORM', () => {
  it('names a table after its class in snake_case when @Entity gives no name', async () => {
    expect(
      await findingsOf({
        'src/customers/loyalty-account.entity.ts': CUSTOMER_ENTITY,
        'src/customers/api/index.ts':
          "export { LoyaltyAccount } from '../loyalty-account.entity';\n",
        'src/orders/points.ts': [
          "import { LoyaltyAccount } from '../customers/api';",
          'export const points = (ds: any) => ds.getRepository(LoyaltyAccount).findOneBy({ id: 1 });',
        ].join('\n'),
      }),
    ).toEqual([
      'cross-context-import@src/orders/points.ts:1:32',
      'foreign-table-access@src/orders/points.ts:2:53',
    ]);
  });

  // Found on a NestJS codebase: getRepository imported from typeorm and called bare.
  it('follows a relation join of a query builder made by a bare getRepository call', async () => {
    expect(
      await findingsOf({
        'src/customers/loyalty-account.entity.ts': CUSTOMER_ENTITY,
        'src/orders/order.entity.ts': [
          "import { Entity, ManyToOne, PrimaryColumn } from 'typeorm';",
          "import { LoyaltyAccount } from '../customers/loyalty-account.entity';",
          "@Entity({ schema: 'orders' })",
          'export class Order {',
          '  @PrimaryColumn() id!: string;',
          '  @ManyToOne(() => LoyaltyAccount) account!: LoyaltyAccount;',
          '}',
        ].join('\n'),
        'src/orders/orders.ts': [
          "import { getRepository } from 'typeorm';",
          "import { Order } from './order.entity';",
          'export const all = () =>',
          "  getRepository(Order).createQueryBuilder('o').leftJoinAndSelect('o.account', 'a').getMany();",
        ].join('\n'),
      }),
    ).toEqual([
      'cross-context-import@src/orders/order.entity.ts:2:32',
      'cross-context-relation@src/orders/order.entity.ts:6:4',
      'cross-context-join@src/orders/orders.ts:4:66',
    ]);
  });

  it('takes the database of @Entity for the schema on MySQL', async () => {
    const map = `version: 1
dialect: mysql
contexts:
  orders:
    code: ["src/orders/**"]
    tables: ["orders.*"]
  customers:
    code: ["src/customers/**"]
    tables: ["crm.*"]
`;
    expect(
      await findingsOf(
        {
          'src/customers/index.ts': 'export {};\n',
          'src/orders/account.ts': [
            "import { Entity, PrimaryColumn } from 'typeorm';",
            "@Entity({ name: 'Accounts', database: 'CRM' })",
            'export class Account {',
            '  @PrimaryColumn() id!: string;',
            '}',
            'export const find = (ds: any) => ds.getRepository(Account).findOneBy({ id: 1 });',
          ].join('\n'),
        },
        map,
      ),
    ).toEqual(['foreign-table-access@src/orders/account.ts:6:51']);
  });

  it('reports an entity class from a parameter as dynamic-sql', async () => {
    expect(
      await findingsOf({
        'src/orders/base.ts':
          'export const all = (ds: any, entity: any) => ds.getRepository(entity).find();\n',
      }),
    ).toEqual(['dynamic-sql@src/orders/base.ts:1:63']);
  });

  it('passes manager calls whose first argument is an entity instance, not a class', async () => {
    expect(
      await findingsOf({
        'src/orders/save.ts':
          'export const save = (manager: any, order: object) => manager.save(order);\n',
      }),
    ).toEqual([]);
  });

  it('reports both ends of a relation that crosses contexts, and passes one inside a context', async () => {
    expect(
      await findingsOf({
        'src/customers/loyalty-account.entity.ts': CUSTOMER_ENTITY,
        'src/orders/order.entity.ts': [
          "import { Entity, ManyToOne, OneToMany, PrimaryColumn } from 'typeorm';",
          "import { LoyaltyAccount } from '../customers/loyalty-account.entity';",
          '',
          "@Entity({ schema: 'orders' })",
          'export class Order {',
          '  @PrimaryColumn() id!: string;',
          '  @ManyToOne(() => LoyaltyAccount) account!: LoyaltyAccount;',
          '  @OneToMany(() => OrderLine, (line) => line.order) lines!: OrderLine[];',
          '}',
          '',
          "@Entity({ schema: 'orders' })",
          'export class OrderLine {',
          '  @PrimaryColumn() id!: string;',
          '  @ManyToOne(() => Order, (order) => order.lines) order!: Order;',
          '}',
        ].join('\n'),
      }),
    ).toEqual([
      'cross-context-import@src/orders/order.entity.ts:2:32',
      'cross-context-relation@src/orders/order.entity.ts:7:4',
    ]);
  });
});

const SCHEMA = `
model Customer {
  id     String  @id
  orders Order[]
  @@schema("customers")
  @@map("customers")
}

model Order {
  id         String    @id
  customerId String
  customer   Customer  @relation(fields: [customerId], references: [id])
  lines      OrderLine[]
  @@schema("orders")
  @@map("orders")
}

model OrderLine {
  id      Int    @id
  orderId String
  order   Order  @relation(fields: [orderId], references: [id])
  @@schema("orders")
  @@map("order_lines")
}
`;

describe('Prisma', () => {
  it('maps models to tables through @@map and @@schema, and relations through the fields', async () => {
    expect(
      await findingsOf({
        'prisma/schema.prisma': SCHEMA,
        'src/orders/orders.ts': [
          'export const own = (prisma: any) => prisma.order.findMany({ include: { lines: true } });',
          'export const deep = (prisma: any) =>',
          '  prisma.orderLine.findMany({ include: { order: { include: { customer: true } } } });',
        ].join('\n'),
      }),
    ).toEqual([
      'cross-context-relation@prisma/schema.prisma:4:3',
      'cross-context-relation@prisma/schema.prisma:12:3',
      'cross-context-join@src/orders/orders.ts:3:62',
    ]);
  });

  it('reads the model of a relation filter and writes the model of a nested create', async () => {
    expect(
      await findingsOf({
        'prisma/schema.prisma': SCHEMA,
        'src/customers/customers.ts': [
          'export const buyers = (db: any) =>',
          '  db.customer.findMany({ where: { orders: { some: { id: "1" } } } });',
          'export const signUp = (db: any) =>',
          '  db.customer.create({ data: { id: "2", orders: { create: [{ id: "3" }] } } });',
        ].join('\n'),
      }),
    ).toEqual([
      'cross-context-relation@prisma/schema.prisma:4:3',
      'cross-context-relation@prisma/schema.prisma:12:3',
      'cross-context-join@src/customers/customers.ts:2:35',
      'cross-context-join@src/customers/customers.ts:4:41',
    ]);
  });

  // Found by comparing the gated walk with a full one: a Map's delete was a Prisma call.
  it('does not take a map of a model’s name for the Prisma model', async () => {
    expect(
      await findingsOf({
        'prisma/schema.prisma': SCHEMA,
        'src/customers/cache.ts': [
          'export class Cache {',
          '  private readonly order = new Map<string, object>();',
          '  #order = new Set<string>();',
          '  drop(id: string) {',
          '    this.order.delete(id);',
          '    this.#order.delete(id);',
          '  }',
          '}',
        ].join('\n'),
      }),
    ).toEqual([
      'cross-context-relation@prisma/schema.prisma:4:3',
      'cross-context-relation@prisma/schema.prisma:12:3',
    ]);
  });

  it('reports a model chosen at run time, and ignores accessors that are no model', async () => {
    expect(
      await findingsOf({
        'prisma/schema.prisma': SCHEMA.replace(/\s+customer\s+Customer.*\n/, '\n').replace(
          /\s+orders Order\[\]\n/,
          '\n',
        ),
        'src/orders/generic.ts': [
          'export const all = (prisma: any, model: string) => prisma[model].findMany();',
          'export const other = (service: any) => service.mailer.create({});',
        ].join('\n'),
      }),
    ).toEqual(['dynamic-sql@src/orders/generic.ts:1:59']);
  });
});
