import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node, Pair } from 'yaml';
import { ConfigError, UserError } from '../errors.js';
import type { ConfigProblem } from '../errors.js';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE, configSpec } from './schema.js';
import type { FieldSpec } from './schema.js';
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

export function loadConfig(file: string): LoadedConfig {
  const display = path.relative(process.cwd(), file) || file;
  const text = readConfigText(file, display);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });

  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => ({
        file: display,
        line: lineCounter.linePos(error.pos[0]).line,
        message: `not valid YAML: ${firstLine(error.message)}`,
      })),
    );
  }

  const reader = new SpecReader(display, lineCounter);
  reader.check(doc.contents, configSpec, '');
  if (!isMap(doc.contents)) throw new ConfigError(reader.problems);

  const map = normalize(file, doc.contents, reader);
  checkSemantics(map, reader);
  return { map, problems: reader.problems };
}

function readConfigText(file: string, display: string): string {
  const bytes = readFileSync(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${display}: not a UTF-8 text file; a context map is YAML text.`);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Walks the YAML tree along the spec, collecting every problem with its line. */
class SpecReader {
  readonly problems: ConfigProblem[] = [];

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  lineOf(node: unknown): number | null {
    const range = (node as Node | null)?.range;
    return range ? this.lines.linePos(range[0]).line : null;
  }

  report(node: unknown, message: string): void {
    this.problems.push({ file: this.file, line: this.lineOf(node), message });
  }

  check(node: unknown, spec: FieldSpec, where: string): boolean {
    const name = where || 'the file';
    switch (spec.kind) {
      case 'string':
        return this.checkScalar(node, spec.values, 'string', name);
      case 'integer':
        return this.checkScalar(node, spec.values, 'number', name);
      case 'globs':
        return this.checkGlobs(node, spec.example, name);
      case 'object':
        return this.checkObject(node, spec.fields, where);
      case 'map':
        return this.checkMap(node, spec, where);
      case 'list':
        return this.checkList(node, spec.of, where);
    }
  }

  private checkScalar(
    node: unknown,
    values: readonly (string | number)[] | undefined,
    type: 'string' | 'number',
    name: string,
  ): boolean {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== type || (type === 'number' && !Number.isInteger(value))) {
      this.report(node, `${name} must be ${type === 'string' ? 'a string' : 'an integer'}.`);
      return false;
    }
    if (values && !values.includes(value as string | number)) {
      this.report(node, `${name} must be one of ${values.join(', ')}; found ${String(value)}.`);
      return false;
    }
    if (type === 'string' && (value as string).trim() === '') {
      this.report(node, `${name} must not be empty.`);
      return false;
    }
    return true;
  }

  private checkGlobs(node: unknown, example: string, name: string): boolean {
    const ok =
      isSeq(node) &&
      node.items.every((item) => isScalar(item) && typeof item.value === 'string' && item.value);
    if (!ok) this.report(node, `${name} must be a list of strings, e.g. ["${example}"].`);
    return ok;
  }

  private checkObject(node: unknown, fields: Record<string, FieldSpec>, where: string): boolean {
    const name = where || 'the file';
    if (!isMap(node)) {
      this.report(node, `${name} must be a mapping of keys to values.`);
      return false;
    }

    let ok = true;
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = keyOf(pair);
      seen.add(key);
      const spec = fields[key];
      const path = where ? `${where}.${key}` : key;
      if (!spec) {
        this.report(pair.key, unknownKeyMessage(path, key, Object.keys(fields)));
        ok = false;
      } else if (!this.check(pair.value, spec, path)) {
        ok = false;
      }
    }

    for (const [key, spec] of Object.entries(fields)) {
      if (spec.required && !seen.has(key)) {
        this.report(node, `${where ? `${where}.` : ''}${key} is required: ${spec.description}`);
        ok = false;
      }
    }
    return ok;
  }

  private checkMap(node: unknown, spec: FieldSpec & { kind: 'map' }, where: string): boolean {
    if (!isMap(node) || node.items.length === 0) {
      this.report(node, `${where} must map at least one name to its settings.`);
      return false;
    }

    let ok = true;
    for (const pair of node.items) {
      const key = keyOf(pair);
      if (!spec.keyPattern.test(key)) {
        this.report(
          pair.key,
          `${where}.${key}: a name starts with a letter, then letters, digits, _ or -.`,
        );
        ok = false;
      }
      if (!this.check(pair.value, spec.of, `${where}.${key}`)) ok = false;
    }
    return ok;
  }

  private checkList(node: unknown, of: FieldSpec, where: string): boolean {
    if (!isSeq(node)) {
      this.report(node, `${where} must be a list.`);
      return false;
    }
    return node.items
      .map((item, index) => this.check(item, of, `${where}[${index}]`))
      .every(Boolean);
  }
}

function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function unknownKeyMessage(path: string, key: string, known: string[]): string {
  const nearest = nearestWord(key, known);
  const hint = nearest ? `did you mean "${nearest}"?` : `known keys: ${known.join(', ')}.`;
  return `${path}: unknown key; ${hint}`;
}

export function nearestWord(word: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Builds the typed map from the checked tree; entries that failed the check are left out. */
function normalize(file: string, root: Node & { items: Pair[] }, reader: SpecReader): ContextMap {
  const get = (node: unknown, key: string): Node | undefined =>
    isMap(node) ? (node.items.find((pair) => keyOf(pair) === key)?.value as Node) : undefined;
  const strings = (node: unknown): string[] =>
    isSeq(node)
      ? node.items.flatMap((i) => (isScalar(i) && typeof i.value === 'string' ? [i.value] : []))
      : [];
  const text = (node: unknown): string | null =>
    isScalar(node) && typeof node.value === 'string' ? node.value : null;

  const dialect = (text(get(root, 'dialect')) ?? 'postgresql') as Dialect;
  const defaultSchema = text(get(root, 'defaultSchema'));
  const contextsNode = get(root, 'contexts');
  const contexts: ContextDef[] = isMap(contextsNode)
    ? contextsNode.items.map((pair) => {
        const node = pair.value as Node;
        const tablesNode = get(node, 'tables');
        const tables = isSeq(tablesNode)
          ? tablesNode.items.flatMap((item) => {
              const source = text(item);
              return source
                ? [parseTablePattern(source, defaultSchema, dialect, reader.lineOf(item))]
                : [];
            })
          : [];
        return {
          name: keyOf(pair),
          code: strings(get(node, 'code')),
          tables,
          public: strings(get(node, 'public')),
          line: reader.lineOf(pair.key),
          keyLines: keyLinesOf(node, reader),
        };
      })
    : [];

  const allowNode = get(root, 'allow');
  const allow: AllowRule[] = isSeq(allowNode)
    ? allowNode.items.map((item) => ({
        from: text(get(item, 'from')) ?? '',
        to: text(get(item, 'to')) ?? '',
        reason: text(get(item, 'reason')) ?? '',
        line: reader.lineOf(item),
      }))
    : [];

  const includeNode = get(root, 'include');
  return {
    file,
    root: path.dirname(file),
    dialect,
    defaultSchema,
    include: includeNode ? strings(includeNode) : DEFAULT_INCLUDE,
    exclude: [...DEFAULT_EXCLUDE, ...strings(get(root, 'exclude'))],
    contexts,
    allow,
  };
}

function keyLinesOf(node: unknown, reader: SpecReader): Record<string, number | null> {
  if (!isMap(node)) return {};
  return Object.fromEntries(node.items.map((pair) => [keyOf(pair), reader.lineOf(pair.key)]));
}

export function parseTablePattern(
  source: string,
  defaultSchema: string | null,
  dialect: Dialect,
  line: number | null,
): TablePattern {
  const fold = (part: string): string => (dialect === 'mysql' ? part.toLowerCase() : part);
  const dot = source.indexOf('.');
  if (dot < 0) {
    return {
      source,
      schema: defaultSchema == null ? null : fold(defaultSchema),
      name: fold(source),
      line,
    };
  }
  return { source, schema: fold(source.slice(0, dot)), name: fold(source.slice(dot + 1)), line };
}

/** Checks what the shape cannot express: names that must exist, patterns, overlaps. */
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

  for (const context of map.contexts) {
    for (const pattern of context.tables) {
      if (!/^[^.\s]+(\.[^.\s]+)?$/.test(pattern.source)) {
        problem(
          pattern.line,
          `contexts.${context.name}.tables: "${pattern.source}" is not schema.table, schema.* or a bare name.`,
        );
      }
    }
  }
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
          `contexts.${context.name}.tables: "${pattern.source}" overlaps "${clash.pattern.source}" of ${clash.context}; a table has one owner. Narrow one of the patterns.`,
        );
      }
      seen.push({ context: context.name, pattern });
    }
  }
}

/** True when some table matches both patterns. Two wildcard patterns overlap only when equal or when one is *. */
function patternsOverlap(a: TablePattern, b: TablePattern): boolean {
  return partsOverlap(a.schema, b.schema) && partsOverlap(a.name, b.name);
}

function partsOverlap(a: string | null, b: string | null): boolean {
  // A bare name with no default schema may meet a qualified pattern in some schema; whether it
  // does depends on the tables queried, so that case is left to the check itself.
  if (a == null || b == null) return a == null && b == null;
  if (!a.includes('*')) return wildcardMatch(b, a);
  if (!b.includes('*')) return wildcardMatch(a, b);
  return a === b || a === '*' || b === '*';
}

export function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const source = pattern.split('*').map(escapeRegExp).join('.*');
  return new RegExp(`^${source}$`).test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
