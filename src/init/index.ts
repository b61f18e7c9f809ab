import path from 'node:path';
import type { Dialect } from '../sql/types.js';
import { SHAPES, inferLayout } from './layout.js';
import type { InferredContext } from './layout.js';
import { renderContextMap, schemaPattern } from './yaml.js';
import type { ContextEntry, UnplacedSchema } from './yaml.js';

export { checkInitTarget, writeInitFile } from './write.js';

export interface InitOptions {
  dialect?: Dialect;
  /**
   * The database's tables by schema, as introspectTableOwnership gives them. A schema named
   * like a context (or its folder) becomes that context's `schema.*`; the others are listed.
   */
  tables?: Record<string, string[]>;
}

export interface InitResult {
  /** The dbboundary.yaml text, with comments. */
  yaml: string;
  /** The contexts written, in order. */
  contexts: string[];
  /** What the user should know: the layout found, folders left out, schemas not placed. */
  notes: string[];
}

/** Stands in for the folders when no layout is recognized; the user renames it. */
const EXAMPLE: InferredContext = {
  name: 'orders',
  folder: 'src/orders',
  code: ['src/orders/**'],
  public: ['src/orders/api/**'],
};

/**
 * Drafts a context map for the code under root from its folder layout (src/contexts/*,
 * src/modules/*, packages/* and the like) and, when given, the database's schemas.
 */
export function inferContextMap(root: string, options: InitOptions = {}): InitResult {
  const layout = inferLayout(root);
  const found = layout.contexts.length > 0;
  const contexts = found ? layout.contexts : [EXAMPLE];
  const notes = found ? [foundNote(layout.shapes, contexts.length)] : [templateNote()];
  notes.push(...layout.notes);

  // The example context of a template owns nothing: every schema is listed for the user instead.
  const placement = options.tables
    ? placeSchemas(layout.contexts, options.tables)
    : { tables: new Map<string, string[]>(), unplaced: [] };
  notes.push(...placement.unplaced.map(unplacedNote));
  if (!options.tables && found) {
    notes.push('tables are empty: list the tables each context owns, or run init with --db <url>.');
  }

  const entries: ContextEntry[] = contexts.map((context) => ({
    name: context.name,
    code: context.code,
    tables: placement.tables.get(context.name) ?? [],
    public: context.public,
  }));
  const yaml = renderContextMap({
    dialect: options.dialect ?? 'postgresql',
    source: found ? layout.shapes.join(', ') : null,
    contexts: entries,
    unplaced: placement.unplaced,
  });
  return { yaml, contexts: found ? entries.map((entry) => entry.name) : [], notes };
}

function foundNote(shapes: string[], count: number): string {
  return `found ${count} context${count === 1 ? '' : 's'} in ${shapes.join(', ')}.`;
}

function templateNote(): string {
  const layouts = SHAPES.map((shape) => `${shape}/*`).join(', ');
  return `no known folder layout (${layouts}): wrote a template with one example context; edit it to name your contexts and their folders.`;
}

function unplacedNote(entry: UnplacedSchema): string {
  const count = `${entry.tables.length} table${entry.tables.length === 1 ? '' : 's'}`;
  const why = entry.reason ?? 'matches no context by name';
  return `schema ${entry.schema} (${count}) ${why}; it is listed at the end of the file for you to place.`;
}

interface Placement {
  /** `schema.*` patterns by context name. */
  tables: Map<string, string[]>;
  unplaced: UnplacedSchema[];
}

/**
 * Gives each schema to the context with its name (or its folder's name), comparing without
 * case and with - and _ alike; a plural or singular of the name is tried when nothing else fits.
 * A schema with no tables and no context (public, in a new database) has nothing to place.
 */
function placeSchemas(contexts: InferredContext[], bySchema: Record<string, string[]>): Placement {
  const placement: Placement = { tables: new Map(), unplaced: [] };
  for (const [schema, tables] of Object.entries(bySchema).sort(([a], [b]) => a.localeCompare(b))) {
    const owners = ownersOf(schema, contexts);
    if (owners.length === 1) {
      const patterns = placement.tables.get(owners[0]!) ?? [];
      placement.tables.set(owners[0]!, [...patterns, schemaPattern(schema)]);
    } else if (owners.length > 1) {
      const reason = `matches the contexts ${owners.join(' and ')}; a schema has one owner`;
      placement.unplaced.push({ schema, tables, reason });
    } else if (tables.length > 0) {
      placement.unplaced.push({ schema, tables });
    }
  }
  return placement;
}

function ownersOf(schema: string, contexts: InferredContext[]): string[] {
  const matching = (same: (a: string, b: string) => boolean): string[] =>
    contexts
      .filter((context) => namesOf(context).some((name) => same(name, comparable(schema))))
      .map((context) => context.name);

  const exact = matching((a, b) => a === b);
  return exact.length > 0 ? exact : matching((a, b) => singular(a) === singular(b));
}

function namesOf(context: InferredContext): string[] {
  return [context.name, path.posix.basename(context.folder)].map(comparable);
}

function comparable(name: string): string {
  return name.toLowerCase().replaceAll('-', '_');
}

function singular(name: string): string {
  return name.endsWith('s') ? name.slice(0, -1) : name;
}
