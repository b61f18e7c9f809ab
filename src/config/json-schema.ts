import { writeFileSync } from 'node:fs';
import { configSpec } from './schema.js';
import type { FieldSpec } from './schema.js';

/** A JSON Schema (draft-07) node; only the keywords written here. */
export type JsonSchema = { [keyword: string]: unknown };

/** The file at the repository root that editors point at; `npm run schema` rewrites it. */
export const JSON_SCHEMA_FILE = 'dbboundary.schema.json';

/** Text that holds something besides white space, as the validator requires of every string. */
const NOT_BLANK = '\\S';
const notBlank: JsonSchema = { pattern: NOT_BLANK };

/**
 * A glob that can match a scanned file (see globCannotMatch): after an optional `!`, it does not
 * start at / and holds no `..` part.
 */
const FILE_GLOB = '^(?!!?/)(?!!?(?:.*/)?\\.\\.(?:/|$))';

/**
 * The JSON Schema of dbboundary.yaml, generated from the same declaration the validator walks,
 * so editors complete and check the file as `dbboundary check` does. Checks that need more than
 * one key (a table claimed by two contexts, an allow entry naming no context) are left to check.
 */
export function toJsonSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'dbboundary.yaml',
    ...schemaOf(configSpec),
  };
}

/** Writes the schema as JSON; `npm run schema` then lets Prettier lay it out. */
export function writeJsonSchema(file: string = JSON_SCHEMA_FILE): void {
  writeFileSync(file, `${JSON.stringify(toJsonSchema(), null, 2)}\n`);
}

function schemaOf(spec: FieldSpec): JsonSchema {
  const description = { description: spec.description };
  switch (spec.kind) {
    case 'string':
      return { type: 'string', ...description, ...(spec.values ? enumOf(spec.values) : notBlank) };
    case 'integer':
      return { type: 'integer', ...description, ...enumOf(spec.values) };
    case 'number':
      return { type: 'number', ...description, minimum: 0 };
    case 'globs':
      return globsSchema(spec);
    case 'object':
      return objectSchema(spec);
    case 'map':
      return {
        type: 'object',
        ...description,
        minProperties: 1,
        patternProperties: { [spec.keyPattern.source]: schemaOf(spec.of) },
        additionalProperties: false,
      };
    case 'list':
      return { type: 'array', ...description, items: schemaOf(spec.of) };
  }
}

function enumOf(values: readonly (string | number)[] | undefined): JsonSchema {
  return values ? { enum: [...values] } : {};
}

function globsSchema(spec: FieldSpec & { kind: 'globs' }): JsonSchema {
  const item: JsonSchema = { type: 'string', pattern: NOT_BLANK };
  if (spec.filePaths) item.allOf = [{ pattern: FILE_GLOB }];

  const schema: JsonSchema = {
    type: 'array',
    description: spec.description,
    items: item,
    examples: [[spec.example]],
  };
  if (spec.atLeastOne) {
    // One glob that takes files: globs starting with ! only leave files out.
    schema.minItems = 1;
    schema.contains = { type: 'string', pattern: '^[^!]' };
  }
  return schema;
}

function objectSchema(spec: FieldSpec & { kind: 'object' }): JsonSchema {
  const entries = Object.entries(spec.fields);
  const required = entries.filter(([, field]) => field.required).map(([key]) => key);

  return {
    type: 'object',
    description: spec.description,
    properties: Object.fromEntries(entries.map(([key, field]) => [key, schemaOf(field)])),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}
