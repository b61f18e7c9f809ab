import type { ColumnInfo, Engine, TableInfo } from '../db/session.js';
import { UserError } from '../errors.js';
import { canonicalSql, classOf, kindOf, typedHashTerm, typedHashable } from './normalize.js';
import type { HashScheme, Kind, Rule, TypeClass } from './normalize.js';
import { quoteIdent, quoteTable } from './sql.js';
import type { SideSql } from './sql.js';
import type { PairSpec } from './types.js';

export interface ColumnPlan {
  source: string;
  target: string;
  rule: Rule;
}

export interface Plan {
  mode: 'range' | 'bucket';
  scheme: HashScheme;
  keys: ColumnPlan[];
  columns: ColumnPlan[];
  source: SideSql;
  target: SideSql;
  notes: string[];
}

interface Side {
  engine: Engine;
  info: TableInfo;
}

/** Key classes whose order is the same on every engine, so ranges select the same rows. */
const ORDERED_ANYWHERE = new Set<TypeClass>(['int', 'numeric', 'date', 'timestamp', 'timestamptz']);

/**
 * Matches the two tables' columns (renames, exclusions), picks a rule per column pair, decides
 * between key ranges and hash buckets, and writes each side's SQL pieces.
 */
export function planPair(spec: PairSpec, source: Side, target: Side): Plan {
  const keyNames = spec.key.length > 0 ? spec.key : source.info.primaryKey;
  if (keyNames.length === 0) {
    throw new UserError(
      `${spec.table}: no primary key; give the key columns with --key (or key: in the reconcile config).`,
    );
  }

  checkNamedColumns(spec, source, target);
  const notes: string[] = [];
  const keys = keyNames.map((name) => pairColumn(spec, source, target, name, notes));
  const keySet = new Set(keyNames);
  const columns = source.info.columns
    .filter((column) => !keySet.has(column.name) && !isExcluded(spec, column.name))
    .filter((column) => !isExcluded(spec, targetName(spec, column.name)))
    .map((column) => pairColumn(spec, source, target, column.name, notes));
  checkTargetCovered(spec, target, [...keys, ...columns]);

  const scheme: HashScheme =
    source.engine === 'postgresql' && target.engine === 'postgresql' ? 'fast' : 'portable';
  const mode = chooseMode(spec, source, target, keys, notes);
  const typed = typedColumns(source, target, columns);
  const typedKeys = typedKeyHash(source, target, keys);
  noteCaseInsensitiveKeys(source, target, keys, notes);
  const side = (which: 'source' | 'target', info: Side): SideSql =>
    sideSql(spec, info, scheme, { keys, columns, typed, typedKeys }, which);
  return {
    mode,
    scheme,
    keys,
    columns,
    source: side('source', source),
    target: side('target', target),
    notes,
  };
}

/** A flag, or the config key it stands for when the pair comes from the config. */
function optionName(spec: PairSpec, flag: string, key: string): string {
  return spec.origin ? `${spec.origin}: ${key}` : flag;
}

const NUMERIC_CLASSES = new Set<TypeClass>(['int', 'numeric', 'float']);

/** --exclude, --rename and --tolerance must each name a column the table has. */
function checkNamedColumns(spec: PairSpec, source: Side, target: Side): void {
  const names = (side: Side): string[] => side.info.columns.map((column) => column.name);
  const known = (side: Side, which: string): string =>
    `the ${which} table has ${names(side).join(', ')}`;
  const unknown = (option: string, column: string, where: string): UserError =>
    new UserError(`${option} ${column}: no such column; ${where}.`);

  for (const name of spec.exclude) {
    if (findColumn(source, name) || findColumn(target, name)) continue;
    const where = [known(source, 'source'), known(target, 'target')];
    throw unknown(optionName(spec, '--exclude', 'exclude'), name, [...new Set(where)].join('; '));
  }
  for (const name of Object.keys(spec.rename)) {
    if (findColumn(source, name)) continue;
    throw unknown(optionName(spec, '--rename', 'rename'), name, known(source, 'source'));
  }
  for (const name of Object.keys(spec.tolerance)) {
    const option = optionName(spec, '--tolerance', 'tolerance');
    const column = findColumn(source, name);
    if (!column) throw unknown(option, name, known(source, 'source'));
    if (!NUMERIC_CLASSES.has(classOf(source.engine, column))) {
      throw new UserError(
        `${option} ${name}: ${name} is ${column.type}; a tolerance applies to numeric and float columns only.`,
      );
    }
  }
}

function isExcluded(spec: PairSpec, name: string): boolean {
  return spec.exclude.includes(name);
}

function targetName(spec: PairSpec, name: string): string {
  return spec.rename[name] ?? name;
}

function findColumn(side: Side, name: string): ColumnInfo | undefined {
  return side.info.columns.find((column) => column.name === name);
}

