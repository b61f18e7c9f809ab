import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/check/findings.js';
import type { AllowedFinding, Finding, RuleId } from '../../src/check/findings.js';
import { runCheck } from '../../src/check/run.js';
import type { CheckResult } from '../../src/check/run.js';
import {
  SHARED,
  buildCouplingGraph,
  formatDot,
  formatGraph,
  formatMermaid,
} from '../../src/graph/index.js';
import type { CouplingGraph } from '../../src/graph/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

let line = 0;

/** A finding as check makes it, at a new line each time. */
function finding(
  rule: RuleId,
  context: string | null,
  targets: string[],
  message = 'message',
): Finding {
  line += 1;
  const access = rule === 'foreign-table-access' ? accessIn(message) : undefined;
  return {
    ...(access ? { access } : {}),
    rule,
    severity: RULES[rule].severity,
    file: context ? `src/${context}/file.ts` : 'src/jobs/nightly.ts',
    line,
    column: 1,
    context,
    targets,
    tables: [],
    message,
  };
}

/** The access check gives a foreign-table-access finding, by the verb its message starts with. */
function accessIn(message: string): 'read' | 'write' {
  return /^reads\b(?! and writes)/.test(message) ? 'read' : 'write';
}

function allowed(found: Finding, from: string, to: string): AllowedFinding {
  return { ...found, allowedBy: { from, to, reason: 'until the API ships' } };
}

function resultOf(
  filesByContext: Record<string, number>,
  findings: Finding[],
  allowedFindings: AllowedFinding[] = [],
  filesOutsideContexts = 0,
): CheckResult {
  return {
    config: '/repo/dbboundary.yaml',
    root: '/repo',
    findings,
    allowed: allowedFindings,
    suppressed: [],
    scannedFiles: [],
    notices: [],
    summary: {
      files: 0,
      filesByContext,
      filesOutsideContexts,
      sqlStrings: 0,
      sqlFiles: 0,
      statements: 0,
      unparsedSql: 0,
      imports: 0,
      errors: findings.length,
      warnings: 0,
      allowed: allowedFindings.length,
      suppressed: 0,
      byRule: {},
      durationMs: 1,
    },
  };
}

/** Contexts with dashes and digits, every kind of coupling, shared code and an allowed edge. */
const RESULT = resultOf(
  { 'order-history': 12, billing2: 3, 'b2b-sales': 1 },
  [
    finding('cross-context-join', 'order-history', ['billing2']),
    finding('cross-context-join', 'order-history', ['b2b-sales', 'billing2']),
    finding('foreign-table-access', 'order-history', ['billing2'], 'reads billing2.invoices, …'),
    finding('cross-context-import', 'order-history', ['billing2']),
    finding('foreign-table-access', 'b2b-sales', ['billing2'], 'writes billing2.invoices, …'),
    finding('foreign-table-access', 'b2b-sales', ['billing2'], 'reads and writes billing2.x, …'),
    finding('foreign-table-access', 'b2b-sales', ['billing2'], 'changes the schema of b.x, …'),
    finding('cross-context-foreign-key', 'b2b-sales', ['billing2']),
    finding('cross-context-join', null, ['b2b-sales', 'order-history']),
    finding('unmapped-table', 'billing2', []),
    finding('unparsed-sql', 'billing2', []),
    finding('dynamic-sql', 'order-history', []),
  ],
  [
    allowed(
      finding('foreign-table-access', 'b2b-sales', ['order-history'], 'reads order_history.x, …'),
      'b2b-sales',
      'order-history',
    ),
  ],
  4,
);

function edge(
  from: string,
  to: string,
  counts: Partial<Record<'joins' | 'reads' | 'writes' | 'imports' | 'foreignKeys', number>>,
  isAllowed = false,
) {
  const none = { joins: 0, reads: 0, writes: 0, imports: 0, foreignKeys: 0 };
  return { from, to, ...none, ...counts, allowed: isAllowed };
}

