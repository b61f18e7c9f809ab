import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import type { FileFacts } from '../extract/facts.js';
import type { ParseResult } from '../sql/types.js';

/**
 * The per-file cache of check: what extraction found in a file, what the SQL parser answered for
 * its statements and where its imports led, keyed by the hash of the file's content. A warm run
 * reads files and hashes them, and loads neither the TypeScript compiler nor the SQL parser
 * unless some file changed.
 *
 * One JSON file per context map. It is thrown away whole when dbboundary's own code or the
 * dialect changes, and a file's import targets are used only while the inputs of module
 * resolution (the list of source files, tsconfig and package.json files, the package manager's
 * install record) are as they were when they were found.
 */

const FORMAT = 2;

export interface CachedFile {
  /** Hash of the file's bytes (or of the staged text). */
  hash: string;
  notUtf8: boolean;
  facts: FileFacts;
  /** Each SQL text the rules gave the parser for this file, with its answer. */
  parses: [string, ParseResult][];
  /** Each statement the rules took a fingerprint of, with the fingerprint. */
  fingerprints: [string, string][];
  /** The resolution key (cache/keys.ts) the import targets were found under. */
  resolution: string;
  /** Per import of facts.imports, the file it led to (relative to the root), or null. */
  targets: (string | null)[];
  /** Notices that resolving this file's imports gave (a tsconfig that cannot be read, say). */
  notices: string[];
}

/** The first line of a cache file: what made it. */
interface CacheHeader {
  format: number;
  code: string;
  dialect: string;
}

/** The second line: files outside the source list that module resolution read (see keys.ts). */
interface ResolutionInputs {
  resolutionInputs: string[];
}

/** A stored line, parsed only when its file is asked for. */
interface StoredLine {
  hash: string;
  line: string;
  entry?: CachedFile;
}

export interface CacheOptions {
  /** The folder for cache files; by default node_modules/.cache/dbboundary, or a temp folder. */
  dir?: string;
}

/**
 * The file is JSON lines: a header, then one line per file, `"path"<TAB>hash<TAB>{entry}`, so a
 * run reads only the entries of the files it checks and writes unchanged ones back as they were.
 */
export class FactsCache {
  private readonly previous: Map<string, StoredLine>;
  private readonly next = new Map<string, string>();
  private changed = false;
  /** Config files module resolution read, from the last run and this one. */
  private readonly inputs = new Set<string>();

  private constructor(
    /** The cache file. */
    readonly file: string,
    private readonly header: CacheHeader,
  ) {
    const stored = readCacheFile(file, header);
    this.previous = stored?.lines ?? new Map();
    for (const input of stored?.inputs ?? []) this.inputs.add(input);
    if (stored == null) this.changed = true;
  }

  /** Config files (tsconfig `extends` targets, say) that resolution read when targets were found. */
  get resolutionInputs(): string[] {
    return [...this.inputs].sort();
  }

  /** Adds config files this run's resolution read, so the next run's key watches them too. */
  addResolutionInputs(files: Iterable<string>): void {
    for (const file of files) {
      if (this.inputs.has(file)) continue;
      this.inputs.add(file);
      this.changed = true;
    }
  }

  /**
   * The cache of a context map, or the reason it cannot be used: its folder must be one only
   * this user can write, since what it holds decides what the check reports.
   */
  static open(
    configFile: string,
    root: string,
    key: { code: string; dialect: string },
    options: CacheOptions,
  ): FactsCache | { problem: string } {
    const dir = options.dir ?? defaultCacheDir(root);
    const problem = ensurePrivateFolder(dir);
    if (problem) return { problem };
    const name = `check-${hashText(configFile).slice(0, 16)}.jsonl`;
    return new FactsCache(path.join(dir, name), { format: FORMAT, ...key });
  }

  /** The folder of the cache file, where other caches of the run may go too. */
  get dir(): string {
    return path.dirname(this.file);
  }

