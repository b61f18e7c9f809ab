import type { AllowedFinding, Finding } from '../check/findings.js';
import type { CheckResult } from '../check/run.js';

/** The node of code outside every context; parentheses keep it apart from any context name. */
export const SHARED = '(shared)';

export interface GraphNode {
  context: string;
  files: number;
}

/** Findings from one context into another, by kind; allowed findings make edges of their own. */
export interface GraphEdge {
  from: string;
  to: string;
  joins: number;
  reads: number;
  writes: number;
  imports: number;
  foreignKeys: number;
  /** True for the edge of the findings an allow entry covers, drawn apart from the others. */
  allowed: boolean;
}

export interface CouplingGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

type Kind = 'joins' | 'reads' | 'writes' | 'imports' | 'foreignKeys';

/**
 * The contexts as nodes and the coupling findings between them as edges: a cross-context join
 * links the file's context (or shared code) to every other context in the statement, a foreign
 * table access is a read or a write, a cross-context import is an import, and a foreign key
 * between contexts is a foreign key.
 */
export function buildCouplingGraph(result: CheckResult): CouplingGraph {
  const edges = new Map<string, GraphEdge>();
  const add = (finding: Finding, allowed: boolean): void => {
    const kind = kindOf(finding);
    if (kind == null) return;

    const from = finding.context ?? SHARED;
    for (const to of finding.targets.filter((target) => target !== from)) {
      const key = JSON.stringify([from, to, allowed]);
      const edge = edges.get(key) ?? emptyEdge(from, to, allowed);
      edge[kind] += 1;
      edges.set(key, edge);
    }
  };
  result.findings.forEach((finding) => add(finding, false));
  result.allowed.forEach((finding: AllowedFinding) => add(finding, true));

  const sorted = [...edges.values()].sort(byEnds);
  return { nodes: nodesOf(result, sorted), edges: sorted };
}

function kindOf(finding: Finding): Kind | null {
  switch (finding.rule) {
    case 'cross-context-join':
      return 'joins';
    case 'foreign-table-access':
      return accessOf(finding);
    case 'cross-context-import':
      return 'imports';
    case 'cross-context-foreign-key':
      return 'foreignKeys';
    default:
      return null;
  }
}

/** Anything that changes the tables counts as a write: that is the coupling that matters. */
function accessOf(finding: Finding): Kind {
  return finding.access === 'read' ? 'reads' : 'writes';
}

function emptyEdge(from: string, to: string, allowed: boolean): GraphEdge {
  return { from, to, joins: 0, reads: 0, writes: 0, imports: 0, foreignKeys: 0, allowed };
}

/** Every context of the map, with the shared node when an edge starts there. */
function nodesOf(result: CheckResult, edges: GraphEdge[]): GraphNode[] {
  const nodes = new Map(
    Object.entries(result.summary.filesByContext).map(([context, files]) => [context, files]),
  );
  if (edges.some((edge) => edge.from === SHARED)) {
    nodes.set(SHARED, result.summary.filesOutsideContexts);
  }
  for (const edge of edges) {
    for (const context of [edge.from, edge.to]) {
      if (!nodes.has(context)) nodes.set(context, 0);
    }
  }
  return [...nodes].map(([context, files]) => ({ context, files }));
}

function byEnds(a: GraphEdge, b: GraphEdge): number {
  return (
    a.from.localeCompare(b.from) ||
    a.to.localeCompare(b.to) ||
    Number(a.allowed) - Number(b.allowed)
  );
}

/** All findings on an edge. */
export function totalOf(edge: GraphEdge): number {
  return edge.joins + edge.reads + edge.writes + edge.imports + edge.foreignKeys;
}

/** "3 joins, 1 import", naming only the kinds present. */
export function labelOf(edge: GraphEdge): string {
  const parts = (
    [
      [edge.joins, 'join'],
      [edge.reads, 'read'],
      [edge.writes, 'write'],
      [edge.imports, 'import'],
      [edge.foreignKeys, 'foreign key'],
    ] as const
  )
    .filter(([count]) => count > 0)
    .map(([count, word]) => `${count} ${word}${count === 1 ? '' : 's'}`);
  return `${parts.join(', ')}${edge.allowed ? ' (allowed)' : ''}`;
}

/** Line width for an edge: 1 for one finding, one more each time the count doubles, at most 6. */
export function penWidthOf(edge: GraphEdge): number {
  const width = Math.min(6, 1 + Math.log2(Math.max(1, totalOf(edge))));
  return Math.round(width * 10) / 10;
}

export function filesLabel(node: GraphNode): string {
  return `${node.files} file${node.files === 1 ? '' : 's'}`;
}
