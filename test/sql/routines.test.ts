import { beforeAll, describe, expect, test } from 'vitest';

import { loadSqlFrontend } from '../../src/sql/index.js';
import type { SqlFrontend } from '../../src/sql/index.js';
import { offsetOf, parseOk, qualify, rolesOf } from './helpers.js';

let pg: SqlFrontend;

beforeAll(async () => {
  pg = await loadSqlFrontend('postgresql');
});

const TRIGGER_FUNCTION = `CREATE FUNCTION billing.on_invoice() RETURNS trigger
LANGUAGE plpgsql AS $body$
DECLARE
  credit numeric := (SELECT limit_amount FROM crm.credit_limits WHERE id = NEW.customer_id);
  total numeric;
BEGIN
  SELECT sum(amount) INTO total FROM billing.invoices WHERE customer_id = NEW.customer_id;
  IF total > credit THEN
    UPDATE crm.customers SET on_hold = true -- stop further orders
     WHERE id = NEW.customer_id;
  END IF;
  EXECUTE format('DELETE FROM %I.pending', TG_TABLE_SCHEMA);
  EXECUTE 'INSERT INTO audit.events (kind) VALUES (''invoice'')';
  RETURN NEW;
END
$body$;`;

describe('PL/pgSQL bodies', () => {
  test('the statements and expressions of the body count as the function’s tables', () => {
    expect(rolesOf(pg, TRIGGER_FUNCTION)).toEqual([
      'crm.credit_limits:read',
      'billing.invoices:read',
      'crm.customers:write',
      'audit.events:write',
    ]);
  });

  test('each table points where it is written in the body', () => {
    const [statement] = parseOk(pg, TRIGGER_FUNCTION);
    const at = Object.fromEntries(statement!.tables.map((t) => [qualify(t), t.offset]));
    expect(at).toEqual({
      'crm.credit_limits': offsetOf(TRIGGER_FUNCTION, 'crm.credit_limits'),
      'billing.invoices': offsetOf(TRIGGER_FUNCTION, 'billing.invoices'),
      'crm.customers': offsetOf(TRIGGER_FUNCTION, 'crm.customers'),
      'audit.events': offsetOf(TRIGGER_FUNCTION, 'audit.events'),
    });
  });

  test('each table says where its body statement starts, after the comments before it', () => {
    const sql = `CREATE FUNCTION crm.f() RETURNS void LANGUAGE sql AS $$
  -- first
  UPDATE crm.a SET x = 1
   WHERE id IN (SELECT id FROM crm.b);
  /* second */ DELETE FROM crm.c;
$$;`;
    const [statement] = parseOk(pg, sql);
    expect(statement!.tables.map((t) => [t.name, t.bodyStatement])).toEqual([
      ['a', offsetOf(sql, 'UPDATE')],
      ['b', offsetOf(sql, 'UPDATE')],
      ['c', offsetOf(sql, 'DELETE')],
    ]);
  });

  test('EXECUTE of a built string is dynamic, at the expression', () => {
    const [statement] = parseOk(pg, TRIGGER_FUNCTION);
    expect(statement!.dynamic).toEqual([
      {
        offset: offsetOf(TRIGGER_FUNCTION, 'format('),
        expression: "format('DELETE FROM %I.pending', TG_TABLE_SCHEMA)",
      },
    ]);
  });

  test('assignments, loops, RETURN QUERY and every form of EXECUTE are read', () => {
    const sql = `CREATE FUNCTION r.f() RETURNS SETOF int LANGUAGE plpgsql AS $$
DECLARE n int; row record; cur refcursor;
BEGIN
  n := (SELECT count(*) FROM a.counted);
  FOR row IN SELECT id FROM b.looped LOOP END LOOP;
  RETURN QUERY SELECT id FROM c.returned;
  RETURN QUERY EXECUTE 'SELECT id FROM d.constant';
  FOR row IN EXECUTE 'SELECT ' || quote_ident(n::text) LOOP END LOOP;
  OPEN cur FOR EXECUTE format('SELECT * FROM %I', n);
END $$`;
    const [statement] = parseOk(pg, sql);
    expect(statement!.tables.map((t) => [qualify(t), t.role, t.offset])).toEqual([
      ['a.counted', 'read', offsetOf(sql, 'a.counted')],
      ['b.looped', 'read', offsetOf(sql, 'b.looped')],
      ['c.returned', 'read', offsetOf(sql, 'c.returned')],
      ['d.constant', 'read', offsetOf(sql, 'd.constant')],
    ]);
    expect(statement!.dynamic!.map((d) => d.offset)).toEqual([
      offsetOf(sql, "'SELECT ' ||"),
      offsetOf(sql, 'format('),
    ]);
  });

  test('a DO block is read like a function body', () => {
    const sql = 'DO $$\nBEGIN\n  INSERT INTO crm.tags SELECT * FROM billing.tags;\nEND $$;';
    const [statement] = parseOk(pg, sql);
    expect(statement!.tables.map((t) => [qualify(t), t.role, t.offset])).toEqual([
      ['crm.tags', 'write', offsetOf(sql, 'crm.tags')],
      ['billing.tags', 'read', offsetOf(sql, 'billing.tags')],
    ]);
  });

  test('a LANGUAGE sql body in single quotes maps positions past doubled quotes', () => {
    const sql =
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT count(*) FROM a.b WHERE k = ''x'' AND EXISTS (SELECT 1 FROM c.d)'";
    expect(parseOk(pg, sql)[0]!.tables.map((t) => [qualify(t), t.offset])).toEqual([
      ['a.b', offsetOf(sql, 'a.b')],
      ['c.d', offsetOf(sql, 'c.d')],
    ]);
  });

  test('a body the PL/pgSQL parser rejects is a problem at the body, not a silent pass', () => {
    const sql =
      'CREATE FUNCTION f(x int) RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$';
    const [statement] = parseOk(pg, sql);
    expect(statement!.bodyProblems).toEqual([
      {
        offset: offsetOf(sql, 'BEGIN'),
        message:
          'the PL/pgSQL parser rejects this body: trigger functions cannot have declared arguments',
      },
    ]);
  });

  test('bodies in other languages are not read as SQL', () => {
    const sql = "CREATE FUNCTION f() RETURNS int LANGUAGE plpython3u AS 'return 1'";
    expect(parseOk(pg, sql)[0]!.tables).toEqual([]);
  });
});

describe('foreign keys', () => {
  test('the target of REFERENCES is a reference from the table that declares it', () => {
    const sql =
      'CREATE TABLE billing.invoices (id int, customer_id int REFERENCES crm.customers (id))';
    expect(parseOk(pg, sql)[0]!.tables).toEqual([
      { schema: 'billing', name: 'invoices', role: 'ddl', offset: offsetOf(sql, 'billing') },
      {
        schema: 'crm',
        name: 'customers',
        role: 'reference',
        offset: offsetOf(sql, 'crm.customers'),
        referencedBy: { schema: 'billing', name: 'invoices' },
      },
    ]);
  });

  test('ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY starts from the altered table', () => {
    const sql =
      'ALTER TABLE ONLY billing.invoices ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES crm.customers (id)';
    expect(parseOk(pg, sql)[0]!.tables.find((t) => t.role === 'reference')).toMatchObject({
      name: 'customers',
      referencedBy: { schema: 'billing', name: 'invoices' },
    });
  });
});