  /** The entry for a file whose content hashes to hash, if the last run stored one. */
  get(file: string, hash: string): CachedFile | undefined {
    const stored = this.previous.get(file);
    if (stored?.hash !== hash) return undefined;
    try {
      const json = stored.line.indexOf('\t', stored.line.indexOf('\t') + 1) + 1;
      const entry = (stored.entry ??= JSON.parse(stored.line.slice(json)) as CachedFile);
      return isWellFormed(entry, hash) ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  /** Keeps an entry for the next run; giving back the entry get() returned changes nothing. */
  put(file: string, entry: CachedFile): void {
    const stored = this.previous.get(file);
    if (stored?.entry === entry) {
      this.next.set(file, stored.line);
      return;
    }
    this.changed = true;
    this.next.set(file, `${JSON.stringify(file)}\t${entry.hash}\t${entryJson(entry)}`);
  }

  /**
   * Writes the entries put in this run; entries of files this run did not read are kept from the
   * last run when keepOthers is set (a run over changed files only). Returns a problem to report
   * when the cache cannot be written, or null.
   */
  save(keepOthers: boolean, rekey?: { from: string; to: string }): string | null {
    const lines = new Map(this.next);
    if (keepOthers) {
      for (const [file, stored] of this.previous) {
        if (!lines.has(file)) lines.set(file, stored.line);
      }
    }
    const dropped = [...this.previous.keys()].some((file) => !lines.has(file));
    if (!this.changed && !dropped) return null;
    if (rekey && rekey.from !== rekey.to) {
      for (const [file, line] of lines) lines.set(file, restamped(line, rekey.from, rekey.to));
    }

    const inputs: ResolutionInputs = { resolutionInputs: this.resolutionInputs };
    const text = [JSON.stringify(this.header), JSON.stringify(inputs), ...lines.values()].join(
      '\n',
    );
    return writeAtomically(this.file, `${text}\n`);
  }
}

/**
 * A line whose import targets were found under one resolution key, marked with another: used
 * when a run learns of config files resolution reads (what a tsconfig extends), so the key that
 * watches them from now on still takes the targets this run found under the same files.
 */
function restamped(line: string, from: string, to: string): string {
  const json = line.indexOf('\t', line.indexOf('\t') + 1) + 1;
  if (line.startsWith(RESOLUTION_FIRST, json)) {
    const stamp = `${RESOLUTION_FIRST}${JSON.stringify(from)},`;
    if (!line.startsWith(stamp, json)) return line;
    return `${line.slice(0, json)}${RESOLUTION_FIRST}${JSON.stringify(to)},${line.slice(json + stamp.length)}`;
  }
  try {
    const entry = JSON.parse(line.slice(json)) as CachedFile;
    if (entry.resolution !== from) return line;
    return `${line.slice(0, json)}${JSON.stringify({ ...entry, resolution: to })}`;
  } catch {
    return line;
  }
}

/**
 * How an entry's JSON starts: with its resolution key, which restamped() then replaces without
 * parsing the entry (a run that learns a config file restamps every line).
 */
const RESOLUTION_FIRST = '{"resolution":';

function entryJson(entry: CachedFile): string {
  const { resolution, ...rest } = entry;
  return JSON.stringify({ resolution, ...rest });
}

export function hashBytes(bytes: Uint8Array | string): string {
  return createHash('sha1').update(bytes).digest('base64');
}

function hashText(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** A cache that is missing, unreadable or made by other code is an empty one; the run rebuilds it. */
function readCacheFile(
  file: string,
  header: CacheHeader,
): { lines: Map<string, StoredLine>; inputs: string[] } | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  if (lines[0] !== JSON.stringify(header)) return null;

  const stored = new Map<string, StoredLine>();
  for (const line of lines.slice(2)) {
    const [name, hash] = line.split('\t', 2);
    if (name == null || hash == null) continue;
    try {
      stored.set(JSON.parse(name) as string, { hash, line });
    } catch {
      // A damaged line is a file the run reads again.
    }
  }
  return { lines: stored, inputs: readInputs(lines[1]) };
}

function readInputs(line: string | undefined): string[] {
  try {
    const parsed = JSON.parse(line ?? '') as Partial<ResolutionInputs> | null;
    const inputs = parsed?.resolutionInputs;
    return Array.isArray(inputs) ? inputs.filter((item) => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/** An entry of the shape this code writes; anything else is a file to read again. */
function isWellFormed(entry: CachedFile, hash: string): boolean {
  const facts = entry?.facts as Partial<FileFacts> | null | undefined;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    entry.hash === hash &&
    typeof entry.notUtf8 === 'boolean' &&
    typeof entry.resolution === 'string' &&
    typeof facts === 'object' &&
    facts !== null &&
    Array.isArray(facts.imports) &&
    Array.isArray(facts.sql) &&
    Array.isArray(facts.syntaxErrors) &&
    Array.isArray(facts.suppressions) &&
    Array.isArray(entry.parses) &&
    Array.isArray(entry.fingerprints) &&
    Array.isArray(entry.targets) &&
    entry.targets.length === facts.imports.length &&
    Array.isArray(entry.notices)
  );
}

/**
 * Makes the cache folder if need be (only the user may enter it) and refuses one that is not a
 * plain folder of this user's, or that others may write: a cache someone else can write could
 * make the check pass.
 */
function ensurePrivateFolder(dir: string): string | null {
  const problem = makeFolders(dir);
  if (problem) return `the cache folder ${dir} cannot be made (${problem}); no cache was used.`;

  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  const own = uid == null || stat.uid === uid;
  if (!stat.isDirectory() || !own || (stat.mode & 0o022) !== 0) {
    return `the cache folder ${dir} is not a folder only you can write (owner ${stat.uid}, mode ${(stat.mode & 0o777).toString(8)}); no cache was used. Give --cache-dir a folder of your own, or --no-cache.`;
  }
  return null;
}

/**
 * mkdir -p, one level at a time: the last level private to the user. Node's recursive mkdir
 * can spin on paths such as /proc/sys/x; this stops at the first level that fails.
 */
function makeFolders(dir: string): string | null {
  const absolute = path.resolve(dir);
  const missing: string[] = [];
  for (let at = absolute; !existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, { mode: 0o700 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') return code ?? String(error);
    }
  }
  return null;
}

function writeAtomically(file: string, text: string): string | null {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text, { mode: 0o600 });
    renameSync(temporary, file);
    return null;
  } catch (error) {
    try {
      if (existsSync(temporary)) unlinkSync(temporary);
    } catch {
      // Nothing more to tidy.
    }
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return `the cache could not be written to ${file} (${code}); the next run will read every file again. Give --cache-dir a writable folder, or --no-cache.`;
  }
}

/**
 * node_modules/.cache/dbboundary beside the context map when the project has installed
 * packages there, as other tools keep their caches; otherwise a folder of the user's in the
 * system's temporary folder.
 */
function defaultCacheDir(root: string): string {
  const modules = path.join(root, 'node_modules');
  if (existsSync(modules)) return path.join(modules, '.cache', 'dbboundary');
  return path.join(tmpdir(), `dbboundary-cache-${safeUserName()}`);
}

function safeUserName(): string {
  try {
    return userInfo().username.replace(/[^A-Za-z0-9_.-]/g, '_') || 'user';
  } catch {
    return String(process.getuid?.() ?? 'user');
  }
}
