import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { RULES } from '../../src/check/findings.js';
import type { Finding } from '../../src/check/findings.js';

const EXAMPLE = fileURLToPath(new URL('../../fixtures/shop/', import.meta.url));

/** A finding as expected.json lists it: the fields of a finding that fix where and what it is. */
type Expected = Pick<
  Finding,
  'rule' | 'file' | 'line' | 'column' | 'context' | 'targets' | 'tables'
> & {
  allowed: boolean;
};

const expected: Expected[] = JSON.parse(readFileSync(`${EXAMPLE}expected.json`, 'utf8'));

function shape(finding: Expected | Record<string, unknown>, allowed: boolean) {
  const { rule, file, line, column, context, targets, tables } = finding as Expected;
  return { rule, file, line, column, context, targets, tables: [...tables].sort(), allowed };
}

describe('the bundled example', () => {
  it('gives exactly the findings its expected.json lists, run as the README says', async () => {
    const run = await runCli(
      ['check', '--config', 'fixtures/shop/dbboundary.yaml', '--format', 'json'],
      {
        cwd: fileURLToPath(new URL('../../', import.meta.url)),
      },
    );
    const report = JSON.parse(run.stdout);
    const actual = [
      ...report.findings.map((f: Record<string, unknown>) => shape(f, false)),
      ...report.allowed.map((f: Record<string, unknown>) => shape(f, true)),
    ];

    expect(run.exitCode).toBe(1);
    expect(actual).toEqual(expect.arrayContaining(expected.map((e) => shape(e, e.allowed))));
    expect(actual).toHaveLength(expected.length);
    expect(report.summary).toMatchObject({ errors: 8, warnings: 2, allowed: 2, unparsedSql: 1 });
  });

  it('links every rule to a page that explains it and says how to fix it', async () => {
    for (const rule of Object.keys(RULES)) {
      expect(
        readFileSync(fileURLToPath(new URL(`../../rules/${rule}.md`, import.meta.url)), 'utf8'),
      ).toMatch(new RegExp(`^# ${rule}\\n[\\s\\S]*## What it catches[\\s\\S]*## How to fix`));
    }
  });
});
