import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SplitReport } from '../../src/split/report.js';
import { createTempDatabase, dropDatabase, withClient } from '../helpers/pg.js';
import type { TempDatabase } from '../helpers/pg.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTree } from '../helpers/tempdir.js';
import { FIXTURE_DIR, FIXTURE_SQL } from './helpers.js';

let db: TempDatabase;
let fromDb: Map<string, string>;
let fromDump: Map<string, string>;

/** Every file of an output folder by relative path. */
function readFolder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, file), readFileSync(file, 'utf8'));
  }
  return files;
}

beforeAll(async () => {
  db = await createTempDatabase('dbboundary_split');
  await withClient(db.url, (client) => client.query(FIXTURE_SQL));
  const work = makeTree({});
  const dump = path.join(work, 'shop.sql');
  const dumped = await execa('pg_dump', ['--schema-only', `--dbname=${db.url}`], { reject: false });
  if (dumped.exitCode !== 0) throw new Error(`pg_dump failed: ${dumped.stderr}`);
  writeFileSync(dump, dumped.stdout);

  const live = await runCli(['split', '--db', db.url, '--out', path.join(work, 'live')], {
    cwd: FIXTURE_DIR,
  });
  const file = await runCli(['split', '--schema-file', dump, '--out', path.join(work, 'file')], {
    cwd: FIXTURE_DIR,
  });
  expect([live.exitCode, file.exitCode, live.stderr, file.stderr]).toEqual([1, 1, '', '']);
  fromDb = readFolder(path.join(work, 'live'));
  fromDump = readFolder(path.join(work, 'file'));
});

afterAll(async () => {
  if (db) await dropDatabase(db.name);
});

describe('split --schema-file on the pg_dump --schema-only of the database', () => {
  it('writes the same plan as split --db, script for script', () => {
    const scripts = [...fromDb.keys()]
      .filter((f) => /^(deploy|revert|verify)\/|^plan\.json$/.test(f))
      .sort();
    expect(scripts.length).toBe(1 + 3 * 10);
    expect([...fromDump.keys()].sort()).toEqual([...fromDb.keys()].sort());
    for (const file of scripts) expect(fromDump.get(file), file).toBe(fromDb.get(file));
  });

  it('finds the same couplings and writes the same per-context DDL', () => {
    const live = JSON.parse(fromDb.get('report.json')!) as SplitReport;
    const dump = JSON.parse(fromDump.get('report.json')!) as SplitReport;
    expect(dump.couplings).toEqual(live.couplings);
    expect(dump.moves).toEqual(live.moves);
    expect(dump.source).toBe('shop.sql');

    const body = (text: string): string => text.split('\n').slice(1).join('\n');
    for (const context of ['crm', 'sales', 'billing']) {
      const file = `contexts/${context}.sql`;
      expect(body(fromDump.get(file)!), file).toBe(body(fromDb.get(file)!));
    }
  });
});
