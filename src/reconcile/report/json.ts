import type { ReconcileResult } from '../types.js';

/**
 * The JSON report. Values are the databases' own text (null for NULL), so large integers,
 * numerics and microsecond timestamps arrive exactly as stored.
 */
export function formatJson(result: ReconcileResult, history: (string | null)[] = []): string {
  const report = {
    status: result.tables.some((table) => table.status === 'differ') ? 'differ' : 'match',
    seconds: round(result.seconds),
    tables: result.tables.map((table, index) => ({
      source: table.source,
      target: table.target,
      status: table.status,
      mode: table.mode,
      rows: table.rows,
      chunks: table.chunks,
      differences: table.differences,
      transient: table.transient,
      inFlight: table.inFlight,
      notes: table.notes,
      seconds: round(table.seconds),
      ...(history[index] != null ? { matchingSince: history[index] } : {}),
    })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
