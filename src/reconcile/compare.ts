import type { Cell, Session } from '../db/session.js';
import {
  aggregateQuery,
  nextBoundaryQuery,
  bucketPairsQuery,
  bucketsQuery,
  pairsQuery,
} from './sql.js';
import type { KeyRange, Query, SideSql } from './sql.js';
import type { DifferenceKind } from './types.js';

/** A key that differed in the first pass, with its key values on each side that has it. */
export interface Suspect {
  keyText: string;
  kind: DifferenceKind;
  sourceKey: Cell[] | null;
  targetKey: Cell[] | null;
  /** A second row with the same key on one side (which has no unique key there). */
  repeated?: boolean;
  /** Followed up only because it changed within the settle window. */
  recent?: boolean;
}

/** One connection to each side; a worker compares one chunk at a time through it. */
export interface Lane {
  source: Session;
  target: Session;
}

export interface Progress {
  /** Units of work: chunks in range mode, buckets in bucket mode. */
  total: number;
  done: number;
  rowsSource: number;
  rowsTarget: number;
  differing: number;
  /** Set when the run stopped taking chunks because too many rows differed. */
  truncated: boolean;
}

export interface DiffSettings {
  chunkRows: number;
  leafRows: number;
  /** The source's estimated rows, for the progress bar until the last chunk is known. */
  estimatedRows: number;
  /** Differing rows after which no more chunks are compared, so memory stays bounded. */
  maxSuspects: number;
  onProgress: (progress: Progress) => void;
}

interface Aggregate {
  count: number;
  sum: string;
}

interface Pair {
  hash: string;
  key: Cell[];
}

/** How many pieces a differing chunk is cut into before looking again. */
const SPLIT_WAYS = 8;
const BUCKET_ROWS = 1_000;

function run(session: Session, query: Query): Promise<Cell[][]> {
  return session.query(query.sql, query.params);
}

async function aggregate(session: Session, side: SideSql, range: KeyRange): Promise<Aggregate> {
  const [[count, sum] = []] = await run(session, aggregateQuery(side, range));
  return { count: Number(count ?? 0), sum: sum ?? '0' };
}

function sameAggregate(a: Aggregate, b: Aggregate): boolean {
  return (
    a.count === b.count && BigInt(a.sum.replace(/\.0*$/, '')) === BigInt(b.sum.replace(/\.0*$/, ''))
  );
}

/** Chunks from boundaries: (-inf, b1), [b1, b2), …, [bn, +inf). */
function rangesFrom(bounds: Cell[][], outer: KeyRange): KeyRange[] {
  const edges = [outer.lower, ...bounds, outer.upper];
  return edges.slice(1).map((upper, index) => ({ lower: edges[index]!, upper }));
}

/**
 * Compares the two tables chunk by chunk over key ranges taken from the source's key order.
 * Both sides hash each chunk at the same time; the rows of a differing chunk are found by
 * buckets of their keys or by cutting it smaller, then compared key by key.
 */
export async function diffByRanges(
  lanes: Lane[],
  scout: Session,
  plan: { source: SideSql; target: SideSql },
  settings: DiffSettings,
): Promise<{ suspects: Suspect[]; progress: Progress }> {
  const feed = chunkFeed(scout, plan.source, settings.chunkRows);
  const estimate = Math.ceil(settings.estimatedRows / settings.chunkRows) + 1;
  const progress: Progress = {
    total: estimate,
    done: 0,
    rowsSource: 0,
    rowsTarget: 0,
    differing: 0,
    truncated: false,
  };
  settings.onProgress(progress);
  const suspects: Suspect[] = [];
  const next = async (): Promise<KeyRange | null> => {
    progress.truncated ||= suspects.length >= settings.maxSuspects;
    return progress.truncated ? null : feed();
  };

  await inLanes(lanes, next, async (lane, range) => {
    const chunk = await compareChunk(lane, plan, range, settings);
    progress.rowsSource += chunk.source;
    progress.rowsTarget += chunk.target;
    if (chunk.suspects) {
      progress.differing += 1;
      suspects.push(...chunk.suspects);
    }
    progress.done += 1;
    progress.total = Math.max(progress.total, progress.done + 1);
    settings.onProgress(progress);
  });
  if (!progress.truncated) progress.total = progress.done;
  return { suspects, progress };
}

/** Buckets of a chunk's keys, when both sides can hash their keys as typed values. */
const CHUNK_BUCKETS = 64;

