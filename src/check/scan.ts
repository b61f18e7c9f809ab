import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CachedFile, FactsCache } from '../cache/store.js';
import { hashBytes } from '../cache/store.js';
import type { ContextMap } from '../config/types.js';
import type { FileFacts, ImportFact } from '../extract/facts.js';
import { compilerCodeCache } from '../extract/compiler-cache.js';
import { MIN_FILES_FOR_WORKERS, extractInWorkers } from '../extract/pool.js';
import type { ModuleResolver } from '../extract/resolve.js';
import { extractSqlFile, isSqlFile } from '../extract/sql-file.js';
import type { ExtractAnswer } from '../extract/worker.js';
import { loadSqlFrontend, textFingerprint } from '../sql/index.js';
import type { Dialect, ParseResult, SqlFrontend } from '../sql/types.js';
import type { Finding } from './findings.js';
import { RULES } from './findings.js';
import type { ContextLayout } from './layout.js';
import { TableOwnership } from './ownership.js';
import { ToolsNeeded, checkImports, checkSql, checkSyntax } from './rules.js';
import type { FileUnderCheck, ImportTarget } from './rules.js';
import type { FileSuppressions } from './suppress.js';
import { checkBuilders } from './builder-rules.js';
import { ProjectIndex } from './project.js';

/**
 * Reads the files of a run and judges each: extraction, import resolution and the SQL parser,
 * or their stored answers for a file whose content the cache knows. The TypeScript compiler and
 * the SQL parser are loaded only when some file needs them.
 */

export interface Scan {
  findings: Finding[];
  /** The project-level pass: declarations other files make (constants, entities, Prisma models). */
  project: ProjectIndex;
  /** Config files module resolution read (tsconfig and what it extends), for the cache's key. */
  resolutionInputs: string[];
  notices: string[];
  suppressions: Map<string, FileSuppressions>;
  sqlStrings: number;
  /** How many of sqlStrings are statements of .sql files. */
  sqlFileStatements: number;
  statements: number;
  unparsedSql: number;
  imports: number;
}

interface Source {
  file: string;
  absolute: string;
  /** The bytes on disk, or the staged text. */
  content: Buffer | string;
  hash: string;
  cached: CachedFile | undefined;
  /** Facts found by a worker thread (see extract/pool.ts). */
  extracted?: ExtractAnswer;
}

interface Tools {
  map: ContextMap;
  layout: ContextLayout;
  ownership: TableOwnership;
  cache: FactsCache | null;
  resolutionKey: string;
  extract: Extract | null;
  resolver: ModuleResolver | null;
  parser: Parser | null;
  places: Map<string, { context: string | null; isPublic: boolean }>;
  project: ProjectIndex;
  /** Facts by absolute path, of files judged and of files read for their declarations. */
  facts: Map<string, FileFacts | null>;
  /** Full facts of files extracted for their declarations before their own turn. */
  extractedEarly: Map<string, FileFacts>;
  /** Each file's imports and where they lead (relative to root), by absolute path. */
  knownTargets: Map<string, { imports: ImportFact[]; targets: (string | null)[] }>;
  contents: Map<string, string>;
}

type Extract = (fileName: string, text: string, dialect: Dialect) => FileFacts;

interface Parser {
  parse: (sql: string) => ParseResult;
  fingerprint: (sql: string) => string;
}

/** One file's verdict and what it adds to the counts, kept apart until the file is done. */
interface Judged {
  file: string;
  findings: Finding[];
  notices: string[];
  suppressions: FileSuppressions | null;
  sqlStrings: number;
  statements: number;
  unparsedSql: number;
  imports: number;
}

