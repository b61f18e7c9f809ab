import { describe, expect, it } from 'vitest';
import { makeTree } from '../helpers/tempdir.js';
import { runCli } from '../helpers/run-cli.js';
import { ORDERS_AND_CUSTOMERS } from '../helpers/maps.js';

const MAP = ORDERS_AND_CUSTOMERS;

const BASE = { 'dbboundary.yaml': MAP, 'src/customers/a.ts': 'export {};\n' };

async function checkJson(files: Record<string, string | Buffer>) {
  const run = await runCli(['check', '--format', 'json'], { cwd: makeTree({ ...BASE, ...files }) });
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  return { run, report: run.stdout ? JSON.parse(run.stdout) : null };
}

describe('bad input never crashes the check', () => {
  it('warns about a file that is not UTF-8 and still checks what it can read', async () => {
    const bytes = Buffer.concat([
      Buffer.from("const name = '"),
      Buffer.from([0xe9, 0xff]),
      Buffer.from("';\ndb.query('SELECT * FROM customers.customers');\n"),
    ]);
    const { run, report } = await checkJson({ 'src/orders/latin1.ts': bytes });

    expect(run.exitCode).toBe(1);
    expect(report.findings.map((f: { rule: string; line: number }) => [f.rule, f.line])).toEqual([
      ['unparsed-file', 1],
      ['foreign-table-access', 2],
    ]);
    expect(report.findings[0].message).toMatch(/not valid UTF-8/);
  });

  it('takes a byte order mark and a written U+FFFD as UTF-8, with columns counted after the mark', async () => {
    const { run, report } = await checkJson({
      'src/orders/bom.ts': "\uFEFFdb.query('SELECT * FROM customers.customers');\n",
      'src/orders/mark.ts':
        "const mark = '\uFFFD';\ndb.query('SELECT * FROM customers.customers');\n",
    });

    expect(run.exitCode).toBe(1);
    const found = report.findings.map(
      (f: { rule: string; file: string; line: number; column: number }) => [
        f.rule,
        f.file,
        f.line,
        f.column,
      ],
    );
    expect(found).toEqual([
      ['foreign-table-access', 'src/orders/bom.ts', 1, 25],
      ['foreign-table-access', 'src/orders/mark.ts', 2, 25],
    ]);
  });

  it('checks a 5 MB file', async () => {
    const block = 'export function f(n: number): number {\n  return n + 1;\n}\n'.repeat(90_000);
    const text = `${block}db.query('SELECT * FROM customers.customers');\n`;
    expect(text.length).toBeGreaterThan(5_000_000);
    const { run, report } = await checkJson({ 'src/orders/huge.ts': text });

    expect(run.exitCode).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({ rule: 'foreign-table-access', line: 270_001 }),
    ]);
  });

  it('reads only code and .sql files, whatever else a broad include glob takes', async () => {
    const root = makeTree({
      'dbboundary.yaml': `include: ["pk/**"]\n${ORDERS_AND_CUSTOMERS}`
        .replace('src/orders/**', 'pk/orders/**')
        .replace('src/customers/**', 'pk/customers/**'),
      'pk/orders/README.md': '# Orders\n\nSee the `orders` schema.\n',
      'pk/orders/tsconfig.json': '{ "compilerOptions": { "strict": true } }\n',
      'pk/orders/a.ts': "db.query('SELECT * FROM customers.customers');\n",
      'pk/customers/b.sql': 'SELECT * FROM customers.customers;\n',
    });

    const run = await runCli(['check', '--format', 'json'], { cwd: root });

    const report = JSON.parse(run.stdout);
    expect(report.summary.files).toBe(2);
    expect(
      report.findings.map((f: { rule: string; file: string }) => `${f.rule} ${f.file}`),
    ).toEqual(['foreign-table-access pk/orders/a.ts']);
  });

  it('checks an empty file as clean', async () => {
    const { run, report } = await checkJson({ 'src/orders/empty.ts': '' });
    expect(run.exitCode).toBe(0);
    expect(report.summary.files).toBe(2);
  });

  it('warns about a TypeScript syntax error with its position', async () => {
    const { run, report } = await checkJson({
      'src/orders/broken.ts': "export const a = (;\ndb.query('SELECT * FROM orders.orders');\n",
    });
    expect(run.exitCode).toBe(0);
    expect(report.findings).toEqual([
      expect.objectContaining({ rule: 'unparsed-file', severity: 'warning', line: 1, column: 19 }),
    ]);
    expect(report.findings[0].message).toMatch(/^TypeScript syntax error: Expression expected/);
  });

  it('parses a 1 MB SQL string', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => `(${i}, 'name ${i}')`).join(', ');
    const sql = `INSERT INTO customers.customers (id, name) VALUES ${rows}`;
    expect(sql.length).toBeGreaterThan(1_000_000);
    const { run, report } = await checkJson({ 'src/orders/bulk.ts': `db.query(\`${sql}\`);\n` });

    expect(run.exitCode).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({ rule: 'foreign-table-access', column: 23 }),
    ]);
  });

  it('warns about an unparseable 1 MB SQL string instead of hanging', async () => {
    const sql = `SELECT ${'x, '.repeat(400_000)} FROM FROM customers.customers`;
    const { run, report } = await checkJson({ 'src/orders/bad.ts': `db.query(\`${sql}\`);\n` });
    expect(run.exitCode).toBe(0);
    expect(report.findings.map((f: { rule: string }) => f.rule)).toEqual(['unparsed-sql']);
  });

  it('stops with one clear line when the config is not YAML', async () => {
    const run = await runCli(['check'], {
      cwd: makeTree({
        ...BASE,
        'dbboundary.yaml': 'version: 1\ncontexts:\n  orders: {code: [src/**\n',
      }),
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^dbboundary: dbboundary\.yaml:\d+: not valid YAML: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops with one clear line when the config is binary', async () => {
    const run = await runCli(['check'], {
      cwd: makeTree({ ...BASE, 'dbboundary.yaml': Buffer.from([0, 159, 146, 150]) }),
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trim()).toBe(
      'dbboundary: dbboundary.yaml: not a UTF-8 text file; a context map is YAML text.',
    );
  });
});
