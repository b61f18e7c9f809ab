import { expect } from 'vitest';

import type { ParsedStatement, SqlFrontend, TableRef } from '../../src/sql/index.js';

/** `schema.name`, or `name` when unqualified: the form the extraction cases are written in. */
export function qualify(table: Pick<TableRef, 'schema' | 'name'>): string {
  return table.schema === null ? table.name : `${table.schema}.${table.name}`;
}

export function parseOk(frontend: SqlFrontend, sql: string): ParsedStatement[] {
  const result = frontend.parse(sql);
  if (!result.ok) {
    expect.fail(`expected ${JSON.stringify(sql)} to parse, got: ${result.message}`);
  }
  return result.statements;
}

export function tablesOf(frontend: SqlFrontend, sql: string): TableRef[] {
  return parseOk(frontend, sql).flatMap((statement) => statement.tables);
}

/** The distinct qualified names, sorted, so two sets compare with toEqual. */
export function nameSet(tables: TableRef[]): string[] {
  return [...new Set(tables.map(qualify))].sort();
}

/** `name:role` pairs in text order, duplicates kept. */
export function rolesOf(frontend: SqlFrontend, sql: string): string[] {
  return tablesOf(frontend, sql).map((table) => `${qualify(table)}:${table.role}`);
}

/** The offset of the nth (0-based) occurrence of `needle` in `text`. */
export function offsetOf(text: string, needle: string, occurrence = 0): number {
  let index = -1;
  for (let seen = 0; seen <= occurrence; seen += 1) {
    index = text.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`${JSON.stringify(needle)} not in the test SQL`);
  }
  return index;
}

/** An INSERT of at least `size` characters, one row per value tuple. */
export function buildLargeInsert(table: string, size: number, placeholder: string): string {
  const rows: string[] = [];
  let length = 0;
  for (let row = 0; length < size; row += 1) {
    const tuple = `(${row}, 'item ${row} ünïcode', ${placeholder}, ${row}.5)`;
    rows.push(tuple);
    length += tuple.length + 2;
  }
  return `INSERT INTO ${table} (id, name, owner, price) VALUES ${rows.join(',\n')}`;
}
