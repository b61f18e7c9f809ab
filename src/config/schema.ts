/**
 * The shape of dbboundary.yaml, declared once. The validator walks it, and the same declaration
 * can be turned into a JSON Schema for editors.
 */

interface Common {
  description: string;
  required?: boolean;
  /** What to tell the user when a required key is missing; the description otherwise. */
  whenMissing?: string;
}

export type FieldSpec =
  | (Common & { kind: 'string'; values?: readonly string[] })
  | (Common & { kind: 'integer'; values?: readonly number[] })
  | (Common & {
      kind: 'globs';
      example: string;
      /** The list must hold a glob that takes files (one not starting with !). */
      atLeastOne?: boolean;
      /** Globs of files under the config's folder, so they cannot start at / or climb out. */
      filePaths?: boolean;
    })
  | (Common & { kind: 'object'; fields: Record<string, FieldSpec> })
  | (Common & { kind: 'map'; of: FieldSpec; keyPattern: RegExp })
  | (Common & { kind: 'list'; of: FieldSpec });

export const DEFAULT_INCLUDE = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,sql}'];
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
      atLeastOne: true,
      filePaths: true,
      example: 'src/contexts/orders/**',
      description: 'Files of this context, as globs relative to the config file.',
    },
    tables: {
      kind: 'globs',
      example: 'orders.*',
      description:
        'Tables this context owns: schema.table, schema.*, name_* or bare names; "Quoted" parts keep their case.',
    },
    public: {
      kind: 'globs',
      filePaths: true,
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
    access: {
      kind: 'string',
      values: ['read', 'read-write'],
      description:
        "read: only statements that read `to`'s tables are accepted, so `to` can publish a read model others query but never write; read-write (the default): reads, writes and imports.",
    },
  },
};

export const configSpec: FieldSpec = {
  kind: 'object',
  description: 'dbboundary context map',
  fields: {
    version: {
      kind: 'integer',
      required: true,
      values: [1],
      description: 'Format version.',
      whenMissing: 'add `version: 1` at the top of the file.',
    },
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
      filePaths: true,
      example: 'src/**/*.ts',
      description: `Files to scan (default ${DEFAULT_INCLUDE.join(', ')}).`,
    },
    exclude: {
      kind: 'globs',
      filePaths: true,
      example: '**/generated/**',
      description: `Files never scanned, added to ${DEFAULT_EXCLUDE.join(', ')}.`,
    },
    contexts: {
      kind: 'map',
      required: true,
      keyPattern: /^[A-Za-z][A-Za-z0-9_-]*$/,
      of: contextSpec,
      description: 'The bounded contexts, by name.',
      whenMissing:
        'add `contexts:` with one entry per bounded context, each with its `code` globs.',
    },
    allow: { kind: 'list', of: allowSpec, description: 'Accepted exceptions, each with a reason.' },
  },
};
