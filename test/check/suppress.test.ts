import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run.js';
import type { SuppressionResult } from '../../src/check/suppress.js';
import { extractFile } from '../../src/extract/typescript.js';
import { makeTree } from '../helpers/tempdir.js';
import { ORDERS_AND_CUSTOMERS } from '../helpers/maps.js';

const MAP = ORDERS_AND_CUSTOMERS;

const REASON = '-- read-only until the customers API ships';

/** Checks src/orders/a.ts; the check applies its suppression comments itself. */
async function suppress(lines: string[]): Promise<SuppressionResult> {
  const root = makeTree({
    'dbboundary.yaml': MAP,
    'src/orders/a.ts': lines.join('\n'),
    'src/customers/model.ts': 'export class Customer {}\n',
  });
  const result = await runCheck({ cwd: root });
  return {
    kept: result.findings.filter((f) => f.rule !== 'invalid-suppression'),
    suppressed: result.suppressed,
    problems: result.findings.filter((f) => f.rule === 'invalid-suppression'),
  };
}

/** rule@line for each finding, and the problems as line: message. */
function outcome(result: SuppressionResult): Record<string, string[]> {
  return {
    kept: result.kept.map((f) => `${f.rule}@${f.line}`),
    suppressed: result.suppressed.map((f) => `${f.rule}@${f.line}`),
    problems: result.problems.map((f) => `${f.line}:${f.column} ${f.message}`),
  };
}

const READ = "pool.query('SELECT name FROM customers.customers WHERE id = $1', [id]);";

describe('inline suppression', () => {
  it('silences the named rule on the next line, and keeps the reason', async () => {
    const result = await suppress([
      'const a = 1;',
      `// dbboundary-ignore-next-line foreign-table-access ${REASON}`,
      READ,
    ]);

    expect(outcome(result)).toEqual({
      kept: [],
      suppressed: ['foreign-table-access@3'],
      problems: [],
    });
    expect(result.suppressed[0]!.suppressedBy).toEqual({
      line: 2,
      reason: 'read-only until the customers API ships',
    });
  });

  it('does not silence anything without a reason, and says how to add one', async () => {
    const result = await suppress(['// dbboundary-ignore-next-line foreign-table-access', READ]);

    expect(outcome(result)).toEqual({
      kept: ['foreign-table-access@2'],
      suppressed: [],
      problems: [
        '1:1 has no reason, so it silences nothing; add " -- <why this is accepted>" after the rule names.',
      ],
    });
    expect(result.problems[0]).toMatchObject({
      rule: 'invalid-suppression',
      severity: 'warning',
      file: 'src/orders/a.ts',
      context: 'orders',
    });
  });

  it('treats an empty reason as none', async () => {
    const result = await suppress(['// dbboundary-ignore-next-line foreign-table-access --', READ]);
    expect(outcome(result).kept).toEqual(['foreign-table-access@2']);
    expect(outcome(result).problems).toEqual([expect.stringMatching(/^1:1 has no reason/)]);
  });

  it('reports an unknown rule with the nearest name, and still applies the known ones', async () => {
    const result = await suppress([
      `// dbboundary-ignore-next-line foreign-tabel-access, cross-context-import ${REASON}`,
      "import { Customer } from '../customers/model'; " + READ,
    ]);

    expect(outcome(result)).toEqual({
      kept: ['foreign-table-access@2'],
      suppressed: ['cross-context-import@2'],
      problems: [
        '1:1 names "foreign-tabel-access", which is no dbboundary rule; did you mean "foreign-table-access"?',
      ],
    });
  });

  it('reports a suppression that silences nothing', async () => {
    const result = await suppress([
      `// dbboundary-ignore-next-line foreign-table-access ${REASON}`,
      'const nothing = 1;',
      READ,
    ]);

    expect(outcome(result)).toEqual({
      kept: ['foreign-table-access@3'],
      suppressed: [],
      problems: [
        '1:1 silences nothing: line 2 has no foreign-table-access finding; remove the comment, or put it on the line just above the finding.',
      ],
    });
  });

  it('silences several rules, and names only the ones that found nothing', async () => {
    const result = await suppress([
      `  // dbboundary-ignore-next-line cross-context-join, unmapped-table, dynamic-sql ${REASON}`,
      "  pool.query('SELECT * FROM orders.orders o JOIN customers.customers c ON c.id = o.c JOIN legacy l ON l.id = o.id');",
    ]);

    expect(outcome(result)).toEqual({
      kept: [],
      suppressed: ['cross-context-join@2', 'unmapped-table@2'],
      problems: [
        '1:3 silences nothing: line 2 has no dynamic-sql finding; remove the comment, or put it on the line just above the finding.',
      ],
    });
  });

  it('covers a statement whose string starts on the next line, wherever its table is named', async () => {
    const result = await suppress([
      `// dbboundary-ignore-next-line foreign-table-access ${REASON}`,
      'await pool.query(`',
      '  SELECT name',
      '    FROM customers.customers',
      '   WHERE id = $1`, [id]);',
    ]);

    expect(outcome(result)).toEqual({
      kept: [],
      suppressed: ['foreign-table-access@4'],
      problems: [],
    });
  });

  it('covers a code statement that starts on the next line, as a formatter wraps a long call', async () => {
    const result = await suppress([
      `// dbboundary-ignore-next-line foreign-table-access ${REASON}`,
      'const { rows } = await pool.query(',
      "  'SELECT name FROM customers.customers WHERE id = $1',",
      '  [id],',
      ');',
    ]);

    expect(outcome(result)).toEqual({
      kept: [],
      suppressed: ['foreign-table-access@3'],
      problems: [],
    });
  });

  it('covers only the next line: not a statement that starts a line further down', async () => {
    const result = await suppress([
      `// dbboundary-ignore-next-line foreign-table-access ${REASON}`,
      'const id = 1;',
      'const { rows } = await pool.query(',
      "  'SELECT name FROM customers.customers WHERE id = $1',",
      ');',
    ]);

    expect(outcome(result).kept).toEqual(['foreign-table-access@4']);
    expect(outcome(result).problems).toEqual([expect.stringMatching(/^1:1 silences nothing/)]);
  });

  it('reads a comment at the end of a line, and a block comment, for the line after it', async () => {
    const result = await suppress([
      `const a = 1; // dbboundary-ignore-next-line foreign-table-access ${REASON}`,
      READ,
      '/*',
      ` * dbboundary-ignore-next-line foreign-table-access ${REASON}`,
      ' */',
      READ,
    ]);

    expect(outcome(result)).toEqual({
      kept: [],
      suppressed: ['foreign-table-access@2', 'foreign-table-access@6'],
      problems: [],
    });
  });

  it('reports a directive it does not know, and a comment that names no rule', async () => {
    const result = await suppress([
      `// dbboundary-ignore-line foreign-table-access ${REASON}`,
      READ,
      `// dbboundary-ignore-next-line ${REASON}`,
      READ,
    ]);

    expect(outcome(result)).toEqual({
      kept: ['foreign-table-access@2', 'foreign-table-access@4'],
      suppressed: [],
      problems: [
        '1:1 "dbboundary-ignore-line" is not a dbboundary directive, so it silences nothing; write // dbboundary-ignore-next-line foreign-table-access -- <why this is accepted>.',
        '3:1 names no rule, so it silences nothing; write // dbboundary-ignore-next-line foreign-table-access -- <why this is accepted>.',
      ],
    });
  });
});