/**
 * One chunk on both sides: its row counts, and the rows that differ (null when none). Where the
 * keys hash as typed values, each side sums the chunk per bucket of its keys, so that only the
 * rows of a differing bucket are listed; else a differing chunk is narrowed down.
 */
async function compareChunk(
  lane: Lane,
  plan: { source: SideSql; target: SideSql },
  range: KeyRange,
  settings: DiffSettings,
): Promise<{ source: number; target: number; suspects: Suspect[] | null }> {
  if (!plan.source.keyHash || !plan.target.keyHash) {
    const [a, b] = await both(lane, plan, range);
    const suspects = sameAggregate(a, b) ? null : await narrow(lane, plan, range, a, b, settings);
    return { source: a.count, target: b.count, suspects };
  }

  const { source, target } = await bucketSums(lane, plan, CHUNK_BUCKETS, range);
  const [a, b] = [total(source), total(target)];
  const chosen = differingBuckets(source, target);
  if (chosen.length === 0) return { source: a.count, target: b.count, suspects: null };

  // Many rows in the differing buckets (a stretch of keys one side lacks): cut by boundaries.
  const rows = chosen.reduce(
    (sum, bucket) => sum + Math.max(source.get(bucket)?.count ?? 0, target.get(bucket)?.count ?? 0),
    0,
  );
  const suspects =
    rows > BUCKETED_CHUNKS * settings.chunkRows
      ? await narrow(lane, plan, range, a, b, settings)
      : await bucketPairs(lane, plan, CHUNK_BUCKETS, chosen, range);
  return { source: a.count, target: b.count, suspects };
}

/** Each side's row count and hash sum per bucket of its keys, within a range. */
async function bucketSums(
  lane: Lane,
  plan: { source: SideSql; target: SideSql },
  buckets: number,
  range: KeyRange,
): Promise<{ source: Map<number, Aggregate>; target: Map<number, Aggregate> }> {
  const [a, b] = await Promise.all([
    run(lane.source, bucketsQuery(plan.source, buckets, range)),
    run(lane.target, bucketsQuery(plan.target, buckets, range)),
  ]);
  return { source: bucketMap(a), target: bucketMap(b) };
}

/** The rows of the chosen buckets within a range, compared key by key. */
async function bucketPairs(
  lane: Lane,
  plan: { source: SideSql; target: SideSql },
  buckets: number,
  chosen: number[],
  range: KeyRange,
): Promise<Suspect[]> {
  const [a, b] = await Promise.all([
    run(lane.source, bucketPairsQuery(plan.source, buckets, chosen, range)),
    run(lane.target, bucketPairsQuery(plan.target, buckets, chosen, range)),
  ]);
  return mergePairs(a, b);
}

function total(buckets: Map<number, Aggregate>): Aggregate {
  let count = 0;
  let sum = 0n;
  for (const bucket of buckets.values()) {
    count += bucket.count;
    sum += BigInt(bucket.sum.replace(/\.0*$/, ''));
  }
  return { count, sum: String(sum) };
}

/** How many chunk boundaries the scout reads ahead of the lanes. */
const READ_AHEAD = 16;

/**
 * The chunks in key order, read from the source's key index by a connection of their own while
 * the lanes hash earlier chunks, so that finding boundaries costs no wall time.
 */
function chunkFeed(session: Session, side: SideSql, step: number): () => Promise<KeyRange | null> {
  let lower: Cell[] | null = null;
  let finished = false;
  let chain: Promise<unknown> = Promise.resolve();
  const produce = (): Promise<KeyRange | null> => {
    const range = chain.then(async () => {
      if (finished) return null;
      const [found] = await run(session, nextBoundaryQuery(side, { lower, upper: null }, step));
      // A key repeated more than `step` times (a --key that is not unique) cannot be cut
      // inside: the rest of the table becomes the last chunk.
      const bound = found && !sameKey(found, lower) ? found : null;
      const chunk = { lower, upper: bound };
      if (bound) lower = bound;
      else finished = true;
      return chunk;
    });
    chain = range.catch(() => undefined);
    return range;
  };

  const ahead = Array.from({ length: READ_AHEAD }, produce);
  return () => {
    ahead.push(produce());
    return ahead.shift()!;
  };
}

/** Boundaries every `step` rows of the range, walking the key index from its lower end. */
async function boundaries(
  session: Session,
  side: SideSql,
  range: KeyRange,
  step: number,
): Promise<Cell[][]> {
  const found: Cell[][] = [];
  let lower = range.lower;
  for (;;) {
    const [next] = await run(session, nextBoundaryQuery(side, { lower, upper: range.upper }, step));
    if (!next || sameKey(next, lower)) return found;
    found.push(next);
    lower = next;
  }
}

