import type { ChalkInstance as Colors } from 'chalk';
import type { KeyObject, ReconcileResult, TableResult } from '../types.js';

/** How many differing keys the text summary lists per kind; the JSON report has them all. */
const LISTED = 10;

export interface HistoryLine {
  /** The first run of the current unbroken series of matches, or null after a difference. */
  since: string | null;
  runs: number;
}

/** The text summary: one block per table, then a verdict line. */
export function formatText(
  result: ReconcileResult,
  colors: Colors,
  history: (HistoryLine | null)[] = [],
): string {
  const blocks = result.tables.map((table, index) =>
    tableBlock(table, colors, history[index] ?? null),
  );
  const differing = result.tables.filter((table) => table.status === 'differ').length;
  const verdict =
    differing === 0
      ? colors.green(`${result.tables.length} table pair(s) match.`)
      : colors.red(`${differing} of ${result.tables.length} table pair(s) differ.`);
  return `${blocks.join('\n\n')}\n\n${verdict} (${result.seconds.toFixed(1)} s)\n`;
}

function tableBlock(table: TableResult, colors: Colors, history: HistoryLine | null): string {
  const { missing, extra, changed } = table.differences;
  const status = table.status === 'match' ? colors.green('match') : colors.red('differ');
  const lines = [
    `${colors.bold(table.source)} -> ${colors.bold(table.target)}: ${status}`,
    `  rows: ${count(table.rows.source)} source, ${count(table.rows.target)} target; ` +
      `${count(table.chunks.total)} ${table.mode === 'range' ? 'chunks' : 'buckets'}, ${count(table.chunks.differing)} differing; ${table.seconds.toFixed(1)} s`,
    `  confirmed: ${missing.length} missing, ${extra.length} extra, ${changed.length} changed; ` +
      `not failing: ${table.transient.length} transient, ${table.inFlight.length} in flight`,
  ];
  lines.push(...listed('missing (source only)', missing, colors));
  lines.push(...listed('extra (target only)', extra, colors));
  for (const row of changed.slice(0, LISTED)) {
    const columns = Object.entries(row.columns)
      .map(([name, values]) => `${name}: ${show(values.source)} -> ${show(values.target)}`)
      .join('; ');
    lines.push(`    changed ${keyText(row.key)}: ${columns}`);
  }
  if (changed.length > LISTED) lines.push(`    … and ${changed.length - LISTED} more changed`);
  for (const note of table.notes) lines.push(colors.dim(`  note: ${note}`));
  if (history) lines.push(historyLine(history));
  return lines.join('\n');
}

function listed(label: string, keys: KeyObject[], colors: Colors): string[] {
  if (keys.length === 0) return [];
  const shown = keys.slice(0, LISTED).map(keyText).join(', ');
  const more = keys.length > LISTED ? ` … and ${keys.length - LISTED} more` : '';
  return [`    ${colors.yellow(label)}: ${shown}${more}`];
}

function historyLine(history: HistoryLine): string {
  if (history.since == null) {
    return '  history: differs in this run; the matching streak starts again.';
  }
  return `  history: matched without a break since ${history.since} (${history.runs} run(s)).`;
}

function keyText(key: KeyObject): string {
  const entries = Object.entries(key);
  if (entries.length === 1) return show(entries[0]![1]);
  return `(${entries.map(([name, value]) => `${name}=${show(value)}`).join(', ')})`;
}

function show(value: string | null): string {
  return value == null ? 'NULL' : JSON.stringify(value);
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}
