import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const BIN = fileURLToPath(new URL('../../bin/dbboundary.js', import.meta.url));

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Spawns the built command line as a user would, with a bare environment: NO_COLOR unless a
 * test gives its own variables, the tests' cache folder, and no CI or GitHub variables leaking in
 * from the machine running the tests.
 */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const result = await execa('node', [BIN, ...args], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      // The tests' own cache folder (global-setup.ts); a test may give another.
      ...(process.env.DBBOUNDARY_CACHE_DIR
        ? { DBBOUNDARY_CACHE_DIR: process.env.DBBOUNDARY_CACHE_DIR }
        : {}),
      ...(options.env ?? { NO_COLOR: '1' }),
    },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}
