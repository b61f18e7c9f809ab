import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, parseDocument } from 'yaml';
import type { Document, Pair, YAMLError } from 'yaml';
import { ConfigError, UserError } from '../errors.js';
import type { ConfigProblem } from '../errors.js';
import { parseIdentifier, parseTablePattern, patternsOverlap } from './patterns.js';
import { displayPath, readConfigText } from './read.js';
import { readReconcile } from './reconcile.js';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE, configSpec } from './schema.js';
import { SpecReader, YamlTree, nearestWord } from './spec-reader.js';
import type { AllowRule, ContextDef, ContextMap, TablePattern } from './types.js';
import type { Dialect } from '../sql/types.js';

export const CONFIG_NAMES = ['dbboundary.yaml', 'dbboundary.yml'];

export interface LoadedConfig {
  map: ContextMap;
  /** Problems found so far; the caller adds those that need the file list, then reports all. */
  problems: ConfigProblem[];
}

/** Finds the config: the given path, or dbboundary.yaml in the working folder. */
export function findConfigFile(given: string | undefined, cwd: string): string {
  if (given) {
    const file = path.resolve(cwd, given);
    if (!existsSync(file)) throw new UserError(`${given}: no such config file.`);
    if (statSync(file).isDirectory()) return findConfigFile(undefined, file);
    return file;
  }

  for (const name of CONFIG_NAMES) {
    const file = path.join(cwd, name);
    if (existsSync(file)) return file;
  }
  throw new UserError(
    `No dbboundary.yaml in ${cwd}. Write one (see the README), or pass --config <file>.`,
  );
}

/** Reads the config from its file, or from `staged` text (the git index, for check --staged). */
export function loadConfig(file: string, staged?: string): LoadedConfig {
  const display = displayPath(file);
  const text = staged ?? readConfigText(file, display);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });

  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => ({
        file: display,
        line: lineCounter.linePos(error.pos[0]).line,
        message: yamlErrorMessage(error),
      })),
    );
  }
  if (doc.contents == null) {
    throw new ConfigError([
      {
        file: display,
        line: null,
        message:
          'the file is empty; a context map needs `version: 1` and `contexts:` with at least one context and its code globs (see the README).',
      },
    ]);
  }

  const reader = new SpecReader(display, new YamlTree(doc as Document, lineCounter));
  reader.check(doc.contents, configSpec, '');
  if (!isMap(doc.contents)) throw new ConfigError(reader.problems);

  const map = normalize(file, doc.contents, reader);
  checkSemantics(map, reader);
  return { map, problems: reader.problems };
}

function yamlErrorMessage(error: YAMLError): string {
  if (error.code === 'MULTIPLE_DOCS') {
    return 'holds several YAML documents (--- separators); a context map is one document.';
  }
  return `not valid YAML: ${error.message.split('\n')[0]}`;
}

/** Builds the typed map from the checked tree; entries that failed the check are left out. */
function normalize(file: string, root: unknown, reader: SpecReader): ContextMap {
  const tree = reader.tree;
  const strings = (node: unknown): string[] =>
    tree.items(node).flatMap((item) => {
      const text = tree.text(item);
      return text == null || text.trim() === '' ? [] : [text];
    });

  const dialect = (tree.text(tree.get(root, 'dialect')) ?? 'postgresql') as Dialect;
  const defaultSchema = readDefaultSchema(root, dialect, reader);
  const contextsNode = tree.get(root, 'contexts');
  const contexts: ContextDef[] = isMap(contextsNode)
    ? contextsNode.items
        .filter((pair) => tree.keyOf(pair) !== '<<')
        .map((pair) => ({
          name: tree.keyOf(pair),
          code: strings(tree.get(pair.value, 'code')),
          tables: readTables(pair, defaultSchema, dialect, reader),
          public: strings(tree.get(pair.value, 'public')),
          line: reader.lineOf(pair.key),
          keyLines: keyLinesOf(pair.value, reader),
        }))
    : [];

  const allow: AllowRule[] = tree.writtenItems(tree.get(root, 'allow')).map((item) => ({
    from: tree.text(tree.get(item, 'from')) ?? '',
    to: tree.text(tree.get(item, 'to')) ?? '',
    reason: tree.text(tree.get(item, 'reason')) ?? '',
    access: tree.text(tree.get(item, 'access')) === 'read' ? 'read' : 'read-write',
    line: reader.lineOf(item),
  }));

  const includeNode = tree.get(root, 'include');
  return {
    file,
    root: path.dirname(file),
    dialect,
    defaultSchema,
    include: includeNode ? strings(includeNode) : DEFAULT_INCLUDE,
    exclude: [...DEFAULT_EXCLUDE, ...strings(tree.get(root, 'exclude'))],
    contexts,
    allow,
    reconcile: readReconcile(tree, tree.get(root, 'reconcile')),
  };
}

