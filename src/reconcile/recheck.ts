import type { Cell, Session } from '../db/session.js';
import type { Suspect } from './compare.js';
import type { ColumnPlan } from './plan.js';
import { rowsByKeysQuery } from './sql.js';
import type { SideSql } from './sql.js';
import type { ColumnDifference, DifferenceKind } from './types.js';

/** One row as the rows-by-keys query returns it. */
export interface FullRow {
  keyText: string;
  hash: string;
  key: Cell[];
  recent: boolean;
  canon: Cell[];
  display: Cell[];
}

export interface Observation {
  suspect: Suspect;
  source: FullRow | null;
  target: FullRow | null;
  /** null when the rows are equal (or both gone). */
  kind: DifferenceKind | null;
  columns: Record<string, ColumnDifference>;
}

const KEYS_PER_QUERY = 500;

async function fetchRows(
  session: Session,
  side: SideSql,
  keys: Cell[][],
): Promise<Map<string, FullRow>> {
  const rows = new Map<string, FullRow>();
  const width = side.keys.length;
  const columns = side.canon.length;
  for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
    const query = rowsByKeysQuery(side, keys.slice(i, i + KEYS_PER_QUERY));
    for (const row of await session.query(query.sql, query.params)) {
      const [keyText, hash] = row;
      rows.set(keyText!, {
        keyText: keyText!,
        hash: hash ?? '',
        key: row.slice(2, 2 + width),
        recent: row[2 + width] === '1',
        canon: row.slice(3 + width, 3 + width + columns),
        display: row.slice(3 + width + columns),
      });
    }
  }
  return rows;
}

/** Reads the suspects' rows on both sides (whether settled or not) and compares them column by column. */
export async function observe(
  sessions: { source: Session; target: Session },
  plan: { source: SideSql; target: SideSql; columns: ColumnPlan[] },
  suspects: Suspect[],
): Promise<Observation[]> {
  const sourceKeys = suspects.map((suspect) => (suspect.sourceKey ?? suspect.targetKey)!);
  const targetKeys = suspects.map((suspect) => (suspect.targetKey ?? suspect.sourceKey)!);
  const [sourceRows, targetRows] = await Promise.all([
    fetchRows(sessions.source, plan.source, unique(sourceKeys)),
    fetchRows(sessions.target, plan.target, unique(targetKeys)),
  ]);

  return suspects.map((suspect) => {
    const { repeated, kind, keyText } = suspect;
    const source = repeated && kind === 'extra' ? null : (sourceRows.get(keyText) ?? null);
    const target = repeated && kind === 'missing' ? null : (targetRows.get(keyText) ?? null);
    return { suspect, source, target, ...compareRows(source, target, plan.columns) };
  });
}

function unique(keys: Cell[][]): Cell[][] {
  const seen = new Map<string, Cell[]>();
  for (const key of keys) seen.set(JSON.stringify(key), key);
  return [...seen.values()];
}

/** What differs between two rows, applying each column's tolerance. */
export function compareRows(
  source: FullRow | null,
  target: FullRow | null,
  columns: ColumnPlan[],
): { kind: DifferenceKind | null; columns: Record<string, ColumnDifference> } {
  if (!source && !target) return { kind: null, columns: {} };
  if (!target) return { kind: 'missing', columns: {} };
  if (!source) return { kind: 'extra', columns: {} };

  const differing: Record<string, ColumnDifference> = {};
  columns.forEach((column, index) => {
    if (source.canon[index] === target.canon[index]) return;
    const a = source.display[index] ?? null;
    const b = target.display[index] ?? null;
    if (withinTolerance(a, b, column.rule.tolerance)) return;
    differing[column.source] = { source: a, target: b };
  });
  return { kind: Object.keys(differing).length > 0 ? 'changed' : null, columns: differing };
}

/** Floats print exactly (shortest round-trip text), so reading them as numbers loses nothing. */
function withinTolerance(a: Cell, b: Cell, tolerance: number | null): boolean {
  if (tolerance == null || a == null || b == null) return false;
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= tolerance;
}

/** Whether two observations of the same key saw the same rows. */
export function sameState(a: Observation, b: Observation): boolean {
  return (
    a.kind === b.kind && a.source?.hash === b.source?.hash && a.target?.hash === b.target?.hash
  );
}
