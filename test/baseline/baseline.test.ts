import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertMayWriteBaseline,
  baselineFails,
  compareWithBaseline,
  createBaseline,
  formatBaselineDelta,
  readBaseline,
  serializeBaseline,
} from '../../src/baseline/index.js';
import type { Baseline, BaselineComparison } from '../../src/baseline/index.js';
import { runCheck } from '../../src/check/run.js';
import { UserError } from '../../src/errors.js';
import { makeTree } from '../helpers/tempdir.js';

const MAP = `version: 1
contexts:
  orders:
    code: ["src/orders/**"]
    tables: ["orders.*"]
  customers:
    code: ["src/customers/**"]
    tables: ["customers.*"]
    public: ["src/customers/api/**"]
`;

const REPORT = [
  "import { Customer } from '../customers/model';",
  '',
  'export async function report(pool: any) {',
  "  await pool.query('SELECT name FROM customers.customers WHERE id = $1', [1]);",
  '  await pool.query(`SELECT o.id FROM orders.orders o',
  '    JOIN customers.addresses a ON a.id = o.address_id`);',
  '}',
].join('\n');

const BILLING =
  "export const bill = (pool: any) => pool.query('UPDATE customers.cards SET x = 1');\n";

/** A tree as a repository would hold it: the map, the code, and a baseline written from it. */
async function adopt(files: Record<string, string>): Promise<{ root: string; baseline: Baseline }> {
  const root = makeTree({
    'dbboundary.yaml': MAP,
    'src/customers/model.ts': 'export class Customer {}\n',
    'src/customers/api/index.ts': 'export {};\n',
    ...files,
  });
  const file = path.join(root, 'dbboundary-baseline.json');
  writeFileSync(file, serializeBaseline(createBaseline((await runCheck({ cwd: root })).findings)));
  return { root, baseline: readBaseline(file) };
}

/** Rewrites files of the tree (null deletes one), checks again, and compares with the baseline. */
async function recheck(
  root: string,
  baseline: Baseline,
  changes: Record<string, string | null>,
  scope?: { files: Set<string> },
): Promise<BaselineComparison> {
  for (const [file, content] of Object.entries(changes)) {
    if (content == null) rmSync(path.join(root, file));
    else writeFileSync(path.join(root, file), content);
  }
  return compareWithBaseline((await runCheck({ cwd: root })).findings, baseline, scope);
}

/** new/known/stale as rule@file:line lists, the shape a reader checks against the code. */
function delta(comparison: BaselineComparison): Record<string, string[]> {
  return {
    new: comparison.newFindings.map((f) => `${f.rule}@${f.file}:${f.line}`),
    known: comparison.known.map((f) => `${f.rule}@${f.file}:${f.line}`),
    stale: comparison.stale.map((e) => `${e.rule}@${e.file}:${e.line}`),
  };
}

