import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { baselineCommand } from './baseline.js';
import { checkCommand } from './check.js';
import { graphCommand } from './graph.js';
import { initCommand } from './init.js';
import { reconcileCommand } from './reconcile.js';
import { splitCommand } from './split.js';
import { EXIT_CLEAN, EXIT_FAILURE } from './shared.js';

export { EXIT_CLEAN, EXIT_FAILURE, EXIT_FINDINGS } from './shared.js';

/** The command line: parse arguments, run the command, print, and return the exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_CLEAN;
  const done = (code: number): void => {
    exitCode = code;
  };
  const version = packageVersion();
  const program = new Command('dbboundary')
    .description('Enforce database boundaries between bounded contexts.')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .showHelpAfterError('(run dbboundary --help for usage)')
    .addCommand(checkCommand(version, done))
    .addCommand(baselineCommand(done))
    .addCommand(initCommand(done))
    .addCommand(graphCommand(done))
    .addCommand(splitCommand(done))
    .addCommand(reconcileCommand(done));
  for (const command of program.commands) command.exitOverride();

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

function handleError(error: unknown): number {
  if (error instanceof CommanderError) {
    const done = ['commander.helpDisplayed', 'commander.version'].includes(error.code);
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
 * errors reach the writer's callback, so the event itself is only acknowledged here.
 */
function ignoreClosedReaders(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}

function packageVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
