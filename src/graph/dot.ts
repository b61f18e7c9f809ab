import { SHARED, filesLabel, labelOf, penWidthOf, totalOf } from './build.js';
import type { CouplingGraph } from './build.js';

/**
 * The graph in Graphviz DOT: contexts as boxes with their file counts, findings as labelled
 * edges whose pen width and weight grow with their count, allowed ones dashed.
 */
export function formatDot(graph: CouplingGraph): string {
  const lines = [
    'digraph dbboundary {',
    '  rankdir=LR;',
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];

  for (const node of graph.nodes) {
    const label = `${node.context}\n${filesLabel(node)}`;
    const style = node.context === SHARED ? ', style="rounded,dashed"' : '';
    lines.push(`  ${quote(node.context)} [label=${quote(label)}${style}];`);
  }

  for (const edge of graph.edges) {
    const attributes = [
      `label=${quote(labelOf(edge))}`,
      `penwidth=${penWidthOf(edge)}`,
      `weight=${totalOf(edge)}`,
      ...(edge.allowed ? ['style=dashed'] : []),
    ];
    lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)} [${attributes.join(', ')}];`);
  }

  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A DOT quoted string: backslashes and quotes escaped, line breaks as \n (centred lines). */
function quote(text: string): string {
  const escaped = text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replace(/\r?\n/g, '\\n');
  return `"${escaped}"`;
}
