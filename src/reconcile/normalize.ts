import type { ColumnInfo, Engine } from '../db/session.js';

/** What a column holds, as far as comparing goes; each engine's type names map onto these. */
export type TypeClass =
  | 'int'
  | 'numeric'
  | 'float'
  | 'bool'
  | 'text'
  | 'uuid'
  | 'json'
  | 'timestamp'
  | 'timestamptz'
  | 'date'
  | 'time'
  | 'bytes'
  | 'array'
  | 'other';

/**
 * How a pair of columns is brought to one canonical text before hashing: the rule both sides
 * follow, chosen from the two columns' classes.
 */
export type Kind =
  | 'int'
  | 'numeric'
  | 'float'
  | 'bool'
  | 'text'
  | 'uuid'
  | 'json'
  | 'instant'
  | 'date'
  | 'time'
  | 'bytes'
  | 'other';

export interface Rule {
  kind: Kind;
  /** Fraction-of-second digits both sides keep (instant and time); values are rounded to it. */
  precision: number;
  /** Floats within this distance are equal; the hash compares them on a grid of this step. */
  tolerance: number | null;
}

const PG_CLASSES: Record<string, TypeClass> = {
  int2: 'int',
  int4: 'int',
  int8: 'int',
  oid: 'int',
  numeric: 'numeric',
  float4: 'float',
  float8: 'float',
  bool: 'bool',
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  name: 'text',
  citext: 'text',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'json',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  date: 'date',
  time: 'time',
  timetz: 'time',
  bytea: 'bytes',
};

const MYSQL_CLASSES: Record<string, TypeClass> = {
  tinyint: 'int',
  smallint: 'int',
  mediumint: 'int',
  int: 'int',
  integer: 'int',
  bigint: 'int',
  year: 'int',
  'tinyint(1)': 'bool',
  decimal: 'numeric',
  float: 'float',
  double: 'float',
  char: 'text',
  varchar: 'text',
  tinytext: 'text',
  text: 'text',
  mediumtext: 'text',
  longtext: 'text',
  enum: 'text',
  set: 'text',
  uuid: 'uuid',
  json: 'json',
  datetime: 'timestamp',
  timestamp: 'timestamptz',
  date: 'date',
  time: 'time',
  binary: 'bytes',
  varbinary: 'bytes',
  tinyblob: 'bytes',
  blob: 'bytes',
  mediumblob: 'bytes',
  longblob: 'bytes',
};

export function classOf(engine: Engine, column: ColumnInfo): TypeClass {
  if (column.isArray) return 'array';
  const type = column.type.replace(/ unsigned$/, '');
  return (engine === 'postgresql' ? PG_CLASSES : MYSQL_CLASSES)[type] ?? 'other';
}

/** The rule for a pair of classes: the same class keeps its own rule, mixed pairs meet in one. */
export function kindOf(source: TypeClass, target: TypeClass): Kind {
  const pair = new Set([source, target]);
  const both = (a: TypeClass, b: TypeClass): boolean => pair.has(a) && pair.has(b);

  if (source === target) return sameClassKind(source);
  if (both('timestamp', 'timestamptz')) return 'instant';
  if (both('int', 'numeric')) return 'numeric';
  if (both('int', 'bool')) return 'bool';
  if (both('float', 'numeric') || both('float', 'int')) return 'float';
  if (both('uuid', 'text')) return 'uuid';
  if (both('json', 'text')) return 'json';
  return 'other';
}

function sameClassKind(type: TypeClass): Kind {
  if (type === 'timestamp' || type === 'timestamptz') return 'instant';
  if (type === 'array') return 'other';
  return type;
}

/**
 * The SQL that renders one column as canonical text on one engine: equal text exactly when the
 * values are equal under the rule, NULL only for NULL. Text never passes through the client.
 */
