import { runCheck } from '../../src/check/run.js';
import type { CheckResult } from '../../src/check/run.js';
import { makeTree } from '../helpers/tempdir.js';
import { ORDERS_AND_CUSTOMERS } from '../helpers/maps.js';

export async function check(
  files: Record<string, string>,
  map = ORDERS_AND_CUSTOMERS,
): Promise<CheckResult> {
  const root = makeTree({
    'dbboundary.yaml': map,
    'src/orders/index.ts': 'export {};\n',
    'src/customers/index.ts': 'export {};\n',
    ...files,
  });
  return runCheck({ cwd: root });
}

/** rule@file:line:column for each finding, the shape a reader checks against the code. */
export async function findingsOf(
  files: Record<string, string>,
  map = ORDERS_AND_CUSTOMERS,
): Promise<string[]> {
  const result = await check(files, map);
  return result.findings.map((f) => `${f.rule}@${f.file}:${f.line}:${f.column}`);
}
