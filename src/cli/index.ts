import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { UserError } from '../errors.js';
import { runCheck } from '../check/run.js';
import { formatJson } from '../report/json.js';
import { formatText } from '../report/text.js';
import { createColors } from '../report/colors.js';

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_FAILURE = 2;

interface CheckFlags {
  config?: string;
  format: 'text' | 'json';
  color: boolean;
  staged?: boolean;
  changedSince?: string;
}

/** The command line: parse arguments, run the command, print, and return the exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_CLEAN;
  const program = buildProgram(async (flags) => {
    exitCode = await check(flags);
  });

  ignoreClosedReaders();
  if (argv.length <= 2) {
    process.stderr.write(program.helpInformation());
    return EXIT_FAILURE;
  }

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return handleError(error);
  }
}

function buildProgram(onCheck: (flags: CheckFlags) => Promise<void>): Command {
  const program = new Command('dbboundary')
    .description('Enforce database boundaries between bounded contexts.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .showHelpAfterError('(run dbboundary --help for usage)');

  program
    .command('check')
    .description("Find code that reaches into another context's tables or private files.")
    .option('-c, --config <file>', 'context map (default: dbboundary.yaml in the working folder)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option('--no-color', 'never colour the text output')
    .addOption(
      new Option('--staged', 'check only files staged in git, as staged').conflicts('changedSince'),
    )
    .option('--changed-since <ref>', 'check only files changed since a commit, branch or tag')
    .addHelpText(
      'after',
      '\nExit codes: 0 clean (warnings only), 1 errors found, 2 usage or config failure.',
    )
    .action(onCheck);

  return program;
}

async function check(flags: CheckFlags): Promise<number> {
  const changes = flags.staged
    ? 'staged'
    : flags.changedSince != null
      ? { since: flags.changedSince }
      : undefined;
  const result = await runCheck({ config: flags.config, cwd: process.cwd(), changes });
  const output =
    flags.format === 'json'
      ? formatJson(result)
      : formatText(
          result,
          createColors({
            isTTY: Boolean(process.stdout.isTTY),
            env: process.env,
            flag: flags.color,
          }),
        );
  await write(process.stdout, output);
  return result.summary.errors > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

function handleError(error: unknown): number {
  if (error instanceof CommanderError) {
    const done = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(
      error.code,
    );
    return done ? EXIT_CLEAN : EXIT_FAILURE;
  }
  if (error instanceof UserError) {
    process.stderr.write(`dbboundary: ${error.lines.join('\ndbboundary: ')}\n`);
    return EXIT_FAILURE;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(
    `dbboundary: internal error, please report it with this output:\n${detail}\n`,
  );
  return EXIT_FAILURE;
}

/**
 * A reader that went away early (`| head`, `| true`) is not an error of the check. Other write
 * errors reach the writer's callback (see write), so the event itself is only acknowledged here.
 */
function ignoreClosedReaders(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}

/** Writes the report; a closed reader is fine, a full disk is the user's to know. */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const closedReader = (error: NodeJS.ErrnoException): boolean => error.code === 'EPIPE';
    stream.write(text, (error) => {
      if (!error || closedReader(error)) resolve();
      else reject(new UserError(`cannot write the report: ${error.message}.`));
    });
  });
}

function packageVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
