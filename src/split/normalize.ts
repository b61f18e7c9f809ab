import type { Rel, SchemaModel } from './model.js';
import { qualified } from './model.js';

/**
 * Puts every list of the model in one order, by code point, whichever reader filled it: the
 * server's collation and a dump's statement order must not change the plan.
 */
export function normalizeModel(model: SchemaModel): SchemaModel {
  return {
    ...model,
    schemas: [...new Set(model.schemas)].sort(compare),
    tables: sortBy(model.tables, qualified),
    sequences: sortBy(model.sequences, qualified).map((s) => ({
      ...s,
      usedBy: sortRels(s.usedBy),
    })),
    views: sortBy(model.views, qualified).map((v) => ({ ...v, reads: sortRels(v.reads) })),
    functions: sortBy(model.functions, (f) => `${f.schema}.${f.signature}`),
    triggers: sortBy(model.triggers, (t) => `${qualified(t.table)} ${t.name}`),
    types: sortBy(model.types, qualified),
    foreignKeys: sortBy(model.foreignKeys, (f) => `${qualified(f.table)} ${f.name}`),
    constraints: sortBy(model.constraints, (c) => `${qualified(c.table)} ${c.name}`),
    indexes: sortBy(model.indexes, (i) => `${qualified(i.table)} ${i.name}`),
    policies: sortBy(model.policies, (p) => `${qualified(p.table)} ${p.name}`).map((p) => ({
      ...p,
      reads: sortRels(p.reads),
    })),
    grants: sortBy(model.grants, (g) => `${qualified(g.table)} ${g.grantee}`),
    defaultPrivileges: sortBy(
      model.defaultPrivileges,
      (d) => `${d.role} ${d.schema} ${d.objectType} ${d.grantee}`,
    ),
    extensions: sortBy(model.extensions, (x) => x.name),
    extensionTypes: sortBy(model.extensionTypes, qualified),
    publications: sortBy(model.publications, (p) => p.name).map((p) => ({
      ...p,
      tables: sortRels(p.tables),
      schemas: [...p.schemas].sort(compare),
    })),
    statistics: sortBy(model.statistics, qualified),
    functionUses: sortBy(
      model.functionUses,
      (u) => `${qualified(u.table)} ${u.object} ${qualified(u.function)}`,
    ),
    roleSettings: sortBy(model.roleSettings, (s) => `${s.role} ${s.database ?? ''}`),
  };
}

function sortRels(rels: Rel[]): Rel[] {
  return sortBy(rels, qualified).map((r) => ({ schema: r.schema, name: r.name }));
}

function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => compare(key(a), key(b)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
