import type { Cell, Engine } from '../../db/session.js';
import type { ColumnPlan, Plan } from '../plan.js';
import type { Observation } from '../recheck.js';
import { quoteIdent } from '../sql.js';

/**
 * Statements that would make the target hold what the source holds, for confirmed differences:
 * INSERT for missing rows, DELETE for extra rows, UPDATE of the differing columns for changed
 * rows. They are written for a person to review and run; reconcile never runs them.
 */
export function repairStatements(plan: Plan, confirmed: Observation[]): string[] {
  const engine = plan.target.engine;
  return confirmed.flatMap((seen) => {
    if (seen.kind === 'missing' && seen.source) return [insert(plan, engine, seen)];
    if (seen.kind === 'extra' && seen.target) {
      return [`DELETE FROM ${plan.target.table} WHERE ${keyMatch(plan, engine, seen.target.key)};`];
    }
    if (seen.kind === 'changed' && seen.source && seen.target) return [update(plan, engine, seen)];
    return [];
  });
}

function insert(plan: Plan, engine: Engine, seen: Observation): string {
  const row = seen.source!;
  const names = [...plan.keys, ...plan.columns].map((column) => quoteIdent(engine, column.target));
  const values = [
    ...row.key.map((value) => literal(engine, value)),
    ...plan.columns.map((column, index) =>
      valueOf(engine, column, row.display[index]!, row.canon[index]!),
    ),
  ];
  return `INSERT INTO ${plan.target.table} (${names.join(', ')}) VALUES (${values.join(', ')});`;
}

function update(plan: Plan, engine: Engine, seen: Observation): string {
  const row = seen.source!;
  const sets = plan.columns.flatMap((column, index) =>
    column.source in seen.columns
      ? [
          `${quoteIdent(engine, column.target)} = ${valueOf(engine, column, row.display[index]!, row.canon[index]!)}`,
        ]
      : [],
  );
  return `UPDATE ${plan.target.table} SET ${sets.join(', ')} WHERE ${keyMatch(plan, engine, seen.target!.key)};`;
}

function keyMatch(plan: Plan, engine: Engine, key: Cell[]): string {
  return plan.keys
    .map(
      (column, index) =>
        `${quoteIdent(engine, column.target)} = ${literal(engine, key[index] ?? null)}`,
    )
    .join(' AND ');
}

/** Booleans and binary values go by their canonical form, which both engines read back. */
function valueOf(engine: Engine, column: ColumnPlan, display: Cell, canon: Cell): string {
  if (canon == null) return 'NULL';
  if (column.rule.kind === 'bool') return engine === 'postgresql' ? `'${canon}'` : canon;
  if (column.rule.kind === 'bytes') {
    return engine === 'postgresql' ? `'\\x${canon}'` : `X'${canon}'`;
  }
  if (column.rule.kind === 'instant') {
    return literal(engine, instantText(engine, canon, column.rule.precision) ?? display);
  }
  return literal(engine, display);
}

/**
 * An instant from its canonical form (microseconds since 1970, already rounded to the precision
 * both sides keep), in UTC, so that a column keeping fewer digits gets the rounded value rather
 * than one the server truncates. Only whole seconds pass through a Date.
 */
export function instantText(engine: Engine, micros: string, precision: number): string | null {
  if (!/^-?\d+$/.test(micros)) return null;
  const value = BigInt(micros);
  const fraction = ((value % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const seconds = (value - fraction) / 1_000_000n;
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return null;

  const whole = date.toISOString().slice(0, 19).replace('T', ' ');
  const digits =
    precision > 0 ? `.${fraction.toString().padStart(6, '0').slice(0, precision)}` : '';
  return `${whole}${digits}${engine === 'postgresql' ? '+00' : ''}`;
}

export function literal(engine: Engine, value: Cell): string {
  if (value == null) return 'NULL';
  if (engine === 'postgresql') return `'${value.replaceAll("'", "''")}'`;
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** How each engine's session is pinned to UTC, as reconcile pins it to read the values. */
const PIN_UTC: Record<Engine, string> = {
  postgresql: "SET TIME ZONE 'UTC';",
  mysql: "SET time_zone = '+00:00';",
};

/**
 * The repair file: a header saying what it is, the session pinned to UTC (timestamps are written
 * in UTC, and a MySQL TIMESTAMP column reads them in the session's zone), then one statement per
 * line, per table. Every pair of a run has the same target, so one pin serves them all.
 */
export function formatRepairSql(
  tables: { target: string; targetEngine: Engine; repair: string[] }[],
): string {
  const lines = [
    '-- Statements that would make each target table match its source, from dbboundary reconcile.',
    '-- Review them before running them; reconcile itself never writes.',
  ];
  const engine = tables[0]?.targetEngine;
  if (engine) {
    lines.push(
      '-- The session time zone is pinned to UTC, as reconcile read the values: run the file as a whole.',
      PIN_UTC[engine],
    );
  }
  for (const table of tables) {
    lines.push('', `-- ${table.target}: ${table.repair.length} statement(s)`, ...table.repair);
  }
  return `${lines.join('\n')}\n`;
}