describe('buildCouplingGraph', () => {
  it('makes an edge per pair of contexts, counting each kind of coupling', () => {
    const graph = buildCouplingGraph(RESULT);

    expect(graph.nodes).toEqual([
      { context: 'order-history', files: 12 },
      { context: 'billing2', files: 3 },
      { context: 'b2b-sales', files: 1 },
      { context: SHARED, files: 4 },
    ]);
    expect(graph.edges).toEqual([
      edge(SHARED, 'b2b-sales', { joins: 1 }),
      edge(SHARED, 'order-history', { joins: 1 }),
      edge('b2b-sales', 'billing2', { writes: 3, foreignKeys: 1 }),
      edge('b2b-sales', 'order-history', { reads: 1 }, true),
      edge('order-history', 'b2b-sales', { joins: 1 }),
      edge('order-history', 'billing2', { joins: 2, reads: 1, imports: 1 }),
    ]);
  });

  it('keeps allowed findings apart from the others between the same contexts', () => {
    const read = (): Finding =>
      finding('foreign-table-access', 'a', ['b'], 'reads b.t, owned by b.');
    const graph = buildCouplingGraph(
      resultOf({ a: 1, b: 1 }, [read()], [allowed(read(), 'a', 'b')]),
    );

    expect(graph.edges).toEqual([edge('a', 'b', { reads: 1 }), edge('a', 'b', { reads: 1 }, true)]);
  });

  it('has no shared node when shared code couples nothing, and every context without edges', () => {
    const graph = buildCouplingGraph(resultOf({ alone: 2, other: 0 }, [], [], 9));

    expect(graph).toEqual({
      nodes: [
        { context: 'alone', files: 2 },
        { context: 'other', files: 0 },
      ],
      edges: [],
    });
  });

  it('draws the bundled example as its README describes it', async () => {
    const result = await runCheck({ config: 'fixtures/shop/dbboundary.yaml', cwd: REPO });
    const graph = buildCouplingGraph(result);

    expect(graph.nodes.map((node) => node.context)).toEqual([
      'orders',
      'customers',
      'catalog',
      'search',
      SHARED,
    ]);
    expect(graph.edges).toEqual([
      edge(SHARED, 'customers', { joins: 1 }),
      edge(SHARED, 'orders', { joins: 1 }),
      edge('catalog', 'search', { imports: 1 }),
      edge('customers', 'orders', { reads: 1, imports: 1 }),
      edge('orders', 'catalog', { writes: 1, imports: 1 }),
      edge('orders', 'customers', { joins: 1, imports: 1 }),
      edge('search', 'catalog', { reads: 2 }, true),
    ]);
  });
});

