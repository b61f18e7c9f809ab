import { describe, expect, it } from 'vitest';
import { MIN_FILES_FOR_WORKERS } from '../../src/extract/pool.js';
import { makeTree } from '../helpers/tempdir.js';
import { runCli } from '../helpers/run-cli.js';
import { ORDERS_AND_CUSTOMERS } from '../helpers/maps.js';

/** Enough files for worker threads to start, with a finding, an import and unparsed SQL among them. */
function bigTree(): string {
  const files: Record<string, string> = { 'dbboundary.yaml': ORDERS_AND_CUSTOMERS };
  for (let i = 0; i < MIN_FILES_FOR_WORKERS + 20; i++) {
    const context = i % 2 === 0 ? 'orders' : 'customers';
    files[`src/${context}/file-${i}.ts`] =
      i % 50 === 0
        ? `import { x } from '../customers/file-1';\ndb.query('SELECT * FROM customers.customers WHERE id = $1', [x]);\n`
        : i % 77 === 0
          ? `db.query('SELECT FROM WHERE');\n`
          : `export const value${i} = ${i};\n`;
  }
  return makeTree(files);
}

describe('check --jobs', () => {
  it('finds the same with worker threads as on one thread', async () => {
    const root = bigTree();

    const one = await runCli(['check', '--format', 'json', '--no-cache', '--jobs', '1'], {
      cwd: root,
    });
    const two = await runCli(['check', '--format', 'json', '--no-cache', '--jobs', '2'], {
      cwd: root,
    });

    const seen = (stdout: string): unknown => {
      const report = JSON.parse(stdout);
      delete report.summary.durationMs;
      return report;
    };
    expect(one.exitCode).toBe(1);
    expect(two.exitCode).toBe(1);
    expect(seen(two.stdout)).toEqual(seen(one.stdout));
    const rules = JSON.parse(one.stdout).findings.map((f: { rule: string }) => f.rule);
    expect(new Set(rules)).toEqual(
      new Set(['cross-context-import', 'foreign-table-access', 'unparsed-sql']),
    );
  });

  it.each(['0', 'two', '1.5', '65'])('refuses --jobs %s with a one-line error', async (value) => {
    const root = makeTree({ 'dbboundary.yaml': ORDERS_AND_CUSTOMERS, 'src/orders/a.ts': '' });

    const run = await runCli(['check', '--jobs', value], { cwd: root });

    expect(run.exitCode).toBe(2);
    expect(run.stderr.trim()).toBe(
      `dbboundary: --jobs ${value}: give a whole number of threads from 1 to 64.`,
    );
  });
});
