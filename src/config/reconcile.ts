import { isMap, isScalar } from 'yaml';
import type { YamlTree } from './spec-reader.js';
import type { ReconcileDef, ReconcileTableDef } from './types.js';

/** The checked `reconcile:` section as typed values; null when the file has none. */
export function readReconcile(tree: YamlTree, node: unknown): ReconcileDef | null {
  if (!isMap(tree.resolve(node))) return null;
  return {
    source: tree.text(tree.get(node, 'source')) ?? '',
    target: tree.text(tree.get(node, 'target')) ?? '',
    tables: tree.items(tree.get(node, 'tables')).map((item) => readTable(tree, item)),
  };
}

function readTable(tree: YamlTree, node: unknown): ReconcileTableDef {
  const text = (key: string): string | null => tree.text(tree.get(node, key));
  const strings = (key: string): string[] =>
    tree.items(tree.get(node, key)).flatMap((item) => tree.text(item) ?? []);
  const settle = tree.get(node, 'settle');
  const seconds = tree.get(settle, 'seconds');

  return {
    table: text('table') ?? '',
    targetTable: text('targetTable'),
    key: strings('key'),
    exclude: strings('exclude'),
    rename: entries(tree, tree.get(node, 'rename'), (value) => tree.text(value)),
    filter: text('filter'),
    targetFilter: text('targetFilter'),
    settle: isMap(tree.resolve(settle))
      ? {
          column: tree.text(tree.get(settle, 'column')) ?? '',
          seconds: isScalar(seconds) && typeof seconds.value === 'number' ? seconds.value : 0,
        }
      : null,
    tolerance: entries(tree, tree.get(node, 'tolerance'), (value) =>
      isScalar(value) && typeof value.value === 'number' ? value.value : null,
    ),
    mode: (text('mode') ?? 'auto') as ReconcileTableDef['mode'],
  };
}

function entries<T>(
  tree: YamlTree,
  node: unknown,
  read: (value: unknown) => T | null,
): Record<string, T> {
  const map = tree.resolve(node);
  if (!isMap(map)) return {};
  const result: Record<string, T> = {};
  for (const pair of map.items) {
    const value = read(tree.resolve(pair.value));
    if (value != null) result[tree.keyOf(pair)] = value;
  }
  return result;
}
