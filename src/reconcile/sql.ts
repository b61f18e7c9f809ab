import type { Cell, Engine } from '../db/session.js';
import { splitTableName } from '../db/session.js';
import { bucketSql, hashSql, rowFormSql } from './normalize.js';
import type { HashScheme } from './normalize.js';

/** A key value range: from `lower` (included) to `upper` (left out); null is open. */
export interface KeyRange {
  lower: Cell[] | null;
  upper: Cell[] | null;
}

/** Everything needed to write one side's queries. */
export interface SideSql {
  engine: Engine;
  scheme: HashScheme;
  /** The table, quoted. */
  table: string;
  /** Key columns, quoted, in key order. */
  keys: string[];
  /** Cast a MySQL parameter needs to compare as the key column does (SIGNED, DECIMAL…), or ''. */
  keyCasts: string[];
  /** Canonical text of each key column and each compared column. */
  keyCanon: string[];
  canon: string[];
  /**
   * Between PostgreSQL 14+ servers: each compared column's term of the typed row hash (its typed
   * hash where the types match and the hash holds the rule, else the hash of its canonical text).
   */
  typedHash: string[] | null;
  /**
   * Between PostgreSQL servers whose key columns have the same types: a 64-bit hash of the key
   * from its typed values, for bucketing without rendering the key's text; else null.
   */
  keyHash: string | null;
  /** Each compared column as the database prints it, for the report. */
  display: string[];
  filter: string | null;
  /** The settle column, quoted, and the window in seconds. */
  settle: { column: string; seconds: number } | null;
}

/** A query and its parameters. */
export interface Query {
  sql: string;
  params: Cell[];
}

export function quoteIdent(engine: Engine, name: string): string {
  return engine === 'postgresql'
    ? `"${name.replaceAll('"', '""')}"`
    : `\`${name.replaceAll('`', '``')}\``;
}

export function quoteTable(engine: Engine, name: string): string {
  return splitTableName(name)
    .map((part) => quoteIdent(engine, part))
    .join('.');
}

/** Builds parameters in order, writing each placeholder as the engine wants it. */
class Params {
  readonly values: Cell[] = [];
  constructor(private readonly engine: Engine) {}

  add(value: Cell, cast = ''): string {
    this.values.push(value);
    if (this.engine === 'postgresql') return `$${this.values.length}`;
    return cast ? `CAST(? AS ${cast})` : '?';
  }
}

function keyForm(side: SideSql): string {
  return rowFormSql(side.engine, side.scheme, side.keyCanon);
}

function rowHash(side: SideSql): string {
  if (side.typedHash) return side.typedHash.join(' # ');
  return hashSql(side.engine, side.scheme, rowFormSql(side.engine, side.scheme, side.canon));
}

function tuple(items: string[]): string {
  return items.length === 1 ? items[0]! : `(${items.join(', ')})`;
}

function rangeWhere(side: SideSql, range: KeyRange, params: Params): string[] {
  const bound = (values: Cell[]): string =>
    tuple(values.map((value, index) => params.add(value, side.keyCasts[index])));
  const where: string[] = [];
  if (range.lower) where.push(`${tuple(side.keys)} >= ${bound(range.lower)}`);
  if (range.upper) where.push(`${tuple(side.keys)} < ${bound(range.upper)}`);
  return where;
}

function settleSince(side: SideSql): string {
  const { seconds } = side.settle!;
  return side.engine === 'postgresql'
    ? `now() - make_interval(secs => ${seconds})`
    : `NOW(6) - INTERVAL ${seconds * 1_000_000} MICROSECOND`;
}

/** Rows changed within the settle window are left out of hashes; they are compared later. */
function settledWhere(side: SideSql): string[] {
  if (!side.settle) return [];
  return [`(${side.settle.column} IS NULL OR ${side.settle.column} < ${settleSince(side)})`];
}

function filterWhere(side: SideSql): string[] {
  return side.filter ? [`(${side.filter})`] : [];
}

function whereClause(conditions: string[]): string {
  return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
}

function asText(side: SideSql, expression: string): string {
  return side.engine === 'postgresql' ? `(${expression})::text` : `CAST(${expression} AS CHAR)`;
}

/**
 * The key `step` rows after the range's lower end, in key order: the next chunk boundary. An
 * index-only scan of the key serves it; null past the range's end.
 */
export function nextBoundaryQuery(side: SideSql, range: KeyRange, step: number): Query {
  const params = new Params(side.engine);
  const where = whereClause([...rangeWhere(side, range, params), ...filterWhere(side)]);
  // The outputs get names of their own, so that ORDER BY names the key columns, not their text.
  const select = side.keys.map((key, index) => `${asText(side, key)} AS b${index}`).join(', ');
  const order = side.keys.map((key) => `${side.table}.${key}`).join(', ');
  const sql = `SELECT ${select} FROM ${side.table}${where} ORDER BY ${order} LIMIT 1 OFFSET ${step}`;
  return { sql, params: params.values };
}

