import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';
import { checkInitTarget, inferContextMap, writeInitFile } from '../../src/init/index.js';
import { makeTree } from '../helpers/tempdir.js';
import { entryOf, expectLoadsCleanly } from './helpers.js';

const CODE = 'export const x = 1;\n';

describe('inferContextMap', () => {
  it('finds the contexts of src/contexts/*, with their api/ folder or index file as public', async () => {
    const root = makeTree({
      'src/contexts/orders/api/index.ts': CODE,
      'src/contexts/orders/order-service.ts': CODE,
      'src/contexts/customers/index.ts': CODE,
      'src/contexts/customers/customer-repository.ts': CODE,
      'src/contexts/catalog/product-repository.ts': CODE,
      'src/contexts/shared/money.ts': CODE,
      'src/main.ts': CODE,
    });
    const { yaml, contexts, notes } = inferContextMap(root, {});

    expect(contexts).toEqual(['catalog', 'customers', 'orders']);
    expect(entryOf(yaml, 'orders')).toEqual([
      '  orders:',
      '    code: ["src/contexts/orders/**"]',
      '    tables: [] # Fill in: the tables orders owns, e.g. ["orders.*"]',
      '    public: ["src/contexts/orders/api/**"]',
    ]);
    expect(entryOf(yaml, 'customers')).toContain('    public: ["src/contexts/customers/index.ts"]');
    expect(entryOf(yaml, 'catalog')).toContain(
      '    public: [] # Fill in: no api/ folder or index file found; list the files others may import',
    );
    expect(notes).toEqual([
      'found 3 contexts in src/contexts/*.',
      'src/contexts/shared: its name says shared code or tests, so it was left outside every context.',
      'tables are empty: list the tables each context owns, or run init with --db <url>.',
    ]);

    const map = await expectLoadsCleanly(root, yaml);
    expect(map.contexts.map((context) => [context.name, context.tables])).toEqual([
      ['catalog', []],
      ['customers', []],
      ['orders', []],
    ]);
  });

  it('infers the contexts of the bundled example as its hand-written map has them', async () => {
    const root = fileURLToPath(new URL('../../fixtures/shop/', import.meta.url));
    const written = loadConfig(path.join(root, 'dbboundary.yaml')).map.contexts;
    const { yaml } = inferContextMap(root, {});
    const inferred = parseYaml(yaml) as {
      contexts: Record<string, { code: string[]; public: string[] }>;
    };

    expect(Object.keys(inferred.contexts).sort()).toEqual(written.map((c) => c.name).sort());
    for (const context of written) {
      expect(inferred.contexts[context.name]).toMatchObject({
        code: context.code,
        public: context.public,
      });
    }
  });

  it('explains every key in comments, drawn from the schema the validator uses', () => {
    const root = makeTree({ 'src/modules/orders/a.ts': CODE, 'src/modules/billing/b.ts': CODE });
    const { yaml } = inferContextMap(root, {});

    expect(yaml).toMatch(
      /^# dbboundary context map, inferred by `dbboundary init` from src\/modules\/\*\./,
    );
    expect(yaml).toContain('# Format version.\nversion: 1\n');
    expect(yaml).toContain(
      '# SQL dialect of the shared database (default postgresql). One of postgresql, mysql.\ndialect: postgresql\n',
    );
    expect(yaml).toContain('defaultSchema: public\n');
    expect(yaml).toContain(
      '    # Files of this context, as globs relative to the config file.\n    code:',
    );
    expect(yaml).toContain('    # Tables this context owns:');
    expect(yaml).toContain(
      "    # Files of this context that other contexts may import (the context's API).",
    );
    expect(yaml).toContain(
      '# allow:\n#   - from: billing\n#     to: orders\n#     reason: "read-only copy until orders publishes an API (TICKET-1)"\n',
    );
    expect(yaml.split('\n').every((line) => line.length <= 100)).toBe(true);
  });

  it('writes the dialect given, and leaves MySQL its default schema to fill in', () => {
    const root = makeTree({ 'src/modules/orders/a.ts': CODE });
    const { yaml } = inferContextMap(root, { dialect: 'mysql' });

    expect(yaml).toContain('\ndialect: mysql\n');
    expect(yaml).toContain('\n# defaultSchema: app\n');
    expect(loadConfig(writeConfig(root, yaml)).map.dialect).toBe('mysql');
  });

  it('takes workspace packages, with the source of their package.json entry as public', async () => {
    const root = makeTree({
      'packages/billing/package.json': JSON.stringify({
        name: '@acme/billing',
        exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
      }),
      'packages/billing/src/index.ts': CODE,
      'packages/billing/src/invoices.ts': CODE,
      'packages/shipping/package.json': JSON.stringify({ main: 'lib/main.js' }),
      'packages/shipping/src/main.ts': CODE,
      'packages/shipping/src/carriers.ts': CODE,
      'packages/@acme/crm/package.json': JSON.stringify({ main: 'index.js' }),
      'packages/@acme/crm/index.js': CODE,
      'packages/@acme/crm/contacts.js': CODE,
      'packages/payments/src/api/charge.ts': CODE,
      'packages/payments/src/stripe.ts': CODE,
      'packages/ui/README.md': '# no code here\n',
    });
    const { yaml, contexts } = inferContextMap(root, {});

    expect(contexts).toEqual(['crm', 'billing', 'payments', 'shipping']);
    expect(entryOf(yaml, 'billing')).toContain('    public: ["packages/billing/src/index.ts"]');
    expect(entryOf(yaml, 'shipping')).toContain('    public: ["packages/shipping/src/main.ts"]');
    expect(entryOf(yaml, 'crm')).toEqual(
      expect.arrayContaining([
        '    code: ["packages/@acme/crm/**"]',
        '    public: ["packages/@acme/crm/index.js"]',
      ]),
    );
    expect(entryOf(yaml, 'payments')).toContain('    public: ["packages/payments/src/api/**"]');
    await expectLoadsCleanly(root, yaml);
  });

  it('splits a package into its modules (packages/*/src/modules/*), its other files shared', async () => {
    const root = makeTree({
      'apps/api/src/main.ts': CODE,
      'apps/api/src/modules/users/users.service.ts': CODE,
      'apps/api/src/modules/users/index.ts': CODE,
      'apps/api/src/modules/billing/billing.service.ts': CODE,
      'apps/web/src/users/page.tsx': CODE,
      'packages/web/index.ts': CODE,
    });
    const { yaml, contexts, notes } = inferContextMap(root, {});

    expect(contexts).toEqual(['billing', 'users', 'apps-web', 'packages-web']);
    expect(entryOf(yaml, 'users')).toEqual([
      '  users:',
      '    code: ["apps/api/src/modules/users/**"]',
      '    tables: [] # Fill in: the tables users owns, e.g. ["users.*"]',
      '    public: ["apps/api/src/modules/users/index.ts"]',
    ]);
    expect(notes[0]).toBe('found 4 contexts in apps/api/src/modules/*, apps/*, packages/*.');
    expect(notes).toContain(
      'apps/api: each folder of apps/api/src/modules is a context; its files outside them are shared code.',
    );
    await expectLoadsCleanly(root, yaml);
  });

  it('makes valid names and literal globs of folder names with glob characters', async () => {
    const root = makeTree({
      'src/features/(admin)/page.ts': CODE,
      'src/features/[id]/index.ts': CODE,
      'src/features/2fa-login/form.ts': CODE,
      'src/features/order history!/list.ts': CODE,
      'src/features/__tests__/x.test.ts': CODE,
    });
    const { yaml, contexts } = inferContextMap(root, {});

    expect(contexts).toEqual(['admin', 'context-2fa-login', 'id', 'order-history']);
    expect(entryOf(yaml, 'admin')).toContain('    code: ["src/features/\\\\(admin\\\\)/**"]');
    const map = await expectLoadsCleanly(root, yaml);
    expect(map.contexts.find((c) => c.name === 'id')!.public).toEqual([
      'src/features/\\[id\\]/index.ts',
    ]);
  });

  it('quotes a context name that YAML would read as a boolean or null', async () => {
    const root = makeTree({ 'modules/null/a.ts': CODE, 'modules/true/b.ts': CODE });
    const { yaml, contexts } = inferContextMap(root, {});

    expect(contexts).toEqual(['null', 'true']);
    expect(yaml).toContain('\n  "null":\n');
    const map = await expectLoadsCleanly(root, yaml);
    expect(map.contexts.map((context) => context.name)).toEqual(['null', 'true']);
  });

  it('writes a template with one example context when no layout is recognized', () => {
    const root = makeTree({ 'index.ts': CODE, 'lib/db.ts': CODE });
    const { yaml, contexts, notes } = inferContextMap(root, {});

    expect(contexts).toEqual([]);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^no known folder layout \(src\/contexts\/\*, .*\): wrote a template/);
    expect(yaml).toMatch(/^# dbboundary context map, a template written by `dbboundary init`/);
    expect(yaml).toContain(
      "  # An example: rename it, point its globs at the context's folder, and add one entry per bounded\n  # context.\n  orders:\n    # Files of this context",
    );
    expect(loadConfig(writeConfig(root, yaml)).problems).toEqual([]);
  });

  it('gives each schema to the context of its name, and lists the others at the end', async () => {
    const root = makeTree({
      'src/modules/order-history/a.ts': CODE,
      'src/modules/customers/b.ts': CODE,
      'src/modules/sales/c.ts': CODE,
      'src/modules/catalog/d.ts': CODE,
    });
    const { yaml, notes } = inferContextMap(root, {
      tables: {
        order_history: ['entries'],
        customer: ['customers', 'addresses'],
        Sales: ['Deals'],
        public: [],
        legacy: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
        audit: ['log'],
      },
    });

    expect(entryOf(yaml, 'order-history')).toContain('    tables: ["order_history.*"]');
    expect(entryOf(yaml, 'customers')).toContain('    tables: ["customer.*"]');
    expect(entryOf(yaml, 'sales')).toContain('    tables: ["\\"Sales\\".*"]');
    expect(entryOf(yaml, 'catalog')).toContain(
      '    tables: [] # Fill in: the tables catalog owns, e.g. ["catalog.*"]',
    );
    expect(yaml).toContain(
      [
        '# Schemas of the database that no context took. Add each to the tables of the context that owns it,',
        '# as "schema.*" or table by table:',
        '#   "audit.*": 1 table (log)',
        '#   "legacy.*": 7 tables (a, b, c, d, e and 2 more)',
      ].join('\n'),
    );
    expect(notes).toContain(
      'schema legacy (7 tables) matches no context by name; it is listed at the end of the file for you to place.',
    );
    expect(notes.join('\n')).not.toContain('public');

    const map = await expectLoadsCleanly(root, yaml);
    expect(map.contexts.find((c) => c.name === 'sales')!.tables[0]).toMatchObject({
      schema: 'Sales',
      name: '*',
    });
  });

  it('leaves out a schema that two contexts could own', () => {
    const root = makeTree({ 'apps/orders/a.ts': CODE, 'packages/orders/b.ts': CODE });
    const { yaml, notes } = inferContextMap(root, { tables: { orders: ['orders'] } });

    expect(yaml).toContain(
      '#   "orders.*": 1 table (orders); matches the contexts apps-orders and packages-orders; a schema has one owner',
    );
    expect(notes).toContain(
      'schema orders (1 table) matches the contexts apps-orders and packages-orders; a schema has one owner; it is listed at the end of the file for you to place.',
    );
  });
});

