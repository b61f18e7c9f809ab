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
