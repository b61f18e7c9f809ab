import { isAlias, isCollection, isMap, isScalar, isSeq } from 'yaml';
import type { Alias, Document, LineCounter, Node, Pair } from 'yaml';
import { ConfigError } from '../errors.js';
import type { ConfigProblem } from '../errors.js';
import { globCannotMatch } from './globs.js';
import type { FieldSpec } from './schema.js';

/** More values than any hand-written map repeats; past it, aliases are an accident or an attack. */
const MAX_ALIASED_VALUES = 10_000;

/** The parsed YAML with aliases resolved, and the line of each node. */
export class YamlTree {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** The node itself, or the node an alias (`*name`) stands for. */
  resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  lineOf(node: unknown): number | null {
    const range = (node as Node | null)?.range;
    return range ? this.lines.linePos(range[0]).line : null;
  }

  keyOf(pair: Pair): string {
    const key = this.resolve(pair.key);
    return isScalar(key) ? String(key.value) : String(key);
  }

  /** The value under key in a mapping, aliases resolved. */
  get(node: unknown, key: string): unknown {
    const map = this.resolve(node);
    if (!isMap(map)) return undefined;
    return this.resolve(map.items.find((pair) => this.keyOf(pair) === key)?.value);
  }

  /** The items of a list, aliases resolved; [] for anything else. */
  items(node: unknown): unknown[] {
    return this.writtenItems(node).map((item) => this.resolve(item));
  }

  /** The items of a list as written: an alias stays one, so that its own line is known. */
  writtenItems(node: unknown): unknown[] {
    const seq = this.resolve(node);
    return isSeq(seq) ? seq.items : [];
  }

  /** The value under key in a mapping as written: an alias stays one. */
  getWritten(node: unknown, key: string): unknown {
    const map = this.resolve(node);
    if (!isMap(map)) return undefined;
    return map.items.find((pair) => this.keyOf(pair) === key)?.value;
  }

  text(node: unknown): string | null {
    const scalar = this.resolve(node);
    return isScalar(scalar) && typeof scalar.value === 'string' ? scalar.value : null;
  }
}

/** Walks the YAML tree along the spec, collecting every problem with its line. */
export class SpecReader {
  readonly problems: ConfigProblem[] = [];
  private aliasedValues = 0;
  /** The aliases being checked, innermost last, with the value each stands for. */
  private readonly aliasUses: { alias: Alias; value: unknown }[] = [];

  constructor(
    readonly file: string,
    readonly tree: YamlTree,
  ) {}

  lineOf(node: unknown): number | null {
    return this.tree.lineOf(node);
  }

  /**
   * A problem with a whole value that an alias put in place is the alias's: the anchored value may
   * suit the other places that use it. The message says where the value is written.
   */
  report(node: unknown, message: string): void {
    const use = isAlias(node)
      ? { alias: node, value: this.tree.resolve(node) }
      : this.aliasUses.findLast((entry) => entry.value === node);
    if (use == null) {
      this.problems.push({ file: this.file, line: this.lineOf(node), message });
      return;
    }
    const written = `it is *${use.alias.source}, written on line ${this.lineOf(use.value)}`;
    this.problems.push({
      file: this.file,
      line: this.lineOf(use.alias),
      message: `${message.replace(/\.$/, '')} (${written}).`,
    });
  }

  check(node: unknown, spec: FieldSpec, where: string): boolean {
    const value = this.resolve(node);
    if (!isAlias(node) || value === node) return this.checkValue(value, spec, where);

    this.aliasUses.push({ alias: node, value });
    try {
      return this.checkValue(value, spec, where);
    } finally {
      this.aliasUses.pop();
    }
  }

  private checkValue(value: unknown, spec: FieldSpec, where: string): boolean {
    const name = where || 'the file';
    switch (spec.kind) {
      case 'string':
        return this.checkScalar(value, spec.values, 'string', name);
      case 'integer':
        return this.checkScalar(value, spec.values, 'number', name);
      case 'number':
        return this.checkNumber(value, name);
      case 'globs':
        return this.checkGlobs(value, spec, name);
      case 'object':
        return this.checkObject(value, spec.fields, where);
      case 'map':
        return this.checkMap(value, spec, where);
      case 'list':
        return this.checkList(value, spec.of, where);
    }
  }

