import { readdirSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

export type Matcher = (relativePath: string) => boolean;

export function compileGlobs(globs: string[]): Matcher {
  if (globs.length === 0) return () => false;
  return picomatch(globs, { dot: true });
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