function pairColumn(
  spec: PairSpec,
  source: Side,
  target: Side,
  name: string,
  notes: string[],
): ColumnPlan {
  const sourceColumn = findColumn(source, name);
  if (!sourceColumn) throw new UserError(`${spec.table}: no column ${name} in the source table.`);
  const other = targetName(spec, name);
  const targetColumn = findColumn(target, other);
  if (!targetColumn) {
    throw new UserError(
      `${spec.targetTable}: no column ${other} in the target table; rename it (--rename ${name}=<target column>) or exclude it (--exclude ${name}).`,
    );
  }

  const sourceClass = classOf(source.engine, sourceColumn);
  const targetClass = classOf(target.engine, targetColumn);
  const mixed = source.engine !== target.engine;
  const kind =
    (mixed ? jsonAsText(sourceClass, targetClass, notes, name) : null) ??
    kindOf(sourceClass, targetClass);
  if (kind === 'other' && sourceClass !== targetClass) {
    notes.push(
      `${name}: ${sourceColumn.type} and ${targetColumn.type} are compared as text; values must print alike.`,
    );
  }
  const precision = Math.min(sourceColumn.fractionDigits ?? 6, targetColumn.fractionDigits ?? 6);
  const tolerance = spec.tolerance[name] ?? null;
  return { source: name, target: other, rule: { kind, precision, tolerance } };
}

/**
 * JSON against text across engines (MariaDB keeps JSON as text): MariaDB cannot print JSON as PostgreSQL's jsonb
 * does, so both sides compare the text as stored (jsonb's own text on PostgreSQL). Identical text
 * is equal; the same value spaced or ordered differently is not. Null when the rule is not this.
 */
function jsonAsText(
  sourceClass: TypeClass,
  targetClass: TypeClass,
  notes: string[],
  name: string,
): Kind | null {
  const pair = [sourceClass, targetClass];
  if (!(pair.includes('json') && pair.includes('text'))) return null;
  notes.push(
    `${name}: JSON against text is compared as the text each side stores; the same value spaced or ordered differently shows as changed.`,
  );
  return 'text';
}

/** A target column that is neither compared nor excluded is a mistake to point out. */
function checkTargetCovered(spec: PairSpec, target: Side, compared: ColumnPlan[]): void {
  const covered = new Set(compared.map((column) => column.target));
  const left = target.info.columns
    .map((column) => column.name)
    .filter((name) => !covered.has(name) && !isExcluded(spec, name));
  if (left.length > 0) {
    throw new UserError(
      `${spec.targetTable}: ${left.join(', ')} only in the target table; exclude ${left.length > 1 ? 'them' : 'it'} (--exclude ${left.join(',')}) or rename the source column to ${left.length > 1 ? 'them' : 'it'}.`,
    );
  }
}

/**
 * Key ranges need both sides to order keys alike: numbers, dates and instants always do; text
 * only when both sides order it byte by byte; uuids only between PostgreSQL servers.
 */
function chooseMode(
  spec: PairSpec,
  source: Side,
  target: Side,
  keys: ColumnPlan[],
  notes: string[],
): 'range' | 'bucket' {
  const unordered = keys.filter((key) => !sameOrder(source, target, key));
  if (spec.mode === 'range' && unordered.length > 0) {
    notes.push(
      `key ${unordered.map((key) => key.source).join(', ')} may sort differently on the two sides; ranges were asked for all the same.`,
    );
  }
  if (spec.mode !== 'auto') return spec.mode;
  if (unordered.length > 0) {
    notes.push(
      `key ${unordered.map((key) => key.source).join(', ')} may sort differently on the two sides: compared by hash buckets.`,
    );
    return 'bucket';
  }
  return 'range';
}

/**
 * Which columns the typed row hash takes as typed values: only between PostgreSQL 14+ servers
 * (bytea's term is hash_record_extended), and null when no column qualifies.
 */
function typedColumns(source: Side, target: Side, columns: ColumnPlan[]): boolean[] | null {
  if (!typedCapable(source, target) || columns.length === 0) return null;
  const typed = columns.map((column) =>
    typedHashable(
      findColumn(source, column.source)!,
      findColumn(target, column.target)!,
      column.rule,
    ),
  );
  return typed.some(Boolean) ? typed : null;
}

function typedCapable(source: Side, target: Side): boolean {
  const capable = (side: Side): boolean =>
    side.engine === 'postgresql' && side.info.serverVersion >= 140000;
  return capable(source) && capable(target);
}

/**
 * Whether the key columns can be hashed as typed values for bucketing: under the same terms as
 * compared columns, so equal keys land in the same bucket on both sides without rendering text.
 */
function typedKeyHash(source: Side, target: Side, keys: ColumnPlan[]): boolean {
  if (!typedCapable(source, target)) return false;
  return keys.every((key) =>
    typedHashable(findColumn(source, key.source)!, findColumn(target, key.target)!, {
      ...key.rule,
      tolerance: null,
    }),
  );
}