export async function scanFiles(
  map: ContextMap,
  files: string[],
  layout: ContextLayout,
  contents: Map<string, string>,
  cache: { store: FactsCache; resolutionKey: string } | null,
  jobs: number,
): Promise<Scan> {
  // The project pass reaches other files through the run's tools, which exist by the time it asks.
  const project = new ProjectIndex(
    map.root,
    map.dialect,
    { resolve: (from, specifier) => resolveForProject(tools, from, specifier) },
    (file) => declarationsOf(tools, file),
  );
  const scan: Scan = {
    findings: [],
    project,
    resolutionInputs: [],
    notices: [],
    suppressions: new Map(),
    sqlStrings: 0,
    sqlFileStatements: 0,
    statements: 0,
    unparsedSql: 0,
    imports: 0,
  };
  const tools: Tools = {
    map,
    layout,
    ownership: new TableOwnership(map),
    cache: cache?.store ?? null,
    resolutionKey: cache?.resolutionKey ?? '',
    extract: null,
    resolver: null,
    parser: null,
    places: new Map(),
    project,
    facts: new Map(),
    extractedEarly: new Map(),
    knownTargets: new Map(),
    contents,
  };
  const read = (file: string): Source | null => readSource(file, tools, contents, scan);
  // Threads need the files up front; alone, each file is read, judged and let go in turn.
  const sources = jobs > 1 ? await extractInParallel(files.map(read), map.dialect, jobs) : null;

  const notices = new Set<string>();
  const again: Source[] = [];
  for (const [index, file] of files.entries()) {
    const source = sources ? sources[index]! : read(file);
    if (source == null) continue;
    if (needsTools(source, tools)) await loadTools(source, tools);
    const judged = judgeSafely(source, tools, again);
    if (judged) add(scan, notices, judged);
  }
  if (again.length > 0) {
    await loadTools(null, tools);
    for (const source of again) {
      const judged = judgeSafely(source, tools, null);
      if (judged) add(scan, notices, judged);
    }
  }

  scan.notices.push(...notices);
  scan.resolutionInputs = [...(tools.resolver?.configFilesRead ?? [])];
  return scan;
}

function readSource(
  file: string,
  tools: Tools,
  contents: Map<string, string>,
  scan: Scan,
): Source | null {
  const absolute = path.join(tools.map.root, file);
  try {
    const content = contents.get(file) ?? readContent(absolute);
    const hash = tools.cache ? hashBytes(content) : '';
    return { file, absolute, content, hash, cached: tools.cache?.get(file, hash) };
  } catch (error) {
    if (!isFileLevelFailure(error)) throw error;
    scan.findings.push(unanalysedFile(file, tools.layout.contextOf(file), error));
    return null;
  }
}

/** With enough files new to the cache, their facts are found by worker threads. */
async function extractInParallel(
  sources: (Source | null)[],
  dialect: Dialect,
  jobs: number,
): Promise<(Source | null)[]> {
  const missing = sources.filter(
    (source): source is Source =>
      source != null && source.cached == null && !isSqlFile(source.file),
  );
  if (missing.length < MIN_FILES_FOR_WORKERS) return sources;

  const files = missing.map((source) => ({
    absolute: source.absolute,
    text: decode(source.content).text,
  }));
  const answers = await extractInWorkers(files, dialect, jobs);
  missing.forEach((source, index) => (source.extracted = answers[index]));
  return sources;
}

/**
 * The TypeScript compiler and the SQL parser are loaded at the first file the cache does not
 * know, the resolver at the first file whose imports must be resolved again.
 */
function needsTools(source: Source, tools: Tools): boolean {
  if (source.cached == null) {
    return tools.extract == null || tools.parser == null || tools.resolver == null;
  }
  return source.cached.resolution !== tools.resolutionKey && tools.resolver == null;
}

/** Loads what a file needs; with no file, everything (to judge files again, see ToolsNeeded). */
async function loadTools(source: Source | null, tools: Tools): Promise<void> {
  if (tools.cache) compilerCodeCache.dir = tools.cache.dir;
  // The SQL parser's WASM is read and compiled off this thread while the compiler loads on it.
  const parser = source?.cached == null && tools.parser == null ? loadParser(tools.map) : null;
  parser?.catch(() => undefined);
  if (source?.cached == null && tools.extract == null) {
    tools.extract = (await import('../extract/typescript.js')).extractFile;
  }
  if (parser) tools.parser = await parser;
  if (tools.resolver == null) {
    const { ModuleResolver } = await import('../extract/resolve.js');
    tools.resolver = new ModuleResolver(tools.map.root);
  }
}

async function loadParser(map: ContextMap): Promise<Parser> {
  const frontend: SqlFrontend = await loadSqlFrontend(map.dialect);
  // Code repeats statements: each text is parsed and fingerprinted once per run.
  const parses = new Map<string, ParseResult>();
  const fingerprints = new Map<string, string>();
  return {
    parse: (sql) => {
      let result = parses.get(sql);
      if (!result) {
        result = frontend.parse(sql);
        if (sql.length < 100_000) parses.set(sql, result);
      }
      return result;
    },
    fingerprint: (sql) => {
      let result = fingerprints.get(sql);
      if (result == null) {
        result = frontend.fingerprint(sql) ?? textFingerprint(sql);
        if (sql.length < 100_000) fingerprints.set(sql, result);
      }
      return result;
    },
  };
}

