import { loadModule } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDump } from '../../src/split/dump.js';
import { loadSplitConfig, planSplit } from '../../src/split/index.js';
import type { SplitResult } from '../../src/split/index.js';
import { makeTree } from '../helpers/tempdir.js';

beforeAll(async () => {
  await loadModule();
});

const MAP = `version: 1
dialect: postgresql
defaultSchema: public
contexts:
  Order-Service:
    code: ["src/orders/**"]
    tables: [orders, '"Weird"', "events*"]
  people:
    code: ["src/people/**"]
    tables: [people.persons]
`;

const DUMP = `
SET statement_timeout = 0;
\\restrict abc
CREATE SCHEMA people;
CREATE TABLE public.orders (id bigint NOT NULL, person_id bigint);
CREATE TABLE public."Weird" (id int);
CREATE TABLE public.events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE public.events_2025 (id bigint, at date NOT NULL);
ALTER TABLE ONLY public.events ATTACH PARTITION public.events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE STATISTICS public.orders_stats (ndistinct) ON id, person_id FROM public.orders;
CREATE TABLE people.persons (id bigint NOT NULL);
ALTER TABLE ONLY people.persons ADD CONSTRAINT persons_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_person_fkey FOREIGN KEY (person_id) REFERENCES people.persons(id) ON DELETE CASCADE;
GRANT ALL ON TABLE public.orders TO clerk;
REVOKE TRUNCATE, TRIGGER ON TABLE public.orders FROM clerk;
GRANT SELECT ON TABLE public."Weird" TO PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA public GRANT SELECT ON TABLES TO auditor;
\\unrestrict abc
`;

let result: SplitResult;

beforeAll(() => {
  const root = makeTree({ 'dbboundary.yaml': MAP });
  result = planSplit(readDump(DUMP, 'dump.sql'), loadSplitConfig(undefined, root), 'dump.sql');
});

function step(suffix: string): SplitResult['plan']['steps'][number] {
  return result.plan.steps.find((s) => s.id.endsWith(suffix))!;
}

describe('the split plan', () => {
  it('orders the steps: schemas, grants, one move per table, search_path', () => {
    expect(result.plan.steps.map((s) => s.id)).toEqual([
      '1-schemas',
      '2-grants',
      '3-move-public.Weird',
      '4-move-public.events',
      '5-move-public.orders',
      '6-search-path',
    ]);
  });

  it('takes locks with a timeout and never drops or empties a table', () => {
    for (const s of result.plan.steps) {
      expect(s.deploy, s.id).toContain("SET LOCAL lock_timeout = '5s';");
      expect(s.revert, s.id).toContain("SET LOCAL lock_timeout = '5s';");
      for (const script of [s.deploy, s.revert, s.verify]) {
        expect(script, s.id).not.toMatch(/DROP TABLE|TRUNCATE|DELETE FROM|CASCADE|DROP COLUMN/i);
      }
    }
    expect(step('schemas').revert).toContain('DROP SCHEMA IF EXISTS order_service RESTRICT;');
  });

  it('moves a table, its partitions and statistics, and leaves a security_invoker view with its grants', () => {
    const events = step('move-public.events').deploy;
    expect(events).toContain('ALTER TABLE public.events SET SCHEMA order_service;');
    expect(events).toContain('ALTER TABLE public.events_2025 SET SCHEMA order_service;');
    const orders = step('move-public.orders');
    expect(orders.deploy).toContain(
      'ALTER STATISTICS public.orders_stats SET SCHEMA order_service;',
    );
    expect(orders.deploy).toContain(
      'CREATE OR REPLACE VIEW public.orders WITH (security_invoker = true) AS SELECT * FROM order_service.orders;',
    );
    expect(orders.deploy).toContain(
      'GRANT DELETE, INSERT, SELECT, UPDATE ON public.orders TO clerk;',
    );
    expect(orders.revert).toContain('ALTER TABLE order_service.orders SET SCHEMA public;');
    expect(step('move-public.Weird').deploy).toContain('GRANT SELECT ON public."Weird" TO PUBLIC;');
  });

  it('leaves a table already in its context schema where it is', () => {
    expect(result.report.moves.map((m) => m.table)).not.toContain('people.persons');
    expect(result.report.contexts.find((c) => c.name === 'people')).toMatchObject({
      schema: 'people',
      role: 'people_app',
    });
  });

  it('grants schema usage to the grantees of moved tables and copies default privileges', () => {
    const grants = step('grants').deploy;
    expect(grants).toContain('GRANT USAGE ON SCHEMA order_service TO clerk;');
    expect(grants).toContain('GRANT USAGE ON SCHEMA order_service TO PUBLIC;');
    expect(grants).toContain(
      'ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA order_service GRANT SELECT ON TABLES TO auditor;',
    );
    expect(step('grants').revert).toContain(
      "EXECUTE 'ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA order_service REVOKE SELECT ON TABLES FROM auditor';",
    );
  });

  it("sets each context role's search_path to its schema and the schemas tables leave", () => {
    expect(step('search-path').deploy).toContain(
      "SET search_path = order_service, public', 'order_service_app', current_database());",
    );
  });

  it('reads a cascading foreign key from the dump as the first coupling', () => {
    expect(result.report.couplings[0]).toMatchObject({
      kind: 'foreign-key',
      contexts: ['Order-Service', 'people'],
      severity: 'high',
      objects: [
        'order_service.orders.orders_person_fkey',
        'order_service.orders',
        'people.persons',
      ],
    });
  });

  it('creates only the context schemas that are not there yet, and drops only those on revert', () => {
    const schemas = step('schemas');
    expect(schemas.deploy).toContain('CREATE SCHEMA IF NOT EXISTS order_service;');
    expect(schemas.deploy).not.toContain('CREATE SCHEMA IF NOT EXISTS people;');
    expect(schemas.revert).not.toContain('DROP SCHEMA IF EXISTS people');
    expect(schemas.verify).toContain("nspname = 'people'");
  });
});