export function canonicalSql(engine: Engine, type: TypeClass, column: string, rule: Rule): string {
  return engine === 'postgresql'
    ? pgCanonical(type, column, rule)
    : mysqlCanonical(type, column, rule);
}

function pgCanonical(type: TypeClass, c: string, rule: Rule): string {
  switch (rule.kind) {
    case 'int':
      return `${c}::text`;
    case 'numeric':
      return `trim_scale(${c}::numeric)::text`;
    case 'float':
      // Adding +0 turns -0 into 0; float4 is widened first, so 0.1::float4 is not 0.1::float8.
      return rule.tolerance == null
        ? `(${c}::float8 + 0::float8)::text`
        : `(round(${c}::float8 / ${rule.tolerance}::float8) + 0::float8)::text`;
    case 'bool':
      return type === 'bool'
        ? `CASE ${c} WHEN true THEN '1' WHEN false THEN '0' END`
        : `${c}::text`;
    case 'uuid':
      return `lower(${c}::text)`;
    case 'json':
      return `${c}::jsonb::text`;
    case 'instant':
      return `trim_scale(round(extract(epoch from ${c}) * 1000000, ${rule.precision - 6}))::text`;
    case 'time':
      return `trim_scale(round(extract(epoch from ${c}) * 1000000, ${rule.precision - 6}))::text`;
    case 'date':
      // ISO DateStyle (pinned): YYYY-MM-DD as MySQL prints it, BC and infinity kept apart.
      return `${c}::text`;
    case 'bytes':
      return `encode(${c}, 'hex')`;
    case 'text':
    case 'other':
      return `${c}::text`;
  }
}

function mysqlCanonical(type: TypeClass, c: string, rule: Rule): string {
  switch (rule.kind) {
    case 'int':
      return `CAST(${c} AS CHAR)`;
    case 'numeric':
      return mysqlTrimScale(`CAST(${c} AS CHAR)`);
    case 'float':
      return mysqlFloatText(
        rule.tolerance == null
          ? `CAST(CAST(${c} AS DOUBLE) + 0e0 AS CHAR)`
          : `CAST(ROUND(CAST(${c} AS DOUBLE) / ${rule.tolerance}e0) + 0e0 AS CHAR)`,
      );
    case 'bool':
      return `CAST(${c} AS CHAR)`;
    case 'uuid':
      return `LOWER(CONVERT(${c} USING utf8mb4))`;
    case 'instant':
      return `CAST(ROUND(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${c}), ${rule.precision - 6}) AS CHAR)`;
    case 'time':
      return `CAST(ROUND((HOUR(${c}) * 3600 + MINUTE(${c}) * 60 + SECOND(${c})) * 1000000 + MICROSECOND(${c}), ${rule.precision - 6}) AS CHAR)`;
    case 'date':
      return `DATE_FORMAT(${c}, '%Y-%m-%d')`;
    case 'bytes':
      return `LOWER(HEX(${c}))`;
    case 'json':
    case 'text':
    case 'other':
      return type === 'bytes' ? `LOWER(HEX(${c}))` : `CONVERT(${c} USING utf8mb4)`;
  }
}

/**
 * A MySQL double's text in PostgreSQL's form. Both print the shortest digits that read back
 * exactly, but PostgreSQL writes exponents as e+15 and e-05 and switches to them below 1e-4,
 * where MySQL writes e15 and keeps plain decimals down to 1e-15.
 */
