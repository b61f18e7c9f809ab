import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { JSON_SCHEMA_FILE, toJsonSchema } from '../../src/config/json-schema.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { makeTree } from '../helpers/tempdir.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

const validate = new Ajv({ allErrors: true, strict: true }).compile(toJsonSchema());

function schemaAccepts(yaml: string): boolean {
  return validate(parse(yaml)) === true;
}

/** Whether dbboundary's own validator finds no problem in the file (globs are not matched to files). */
function validatorAccepts(yaml: string): boolean {
  const root = makeTree({ 'dbboundary.yaml': yaml });
  try {
    return loadConfig(path.join(root, 'dbboundary.yaml')).problems.length === 0;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

const BASE = `version: 1
dialect: postgresql
defaultSchema: public
include: ["src/**/*.ts"]
exclude: ["**/generated/**"]
contexts:
  orders:
    code: ["src/orders/**", "!src/orders/legacy/**"]
    tables: ["orders.*", "order_audit", '"Billing"."Invoice"']
    public: ["src/orders/api/**"]
  customer-care2:
    code: ["src/care/**"]
allow:
  - from: orders
    to: customer-care2
    reason: "read-only until the API ships"
`;

/** Each edit breaks BASE in one way; the validator and the schema must both refuse it. */
const BROKEN: [string, (yaml: string) => string][] = [
  ['no version', (y) => y.replace('version: 1\n', '')],
  ['another version', (y) => y.replace('version: 1', 'version: 2')],
  ['a version as text', (y) => y.replace('version: 1', 'version: "1"')],
  ['an unknown dialect', (y) => y.replace('dialect: postgresql', 'dialect: oracle')],
  ['an empty defaultSchema', (y) => y.replace('defaultSchema: public', 'defaultSchema: " "')],
  ['an unknown top key', (y) => `${y}rules: []\n`],
  [
    'an unknown context key',
    (y) => y.replace('    public: ["src/orders', '    publik: ["src/orders'),
  ],
  ['no contexts', (y) => y.replace(/contexts:[\s\S]*?allow:/, 'allow:')],
  ['contexts that are empty', (y) => y.replace(/contexts:[\s\S]*?allow:/, 'contexts: {}\nallow:')],
  ['a context name starting with a digit', (y) => y.replaceAll('customer-care2', '2care')],
  ['a context name with a dot', (y) => y.replaceAll('customer-care2', 'care.v2')],
  ['a context without code', (y) => y.replace('    code: ["src/care/**"]', '    tables: []')],
  ['code as a string', (y) => y.replace('["src/care/**"]', '"src/care/**"')],
  ['code that is empty', (y) => y.replace('["src/care/**"]', '[]')],
  ['code that only leaves files out', (y) => y.replace('["src/care/**"]', '["!src/care/x/**"]')],
  ['an empty glob', (y) => y.replace('"src/care/**"', '"src/care/**", " "')],
  ['a glob from /', (y) => y.replace('"src/care/**"', '"/src/care/**"')],
  ['a glob out of the folder', (y) => y.replace('"src/care/**"', '"../care/**"')],
  ['a glob with a .. part', (y) => y.replace('"src/care/**"', '"src/../care/**"')],
  ['a left-out glob out of the folder', (y) => y.replace('"!src/orders/legacy/**"', '"!../x/**"')],
  ['a public glob out of the folder', (y) => y.replace('"src/orders/api/**"', '"../api/**"')],
  ['an include glob from /', (y) => y.replace('["src/**/*.ts"]', '["/src/**/*.ts"]')],
  ['a table that is not text', (y) => y.replace('"order_audit"', '42')],
  ['an allow entry without a reason', (y) => y.replace(/\n {4}reason: .*\n/, '\n')],
  ['an allow entry with an empty reason', (y) => y.replace(/reason: .*/, 'reason: ""')],
  ['an allow entry with an unknown key', (y) => y.replace('    to: customer', '    too: customer')],
  ['allow as a mapping', (y) => y.replace(/allow:[\s\S]*/, 'allow:\n  from: orders\n')],
];

describe('the JSON Schema of dbboundary.yaml', () => {
  it('is committed as generated from the validator', () => {
    const committed: unknown = JSON.parse(readFileSync(path.join(REPO, JSON_SCHEMA_FILE), 'utf8'));
    expect(
      committed,
      `${JSON_SCHEMA_FILE} is out of date with src/config/schema.ts: run \`npm run schema\` and commit the result.`,
    ).toEqual(toJsonSchema());
  });

  it('accepts the bundled example', () => {
    const example = readFileSync(path.join(REPO, 'fixtures/shop/dbboundary.yaml'), 'utf8');
    expect(validate(parse(example)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('accepts what the validator accepts', () => {
    expect(validatorAccepts(BASE)).toBe(true);
    expect(validate(parse(BASE)), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(BROKEN)('refuses %s, as the validator does', (_, edit) => {
    const yaml = edit(BASE);

    expect(yaml).not.toBe(BASE);
    expect(validatorAccepts(yaml)).toBe(false);
    expect(schemaAccepts(yaml)).toBe(false);
  });

  it('describes every key and names the required ones, for editors', () => {
    const schema = toJsonSchema() as {
      required: string[];
      properties: Record<string, { description: string; patternProperties?: object }>;
    };
    const context = Object.values(schema.properties.contexts!.patternProperties!)[0] as {
      required: string[];
      properties: Record<string, { description: string; minItems?: number }>;
    };

    expect(schema.required).toEqual(['version', 'contexts']);
    expect(Object.values(schema.properties).every((p) => p.description.length > 0)).toBe(true);
    expect(context.required).toEqual(['code']);
    expect(context.properties.code!.minItems).toBe(1);
    expect(Object.keys(context.properties)).toEqual(['code', 'tables', 'public']);
  });
});