/**
 * One file that cannot be read, or that nests so deeply the parser runs out of stack, is
 * reported and skipped; the rest of the tree is still checked. Any other error is a bug. A
 * cached file whose replay needs the parser is put aside to be judged again.
 */
function judgeSafely(source: Source, tools: Tools, again: Source[] | null): Judged | null {
  try {
    return judge(source, tools, again != null);
  } catch (error) {
    if (error instanceof ToolsNeeded && again) {
      again.push(source);
      return null;
    }
    if (!isFileLevelFailure(error)) throw error;
    return {
      ...emptyJudgement(source.file),
      findings: [unanalysedFile(source.file, tools.layout.contextOf(source.file), error)],
    };
  }
}

/** With replay set, a cached file is judged from stored answers alone (see recorder). */
function judge(source: Source, tools: Tools, replay: boolean): Judged {
  const { file, cached, absolute } = source;
  const context = tools.layout.contextOf(file);
  const decoded = cached ? null : decode(source.content);
  const extractedFacts =
    cached?.facts ?? takeEarly(tools, absolute) ?? extracted(source, decoded!.text, tools);
  tools.facts.set(absolute, declarationsIn(extractedFacts));
  const notUtf8 = cached?.notUtf8 ?? decoded!.notUtf8;
  const answers = recorder(cached, replay, tools.parser);
  const resolved = resolveImports(source, extractedFacts, tools);
  learnTargets(tools, absolute, extractedFacts, resolved.files);

  // Holes that other files' constants fill are filled now, from those files as they are today.
  const sql = tools.project.resolveSqlHoles(absolute, extractedFacts);
  const facts: FileFacts = { ...extractedFacts, sql };
  const unit: FileUnderCheck = {
    file,
    context,
    facts,
    position: positionsOf(() => decoded?.text ?? decode(source.content).text),
    parse: answers.parse,
    fingerprint: answers.fingerprint,
    ownership: tools.ownership,
    dialect: tools.map.dialect,
    dialectName: tools.map.dialect === 'mysql' ? 'MySQL' : 'PostgreSQL',
  };
  const checked = checkSql(unit);
  const targets = facts.imports.map((fact, index) => targetOf(tools, fact, resolved.files[index]));
  const findings = [
    ...checkSyntax(unit, notUtf8),
    ...checked.findings,
    ...checkImports(unit, targets),
    ...checkBuilders({ unit, project: tools.project, absolute, sql }),
  ];

  const unchanged = cached != null && !answers.added() && cached.resolution === tools.resolutionKey;
  tools.cache?.put(
    file,
    unchanged
      ? cached
      : {
          hash: source.hash,
          notUtf8,
          facts: extractedFacts,
          parses: answers.parses(),
          fingerprints: answers.fingerprints(),
          resolution: tools.resolutionKey,
          targets: resolved.files,
          notices: resolved.notices,
        },
  );
  return {
    file,
    findings,
    notices: resolved.notices,
    suppressions: facts.suppressions.length > 0 ? { context, comments: facts.suppressions } : null,
    sqlStrings: facts.sql.length,
    statements: checked.statements,
    unparsedSql: checked.unparsed,
    imports: facts.imports.length,
  };
}

/** A file's import targets, for the project pass to follow without the resolver. */
function learnTargets(
  tools: Tools,
  absolute: string,
  facts: FileFacts,
  targets: (string | null)[],
): void {
  tools.knownTargets.set(absolute, { imports: facts.imports, targets });
}

/** A target learnt from a file's stored targets: absolute, null, or undefined when not known. */
function knownTarget(tools: Tools, from: string, specifier: string): string | null | undefined {
  const known = tools.knownTargets.get(from);
  const index = known?.imports.findIndex((fact) => fact.specifier === specifier) ?? -1;
  if (index < 0) return undefined;
  const target = known!.targets[index];
  return target == null ? null : path.join(tools.map.root, target);
}

/**
 * Where an import the project pass follows leads: known from a file this run has judged or read,
 * else asked of the resolver, which a run that had everything cached has not loaded: the file is
 * then judged again with every tool loaded.
 */
function resolveForProject(tools: Tools, from: string, specifier: string): string | null {
  const known = knownTarget(tools, from, specifier);
  if (known !== undefined) return known;
  if (!tools.resolver) throw new ToolsNeeded();
  return tools.resolver.resolve(from, specifier).file;
}

