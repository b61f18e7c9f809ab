import { setTimeout as sleep } from 'node:timers/promises';
import { openSession } from '../db/open-session.js';
import type { Cell, Session } from '../db/session.js';
import { describeTarget, resolveDatabaseUrl } from '../db/url.js';
import { UserError } from '../errors.js';
import { checkFilter } from './filter.js';
import { diffByBuckets, diffByRanges } from './compare.js';
import type { Lane, Progress, Suspect } from './compare.js';
import { planPair } from './plan.js';
import { nullKeyQuery, recentQuery } from './sql.js';
import type { Plan } from './plan.js';
import { observe, sameState } from './recheck.js';
import type { Observation } from './recheck.js';
import { repairStatements } from './report/repair-sql.js';
import type {
  KeyObject,
  PairSpec,
  PassingDifference,
  ReconcileResult,
  RunOptions,
  TableResult,
} from './types.js';

export interface ProgressEvent extends Progress {
  table: string;
}

/** Compares every pair in turn; a failure ends the run with how far it got, never a match. */
export async function reconcile(
  pairs: PairSpec[],
  options: RunOptions,
  onProgress: (event: ProgressEvent) => void = () => undefined,
): Promise<ReconcileResult> {
  const started = Date.now();
  const tables: TableResult[] = [];
  for (const pair of pairs) {
    tables.push(await reconcilePair(pair, options, onProgress, tables.length, pairs.length));
  }
  return { tables, seconds: (Date.now() - started) / 1000 };
}

async function reconcilePair(
  spec: PairSpec,
  options: RunOptions,
  onProgress: (event: ProgressEvent) => void,
  index: number,
  count: number,
): Promise<TableResult> {
  const started = Date.now();
  const sourceUrl = resolveUrl(spec.source, '--source');
  const targetUrl = resolveUrl(spec.target, '--target');
  const label = `${describeTarget(sourceUrl)} ${spec.table}`;
  const state = { stage: 'connecting', progress: null as Progress | null };
  const lanes: Lane[] = [];
  const opened: Session[] = [];
  const open = async (url: string, flag: string): Promise<Session> => {
    const session = await openSession(url, flag, options.timeoutSeconds);
    opened.push(session);
    return session;
  };

  try {
    for (let i = 0; i < options.jobs; i++) {
      lanes.push({
        source: await open(sourceUrl, '--source'),
        target: await open(targetUrl, '--target'),
      });
    }
    state.stage = 'reading the table definitions';
    const [sourceInfo, targetInfo] = await Promise.all([
      lanes[0]!.source.describeTable(spec.table),
      lanes[0]!.target.describeTable(spec.targetTable),
    ]);
    state.stage = 'planning';
    const plan = planPair(
      spec,
      { engine: lanes[0]!.source.engine, info: sourceInfo },
      { engine: lanes[0]!.target.engine, info: targetInfo },
    );

    await checkFilters(spec, plan);
    state.stage = 'looking for NULL keys';
    await refuseNullKeys(lanes[0]!, plan, spec);

    state.stage = 'comparing';
    const settings = {
      chunkRows: options.chunkRows ?? chunkRowsFor(sourceInfo.estimatedRows),
      leafRows: options.leafRows,
      estimatedRows: sourceInfo.estimatedRows,
      maxSuspects: options.maxDifferences,
      onProgress: (progress: Progress) => {
        state.progress = progress;
        onProgress({ ...progress, table: spec.table });
      },
    };
    const { suspects, progress } =
      plan.mode === 'range'
        ? await diffByRanges(lanes, await open(sourceUrl, '--source'), plan, settings)
        : await diffByBuckets(lanes, plan, sourceInfo.estimatedRows, settings);

    state.stage = 'checking the differing rows again';
    const unsettled = plan.source.settle ? await recentSuspects(lanes[0]!, plan) : [];
    const verdict = await settle(lanes[0]!, plan, mergeSuspects(suspects, unsettled), options);
    if (progress.truncated) truncatedNote(plan, progress, verdict, label, options.maxDifferences);
    if (verdict.confirmed.some((seen) => seen.suspect.repeated)) repeatedKeyNote(plan);
    return tableResult(spec, plan, sourceUrl, targetUrl, progress, verdict, started);
  } catch (error) {
    // Connection and planning mistakes explain themselves; a failure mid-run says how far it got.
    const midRun = state.stage === 'comparing' || state.stage.startsWith('checking');
    const driverFailure = error instanceof UserError && /^query on /.test(error.message);
    if (error instanceof UserError && !midRun && !driverFailure) throw error;
    throw interrupted(error, label, state, index, count);
  } finally {
    await Promise.all(opened.map((session) => session.close()));
  }
}