/** Row count and the sum of row hashes of a range. */
export function aggregateQuery(side: SideSql, range: KeyRange): Query {
  const params = new Params(side.engine);
  const where = whereClause([
    ...rangeWhere(side, range, params),
    ...filterWhere(side),
    ...settledWhere(side),
  ]);
  const sql = `SELECT ${asText(side, 'count(*)')}, ${asText(side, `coalesce(sum(${rowHash(side)}), 0)`)} FROM ${side.table}${where}`;
  return { sql, params: params.values };
}

/** (key form, row hash, key values) of each row of a range. */
export function pairsQuery(side: SideSql, range: KeyRange): Query {
  const params = new Params(side.engine);
  const where = whereClause([
    ...rangeWhere(side, range, params),
    ...filterWhere(side),
    ...settledWhere(side),
  ]);
  return { sql: `SELECT ${pairColumns(side)} FROM ${side.table}${where}`, params: params.values };
}

function pairColumns(side: SideSql): string {
  return [
    keyForm(side),
    asText(side, rowHash(side)),
    ...side.keys.map((key) => asText(side, key)),
  ].join(', ');
}

/**
 * The bucket is one of `chosen`: on PostgreSQL as one array parameter, so that the statement's
 * text (and the plan the server keeps for it) does not change with the buckets chosen.
 */
function bucketIn(side: SideSql, bucket: string, chosen: number[], params: Params): string {
  if (side.engine !== 'postgresql') return `${bucket} IN (${chosen.join(', ')})`;
  return `${bucket} = ANY(${params.add(`{${chosen.join(',')}}`)}::int8[])`;
}

/** The bucket (0 … buckets-1) of a row's key: from the typed key hash where there is one. */
function keyBucket(side: SideSql, buckets: number): string {
  if (side.keyHash) return `((${side.keyHash}) & ${buckets - 1})`;
  return bucketSql(side.engine, side.scheme, keyForm(side), buckets);
}

/**
 * Row count and hash sum per bucket of the key form's hash, for keys whose order differs, or
 * within a key range to find which rows of a differing chunk differ.
 */
export function bucketsQuery(side: SideSql, buckets: number, range?: KeyRange): Query {
  const params = new Params(side.engine);
  const bucket = keyBucket(side, buckets);
  const where = whereClause([
    ...(range ? rangeWhere(side, range, params) : []),
    ...filterWhere(side),
    ...settledWhere(side),
  ]);
  const sql =
    `SELECT ${asText(side, 'b')}, ${asText(side, 'count(*)')}, ${asText(side, 'sum(h)')} FROM (` +
    `SELECT ${bucket} AS b, ${rowHash(side)} AS h FROM ${side.table}${where}) x GROUP BY b`;
  return { sql, params: params.values };
}

/** (key form, row hash, key values) of the rows in the given buckets (of a key range). */
export function bucketPairsQuery(
  side: SideSql,
  buckets: number,
  chosen: number[],
  range?: KeyRange,
): Query {
  const params = new Params(side.engine);
  const bucket = keyBucket(side, buckets);
  const where = whereClause([
    ...(range ? rangeWhere(side, range, params) : []),
    bucketIn(side, bucket, chosen, params),
    ...filterWhere(side),
    ...settledWhere(side),
  ]);
  return { sql: `SELECT ${pairColumns(side)} FROM ${side.table}${where}`, params: params.values };
}

/**
 * The rows with the given keys, whether or not they settled: key form, row hash, whether the
 * row changed within the settle window, key values, then each compared column's canonical text
 * and its display text.
 */
export function rowsByKeysQuery(side: SideSql, keys: Cell[][]): Query {
  const params = new Params(side.engine);
  const list = keys.map((key) =>
    tuple(key.map((value, index) => params.add(value, side.keyCasts[index]))),
  );
  const recent = side.settle
    ? asText(side, `CASE WHEN ${side.settle.column} >= ${settleSince(side)} THEN 1 ELSE 0 END`)
    : `'0'`;
  const columns = [pairColumns(side), recent, ...side.canon, ...side.display].join(', ');
  const where = whereClause([`${tuple(side.keys)} IN (${list.join(', ')})`, ...filterWhere(side)]);
  return { sql: `SELECT ${columns} FROM ${side.table}${where}`, params: params.values };
}

/** Rows changed within the settle window (left out of the hashes), up to a limit. */
export function recentQuery(side: SideSql, limit: number): Query {
  const recent = `${side.settle!.column} >= ${settleSince(side)}`;
  const where = whereClause([recent, ...filterWhere(side)]);
  return {
    sql: `SELECT ${pairColumns(side)} FROM ${side.table}${where} LIMIT ${limit}`,
    params: [],
  };
}

/** One row whose key column `index` is NULL, if any: such a key cannot pair rows. */
export function nullKeyQuery(side: SideSql, index: number): Query {
  const where = whereClause([`${side.keys[index]!} IS NULL`, ...filterWhere(side)]);
  return { sql: `SELECT 1 FROM ${side.table}${where} LIMIT 1`, params: [] };
}
