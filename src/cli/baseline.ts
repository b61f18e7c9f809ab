import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { runCheck } from '../check/run.js';
import {
  DEFAULT_BASELINE_FILE,
  assertMayWriteBaseline,
  createBaseline,
  serializeBaseline,
} from '../baseline/index.js';
import { UserError } from '../errors.js';
import { EXIT_CLEAN, addScanOptions, scanSettings } from './shared.js';
import type { ScanFlags } from './shared.js';

interface BaselineFlags extends ScanFlags {
  config?: string;
  output?: string;
  force?: boolean;
}

export function baselineCommand(done: (code: number) => void): Command {
  return addScanOptions(
    new Command('baseline')
      .description('Record the current findings, so that check fails only on new ones.')
      .option('-c, --config <file>', 'context map (default: dbboundary.yaml in the working folder)')
      .option(
        '-o, --output <file>',
        `baseline file (default: ${DEFAULT_BASELINE_FILE} beside the config)`,
      )
      .option('--force', 'write it even in CI (CI=true), where a baseline would hide new findings')
      .action(async (flags: BaselineFlags) => done(await writeBaseline(flags))),
  );
}

async function writeBaseline(flags: BaselineFlags): Promise<number> {
  assertMayWriteBaseline(process.env, flags.force === true);
  const result = await runCheck({
    config: flags.config,
    cwd: process.cwd(),
    ...scanSettings(flags, process.env),
  });
  const file = flags.output
    ? path.resolve(process.cwd(), flags.output)
    : path.join(result.root, DEFAULT_BASELINE_FILE);

  try {
    writeFileSync(file, serializeBaseline(createBaseline(result.findings)));
  } catch (error) {
    throw new UserError(
      `${file}: cannot write the baseline (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
    );
  }
  process.stderr.write(
    `Wrote ${path.relative(process.cwd(), file) || file}: ${result.findings.length} finding${result.findings.length === 1 ? '' : 's'}.\n`,
  );
  return EXIT_CLEAN;
}
