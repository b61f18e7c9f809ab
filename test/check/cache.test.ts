import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run.js';
import type { CheckResult } from '../../src/check/run.js';
import { makeTree } from '../helpers/tempdir.js';
import { runCli } from '../helpers/run-cli.js';
import { ORDERS_AND_CUSTOMERS } from '../helpers/maps.js';

/** A tree with a bit of everything a cached run must give back: SQL, imports, a suppression. */
function project(): string {
  return makeTree({
    'dbboundary.yaml': `${ORDERS_AND_CUSTOMERS}    public: ["src/customers/api.ts"]\n`,
    'tsconfig.json': JSON.stringify({
      compilerOptions: { baseUrl: '.', paths: { '@customers/*': ['src/customers/*'] } },
    }),
    'src/orders/repo.ts': [
      "import { internal } from '@customers/internal';",
      "import { api } from '../customers/api';",
      "import { gone } from '@customers/missing';",
      "db.query('SELECT o.id FROM orders.orders o JOIN customers.customers c ON c.id = o.customer_id');",
      '// dbboundary-ignore-next-line foreign-table-access -- read model until the split',
      "db.query('SELECT name FROM customers.customers');",
      "db.query('SELECT FROM WHERE');",
      '',
    ].join('\n'),
    'src/customers/internal.ts': 'export const internal = 1;\n',
    'src/customers/api.ts': 'export const api = 1;\n',
    'src/customers/repo.ts': "db.query('SELECT * FROM customers.customers WHERE id = $1', [id]);\n",
  });
}

function check(root: string, cacheDir: string | null): Promise<CheckResult> {
  return runCheck({
    cwd: root,
    ...(cacheDir == null ? {} : { cache: { dir: cacheDir } }),
  });
}

/** The cache files of context maps in a folder (it also holds the compiler's compiled code). */
function checkCaches(dir: string): string[] {
  return readdirSync(dir).filter((name) => /^check-.*\.jsonl$/.test(name));
}

/** What a user sees of a run, without its duration. */
function seen(result: CheckResult): unknown {
  const summary: Partial<CheckResult['summary']> = { ...result.summary };
  delete summary.durationMs;
  return {
    findings: result.findings,
    allowed: result.allowed,
    suppressed: result.suppressed,
    notices: result.notices,
    summary,
  };
}

