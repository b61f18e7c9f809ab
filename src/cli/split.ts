import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import type { RunResult, StepOutcome } from '../db/apply.js';
import { describeTarget, resolveDatabaseUrl } from '../db/url.js';
import { UserError } from '../errors.js';
import type { SplitResult } from '../split/index.js';
import { placesAnyTable, unmatchedPatterns } from '../split/placement.js';
import type { SchemaModel } from '../split/model.js';
import type { ContextMap } from '../config/types.js';
import { displayPath } from '../config/read.js';
import { PLAN_FILE, isMoveStep, readPlan } from '../split/plan-files.js';
import { EXIT_CLEAN, EXIT_FINDINGS, writeStdout } from './shared.js';

interface SplitFlags {
  config?: string;
  db?: string;
  schemaFile?: string;
  out: string;
  apply?: boolean;
  revert?: boolean;
  force?: boolean;
}

export function splitCommand(done: (code: number) => void): Command {
  return new Command('split')
    .description(
      "Plan the move of each context's tables into its own schema, report the couplings, and apply or revert the plan.",
    )
    .option('-c, --config <file>', 'context map (default: dbboundary.yaml in the working folder)')
    .option(
      '--db <url>',
      'PostgreSQL to read (or, with --apply/--revert, to change); env:NAME reads the URL from a variable',
    )
    .addOption(
      new Option(
        '--schema-file <file>',
        'read the schema from a pg_dump --schema-only file instead of --db',
      ).conflicts(['db', 'apply', 'revert']),
    )
    .requiredOption('-o, --out <dir>', 'folder for the plan, the per-context DDL and the report')
    .addOption(
      new Option('--apply', 'run the plan in --out against --db, step by step').conflicts('revert'),
    )
    .option('--revert', 'undo the applied steps of the plan in --out, last first')
    .option('--force', 'write the plan even if --out already holds one')
    .addHelpText(
      'after',
      '\nExit codes: 0 plan written (no high-severity coupling) or plan applied/reverted; 1 high-severity couplings found, or a step failed; 2 usage, config or connection failure.',
    )
    .action(async (flags: SplitFlags) => done(await split(flags)));
}

