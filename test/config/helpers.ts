import { runCheck } from '../../src/check/run.js';
import type { CheckResult } from '../../src/check/run.js';
import { ConfigError, UserError } from '../../src/errors.js';
import { makeTree } from '../helpers/tempdir.js';

/** Runs check on a fresh tree and returns each config problem as `line: message`, or [] when the config passes. */
export async function problemsOf(yaml: string, files: Record<string, string>): Promise<string[]> {
  const root = makeTree({ 'dbboundary.yaml': yaml, ...files });
  try {
    await runCheck({ cwd: root });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.line}: ${p.message}`);
    throw error;
  }
}

/** Runs check and returns the result, failing the test on any config problem. */
export async function checkTree(yaml: string, files: Record<string, string>): Promise<CheckResult> {
  const root = makeTree({ 'dbboundary.yaml': yaml, ...files });
  return runCheck({ cwd: root });
}

/** The message of the UserError that check stops with. */
export async function userErrorOf(options: { config?: string; cwd: string }): Promise<string> {
  try {
    await runCheck(options);
  } catch (error) {
    if (error instanceof UserError) return error.message;
    throw error;
  }
  throw new Error('check passed; a UserError was expected');
}
