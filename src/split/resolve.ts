import type { RawBodyRef } from './bodies.js';
import type { BodyRef, Rel, SchemaModel } from './model.js';

/**
 * Gives each name a function body writes without a schema the schema it would resolve to: the
 * function's pinned search_path if it has one, else the usual `"$user", public`, then the
 * function's own schema. A name no schema holds is dropped (a CTE, a temporary table, a typo).
 */
export function resolveBodyRefs(
  refs: RawBodyRef[],
  fn: { schema: string; pinnedSearchPath: string | null },
  relations: ReadonlyMap<string, Rel>,
): BodyRef[] {
  const path = searchPathOf(fn);
  const resolved: BodyRef[] = [];

  for (const ref of refs) {
    if (ref.schema != null) {
      if (ref.schema === 'pg_catalog' || ref.schema === 'information_schema') continue;
      resolved.push({ schema: ref.schema, name: ref.name, unqualified: false, writes: ref.writes });
      continue;
    }
    const schema = path.find((candidate) => relations.has(`${candidate}.${ref.name}`));
    if (schema != null) {
      resolved.push({ schema, name: ref.name, unqualified: true, writes: ref.writes });
    }
  }
  return resolved;
}

function searchPathOf(fn: { schema: string; pinnedSearchPath: string | null }): string[] {
  const pinned = (fn.pinnedSearchPath ?? '')
    .split(',')
    .map((part) => part.trim().replace(/^"(.*)"$/, '$1'))
    .filter((part) => part !== '' && part !== '$user' && part !== 'pg_catalog');
  if (fn.pinnedSearchPath != null) return pinned;
  return [...new Set(['public', fn.schema])];
}

/** Every relation of the model by schema.name, for resolving names. */
export function relationIndex(
  model: Pick<SchemaModel, 'tables' | 'views' | 'sequences'>,
): Map<string, Rel> {
  const index = new Map<string, Rel>();
  for (const rel of [...model.tables, ...model.views, ...model.sequences]) {
    index.set(`${rel.schema}.${rel.name}`, { schema: rel.schema, name: rel.name });
  }
  return index;
}
