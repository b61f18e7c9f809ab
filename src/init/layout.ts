import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE } from '../config/schema.js';
import { discoverFiles } from '../extract/files.js';

/** A context found in the folder layout, with globs relative to the root. */
export interface InferredContext {
  name: string;
  /** Its folder, relative to the root with `/`. */
  folder: string;
  code: string[];
  public: string[];
}

export interface InferredLayout {
  contexts: InferredContext[];
  /** The layouts recognized, as `src/modules/*`, in the order they were found. */
  shapes: string[];
  notes: string[];
}

/** Folders whose subfolders are usually one bounded context each. */
export const SHAPES = [
  'src/contexts',
  'src/modules',
  'src/domains',
  'src/features',
  'src/services',
  'services',
  'modules',
  'apps',
  'packages',
];

/** Workspace folders: a package in them may itself be split into modules. */
const WORKSPACES = new Set(['services', 'modules', 'apps', 'packages']);

/** Layouts inside a workspace package (packages/billing/src/modules/*); two folders make one. */
const NESTED_SHAPES = ['src/contexts', 'src/modules', 'src/domains', 'src/features'];

/** Folder names that hold shared code or tests rather than a bounded context. */
const NOT_CONTEXTS = new Set([
  'shared',
  'common',
  'commons',
  'utils',
  'util',
  'helpers',
  'lib',
  'libs',
  'types',
  'config',
  'test',
  'tests',
  '__tests__',
  '__mocks__',
  'fixtures',
]);

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** The files a check would scan, and the folders that hold them. */
class Tree {
  readonly files: Set<string>;
  private readonly children = new Map<string, Set<string>>();
  private readonly folders = new Set<string>();

  constructor(
    readonly root: string,
    files: string[],
  ) {
    this.files = new Set(files);
    for (const file of files) {
      const parts = file.split('/');
      for (let depth = 0; depth < parts.length - 1; depth++) {
        const parent = parts.slice(0, depth).join('/');
        const names = this.children.get(parent) ?? new Set();
        names.add(parts[depth]!);
        this.children.set(parent, names);
        this.folders.add(parts.slice(0, depth + 1).join('/'));
      }
    }
  }

  /** Subfolders of a folder that hold files to scan, sorted. */
  subfolders(folder: string): string[] {
    return [...(this.children.get(folder) ?? [])].sort();
  }

  /** True when the folder holds files to scan, directly or below. */
  holdsFiles(folder: string): boolean {
    return this.folders.has(folder);
  }
}

/** Finds bounded contexts in the usual folder layouts under root. */
export function inferLayout(root: string): InferredLayout {
  const tree = new Tree(root, discoverFiles(root, DEFAULT_INCLUDE, DEFAULT_EXCLUDE).files);
  const layout: InferredLayout = { contexts: [], shapes: [], notes: [] };
  const folders: { folder: string; shape: string }[] = [];

  for (const shape of SHAPES) {
    const found = contextFolders(tree, shape, layout.notes);
    if (found.length === 0) continue;

    layout.shapes.push(...new Set(found.map((entry) => entry.shape)));
    folders.push(...found);
  }

  const names = nameContexts(folders.map((entry) => entry.folder));
  layout.contexts = folders.flatMap(({ folder }, index) => {
    const name = names[index];
    if (name == null) {
      layout.notes.push(`${folder}: no context name can be made of this folder's name; skipped.`);
      return [];
    }
    return [{ name, folder, code: [`${escapeGlob(folder)}/**`], public: publicOf(tree, folder) }];
  });
  return layout;
}

function contextFolders(
  tree: Tree,
  shape: string,
  notes: string[],
): { folder: string; shape: string }[] {
  const { folders, shared } = candidatesUnder(tree, shape);
  notes.push(...shared.map(sharedNote));

  return folders.flatMap((folder) => {
    const nested = WORKSPACES.has(shape) ? nestedFolders(tree, folder, notes) : null;
    return nested ?? [{ folder, shape: `${shape}/*` }];
  });
}

interface Candidates {
  folders: string[];
  /** Folders left out because their name says shared code or tests. */
  shared: string[];
}

/** The subfolders of a layout folder that may be contexts; scope folders (@acme/*) are entered. */
function candidatesUnder(tree: Tree, parent: string): Candidates {
  const found: Candidates = { folders: [], shared: [] };
  for (const name of tree.subfolders(parent)) {
    const folder = `${parent}/${name}`;
    if (name.startsWith('@')) {
      const scoped = candidatesUnder(tree, folder);
      found.folders.push(...scoped.folders);
      found.shared.push(...scoped.shared);
    } else if (NOT_CONTEXTS.has(name.toLowerCase())) {
      found.shared.push(folder);
    } else if (!name.startsWith('.')) {
      found.folders.push(folder);
    }
  }
  return found;
}

