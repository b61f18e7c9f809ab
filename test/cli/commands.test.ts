import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree } from '../helpers/tempdir.js';
import { runCli } from '../helpers/run-cli.js';
import { ORDERS_AND_CUSTOMERS } from '../helpers/maps.js';

const MAP = ORDERS_AND_CUSTOMERS;

const TREE = {
  'dbboundary.yaml': MAP,
  'src/orders/a.ts': "db.query('SELECT * FROM customers.customers');\n",
  'src/customers/a.ts': "db.query('SELECT * FROM customers.customers');\n",
};

describe('formats and outputs', () => {
  it('writes several reports in one run, paired by position, one of them to standard output', async () => {
    const cwd = makeTree(TREE);
    const run = await runCli(
      [
        'check',
        '--format',
        'sarif',
        '--output',
        'report.sarif',
        '--format',
        'junit',
        '--output',
        'junit.xml',
        '--format',
        'text',
      ],
      { cwd },
    );
    const sarif = JSON.parse(readFileSync(path.join(cwd, 'report.sarif'), 'utf8'));

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('src/orders/a.ts:1:25  error    foreign-table-access');
    expect(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual([
      'foreign-table-access',
    ]);
    expect(readFileSync(path.join(cwd, 'junit.xml'), 'utf8')).toMatch(/^<\?xml[\s\S]*<failure/);
  });

  it('writes GitHub annotations by default inside GitHub Actions', async () => {
    const run = await runCli(['check'], {
      cwd: makeTree(TREE),
      env: { GITHUB_ACTIONS: 'true', NO_COLOR: '1' },
    });
    expect(run.stdout.split('\n')[0]).toMatch(
      /^::error file=src\/orders\/a\.ts,line=1,col=25,title=foreign-table-access::/,
    );
  });

  it('refuses two reports in one file, and --strict-baseline without a baseline', async () => {
    const cwd = makeTree(TREE);
    const sameFile = await runCli(['check', '-f', 'json', '-o', 'r', '-f', 'sarif', '-o', 'r'], {
      cwd,
    });
    const strictAlone = await runCli(['check', '--strict-baseline'], { cwd });

    expect(sameFile.exitCode).toBe(2);
    expect(sameFile.stderr.trim()).toBe(
      'dbboundary: --output r is given for two reports; give each report its own file.',
    );
    expect(strictAlone.exitCode).toBe(2);
    expect(strictAlone.stderr.trim()).toBe(
      'dbboundary: --strict-baseline needs --baseline <file>.',
    );
  });

  it('refuses two reports on standard output', async () => {
    const run = await runCli(['check', '--format', 'json', '--format', 'text'], {
      cwd: makeTree(TREE),
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('only one report can go to standard output');
  });
});

describe('baseline', () => {
  it('fails only on new findings, and reports known and fixed ones', async () => {
    const cwd = makeTree(TREE);
    const refused = await runCli(['baseline'], { cwd, env: { CI: 'true', NO_COLOR: '1' } });
    const written = await runCli(['baseline'], { cwd });
    const clean = await runCli(['check', '--baseline', 'dbboundary-baseline.json'], { cwd });

    expect(refused.exitCode).toBe(2);
    expect(written.exitCode).toBe(0);
    expect(
      JSON.parse(readFileSync(path.join(cwd, 'dbboundary-baseline.json'), 'utf8')).findings,
    ).toHaveLength(1);
    expect(clean.exitCode).toBe(0);
    expect(clean.stdout).toContain('Baseline dbboundary-baseline.json: 0 new, 1 known, 0 fixed.');

    writeFileSync(
      path.join(cwd, 'src/orders/b.ts'),
      "db.query('DELETE FROM customers.customers');\n",
    );
    const added = await runCli(['check', '--baseline', 'dbboundary-baseline.json'], { cwd });
    expect(added.exitCode).toBe(1);
    expect(added.stdout).toContain('src/orders/b.ts:1:23');
    expect(added.stdout).not.toContain('src/orders/a.ts:1:25');

    writeFileSync(path.join(cwd, 'src/orders/a.ts'), "db.query('SELECT * FROM orders.orders');\n");
    rmSync(path.join(cwd, 'src/orders/b.ts'));
    const fixed = await runCli(['check', '--baseline', 'dbboundary-baseline.json'], { cwd });
    const strict = await runCli(
      ['check', '--baseline', 'dbboundary-baseline.json', '--strict-baseline'],
      { cwd },
    );
    expect(fixed.exitCode).toBe(0);
    expect(fixed.stdout).toContain('0 new, 0 known, 1 fixed.');
    expect(strict.exitCode).toBe(1);

    // Reports other than text carry no baseline counts: those go to standard error.
    const strictJson = await runCli(
      ['check', '--baseline', 'dbboundary-baseline.json', '--strict-baseline', '--format', 'json'],
      { cwd },
    );
    expect(strictJson.exitCode).toBe(1);
    expect(strictJson.stderr).toContain('0 new, 0 known, 1 fixed.');
  });
});

describe('init and graph', () => {
  it('writes a context map from the folder layout that check then accepts, and will not overwrite it', async () => {
    const cwd = makeTree({
      'src/contexts/orders/api/index.ts': 'export {};\n',
      'src/contexts/orders/service.ts': "db.query('SELECT * FROM customers.customers');\n",
      'src/contexts/customers/service.ts': 'export {};\n',
    });
    const first = await runCli(['init'], { cwd });
    const again = await runCli(['init'], { cwd });
    const check = await runCli(['check', '--format', 'json'], { cwd });

    expect(first.exitCode).toBe(0);
    expect(first.stderr).toContain('Wrote dbboundary.yaml with 2 contexts; review it');
    expect(readFileSync(path.join(cwd, 'dbboundary.yaml'), 'utf8')).toMatch(
      /customers:[\s\S]*orders:/,
    );
    expect(again.exitCode).toBe(2);
    expect(check.exitCode).toBe(0);
    expect(JSON.parse(check.stdout).summary.filesByContext).toEqual({ customers: 1, orders: 2 });
  });

  it('says it wrote a template when no folder layout is recognised', async () => {
    const run = await runCli(['init'], { cwd: makeTree({ 'lib/thing.ts': 'export {};\n' }) });

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('Wrote dbboundary.yaml with a template to fill in; review it');
  });

  it('draws the coupling between contexts as Mermaid', async () => {
    const run = await runCli(['graph'], { cwd: makeTree(TREE) });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^flowchart LR/);
    expect(run.stdout).toMatch(/ctx_orders[\s\S]*ctx_customers/);
  });
});
