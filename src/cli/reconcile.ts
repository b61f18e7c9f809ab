import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { findConfigFile, loadConfig } from '../config/load.js';
import type { ReconcileTableDef } from '../config/types.js';
import { ConfigError, UserError } from '../errors.js';
import { createColors } from '../report/colors.js';
import { appendHistory, entryOf, readHistory, streakOf } from '../reconcile/history.js';
import { formatJson } from '../reconcile/report/json.js';
import { formatRepairSql } from '../reconcile/report/repair-sql.js';
import { formatText } from '../reconcile/report/text.js';
import { progressBar } from '../reconcile/progress.js';
import { DEFAULT_RUN_OPTIONS } from '../reconcile/types.js';
import type { PairSpec, ReconcileResult, RunOptions } from '../reconcile/types.js';
import { EXIT_CLEAN, EXIT_FINDINGS, collect, writeStdout } from './shared.js';

interface ReconcileFlags {
  config?: string;
  source?: string;
  target?: string;
  table?: string;
  targetTable?: string;
  key?: string;
  exclude?: string;
  rename: string[];
  filter?: string;
  targetFilter?: string;
  settleColumn?: string;
  settle?: string;
  tolerance: string[];
  mode: 'auto' | 'range' | 'bucket';
  format: 'text' | 'json';
  repairSql?: string;
  history?: string;
  chunkRows?: string;
  jobs?: string;
  maxDifferences?: string;
  recheckDelay?: string;
  recheckRounds?: string;
  timeout?: string;
  color: boolean;
  progress: boolean;
}