/** Each side's filter, read as that side's engine reads it. */
async function checkFilters(spec: PairSpec, plan: Plan): Promise<void> {
  const where = spec.origin ? `${spec.origin}: ` : '';
  const named = (flag: string, key: string): string => (spec.origin ? `${where}${key}` : flag);
  if (spec.filter != null) {
    await checkFilter(plan.source.engine, spec.filter, named('--filter', 'filter'));
  }
  if (spec.targetFilter != null) {
    const name = named('--target-filter', 'targetFilter');
    await checkFilter(plan.target.engine, spec.targetFilter, name);
  } else if (spec.filter != null) {
    await checkFilter(plan.target.engine, spec.filter, named('--filter', 'filter'));
  }
}

/**
 * A NULL key equals no other key, so rows holding one can be neither paired nor told apart: the
 * run would call their differences transient. One indexed probe per key column and side.
 */
async function refuseNullKeys(lane: Lane, plan: Plan, spec: PairSpec): Promise<void> {
  for (const which of ['source', 'target'] as const) {
    for (const [index, key] of plan.keys.entries()) {
      const rows = await lane[which].query(nullKeyQuery(plan[which], index).sql);
      if (rows.length === 0) continue;
      const table = which === 'source' ? spec.table : spec.targetTable;
      throw new UserError(
        `key column ${key[which]} holds NULL in the ${which} table ${table}; give --key columns without NULLs (NOT NULL and unique, such as the primary key).`,
      );
    }
  }
}

/** resolveDatabaseUrl, with messages that name reconcile's own flag. */
function resolveUrl(value: string, flag: string): string {
  try {
    return resolveDatabaseUrl(value);
  } catch (error) {
    if (error instanceof UserError) {
      throw new UserError(error.message.replace(/^--db /, `${flag} `));
    }
    throw error;
  }
}

/**
 * About 500 chunks, between 5,000 and 50,000 rows each: a chunk holding a difference is hashed
 * twice, so smaller chunks keep that second pass short, and larger ones keep round trips few.
 */
export function chunkRowsFor(estimatedRows: number): number {
  return Math.min(50_000, Math.max(5_000, Math.round(estimatedRows / 500)));
}

/** How many rows changed within the settle window are followed up, per side. */
const RECENT_LIMIT = 10_000;

/**
 * Rows changed within the settle window were left out of the hashes; they are read again like
 * suspects, so one that still differs once settled is not lost, and one still moving is in flight.
 */
async function recentSuspects(lane: Lane, plan: Plan): Promise<Suspect[]> {
  const [a, b] = await Promise.all([
    lane.source.query(recentQuery(plan.source, RECENT_LIMIT).sql),
    lane.target.query(recentQuery(plan.target, RECENT_LIMIT).sql),
  ]);
  const suspects = new Map<string, Suspect>();
  const add = (keyText: string, key: Cell[], side: 'sourceKey' | 'targetKey'): void => {
    const known = suspects.get(keyText) ?? {
      keyText,
      kind: 'changed',
      sourceKey: null,
      targetKey: null,
      recent: true,
    };
    known[side] = key;
    suspects.set(keyText, known);
  };
  for (const [keyText, , ...key] of a) add(keyText!, key, 'sourceKey');
  for (const [keyText, , ...key] of b) add(keyText!, key, 'targetKey');
  return [...suspects.values()];
}

function mergeSuspects(found: Suspect[], recent: Suspect[]): Suspect[] {
  const seen = new Set(found.map((suspect) => suspect.keyText));
  return [...found, ...recent.filter((suspect) => !seen.has(suspect.keyText))];
}

/**
 * A run that stopped early for too many differences can still say the tables differ, but
 * never that they match: without a confirmed difference it is an error.
 */
function truncatedNote(
  plan: Plan,
  progress: Progress,
  verdict: Verdict,
  label: string,
  limit: number,
): void {
  const where = `after ${progress.done} ${plan.mode === 'range' ? 'chunks' : 'buckets'} of about ${progress.total}`;
  const what = `${limit.toLocaleString('en-US')} differing rows (--max-differences) reached ${where}`;
  if (verdict.confirmed.length === 0) {
    throw new UserError(
      `reconcile stopped on ${label}: ${what} and none stayed different on a second read, so there is no result; compare a part with --filter, or raise --max-differences.`,
    );
  }
  plan.notes.push(
    `${what}: the rest of the table was not compared (a whole column differing, such as a type or unit change, looks like this; --max-differences raises the limit).`,
  );
}

