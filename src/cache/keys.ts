import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * The version of dbboundary's own code: a hash of every module of the build it runs from, so a
 * cache made by other code (an upgrade, a local change) is never used.
 */
export function codeVersion(): string {
  const hash = createHash('sha1');
  const top = fileURLToPath(new URL('..', import.meta.url));
  for (const file of modulesUnder(top)) {
    hash.update(path.relative(top, file));
    hash.update(readFileSync(file));
  }
  // The parsers answer too: an upgrade within their version ranges may answer differently.
  for (const name of PARSERS) hash.update(`\n${name}@${installedVersion(name)}`);
  return hash.digest('base64');
}

const PARSERS = ['ts-morph', '@ts-morph/common', 'libpg-query', 'node-sql-parser'];

/** The version of an installed package, from the package.json above its entry point. */
function installedVersion(name: string): string {
  try {
    let dir = path.dirname(require.resolve(name));
    for (;;) {
      const manifest = path.join(dir, 'package.json');
      const parsed = readJson(manifest) as { name?: string; version?: string } | null;
      if (parsed?.name === name) return parsed.version ?? 'unknown';
      if (path.dirname(dir) === dir) return 'unknown';
      dir = path.dirname(dir);
    }
  } catch {
    return 'unknown';
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function modulesUnder(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return modulesUnder(full);
    return /\.(?:js|ts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** What a package manager writes on every install, so a changed install changes the key. */
const INSTALL_RECORDS = [
  'node_modules/.package-lock.json',
  'node_modules/.modules.yaml',
  'node_modules/.yarn-state.yml',
  'node_modules/.yarn-integrity',
];

/**
 * The inputs of module resolution, hashed: the source files of the tree, the content of its
 * tsconfig, jsconfig and package.json files, of tsconfig files in the folders above it and of the
 * config files the last resolution read (what a tsconfig extends, wherever it is), and the
 * package manager's install record. Stored import targets hold while this does not change.
 *
 * Known limit: a file that appears where check does not look (an excluded folder, or a .json
 * file) can change where an import leads without changing this key; `--no-cache` reads
 * everything afresh.
 */
export function resolutionKey(root: string, files: string[], configFiles: string[]): string {
  const hash = createHash('sha1');
  hash.update(files.join('\n'));
  for (const file of [...configFiles, ...tsconfigsAbove(root)]) {
    hash.update(`\n${file}\n`);
    hash.update(readOrEmpty(path.resolve(root, file)));
  }
  for (const record of INSTALL_RECORDS) {
    const stat = statOrNull(path.join(root, record));
    if (stat) hash.update(`\n${record} ${stat.size} ${stat.mtimeMs}`);
  }
  return hash.digest('base64');
}

function tsconfigsAbove(root: string): string[] {
  const found: string[] = [];
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    for (const name of ['tsconfig.json', 'jsconfig.json']) {
      const file = path.join(dir, name);
      if (statOrNull(file)) found.push(file);
    }
    if (path.dirname(dir) === dir) return found;
  }
}

function readOrEmpty(file: string): Buffer | string {
  try {
    return readFileSync(file);
  } catch {
    return '';
  }
}

function statOrNull(file: string): { size: number; mtimeMs: number } | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}
