/**
 * The shape of dbboundary.yaml, declared once. The validator walks it, and the same declaration
 * can be turned into a JSON Schema for editors.
 */

export type FieldSpec =
  | { kind: 'string'; description: string; required?: boolean; values?: readonly string[] }
  | { kind: 'integer'; description: string; required?: boolean; values?: readonly number[] }
  | { kind: 'globs'; description: string; required?: boolean; example: string }
  | { kind: 'object'; description: string; required?: boolean; fields: Record<string, FieldSpec> }
  | { kind: 'map'; description: string; required?: boolean; of: FieldSpec; keyPattern: RegExp }
  | { kind: 'list'; description: string; required?: boolean; of: FieldSpec };

export const DEFAULT_INCLUDE = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'];
export const DEFAULT_EXCLUDE = [
  '**/node_modules/**',
  '**/.git/**',
  '**/dist/**',
  '**/build/**',
  '**/coverage/**',
  '**/.yarn/**',
  '**/.next/**',
  '**/.nuxt/**',
  '**/.svelte-kit/**',
  '**/*.d.ts',
];

const contextSpec: FieldSpec = {
  kind: 'object',
  description: 'One bounded context: its code, the tables it owns, and what others may import.',
  fields: {
    code: {
      kind: 'globs',
      required: true,
      example: 'src/contexts/orders/**',
      description: 'Files of this context, as globs relative to the config file.',
    },
    tables: {
      kind: 'globs',
      example: 'orders.*',
      description: 'Tables this context owns: schema.table, schema.*, name_* or bare names.',
    },
    public: {
      kind: 'globs',
      example: 'src/contexts/orders/api/**',
      description: "Files of this context that other contexts may import (the context's API).",
    },
  },
};

const allowSpec: FieldSpec = {
  kind: 'object',
  description: 'An accepted exception: code of `from` may use data and code of `to`.',
  fields: {
    from: { kind: 'string', required: true, description: 'The context whose code is allowed.' },
    to: { kind: 'string', required: true, description: 'The context it may reach into.' },
    reason: {
      kind: 'string',
      required: true,
      description: 'Why this is accepted for now, and what will end it.',
    },
  },
};

export const configSpec: FieldSpec = {
  kind: 'object',
  description: 'dbboundary context map',
  fields: {
    version: { kind: 'integer', required: true, values: [1], description: 'Format version.' },
    dialect: {
      kind: 'string',
      values: ['postgresql', 'mysql'],
      description: 'SQL dialect of the shared database (default postgresql).',
    },
    defaultSchema: {
      kind: 'string',
      description: 'Schema (or MySQL database) where unqualified table names live.',
    },
    include: {
      kind: 'globs',
      example: 'src/**/*.ts',
      description: `Files to scan (default ${DEFAULT_INCLUDE.join(', ')}).`,
    },
    exclude: {
      kind: 'globs',
      example: '**/generated/**',
      description: `Files never scanned, added to ${DEFAULT_EXCLUDE.join(', ')}.`,
    },
    contexts: {
      kind: 'map',
      required: true,
      keyPattern: /^[A-Za-z][A-Za-z0-9_-]*$/,
      of: contextSpec,
      description: 'The bounded contexts, by name.',
    },
    allow: { kind: 'list', of: allowSpec, description: 'Accepted exceptions, each with a reason.' },
  },
};