function sameKey(a: Cell[], b: Cell[] | null): boolean {
  return b != null && a.every((value, index) => value === b[index]);
}

function both(lane: Lane, plan: { source: SideSql; target: SideSql }, range: KeyRange) {
  return Promise.all([
    aggregate(lane.source, plan.source, range),
    aggregate(lane.target, plan.target, range),
  ]);
}

async function narrow(
  lane: Lane,
  plan: { source: SideSql; target: SideSql },
  range: KeyRange,
  a: Aggregate,
  b: Aggregate,
  settings: DiffSettings,
): Promise<Suspect[]> {
  const larger = Math.max(a.count, b.count);
  if (larger <= settings.leafRows) return comparePairs(lane, plan, range);
  if (larger <= BUCKETED_CHUNKS * settings.chunkRows) {
    return compareInBuckets(lane, plan, range, larger, settings);
  }

  // Boundaries come from the side with more rows in the range, so rows the other side lacks
  // are still cut into small pieces.
  const [session, side] =
    a.count >= b.count ? [lane.source, plan.source] : [lane.target, plan.target];
  const step = Math.max(1, Math.ceil(larger / SPLIT_WAYS));
  const bounds = await boundaries(session, side, range, step);
  if (bounds.length === 0) return comparePairs(lane, plan, range);

  const found: Suspect[] = [];
  for (const piece of rangesFrom(bounds, range)) {
    const [x, y] = await both(lane, plan, piece);
    if (!sameAggregate(x, y)) found.push(...(await narrow(lane, plan, piece, x, y, settings)));
  }
  return found;
}

/**
 * A differing range of up to this many chunks' rows is hashed once more per bucket of its keys'
 * hash, and only the rows of differing buckets are listed; a larger one is cut by key boundaries.
 */
const BUCKETED_CHUNKS = 4;

async function compareInBuckets(
  lane: Lane,
  plan: { source: SideSql; target: SideSql },
  range: KeyRange,
  rows: number,
  settings: DiffSettings,
): Promise<Suspect[]> {
  const buckets = bucketsFor(rows, settings.leafRows);
  const { source, target } = await bucketSums(lane, plan, buckets, range);
  const chosen = differingBuckets(source, target);
  return chosen.length === 0 ? [] : bucketPairs(lane, plan, buckets, chosen, range);
}

/** Buckets of about a tenth of `leafRows` rows each, as a power of two from 8 to 4,096. */
function bucketsFor(rows: number, leafRows: number): number {
  let buckets = 8;
  while (buckets < 4_096 && buckets * Math.max(1, Math.floor(leafRows / 10)) < rows) buckets *= 2;
  return buckets;
}

function differingBuckets(
  source: Map<number, Aggregate>,
  target: Map<number, Aggregate>,
): number[] {
  return [...new Set([...source.keys(), ...target.keys()])].filter((bucket) => {
    const x = source.get(bucket) ?? { count: 0, sum: '0' };
    const y = target.get(bucket) ?? { count: 0, sum: '0' };
    return !sameAggregate(x, y);
  });
}

async function comparePairs(
  lane: Lane,
  plan: { source: SideSql; target: SideSql },
  range: KeyRange,
): Promise<Suspect[]> {
  const [a, b] = await Promise.all([
    run(lane.source, pairsQuery(plan.source, range)),
    run(lane.target, pairsQuery(plan.target, range)),
  ]);
  return mergePairs(a, b);
}

/** Rows of a pairs query as key text -> (row hash, key values); a repeated key is kept apart. */
function indexPairs(rows: Cell[][]): { byKey: Map<string, Pair>; repeated: [string, Pair][] } {
  const byKey = new Map<string, Pair>();
  const repeated: [string, Pair][] = [];
  for (const [keyText, hash, ...key] of rows) {
    const pair = { hash: hash ?? '', key };
    if (byKey.has(keyText!)) repeated.push([keyText!, pair]);
    else byKey.set(keyText!, pair);
  }
  return { byKey, repeated };
}

