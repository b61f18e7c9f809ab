import { readdirSync } from 'node:fs';
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

/**
 * Lists the files under root that the include globs take and the exclude globs leave, as
 * relative paths with `/`. Folders that an exclude glob covers are not entered, and symbolic
 * links are not followed (a link loop or a link out of the tree would make the list unbounded).
 */
export function discoverFiles(root: string, include: string[], exclude: string[]): string[] {
  const included = compileGlobs(include);
  const excluded = compileGlobs(exclude);
  const found: string[] = [];

  const walk = (relativeDir: string): void => {
    const entries = readdirSync(path.join(root, relativeDir), { withFileTypes: true });
    for (const entry of entries) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!excluded(`${relative}/x`)) walk(relative);
      } else if (entry.isFile() && included(relative) && !excluded(relative)) {
        found.push(relative);
      }
    }
  };

  walk('');
  return found.sort();
}
