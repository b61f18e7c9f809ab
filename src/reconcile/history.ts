import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { HistoryLine } from './report/text.js';
import type { TableResult } from './types.js';

/** One line of the history file (JSON Lines): one table pair in one run. */
export interface HistoryEntry {
  time: string;
  source: string;
  target: string;
  status: 'match' | 'differ';
  missing: number;
  extra: number;
  changed: number;
}

export function readHistory(file: string): HistoryEntry[] {
  if (!existsSync(file)) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `--history ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error}).`,
    );
  }
  return text
    .split('\n')
    .map((line, index) => [line.trim(), index + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, number]) => parseEntry(line, file, number));
}

function parseEntry(line: string, file: string, number: number): HistoryEntry {
  try {
    const entry = JSON.parse(line) as HistoryEntry;
    if (typeof entry.time === 'string' && typeof entry.source === 'string') return entry;
  } catch {
    // reported below
  }
  throw new UserError(
    `${file}:${number}: not a reconcile history line; give --history a file only reconcile writes.`,
  );
}

export function entryOf(table: TableResult, time: Date): HistoryEntry {
  return {
    time: time.toISOString(),
    source: table.source,
    target: table.target,
    status: table.status,
    missing: table.differences.missing.length,
    extra: table.differences.extra.length,
    changed: table.differences.changed.length,
  };
}

export function appendHistory(file: string, entries: HistoryEntry[]): void {
  try {
    appendFileSync(file, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  } catch (error) {
    throw new UserError(
      `--history ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? error}).`,
    );
  }
}

/**
 * How long the pair has matched without a break, counting this run's entry (the last one): the
 * time of the first match after the last difference, and how many runs matched since.
 */
export function streakOf(entries: HistoryEntry[], source: string, target: string): HistoryLine {
  const runs = entries.filter((entry) => entry.source === source && entry.target === target);
  let since: string | null = null;
  let count = 0;
  for (const entry of runs) {
    if (entry.status === 'match') {
      since ??= entry.time;
      count += 1;
    } else {
      since = null;
      count = 0;
    }
  }
  return { since, runs: count };
}
