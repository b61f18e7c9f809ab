import path from 'node:path';
import { Command, Option } from 'commander';
import { checkInitTarget, inferContextMap, writeInitFile } from '../init/index.js';
import { EXIT_CLEAN } from './shared.js';

interface InitFlags {
  db?: string;
  dialect: 'postgresql' | 'mysql';
  force?: boolean;
}

export function initCommand(done: (code: number) => void): Command {
  return new Command('init')
    .description("Write a first dbboundary.yaml from the folder layout (and a database's schemas).")
    .option('--db <url>', 'PostgreSQL URL, or env:NAME, to take table ownership from its schemas')
    .addOption(
      new Option('--dialect <dialect>', 'SQL dialect')
        .choices(['postgresql', 'mysql'])
        .default('postgresql'),
    )
    .option('--force', 'overwrite an existing dbboundary.yaml')
    .action(async (flags: InitFlags) => done(await init(flags)));
}

async function init(flags: InitFlags): Promise<number> {
  const cwd = process.cwd();
  checkInitTarget(cwd, { force: flags.force === true });
  const tables =
    flags.db != null
      ? await (await import('../db/introspect.js')).introspectTableOwnership(flags.db)
      : undefined;
  const { yaml, contexts, notes } = inferContextMap(cwd, { dialect: flags.dialect, tables });
  const file = writeInitFile(cwd, yaml, { force: flags.force === true });

  for (const note of notes) process.stderr.write(`note: ${note}\n`);
  const what =
    contexts.length === 0
      ? 'a template to fill in'
      : `${contexts.length} context${contexts.length === 1 ? '' : 's'}`;
  process.stderr.write(
    `Wrote ${path.relative(cwd, file) || file} with ${what}; review it, then run dbboundary check.\n`,
  );
  return EXIT_CLEAN;
}
