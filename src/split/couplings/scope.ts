/** The coupling vocabulary and the view of the model every detector works from. */
import type { Rel, SchemaModel } from '../model.js';
import { qualified } from '../model.js';
import type { Placement } from '../placement.js';

export const COUPLING_KINDS = [
  'foreign-key',
  'sequence',
  'view',
  'function',
  'trigger',
  'type',
  'policy',
  'grant',
  'extension',
  'publication',
  'partition',
  'statistics',
  'unowned-table',
] as const;

export type CouplingKind = (typeof COUPLING_KINDS)[number];

export type Severity = 'high' | 'medium' | 'low';

export interface Coupling {
  kind: CouplingKind;
  /** Schema-qualified names of the catalog objects involved, the coupling object first. */
  objects: string[];
  contexts: string[];
  severity: Severity;
  /** What the coupling is. */
  what: string;
  /** What to do about it. */
  advice: string;
}

export const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

export interface Scope {
  model: SchemaModel;
  placement: Placement;
  /** Where a relation will be after the split. */
  after: (rel: Rel) => string;
  /** Tables (not views) a relation reads, views followed recursively. */
  baseTables: (rel: Rel) => Rel[];
}

export function buildScope(model: SchemaModel, placement: Placement): Scope {
  const target = new Map<string, string>();
  for (const move of placement.moves) {
    for (const table of [move.table, ...move.partitions]) {
      target.set(qualified(table), `${move.to}.${table.name}`);
    }
  }
  const views = new Map(model.views.map((view) => [qualified(view), view]));
  const tables = new Set(model.tables.map(qualified));

  const baseTables = (rel: Rel, seen = new Set<string>()): Rel[] => {
    const key = qualified(rel);
    if (seen.has(key)) return [];
    seen.add(key);
    const view = views.get(key);
    if (view) return view.reads.flatMap((read) => baseTables(read, seen));
    return tables.has(key) ? [rel] : [];
  };
  return {
    model,
    placement,
    after: (rel) => target.get(qualified(rel)) ?? qualified(rel),
    baseTables,
  };
}

export function contextsOf(scope: Scope, rels: Rel[]): string[] {
  const found = rels.map((rel) => scope.placement.contextOf(rel));
  return [...new Set(found.filter((context): context is string => context != null))].sort();
}

export function unique(values: string[]): string[] {
  return [...new Set(values)];
}
