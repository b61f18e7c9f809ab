/**
 * What a context role is granted on the tables that move into its schema: read and write on each
 * table and partition, use of the sequences they own. Only privileges the role does not hold
 * before the split are listed, so revert can take back exactly these and no more.
 */
import type { GrantInfo, Rel, SchemaModel } from './model.js';
import { qualified } from './model.js';
import type { Move, Placement } from './placement.js';
import { sequencesByTable } from './ddl.js';

export interface RoleGrant {
  kind: 'TABLE' | 'SEQUENCE';
  /** The name before the split. */
  before: Rel;
  /** The name after the split. */
  after: Rel;
  role: string;
  privileges: string[];
}

const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
const SEQUENCE_PRIVILEGES = ['USAGE', 'SELECT'];

export function contextRoleGrants(
  model: SchemaModel,
  placement: Placement,
  move: Move,
): RoleGrant[] {
  const role = placement.contexts.find((c) => c.name === move.context)!.role;
  const owned = sequencesByTable(model);
  const grants: RoleGrant[] = [];
  for (const table of [move.table, ...move.partitions]) {
    grants.push(grantOf('TABLE', table, move.to, role, TABLE_PRIVILEGES, model.grants));
    for (const sequence of owned.get(qualified(table)) ?? []) {
      grants.push(
        grantOf('SEQUENCE', sequence, move.to, role, SEQUENCE_PRIVILEGES, model.sequenceGrants),
      );
    }
  }
  return grants.filter((grant) => grant.privileges.length > 0);
}

function grantOf(
  kind: RoleGrant['kind'],
  before: Rel,
  to: string,
  role: string,
  wanted: string[],
  held: GrantInfo[],
): RoleGrant {
  const has = new Set(
    held
      .filter((g) => g.grantee === role && qualified(g.table) === qualified(before))
      .flatMap((g) => g.privileges),
  );
  return {
    kind,
    before: { schema: before.schema, name: before.name },
    after: { schema: to, name: before.name },
    role,
    privileges: wanted.filter((p) => !has.has(p)),
  };
}