describe('suppression comments in extraction', () => {
  const extract = (lines: string[], file = '/x/a.tsx') =>
    extractFile(file, lines.join('\n'), 'postgresql').suppressions;

  it('records the comment, the line it silences, the rules and the reason', () => {
    expect(
      extract([
        'const a = 1;',
        '  /* dbboundary-ignore-next-line cross-context-join,unmapped-table -- nightly',
        '     report, moves in Q3 */',
        'run();',
      ]),
    ).toEqual([
      {
        line: 2,
        column: 3,
        offset: 15,
        nextLine: 4,
        directive: 'dbboundary-ignore-next-line',
        rules: ['cross-context-join', 'unmapped-table'],
        reason: 'nightly report, moves in Q3',
      },
    ]);
  });

  it('ignores the marker in strings, templates, JSX text and prose comments', () => {
    expect(
      extract([
        "const s = '// dbboundary-ignore-next-line foreign-table-access -- x';",
        'const t = `${s} // dbboundary-ignore-next-line foreign-table-access -- x ${s}`;',
        'const r = /dbboundary-ignore-next-line/;',
        'const j = <p>// dbboundary-ignore-next-line foreign-table-access -- x</p>;',
        '// See the docs on dbboundary-ignore-next-line before adding one.',
      ]),
    ).toEqual([]);
  });

  it('reads comments inside JSX and before closing punctuation', () => {
    const found = extract([
      'const j = (',
      '  <div>',
      '    {/* dbboundary-ignore-next-line unmapped-table -- a */}',
      '    <Table sql="SELECT * FROM x" />',
      '  </div>',
      ');',
      'call(a,',
      '  // dbboundary-ignore-next-line unmapped-table -- b',
      ');',
    ]);

    expect(found.map((s) => [s.line, s.reason])).toEqual([
      [3, 'a'],
      [8, 'b'],
    ]);
  });

  it('finds nothing in a file without the marker', () => {
    expect(extract(['// an ordinary comment', READ])).toEqual([]);
  });
});
