import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run.js';
import type { Finding } from '../../src/check/findings.js';

/** Each fixture is a small service on one library, with the findings a reader expects listed. */
const LIBRARIES = ['knex', 'kysely', 'typeorm', 'prisma', 'drizzle'];

type Expected = Pick<
  Finding,
  'rule' | 'file' | 'line' | 'column' | 'context' | 'targets' | 'tables'
> & {
  allowed: boolean;
};

function shape(finding: Finding, allowed: boolean): Expected {
  const { rule, file, line, column, context, targets, tables } = finding;
  return { rule, file, line, column, context, targets, tables, allowed };
}

describe.each(LIBRARIES)('the %s fixture', (library) => {
  const folder = fileURLToPath(new URL(`../../fixtures/${library}/`, import.meta.url));

  it('gives exactly the findings its expected.json lists, at their positions', async () => {
    const expected: Expected[] = JSON.parse(readFileSync(`${folder}expected.json`, 'utf8'));
    const result = await runCheck({ cwd: folder });
    const actual = [
      ...result.findings.map((f) => shape(f, false)),
      ...result.allowed.map((f) => shape(f, true)),
    ];
    expect(actual).toEqual(expected);
  });
});
