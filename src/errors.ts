/**
 * The small error vocabulary. A UserError is a mistake the user can fix: the CLI prints its
 * message as is (one line, or one line per problem) and exits 2, never with a stack trace.
 * Anything else that escapes is a bug in dbboundary and is shown with its stack.
 */
export class UserError extends Error {
  readonly lines: string[];

  constructor(lines: string | string[]) {
    const all = Array.isArray(lines) ? lines : [lines];
    super(all.join('\n'));
    this.name = 'UserError';
    this.lines = all;
  }
}

/** One problem in a config file, tied to its line so an editor can jump to it. */
export interface ConfigProblem {
  file: string;
  line: number | null;
  message: string;
}

export class ConfigError extends UserError {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line == null ? problem.file : `${problem.file}:${problem.line}`;
  return `${where}: ${problem.message}`;
}