describe('baseline round trip', () => {
  it('knows every finding of the run that wrote it', async () => {
    const { root, baseline } = await adopt({ 'src/orders/report.ts': REPORT });

    expect(baseline.entries.map((e) => `${e.rule}@${e.file}:${e.line}`)).toEqual([
      'cross-context-import@src/orders/report.ts:1',
      'foreign-table-access@src/orders/report.ts:4',
      'cross-context-join@src/orders/report.ts:6',
    ]);
    expect(delta(await recheck(root, baseline, {}))).toEqual({
      new: [],
      known: [
        'cross-context-import@src/orders/report.ts:1',
        'foreign-table-access@src/orders/report.ts:4',
        'cross-context-join@src/orders/report.ts:6',
      ],
      stale: [],
    });
  });

  it('still knows findings after unrelated edits move, re-indent and re-word them', async () => {
    const { root, baseline } = await adopt({ 'src/orders/report.ts': REPORT });
    const edited = [
      '// Reports for the back office.',
      "import { Customer } from '../customers/model';",
      "import { format } from 'node:util';",
      '',
      'export const title = format("%s", "report");',
      '',
      'export async function report(pool: any) {',
      '  const rows = await pool.query(',
      '    `SELECT name',
      '       FROM customers.customers',
      '      WHERE id = 42`,',
      '  );',
      '  await pool.query(`SELECT o.id FROM orders.orders o JOIN customers.addresses a ON a.id = o.address_id`);',
      '  return rows;',
      '}',
    ].join('\n');

    const comparison = await recheck(root, baseline, { 'src/orders/report.ts': edited });

    expect(delta(comparison)).toEqual({
      new: [],
      known: [
        'cross-context-import@src/orders/report.ts:2',
        'foreign-table-access@src/orders/report.ts:10',
        'cross-context-join@src/orders/report.ts:13',
      ],
      stale: [],
    });
    expect(baselineFails(comparison, true)).toBe(false);
  });

  it('reports a new finding, and fails on it when it is an error', async () => {
    const { root, baseline } = await adopt({ 'src/orders/report.ts': REPORT });

    const comparison = await recheck(root, baseline, { 'src/orders/billing.ts': BILLING });

    expect(delta(comparison).new).toEqual(['foreign-table-access@src/orders/billing.ts:1']);
    expect(comparison.known).toHaveLength(3);
    expect(baselineFails(comparison, false)).toBe(true);
  });

  it('does not fail on a new warning', async () => {
    const { root, baseline } = await adopt({ 'src/orders/report.ts': REPORT });

    const comparison = await recheck(root, baseline, {
      'src/orders/jobs.ts': "pool.query('SELECT * FROM nobody_owns_this');\n",
    });

    expect(delta(comparison).new).toEqual(['unmapped-table@src/orders/jobs.ts:1']);
    expect(baselineFails(comparison, false)).toBe(false);
  });

  it('reports a fixed finding as stale, and fails on it only with strict', async () => {
    const { root, baseline } = await adopt({
      'src/orders/report.ts': REPORT,
      'src/orders/billing.ts': BILLING,
    });

    const comparison = await recheck(root, baseline, { 'src/orders/billing.ts': null });

    expect(delta(comparison)).toMatchObject({
      new: [],
      stale: ['foreign-table-access@src/orders/billing.ts:1'],
    });
    expect(comparison.stale[0]).toMatchObject({
      context: 'orders',
      targets: ['customers'],
      tables: ['customers.cards'],
    });
    expect(baselineFails(comparison, false)).toBe(false);
    expect(baselineFails(comparison, true)).toBe(true);
  });

  it('keeps two identical findings in one file as two entries', async () => {
    const twice = [
      "export const a = (pool: any) => pool.query('SELECT * FROM customers.customers WHERE id = 1');",
      "export const b = (pool: any) => pool.query('SELECT * FROM customers.customers WHERE id = 2');",
    ];
    const { root, baseline } = await adopt({ 'src/orders/twice.ts': twice.join('\n') });
    expect(new Set(baseline.entries.map((e) => e.fingerprint)).size).toBe(2);

    const fixedOne = await recheck(root, baseline, { 'src/orders/twice.ts': twice[1]! });
    expect(delta(fixedOne)).toEqual({
      new: [],
      known: ['foreign-table-access@src/orders/twice.ts:1'],
      stale: ['foreign-table-access@src/orders/twice.ts:2'],
    });

    const addedThird = await recheck(root, baseline, {
      'src/orders/twice.ts': [...twice, twice[0]!].join('\n'),
    });
    expect(delta(addedThird).new).toEqual(['foreign-table-access@src/orders/twice.ts:3']);
  });

  it('sees a swap: one finding fixed and another of the same rule added in the same file', async () => {
    const { root, baseline } = await adopt({ 'src/orders/report.ts': REPORT });
    const swapped = REPORT.replace(
      "'SELECT name FROM customers.customers WHERE id = $1'",
      "'UPDATE customers.customers SET name = $1'",
    );

    const comparison = await recheck(root, baseline, { 'src/orders/report.ts': swapped });

    expect(delta(comparison)).toMatchObject({
      new: ['foreign-table-access@src/orders/report.ts:4'],
      stale: ['foreign-table-access@src/orders/report.ts:4'],
    });
    expect(comparison.known).toHaveLength(2);
  });

  it('leaves entries of files outside the scope out of the stale ones', async () => {
    const { root, baseline } = await adopt({
      'src/orders/report.ts': REPORT,
      'src/orders/billing.ts': BILLING,
    });
    const changes = { 'src/orders/billing.ts': "export const bill = 'nothing';\n" };

    const elsewhere = await recheck(root, baseline, changes, {
      files: new Set(['src/orders/report.ts']),
    });
    const here = await recheck(root, baseline, changes, {
      files: new Set(['src/orders/billing.ts']),
    });

    expect(elsewhere.stale).toEqual([]);
    expect(delta(here).stale).toEqual(['foreign-table-access@src/orders/billing.ts:1']);
  });
});

