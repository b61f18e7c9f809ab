import path from 'node:path';
import type { Command } from 'commander';
import type { CacheOptions } from '../cache/store.js';
import { UserError } from '../errors.js';
import { defaultJobs } from '../extract/pool.js';

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_FAILURE = 2;

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Writes to standard output; a closed reader is fine, a full disk is the user's to know. */
export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => {
      if (!error || (error as NodeJS.ErrnoException).code === 'EPIPE') resolve();
      else reject(new UserError(`cannot write the report: ${error.message}.`));
    });
  });
}

/** The options of every command that runs the check: the cache, and worker threads. */
export function addScanOptions(command: Command): Command {
  return command
    .option(
      '-j, --jobs <n>',
      `worker threads for parsing files (default here: ${defaultJobs()}; 1 on fewer than 4 cores, where threads do not pay off)`,
      parseJobs,
    )
    .option('--no-cache', 'read and analyse every file afresh, and keep no results for next time')
    .option(
      '--cache-dir <dir>',
      'folder for the per-file cache (default: node_modules/.cache/dbboundary, or the temp folder; env DBBOUNDARY_CACHE_DIR)',
    );
}

export interface ScanFlags {
  cache: boolean;
  cacheDir?: string;
  jobs?: number;
}

function parseJobs(value: string): number {
  const jobs = Number(value);
  if (!/^\d+$/.test(value) || jobs < 1 || jobs > 64) {
    throw new UserError(`--jobs ${value}: give a whole number of threads from 1 to 64.`);
  }
  return jobs;
}

/** The cache and thread settings of a run that runs the check. */
export function scanSettings(
  flags: ScanFlags,
  env: NodeJS.ProcessEnv,
): { cache: CacheOptions | undefined; jobs: number } {
  return { cache: cacheSettings(flags, env), jobs: flags.jobs ?? defaultJobs() };
}

/** The cache settings of a run, or undefined for none. */
function cacheSettings(flags: ScanFlags, env: NodeJS.ProcessEnv): CacheOptions | undefined {
  if (!flags.cache) return undefined;
  if (flags.cacheDir === '') {
    throw new UserError('--cache-dir: give a folder, or --no-cache for no cache at all.');
  }
  const dir = flags.cacheDir ?? (env.DBBOUNDARY_CACHE_DIR || undefined);
  return dir == null ? {} : { dir: path.resolve(process.cwd(), dir) };
}
