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
  git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], `find the commit "${ref}"`);
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
