import { readdirSync, realpathSync, statSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

export type Matcher = (relativePath: string) => boolean;

/**
 * A file matches when some glob takes it and no `!glob` leaves it out, so
 * ["src/orders/**", "!src/orders/legacy/**"] means the orders folder without its legacy part.
 */
export function compileGlobs(globs: string[]): Matcher {
  const taken = globs.filter((glob) => !glob.startsWith('!'));
  const left = globs.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
  if (taken.length === 0) return () => false;

  const takes = picomatch(taken, { dot: true });
  const leaves = left.length > 0 ? picomatch(left, { dot: true }) : () => false;
  return (file) => takes(file) && !leaves(file);
}

export interface Discovery {
  /** Relative paths with `/`, sorted. */
  files: string[];
  /** Folders and files that exist but could not be read, with the reason. */
  unreadable: { path: string; reason: string }[];
  /** tsconfig, jsconfig and package.json files met on the way, which steer module resolution. */
  configFiles: string[];
}

const RESOLUTION_CONFIG = /^(?:tsconfig.*|jsconfig.*|package)\.json$/;

/**
 * What check can read, whatever the include globs take: TypeScript and JavaScript sources and
 * .sql files. A glob such as `packages/**` thus does not make a README a file with syntax errors.
 */
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|sql)$/i;

/**
 * Lists the files under root that the include globs take and the exclude globs leave, as
 * relative paths with `/`. Folders that an exclude glob covers are not entered. Symbolic links
 * out of the tree are followed, each real folder once, so a link loop ends.
 */
export function discoverFiles(root: string, include: string[], exclude: string[]): Discovery {
  const included = compileGlobs(include);
  const excluded = compileGlobs(exclude);
  const found: Discovery = { files: [], unreadable: [], configFiles: [] };
  const seenFolders = new Set<string>();
  const realRoot = realpathSync(root);

  const walk = (relativeDir: string): void => {
    const folder = path.join(root, relativeDir);
    const entries = readFolder(folder, relativeDir, seenFolders, found);
    for (const entry of entries) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      const kind = kindOf(entry, path.join(folder, entry.name), realRoot);
      if (kind === 'folder' && !excluded(`${relative}/x`)) walk(relative);
      else if (kind === 'file') {
        if (RESOLUTION_CONFIG.test(entry.name)) found.configFiles.push(relative);
        if (SOURCE_FILE.test(entry.name) && included(relative) && !excluded(relative)) {
          found.files.push(relative);
        }
      }
    }
  };

  walk('');
  found.files.sort();
  found.configFiles.sort();
  return found;
}

function readFolder(
  folder: string,
  relative: string,
  seen: Set<string>,
  found: Discovery,
): Dirent[] {
  try {
    const real = realpathSync(folder);
    if (seen.has(real)) return [];
    seen.add(real);
    return readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    found.unreadable.push({
      path: relative || '.',
      reason: (error as NodeJS.ErrnoException).code ?? String(error),
    });
    return [];
  }
}

/**
 * A link to a place inside the tree is not followed: that place is walked where it really is,
 * so its files keep the context of their own folder. A link out of the tree is followed.
 */
function kindOf(entry: Dirent, absolute: string, realRoot: string): 'file' | 'folder' | 'other' {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'folder';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const real = realpathSync(absolute);
    if (real === realRoot || real.startsWith(`${realRoot}${path.sep}`)) return 'other';
    const target = statSync(real);
    return target.isFile() ? 'file' : target.isDirectory() ? 'folder' : 'other';
  } catch {
    return 'other';
  }
}

/**
 * The files of a sorted list that a glob may match: those under the glob's fixed leading folders
 * (`src/orders` for `src/orders/**`), found by binary search. Callers still test each with the
 * glob; this only spares them the rest of the tree.
 */
export function filesUnderBase(sortedFiles: readonly string[], glob: string): readonly string[] {
  // The base keeps the glob's escapes (`src/\(admin\)`); file names have none.
  const base = picomatch.scan(glob).base.replace(/\\(.)/g, '$1');
  if (!base) return sortedFiles;

  let low = 0;
  let high = sortedFiles.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sortedFiles[middle]! < base) low = middle + 1;
    else high = middle;
  }
  let end = low;
  while (end < sortedFiles.length && sortedFiles[end]!.startsWith(base)) end++;
  return sortedFiles.slice(low, end);
}
