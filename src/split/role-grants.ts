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
  const { owned, tableGrants, sequenceGrants } = indexOf(model);
  const grants: RoleGrant[] = [];
  for (const table of [move.table, ...move.partitions]) {
    grants.push(grantOf('TABLE', table, move.to, role, TABLE_PRIVILEGES, tableGrants));
    for (const sequence of owned.get(qualified(table)) ?? []) {
      grants.push(
        grantOf('SEQUENCE', sequence, move.to, role, SEQUENCE_PRIVILEGES, sequenceGrants),
      );
    }
  }
  return grants.filter((grant) => grant.privileges.length > 0);
}

interface GrantIndex {
  owned: ReturnType<typeof sequencesByTable>;
  /** Privileges held, by `${grantee}\0${schema.name}`. */
  tableGrants: Map<string, string[]>;
  sequenceGrants: Map<string, string[]>;
}

/** Built once per model: a plan asks for every moved table, and there may be thousands. */
const indexes = new WeakMap<SchemaModel, GrantIndex>();

function indexOf(model: SchemaModel): GrantIndex {
  let index = indexes.get(model);
  if (!index) {
    index = {
      owned: sequencesByTable(model),
      tableGrants: byGranteeAndTable(model.grants),
      sequenceGrants: byGranteeAndTable(model.sequenceGrants),
    };
    indexes.set(model, index);
  }
  return index;
}

function byGranteeAndTable(grants: GrantInfo[]): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const grant of grants) {
    const key = `${grant.grantee}\0${qualified(grant.table)}`;
    index.set(key, [...(index.get(key) ?? []), ...grant.privileges]);
  }
  return index;
}

function grantOf(
  kind: RoleGrant['kind'],
  before: Rel,
  to: string,
  role: string,
  wanted: string[],
  held: Map<string, string[]>,
): RoleGrant {
  const has = new Set(held.get(`${role}\0${qualified(before)}`) ?? []);
  return {
    kind,
    before: { schema: before.schema, name: before.name },
    after: { schema: to, name: before.name },
    role,
    privileges: wanted.filter((p) => !has.has(p)),
  };
}
