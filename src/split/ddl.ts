/**
 * One DDL file per context: its schema as it will be after the split, with every name of a moved
 * table (and of the sequences that move with it) written in its new schema, and the objects it
 * still needs from outside listed at the end.
 */
import type { ColumnInfo, GrantInfo, Rel, SchemaModel, SequenceInfo, TableInfo } from './model.js';
import { byName, qualified } from './model.js';
import type { ContextTarget, Placement } from './placement.js';
import { contextRoleGrants } from './role-grants.js';
import { grantee, ident, rel } from './sql.js';

export function renderContextDdl(
  model: SchemaModel,
  placement: Placement,
  source: string,
): Map<string, string> {
  const renames = renameMap(model, placement);
  const files = new Map<string, string>();
  for (const context of placement.contexts) {
    files.set(context.schema, renderContext(model, placement, context, renames, source));
  }
  return files;
}

/** Old schema-qualified name → new one, for moved tables and the sequences they own. */
function renameMap(model: SchemaModel, placement: Placement): Map<string, string> {
  const owned = sequencesByTable(model);
  const renames = new Map<string, string>();
  for (const move of placement.moves) {
    for (const table of [move.table, ...move.partitions]) {
      renames.set(qualified(table), `${move.to}.${table.name}`);
      for (const sequence of owned.get(qualified(table)) ?? []) {
        renames.set(qualified(sequence), `${move.to}.${sequence.name}`);
      }
    }
    for (const stat of move.statistics) renames.set(qualified(stat), `${move.to}.${stat.name}`);
  }
  return renames;
}

/** Sequences by the table whose column owns them. */
export function sequencesByTable(model: SchemaModel): Map<string, SequenceInfo[]> {
  const owned = new Map<string, SequenceInfo[]>();
  for (const sequence of model.sequences) {
    if (!sequence.ownedBy) continue;
    const key = qualified(sequence.ownedBy);
    owned.set(key, [...(owned.get(key) ?? []), sequence]);
  }
  return owned;
}

