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
  | (Common & { kind: 'number' })
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

const columnList = (description: string): FieldSpec => ({
  kind: 'globs',
  example: 'id',
  description,
});

const COLUMN_NAME = /^\S(?:.*\S)?$/;

const reconcileTableSpec: FieldSpec = {
  kind: 'object',
  description: 'One table pair: the old table (source) and its copy in the new store (target).',
  fields: {
    table: { kind: 'string', required: true, description: 'Source table, schema.table.' },
    targetTable: { kind: 'string', description: 'Target table (default: the same name).' },
    key: columnList('Key columns, source names (default: the primary key).'),
    exclude: columnList('Columns left out of the comparison, on either side.'),
    rename: {
      kind: 'map',
      keyPattern: COLUMN_NAME,
      of: { kind: 'string', description: 'The column name in the target table.' },
      description: 'Source column -> target column, for renamed columns.',
    },
    filter: { kind: 'string', description: 'SQL condition rows must meet, on both sides.' },
    targetFilter: {
      kind: 'string',
      description: 'SQL condition for the target (default: filter).',
    },
    settle: {
      kind: 'object',
      description: 'Rows changed within the window are compared only once they settle.',
      fields: {
        column: {
          kind: 'string',
          required: true,
          description: 'An updated_at-style timestamp column (source name).',
        },
        seconds: { kind: 'integer', required: true, description: 'The settle window.' },
      },
    },
    tolerance: {
      kind: 'map',
      keyPattern: COLUMN_NAME,
      of: { kind: 'number', description: 'Largest difference still counted as equal.' },
      description: 'Float columns (source names) compared within a tolerance.',
    },
    mode: {
      kind: 'string',
      values: ['auto', 'range', 'bucket'],
      description: 'Key ranges, hash buckets, or auto (buckets when keys may sort differently).',
    },
  },
};

const reconcileSpec: FieldSpec = {
  kind: 'object',
  description: 'Table pairs that reconcile compares, old store (source) against new (target).',
  fields: {
    source: {
      kind: 'string',
      required: true,
      description: 'Connection of the old store: env:NAME (a variable holding the URL) or a URL.',
    },
    target: {
      kind: 'string',
      required: true,
      description: 'Connection of the new store: env:NAME or a URL.',
    },
    tables: {
      kind: 'list',
      required: true,
      of: reconcileTableSpec,
      description: 'The table pairs.',
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
    reconcile: reconcileSpec,
  },
};