function mysqlFloatText(text: string): string {
  const t = `@t`;
  const exponent = `REGEXP_REPLACE(REGEXP_REPLACE(${t}, 'e([0-9])', 'e+\\\\1'), 'e([+-])([0-9])$', 'e\\\\10\\\\2')`;
  const digits = `TRIM(LEADING '0' FROM SUBSTRING_INDEX(${t}, '.', -1))`;
  const zeros = `(CHAR_LENGTH(SUBSTRING_INDEX(${t}, '.', -1)) - CHAR_LENGTH(${digits}))`;
  const mantissa = `CONCAT(LEFT(${digits}, 1), IF(CHAR_LENGTH(${digits}) > 1, CONCAT('.', SUBSTRING(${digits}, 2)), ''))`;
  const small = `CONCAT(IF(${t} LIKE '-%', '-', ''), ${mantissa}, 'e-', LPAD(${zeros} + 1, 2, '0'))`;
  const form = `CASE WHEN ${t} LIKE '%e%' THEN ${exponent} WHEN ${t} REGEXP '^-{0,1}0\\\\.0000' THEN ${small} ELSE ${t} END`;
  return form.replaceAll(t, `(${text})`);
}

/** 1.500 -> 1.5, 2.000 -> 2, 100 stays 100, -0.00 -> 0. */
function mysqlTrimScale(text: string): string {
  const trimmed = `IF(LOCATE('.', ${text}) > 0, TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ${text})), ${text})`;
  return `IF(${trimmed} = '-0', '0', ${trimmed})`;
}

/** How a whole row (or key) becomes one text and one hash on both sides. */
export type HashScheme = 'fast' | 'portable';

/**
 * The row form: the canonical texts of its columns in one unambiguous text. The fast form (both
 * sides PostgreSQL) is a row value's text, which quotes and escapes each field and leaves NULL
 * empty apart from ""; the portable form prefixes each value with its length and writes NULL as ~.
 */
export function rowFormSql(engine: Engine, scheme: HashScheme, values: string[]): string {
  if (scheme === 'fast') return `ROW(${values.join(', ')})::text`;
  if (engine === 'postgresql') {
    return values.map((v) => `coalesce(length(${v})::text || ':' || ${v}, '~')`).join(' || ');
  }
  return `CONCAT(${values.map((v) => `COALESCE(CONCAT(CHAR_LENGTH(${v}), ':', ${v}), '~')`).join(', ')})`;
}

/**
 * A 64-bit hash of a row form (60 bits in the portable scheme, which both engines compute from
 * md5), summed per chunk in exact arithmetic.
 */
export function hashSql(engine: Engine, scheme: HashScheme, form: string): string {
  if (scheme === 'fast') return `hashtextextended(${form}, 0)`;
  if (engine === 'postgresql') return `('x' || substr(md5(${form}), 1, 15))::bit(60)::bigint`;
  return `CAST(CONV(SUBSTR(MD5(${form}), 1, 15), 16, 10) AS UNSIGNED)`;
}

/** The bucket (0 … buckets-1, a power of two) of a key form, the same on both engines. */
export function bucketSql(
  engine: Engine,
  scheme: HashScheme,
  form: string,
  buckets: number,
): string {
  if (scheme === 'fast') return `(hashtextextended(${form}, 1) & ${buckets - 1})`;
  if (engine === 'postgresql') {
    return `(('x' || substr(md5(${form}), 1, 8))::bit(32)::bigint % ${buckets})`;
  }
  return `(CAST(CONV(SUBSTR(MD5(${form}), 1, 8), 16, 10) AS UNSIGNED) % ${buckets})`;
}

/**
 * Between PostgreSQL servers, each column's term of the row hash, by type: a 64-bit hash seeded
 * by the column's place, so that the row hash is the XOR of its columns' terms. Hashing the typed
 * value skips rendering text. Where the type's own hash function misses a difference, a second
 * term adds what it misses: numeric's ignores the sign and hashes NaN and both infinities alike;
 * bigint's, timestamp's and time's fold 64 bits into 32 (1 and 2^32 hash alike), so bigint adds
 * its high half, time is hashed as its seconds, and instants as epoch seconds too (a double, exact
 * to the microsecond within 285 years of 1970) with the folded hash beside it for instants further
 * out. Text is hashed byte for byte (COLLATE "C"), whatever the column's collation. Types left
 * out (jsonb, whose hash shares numeric's blindness and hashes [] and {} alike, interval, arrays,
 * json, network types…) go through their canonical text.
 */
