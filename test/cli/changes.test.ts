import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree } from '../helpers/tempdir.js';
import { runCli } from '../helpers/run-cli.js';
import { ORDERS_AND_CUSTOMERS } from '../helpers/maps.js';

const MAP = ORDERS_AND_CUSTOMERS;

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, stdio: 'ignore' });
}

/** A repository with one committed violation, so a run that sees it is easy to tell apart. */
function repository(): string {
  const root = makeTree({
    'dbboundary.yaml': MAP,
    'src/orders/old.ts': "db.query('SELECT * FROM customers.customers');\n",
    'src/customers/a.ts': "db.query('SELECT * FROM customers.customers');\n",
  });
  git(root, 'init', '-q', '-b', 'main');
  git(root, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'add', '.');
  git(root, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'start');
  return root;
}

async function findingsOf(
  root: string,
  args: string[],
): Promise<{ code: number; files: string[] }> {
  const run = await runCli(['check', '--format', 'json', ...args], { cwd: root });
  const report = JSON.parse(run.stdout);
  return {
    code: run.exitCode,
    files: report.findings.map((f: { file: string; line: number }) => `${f.file}:${f.line}`),
  };
}

describe('check --staged', () => {
  it('checks the staged content of staged files only', async () => {
    const root = repository();
    writeFileSync(
      path.join(root, 'src/orders/new.ts'),
      "\ndb.query('DELETE FROM customers.customers');\n",
    );
    git(root, 'add', 'src/orders/new.ts');
    // The working tree moves on after staging: the index is what gets committed.
    writeFileSync(
      path.join(root, 'src/orders/new.ts'),
      "db.query('SELECT * FROM orders.orders');\n",
    );
    writeFileSync(
      path.join(root, 'src/orders/unstaged.ts'),
      "db.query('SELECT * FROM customers.customers');\n",
    );

    expect(await findingsOf(root, ['--staged'])).toEqual({
      code: 1,
      files: ['src/orders/new.ts:2'],
    });
  });

  it('passes when nothing staged breaks a boundary, whatever the rest of the tree holds', async () => {
    const root = repository();
    writeFileSync(
      path.join(root, 'src/customers/b.ts'),
      "db.query('SELECT * FROM customers.addresses');\n",
    );
    git(root, 'add', '.');
    const run = await runCli(['check', '--staged'], { cwd: root });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Scanned 1 file (orders 0, customers 1');
  });
});

describe('check --changed-since', () => {
  it('checks files changed or added since the commit, committed or not', async () => {
    const root = repository();
    writeFileSync(
      path.join(root, 'src/orders/a.ts'),
      "db.query('SELECT * FROM customers.customers');\n",
    );
    git(root, 'add', '.');
    git(root, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'more');
    writeFileSync(
      path.join(root, 'src/orders/b.ts'),
      "db.query('SELECT * FROM customers.customers');\n",
    );

    expect(await findingsOf(root, ['--changed-since', 'HEAD~1'])).toEqual({
      code: 1,
      files: ['src/orders/a.ts:1', 'src/orders/b.ts:1'],
    });
  });

  it('says how to fetch history when a shallow clone lacks the commit', async () => {
    const origin = repository();
    writeFileSync(path.join(origin, 'src/orders/b.ts'), "db.query('SELECT 1');\n");
    git(origin, 'add', '.');
    git(origin, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'two');
    const clone = makeTree({});
    git(clone, 'clone', '-q', '--depth', '1', `file://${origin}`, 'shallow');

    const run = await runCli(['check', '--changed-since', 'HEAD~1'], {
      cwd: path.join(clone, 'shallow'),
    });

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(
      'dbboundary: --changed-since HEAD~1: no such commit in this clone; this clone is shallow: fetch the history it needs (git fetch --deepen=100, or fetch-depth: 0 in actions/checkout).',
    );
  });

  it('stops with one line for an unknown ref, and outside a git repository', async () => {
    const root = repository();
    const unknown = await runCli(['check', '--changed-since', 'no-such-ref'], { cwd: root });
    const notGit = await runCli(['check', '--staged'], {
      cwd: makeTree({ 'dbboundary.yaml': MAP, 'src/orders/a.ts': '', 'src/customers/a.ts': '' }),
    });

    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toBe(
      'dbboundary: --changed-since no-such-ref: no such commit in this clone; check the name, or fetch it (git fetch origin <branch>).',
    );
    expect(notGit.exitCode).toBe(2);
    expect(notGit.stderr).toMatch(
      /^dbboundary: cannot find the git repository in .*not a git repository/,
    );
  });

  it('refuses --staged with --changed-since', async () => {
    const run = await runCli(['check', '--staged', '--changed-since', 'HEAD'], {
      cwd: repository(),
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      "option '--staged' cannot be used with option '--changed-since <ref>'",
    );
  });
});

describe('check --staged and the context map', () => {
  it('judges with the staged context map, and checks every file when the map changed', async () => {
    const root = repository();
    writeFileSync(
      path.join(root, 'dbboundary.yaml'),
      ORDERS_AND_CUSTOMERS.replace(
        'tables: ["orders.*"]',
        'tables: ["orders.*", "customers.customers"]',
      ).replace('tables: ["customers.*"]', 'tables: ["customers.addresses"]'),
    );
    git(root, 'add', 'dbboundary.yaml');
    writeFileSync(path.join(root, 'dbboundary.yaml'), ORDERS_AND_CUSTOMERS);

    // Staged, customers.customers moves to orders: the customers file now reads a foreign table.
    expect(await findingsOf(root, ['--staged'])).toEqual({
      code: 1,
      files: ['src/customers/a.ts:1'],
    });
  });

  it('reads a staged file that the working tree no longer has', async () => {
    const root = repository();
    writeFileSync(
      path.join(root, 'src/orders/gone.ts'),
      "db.query('SELECT * FROM customers.customers');\n",
    );
    git(root, 'add', 'src/orders/gone.ts');
    rmSync(path.join(root, 'src/orders/gone.ts'));

    expect(await findingsOf(root, ['--staged'])).toEqual({
      code: 1,
      files: ['src/orders/gone.ts:1'],
    });
  });
});