export function reconcileCommand(done: (code: number) => void): Command {
  return new Command('reconcile')
    .description('Compare a table of the old store with its copy in the new store (read-only).')
    .option('-c, --config <file>', 'take the pairs from the reconcile: section of this config')
    .option('--source <url>', 'old store: postgres:// or mysql:// URL, or env:NAME holding one')
    .option('--target <url>', 'new store: URL or env:NAME')
    .option('--table <name>', 'source table (schema.table); with a config, only this pair')
    .option('--target-table <name>', 'target table (default: the same name)')
    .option('--key <columns>', 'key columns, comma-separated (default: the primary key)')
    .option('--exclude <columns>', 'columns left out, comma-separated, either side')
    .option('--rename <source=target>', 'a renamed column, repeatable', collect, [])
    .option('--filter <sql>', 'SQL condition rows must meet on both sides')
    .option('--target-filter <sql>', 'SQL condition for the target (default: --filter)')
    .option('--settle-column <column>', 'updated_at-style column: recent rows are checked later')
    .option('--settle <seconds>', 'settle window for --settle-column (default 30)')
    .option(
      '--tolerance <column=value>',
      'float column equal within value, repeatable',
      collect,
      [],
    )
    .addOption(
      new Option('--mode <mode>', 'key ranges or hash buckets')
        .choices(['auto', 'range', 'bucket'])
        .default('auto'),
    )
    .addOption(
      new Option('-f, --format <format>', 'report format')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option('--repair-sql <file>', 'write statements that would fix the target (never run)')
    .option('--history <file>', 'append this run, and say how long the pair has matched')
    .option('--chunk-rows <n>', 'rows per chunk (default: the table size / 500, 5,000 to 50,000)')
    .option(
      '--max-differences <n>',
      `stop comparing after this many differing rows (default ${DEFAULT_RUN_OPTIONS.maxDifferences})`,
    )
    .option('--jobs <n>', `connections per side (default ${DEFAULT_RUN_OPTIONS.jobs})`)
    .option(
      '--recheck-delay <seconds>',
      `wait before reading differing rows again (default ${DEFAULT_RUN_OPTIONS.recheckDelaySeconds})`,
    )
    .option(
      '--recheck-rounds <n>',
      `rounds for rows still changing (default ${DEFAULT_RUN_OPTIONS.recheckRounds})`,
    )
    .option('--timeout <seconds>', `longest query (default ${DEFAULT_RUN_OPTIONS.timeoutSeconds})`)
    .option('--no-color', 'never colour the text report')
    .option('--no-progress', 'no progress bar on a terminal')
    .addHelpText(
      'after',
      '\nExit codes: 0 no confirmed difference, 1 confirmed differences, 2 usage, config or connection failure (never a match).',
    )
    .action(async (flags: ReconcileFlags) => done(await run(flags)));
}

async function run(flags: ReconcileFlags): Promise<number> {
  const pairs = pairsFrom(flags);
  const options = runOptions(flags);
  const bar = progressBar(process.stderr, flags.progress);
  let result: ReconcileResult;
  try {
    // The database drivers load only for a run that uses them, not for every command.
    const { reconcile } = await import('../reconcile/run.js');
    result = await reconcile(pairs, options, bar.update);
  } finally {
    bar.clear();
  }

  const history = flags.history ? recordHistory(flags.history, result) : [];
  if (flags.repairSql) writeRepair(flags.repairSql, result);
  const colors = createColors({
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    flag: flags.color,
  });
  await writeStdout(
    flags.format === 'json'
      ? formatJson(
          result,
          history.map((line) => line?.since ?? null),
        )
      : formatText(result, colors, history),
  );
  return result.tables.some((table) => table.status === 'differ') ? EXIT_FINDINGS : EXIT_CLEAN;
}

function recordHistory(file: string, result: ReconcileResult) {
  const now = new Date();
  appendHistory(
    file,
    result.tables.map((table) => entryOf(table, now)),
  );
  const entries = readHistory(file);
  return result.tables.map((table) => streakOf(entries, table.source, table.target));
}

function writeRepair(file: string, result: ReconcileResult): void {
  try {
    writeFileSync(file, formatRepairSql(result.tables));
  } catch (error) {
    throw new UserError(
      `--repair-sql ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
    );
  }
}

/** The pairs to compare: from the flags alone, or from the config (narrowed by --table). */
function pairsFrom(flags: ReconcileFlags): PairSpec[] {
  const fromFlags = flags.source != null || flags.target != null;
  if (!fromFlags && (flags.config != null || configExists())) return pairsFromConfig(flags);
  return [pairFromFlags(flags)];
}

function configExists(): boolean {
  try {
    findConfigFile(undefined, process.cwd());
    return true;
  } catch {
    return false;
  }
}

function pairFromFlags(flags: ReconcileFlags): PairSpec {
  const missing = (['source', 'target', 'table'] as const).filter((name) => flags[name] == null);
  if (missing.length > 0) {
    throw new UserError(
      `reconcile needs ${missing.map((name) => `--${name}`).join(', ')} (or a reconcile: section in dbboundary.yaml).`,
    );
  }
  return {
    source: flags.source!,
    target: flags.target!,
    table: flags.table!,
    targetTable: flags.targetTable ?? flags.table!,
    key: list(flags.key),
    exclude: list(flags.exclude),
    rename: assignments(flags.rename, '--rename', (value) => value),
    filter: flags.filter ?? null,
    targetFilter: flags.targetFilter ?? null,
    settle: flags.settleColumn
      ? {
          column: flags.settleColumn,
          seconds: number(flags.settle ?? '30', '--settle', LIMITS.seconds),
        }
      : null,
    tolerance: assignments(flags.tolerance, '--tolerance', (value) =>
      number(value, '--tolerance', LIMITS.tolerance),
    ),
    mode: flags.mode,
  };
}

function pairsFromConfig(flags: ReconcileFlags): PairSpec[] {
  const file = findConfigFile(flags.config, process.cwd());
  const { map, problems } = loadConfig(file);
  if (problems.length > 0) throw new ConfigError(problems);
  const section = map.reconcile;
  if (!section) {
    throw new UserError(
      `${file}: no reconcile: section; add one (see the README) or give --source, --target and --table.`,
    );
  }

  const chosen = section.tables.filter((def) => flags.table == null || def.table === flags.table);
  if (chosen.length === 0) {
    throw new UserError(`${file}: reconcile.tables has no table ${flags.table}.`);
  }
  return chosen.map((def) => pairFromDef(section.source, section.target, def, file));
}

function pairFromDef(
  source: string,
  target: string,
  def: ReconcileTableDef,
  file: string,
): PairSpec {
  const origin = `${file} reconcile table ${def.table}`;
  return { source, target, ...def, targetTable: def.targetTable ?? def.table, origin };
}

function runOptions(flags: ReconcileFlags): RunOptions {
  const d = DEFAULT_RUN_OPTIONS;
  const chunkRows = integer(flags.chunkRows, '--chunk-rows', d.leafRows, LIMITS.chunkRows);
  return {
    chunkRows: flags.chunkRows == null ? null : chunkRows,
    leafRows: Math.min(d.leafRows, chunkRows),
    maxDifferences: integer(
      flags.maxDifferences,
      '--max-differences',
      d.maxDifferences,
      LIMITS.maxDifferences,
    ),
    jobs: integer(flags.jobs, '--jobs', d.jobs, LIMITS.jobs),
    recheckDelaySeconds: number(
      flags.recheckDelay ?? String(d.recheckDelaySeconds),
      '--recheck-delay',
      LIMITS.seconds,
    ),
    recheckRounds: integer(flags.recheckRounds, '--recheck-rounds', d.recheckRounds, LIMITS.rounds),
    timeoutSeconds: number(flags.timeout ?? String(d.timeoutSeconds), '--timeout', LIMITS.timeout),
  };
}

/** Sensible ranges for the numeric options; anything outside is a typing mistake. */
const LIMITS = {
  chunkRows: [1, 10_000_000],
  maxDifferences: [1, 100_000_000],
  jobs: [1, 64],
  rounds: [1, 100],
  seconds: [0, 86_400],
  timeout: [1, 86_400],
  tolerance: [0, Number.MAX_VALUE],
} satisfies Record<string, [number, number]>;

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function assignments<T>(
  items: string[],
  flag: string,
  read: (value: string) => T,
): Record<string, T> {
  const result: Record<string, T> = {};
  for (const item of items) {
    const match = /^([^=]+)=(.+)$/.exec(item);
    if (!match) throw new UserError(`${flag} ${item}: write it as column=value.`);
    result[match[1]!.trim()] = read(match[2]!.trim());
  }
  return result;
}

function number(text: string, flag: string, [min, max]: [number, number]): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || text.trim() === '') {
    throw new UserError(`${flag} ${text}: give a number from ${range(min, max)}.`);
  }
  return value;
}

function integer(
  text: string | undefined,
  flag: string,
  fallback: number,
  [min, max]: [number, number],
): number {
  if (text == null) return fallback;
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value < min || value > max) {
    throw new UserError(`${flag} ${text}: give a whole number from ${range(min, max)}.`);
  }
  return value;
}

function range(min: number, max: number): string {
  if (max === Number.MAX_VALUE) return `${min} up`;
  return `${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
}
