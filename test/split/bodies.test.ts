import { loadModule } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFunctionBody } from '../../src/split/bodies.js';
import { resolveBodyRefs } from '../../src/split/resolve.js';

beforeAll(async () => {
  await loadModule();
});

function plpgsql(body: string): string {
  return `CREATE FUNCTION f(p bigint) RETURNS void LANGUAGE plpgsql AS $body$\n${body}\n$body$;`;
}

describe('function bodies', () => {
  it('find the tables of every PL/pgSQL statement and expression, and which are written', () => {
    const reading = readFunctionBody(
      plpgsql(`DECLARE n int;
BEGIN
  SELECT count(*) INTO n FROM crm.clients WHERE id = p;
  IF EXISTS (SELECT 1 FROM sales.orders o WHERE o.id = p) THEN
    UPDATE billing.bills SET paid = true WHERE id = p;
  END IF;
  FOR n IN SELECT qty FROM sales.lines LOOP
    PERFORM 1 FROM audit;
  END LOOP;
END`),
      'plpgsql',
    );
    expect(reading.unparsed).toBeNull();
    expect(reading.dynamic).toBe(false);
    expect(reading.refs).toEqual(
      expect.arrayContaining([
        { schema: 'crm', name: 'clients', writes: false },
        { schema: 'sales', name: 'orders', writes: false },
        { schema: 'billing', name: 'bills', writes: true },
        { schema: 'sales', name: 'lines', writes: false },
        { schema: null, name: 'audit', writes: false },
      ]),
    );
    expect(reading.refs).toHaveLength(5);
  });

  it('flag SQL built at run time', () => {
    const reading = readFunctionBody(
      plpgsql(`BEGIN EXECUTE format('DELETE FROM %I', 'x'); END`),
      'plpgsql',
    );
    expect(reading.dynamic).toBe(true);
  });

  it('read SQL bodies, both quoted and SQL-standard', () => {
    const quoted = readFunctionBody(
      `CREATE FUNCTION g() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM orders $$`,
      'sql',
    );
    expect(quoted.refs).toEqual([{ schema: null, name: 'orders', writes: false }]);
    const standard = readFunctionBody(
      `CREATE FUNCTION g() RETURNS bigint LANGUAGE sql BEGIN ATOMIC INSERT INTO a.log VALUES (1); END`,
      'sql',
    );
    expect(standard.refs).toEqual([{ schema: 'a', name: 'log', writes: true }]);
  });

  it('say why a body could not be read', () => {
    expect(readFunctionBody(plpgsql('BEGIN SELEC 1; END'), 'plpgsql').unparsed).toMatch(
      /syntax error/,
    );
    expect(
      readFunctionBody('CREATE FUNCTION h() RETURNS int LANGUAGE c AS $$x$$', 'c').unparsed,
    ).toBe('c bodies are not read');
  });

  it('resolve bare names through the pinned search_path, else public and the function schema', () => {
    const relations = new Map(
      ['public.orders', 'app.orders', 'app.jobs'].map((name) => {
        const [schema, table] = name.split('.') as [string, string];
        return [name, { schema, name: table }];
      }),
    );
    const refs = [
      { schema: null, name: 'orders', writes: false },
      { schema: null, name: 'jobs', writes: true },
      { schema: null, name: 'missing', writes: false },
    ];
    expect(resolveBodyRefs(refs, { schema: 'app', pinnedSearchPath: null }, relations)).toEqual([
      { schema: 'public', name: 'orders', unqualified: true, writes: false },
      { schema: 'app', name: 'jobs', unqualified: true, writes: true },
    ]);
    expect(
      resolveBodyRefs(refs, { schema: 'public', pinnedSearchPath: 'pg_catalog, "app"' }, relations),
    ).toEqual([
      { schema: 'app', name: 'orders', unqualified: true, writes: false },
      { schema: 'app', name: 'jobs', unqualified: true, writes: true },
    ]);
  });
});