/** Rows sharing a key cannot be paired one to one, so the differences found are approximate. */
function repeatedKeyNote(plan: Plan): void {
  plan.notes.push(
    `key ${plan.keys.map((key) => key.source).join(', ')} is not unique: rows sharing a key show as missing and extra, and other differences of those keys may hide; give a unique key (such as the primary key).`,
  );
}

interface Verdict {
  confirmed: Observation[];
  transient: Observation[];
  inFlight: Observation[];
}

/**
 * Reads every suspect row again after the delay: a difference that is gone was transient; one
 * that stayed the same on rows older than the settle window is confirmed; one whose rows keep
 * changing, or changed within the window, is in flight and is read again, up to the last round.
 */
async function settle(
  lane: Lane,
  plan: Plan,
  suspects: Suspect[],
  options: RunOptions,
): Promise<Verdict> {
  const verdict: Verdict = { confirmed: [], transient: [], inFlight: [] };
  const first = await observe(lane, plan, suspects);
  // A key that differed in the first pass but whose rows now agree changed while it was read.
  verdict.transient.push(...first.filter((seen) => seen.kind == null && movedSince(seen)));
  let pending = first.filter((seen) => seen.kind != null);

  for (let round = 0; round < options.recheckRounds && pending.length > 0; round++) {
    await sleep(options.recheckDelaySeconds * 1000);
    const again = await observe(
      lane,
      plan,
      pending.map((seen) => seen.suspect),
    );
    const next: Observation[] = [];
    again.forEach((seen, index) => {
      const before = pending[index]!;
      if (seen.kind == null) verdict.transient.push(before);
      else if (!sameState(before, seen) || seen.source?.recent || seen.target?.recent) {
        next.push(seen);
      } else verdict.confirmed.push(seen);
    });
    pending = next;
  }
  verdict.inFlight.push(...pending);
  return verdict;
}

/**
 * Whether rows found equal on a second read had differed on the first: not a key followed up
 * only for being recent, and not a pair whose hashes differ only within a tolerance.
 */
function movedSince(seen: Observation): boolean {
  if (seen.suspect.recent) return false;
  return !(seen.source && seen.target && seen.source.hash !== seen.target.hash);
}

function keyObject(plan: Plan, seen: Observation): KeyObject {
  const values =
    seen.source?.key ?? seen.target?.key ?? seen.suspect.sourceKey ?? seen.suspect.targetKey ?? [];
  return Object.fromEntries(plan.keys.map((key, index) => [key.source, values[index] ?? null]));
}

function passing(plan: Plan, seen: Observation): PassingDifference {
  return { kind: seen.kind ?? seen.suspect.kind, key: keyObject(plan, seen) };
}

function tableResult(
  spec: PairSpec,
  plan: Plan,
  sourceUrl: string,
  targetUrl: string,
  progress: Progress,
  verdict: Verdict,
  started: number,
): TableResult {
  const byKind = (kind: string): Observation[] =>
    verdict.confirmed.filter((seen) => seen.kind === kind);
  const differences = {
    missing: byKind('missing').map((seen) => keyObject(plan, seen)),
    extra: byKind('extra').map((seen) => keyObject(plan, seen)),
    changed: byKind('changed').map((seen) => ({
      key: keyObject(plan, seen),
      columns: seen.columns,
    })),
  };
  return {
    source: `${describeTarget(sourceUrl)} ${spec.table}`,
    target: `${describeTarget(targetUrl)} ${spec.targetTable}`,
    targetEngine: plan.target.engine,
    status: verdict.confirmed.length > 0 ? 'differ' : 'match',
    mode: plan.mode,
    rows: { source: progress.rowsSource, target: progress.rowsTarget },
    chunks: { total: progress.total, differing: progress.differing },
    differences,
    transient: verdict.transient.map((seen) => passing(plan, seen)),
    inFlight: verdict.inFlight.map((seen) => passing(plan, seen)),
    repair: repairStatements(plan, verdict.confirmed),
    notes: plan.notes,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Exit 2 material: which table, at which stage, how far it got, and the cause. */
function interrupted(
  error: unknown,
  label: string,
  state: { stage: string; progress: Progress | null },
  index: number,
  count: number,
): unknown {
  const cause = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
  if (!(error instanceof UserError) && !/connection|terminat|timeout|ECONN|closed/i.test(cause)) {
    return error;
  }

  const progress = state.progress;
  const where = progress
    ? `after ${progress.done} of ${progress.total} chunks (${progress.rowsSource.toLocaleString('en-US')} source rows compared)`
    : `while ${state.stage}`;
  const tables = count > 1 ? `; ${index} of ${count} tables were done` : '';
  return new UserError(`reconcile stopped on ${label} ${where}${tables}; no result: ${cause}.`);
}