function keyHashSql(side: Side, keys: ColumnPlan[], which: 'source' | 'target'): string {
  return keys
    .map((key, place) => {
      const name = key[which];
      const quoted = quoteIdent(side.engine, name);
      return typedHashTerm(findColumn(side, name)!.type, quoted, quoted, KEY_PLACES + place);
    })
    .join(' # ');
}

/** Key columns take seeds of their own, apart from the compared columns'. */
const KEY_PLACES = 1_000;

/** Keys that differ only in case are one row under a *_ci collation and two elsewhere. */
function noteCaseInsensitiveKeys(
  source: Side,
  target: Side,
  keys: ColumnPlan[],
  notes: string[],
): void {
  const folded = keys.filter(
    (key) =>
      findColumn(source, key.source)!.caseInsensitive !==
      findColumn(target, key.target)!.caseInsensitive,
  );
  if (folded.length === 0) return;
  notes.push(
    `key ${folded.map((key) => key.source).join(', ')} ignores case on one side only: keys that differ only in case are one row there, and show as missing or extra.`,
  );
}

function sameOrder(source: Side, target: Side, key: ColumnPlan): boolean {
  const a = findColumn(source, key.source)!;
  const b = findColumn(target, key.target)!;
  const classA = classOf(source.engine, a);
  const classB = classOf(target.engine, b);
  const bothPg = source.engine === 'postgresql' && target.engine === 'postgresql';
  if (classA !== classB && !(key.rule.kind === 'instant')) return false;
  if (ORDERED_ANYWHERE.has(classA)) return true;
  if (classA === 'uuid') return bothPg;
  if (classA === 'text') return a.bytewiseOrder && b.bytewiseOrder;
  return bothPg && classA !== 'float' && classA !== 'json';
}

/** The pair's columns and which of them hash as typed values. */
interface Hashing {
  keys: ColumnPlan[];
  columns: ColumnPlan[];
  typed: boolean[] | null;
  typedKeys: boolean;
}

function sideSql(
  spec: PairSpec,
  side: Side,
  scheme: HashScheme,
  { keys, columns, typed, typedKeys }: Hashing,
  which: 'source' | 'target',
): SideSql {
  const { engine } = side;
  const nameOf = (column: ColumnPlan): string => column[which];
  const canonical = (column: ColumnPlan): string => {
    const info = findColumn(side, nameOf(column))!;
    return canonicalSql(
      engine,
      classOf(engine, info),
      quoteIdent(engine, nameOf(column)),
      column.rule,
    );
  };
  const display = (column: ColumnPlan): string => {
    const info = findColumn(side, nameOf(column))!;
    const quoted = quoteIdent(engine, nameOf(column));
    if (engine === 'postgresql') return `${quoted}::text`;
    return classOf(engine, info) === 'bytes' ? `LOWER(HEX(${quoted}))` : `CAST(${quoted} AS CHAR)`;
  };

  return {
    engine,
    scheme,
    table: quoteTable(engine, which === 'source' ? spec.table : spec.targetTable),
    keys: keys.map((key) => quoteIdent(engine, nameOf(key))),
    keyCasts: keys.map((key) => mysqlCast(side, nameOf(key))),
    keyCanon: keys.map(canonical),
    canon: columns.map(canonical),
    typedHash: typed
      ? columns.map((column, place) =>
          typedHashTerm(
            typed[place] ? findColumn(side, nameOf(column))!.type : null,
            quoteIdent(engine, nameOf(column)),
            canonical(column),
            place,
          ),
        )
      : null,
    keyHash: typedKeys ? keyHashSql(side, keys, which) : null,
    display: columns.map(display),
    filter: which === 'source' ? spec.filter : (spec.targetFilter ?? spec.filter),
    settle: settleOf(spec, side, which),
  };
}

/** MySQL compares an integer column with a string parameter as doubles; a cast keeps it exact. */
function mysqlCast(side: Side, name: string): string {
  if (side.engine !== 'mysql') return '';
  const column = findColumn(side, name)!;
  const type = classOf('mysql', column);
  if (type === 'int') return column.type.endsWith('unsigned') ? 'UNSIGNED' : 'SIGNED';
  if (type === 'numeric') return 'DECIMAL(65, 30)';
  return '';
}

function settleOf(spec: PairSpec, side: Side, which: 'source' | 'target'): SideSql['settle'] {
  if (!spec.settle) return null;
  const name = which === 'source' ? spec.settle.column : targetName(spec, spec.settle.column);
  if (!findColumn(side, name)) {
    throw new UserError(
      `${which === 'source' ? spec.table : spec.targetTable}: no settle column ${name}; name an updated_at-style column both tables have.`,
    );
  }
  return { column: quoteIdent(side.engine, name), seconds: spec.settle.seconds };
}
