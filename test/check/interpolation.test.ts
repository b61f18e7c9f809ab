import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run.js';
import { makeTree } from '../helpers/tempdir.js';

const MAP = `version: 1
defaultSchema: public
contexts:
  a:
    code: ["src/a/**"]
    tables: ["a_*"]
  b:
    code: ["src/b/**"]
    tables: ["b_*", "worker.jobs"]
`;

/** rule:line:column:tables for each finding of one line of code in context a. */
async function findingsOf(code: string): Promise<string[]> {
  const root = makeTree({
    'dbboundary.yaml': MAP,
    'src/a/x.ts': code,
    'src/b/x.ts': 'export {};\n',
  });
  const result = await runCheck({ cwd: root });
  return result.findings.map((f) => `${f.rule}:${f.line}:${f.column}:${f.tables.join(',')}`);
}

describe('interpolated values', () => {
  it('read a value that stands for a schema as an unknown schema, matching the table by name', async () => {
    expect(await findingsOf('db.query(`SELECT * FROM ${schema}.jobs WHERE id = ${id}`);')).toEqual([
      'foreign-table-access:1:27:worker.jobs',
    ]);
  });

  it('take $${i} as a numbered parameter', async () => {
    expect(await findingsOf('db.query(`SELECT * FROM b_items WHERE id = $${i}`);')).toEqual([
      'foreign-table-access:1:25:public.b_items',
    ]);
  });

  it('drop a conditional clause when a parameter does not fit', async () => {
    expect(
      await findingsOf(
        "db.query(`SELECT * FROM b_items WHERE id = $1 ${on ? 'AND hidden' : ''}`);",
      ),
    ).toEqual(['foreign-table-access:1:25:public.b_items']);
  });

  it('see the target of a bulk insert, a postgres.js insert and update, and an IN list', async () => {
    const code = [
      "db.query(`INSERT INTO b_items (id) VALUES ${rows.join(', ')}`);",
      'await sql`insert into b_items ${sql(item)} returning id`;',
      'await sql`update b_items set ${sql(item, "name")} where id = ${id}`;',
      'await sql`select * from b_items where id in ${sql(ids)}`;',
    ].join('\n');
    expect(await findingsOf(code)).toEqual([
      'foreign-table-access:1:23:public.b_items',
      'foreign-table-access:2:23:public.b_items',
      'foreign-table-access:3:18:public.b_items',
      'foreign-table-access:4:25:public.b_items',
    ]);
  });

  it('leave out a clause held in a variable while keeping the values an operator needs', async () => {
    const code = [
      'db.query(`SELECT * FROM b_items AS ${alias} WHERE run_at <= ${now}',
      '  ${queueClause}',
      '  ORDER BY id LIMIT ${limit}`);',
    ].join('\n');
    expect(await findingsOf(code)).toEqual(['foreign-table-access:1:25:public.b_items']);
  });

  it('take what an identifier-quoting helper returns as a name', async () => {
    const code = 'db.query(`ALTER TABLE b_items RENAME COLUMN ${ident(from)} TO ${ident(to)}`);';
    expect(await findingsOf(code)).toEqual(['foreign-table-access:1:23:public.b_items']);
  });

  it('report a table name that comes from a value as dynamic SQL, at the value', async () => {
    expect(await findingsOf('db.query(`SELECT * FROM ${table} WHERE id = $1`, [id]);')).toEqual([
      'dynamic-sql:1:27:',
    ]);
  });
});

describe('values in names', () => {
  it('report part of a name taken from a value as dynamic SQL, never as a made-up table', async () => {
    const code = [
      'db.query(`SELECT * FROM b_${suffix}`);',
      'db.query(`SELECT * FROM ${prefix}_items`);',
      'db.query(`SELECT * FROM a_items, ${other}`);',
      'db.query(`DELETE FROM a_items USING ${other} x WHERE x.id = a_items.id`);',
    ].join('\n');
    expect(await findingsOf(code)).toEqual([
      'dynamic-sql:1:25:',
      'dynamic-sql:2:27:',
      'dynamic-sql:3:36:',
      'dynamic-sql:4:39:',
    ]);
  });

  it('leave a table with an unknown schema unowned when its name alone does not say whose it is', async () => {
    const map = MAP.replace('tables: ["a_*"]', 'tables: ["a_*", "a.outbox", "a.*"]').replace(
      'tables: ["b_*", "worker.jobs"]',
      'tables: ["b_*", "worker.jobs", "b.outbox", "b.*"]',
    );
    const root = makeTree({
      'dbboundary.yaml': map,
      'src/a/x.ts':
        'db.query(`SELECT * FROM ${tenant}.settings`);\ndb.query(`SELECT * FROM ${tenant}.outbox`);\n',
      'src/b/x.ts': 'export {};\n',
    });
    const result = await runCheck({ cwd: root });
    expect(result.findings.map((f) => [f.rule, f.line, f.message.split(',')[0]])).toEqual([
      [
        'dynamic-sql',
        1,
        'the schema comes from a value at run time and no context lists a table named settings',
      ],
      [
        'dynamic-sql',
        2,
        'the schema comes from a value at run time and a table named outbox is listed by a and b',
      ],
    ]);
  });
});

describe('driver placeholders', () => {
  it("read knex's ? and ?? and pg-promise's named and modified parameters", async () => {
    const code = [
      "knex.raw('SELECT * FROM b_items WHERE id = ? AND ?? = ?', [id, col, v]);",
      "db.one('SELECT * FROM b_items WHERE id = $<id> AND kind = $(kind)', params);",
      "db.any('SELECT $1:name FROM b_items WHERE ${col:name} = ${value}', [cols]);",
    ].join('\n');
    expect(await findingsOf(code)).toEqual([
      'foreign-table-access:1:25:public.b_items',
      'foreign-table-access:2:23:public.b_items',
      'foreign-table-access:3:29:public.b_items',
    ]);
  });

  it('leave valid SQL that uses ? as an operator as it is', async () => {
    expect(
      await findingsOf("db.query('SELECT data ? $1 FROM a_docs WHERE tags ?| $2', [k, t]);"),
    ).toEqual([]);
  });
});

describe('MySQL values', () => {
  it("fill VALUES with as many values as columns, and read the mysql driver's SET ?, VALUES ? and IN ?", async () => {
    const root = makeTree({
      'dbboundary.yaml': MAP.replace('version: 1', 'version: 1\ndialect: mysql'),
      'src/a/x.ts': [
        'conn.query(`INSERT INTO b_users (a, b) VALUES ${rows}`);',
        "conn.query('INSERT INTO b_users SET ?', [row]);",
        "conn.query('INSERT INTO b_users (a) VALUES ?', [rows]);",
        "conn.query('SELECT * FROM b_users WHERE id IN ?', [ids]);",
      ].join('\n'),
      'src/b/x.ts': 'export {};\n',
    });
    const result = await runCheck({ cwd: root });
    expect(result.findings.map((f) => `${f.rule}:${f.line}`)).toEqual([
      'foreign-table-access:1',
      'foreign-table-access:2',
      'foreign-table-access:3',
      'foreign-table-access:4',
    ]);
  });
});
