import { describe, expect, it } from 'vitest';
import { splitTableName } from '../../src/db/session.js';
import { mergePairs } from '../../src/reconcile/compare.js';
import { streakOf } from '../../src/reconcile/history.js';
import type { HistoryEntry } from '../../src/reconcile/history.js';
import { kindOf } from '../../src/reconcile/normalize.js';
import { progressLine } from '../../src/reconcile/progress.js';
import { instantText, literal } from '../../src/reconcile/report/repair-sql.js';

function entry(time: string, status: 'match' | 'differ', source = 'a t'): HistoryEntry {
  return { time, source, target: 'b t', status, missing: 0, extra: 0, changed: 0 };
}

describe('history streak', () => {
  it('counts the matches since the last difference of the same pair', () => {
    const entries = [
      entry('2026-01-01T00:00:00Z', 'match'),
      entry('2026-01-02T00:00:00Z', 'differ'),
      entry('2026-01-03T00:00:00Z', 'match'),
      entry('2026-01-03T12:00:00Z', 'differ', 'other t'),
      entry('2026-01-04T00:00:00Z', 'match'),
    ];
    expect(streakOf(entries, 'a t', 'b t')).toEqual({ since: '2026-01-03T00:00:00Z', runs: 2 });
    expect(streakOf(entries, 'other t', 'b t')).toEqual({ since: null, runs: 0 });
  });
});

describe('merging (key, hash) pairs', () => {
  it('tells missing, extra and changed keys apart, and a key repeated on the target', () => {
    const source = [
      ['(1)', '10', '1'],
      ['(2)', '20', '2'],
      ['(3)', '30', '3'],
    ];
    const target = [
      ['(2)', '21', '2'],
      ['(3)', '30', '3'],
      ['(3)', '30', '3'],
      ['(4)', '40', '4'],
    ];
    const found = mergePairs(source, target).map((s) => `${s.kind} ${s.keyText}`);
    expect(found.sort()).toEqual(['changed (2)', 'extra (3)', 'extra (4)', 'missing (1)']);
  });
});

describe('column rules', () => {
  it.each([
    ['timestamp', 'timestamptz', 'instant'],
    ['int', 'numeric', 'numeric'],
    ['uuid', 'text', 'uuid'],
    ['bool', 'int', 'bool'],
    ['json', 'text', 'json'],
    ['bytes', 'text', 'other'],
  ] as const)('%s with %s compares as %s', (a, b, kind) => {
    expect(kindOf(a, b)).toBe(kind);
    expect(kindOf(b, a)).toBe(kind);
  });
});

describe('repair values', () => {
  it('writes an instant from microseconds in UTC at the kept precision, before 1970 too', () => {
    expect(instantText('mysql', '1709294400123457', 3)).toBe('2024-03-01 12:00:00.123');
    expect(instantText('postgresql', '1709294400123457', 6)).toBe('2024-03-01 12:00:00.123457+00');
    expect(instantText('postgresql', '-1500000', 6)).toBe('1969-12-31 23:59:58.500000+00');
    expect(instantText('mysql', 'Infinity', 6)).toBeNull();
  });

  it('quotes text for each engine', () => {
    expect(literal('postgresql', "it's \\n")).toBe("'it''s \\n'");
    expect(literal('mysql', "it's \\n")).toBe("'it''s \\\\n'");
    expect(literal('mysql', null)).toBe('NULL');
  });
});

describe('names and progress', () => {
  it('splits schema.table with quoted parts', () => {
    expect(splitTableName('public.orders')).toEqual(['public', 'orders']);
    expect(splitTableName('"My.Schema"."Order ""X"""')).toEqual(['My.Schema', 'Order "X"']);
    expect(splitTableName('`shop`.`order`')).toEqual(['shop', 'order']);
    expect(splitTableName('public.Mixed Case')).toEqual(['public', 'Mixed Case']);
    expect(splitTableName(' Mixed Case ')).toEqual(['Mixed Case']);
  });

  it('draws the bar from chunks done', () => {
    const line = progressLine({
      table: 'orders',
      total: 4,
      done: 1,
      rowsSource: 12345,
      rowsTarget: 12345,
      differing: 0,
      truncated: false,
    });
    expect(line).toBe('orders [########----------------------] 1/4 · 12,345 rows · 0 differing');
  });
});
