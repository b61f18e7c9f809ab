import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { runCheck } from '../../src/check/run.js';
import { ConfigError, UserError } from '../../src/errors.js';
import { makeTree } from '../helpers/tempdir.js';
import { problemsOf as problemsOfTree } from './helpers.js';

const VALID = `version: 1
dialect: postgresql
defaultSchema: public
contexts:
  orders:
    code: ["src/orders/**"]
    tables: ["orders.*", "order_audit"]
    public: ["src/orders/api/**"]
  customers:
    code: ["src/customers/**"]
    tables: ["customers.*"]
allow:
  - from: orders
    to: customers
    reason: "read-only until the customers API ships"
`;

const FILES = {
  'src/orders/api/index.ts': 'export {};\n',
  'src/orders/service.ts': 'export {};\n',
  'src/customers/service.ts': 'export {};\n',
};

function problemsOf(yaml: string, files: Record<string, string> = FILES): Promise<string[]> {
  return problemsOfTree(yaml, files);
}

describe('loadConfig', () => {
  it('reads a valid map with defaults filled in', () => {
    const root = makeTree({ 'dbboundary.yaml': VALID });
    const { map, problems } = loadConfig(path.join(root, 'dbboundary.yaml'));

    expect(problems).toEqual([]);
    expect(map.root).toBe(root);
    expect(map.contexts.map((c) => c.name)).toEqual(['orders', 'customers']);
    expect(map.contexts[0]!.tables.map((t) => [t.schema, t.name])).toEqual([
      ['orders', '*'],
      ['public', 'order_audit'],
    ]);
    expect(map.allow).toEqual([
      {
        from: 'orders',
        to: 'customers',
        reason: 'read-only until the customers API ships',
        access: 'read-write',
        line: 13,
      },
    ]);
    expect(map.exclude).toContain('**/node_modules/**');
  });

  it('suggests the nearest key for an unknown one, with its line', async () => {
    const problems = await problemsOf(
      VALID.replace('    tables: ["customers.*"]', '    tabels: ["customers.*"]'),
    );
    expect(problems).toContain(
      '11: contexts.customers.tabels: unknown key; did you mean "tables"?',
    );
  });

  it('reports every problem together, each with its line', async () => {
    const yaml = `version: 2
dialect: oracle
contexts:
  orders:
    code: "src/orders/**"
    tables: ["orders.*"]
  customers:
    code: ["src/customers/**"]
    tables: ["orders.orders"]
allow:
  - from: orders
    to: billing
`;
    const problems = await problemsOf(yaml);
    expect(problems).toEqual(
      expect.arrayContaining([
        '1: version must be 1; found 2.',
        '2: dialect must be one of postgresql, mysql; found oracle.',
        '5: contexts.orders.code must be a list of strings, e.g. ["src/contexts/orders/**"].',
        '11: allow[0].reason is required: Why this is accepted for now, and what will end it.',
        '11: allow[0].to: no context named "billing".',
        '9: contexts.customers.tables: "orders.orders" overlaps "orders.*" of orders; a table has one owner. Narrow one of the patterns.',
      ]),
    );
  });

  it('reports a glob that matches nothing and a file claimed by two contexts', async () => {
    const yaml = VALID.replace(
      'code: ["src/customers/**"]',
      'code: ["src/customer/**", "src/**/service.ts"]',
    );
    const problems = await problemsOf(yaml);
    expect(
      problems.some((p) =>
        p.startsWith('10: contexts.customers.code: "src/customer/**" matches no scanned file'),
      ),
    ).toBe(true);
    expect(problems).toContain(
      '10: src/orders/service.ts is matched by the code globs of both orders and customers; a file belongs to one context. Narrow one of the globs.',
    );
  });

  it('leaves out files that a !glob names', async () => {
    const yaml = VALID.replace('code: ["src/orders/**"]', 'code: ["src/**", "!src/customers/**"]');
    expect(await problemsOf(yaml)).toEqual([]);
  });

  it('rejects a file that is not YAML with its line', () => {
    const root = makeTree({ 'dbboundary.yaml': 'version: 1\ncontexts: [\n  {orders: \n' });
    expect(() => loadConfig(path.join(root, 'dbboundary.yaml'))).toThrowError(
      /dbboundary\.yaml:\d+: not valid YAML/,
    );
  });

  it('rejects a YAML file whose top level is not a mapping', () => {
    const root = makeTree({ 'dbboundary.yaml': '- just\n- a list\n' });
    expect(() => loadConfig(path.join(root, 'dbboundary.yaml'))).toThrowError(ConfigError);
  });

  it('rejects a config that is not UTF-8 text', () => {
    const root = makeTree({ 'dbboundary.yaml': Buffer.from([0xff, 0xfe, 0x00, 0x41]) });
    expect(() => loadConfig(path.join(root, 'dbboundary.yaml'))).toThrowError(UserError);
  });

  it('says where to look when there is no config', async () => {
    const root = makeTree({ 'src/a.ts': '' });
    await expect(runCheck({ cwd: root })).rejects.toThrowError(
      /No dbboundary\.yaml in .*pass --config/,
    );
  });

  it('refuses to pass silently when include matches no file', async () => {
    const root = makeTree({
      'dbboundary.yaml':
        'version: 1\ninclude: ["lib/**/*.ts"]\ncontexts:\n  a:\n    code: ["src/**"]\n',
      'src/a.ts': '',
    });
    await expect(runCheck({ cwd: root })).rejects.toThrowError(
      /matches no scanned file|match no file/,
    );
  });
});