const TYPED_TERMS: Record<string, (c: string, seed: number) => string> = {
  int2: (c, seed) => `hashint4extended(${c}, ${seed})`,
  int4: (c, seed) => `hashint4extended(${c}, ${seed})`,
  int8: (c, seed) =>
    `(hashint8extended(${c}, ${seed}) # hashint4extended((${c} >> 32)::int4, ${seed + 1}))`,
  numeric: (c, seed) =>
    `(hash_numeric_extended(${c}, ${seed}) # ` +
    `hashint4extended(CASE WHEN ${c} < 0 THEN 1 WHEN ${c} = 'NaN' THEN 2 ELSE 0 END, ${seed + 1}))`,
  float4: (c, seed) => `hashfloat4extended(${c}, ${seed})`,
  float8: (c, seed) => `hashfloat8extended(${c}, ${seed})`,
  bool: (c, seed) => `hashint4extended(${c}::int4, ${seed})`,
  text: (c, seed) => `hashtextextended(${c} COLLATE "C", ${seed})`,
  varchar: (c, seed) => `hashtextextended(${c} COLLATE "C", ${seed})`,
  bpchar: (c, seed) => `hashbpcharextended(${c} COLLATE "C", ${seed})`,
  uuid: (c, seed) => `uuid_hash_extended(${c}, ${seed})`,
  timestamp: (c, seed) =>
    `(hashfloat8extended(date_part('epoch', ${c}), ${seed}) # timestamp_hash_extended(${c}, ${seed + 1}))`,
  // The session's time zone is UTC, so the cast to timestamp keeps the instant.
  timestamptz: (c, seed) =>
    `(hashfloat8extended(date_part('epoch', ${c}), ${seed}) # timestamp_hash_extended(${c}::timestamp, ${seed + 1}))`,
  // A date's own hash takes its 32 bits whole; through a row, as there is no date cast to int.
  // (Its epoch would pass through timestamp, whose range is narrower than date's.)
  date: (c, seed) => `hash_record_extended(ROW(${c}), ${seed})`,
  time: (c, seed) => `hashfloat8extended(date_part('epoch', ${c}), ${seed})`,
  bytea: (c, seed) => `hash_record_extended(ROW(${c}), ${seed})`,
};

/**
 * Types whose own hash gives constants or keeps structure: numeric's returns a constant for 0,
 * NaN and the infinities and XORs in the weight; a float's returns the seed for 0 (and time's
 * seconds are a float). Raw terms of two such columns can cancel in the row hash's XOR (1 -> 10000
 * in two numeric columns, 0 -> NULL in two floats), so their term is hashed again, through its
 * text, which keeps all 64 bits. The other types' hashes are already well mixed by their seed.
 */
const REMIXED = new Set(['numeric', 'float4', 'float8', 'time']);

/**
 * The term of the column at `place` in the typed row hash: its typed hash when `type` has one,
 * else the hash of its canonical text; a NULL gets a constant of its own place.
 */
export function typedHashTerm(
  type: string | null,
  column: string,
  canonical: string,
  place: number,
): string {
  const seed = 4 * place + 1;
  if (!type || !TYPED_TERMS[type]) {
    return `coalesce(hashtextextended(${canonical}, ${seed}), ${-seed})`;
  }
  const term = `coalesce(${TYPED_TERMS[type](column, seed)}, ${-seed})`;
  return REMIXED.has(type) ? `hashtextextended(${term}::text, ${seed + 2})` : term;
}

/** Whether a pair of PostgreSQL columns can be hashed as typed values. */
export function typedHashable(source: ColumnInfo, target: ColumnInfo, rule: Rule): boolean {
  return (
    rule.tolerance == null &&
    source.type === target.type &&
    source.fractionDigits === target.fractionDigits &&
    source.type in TYPED_TERMS
  );
}