/** Classifies keys: only in the source (missing), only in the target (extra), or changed. */
export function mergePairs(sourceRows: Cell[][], targetRows: Cell[][]): Suspect[] {
  const source = indexPairs(sourceRows);
  const target = indexPairs(targetRows);
  const suspects: Suspect[] = [];

  for (const [keyText, pair] of source.byKey) {
    const other = target.byKey.get(keyText);
    if (!other) suspects.push({ keyText, kind: 'missing', sourceKey: pair.key, targetKey: null });
    else if (other.hash !== pair.hash) {
      suspects.push({ keyText, kind: 'changed', sourceKey: pair.key, targetKey: other.key });
    }
  }
  for (const [keyText, pair] of target.byKey) {
    if (!source.byKey.has(keyText)) {
      suspects.push({ keyText, kind: 'extra', sourceKey: null, targetKey: pair.key });
    }
  }
  // A key twice on one side (no unique constraint there) is one row too many on that side.
  for (const [keyText, pair] of target.repeated) {
    suspects.push({ keyText, kind: 'extra', sourceKey: null, targetKey: pair.key, repeated: true });
  }
  for (const [keyText, pair] of source.repeated) {
    suspects.push({
      keyText,
      kind: 'missing',
      sourceKey: pair.key,
      targetKey: null,
      repeated: true,
    });
  }
  return suspects;
}

/**
 * Compares the tables by buckets of the key's hash, which no collation can reorder: one pass
 * per side gives each bucket's count and hash sum, a second pass lists the differing buckets.
 */
export async function diffByBuckets(
  lanes: Lane[],
  plan: { source: SideSql; target: SideSql },
  estimatedRows: number,
  settings: DiffSettings,
): Promise<{ suspects: Suspect[]; progress: Progress }> {
  const buckets = bucketCount(estimatedRows);
  const lane = lanes[0]!;
  const [a, b] = await Promise.all([
    run(lane.source, bucketsQuery(plan.source, buckets)),
    run(lane.target, bucketsQuery(plan.target, buckets)),
  ]);
  const source = bucketMap(a);
  const target = bucketMap(b);
  const differing = differingBuckets(source, target);

  const sum = (map: Map<number, Aggregate>): number =>
    [...map.values()].reduce((total, entry) => total + entry.count, 0);
  const progress: Progress = {
    total: buckets,
    done: buckets - differing.length,
    rowsSource: sum(source),
    rowsTarget: sum(target),
    differing: differing.length,
    truncated: false,
  };
  settings.onProgress(progress);

  const perQuery = Math.max(1, Math.floor(settings.chunkRows / BUCKET_ROWS));
  const batches: number[][] = [];
  for (let i = 0; i < differing.length; i += perQuery) {
    batches.push(differing.slice(i, i + perQuery));
  }

  const suspects: Suspect[] = [];
  const next = async (): Promise<number[] | null> => {
    progress.truncated ||= suspects.length >= settings.maxSuspects && batches.length > 0;
    return progress.truncated ? null : (batches.shift() ?? null);
  };
  await inLanes(lanes, next, async (worker, chosen) => {
    const [x, y] = await Promise.all([
      run(worker.source, bucketPairsQuery(plan.source, buckets, chosen)),
      run(worker.target, bucketPairsQuery(plan.target, buckets, chosen)),
    ]);
    suspects.push(...mergePairs(x, y));
    progress.done += chosen.length;
    settings.onProgress(progress);
  });
  return { suspects, progress };
}

/** About a thousand rows per bucket, as a power of two between 64 and 2^20. */
export function bucketCount(rows: number): number {
  let buckets = 64;
  while (buckets < 1 << 20 && buckets * BUCKET_ROWS < rows) buckets *= 2;
  return buckets;
}

function bucketMap(rows: Cell[][]): Map<number, Aggregate> {
  return new Map(
    rows.map(([bucket, count, sum]) => [Number(bucket), { count: Number(count), sum: sum ?? '0' }]),
  );
}

/**
 * Runs the tasks, one per lane at a time. The first failure stops the other lanes from taking
 * more work and is what the caller sees.
 */
export async function inLanes<T>(
  lanes: Lane[],
  tasks: T[] | (() => Promise<T | null>),
  work: (lane: Lane, task: T) => Promise<void>,
): Promise<void> {
  const queue = Array.isArray(tasks) ? [...tasks] : null;
  const next = async (): Promise<T | null> =>
    queue ? (queue.shift() ?? null) : (tasks as () => Promise<T | null>)();
  let failed = false;
  await Promise.all(
    lanes.map(async (lane) => {
      while (!failed) {
        try {
          const task = await next();
          if (task == null) return;
          await work(lane, task);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
}
