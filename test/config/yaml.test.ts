import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { makeTree } from '../helpers/tempdir.js';
import { problemsOf } from './helpers.js';

const FILES = { 'src/a/x.ts': '', 'src/b/x.ts': '' };

describe('YAML features', () => {
  it('resolves aliases wherever a value is read', () => {
    const yaml = `version: &v 1
dialect: &d mysql
defaultSchema: *d
x-shared:
  public: &api ["src/*/api/**"]
contexts:
  a: &ctx
    code: &globs ["src/a/**"]
    tables: ["a.*"]
  b:
    code: ["src/b/**"]
    public: *api
  c: *ctx
allow:
  - { from: a, to: b, reason: *d }
exclude: *globs
`;
    const root = makeTree({ 'dbboundary.yaml': yaml });
    const { map, problems } = loadConfig(path.join(root, 'dbboundary.yaml'));

    expect(map.dialect).toBe('mysql');
    expect(map.defaultSchema).toBe('mysql');
    expect(map.exclude).toContain('src/a/**');
    expect(
      map.contexts.map((c) => [c.name, c.code, c.tables.map((t) => t.source), c.public]),
    ).toEqual([
      ['a', ['src/a/**'], ['a.*'], []],
      ['b', ['src/b/**'], [], ['src/*/api/**']],
      ['c', ['src/a/**'], ['a.*'], []],
    ]);
    expect(map.allow.map((rule) => rule.reason)).toEqual(['mysql']);
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '4: x-shared: unknown key; known keys: version, dialect, defaultSchema, include, exclude, contexts, allow, reconcile.',
      '9: contexts.c.tables: "a.*" overlaps "a.*" of a; a table has one owner. Narrow one of the patterns.',
    ]);
  });

  it('checks an aliased value under each key that uses it, at the line of the value', () => {
    const yaml = `version: 1
include: &globs ["**/*.ts", ""]
exclude: *globs
contexts:
  a:
    code: ["src/a/**"]
`;
    const root = makeTree({ 'dbboundary.yaml': yaml });
    const { problems } = loadConfig(path.join(root, 'dbboundary.yaml'));
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '2: include[1] is empty; include must be a list of non-empty strings, e.g. ["src/**/*.ts"].',
      '2: exclude[1] is empty; exclude must be a list of non-empty strings, e.g. ["**/generated/**"].',
    ]);
  });

  it('reports an aliased value of the wrong type at the alias that puts it there', async () => {
    const yaml = `version: &one 1
dialect: &d postgresql
contexts:
  a:
    code: *one
    tables: ["a.*"]
  b:
    code: ["src/b/**"]
    tables: *d
`;
    expect(await problemsOf(yaml, FILES)).toEqual([
      '5: contexts.a.code must be a list of strings, e.g. ["src/contexts/orders/**"] (it is *one, written on line 1).',
      '9: contexts.b.tables must be a list of strings, e.g. ["orders.*"] (it is *d, written on line 2).',
    ]);
  });

  it('reports a problem of an aliased allow entry or table at the alias', async () => {
    const yaml = `version: 1
contexts:
  a:
    code: ["src/a/**"]
    tables: [&t "a.x.y.z"]
  b:
    code: ["src/b/**"]
    tables: [*t]
allow:
  - &r { from: a, to: nope, reason: "x" }
  - *r
`;
    const lines = (await problemsOf(yaml, FILES)).map((problem) => problem.split(':')[0]);
    expect(lines).toEqual(['5', '8', '10', '11']);
  });

  it('says merge keys are not supported and to write the keys out', async () => {
    const yaml = `version: 1
contexts:
  a: &base
    code: ["src/a/**"]
  b:
    <<: *base
    tables: ["b.*"]
`;
    expect(await problemsOf(yaml, FILES)).toEqual([
      '6: contexts.b.<<: YAML merge keys are not supported; write the keys out in each mapping.',
    ]);
  });

  it('stops when aliases repeat far more values than the file holds', () => {
    const globs = Array.from({ length: 100 }, (_, i) => `"src/${i}/**"`).join(', ');
    const contexts = Array.from({ length: 200 }, (_, i) => `  c${i}:\n    code: *many`);
    const yaml = `version: 1\ninclude: &many [${globs}]\ncontexts:\n${contexts.join('\n')}\n`;
    const root = makeTree({ 'dbboundary.yaml': yaml });
    expect(() => loadConfig(path.join(root, 'dbboundary.yaml'))).toThrowError(
      /dbboundary\.yaml:\d+: aliases repeat more than 10,000 values; write the config out without them\.$/,
    );
  });
});

describe('wording of version problems', () => {
  it('says version must be 1, with the value as written', async () => {
    const yaml = 'version: 1e38\ncontexts:\n  a:\n    code: ["src/a/**"]\n';
    expect(await problemsOf(yaml, FILES)).toEqual(['1: version must be 1; found 1e38.']);
  });

  it('says how to add a missing version', async () => {
    const yaml = 'contexts:\n  a:\n    code: ["src/a/**"]\n';
    expect(await problemsOf(yaml, FILES)).toEqual([
      '1: version is required: add `version: 1` at the top of the file.',
    ]);
  });
});
