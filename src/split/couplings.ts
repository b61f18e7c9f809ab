/**
 * Couplings between contexts that a schema split keeps working but that block or complicate a
 * later physical split (one database per context), each with what to do about it.
 */
import type { FunctionInfo, Rel, SchemaModel, TableInfo } from './model.js';
import { qualified } from './model.js';
import type { Placement } from './placement.js';

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

const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

interface Scope {
  model: SchemaModel;
  placement: Placement;
  /** Where a relation will be after the split. */
  after: (rel: Rel) => string;
  /** Tables (not views) a relation reads, views followed recursively. */
  baseTables: (rel: Rel) => Rel[];
}

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

function buildScope(model: SchemaModel, placement: Placement): Scope {
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

function contextsOf(scope: Scope, rels: Rel[]): string[] {
  const found = rels.map((rel) => scope.placement.contextOf(rel));
  return [...new Set(found.filter((context): context is string => context != null))].sort();
}

function foreignKeys(scope: Scope): Coupling[] {
  return scope.model.foreignKeys.flatMap((fk) => {
    const from = scope.placement.contextOf(fk.table);
    const to = scope.placement.contextOf(fk.references);
    if (from == null || to == null || from === to) return [];

    const cascades = fk.onDelete !== 'no action' && fk.onDelete !== 'restrict';
    const source = scope.after(fk.table);
    const target = scope.after(fk.references);
    const what = `${source} (${from}) references ${target} (${to}) through ${fk.name}${
      cascades
        ? `, ON DELETE ${fk.onDelete.toUpperCase()}: deleting in ${to} changes rows of ${from}`
        : ''
    }.`;
    const advice = cascades
      ? `Replace the ON DELETE ${fk.onDelete.toUpperCase()} with an event ${to} publishes when a row goes (or a clean-up job in ${from}), then drop the constraint before a physical split. Across schemas of one database it keeps working.`
      : `It keeps working across schemas. Before a physical split, check the reference in ${from}'s code (or keep a loose reference cleaned up from ${to}'s events); if you re-add it, use ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT.`;
    return [
      {
        kind: 'foreign-key',
        objects: [`${source}.${fk.name}`, source, target],
        contexts: [from, to],
        severity: cascades ? 'high' : 'medium',
        what,
        advice,
      },
    ];
  });
}

function sequences(scope: Scope): Coupling[] {
  return scope.model.sequences.flatMap((sequence) => {
    const users = [...sequence.usedBy, ...(sequence.ownedBy ? [sequence.ownedBy] : [])];
    const contexts = contextsOf(scope, users);
    if (contexts.length < 2) return [];
    return [
      {
        kind: 'sequence',
        objects: [qualified(sequence), ...sequence.usedBy.map(scope.after)],
        contexts,
        severity: 'medium',
        what: `${qualified(sequence)} feeds the column defaults of ${contexts.join(', ')}; it stays in ${sequence.schema}.`,
        advice: `Give each context its own sequence, started above the current maximum (SELECT setval('<context>.<name>', (SELECT max(id) FROM …))), and point each default at it; or move it to a shared schema every context role can use. ALTER SEQUENCE … OWNED BY cannot link it to a table in another schema.`,
      },
    ];
  });
}

function views(scope: Scope): Coupling[] {
  return scope.model.views.flatMap((view) => {
    const bases = scope.baseTables(view);
    const contexts = contextsOf(scope, bases);
    if (contexts.length < 2) return [];
    const kind = view.materialized ? 'materialized view' : 'view';
    return [
      {
        kind: 'view',
        objects: [qualified(view), ...unique(bases.map(scope.after))],
        contexts,
        severity: 'medium',
        what: `The ${kind} ${qualified(view)} reads tables of ${contexts.join(' and ')}; it stays in ${view.schema} and keeps working (views are bound to tables, not names).`,
        advice: `Give it one owner: a reporting context fed by events, or the context it serves, reading the others through their published views. ${
          view.materialized ? 'Refresh jobs keep working but must move with it. ' : ''
        }A physical split breaks it.`,
      },
    ];
  });
}

function functions(scope: Scope): Coupling[] {
  return scope.model.functions
    .flatMap((fn) => [
      ...functionReads(scope, fn),
      ...functionNames(scope, fn),
      ...functionSafety(scope, fn),
    ])
    .concat(functionUses(scope));
}

function functionReads(scope: Scope, fn: FunctionInfo): Coupling[] {
  const bases = fn.reads.flatMap((read) => scope.baseTables(read));
  const contexts = contextsOf(scope, bases);
  if (contexts.length < 2) return [];
  const writes = fn.reads.filter((read) => read.writes).map(scope.after);
  return [
    {
      kind: 'function',
      objects: [`${fn.schema}.${fn.signature}`, ...unique(bases.map(scope.after))],
      contexts,
      severity: writes.length > 0 ? 'high' : 'medium',
      what: `${fn.schema}.${fn.signature} uses tables of ${contexts.join(' and ')}${
        writes.length > 0 ? ` and writes ${unique(writes).join(', ')}` : ''
      }${fn.standardBody ? ' (PostgreSQL records these dependencies)' : ' (found by parsing its body)'}.`,
      advice: `Move it into the schema of the context whose tables it writes (ALTER FUNCTION … SET SCHEMA) and have it read the other contexts through their published views or APIs; a physical split breaks it.`,
    },
  ];
}

/** Bare names of moved tables resolve to the compatibility views after the split. */
function functionNames(scope: Scope, fn: FunctionInfo): Coupling[] {
  const bare = fn.reads.filter((read) => read.unqualified && scope.after(read) !== qualified(read));
  if (bare.length === 0) return [];
  const names = bare.map((read) => `${read.name} → ${scope.after(read)}`).join(', ');
  return [
    {
      kind: 'function',
      objects: [`${fn.schema}.${fn.signature}`, ...bare.map(scope.after)],
      contexts: contextsOf(scope, bare),
      severity: 'medium',
      what: `${fn.schema}.${fn.signature} names moved tables without a schema (${names}); PostgreSQL looks them up at run time, so after the move they resolve to the compatibility views.`,
      advice: `Write the new schema-qualified names in the body, or pin SET search_path on the function, before the compatibility views are dropped.`,
    },
  ];
}

function functionSafety(scope: Scope, fn: FunctionInfo): Coupling[] {
  const name = `${fn.schema}.${fn.signature}`;
  const found: Coupling[] = [];
  const movedRowTypes = fn.rowTypes.filter((rel) => scope.after(rel) !== qualified(rel));
  if (fn.securityDefiner && fn.pinnedSearchPath == null) {
    found.push({
      kind: 'function',
      objects: [name],
      contexts: [],
      severity: 'high',
      what: `${name} is SECURITY DEFINER without a pinned search_path: whoever can create objects in a schema on the caller's search_path can hijack it, and the split adds schemas to role search_paths.`,
      advice: `ALTER FUNCTION ${name} SET search_path = pg_catalog, <its schemas>, and qualify the names in its body.`,
    });
  }
  if (fn.dynamic) {
    found.push({
      kind: 'function',
      objects: [name],
      contexts: [],
      severity: 'low',
      what: `${name} runs SQL built at run time (EXECUTE); which tables it reaches cannot be read from its body.`,
      advice: `Review the SQL it builds: table names in it must become schema-qualified, or it must run with a search_path that holds the new schemas.`,
    });
  }
  if (fn.unparsed != null) {
    found.push({
      kind: 'function',
      objects: [name],
      contexts: [],
      severity: 'low',
      what: `The body of ${name} was not read (${fn.unparsed}).`,
      advice: `Check by hand which tables it names.`,
    });
  }
  if (movedRowTypes.length > 0) {
    found.push({
      kind: 'function',
      objects: [name, ...movedRowTypes.map(scope.after)],
      contexts: contextsOf(scope, movedRowTypes),
      severity: 'low',
      what: `${name} takes or returns the row type of ${movedRowTypes.map(scope.after).join(', ')}, which moves with its table; the signature then names the new schema.`,
      advice: `Move the function with that table's context, or keep it and expect its signature to change in dumps and migrations.`,
    });
  }
  return found;
}

/** Indexes, constraints and defaults of a table call functions that stay in the old schema. */
function functionUses(scope: Scope): Coupling[] {
  const byFunction = new Map<string, { fn: Rel; uses: SchemaModel['functionUses'] }>();
  for (const use of scope.model.functionUses) {
    const key = qualified(use.function);
    const entry = byFunction.get(key) ?? { fn: use.function, uses: [] };
    entry.uses.push(use);
    byFunction.set(key, entry);
  }

  return [...byFunction.values()].flatMap(({ fn, uses }) => {
    const contexts = contextsOf(
      scope,
      uses.map((use) => use.table),
    );
    if (contexts.length === 0) return [];
    const users = uses.map((use) => `${use.object} on ${scope.after(use.table)}`);
    return [
      {
        kind: 'function' as const,
        objects: [qualified(fn), ...unique(uses.map((use) => scope.after(use.table)))],
        contexts,
        severity: contexts.length > 1 ? ('medium' as const) : ('low' as const),
        what: `${qualified(fn)} is called by ${users.join(', ')}; it stays in ${fn.schema} when the tables move.`,
        advice:
          contexts.length > 1
            ? `Several contexts depend on it: put it in a shared schema, or give each context its own copy (a physical split needs one per database).`
            : `Move it into ${contexts[0]}'s schema (ALTER FUNCTION … SET SCHEMA) so it travels with the context.`,
      },
    ];
  });
}

function triggers(scope: Scope): Coupling[] {
  const functions = new Map(scope.model.functions.map((fn) => [qualified(fn), fn]));
  const found: Coupling[] = [];

  for (const trigger of scope.model.triggers) {
    const owner = scope.placement.contextOf(trigger.table);
    const fn = functions.get(qualified(trigger.function));
    if (owner == null || fn == null) continue;
    const others = fn.reads
      .flatMap((read) => scope.baseTables(read))
      .filter((rel) => {
        const context = scope.placement.contextOf(rel);
        return context != null && context !== owner;
      });
    if (others.length === 0) continue;

    const contexts = contextsOf(scope, others);
    found.push({
      kind: 'trigger',
      objects: [
        `${scope.after(trigger.table)}.${trigger.name}`,
        `${fn.schema}.${fn.signature}`,
        ...unique(others.map(scope.after)),
      ],
      contexts: [owner, ...contexts.filter((context) => context !== owner)],
      severity: 'high',
      what: `Trigger ${trigger.name} on ${scope.after(trigger.table)} (${owner}) runs ${fn.schema}.${fn.signature}, which uses ${unique(others.map(scope.after)).join(', ')} of ${contexts.join(', ')}: a write in ${owner} depends on another context's data.`,
      advice: `Move the check into ${owner}'s code or have ${owner} keep its own copy of the data it checks (fed by events); meanwhile move the function into ${owner}'s schema with qualified names.`,
    });
  }
  return found;
}

function types(scope: Scope): Coupling[] {
  return scope.model.types.flatMap((type) => {
    const users = scope.model.tables.filter((table) =>
      table.columns.some(
        (column) => column.userType && qualified(column.userType) === qualified(type),
      ),
    );
    const contexts = contextsOf(scope, users);
    if (contexts.length < 2) return [];
    return [
      {
        kind: 'type',
        objects: [qualified(type), ...users.map(scope.after)],
        contexts,
        severity: 'medium',
        what: `The ${type.kind} ${qualified(type)} types columns of ${contexts.join(', ')}; it stays in ${type.schema}.`,
        advice: `Keep it in a shared-kernel schema every context role can use, or give each context its own copy; switching a column to a copy needs ALTER COLUMN … TYPE … USING, which rewrites the table.`,
      },
    ];
  });
}

function policies(scope: Scope): Coupling[] {
  return scope.model.policies.flatMap((policy) => {
    const owner = scope.placement.contextOf(policy.table);
    const others = policy.reads
      .flatMap((read) => scope.baseTables(read))
      .filter((rel) => {
        const context = scope.placement.contextOf(rel);
        return context != null && context !== owner;
      });
    if (owner == null || others.length === 0) return [];
    const contexts = contextsOf(scope, others);
    return [
      {
        kind: 'policy',
        objects: [
          `${scope.after(policy.table)}.${policy.name}`,
          ...unique(others.map(scope.after)),
        ],
        contexts: [owner, ...contexts],
        severity: 'high',
        what: `Row-level security policy ${policy.name} on ${scope.after(policy.table)} (${owner}) reads ${unique(others.map(scope.after)).join(', ')} of ${contexts.join(', ')}; it moves with its table and keeps working.`,
        advice: `Give ${owner} its own copy of the column the policy checks (fed by events), so its rows can be secured without another context's table. The compatibility views use security_invoker, so the policy still applies through the old names.`,
      },
    ];
  });
}

function grants(scope: Scope): Coupling[] {
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

function extensions(scope: Scope): Coupling[] {
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

function publications(scope: Scope): Coupling[] {
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

function partitions(scope: Scope): Coupling[] {
  return scope.placement.moves.flatMap((move) => {
    if (move.partitions.length === 0) return [];
    const strays = move.partitions.filter((p) => {
      const context = scope.placement.contextOf(p);
      return context != null && context !== move.context;
    });
    return [
      {
        kind: 'partition',
        objects: [qualified(move.table), ...move.partitions.map(qualified)],
        contexts: contextsOf(scope, [move.table, ...move.partitions]),
        severity: strays.length > 0 ? 'high' : 'low',
        what:
          strays.length > 0
            ? `Partitions of ${qualified(move.table)} (${move.context}) are mapped to other contexts: ${strays.map(qualified).join(', ')}.`
            : `${qualified(move.table)} has ${move.partitions.length} partition(s); ALTER TABLE … SET SCHEMA does not move partitions.`,
        advice:
          strays.length > 0
            ? `A partition belongs with its parent: fix the tables patterns in dbboundary.yaml. The plan moves them with ${qualified(move.table)}.`
            : `The plan moves each partition to ${move.to}. Tools that create partitions (pg_partman, cron jobs) must now create them in ${move.to}.`,
      },
    ];
  });
}

function statistics(scope: Scope): Coupling[] {
  return scope.placement.moves.flatMap((move) =>
    move.statistics.map((stat) => ({
      kind: 'statistics' as const,
      objects: [qualified(stat), qualified(move.table)],
      contexts: [move.context],
      severity: 'low' as const,
      what: `Extended statistics ${qualified(stat)} on ${qualified(move.table)} live in their own schema and stay behind when the table moves.`,
      advice: `The plan moves it with ALTER STATISTICS … SET SCHEMA ${move.to}.`,
    })),
  );
}

function unownedTables(scope: Scope): Coupling[] {
  return scope.placement.unowned.map((table: TableInfo) => {
    const neighbours = scope.model.foreignKeys
      .filter(
        (fk) =>
          qualified(fk.table) === qualified(table) || qualified(fk.references) === qualified(table),
      )
      .map((fk) => (qualified(fk.table) === qualified(table) ? fk.references : fk.table));
    return {
      kind: 'unowned-table' as const,
      objects: [qualified(table), ...unique(neighbours.map(scope.after))],
      contexts: contextsOf(scope, neighbours),
      severity: 'medium' as const,
      what: `No context's tables patterns match ${qualified(table)}; it stays in ${table.schema}.`,
      advice: `Add it to the tables of the context that writes it in dbboundary.yaml, or keep it in ${table.schema} as shared data with a named owner.`,
    };
  });
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
