import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { makeTree } from '../helpers/tempdir.js';

const BIN = fileURLToPath(new URL('../../bin/dbboundary.js', import.meta.url));

const MAP = `version: 1
dialect: postgresql
defaultSchema: public
contexts:
  sales:
    code: ["src/sales/**"]
    tables: [orders]
`;

describe('split on the command line', () => {
  it('needs exactly one source to read the schema from', async () => {
    const root = makeTree({ 'dbboundary.yaml': MAP });
    const none = await runCli(['split', '--out', 'out'], { cwd: root });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toBe(
      'dbboundary: split needs --db <url> or --schema-file <pg_dump file> to read the schema from.',
    );
    const both = await runCli(
      ['split', '--db', 'postgres://x@127.0.0.1/x', '--schema-file', 'a.sql', '--out', 'o'],
      {
        cwd: root,
      },
    );
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain(
      "option '--schema-file <file>' cannot be used with option '--db <url>'",
    );
  });

  it('names the line of a dump that is not valid SQL', async () => {
    const root = makeTree({
      'dbboundary.yaml': MAP,
      'dump.sql': 'CREATE TABLE public.orders (id int);\nCREATE TABLE oops (;\n',
    });
    const run = await runCli(['split', '--schema-file', 'dump.sql', '--out', 'out'], { cwd: root });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /^dbboundary: dump\.sql:2: not valid PostgreSQL \(syntax error at or near ";"\)/,
    );
  });

  it('writes the plan from a dump and exits 0 when nothing couples the contexts', async () => {
    const root = makeTree({
      'dbboundary.yaml': MAP,
      'dump.sql': 'CREATE TABLE public.orders (id int);\n',
    });
    const run = await runCli(['split', '--schema-file', 'dump.sql', '--out', 'out'], { cwd: root });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Plan of 4 step(s) moving 1 table(s) written to out');
  });

  it('refuses to apply a plan that is not there, without connecting', async () => {
    const root = makeTree({ 'dbboundary.yaml': MAP });
    const run = await runCli(
      ['split', '--db', 'postgres://u:secret@127.0.0.1:1/x', '--out', 'nowhere', '--apply'],
      {
        cwd: root,
      },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /nowhere\/plan\.json: no plan there; run dbboundary split --out nowhere first/,
    );
    expect(run.stderr).not.toContain('secret');
  });

  it('says when the database cannot be reached, without the password', async () => {
    const root = makeTree({ 'dbboundary.yaml': MAP });
    const run = await runCli(
      ['split', '--db', 'postgres://u:secret@127.0.0.1:1/x', '--out', 'out'],
      {
        cwd: root,
      },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(
      'dbboundary: cannot connect to PostgreSQL at 127.0.0.1:1/x: connection refused; is PostgreSQL running and listening there?',
    );
  });

  it('splits only PostgreSQL context maps', async () => {
    const root = makeTree({ 'dbboundary.yaml': MAP.replace('postgresql', 'mysql') });
    const run = await runCli(['split', '--schema-file', 'x.sql', '--out', 'out'], { cwd: root });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('dialect is mysql; split works on PostgreSQL schemas only');
  });

  it('removes the scripts of an earlier plan that the new one no longer has, and nothing else', async () => {
    const root = makeTree({
      'dbboundary.yaml': MAP.replace('tables: [orders]', 'tables: [orders, refunds]'),
      'dump.sql': 'CREATE TABLE public.orders (id int);\nCREATE TABLE public.refunds (id int);\n',
      'out/deploy/notes.txt': 'kept',
    });
    await runCli(['split', '--schema-file', 'dump.sql', '--out', 'out'], { cwd: root });
    expect(existsSync(path.join(root, 'out/deploy/4-move-public.refunds.sql'))).toBe(true);

    writeFileSync(path.join(root, 'dump.sql'), 'CREATE TABLE public.orders (id int);\n');
    const again = await runCli(['split', '--schema-file', 'dump.sql', '--out', 'out', '--force'], {
      cwd: root,
    });
    expect(again.exitCode).toBe(0);
    expect(readdirSync(path.join(root, 'out/deploy')).sort()).toEqual([
      '1-schemas.sql',
      '2-grants.sql',
      '3-move-public.orders.sql',
      '4-search-path.sql',
      'notes.txt',
    ]);
    const report = JSON.parse(readFileSync(path.join(root, 'out/report.json'), 'utf8')) as {
      steps: { id: string }[];
    };
    expect(report.steps.map((s) => s.id)).toEqual([
      '1-schemas',
      '2-grants',
      '3-move-public.orders',
      '4-search-path',
    ]);
  });

  it('refuses to write a plan over one already in the folder unless --force is given', async () => {
    const root = makeTree({
      'dbboundary.yaml': MAP,
      'dump.sql': 'CREATE TABLE public.orders (id int);\n',
    });
    await runCli(['split', '--schema-file', 'dump.sql', '--out', 'out'], { cwd: root });
    const planned = readFileSync(path.join(root, 'out/plan.json'), 'utf8');
    writeFileSync(path.join(root, 'dump.sql'), 'CREATE TABLE sales.orders (id int);\n');

    const again = await runCli(['split', '--schema-file', 'dump.sql', '--out', 'out'], {
      cwd: root,
    });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toBe(
      'dbboundary: out/plan.json: a plan is already there; if it was applied, run --revert with it first, or choose another --out folder (--force writes over it).',
    );
    expect(readFileSync(path.join(root, 'out/plan.json'), 'utf8')).toBe(planned);
  });
});

