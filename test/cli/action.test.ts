import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeTree } from '../helpers/tempdir.js';
import { ORDERS_AND_CUSTOMERS } from '../helpers/maps.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface Step {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}

/** The shell script of the action's check step, as GitHub would run it. */
function checkStep(): Step {
  const action = parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as {
    runs: { steps: Step[] };
  };
  const step = action.runs.steps.find((s) => s.name === 'Check boundaries');
  if (!step?.run) throw new Error('action.yml has no "Check boundaries" step with a script');
  return step;
}

/** Runs the step's script with bash in cwd, with the variables GitHub would set. */
function runStep(cwd: string, env: Record<string, string>): { stdout: string; outputs: string } {
  const outputs = path.join(cwd, 'github-output.txt');
  writeFileSync(outputs, '');
  const stdout = execFileSync('bash', ['-e', '-c', checkStep().run!], {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      GITHUB_ACTION_PATH: REPO,
      GITHUB_OUTPUT: outputs,
      GITHUB_ACTIONS: 'true',
      ...env,
    },
  });
  return { stdout, outputs: readFileSync(outputs, 'utf8') };
}

describe('the GitHub Action', () => {
  it('annotates findings, writes SARIF, records the exit code and keeps the cache where it is told', () => {
    const cwd = makeTree({
      'dbboundary.yaml': ORDERS_AND_CUSTOMERS,
      'src/orders/repo.ts': "db.query('SELECT name FROM customers.customers');\n",
      'src/customers/repo.ts': "db.query('SELECT * FROM customers.customers');\n",
    });
    const cacheDir = path.join(cwd, 'runner-temp', 'dbboundary-cache');

    const run = runStep(cwd, {
      DBBOUNDARY_CONFIG: 'dbboundary.yaml',
      DBBOUNDARY_BASELINE: '',
      DBBOUNDARY_SARIF: 'dbboundary.sarif',
      DBBOUNDARY_CACHE_DIR: cacheDir,
    });

    expect(run.outputs).toBe('exit-code=1\n');
    expect(run.stdout).toMatch(/^::error file=src\/orders\/repo\.ts,line=1,/m);
    const sarif = JSON.parse(readFileSync(path.join(cwd, 'dbboundary.sarif'), 'utf8'));
    expect(sarif.runs[0].results).toHaveLength(1);
    expect(readdirSync(cacheDir).some((name) => name.startsWith('check-'))).toBe(true);
  });

  it('passes the baseline input on, so recorded findings do not fail the step', () => {
    const cwd = makeTree({
      'dbboundary.yaml': ORDERS_AND_CUSTOMERS,
      'src/orders/repo.ts': "db.query('SELECT name FROM customers.customers');\n",
      'src/customers/repo.ts': "db.query('SELECT * FROM customers.customers');\n",
    });
    execFileSync('node', [path.join(REPO, 'bin/dbboundary.js'), 'baseline'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', DBBOUNDARY_CACHE_DIR: path.join(cwd, 'cache') },
    });
    expect(existsSync(path.join(cwd, 'dbboundary-baseline.json'))).toBe(true);

    const run = runStep(cwd, {
      DBBOUNDARY_CONFIG: 'dbboundary.yaml',
      DBBOUNDARY_BASELINE: 'dbboundary-baseline.json',
      DBBOUNDARY_SARIF: 'dbboundary.sarif',
      DBBOUNDARY_CACHE_DIR: path.join(cwd, 'cache'),
    });

    expect(run.outputs).toBe('exit-code=0\n');
  });
});
