import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { UserError } from '../errors.js';

/**
 * The few git questions check asks: which files a commit would change, and what the index holds
 * for them. Paths come back relative to `root` with `/`; files outside root are left out.
 */

export interface ChangedFile {
  /** Relative to root, with `/`. */
  file: string;
  /** The staged content, for --staged; undefined to read the working tree. */
  content?: string;
}

export function stagedFiles(root: string): ChangedFile[] {
  const top = topLevel(root);
  const names = listNames(root, ['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR']);
  return names.flatMap((name) => {
    const file = underRoot(top, root, name);
    if (file == null) return [];
    const content = git(root, ['show', `:${name}`], `read the staged ${name}`);
    return [{ file, content }];
  });
}

export function filesChangedSince(root: string, ref: string): ChangedFile[] {
  const top = topLevel(root);
  assertCommitKnown(root, ref);
  const names = listNames(root, ['diff', '--name-only', '-z', '--diff-filter=ACMR', ref]);
  const untracked = listNames(root, [
    'ls-files',
    '--others',
    '--exclude-standard',
    '-z',
    '--full-name',
  ]);
  return [...new Set([...names, ...untracked])].flatMap((name) => {
    const file = underRoot(top, root, name);
    return file == null ? [] : [{ file }];
  });
}

/**
 * A ref this clone does not have is a one-line error that says how to get it: CI checkouts are
 * often shallow (one commit), which leaves the base of a pull request out.
 */
function assertCommitKnown(root: string, ref: string): void {
  try {
    git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], 'find the commit');
  } catch {
    const shallow = git(root, ['rev-parse', '--is-shallow-repository'], 'read the clone').trim();
    const how =
      shallow === 'true'
        ? 'this clone is shallow: fetch the history it needs (git fetch --deepen=100, or fetch-depth: 0 in actions/checkout)'
        : 'check the name, or fetch it (git fetch origin <branch>)';
    throw new UserError(`--changed-since ${ref}: no such commit in this clone; ${how}.`);
  }
}

function topLevel(root: string): string {
  return git(root, ['rev-parse', '--show-toplevel'], 'find the git repository').trim();
}

function listNames(root: string, args: string[]): string[] {
  const top = topLevel(root);
  return git(top, args, 'list changed files')
    .split('\0')
    .filter((name) => name !== '');
}

function underRoot(top: string, root: string, name: string): string | null {
  const relative = path.relative(root, path.join(top, name));
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return relative.split(path.sep).join('/');
}

function git(cwd: string, args: string[], purpose: string): string {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const detail =
      (error as { stderr?: string }).stderr?.trim().split('\n')[0] || (error as Error).message;
    throw new UserError(`cannot ${purpose} in ${cwd}: ${detail}`);
  }
}
