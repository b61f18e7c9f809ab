/** Couplings through tables themselves: keys, sequences, types, partitions, statistics, owners. */
import type { TableInfo } from '../model.js';
import { qualified } from '../model.js';
import type { Coupling, Scope } from './scope.js';
import { contextsOf, unique } from './scope.js';

export function foreignKeys(scope: Scope): Coupling[] {
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

export function sequences(scope: Scope): Coupling[] {
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

export function types(scope: Scope): Coupling[] {
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

export function partitions(scope: Scope): Coupling[] {
  return scope.placement.moves.flatMap((move) => {
    if (move.partitions.length === 0) return [];
    const strays = move.partitions.filter((p) => {
      const context = scope.placement.contextOf(p);
      return context != null && context !== move.context;
    });
    return [
      {
        kind: 'partition',
        objects: [move.table, ...move.partitions].map(scope.after),
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

export function statistics(scope: Scope): Coupling[] {
  return scope.placement.moves.flatMap((move) =>
    move.statistics.map((stat) => ({
      kind: 'statistics' as const,
      objects: [`${move.to}.${stat.name}`, scope.after(move.table)],
      contexts: [move.context],
      severity: 'low' as const,
      what: `Extended statistics ${qualified(stat)} on ${qualified(move.table)} live in their own schema and stay behind when the table moves.`,
      advice: `The plan moves it with ALTER STATISTICS … SET SCHEMA ${move.to}.`,
    })),
  );
}

/** Sequences owned by a moved table go with it: their old names stop working. */
export function ownedSequences(scope: Scope): Coupling[] {
  return scope.placement.moves.flatMap((move) =>
    [move.table, ...move.partitions].flatMap((table) =>
      scope.model.sequences
        .filter((s) => s.ownedBy != null && qualified(s.ownedBy) === qualified(table))
        .map((sequence) => {
          const after = `${move.to}.${sequence.name}`;
          return {
            kind: 'sequence' as const,
            objects: [after, scope.after(table)],
            contexts: [move.context],
            severity: 'low' as const,
            what: `${qualified(sequence)} belongs to ${qualified(table)} and moves with it to ${after}; nothing is left under the old name, so ${qualified(sequence)} stops working.`,
            advice: `Column defaults follow on their own. Change code, jobs and scripts that name the sequence (nextval, currval('${after}'), setval) to the new name before applying the plan; a compatibility view cannot stand in for a sequence.`,
          };
        }),
    ),
  );
}

export function unownedTables(scope: Scope): Coupling[] {
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