describe('the per-file cache', () => {
  it('gives the same findings, suppressions, notices and counts from a warm run as from a cold one', async () => {
    const root = project();
    const cacheDir = path.join(root, '.cache');

    const uncached = await check(root, null);
    const cold = await check(root, cacheDir);
    const warm = await check(root, cacheDir);

    expect(checkCaches(cacheDir)).toHaveLength(1);
    expect(seen(cold)).toEqual(seen(uncached));
    expect(seen(warm)).toEqual(seen(uncached));
    expect(warm.findings.map((f) => f.rule).sort()).toEqual([
      'cross-context-import',
      'cross-context-join',
      'unparsed-sql',
    ]);
    expect(warm.notices.join('\n')).toContain('@customers/missing');
    expect(warm.suppressed).toHaveLength(1);
  });

  it('reads a file again when its content changes', async () => {
    const root = project();
    const cacheDir = path.join(root, '.cache');
    await check(root, cacheDir);

    writeFileSync(
      path.join(root, 'src/customers/repo.ts'),
      "db.query('DELETE FROM orders.orders WHERE id = $1', [id]);\n",
    );
    const after = await check(root, cacheDir);

    expect(seen(after)).toEqual(seen(await check(root, null)));
    expect(after.findings.find((f) => f.file === 'src/customers/repo.ts')).toMatchObject({
      rule: 'foreign-table-access',
      line: 1,
      tables: ['orders.orders'],
    });
  });

  it('judges cached files by the context map of this run, with the fingerprints a baseline needs', async () => {
    const root = project();
    const cacheDir = path.join(root, '.cache');
    await check(root, cacheDir);

    // customers.* now belongs to orders: the statement in customers/repo.ts, which had no finding
    // and so no fingerprint, becomes foreign to its file's context.
    writeFileSync(
      path.join(root, 'dbboundary.yaml'),
      ORDERS_AND_CUSTOMERS.replace('tables: ["orders.*"]', 'tables: ["orders.*", "customers.*"]')
        .replace('tables: ["customers.*"]', 'tables: []')
        .concat('    public: ["src/customers/api.ts"]\n'),
    );
    const warm = await check(root, cacheDir);
    const fresh = await check(root, null);

    expect(seen(warm)).toEqual(seen(fresh));
    const moved = warm.findings.find((f) => f.file === 'src/customers/repo.ts');
    expect(moved).toMatchObject({ rule: 'foreign-table-access', tables: ['customers.customers'] });
    expect(moved?.statement).toMatch(/^[0-9a-f]+$/);
  });

  it('resolves imports again when a tsconfig changes where they lead', async () => {
    const root = project();
    const cacheDir = path.join(root, '.cache');
    const before = await check(root, cacheDir);
    expect(before.findings.filter((f) => f.rule === 'cross-context-import')).toHaveLength(1);

    // The alias now points into orders' own folder, where internal.ts does not exist.
    writeFileSync(
      path.join(root, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { baseUrl: '.', paths: { '@customers/*': ['src/orders/*'] } },
      }),
    );
    const after = await check(root, cacheDir);

    expect(after.findings.filter((f) => f.rule === 'cross-context-import')).toEqual([]);
    expect(after.notices.join('\n')).toContain('@customers/internal');
    expect(seen(after)).toEqual(seen(await check(root, null)));
  });

  it('resolves imports again when a file appears that an import now finds', async () => {
    const root = project();
    const cacheDir = path.join(root, '.cache');
    await check(root, cacheDir);

    writeFileSync(path.join(root, 'src/customers/missing.ts'), 'export const gone = 1;\n');
    const after = await check(root, cacheDir);

    const imports = after.findings.filter((f) => f.rule === 'cross-context-import');
    expect(imports.map((f) => f.import)).toEqual(['@customers/internal', '@customers/missing']);
  });

  it('follows a constant of another file as that file is now, though the file using it is unchanged', async () => {
    const root = makeTree({
      'dbboundary.yaml': ORDERS_AND_CUSTOMERS,
      'src/orders/tables.ts': "export const TABLE = 'orders.orders';\n",
      'src/orders/repo.ts':
        "import { TABLE } from './tables';\ndb.query(`SELECT * FROM ${TABLE} WHERE id = $1`, [id]);\n",
      'src/customers/repo.ts': "db.query('SELECT * FROM customers.customers');\n",
    });
    const cacheDir = path.join(root, '.cache');
    expect((await check(root, cacheDir)).findings).toEqual([]);

    writeFileSync(
      path.join(root, 'src/orders/tables.ts'),
      "export const TABLE = 'customers.customers';\n",
    );
    const after = await check(root, cacheDir);

    expect(seen(after)).toEqual(seen(await check(root, null)));
    expect(after.findings).toMatchObject([
      {
        rule: 'foreign-table-access',
        file: 'src/orders/repo.ts',
        line: 2,
        tables: ['customers.customers'],
      },
    ]);
  });

  it('refuses a cache folder that others may write, since its content decides the verdict', async () => {
    const root = project();
    const shared = path.join(root, 'shared-cache');
    mkdirSync(shared);
    chmodSync(shared, 0o777);

    const result = await check(root, shared);

    expect(result.notices.join('\n')).toMatch(
      /the cache folder .*shared-cache is not a folder only you can write \(owner \d+, mode 777\); no cache was used/,
    );
    expect(readdirSync(shared)).toEqual([]);
    expect(result.findings).toEqual((await check(root, null)).findings);
  });

  it('makes its folder and files for the user alone', async () => {
    const root = project();
    const cacheDir = path.join(root, 'new', 'cache');
    await check(root, cacheDir);

    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(cacheDir, checkCaches(cacheDir)[0]!)).mode & 0o777).toBe(0o600);
  });

  it('reads a file again when its entry is valid JSON of the wrong shape', async () => {
    const root = project();
    const cacheDir = path.join(root, '.cache');
    const cold = await check(root, cacheDir);
    const file = path.join(cacheDir, checkCaches(cacheDir)[0]!);
    const damaged = readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.replace(/"facts":\{.*?"parses"/, '"facts":null,"parses"'))
      .join('\n');
    writeFileSync(file, damaged);

    expect(seen(await check(root, cacheDir))).toEqual(seen(cold));
  });

  it('watches the files a tsconfig extends, wherever they are named', async () => {
    const root = makeTree({
      'dbboundary.yaml': `${ORDERS_AND_CUSTOMERS}    public: ["src/customers/api/**"]\n`,
      'tsconfig.json': JSON.stringify({ extends: './config/ts-base.json' }),
      'config/ts-base.json': JSON.stringify({
        compilerOptions: { baseUrl: '..', paths: { '@c/*': ['src/customers/*'] } },
      }),
      'src/customers/repo.ts': 'export const repo = 1;\n',
      'src/customers/api/repo.ts': 'export const repo = 2;\n',
      'src/orders/service.ts': "import { repo } from '@c/repo';\n",
    });
    const cacheDir = path.join(root, '.cache');
    expect((await check(root, cacheDir)).findings.map((f) => f.rule)).toEqual([
      'cross-context-import',
    ]);

    writeFileSync(
      path.join(root, 'config/ts-base.json'),
      JSON.stringify({
        compilerOptions: { baseUrl: '..', paths: { '@c/*': ['src/customers/api/*'] } },
      }),
    );

    expect((await check(root, cacheDir)).findings).toEqual([]);
  });

  it('starts afresh from a cache file that is damaged', async () => {
    const root = project();
    const cacheDir = path.join(root, '.cache');
    const cold = await check(root, cacheDir);
    const [name] = checkCaches(cacheDir);
    writeFileSync(path.join(cacheDir, name!), '{"format": 1, "files": {"src/orders/repo.ts": 4');

    expect(seen(await check(root, cacheDir))).toEqual(seen(cold));
  });

  it('says so, and still checks, when the cache cannot be written', async () => {
    const root = project();
    const blocked = path.join(root, 'blocked');
    writeFileSync(blocked, 'a file where the cache folder should be');

    const result = await check(root, path.join(blocked, 'cache'));

    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.notices.join('\n')).toMatch(
      /the cache folder .*blocked\/cache cannot be made \(ENOTDIR\); no cache was used\./,
    );
  });
});