describe('writeInitFile', () => {
  it('writes dbboundary.yaml into the folder', () => {
    const root = makeTree({});
    const file = writeInitFile(root, 'version: 1\n', { force: false });

    expect(file).toBe(path.join(root, 'dbboundary.yaml'));
    expect(readFileSync(file, 'utf8')).toBe('version: 1\n');
  });

  it.each(['dbboundary.yaml', 'dbboundary.yml'])('keeps an existing %s without --force', (name) => {
    const root = makeTree({ [name]: 'mine\n' });

    expect(() => writeInitFile(root, 'version: 1\n', { force: false })).toThrow(UserError);
    expect(() => writeInitFile(root, 'version: 1\n', {})).toThrow(
      /dbboundary\.ya?ml already exists; init leaves it as it is\. Pass --force to overwrite it\.$/,
    );
    expect(readFileSync(path.join(root, name), 'utf8')).toBe('mine\n');
  });

  it('can be asked first whether it would write, before slower work', () => {
    const root = makeTree({ 'dbboundary.yml': 'mine\n' });

    expect(() => checkInitTarget(root)).toThrow(/dbboundary\.yml already exists/);
    expect(checkInitTarget(root, { force: true })).toBe(path.join(root, 'dbboundary.yaml'));
  });

  it('overwrites with force', () => {
    const root = makeTree({ 'dbboundary.yaml': 'mine\n' });
    writeInitFile(root, 'version: 1\n', { force: true });

    expect(readFileSync(path.join(root, 'dbboundary.yaml'), 'utf8')).toBe('version: 1\n');
  });

  it('refuses a folder that does not exist', () => {
    const root = path.join(makeTree({}), 'missing');
    expect(() => writeInitFile(root, 'version: 1\n', {})).toThrow(/missing: no such folder/);
  });
});

function writeConfig(root: string, yaml: string): string {
  const file = path.join(root, 'dbboundary.yaml');
  writeFileSync(file, yaml);
  return file;
}
