import { describe, expect, it } from 'vitest';
import { makeTree } from '../helpers/tempdir.js';
import { runCli } from '../helpers/run-cli.js';
import { ORDERS_AND_CUSTOMERS } from '../helpers/maps.js';

const MAP = ORDERS_AND_CUSTOMERS;

const CLEAN = {
  'dbboundary.yaml': MAP,
  'src/orders/a.ts': "db.query('SELECT * FROM orders.orders');\n",
  'src/customers/a.ts': "db.query('SELECT * FROM customers.customers');\n",
};

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);

describe('exit codes', () => {
  it('exits 0 on a clean tree and says so', async () => {
    const run = await runCli(['check'], { cwd: makeTree(CLEAN) });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('No boundary findings.');
    expect(run.stdout).toMatch(
      /Scanned 2 files \(orders 1, customers 1, outside contexts 0\): 2 SQL statements/,
    );
  });

  it('counts strings in code and .sql files apart in its summary', async () => {
    const root = makeTree({
      ...CLEAN,
      'src/orders/db/001_orders.sql':
        'SELECT 1 FROM orders.orders;\nSELECT 2 FROM orders.orders;\n',
    });
    const run = await runCli(['check'], { cwd: root });
    expect(run.stdout).toContain(': 4 SQL statements in 2 strings and 1 .sql file;');
  });

  it('exits 0 when there are only warnings', async () => {
    const root = makeTree({ ...CLEAN, 'src/orders/b.ts': "db.query('SELECT * FROM flags');\n" });
    const run = await runCli(['check'], { cwd: root });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('src/orders/b.ts:1:25  warning  unmapped-table');
  });

  it('exits 1 on an error finding', async () => {
    const root = makeTree({
      ...CLEAN,
      'src/orders/b.ts': "db.query('DELETE FROM customers.customers');\n",
    });
    const run = await runCli(['check'], { cwd: root });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      'src/orders/b.ts:1:23  error    foreign-table-access  orders → customers',
    );
  });

  it('exits 2 with one line per problem, and no stack, on a config mistake', async () => {
    const root = makeTree({
      ...CLEAN,
      'dbboundary.yaml': MAP.replace('tables: ["orders.*"]', 'tabels: ["orders.*"]'),
    });
    const run = await runCli(['check'], { cwd: root });
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trim()).toBe(
      'dbboundary: dbboundary.yaml:5: contexts.orders.tabels: unknown key; did you mean "tables"?',
    );
  });

  it('exits 2 on usage mistakes', async () => {
    const cwd = makeTree(CLEAN);
    const unknownOption = await runCli(['check', '--frobnicate'], { cwd });
    const badFormat = await runCli(['check', '--format', 'xml'], { cwd });
    const noCommand = await runCli([], { cwd });
    const missingConfig = await runCli(['check', '--config', 'nope.yaml'], { cwd });

    expect([unknownOption, badFormat, noCommand, missingConfig].map((r) => r.exitCode)).toEqual([
      2, 2, 2, 2,
    ]);
    expect(unknownOption.stderr).toContain("unknown option '--frobnicate'");
    expect(badFormat.stderr.trim()).toBe(
      'dbboundary: --format xml: unknown format; use one of text, json, sarif, github, junit.',
    );
    expect(missingConfig.stderr.trim()).toBe('dbboundary: nope.yaml: no such config file.');
  });

  it('exits 0 for --help and --version', async () => {
    const help = await runCli(['check', '--help']);
    const version = await runCli(['--version']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 clean');
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('output', () => {
  const withFinding = {
    ...CLEAN,
    'src/orders/b.ts': "db.query('DELETE FROM customers.customers');\n",
  };

  it('prints one JSON object with findings and a summary', async () => {
    const run = await runCli(['check', '--format', 'json'], { cwd: makeTree(withFinding) });
    const report = JSON.parse(run.stdout);

    expect(report.findings).toEqual([
      {
        rule: 'foreign-table-access',
        severity: 'error',
        file: 'src/orders/b.ts',
        line: 1,
        column: 23,
        context: 'orders',
        targets: ['customers'],
        tables: ['customers.customers'],
        access: 'write',
        message: 'writes customers.customers, owned by customers.',
        docs: expect.stringMatching(/rules\/foreign-table-access\.md$/),
      },
    ]);
    expect(report.summary).toMatchObject({
      files: 3,
      errors: 1,
      warnings: 0,
      allowed: 0,
      statements: 3,
    });
  });

  it('gives file paths relative to the config folder, also when run from elsewhere', async () => {
    const root = makeTree({ project: '' });
    const tree = makeTree(withFinding);
    const run = await runCli(['check', '--format', 'json', '--config', `${tree}/dbboundary.yaml`], {
      cwd: root,
    });
    expect(JSON.parse(run.stdout).findings[0].file).toBe('src/orders/b.ts');
  });

  it('colours only when asked: never with NO_COLOR or off a terminal, on with FORCE_COLOR', async () => {
    const cwd = makeTree(withFinding);
    const plain = await runCli(['check'], { cwd });
    const forced = await runCli(['check'], { cwd, env: { FORCE_COLOR: '1' } });
    const forcedButNoColor = await runCli(['check'], {
      cwd,
      env: { FORCE_COLOR: '1', NO_COLOR: '1' },
    });
    const forcedButFlag = await runCli(['check', '--no-color'], { cwd, env: { FORCE_COLOR: '1' } });

    expect(plain.stdout).not.toMatch(ANSI);
    expect(forced.stdout).toMatch(ANSI);
    expect(forcedButNoColor.stdout).not.toMatch(ANSI);
    expect(forcedButFlag.stdout).not.toMatch(ANSI);
  });
});