/** The text report less the run's duration, the one part that differs from run to run. */
function withoutTime(report: string): string {
  return report.replace(/; [0-9.]+ s\./, '; (time) s.');
}

describe('check --no-cache and --cache-dir', () => {
  it('keeps results in --cache-dir, and nothing with --no-cache', async () => {
    const root = project();
    const cacheDir = path.join(root, 'cache-here');

    const none = await runCli(['check', '--no-cache', '--cache-dir', cacheDir], { cwd: root });
    expect(existsSync(cacheDir)).toBe(false);
    const cold = await runCli(['check', '--cache-dir', cacheDir], { cwd: root });
    const warm = await runCli(['check', '--cache-dir', cacheDir], { cwd: root });

    expect(checkCaches(cacheDir)).toHaveLength(1);
    expect(warm.exitCode).toBe(1);
    expect(withoutTime(warm.stdout)).toBe(withoutTime(none.stdout));
    expect(withoutTime(cold.stdout)).toBe(withoutTime(none.stdout));
  });

  it('loads the compiler whatever state its kept compiled code is in', async () => {
    const root = project();
    const cacheDir = path.join(root, 'cache-here');
    const first = await runCli(['check', '--cache-dir', cacheDir], { cwd: root });
    const [code] = readdirSync(cacheDir).filter((name) => name.startsWith('v8-typescript-'));
    expect(code).toBeDefined();

    writeFileSync(path.join(cacheDir, code!), 'not compiled code');
    // A changed file makes the run load the compiler.
    writeFileSync(path.join(root, 'src/customers/internal.ts'), 'export const internal = 2;\n');
    const second = await runCli(['check', '--cache-dir', cacheDir], { cwd: root });

    expect(second.exitCode).toBe(1);
    expect(withoutTime(second.stdout)).toBe(withoutTime(first.stdout));
  });

  it('refuses an empty --cache-dir rather than filling the working folder', async () => {
    const run = await runCli(['check', '--cache-dir', ''], { cwd: project() });

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(
      'dbboundary: --cache-dir: give a folder, or --no-cache for no cache at all.',
    );
  });

  it('takes the folder from DBBOUNDARY_CACHE_DIR', async () => {
    const root = project();
    const cacheDir = path.join(root, 'from-env');

    await runCli(['check'], { cwd: root, env: { NO_COLOR: '1', DBBOUNDARY_CACHE_DIR: cacheDir } });

    expect(checkCaches(cacheDir)).toHaveLength(1);
  });
});