function sharedNote(folder: string): string {
  return `${folder}: its name says shared code or tests, so it was left outside every context.`;
}

/** A workspace package split into modules (packages/api/src/modules/*): each module is a context. */
function nestedFolders(
  tree: Tree,
  pkg: string,
  notes: string[],
): { folder: string; shape: string }[] | null {
  for (const shape of NESTED_SHAPES) {
    const { folders, shared } = candidatesUnder(tree, `${pkg}/${shape}`);
    if (folders.length < 2) continue;

    notes.push(
      `${pkg}: each folder of ${pkg}/${shape} is a context; its files outside them are shared code.`,
      ...shared.map(sharedNote),
    );
    return folders.map((folder) => ({ folder, shape: `${pkg}/${shape}/*` }));
  }
  return null;
}

/**
 * Names from the folders' own names; where two folders share a name, each takes its path
 * instead (apps-web, packages-web). Null where no valid name can be made.
 */
function nameContexts(folders: string[]): (string | null)[] {
  const short = folders.map((folder) => contextName(path.posix.basename(folder)));
  const taken = new Set<string>();
  return short.map((name, index) => {
    if (name == null) return null;
    const shared = short.filter((other) => other === name).length > 1;
    const base = shared ? contextName(folders[index]!.replaceAll('/src/', '/')) : name;
    let unique = base!;
    for (let n = 2; taken.has(unique); n++) unique = `${base}-${n}`;
    taken.add(unique);
    return unique;
  });
}

/** A name the config accepts: a letter, then letters, digits, _ or -. */
function contextName(text: string): string | null {
  const name = text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+|[-_]+$/g, '');
  if (name === '') return null;
  return /^[0-9]/.test(name) ? `context-${name}` : name;
}

/** What other contexts may import: an api/ folder, else the package's entry, else an index file. */
function publicOf(tree: Tree, folder: string): string[] {
  for (const api of [`${folder}/api`, `${folder}/src/api`]) {
    if (tree.holdsFiles(api)) return [`${escapeGlob(api)}/**`];
  }

  const entries = [...packageEntries(tree, folder), ...indexFiles(folder)];
  const entry = entries.find((file) => tree.files.has(file));
  return entry ? [escapeGlob(entry)] : [];
}

function indexFiles(folder: string): string[] {
  return ['', '/src'].flatMap((under) =>
    SOURCE_EXTENSIONS.map((extension) => `${folder}${under}/index${extension}`),
  );
}

/**
 * The source files a package.json points at (exports ".", module, main, types), relative to the
 * root. An entry in dist/, build/, lib/ or out/ is compiled, so its source under src/ is tried too.
 */
function packageEntries(tree: Tree, folder: string): string[] {
  const manifest = readManifest(path.join(tree.root, folder, 'package.json'));
  if (manifest == null) return [];

  const { exports, module, main, types, typings } = manifest;
  return [...exportTargets(exports), module, main, types, typings]
    .filter((target): target is string => typeof target === 'string')
    .flatMap((target) => sourcesOf(path.posix.normalize(target).replace(/^\.\//, '')))
    .map((file) => `${folder}/${file}`);
}

interface Manifest {
  exports?: unknown;
  module?: unknown;
  main?: unknown;
  types?: unknown;
  typings?: unknown;
}

function readManifest(file: string): Manifest | null {
  try {
    const manifest: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return manifest != null && typeof manifest === 'object' ? (manifest as Manifest) : null;
  } catch {
    return null;
  }
}

/** The paths under the "." export: a string, conditions ({ import, require, … }), or nested ones. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports == null || typeof exports !== 'object') return [];

  const entries = Object.entries(exports as Record<string, unknown>);
  const main = entries.find(([key]) => key === '.');
  if (main) return exportTargets(main[1]);
  if (entries.some(([key]) => key.startsWith('.'))) return [];
  return entries.flatMap(([, value]) => exportTargets(value));
}

/** A package entry and the source files it may be compiled from. */
function sourcesOf(entry: string): string[] {
  const stem = entry.replace(/\.d\.[mc]?ts$|\.[mc]?[jt]sx?$/, '');
  const inSource = stem.replace(/^(?:dist|build|lib|out)\//, 'src/');
  const stems = [...new Set([stem, inSource])];
  return [entry, ...stems.flatMap((s) => SOURCE_EXTENSIONS.map((extension) => s + extension))];
}

/**
 * A path as a glob that matches it literally. With its brackets escaped, picomatch reads no
 * extglob in @(…), +(…) or !(…) either; a path here never starts with !.
 */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]{}()\\]/g, '\\$&');
}
