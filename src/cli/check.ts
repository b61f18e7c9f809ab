import path from 'node:path';
import { Command, Option } from 'commander';
import { UserError } from '../errors.js';
import { runCheck } from '../check/run.js';
import type { CheckResult } from '../check/run.js';
import {
  baselineFails,
  compareWithBaseline,
  formatBaselineDelta,
  readBaseline,
} from '../baseline/index.js';
import type { BaselineComparison } from '../baseline/index.js';
import { FORMATS } from '../report/index.js';
import { planReports, renderReports, reportContext } from './output.js';
import {
  EXIT_CLEAN,
  EXIT_FINDINGS,
  collect,
  writeStdout,
  addScanOptions,
  scanSettings,
} from './shared.js';
import type { ScanFlags } from './shared.js';

interface CheckFlags extends ScanFlags {
  config?: string;
  format: string[];
  output: string[];
  color: boolean;
  staged?: boolean;
  changedSince?: string;
  baseline?: string;
  strictBaseline?: boolean;
}

export function checkCommand(toolVersion: string, done: (code: number) => void): Command {
  return addScanOptions(
    new Command('check')
      .description("Find code that reaches into another context's tables or private files.")
      .option('-c, --config <file>', 'context map (default: dbboundary.yaml in the working folder)')
      .option(
        '-f, --format <format>',
        `report format, repeatable: ${FORMATS.join(', ')}`,
        collect,
        [],
      )
      .option(
        '-o, --output <file>',
        'file for the report of the same position ("-" for standard output)',
        collect,
        [],
      )
      .option('--no-color', 'never colour the text report')
      .addOption(
        new Option('--staged', 'check only files staged in git, as staged').conflicts(
          'changedSince',
        ),
      )
      .option('--changed-since <ref>', 'check only files changed since a commit, branch or tag')
      .option('--baseline <file>', 'fail only on findings this baseline does not list')
      .option('--strict-baseline', 'with --baseline, fail also on entries that no longer match')
      .addHelpText(
        'after',
        '\nExit codes: 0 clean (warnings only), 1 errors found, 2 usage or config failure.',
      )
      .action(async (flags: CheckFlags) => done(await check(flags, toolVersion))),
  );
}

async function check(flags: CheckFlags, toolVersion: string): Promise<number> {
  if (flags.strictBaseline && flags.baseline == null) {
    throw new UserError('--strict-baseline needs --baseline <file>.');
  }
  const targets = planReports(flags.format, flags.output, process.env);
  const changes = flags.staged
    ? 'staged'
    : flags.changedSince != null
      ? { since: flags.changedSince }
      : undefined;
  const result = await runCheck({
    config: flags.config,
    cwd: process.cwd(),
    changes,
    ...scanSettings(flags, process.env),
  });

  const comparison =
    flags.baseline != null ? compare(result, flags.baseline, changes != null) : null;
  const reported = comparison ? withoutKnown(result, comparison) : result;
  const delta = comparison
    ? formatBaselineDelta(comparison, {
        file: flags.baseline,
        strict: flags.strictBaseline === true,
      })
    : [];

  // The baseline's counts are in the text report; other reports get them on standard error, so a
  // run that fails on a fixed entry (--strict-baseline) always says why.
  if (delta.length > 0 && !targets.some((t) => t.format === 'text' && t.output === '-')) {
    process.stderr.write(`${delta.join('\n')}\n`);
  }
  const stdout = renderReports(
    targets,
    reported,
    reportContext(result, flags.color, toolVersion, targets),
    delta,
  );
  if (stdout) await writeStdout(stdout);

  if (comparison) {
    return baselineFails(comparison, flags.strictBaseline === true) ? EXIT_FINDINGS : EXIT_CLEAN;
  }
  return result.summary.errors > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

function compare(result: CheckResult, file: string, partial: boolean): BaselineComparison {
  const baseline = readBaseline(path.resolve(process.cwd(), file));
  const scope = partial ? { files: new Set(result.scannedFiles) } : undefined;
  return compareWithBaseline(result.findings, baseline, scope);
}

/** The report of a baseline run lists the new findings; the known ones are counted. */
function withoutKnown(result: CheckResult, comparison: BaselineComparison): CheckResult {
  const findings = comparison.newFindings;
  return {
    ...result,
    findings,
    summary: {
      ...result.summary,
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
    },
  };
}
