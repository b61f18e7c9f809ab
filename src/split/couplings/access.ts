/** Couplings through access and distribution: grants, extensions, publications. */
import { qualified } from '../model.js';
import type { Coupling, Scope } from './scope.js';
import { contextsOf, unique } from './scope.js';

export function grants(scope: Scope): Coupling[] {
  const roleContext = new Map(scope.placement.contexts.map((c) => [c.role, c.name]));
  const found: Coupling[] = [];

  for (const grant of scope.model.grants) {
    const owner = scope.placement.contextOf(grant.table);
    const grantee = roleContext.get(grant.grantee);
    if (owner == null || grantee == null || grantee === owner) continue;
    const writes = grant.privileges.some((p) => p !== 'SELECT' && p !== 'REFERENCES');
    found.push({
      kind: 'grant',
      objects: [scope.after(grant.table)],
      contexts: [owner, grantee],
      severity: writes ? 'high' : 'medium',
      what: `${grant.grantee} (${grantee}) holds ${grant.privileges.join(', ')} on ${scope.after(grant.table)} of ${owner}.`,
      advice: `Have ${grantee} go through ${owner}'s API or a view ${owner} publishes for it, then REVOKE the grant. The plan gives ${grant.grantee} USAGE on ${owner}'s schema so the grant keeps working meanwhile.`,
    });
  }

  const sources = new Set(scope.placement.moves.map((move) => move.table.schema));
  for (const entry of scope.model.defaultPrivileges) {
    if (!sources.has(entry.schema)) continue;
    const targets = unique(
      scope.placement.moves.filter((m) => m.table.schema === entry.schema).map((m) => m.to),
    );
    found.push({
      kind: 'grant',
      objects: [entry.schema],
      contexts: contextsOf(
        scope,
        scope.placement.moves.filter((m) => m.table.schema === entry.schema).map((m) => m.table),
      ),
      severity: 'low',
      what: `Default privileges in ${entry.schema} give ${entry.grantee} ${entry.privileges.join(', ')} on new ${entry.objectType} of ${entry.role}; default privileges belong to a schema and do not follow moved tables.`,
      advice: `The plan copies them to ${targets.join(', ')}. Decide whether ${entry.grantee} should keep getting every context's new ${entry.objectType}.`,
    });
  }
  return found;
}

export function extensions(scope: Scope): Coupling[] {
  const extensionOf = new Map(scope.model.extensionTypes.map((t) => [qualified(t), t.extension]));
  for (const type of scope.model.types) {
    const base = type.baseType && extensionOf.get(qualified(type.baseType));
    if (base) extensionOf.set(qualified(type), base);
  }

  return scope.model.extensions.flatMap((extension) => {
    const users = scope.model.tables.filter((table) =>
      table.columns.some(
        (column) =>
          column.userType && extensionOf.get(qualified(column.userType)) === extension.name,
      ),
    );
    const contexts = contextsOf(scope, users);
    if (contexts.length === 0) return [];
    return [
      {
        kind: 'extension',
        objects: [`${extension.schema}.${extension.name}`, ...users.map(scope.after)],
        contexts,
        severity: contexts.length > 1 ? 'medium' : 'low',
        what: `Columns of ${contexts.join(', ')} use types of the extension ${extension.name} (in ${extension.schema}); the plan moves none of its objects.`,
        advice: `Keep ${extension.name} in one schema that is on every context role's search_path (the plan keeps ${extension.schema} there); a physical split needs it installed in each database.`,
      },
    ];
  });
}

export function publications(scope: Scope): Coupling[] {
  const moved = new Map(scope.placement.moves.map((move) => [qualified(move.table), move]));
  const sources = new Set(scope.placement.moves.map((move) => move.table.schema));

  return scope.model.publications.flatMap((publication) => {
    const listed = publication.tables.filter((table) => moved.has(qualified(table)));
    const wholeSchemas = publication.schemas.filter((schema) => sources.has(schema));
    if (listed.length === 0 && wholeSchemas.length === 0) return [];
    const leaving = scope.placement.moves.filter((move) =>
      wholeSchemas.includes(move.table.schema),
    );
    const tables = [...listed, ...leaving.map((move) => move.table)];
    return [
      {
        kind: 'publication',
        objects: [publication.name, ...unique(tables.map(scope.after))],
        contexts: contextsOf(scope, tables),
        severity: wholeSchemas.length > 0 ? 'high' : 'medium',
        what:
          wholeSchemas.length > 0
            ? `Publication ${publication.name} publishes schema ${wholeSchemas.join(', ')} whole; the moved tables leave it.`
            : `Publication ${publication.name} publishes ${listed.map(qualified).join(', ')}; membership follows the tables, but subscribers match tables by schema-qualified name.`,
        advice:
          wholeSchemas.length > 0
            ? `ALTER PUBLICATION ${publication.name} ADD TABLES IN SCHEMA for the context schemas, and move the tables on every subscriber too.`
            : `Move the tables on every subscriber (ALTER TABLE … SET SCHEMA there) before the plan runs here, or replication stops on the first change.`,
      },
    ];
  });
}
