import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { createColors } from '../report/colors.js';
import { FORMATS, formatReport, isFormatName, repositoryPrefix } from '../report/index.js';
import type { FormatName, ReportContext } from '../report/index.js';
import type { CheckResult } from '../check/run.js';

/** One report to produce: a format, and a file or standard output ('-'). */
export interface ReportTarget {
  format: FormatName;
  output: string;
}

/**
 * Pairs --format and --output by position: the first format goes to the first output, and so on;
 * a format without an output goes to standard output, which only one report may use. With no
 * --format, the text report, or GitHub annotations when running in GitHub Actions.
 */
export function planReports(
  formats: string[],
  outputs: string[],
  env: NodeJS.ProcessEnv,
): ReportTarget[] {
  const unknown = formats.find((format) => !isFormatName(format));
  if (unknown != null) {
    throw new UserError(`--format ${unknown}: unknown format; use one of ${FORMATS.join(', ')}.`);
  }
  if (outputs.length > Math.max(formats.length, 1)) {
    throw new UserError(
      'more --output than --format: give a --format for each --output, in the same order.',
    );
  }

  const chosen = (
    formats.length > 0 ? formats : [env.GITHUB_ACTIONS === 'true' ? 'github' : 'text']
  ) as FormatName[];
  const targets = chosen.map((format, index) => ({ format, output: outputs[index] ?? '-' }));
  const files = targets.map((target) => target.output).filter((output) => output !== '-');
  const twice = files.find((file, index) => files.indexOf(file) !== index);
  if (twice != null) {
    throw new UserError(
      `--output ${twice} is given for two reports; give each report its own file.`,
    );
  }
  if (targets.filter((target) => target.output === '-').length > 1) {
    throw new UserError(
      'only one report can go to standard output; give the others an --output <file>.',
    );
  }
  return targets;
}

/** Paths in sarif, github and junit reports start at the repository's root, which git tells. */
const REPOSITORY_PATH_FORMATS = new Set(['sarif', 'github', 'junit']);

export function reportContext(
  result: CheckResult,
  color: boolean,
  toolVersion: string,
  targets: ReportTarget[],
): ReportContext {
  const configDir = path.dirname(result.config);
  const needsPrefix = targets.some((target) => REPOSITORY_PATH_FORMATS.has(target.format));
  return {
    colors: createColors({ isTTY: Boolean(process.stdout.isTTY), env: process.env, flag: color }),
    configDir,
    toolVersion,
    ...(needsPrefix ? { pathPrefix: repositoryPrefix(configDir) } : {}),
  };
}

/** Renders each report; returns what goes to standard output, having written the files. */
export function renderReports(
  targets: ReportTarget[],
  result: CheckResult,
  context: ReportContext,
  extraText: string[] = [],
): string {
  let stdout = '';
  for (const target of targets) {
    const plain =
      target.output !== '-'
        ? { ...context, colors: createColors({ isTTY: false, env: {}, flag: false }) }
        : context;
    let text = formatReport(target.format, result, plain);
    if (target.format === 'text' && extraText.length > 0) text += `${extraText.join('\n')}\n`;
    if (target.output === '-') stdout = text;
    else writeReport(target.output, text);
  }
  return stdout;
}

function writeReport(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new UserError(
      `--output ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
    );
  }
}