describe('split context names', () => {
  const mapOf = (names: string[]): string =>
    `version: 1\ndialect: postgresql\ndefaultSchema: public\ncontexts:\n${names
      .map((name, i) => `  ${name}:\n    code: ["src/${i}/**"]\n    tables: [t${i}]\n`)
      .join('')}`;
  const dump = 'CREATE TABLE public.t0 (id int);\nCREATE TABLE public.t1 (id int);\n';

  it('refuses two contexts that map to one schema, before writing anything', async () => {
    const root = makeTree({ 'dbboundary.yaml': mapOf(['sales', 'Sales']), 'dump.sql': dump });
    const run = await runCli(['split', '--schema-file', 'dump.sql', '--out', 'out'], { cwd: root });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(
      'dbboundary: dbboundary.yaml: contexts sales and Sales both map to schema sales; rename one of them.',
    );
    expect(existsSync(path.join(root, 'out'))).toBe(false);
  });

  it('refuses a context whose schema or role would be longer than PostgreSQL keeps', async () => {
    const long = `billing_${'x'.repeat(60)}`;
    const root = makeTree({
      'dbboundary.yaml': mapOf([`${long}_a`, `${long}_b`]),
      'dump.sql': dump,
    });
    const run = await runCli(['split', '--schema-file', 'dump.sql', '--out', 'out'], { cwd: root });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(
      `dbboundary: dbboundary.yaml: context ${long}_a maps to schema ${long}_a and role ${long}_a_app, longer than PostgreSQL's 63 bytes; shorten the context's name.`,
    );
    expect(existsSync(path.join(root, 'out'))).toBe(false);
  });
});

describe('split output folder', () => {
  it('fails at once, in one line, when the output folder cannot be made', async () => {
    const root = makeTree({
      'dbboundary.yaml': MAP,
      'dump.sql': 'CREATE TABLE public.orders (id int);\n',
    });
    // Killed after 10 s: making folders under /proc must not spin.
    const run = await execa(
      'node',
      [BIN, 'split', '--schema-file', 'dump.sql', '--out', '/proc/nope/deeper/'],
      { cwd: root, reject: false, timeout: 10_000, env: { NO_COLOR: '1' } },
    );
    expect(run.timedOut).toBe(false);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^dbboundary: \/proc\/nope: cannot make this folder \(ENOENT\)\.$/);
  });
});
