import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { onlyTable, reconcileJson } from './helpers.js';
import { temporaryDatabases } from './helpers.js';
import type { TempDatabase } from '../helpers/pg.js';
import { makeTree } from '../helpers/tempdir.js';

const { pg, maria } = temporaryDatabases();

const NK2 = `create table nk2(a int, b text);
insert into nk2 select case when g<=3 then g end, 'r'||g from generate_series(1,1000) g;`;

describe('key columns', () => {
  let source: TempDatabase;
  let target: TempDatabase;
  let nullOnlyTarget: TempDatabase;

  beforeAll(async () => {
    source = await pg(`${NK2}
      create table pair(a int, b text); insert into pair values (null, 'x');
      create table dup(a int, b text); insert into dup values (1, 'x'), (1, 'y'), (2, 'z');`);
    target = await pg(`${NK2} update nk2 set b='DIFF' where b='r500';
      create table pair(a int, b text); insert into pair values (null, 'y');
      create table dup(a int, b text); insert into dup values (1, 'x'), (1, 'q'), (2, 'z');`);
    nullOnlyTarget = await pg(`create table nk2(a int, b text);
      insert into nk2 select g, 'r'||g from generate_series(1,999) g; insert into nk2 values (null, 'r');`);
  });

  it('a key column holding NULLs is an error naming the column and side, never a match', async () => {
    const run = await reconcileJson([
      ...['--source', source.url, '--target', target.url, '--table', 'nk2', '--key', 'a'],
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/key column a .*NULL.*source/);
    expect(run.stderr).toMatch(
      /^dbboundary: key column a holds NULL in the source table nk2;.*NOT NULL/,
    );
    expect(run.stdout).toBe('');
  });

  it('a NULL key on the target side only is named as the target', async () => {
    const keyless = await pg(`create table nk2(a int, b text);
      insert into nk2 select g, 'r'||g from generate_series(1,999) g; insert into nk2 values (1000, 'r');`);
    const run = await reconcileJson([
      ...['--source', keyless.url, '--target', nullOnlyTarget.url, '--table', 'nk2', '--key', 'a'],
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/key column a .*NULL.*target/);
  });

  it('(null, x) against (null, y) is an error, not transient', async () => {
    const run = await reconcileJson([
      ...['--source', source.url, '--target', target.url, '--table', 'pair', '--key', 'a'],
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/NULL/);
  });

  it('a key that is not unique never gives a match', async () => {
    const run = await reconcileJson([
      ...['--source', source.url, '--target', target.url, '--table', 'dup', '--key', 'a'],
    ]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).not.toMatch(/"status": ?"match"/);
    expect(onlyTable(run).notes.join('\n')).toMatch(/key a is not unique/);
  });
});

describe('repair SQL for a MariaDB target', () => {
  it('pins the session time zone first', async () => {
    const source = await pg(`create table ev(id int primary key, at timestamp(0));
      insert into ev values (1, '2024-03-01 12:00:00'), (2, '2024-03-01 13:00:00');`);
    const target = await maria([
      'create table ev(id int primary key, at timestamp NULL)',
      "insert into ev values (1, '2024-03-01 12:00:00')",
    ]);
    const file = path.join(makeTree({}), 'repair.sql');
    const run = await reconcileJson([
      ...['--source', source.url, '--target', target.url, '--table', 'ev'],
      ...['--repair-sql', file],
    ]);
    expect(run.exitCode).toBe(1);
    const lines = readFileSync(file, 'utf8').split('\n');
    const first = lines.findIndex((line) => !line.startsWith('--') && line.trim() !== '');
    expect(lines[first]).toBe("SET time_zone = '+00:00';");
    expect(lines.slice(0, first).join('\n')).toMatch(/time zone/i);
    expect(lines.slice(first).join('\n')).toMatch(/INSERT INTO/);
  });
});

describe('options checked before the run', () => {
  let db: TempDatabase;
  const base = (): string[] => ['--source', db.url, '--target', db.url, '--table', 't'];

  beforeAll(async () => {
    db = await pg(`create table t(id int primary key, note text, amount float8);
      insert into t select g, 'n'||g, g from generate_series(1, 200) g;`);
  });

  it.each([
    ['true) or (1=1'],
    ['id > 0 -- comment'],
    ['id > 0; drop table t'],
    ["note = 'a"],
    ['id > 0 /* x */'],
  ])('--filter %s is refused in one line', async (filter) => {
    for (const flag of ['--filter', '--target-filter']) {
      const run = await runCli(['reconcile', ...base(), flag, filter]);
      expect(run.exitCode).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(new RegExp(flag));
    }
  });

  it('a config filter that escapes its parentheses is refused, naming the file and key', async () => {
    const dir = makeTree({});
    writeFileSync(
      path.join(dir, 'dbboundary.yaml'),
      `version: 1
contexts:
  orders:
    code: ["src/**"]
reconcile:
  source: env:OLD_DB
  target: env:NEW_DB
  tables:
    - table: t
      filter: "true) or (1=1"
`,
    );
    const env = { NO_COLOR: '1', OLD_DB: db.url, NEW_DB: db.url };
    const run = await runCli(['reconcile'], { cwd: dir, env });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/dbboundary\.yaml reconcile table t: filter "true\) or \(1=1"/);
  });

  it('a MySQL filter with a # comment is refused', async () => {
    const my = await maria(['create table t(id int primary key)', 'insert into t values (1)']);
    const run = await runCli([
      ...['reconcile', '--source', my.url, '--target', my.url, '--table', 't'],
      ...['--filter', 'id > 0 # x'],
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--filter/);
  });

  it('a sound filter still works', async () => {
    const run = await reconcileJson([...base(), '--filter', "id <= 100 and note <> 'x)'"]);
    expect(run.exitCode).toBe(0);
    expect(onlyTable(run).rows.source).toBe(100);
  });

  it.each([
    [['--tolerance', 'nocol=0.1'], /--tolerance.*nocol.*id, note, amount/],
    [['--tolerance', 'note=0.1'], /--tolerance.*note.*numeric/],
    [['--exclude', 'nocol'], /--exclude.*nocol.*id, note, amount/],
    [['--rename', 'nocol2=x'], /--rename.*nocol2.*id, note, amount/],
  ])('%j naming no such column is an error', async (args, message) => {
    const run = await runCli(['reconcile', ...base(), ...args]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it.each([
    ['--chunk-rows', '99999999999999999999'],
    ['--chunk-rows', '1.5'],
    ['--jobs', '1000'],
    ['--max-differences', '1e30'],
    ['--recheck-rounds', '1e9'],
    ['--timeout', '1e12'],
  ])('%s %s is a usage error before connecting', async (flag, value) => {
    const run = await runCli(['reconcile', ...base(), flag, value]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`${flag} ${value.replace('.', '\\.')}`));
  });
});

describe('--timeout', () => {
  it.each(['postgres', 'mysql'])(
    'governs connecting to a %s server that never answers',
    async (scheme) => {
      const sockets: net.Socket[] = [];
      const server = net.createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as net.AddressInfo).port;
      try {
        const started = Date.now();
        const run = await runCli([
          ...['reconcile', '--source', `${scheme}://root@127.0.0.1:${port}/x`],
          ...['--target', `${scheme}://root@127.0.0.1:${port}/x`, '--table', 't'],
          ...['--timeout', '2'],
        ]);
        expect(run.exitCode).toBe(2);
        expect(run.stderr).toMatch(/cannot connect/);
        expect(Date.now() - started).toBeLessThan(8000);
      } finally {
        for (const socket of sockets) socket.destroy();
        server.close();
      }
    },
  );
});

describe('PostgreSQL json against MariaDB JSON', () => {
  it('identical text is equal; text written differently is a change', async () => {
    const source = await pg(`create table j(id int primary key, v json);
      insert into j values (1, '{"k" : 13, "a" : 1}'), (2, '[1, 2]'), (3, '{"a": 1}');`);
    const target = await maria([
      'create table j(id int primary key, v json)',
      `insert into j values (1, '{"k" : 13, "a" : 1}'), (2, '[1, 2]'), (3, '{"a":1}')`,
    ]);
    const run = await reconcileJson([
      ...['--source', source.url, '--target', target.url, '--table', 'j'],
    ]);
    expect(run.exitCode).toBe(1);
    const table = onlyTable(run);
    expect(table.differences.changed.map((row) => row.key.id)).toEqual(['3']);
    expect(table.notes.join('\n')).toMatch(/v: JSON against text/);
  });
});

describe('table names', () => {
  it('an unquoted name with a space and capitals finds the table of that exact name', async () => {
    const db = await pg(
      `create table "Mixed Case"(id int primary key); insert into "Mixed Case" values (1);`,
    );
    const run = await reconcileJson([
      '--source',
      db.url,
      '--target',
      db.url,
      '--table',
      'public.Mixed Case',
    ]);
    expect(run.exitCode).toBe(0);
    expect(onlyTable(run).rows.source).toBe(1);
  });
});
