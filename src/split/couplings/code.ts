/** Couplings through code kept in the database: views, functions, triggers, policies. */
import type { FunctionInfo, Rel, SchemaModel } from '../model.js';
import { qualified } from '../model.js';
import type { Coupling, Scope } from './scope.js';
import { contextsOf, unique } from './scope.js';

export function views(scope: Scope): Coupling[] {
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

export function functions(scope: Scope): Coupling[] {
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

export function triggers(scope: Scope): Coupling[] {
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

export function policies(scope: Scope): Coupling[] {
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