describe('formatMermaid', () => {
  it('writes a flowchart with file counts, labelled edges, widths and dashed allowed edges', () => {
    expect(formatMermaid(buildCouplingGraph(RESULT))).toBe(
      [
        'flowchart LR',
        '  ctx_order_history["order-history<br/>12 files"]',
        '  ctx_billing2["billing2<br/>3 files"]',
        '  ctx_b2b_sales["b2b-sales<br/>1 file"]',
        '  ctx_shared(["(shared)<br/>4 files"])',
        '  ctx_shared -->|"1 join"| ctx_b2b_sales',
        '  linkStyle 0 stroke-width:1px',
        '  ctx_shared -->|"1 join"| ctx_order_history',
        '  linkStyle 1 stroke-width:1px',
        '  ctx_b2b_sales -->|"3 writes, 1 foreign key"| ctx_billing2',
        '  linkStyle 2 stroke-width:3px',
        '  ctx_b2b_sales -.->|"1 read (allowed)"| ctx_order_history',
        '  linkStyle 3 stroke-width:1px',
        '  ctx_order_history -->|"1 join"| ctx_b2b_sales',
        '  linkStyle 4 stroke-width:1px',
        '  ctx_order_history -->|"2 joins, 1 read, 1 import"| ctx_billing2',
        '  linkStyle 5 stroke-width:3px',
        '',
      ].join('\n'),
    );
  });

  it('gives names that would meet in one id, or name a keyword, ids of their own', () => {
    const graph: CouplingGraph = {
      nodes: [
        { context: 'a-b', files: 1 },
        { context: 'a_b', files: 1 },
        { context: 'end', files: 1 },
        { context: 'say "hi" <b>', files: 1 },
      ],
      edges: [edge('a-b', 'a_b', { imports: 1 }), edge('end', 'say "hi" <b>', { joins: 1 })],
    };
    const lines = formatMermaid(graph).trimEnd().split('\n');

    expect(lines.slice(1, 5)).toEqual([
      '  ctx_a_b["a-b<br/>1 file"]',
      '  ctx_a_b_2["a_b<br/>1 file"]',
      '  ctx_end["end<br/>1 file"]',
      '  ctx_say_hi_b["say #quot;hi#quot; #lt;b#gt;<br/>1 file"]',
    ]);
    expect(lines).toContain('  ctx_a_b -->|"1 import"| ctx_a_b_2');
    expect(lines).toContain('  ctx_end -->|"1 join"| ctx_say_hi_b');
  });

  it('writes only the nodes when nothing couples the contexts', () => {
    const graph = buildCouplingGraph(resultOf({ orders: 1 }, []));
    expect(formatGraph(graph, 'mermaid')).toBe('flowchart LR\n  ctx_orders["orders<br/>1 file"]\n');
  });
});

describe('formatDot', () => {
  it('writes a digraph with file counts, labels, pen widths, weights and dashed allowed edges', () => {
    expect(formatDot(buildCouplingGraph(RESULT))).toBe(
      [
        'digraph dbboundary {',
        '  rankdir=LR;',
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
        '  "order-history" [label="order-history\\n12 files"];',
        '  "billing2" [label="billing2\\n3 files"];',
        '  "b2b-sales" [label="b2b-sales\\n1 file"];',
        '  "(shared)" [label="(shared)\\n4 files", style="rounded,dashed"];',
        '  "(shared)" -> "b2b-sales" [label="1 join", penwidth=1, weight=1];',
        '  "(shared)" -> "order-history" [label="1 join", penwidth=1, weight=1];',
        '  "b2b-sales" -> "billing2" [label="3 writes, 1 foreign key", penwidth=3, weight=4];',
        '  "b2b-sales" -> "order-history" [label="1 read (allowed)", penwidth=1, weight=1, style=dashed];',
        '  "order-history" -> "b2b-sales" [label="1 join", penwidth=1, weight=1];',
        '  "order-history" -> "billing2" [label="2 joins, 1 read, 1 import", penwidth=3, weight=4];',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('escapes quotes, backslashes and line breaks in names', () => {
    const graph: CouplingGraph = {
      nodes: [
        { context: 'say "hi"', files: 1 },
        { context: 'back\\slash\nnext', files: 2 },
      ],
      edges: [edge('say "hi"', 'back\\slash\nnext', { reads: 1 })],
    };
    const dot = formatGraph(graph, 'dot');

    expect(dot).toContain('  "say \\"hi\\"" [label="say \\"hi\\"\\n1 file"];');
    expect(dot).toContain('  "back\\\\slash\\nnext" [label="back\\\\slash\\nnext\\n2 files"];');
    expect(dot).toContain('  "say \\"hi\\"" -> "back\\\\slash\\nnext" [label="1 read"');
  });

  it('grows the pen width with the count, one step each time it doubles, up to 6', () => {
    const widths = [1, 2, 4, 8, 16, 32, 1000].map((reads) => {
      const graph: CouplingGraph = { nodes: [], edges: [edge('a', 'b', { reads })] };
      return /penwidth=([\d.]+)/.exec(formatDot(graph))![1];
    });
    expect(widths).toEqual(['1', '2', '3', '4', '5', '6', '6']);
  });
});
