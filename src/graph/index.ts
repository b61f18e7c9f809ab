import type { CouplingGraph } from './build.js';
import { formatDot } from './dot.js';
import { formatMermaid } from './mermaid.js';

export { SHARED, buildCouplingGraph } from './build.js';
export type { CouplingGraph, GraphEdge, GraphNode } from './build.js';
export { formatDot, formatMermaid };

export type GraphFormat = 'mermaid' | 'dot';

export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot'];

export function formatGraph(graph: CouplingGraph, format: GraphFormat): string {
  return format === 'dot' ? formatDot(graph) : formatMermaid(graph);
}
