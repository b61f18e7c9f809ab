/**
 * Couplings between contexts that a schema split keeps working but that block or complicate a
 * later physical split (one database per context), each with what to do about it.
 */
import type { SchemaModel } from '../model.js';
import type { Placement } from '../placement.js';
import { extensions, grants, publications } from './access.js';
import { functions, policies, triggers, views } from './code.js';
import { COUPLING_KINDS, SEVERITY_RANK, buildScope } from './scope.js';
import type { Coupling } from './scope.js';
import {
  foreignKeys,
  ownedSequences,
  partitions,
  sequences,
  statistics,
  types,
  unownedTables,
} from './tables.js';

export { COUPLING_KINDS } from './scope.js';
export type { Coupling, CouplingKind, Severity } from './scope.js';

/** Every coupling in the model, cascading foreign keys first, then by severity. */
export function findCouplings(model: SchemaModel, placement: Placement): Coupling[] {
  const scope = buildScope(model, placement);
  const found = [
    ...foreignKeys(scope),
    ...sequences(scope),
    ...views(scope),
    ...functions(scope),
    ...triggers(scope),
    ...types(scope),
    ...policies(scope),
    ...grants(scope),
    ...extensions(scope),
    ...publications(scope),
    ...partitions(scope),
    ...statistics(scope),
    ...ownedSequences(scope),
    ...unownedTables(scope),
  ];
  return found.sort(compareCouplings);
}

function compareCouplings(a: Coupling, b: Coupling): number {
  const cascade = (c: Coupling): number =>
    c.kind === 'foreign-key' && c.severity === 'high' ? 0 : 1;
  return (
    cascade(a) - cascade(b) ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    COUPLING_KINDS.indexOf(a.kind) - COUPLING_KINDS.indexOf(b.kind) ||
    a.objects.join(',').localeCompare(b.objects.join(','))
  );
}