describe('baseline file', () => {
  it('is sorted JSON, one entry per finding, with a line hint and the fingerprint', async () => {
    const { baseline } = await adopt({
      'src/orders/report.ts': REPORT,
      'src/orders/billing.ts': BILLING,
    });

    // The fingerprints are pinned on purpose: if an upgrade (of libpg-query, say) changes them,
    // every user's baseline goes stale at once, and that has to be a deliberate, announced change.
    expect(serializeBaseline(baseline)).toMatchInlineSnapshot(`
      "{
        "version": 1,
        "about": "Findings known when this file was written: \`dbboundary check --baseline\` fails only on others. Regenerate with \`dbboundary baseline\`; \`line\` is a hint for people and is not matched.",
        "findings": [
          {
            "rule": "foreign-table-access",
            "file": "src/orders/billing.ts",
            "line": 1,
            "context": "orders",
            "targets": ["customers"],
            "tables": ["customers.cards"],
            "fingerprint": "63996ca976bfb2bd"
          },
          {
            "rule": "cross-context-import",
            "file": "src/orders/report.ts",
            "line": 1,
            "context": "orders",
            "targets": ["customers"],
            "import": "../customers/model",
            "fingerprint": "c2803dc988c4318b"
          },
          {
            "rule": "foreign-table-access",
            "file": "src/orders/report.ts",
            "line": 4,
            "context": "orders",
            "targets": ["customers"],
            "tables": ["customers.customers"],
            "fingerprint": "d7c913a19674aec2"
          },
          {
            "rule": "cross-context-join",
            "file": "src/orders/report.ts",
            "line": 6,
            "context": "orders",
            "targets": ["customers"],
            "tables": ["customers.addresses", "orders.orders"],
            "fingerprint": "073a5bc70993dba4"
          }
        ]
      }
      "
    `);
  });

  it('reads back what it wrote, and writes it again byte for byte', async () => {
    const { baseline } = await adopt({ 'src/orders/report.ts': REPORT });
    const root = makeTree({ 'b.json': serializeBaseline(baseline) });

    const again = readBaseline(path.join(root, 'b.json'));

    expect(again).toEqual(baseline);
    expect(serializeBaseline(again)).toBe(serializeBaseline(baseline));
  });

  it('writes an empty list when there is nothing to know', () => {
    const text = serializeBaseline(createBaseline([]));
    expect(JSON.parse(text)).toMatchObject({ version: 1, findings: [] });
  });

  const BAD: Array<[string, string | null, RegExp]> = [
    ['a missing file', null, /no such baseline file; write it with `dbboundary baseline`/],
    ['invalid JSON', '{ "version": 1, ', /not valid JSON .*; regenerate it/],
    ['merge conflict markers', '{\n<<<<<<< HEAD\n', /merge conflict markers; regenerate it/],
    ['no version', '{ "findings": [] }', /not a dbboundary baseline \(no "version"\)/],
    ['another version', '{ "version": 2, "findings": [] }', /baseline version 2 is not one/],
    ['findings not a list', '{ "version": 1, "findings": {} }', /"findings" must be a list/],
    [
      'an entry without fingerprint',
      '{ "version": 1, "findings": [{ "rule": "x", "file": "a.ts" }] }',
      /findings\[0\] has no "fingerprint"; restore the entry, or regenerate/,
    ],
  ];

  it.each(BAD)('refuses %s with one line that says what to do', (_, text, message) => {
    const root = makeTree(text == null ? {} : { 'b.json': text });
    const read = (): Baseline => readBaseline(path.join(root, 'b.json'));

    expect(read).toThrow(UserError);
    expect(read).toThrow(message);
    try {
      read();
    } catch (error) {
      expect((error as UserError).lines).toHaveLength(1);
    }
  });
});

describe('baseline delta and writing rules', () => {
  it('prints the counts, each fixed entry, and what to do about them', async () => {
    const { root, baseline } = await adopt({
      'src/orders/report.ts': REPORT,
      'src/orders/billing.ts': BILLING,
    });
    const comparison = await recheck(root, baseline, {
      'src/orders/billing.ts': null,
      'src/orders/jobs.ts': "pool.query('SELECT * FROM nobody_owns_this');\n",
    });

    expect(formatBaselineDelta(comparison, { file: 'dbboundary-baseline.json' })).toEqual([
      'Baseline dbboundary-baseline.json: 1 new (0 errors, 1 warning), 3 known, 1 fixed.',
      '  fixed: src/orders/billing.ts:1  foreign-table-access  orders → customers  customers.cards',
      'This entry matches no finding any more (fixed, or changed so that the finding counts as new): run `dbboundary baseline` to drop it once no new finding is left, since it records all current findings.',
    ]);
    expect(formatBaselineDelta({ newFindings: [], known: [], stale: [] })).toEqual([
      'Baseline: 0 new, 0 known, 0 fixed.',
    ]);
    expect(formatBaselineDelta(comparison, { strict: true }).at(-1)).toMatch(
      /--strict-baseline fails on stale entries/,
    );
  });

  it('refuses to write a baseline under CI unless forced', () => {
    expect(() => assertMayWriteBaseline({ CI: 'true' }, false)).toThrow(
      /refusing to write a baseline in CI \(CI=true\).*pass --force/,
    );
    expect(() => assertMayWriteBaseline({ CI: 'true' }, true)).not.toThrow();
    expect(() => assertMayWriteBaseline({ CI: 'false' }, false)).not.toThrow();
    expect(() => assertMayWriteBaseline({}, false)).not.toThrow();
  });
});
