import type { TableName } from './facts.js';

/**
 * The models of a Prisma schema and the tables they map to: `@@map("orders")` names the table,
 * `@@schema("sales")` its schema (multiSchema); without them the table is the model's name.
 * Only what the check needs is read: models, their `@@map`/`@@schema`, and their fields' types.
 */

export interface PrismaField {
  name: string;
  type: string;
  /** 0-based offset of the field's name in the schema file. */
  offset: number;
  /** Set when the field holds the foreign key: `@relation(fields: [...])`. */
  holdsKey: boolean;
}

export interface PrismaModel {
  name: string;
  table: TableName;
  fields: PrismaField[];
  /** The schema file, as given to the parser. */
  file: string;
}

const MODEL_START = /^\s*model\s+(\w+)\s*\{/;
const FIELD = /^(\s*)(\w+)\s+(\w+)(\[\])?\??(.*)$/;
const MAP = /@@map\(\s*(?:name\s*:\s*)?"([^"]+)"/;
const SCHEMA = /@@schema\(\s*"([^"]+)"/;

export function parsePrismaSchema(text: string, file: string): PrismaModel[] {
  const models: PrismaModel[] = [];
  let current: PrismaModel | null = null;
  let offset = 0;

  for (const line of text.split('\n')) {
    const code = line.replace(/\/\/.*$/, '');
    const start = MODEL_START.exec(code);
    if (start) {
      current = { name: start[1]!, table: { schema: null, name: start[1]! }, fields: [], file };
      models.push(current);
    } else if (current && /^\s*\}/.test(code)) {
      current = null;
    } else if (current) {
      readModelLine(current, code, offset);
    }
    offset += line.length + 1;
  }
  return models;
}

function readModelLine(model: PrismaModel, code: string, offset: number): void {
  const map = MAP.exec(code);
  if (map) model.table = { ...model.table, name: map[1]! };
  const schema = SCHEMA.exec(code);
  if (schema) model.table = { ...model.table, schema: schema[1]! };
  const field = FIELD.exec(code);
  if (!field || code.trim().startsWith('@')) return;
  model.fields.push({
    name: field[2]!,
    type: field[3]!,
    offset: offset + field[1]!.length,
    holdsKey: /@relation\([^)]*\bfields\s*:/.test(field[5] ?? ''),
  });
}

/** The Prisma Client accessor of a model: its name with the first letter lower-case. */
export function accessorOf(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}