async function split(flags: SplitFlags): Promise<number> {
  const out = path.resolve(process.cwd(), flags.out);
  if (flags.apply || flags.revert) return run(flags, out);
  if ((flags.db == null) === (flags.schemaFile == null)) {
    throw new UserError(
      'split needs --db <url> or --schema-file <pg_dump file> to read the schema from.',
    );
  }

  if (!flags.force && existsSync(path.join(out, PLAN_FILE))) {
    throw new UserError(
      `${path.join(flags.out, PLAN_FILE)}: a plan is already there; if it was applied, run --revert with it first, or choose another --out folder (--force writes over it).`,
    );
  }
  // Imported here: the split code loads the PostgreSQL parser as it is imported, which other
  // commands should not pay for at start-up.
  const { loadSplitConfig, planSplit } = await import('../split/index.js');
  const map = loadSplitConfig(flags.config, process.cwd());
  const model =
    flags.db != null
      ? await (await import('../db/catalog.js')).readCatalog(flags.db)
      : await (await import('../split/dump.js')).readDumpFile(flags.schemaFile!);
  const where = flags.db != null ? 'the database' : path.basename(flags.schemaFile!);
  assertPlacesTables(model, map, where);
  const source =
    flags.db != null
      ? describeTarget(resolveDatabaseUrl(flags.db))
      : path.basename(flags.schemaFile!);
  const result = planSplit(model, map, source);
  writeFolder(out, result.files);
  await writeStdout(summary(result, flags.out));
  return result.report.summary.high > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

/** Warns about each tables pattern that matches nothing; stops when no table is placed at all. */
function assertPlacesTables(model: SchemaModel, map: ContextMap, where: string): void {
  const file = displayPath(map.file);
  for (const { context, pattern } of unmatchedPatterns(model, map)) {
    const at = pattern.line == null ? file : `${file}:${pattern.line}`;
    process.stderr.write(
      `dbboundary: warning: ${at}: tables pattern ${JSON.stringify(pattern.source)} of context ${context} matches no table in ${where}; the plan moves nothing for it.\n`,
    );
  }
  if (!placesAnyTable(model, map)) {
    throw new UserError(
      `no table in ${where} matches any context's tables patterns in ${file}, so there is nothing to split; check the patterns and defaultSchema (split moves tables, not views).`,
    );
  }
}

async function run(flags: SplitFlags, out: string): Promise<number> {
  if (flags.db == null) {
    throw new UserError(`--${flags.apply ? 'apply' : 'revert'} needs --db <url>.`);
  }
  const plan = readPlan(out, flags.out);
  if (flags.revert && !plan.steps.some((step) => isMoveStep(step.id))) {
    // Its schema, grant and search_path steps verify once any plan has run: they may not be its own.
    throw new UserError(
      `${path.join(flags.out, PLAN_FILE)}: this plan moves no table, so its other steps may be those of an earlier plan; revert with the plan that moved the tables.`,
    );
  }
  const progress = (outcome: StepOutcome): void => {
    process.stderr.write(`${outcome.status.padEnd(15)} ${outcome.id}\n`);
  };
  const result = flags.apply
    ? await (await import('../db/apply.js')).applyPlan(flags.db, plan, progress)
    : await (await import('../db/apply.js')).revertPlan(flags.db, plan, progress);
  return finish(result, flags.apply ? 'apply' : 'revert');
}

async function finish(result: RunResult, action: string): Promise<number> {
  if (result.failed) {
    process.stderr.write(
      `dbboundary: step ${result.failed.id} (${result.failed.title}) failed: ${result.failed.reason}. It was rolled back; the steps before it stay ${action === 'apply' ? 'applied' : 'reverted'}.\n`,
    );
    return EXIT_FINDINGS;
  }
  const changed = result.outcomes.filter((o) => o.status === 'applied' || o.status === 'reverted');
  await writeStdout(
    `${action}: ${changed.length} step(s) ${action === 'apply' ? 'applied' : 'reverted'}, ${result.outcomes.length - changed.length} left as they were.\n`,
  );
  return EXIT_CLEAN;
}

/** Scripts and DDL of an earlier plan that this one no longer has would only mislead a reviewer. */
const OWN_FOLDERS = ['deploy', 'revert', 'verify', 'contexts'];

function writeFolder(out: string, files: Map<string, string>): void {
  for (const folder of OWN_FOLDERS) {
    const dir = path.join(out, folder);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.sql') && !files.has(`${folder}/${name}`)) rmSync(path.join(dir, name));
    }
  }
  for (const [relative, text] of files) {
    const file = path.join(out, relative);
    makeFolder(path.dirname(file));
    try {
      writeFileSync(file, text);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new UserError(`${file}: cannot write it (${code}).`);
    }
  }
}

/**
 * Makes a folder and its missing parents one level at a time, from the first missing one down:
 * mkdir's recursive mode can loop forever where a parent refuses new entries (/proc).
 */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !existsSync(at); at = path.dirname(at)) missing.unshift(at);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      if (code === 'EEXIST') continue;
      throw new UserError(`${folder}: cannot make this folder (${code}).`);
    }
  }
}

function summary(result: SplitResult, out: string): string {
  const { summary: s } = result.report;
  return [
    `Plan of ${s.steps} step(s) moving ${s.moves} table(s) written to ${out} (deploy/, revert/, verify/, plan.json).`,
    `Couplings: ${s.high} high, ${s.medium} medium, ${s.low} low; see ${path.join(out, 'report.md')}.`,
    `Per-context DDL: ${path.join(out, 'contexts')}.`,
    '',
  ].join('\n');
}