function renderContext(
  model: SchemaModel,
  placement: Placement,
  context: ContextTarget,
  renames: Map<string, string>,
  source: string,
): string {
  const byQualified = new Map(model.tables.map((t) => [qualified(t), t]));
  const tables = model.tables
    .filter((table) => placement.contextOf(table) === context.name)
    .map((table) => ({ table, depth: depth(table, byQualified) }))
    .sort((a, b) => a.depth - b.depth || byName(a.table, b.table))
    .map(({ table }) => table);
  const names = new Set(tables.map(qualified));
  const rename = (text: string): string => renameIn(text, renames);
  const after = (table: Rel): Rel => ({ schema: context.schema, name: table.name });

  const sequences = ownedSequences(model, byQualified, names);
  const parts = [
    `-- Schema ${context.schema} of context ${context.name} after the split, from ${source}.`,
    `-- Written by dbboundary split for review; the plan, not this file, performs the move.`,
    '',
    `CREATE SCHEMA IF NOT EXISTS ${ident(context.schema)};`,
    '',
    ...sequences.map((s) => `CREATE SEQUENCE ${rel({ schema: context.schema, name: s.name })};`),
    ...tables.map((table) => createTable(table, after(table), rename)),
    ...sequences.map(
      (s) =>
        `ALTER SEQUENCE ${rel({ schema: context.schema, name: s.name })} OWNED BY ${rel(after(s.ownedBy!))}.${ident(s.ownedBy!.column)};`,
    ),
    // Keys before the foreign keys that need them, as pg_dump orders them.
    ...model.constraints
      .filter((c) => names.has(qualified(c.table)))
      .sort((a, b) => Number(a.kind === 'foreign') - Number(b.kind === 'foreign'))
      .map(
        (c) =>
          `ALTER TABLE ONLY ${rel(after(c.table))}\n    ADD CONSTRAINT ${ident(c.name)} ${rename(c.definition)};`,
      ),
    ...model.indexes
      .filter((i) => names.has(qualified(i.table)))
      .map((i) => `${rename(i.definition)};`),
    ...tables
      .filter((t) => t.rowSecurity)
      .map((t) => `ALTER TABLE ${rel(after(t))} ENABLE ROW LEVEL SECURITY;`),
    ...model.policies
      .filter((p) => names.has(qualified(p.table)))
      .map((p) => `${rename(p.definition)};`),
    ...model.statistics
      .filter((x) => names.has(qualified(x.table)))
      .map((x) => `${rename(x.definition)};`),
    ...model.triggers
      .filter((t) => names.has(qualified(t.table)))
      .map((t) => `${rename(t.definition)};`),
    ...model.grants
      .filter((g) => names.has(qualified(g.table)))
      .map(
        (g) =>
          `GRANT ${g.privileges.join(', ')} ON TABLE ${rel(after(g.table))} TO ${grantee(g.grantee)};`,
      ),
    ...sequenceGrants(model, names).map(
      (g) =>
        `GRANT ${g.privileges.join(', ')} ON SEQUENCE ${rel({ schema: context.schema, name: g.table.name })} TO ${grantee(g.grantee)};`,
    ),
    ...placement.moves
      .filter((move) => move.context === context.name)
      .flatMap((move) => contextRoleGrants(model, placement, move))
      .map(
        (g) => `GRANT ${g.privileges.join(', ')} ON ${g.kind} ${rel(g.after)} TO ${ident(g.role)};`,
      ),
    '',
    ...outsideObjects(model, names, context, renames),
  ];
  return `${parts
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** Grants on the sequences the context's tables own (identity ones included). */
function sequenceGrants(model: SchemaModel, names: Set<string>): GrantInfo[] {
  const owned = new Set(
    model.sequences.filter((s) => s.ownedBy && names.has(qualified(s.ownedBy))).map(qualified),
  );
  return model.sequenceGrants.filter((g) => owned.has(qualified(g.table)));
}

function depth(table: TableInfo, tables: Map<string, TableInfo>): number {
  const parent = table.parent && tables.get(qualified(table.parent));
  return parent ? 1 + depth(parent, tables) : 0;
}

/** Sequences of serial columns and OWNED BY; identity columns make their own. */
function ownedSequences(
  model: SchemaModel,
  tables: Map<string, TableInfo>,
  names: Set<string>,
): SequenceInfo[] {
  return model.sequences
    .filter((s) => s.ownedBy && names.has(qualified(s.ownedBy)))
    .filter((s) => !isIdentity(tables, s.ownedBy!));
}

function isIdentity(tables: Map<string, TableInfo>, column: Rel & { column: string }): boolean {
  const table = tables.get(qualified(column));
  return table?.columns.some((c) => c.name === column.column && c.identity != null) === true;
}

function createTable(table: TableInfo, target: Rel, rename: (text: string) => string): string {
  if (table.partitionBound != null && table.parent != null) {
    return `CREATE TABLE ${rel(target)} PARTITION OF ${rel({ schema: target.schema, name: table.parent.name })}\n    ${table.partitionBound};\n`;
  }
  const columns = table.columns.map((column) => `    ${columnLine(column, rename)}`);
  const partitioned = table.partitionBy ? `\nPARTITION BY ${table.partitionBy}` : '';
  return `CREATE TABLE ${rel(target)} (\n${columns.join(',\n')}\n)${partitioned};\n`;
}

function columnLine(column: ColumnInfo, rename: (text: string) => string): string {
  const parts = [ident(column.name), column.type];
  if (column.generated != null) {
    parts.push(`GENERATED ALWAYS AS (${rename(column.generated)}) STORED`);
  }
  if (column.default != null) parts.push(`DEFAULT ${rename(column.default)}`);
  if (column.identity != null) parts.push(`GENERATED ${column.identity.toUpperCase()} AS IDENTITY`);
  if (column.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

/** What the context's tables still use from outside its schema after the split. */
function outsideObjects(
  model: SchemaModel,
  names: Set<string>,
  context: ContextTarget,
  renames: Map<string, string>,
): string[] {
  const tables = model.tables.filter((t) => names.has(qualified(t)));
  const outside = new Set<string>();
  for (const table of tables) {
    for (const column of table.columns) {
      if (column.userType && column.userType.schema !== context.schema) {
        outside.add(`type ${qualified(column.userType)}`);
      }
      for (const match of (column.default ?? '').matchAll(/nextval\('([^']+)'/g)) {
        const sequence = renames.get(match[1]!) ?? match[1]!;
        if (!sequence.startsWith(`${context.schema}.`)) outside.add(`sequence ${sequence}`);
      }
    }
  }
  for (const use of model.functionUses.filter((u) => names.has(qualified(u.table)))) {
    outside.add(`function ${qualified(use.function)} (${use.object})`);
  }
  for (const fk of model.foreignKeys.filter((f) => names.has(qualified(f.table)))) {
    const target = renames.get(qualified(fk.references)) ?? qualified(fk.references);
    if (!target.startsWith(`${context.schema}.`)) {
      outside.add(`table ${target} (foreign key ${fk.name})`);
    }
  }
  for (const trigger of model.triggers.filter((t) => names.has(qualified(t.table)))) {
    outside.add(
      `function ${qualified(trigger.function)} (trigger ${trigger.name} on ${context.schema}.${trigger.table.name})`,
    );
  }
  if (outside.size === 0) return [];
  return [
    '-- Still used from outside this schema:',
    ...[...outside].sort().map((line) => `--   ${line}`),
  ];
}

/** An identifier as PostgreSQL prints it: plain, or double-quoted with "" inside. */
const NAME = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const QUALIFIED_NAME = new RegExp(String.raw`(?<![\w".])(${NAME})\.(${NAME})(?![\w"])`, 'g');

/** Replaces the schema-qualified names of `renames` in one pass over the text. */
function renameIn(text: string, renames: Map<string, string>): string {
  return text.replace(QUALIFIED_NAME, (whole, schema: string, name: string) => {
    const to = renames.get(`${unquote(schema)}.${unquote(name)}`);
    if (to == null) return whole;
    const dot = to.indexOf('.');
    return `${ident(to.slice(0, dot))}.${ident(to.slice(dot + 1))}`;
  });
}

function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name;
}