/**
 * The facts of a file another file takes declarations from: from this run, from the cache when
 * its content is unchanged, or extracted. A file outside root, or one that cannot be read,
 * declares nothing the check can use.
 */
function declarationsOf(tools: Tools, absolute: string): FileFacts | null {
  const known = tools.facts.get(absolute);
  if (known !== undefined) return known;

  const relative = toRelative(tools.map.root, absolute);
  let facts: FileFacts | null = null;
  if (relative != null) {
    try {
      const content = tools.contents.get(relative) ?? readContent(absolute);
      const hash = tools.cache ? hashBytes(content) : '';
      const cached = tools.cache?.get(relative, hash);
      if (cached && cached.resolution === tools.resolutionKey) {
        learnTargets(tools, absolute, cached.facts, cached.targets);
      }
      if (!cached && !tools.extract) throw new ToolsNeeded();
      facts =
        cached?.facts ??
        extracted(sourceOf(relative, absolute, content), decode(content).text, tools);
      // Extracted ahead of its turn: kept whole until the file itself is judged.
      if (!cached) tools.extractedEarly.set(absolute, facts);
    } catch (error) {
      // The file is reported where it is checked itself; here it just declares nothing.
      if (!isFileLevelFailure(error)) throw error;
    }
  }
  const declarations = facts && declarationsIn(facts);
  tools.facts.set(absolute, declarations);
  return declarations;
}

/**
 * What other files may take from a file's facts: its exports, re-exports and the CTE names its
 * builders define. A run keeps only these for every file, not its SQL.
 */
function declarationsIn(facts: FileFacts): FileFacts {
  if (!facts.exports && !facts.reexports && !facts.builders?.ctes) return NO_DECLARATIONS;
  return {
    imports: [],
    sql: [],
    syntaxErrors: [],
    suppressions: [],
    ...(facts.exports ? { exports: facts.exports } : {}),
    ...(facts.reexports ? { reexports: facts.reexports } : {}),
    ...(facts.builders?.ctes
      ? { builders: { statements: [], transactions: [], relations: [], ctes: facts.builders.ctes } }
      : {}),
  };
}

/** What most files declare for others: nothing. One frozen object, shared. */
const NO_DECLARATIONS: FileFacts = Object.freeze({
  imports: Object.freeze([]) as unknown as FileFacts['imports'],
  sql: Object.freeze([]) as unknown as FileFacts['sql'],
  syntaxErrors: Object.freeze([]) as unknown as FileFacts['syntaxErrors'],
  suppressions: Object.freeze([]) as unknown as FileFacts['suppressions'],
});

function takeEarly(tools: Tools, absolute: string): FileFacts | undefined {
  const facts = tools.extractedEarly.get(absolute);
  tools.extractedEarly.delete(absolute);
  return facts;
}

function sourceOf(file: string, absolute: string, content: Buffer | string): Source {
  return { file, absolute, content, hash: '', cached: undefined };
}

function extracted(source: Source, text: string, tools: Tools): FileFacts {
  if (isSqlFile(source.file)) return extractSqlFile(text, tools.map.dialect);
  const answer = source.extracted;
  if (answer == null) return tools.extract!(source.absolute, text, tools.map.dialect);
  if ('tooDeep' in answer) throw new RangeError(answer.tooDeep);
  return answer.facts;
}

/**
 * The parser's answers for one file: replayed from the cache entry, or asked of the parser and
 * written down for the next run. A replay that meets a question it has no answer for throws
 * ToolsNeeded (a changed context map can make the rules ask for a new fingerprint).
 */
function recorder(cached: CachedFile | undefined, replay: boolean, parser: Parser | null) {
  const parses = new Map(cached?.parses);
  const fingerprints = new Map(cached?.fingerprints);
  const replaying = cached != null && replay;
  let added = false;
  const answer =
    <T>(known: Map<string, T>, ask: (parser: Parser, sql: string) => T) =>
    (sql: string): T => {
      const stored = known.get(sql);
      if (stored !== undefined) return stored;
      if (replaying || !parser) throw new ToolsNeeded();
      const result = ask(parser, sql);
      known.set(sql, result);
      added = true;
      return result;
    };
  return {
    parse: answer(parses, (p, sql) => p.parse(sql)),
    fingerprint: answer(fingerprints, (p, sql) => p.fingerprint(sql)),
    /** Whether the parser was asked something the cache entry did not hold. */
    added: () => added,
    parses: () => [...parses],
    fingerprints: () => [...fingerprints],
  };
}