/** defaultSchema as the dialect names it, so that it meets folded SQL names and patterns. */
function readDefaultSchema(root: unknown, dialect: Dialect, reader: SpecReader): string | null {
  const node = reader.tree.getWritten(root, 'defaultSchema');
  const text = reader.tree.text(node);
  if (text == null || text.trim() === '') return null;

  const schema = parseIdentifier(text, dialect);
  if (schema == null) {
    reader.report(
      node,
      `defaultSchema: ${JSON.stringify(text)} is not one schema name; quote it whole to keep its case or a dot, as in "My.Schema".`,
    );
  }
  return schema;
}

function readTables(
  pair: Pair,
  defaultSchema: string | null,
  dialect: Dialect,
  reader: SpecReader,
): TablePattern[] {
  const where = `contexts.${reader.tree.keyOf(pair)}.tables`;
  const items = reader.tree.writtenItems(reader.tree.get(pair.value, 'tables'));
  return items.flatMap((item) => {
    const source = reader.tree.text(item);
    if (source == null || source.trim() === '') return [];

    const pattern = parseTablePattern(source, defaultSchema, dialect, reader.lineOf(item));
    if (!pattern) {
      reader.report(
        item,
        `${where}: ${JSON.stringify(source)} is not schema.table, schema.* or a bare name; quote a whole part to keep its case, as in "Billing"."Invoice".`,
      );
    }
    return pattern ? [pattern] : [];
  });
}

function keyLinesOf(node: unknown, reader: SpecReader): Record<string, number | null> {
  const map = reader.tree.resolve(node);
  if (!isMap(map)) return {};
  return Object.fromEntries(
    map.items.map((pair) => [reader.tree.keyOf(pair), reader.lineOf(pair.key)]),
  );
}

/** Checks what the shape cannot express: names that must exist, overlapping patterns. */
function checkSemantics(map: ContextMap, reader: SpecReader): void {
  const names = map.contexts.map((context) => context.name);
  const problem = (line: number | null, message: string): void => {
    reader.problems.push({ file: reader.file, line, message });
  };

  map.allow.forEach((rule, index) => {
    for (const side of ['from', 'to'] as const) {
      const name = rule[side];
      if (name && !names.includes(name)) {
        const nearest = nearestWord(name, names);
        problem(
          rule.line,
          `allow[${index}].${side}: no context named "${name}"${nearest ? `; did you mean "${nearest}"?` : '.'}`,
        );
      }
    }
    if (rule.from && rule.from === rule.to) {
      problem(
        rule.line,
        `allow[${index}]: from and to are both "${rule.from}"; a context may always use its own data.`,
      );
    }
  });

  checkTableOverlaps(map, problem);
}

function checkTableOverlaps(
  map: ContextMap,
  problem: (line: number | null, message: string) => void,
): void {
  const seen: { context: string; pattern: TablePattern }[] = [];
  for (const context of map.contexts) {
    for (const pattern of context.tables) {
      const clash = seen.find(
        (other) => other.context !== context.name && patternsOverlap(other.pattern, pattern),
      );
      if (clash) {
        problem(
          pattern.line,
          `contexts.${context.name}.tables: ${JSON.stringify(pattern.source)} overlaps ${JSON.stringify(clash.pattern.source)} of ${clash.context}; a table has one owner. Narrow one of the patterns.`,
        );
      }
      seen.push({ context: context.name, pattern });
    }
  }
}
