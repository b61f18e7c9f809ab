import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { runCheck } from '../../src/check/run.js';
import { loadConfig } from '../../src/config/load.js';
import type { ContextMap } from '../../src/config/types.js';
import { ConfigError } from '../../src/errors.js';

/**
 * Writes the YAML as root/dbboundary.yaml and checks it as `dbboundary check` would: the file
 * reads without a problem, and every glob matches the tree. Returns the map read.
 */
export async function expectLoadsCleanly(root: string, yaml: string): Promise<ContextMap> {
  const file = path.join(root, 'dbboundary.yaml');
  writeFileSync(file, yaml);
  const { map, problems } = loadConfig(file);
  expect(problems).toEqual([]);

  try {
    await runCheck({ cwd: root });
  } catch (error) {
    if (error instanceof ConfigError) expect(error.problems).toEqual([]);
    throw error;
  }
  return map;
}

/** The lines of a context's entry, from its name to the next blank line. */
export function entryOf(yaml: string, context: string): string[] {
  const lines = yaml.split('\n');
  const start = lines.indexOf(`  ${context}:`);
  if (start < 0) throw new Error(`no context ${context} in:\n${yaml}`);
  const end = lines.indexOf('', start);
  return lines.slice(start, end < 0 ? undefined : end).filter((line) => !/^\s*#/.test(line));
}