function resolveImports(
  source: Source,
  facts: FileFacts,
  tools: Tools,
): { files: (string | null)[]; notices: string[] } {
  const cached = source.cached;
  if (cached && cached.resolution === tools.resolutionKey) {
    return { files: cached.targets, notices: cached.notices };
  }

  const notices = new Set<string>();
  const files = facts.imports.map((fact) => {
    const resolved = tools.resolver!.resolve(source.absolute, fact.specifier);
    for (const notice of resolved.notices) notices.add(notice);
    return resolved.file == null ? null : toRelative(tools.map.root, resolved.file);
  });
  return { files, notices: [...notices] };
}

function targetOf(tools: Tools, fact: ImportFact, file: string | null | undefined): ImportTarget {
  const { specifier, kind, offset } = fact;
  if (file == null) return { specifier, kind, offset, file: null, context: null, isPublic: false };

  // Many files import the same few: each imported file's place is worked out once.
  let place = tools.places.get(file);
  if (!place) {
    const context = tools.layout.contextOf(file);
    place = { context, isPublic: context != null && tools.layout.isPublic(context, file) };
    tools.places.set(file, place);
  }
  return { specifier, kind, offset, file, context: place.context, isPublic: place.isPublic };
}

function add(scan: Scan, notices: Set<string>, judged: Judged): void {
  scan.findings.push(...judged.findings);
  for (const notice of judged.notices) notices.add(notice);
  if (judged.suppressions) scan.suppressions.set(judged.file, judged.suppressions);
  scan.sqlStrings += judged.sqlStrings;
  if (isSqlFile(judged.file)) scan.sqlFileStatements += judged.sqlStrings;
  scan.statements += judged.statements;
  scan.unparsedSql += judged.unparsedSql;
  scan.imports += judged.imports;
}

function emptyJudgement(file: string): Judged {
  return {
    file,
    findings: [],
    notices: [],
    suppressions: null,
    sqlStrings: 0,
    statements: 0,
    unparsedSql: 0,
    imports: 0,
  };
}

export function isFileLevelFailure(error: unknown): error is Error {
  if (error instanceof RangeError) return true;
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

function unanalysedFile(file: string, context: string | null, error: Error): Finding {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    error instanceof RangeError
      ? 'its code nests too deeply to analyse (out of stack)'
      : `it cannot be read (${code}: ${error.message.replace(/^[A-Z]+: /, '').split(',')[0]})`;
  return {
    rule: 'unparsed-file',
    severity: RULES['unparsed-file'].severity,
    file,
    line: 1,
    column: 1,
    context,
    targets: [],
    tables: [],
    message: `not checked: ${reason}.`,
  };
}

/**
 * A file's content, read as text in one call: the bytes only when the text holds U+FFFD (the
 * file may not be UTF-8, which decode() tells) or starts with a byte order mark (which decode()
 * drops). Other text is exactly its bytes, so it decodes and hashes as they do.
 */
function readContent(absolute: string): Buffer | string {
  const text = readFileSync(absolute, 'utf8');
  return text.includes('\uFFFD') || text.charCodeAt(0) === 0xfeff ? readFileSync(absolute) : text;
}

function decode(content: Buffer | string): { text: string; notUtf8: boolean } {
  if (typeof content === 'string') return { text: content, notUtf8: false };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(content), notUtf8: false };
  } catch {
    return { text: new TextDecoder('utf-8').decode(content), notUtf8: true };
  }
}

/** A path under root as root-relative with `/`; null when the file lies outside root. */
function toRelative(root: string, file: string): string | null {
  // The common case, a resolved file under root, without path.relative's normalising.
  const prefix = root.endsWith(path.sep) ? root : `${root}${path.sep}`;
  if (file.startsWith(prefix) && !file.includes(`${path.sep}..`)) {
    return path.sep === '/'
      ? file.slice(prefix.length)
      : file.slice(prefix.length).split(path.sep).join('/');
  }
  const relative = path.relative(root, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return relative.split(path.sep).join('/');
}

/** Line and column of an offset; the text is decoded and its lines counted only when asked. */
function positionsOf(text: () => string): (offset: number) => { line: number; column: number } {
  let lineStarts: number[] | null = null;
  return (offset) => {
    lineStarts ??= computeLineStarts(text());
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low]! + 1 };
  };
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}