  /** Resolves an alias, counting what it repeats so that nested aliases cannot blow up the walk. */
  private resolve(node: unknown): unknown {
    const value = this.tree.resolve(node);
    if (value === node) return value;

    this.aliasedValues += countValues(value);
    if (this.aliasedValues > MAX_ALIASED_VALUES) {
      const limit = MAX_ALIASED_VALUES.toLocaleString('en-US');
      throw new ConfigError([
        {
          file: this.file,
          line: this.lineOf(node),
          message: `aliases repeat more than ${limit} values; write the config out without them.`,
        },
      ]);
    }
    return value;
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
      const allowed = values.length === 1 ? values[0] : `one of ${values.join(', ')}`;
      const found = (isScalar(node) && node.source) || String(value);
      this.report(node, `${name} must be ${allowed}; found ${found}.`);
      return false;
    }

    if (type === 'string' && (value as string).trim() === '') {
      this.report(node, `${name} must not be empty.`);
      return false;
    }
    return true;
  }

  private checkNumber(node: unknown, name: string): boolean {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return true;
    this.report(node, `${name} must be a number of at least 0.`);
    return false;
  }

  private checkGlobs(node: unknown, spec: GlobsSpec, name: string): boolean {
    const items = isSeq(node) ? node.items : [];
    const globs = items.map((item) => this.tree.text(this.resolve(item)));
    if (!isSeq(node) || globs.some((glob) => glob == null)) {
      this.report(node, `${name} must be a list of strings, e.g. ${exampleOf(spec)}.`);
      return false;
    }

    let ok = true;
    const report = (at: unknown, message: string | null): void => {
      if (message) {
        this.report(at, message);
        ok = false;
      }
    };
    globs.forEach((glob, index) => report(items[index], globProblem(glob!, index, spec, name)));
    report(node, globListProblem(globs as string[], spec, name));
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
      const key = this.tree.keyOf(pair);
      seen.add(key);
      const spec = fields[key];
      const path = where ? `${where}.${key}` : key;
      if (key === '<<') {
        this.reportMergeKey(pair, path);
        ok = false;
      } else if (!spec) {
        this.report(pair.key, unknownKeyMessage(path, key, Object.keys(fields)));
        ok = false;
      } else if (!this.check(pair.value, spec, path)) {
        ok = false;
      }
    }

    // With a merge key the missing keys are likely in the merged mapping; one problem is enough.
    for (const [key, spec] of Object.entries(fields)) {
      if (spec.required && !seen.has(key) && !seen.has('<<')) {
        const hint = spec.whenMissing ?? spec.description;
        this.report(node, `${where ? `${where}.` : ''}${key} is required: ${hint}`);
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
      const key = this.tree.keyOf(pair);
      if (key === '<<') {
        this.reportMergeKey(pair, `${where}.${key}`);
        ok = false;
        continue;
      }
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

  /** YAML 1.2 has no merge keys; reading `<<` as a key would only give a puzzling "unknown key". */
  private reportMergeKey(pair: Pair, path: string): void {
    this.report(
      pair.key,
      `${path}: YAML merge keys are not supported; write the keys out in each mapping.`,
    );
  }
}

type GlobsSpec = FieldSpec & { kind: 'globs' };

function exampleOf(spec: GlobsSpec): string {
  return `["${spec.example}"]`;
}

function globProblem(glob: string, index: number, spec: GlobsSpec, name: string): string | null {
  if (glob.trim() === '') {
    return `${name}[${index}] is empty; ${name} must be a list of non-empty strings, e.g. ${exampleOf(spec)}.`;
  }
  const cannotMatch = spec.filePaths ? globCannotMatch(glob) : null;
  return cannotMatch && `${name}: ${JSON.stringify(glob)} cannot match: ${cannotMatch}`;
}

function globListProblem(globs: string[], spec: GlobsSpec, name: string): string | null {
  if (!spec.atLeastOne) return null;

  const must = `${name} must list at least one glob, e.g. ${exampleOf(spec)}`;
  if (globs.length === 0) return `${must}; without one the context has no files.`;
  if (globs.every((glob) => glob.startsWith('!'))) {
    return `${must}; globs starting with ! only leave files out.`;
  }
  return null;
}

/** How many nodes a value holds, counting a nested alias as one (it is counted when resolved). */
function countValues(node: unknown): number {
  if (!isCollection(node)) return 1;
  let count = 1;
  for (const item of node.items) {
    count += isMap(node)
      ? countValues((item as Pair).key) + countValues((item as Pair).value)
      : countValues(item);
  }
  return count;
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
