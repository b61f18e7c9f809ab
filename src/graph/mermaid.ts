import { SHARED, filesLabel, labelOf, penWidthOf } from './build.js';
import type { CouplingGraph } from './build.js';

/**
 * The graph as a Mermaid flowchart: contexts as boxes with their file counts, findings as
 * labelled arrows whose width grows with their count, allowed ones dashed. Node ids are made
 * from the names, so any context name is safe; labels are quoted.
 */
export function formatMermaid(graph: CouplingGraph): string {
  const ids = nodeIds(graph.nodes.map((node) => node.context));
  const lines = ['flowchart LR'];

  for (const node of graph.nodes) {
    const label = `${escapeLabel(node.context)}<br/>${filesLabel(node)}`;
    const [open, close] = node.context === SHARED ? ['([', '])'] : ['[', ']'];
    lines.push(`  ${ids.get(node.context)}${open}"${label}"${close}`);
  }

  graph.edges.forEach((edge, index) => {
    const arrow = edge.allowed ? '-.->' : '-->';
    const label = escapeLabel(labelOf(edge));
    lines.push(`  ${ids.get(edge.from)} ${arrow}|"${label}"| ${ids.get(edge.to)}`);
    lines.push(`  linkStyle ${index} stroke-width:${penWidthOf(edge)}px`);
  });
  return `${lines.join('\n')}\n`;
}

/**
 * An id per name from its letters and digits, with a prefix so that no id is a Mermaid keyword
 * (end, graph, subgraph) and a number where two names would give the same id.
 */
function nodeIds(names: string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of names) {
    const base = `ctx_${name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '')}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    ids.set(name, id);
  }
  return ids;
}

/** Mermaid reads quotes and angle brackets in a label as syntax; entity codes keep them text. */
function escapeLabel(text: string): string {
  return text.replaceAll('"', '#quot;').replaceAll('<', '#lt;').replaceAll('>', '#gt;');
}
