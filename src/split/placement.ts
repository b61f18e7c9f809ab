import { TableOwnership } from '../check/ownership.js';
import { UserError } from '../errors.js';
import type { ContextMap, TablePattern } from '../config/types.js';
import type { Rel, SchemaModel, TableInfo } from './model.js';
import { byName, qualified } from './model.js';

export interface ContextTarget {
  name: string;
  /** The context's schema after the split. */
  schema: string;
  /** The role the context's code connects as: it gets the schema and a search_path. */
  role: string;
}

/** A table that changes schema, with the partitions and statistics objects that go with it. */
export interface Move {
  table: TableInfo;
  context: string;
  to: string;
  partitions: TableInfo[];
  statistics: Rel[];
}

/** Who owns what, and where each owned table goes. */
export interface Placement {
  contexts: ContextTarget[];
  contextOf(rel: Rel): string | null;
  moves: Move[];
  /** Tables no context owns: they stay where they are. */
  unowned: TableInfo[];
}

/**
 * Places every table of the model: a context's tables go to a schema named after the context
 * (lower case, other characters than letters, digits and _ turned into _), and partitions go with
 * their parent. The context's role is `<schema>_app`.
 */
export function placeTables(model: SchemaModel, map: ContextMap): Placement {
  const ownership = new TableOwnership(map);
  const contexts = map.contexts.map((context) => targetOf(context.name));
  const schemaOf = new Map(contexts.map((context) => [context.name, context.schema]));
  const tables = new Map(model.tables.map((table) => [qualified(table), table]));

  const contextOf = (rel: Rel): string | null => {
    const own = ownership.ownerOf(rel).context;
    if (own != null) return own;
    const parent = tables.get(qualified(rel))?.parent;
    return parent ? contextOf(parent) : null;
  };

  const children = new Map<string, TableInfo[]>();
  for (const table of model.tables) {
    if (!table.parent || !isPartition(table, tables)) continue;
    const key = qualified(table.parent);
    children.set(key, [...(children.get(key) ?? []), table]);
  }

  const moves: Move[] = [];
  const unowned: TableInfo[] = [];
  for (const table of [...model.tables].sort(byName)) {
    if (isPartition(table, tables)) continue;
    const context = contextOf(table);
    if (context == null) {
      unowned.push(table);
      continue;
    }
    const to = schemaOf.get(context)!;
    if (to !== table.schema) moves.push(moveOf(model, table, context, to, children));
  }
  assertDistinctTargets(moves, model);
  return { contexts, contextOf, moves, unowned };
}

export interface UnmatchedPattern {
  context: string;
  pattern: TablePattern;
}

/** The tables patterns that match no table of the model: a typo, or the wrong schema. */
export function unmatchedPatterns(model: SchemaModel, map: ContextMap): UnmatchedPattern[] {
  return map.contexts.flatMap((context) =>
    context.tables
      .filter((pattern) => {
        const single = new TableOwnership({
          ...map,
          contexts: [{ ...context, tables: [pattern] }],
        });
        return !model.tables.some((table) => single.ownerOf(table).context != null);
      })
      .map((pattern) => ({ context: context.name, pattern })),
  );
}

/** Whether any table of the model belongs to a context. */
export function placesAnyTable(model: SchemaModel, map: ContextMap): boolean {
  const ownership = new TableOwnership(map);
  return model.tables.some((table) => ownership.ownerOf(table).context != null);
}

/** Two tables cannot end up under one name, nor a table where another one already is. */
function assertDistinctTargets(moves: Move[], model: SchemaModel): void {
  const taken = new Map(model.tables.map((table) => [qualified(table), 'already there']));
  for (const move of moves) {
    for (const table of [move.table, ...move.partitions]) {
      const target = `${move.to}.${table.name}`;
      const other = taken.get(target);
      if (other != null && other !== qualified(table)) {
        const clash = other === 'already there' ? 'already exists' : `${other} moves to as well`;
        throw new UserError(
          `${qualified(table)} would move to ${target}, which ${clash}; rename one of them first, or leave one out of the context's tables patterns.`,
        );
      }
      taken.set(target, qualified(table));
    }
  }
}

/** PostgreSQL cuts longer names to this many bytes without a word. */
const MAX_NAME_BYTES = 63;

/**
 * Why the contexts cannot each have a schema and role of their own: two of them map to one
 * name, or a name is longer than PostgreSQL keeps. Null when they can.
 */
export function schemaNameProblem(contexts: string[]): string | null {
  const seen = new Map<string, string>();
  for (const target of contexts.map(targetOf)) {
    if (Buffer.byteLength(target.role) > MAX_NAME_BYTES) {
      return `context ${target.name} maps to schema ${target.schema} and role ${target.role}, longer than PostgreSQL's ${MAX_NAME_BYTES} bytes; shorten the context's name.`;
    }
    const other = seen.get(target.schema);
    if (other != null) {
      return `contexts ${other} and ${target.name} both map to schema ${target.schema}; rename one of them.`;
    }
    seen.set(target.schema, target.name);
  }
  return null;
}

function targetOf(name: string): ContextTarget {
  const schema = name
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .replace(/^(?=[0-9])/, '_');
  return { name, schema, role: `${schema}_app` };
}

/** A partition moves with its parent; an inheritance child is a table of its own. */
function isPartition(table: TableInfo, tables: Map<string, TableInfo>): boolean {
  return table.parent != null && tables.get(qualified(table.parent))?.kind === 'partitioned';
}

function moveOf(
  model: SchemaModel,
  table: TableInfo,
  context: string,
  to: string,
  children: Map<string, TableInfo[]>,
): Move {
  const partitions = partitionsOf(table, children).filter((p) => p.schema !== to);
  const moved = new Set([table, ...partitions].map(qualified));
  const statistics = model.statistics
    .filter((stat) => moved.has(qualified(stat.table)) && stat.schema !== to)
    .map((stat) => ({ schema: stat.schema, name: stat.name }))
    .sort(byName);
  return { table, context, to, partitions, statistics };
}

/** Partitions at every level below a partitioned table, parents before children. */
function partitionsOf(table: TableInfo, children: Map<string, TableInfo[]>): TableInfo[] {
  const direct = [...(children.get(qualified(table)) ?? [])].sort(byName);
  return direct.flatMap((child) => [child, ...partitionsOf(child, children)]);
}
