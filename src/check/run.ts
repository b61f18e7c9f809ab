import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, UserError } from '../errors.js';
import { displayPath } from '../config/read.js';
import { applyAllowRules } from './allow.js';
import { summarize } from './summary.js';
import { applySuppressions } from './suppress.js';
import type { FileSuppressions, SuppressedFinding } from './suppress.js';
import { filesChangedSince, stagedFiles } from '../git/index.js';
import type { ChangedFile } from '../git/index.js';
import type { CheckSummary } from './summary.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import type { ContextMap } from '../config/types.js';
import { compileGlobs, discoverFiles } from '../extract/files.js';
import { ModuleResolver } from '../extract/resolve.js';
import { extractFile } from '../extract/typescript.js';
import { loadSqlFrontend } from '../sql/index.js';
import type { ParseResult, SqlFrontend } from '../sql/types.js';
import { RULES } from './findings.js';
import type { AllowedFinding, Finding } from './findings.js';
import type { ImportFact } from '../extract/facts.js';
import { ContextLayout } from './layout.js';
import { TableOwnership } from './ownership.js';
import { checkImports, checkSql, checkSyntax } from './rules.js';
import { checkBuilders, checkPrismaRelations } from './builder-rules.js';
import { ProjectIndex } from './project.js';
import type { FileFacts } from '../extract/facts.js';
import type { FileUnderCheck, ImportTarget } from './rules.js';

export interface CheckOptions {
  /** --config as given, or undefined to look for dbboundary.yaml in cwd. */
  config?: string;
  cwd: string;
  /**
   * Check only some files: those staged in git (their staged content), or those changed since a
   * commit. The whole context map and file list are still loaded, so ownership and imports are
   * judged as in a full run.
   */
  changes?: 'staged' | { since: string };
}

export type { CheckSummary };

export interface CheckResult {
  config: string;
  root: string;
  findings: Finding[];
  allowed: AllowedFinding[];
  /** The files this run read, relative to root: all of them, or the changed ones. */
  scannedFiles: string[];
  /** Findings silenced by a dbboundary-ignore-next-line comment, with its reason. */
  suppressed: SuppressedFinding[];
  /** Problems met along the way that are not findings (an unreadable tsconfig, say). */
  notices: string[];
  summary: CheckSummary;
}

/** Runs the whole check: config, files, extraction, rules, allow entries, summary. */
export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const started = performance.now();
  const configFile = findConfigFile(options.config, options.cwd);
  const changed = listChanges(path.dirname(configFile), options.changes);
  const configChange = changed?.find((entry) => entry.file === path.basename(configFile));
  const { map, problems } = loadConfig(configFile, configChange?.content);
  const { files, unreadable } = discoverFiles(map.root, map.include, map.exclude);
  const layout = new ContextLayout(map, files);

  problems.push(...layout.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  if (files.length === 0) {
    throw new UserError(
      `${displayPath(configFile)}: the include globs (${map.include.join(', ')}) match no file under ${map.root}; nothing was checked.`,
    );
  }

  const { selected, contents } = selectFiles(map, files, changed, configChange != null);
  const frontend = await loadSqlFrontend(map.dialect);
  const scan = scanFiles(map, selected, layout, frontend, contents);
  if (options.changes == null) {
    scan.findings.push(...checkPrismaRelations(scan.project, new TableOwnership(map), layout));
    scan.findings.push(
      ...unreadable.map((entry) => unreadableFolder(entry.path, entry.reason, layout)),
    );
  }
  scan.notices.push(...scan.project.notices);
  // Suppressions first: a comment above a finding that an allow entry also accepts is still used.
  const suppression = applySuppressions(scan.findings, scan.suppressions);
  const { kept, allowed } = applyAllowRules(
    [...suppression.kept, ...suppression.problems],
    map.allow,
  );
  kept.sort(byLocation);
  allowed.sort(byLocation);

  return {
    config: configFile,
    root: map.root,
    findings: kept,
    allowed,
    suppressed: suppression.suppressed,
    scannedFiles: selected,
    notices: scan.notices,
    summary: summarize(
      map,
      selected,
      layout,
      scan,
      kept,
      allowed,
      suppression.suppressed.length,
      performance.now() - started,
    ),
  };
}

function listChanges(root: string, changes: CheckOptions['changes']): ChangedFile[] | null {
  if (changes == null) return null;
  return changes === 'staged' ? stagedFiles(root) : filesChangedSince(root, changes.since);
}

/**
 * The files a run reads, and the staged content to read instead of the working tree. A changed
 * context map can change the verdict on any file, so then every file is read. A staged file is
 * read from the index even when the working tree no longer has it.
 */
function selectFiles(
  map: ContextMap,
  files: string[],
  changed: ChangedFile[] | null,
  configChanged: boolean,
): { selected: string[]; contents: Map<string, string> } {
  if (changed == null) return { selected: files, contents: new Map() };

  const included = compileGlobs(map.include);
  const excluded = compileGlobs(map.exclude);
  const scanned = new Set(files);
  const kept = changed.filter(
    (entry) =>
      scanned.has(entry.file) ||
      (entry.content != null && included(entry.file) && !excluded(entry.file)),
  );
  const contents = new Map(
    kept.flatMap((entry) => (entry.content == null ? [] : [[entry.file, entry.content] as const])),
  );
  const selected = configChanged
    ? [...new Set([...files, ...kept.map((entry) => entry.file)])].sort()
    : kept.map((entry) => entry.file);
  return { selected, contents };
}

interface Scan {
  findings: Finding[];
  project: ProjectIndex;
  notices: string[];
  suppressions: Map<string, FileSuppressions>;
  sqlStrings: number;
  statements: number;
  unparsedSql: number;
  imports: number;
}

interface ScanTools {
  map: ContextMap;
  layout: ContextLayout;
  ownership: TableOwnership;
  resolver: ModuleResolver;
  parse: (sql: string) => ParseResult;
  /** Content to read instead of the file on disk (the git index, for --staged). */
  contents: Map<string, string>;
  /** The project-level pass: what other files declare (constants, tables, entities, Prisma models). */
  project: ProjectIndex;
  /** Facts by absolute path: of the files checked, and of the files they import declarations from. */
  facts: Map<string, FileFacts | null>;
}

function scanFiles(
  map: ContextMap,
  files: string[],
  layout: ContextLayout,
  frontend: SqlFrontend,
  contents: Map<string, string>,
): Scan {
  const resolver = new ModuleResolver(map.root);
  const facts = new Map<string, FileFacts | null>();
  const project = new ProjectIndex(map.root, map.dialect, resolver, (file) =>
    declarationsOf(file, map, contents, facts),
  );
  const tools: ScanTools = {
    map,
    layout,
    ownership: new TableOwnership(map),
    resolver,
    parse: memoize((sql: string) => frontend.parse(sql)),
    contents,
    project,
    facts,
  };
  const scan: Scan = {
    findings: [],
    project,
    notices: [],
    suppressions: new Map(),
    sqlStrings: 0,
    statements: 0,
    unparsedSql: 0,
    imports: 0,
  };

  for (const file of files) {
    try {
      scanFile(file, tools, scan);
    } catch (error) {
      if (!isFileLevelFailure(error)) throw error;
      scan.findings.push(unanalysedFile(file, layout.contextOf(file), error));
    }
  }

  scan.notices.push(...tools.resolver.warnings);
  return scan;
}

function scanFile(file: string, tools: ScanTools, scan: Scan): void {
  const absolute = path.join(tools.map.root, file);
  const staged = tools.contents.get(file);
  const { text, notUtf8 } =
    staged == null ? readSource(absolute) : { text: staged, notUtf8: false };
  // A file another file's check has read for its declarations was extracted from this same text.
  const extracted = tools.facts.get(absolute) ?? extractFile(absolute, text, tools.map.dialect);
  tools.facts.set(absolute, extracted);
  const sql = tools.project.resolveSqlHoles(absolute, extracted);
  const facts: FileFacts = { ...extracted, sql };
  if (facts.suppressions.length > 0) {
    scan.suppressions.set(file, {
      context: tools.layout.contextOf(file),
      comments: facts.suppressions,
    });
  }
  const unit: FileUnderCheck = {
    file,
    context: tools.layout.contextOf(file),
    facts,
    position: positionsOf(text),
    parse: tools.parse,
    ownership: tools.ownership,
    dialect: tools.map.dialect,
    dialectName: tools.map.dialect === 'mysql' ? 'MySQL' : 'PostgreSQL',
  };

  const checked = checkSql(unit);
  const targets = facts.imports.map((fact) => resolveImport(tools, absolute, fact));
  scan.findings.push(
    ...checkSyntax(unit, notUtf8),
    ...checked.findings,
    ...checkImports(unit, targets),
    ...checkBuilders({ unit, project: tools.project, absolute, sql }),
  );
  scan.sqlStrings += facts.sql.length;
  scan.statements += checked.statements;
  scan.unparsedSql += checked.unparsed;
  scan.imports += facts.imports.length;
}

/**
 * The facts of a file another file takes declarations from, extracted once. A file outside root,
 * or one that cannot be read, declares nothing the check can use.
 */
function declarationsOf(
  file: string,
  map: ContextMap,
  contents: Map<string, string>,
  cache: Map<string, FileFacts | null>,
): FileFacts | null {
  if (cache.has(file)) return cache.get(file)!;
  const relative = toRelative(map.root, file);
  let facts: FileFacts | null = null;
  if (relative != null) {
    try {
      const text = contents.get(relative) ?? readSource(file).text;
      facts = extractFile(file, text, map.dialect);
    } catch (error) {
      // The file is reported where it is checked itself; here it just declares nothing.
      if (!isFileLevelFailure(error)) throw error;
    }
  }
  cache.set(file, facts);
  return facts;
}

function resolveImport(tools: ScanTools, fromFile: string, fact: ImportFact): ImportTarget {
  const resolved = tools.resolver.resolve(fromFile, fact.specifier);
  const relative = resolved == null ? null : toRelative(tools.map.root, resolved);
  const context = relative == null ? null : tools.layout.contextOf(relative);
  return {
    ...fact,
    file: relative,
    context,
    isPublic: context != null && tools.layout.isPublic(context, relative!),
  };
}

/**
 * One file that cannot be read, or that nests so deeply the parser runs out of stack, is
 * reported and skipped; the rest of the tree is still checked. Any other error is a bug.
 */
function isFileLevelFailure(error: unknown): error is Error {
  if (error instanceof RangeError) return true;
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

function unreadableFolder(folder: string, reason: string, layout: ContextLayout): Finding {
  return {
    rule: 'unparsed-file',
    severity: RULES['unparsed-file'].severity,
    file: folder,
    line: 1,
    column: 1,
    context: layout.contextOf(`${folder}/x`),
    targets: [],
    tables: [],
    message: `not checked: this folder cannot be read (${reason}), so the files in it were not scanned.`,
  };
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

function readSource(file: string): { text: string; notUtf8: boolean } {
  const bytes = readFileSync(file);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), notUtf8: false };
  } catch {
    return { text: new TextDecoder('utf-8').decode(bytes), notUtf8: true };
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

function positionsOf(text: string): (offset: number) => { line: number; column: number } {
  let lineStarts: number[] | null = null;
  return (offset) => {
    lineStarts ??= computeLineStarts(text);
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

function memoize(parse: (sql: string) => ParseResult): (sql: string) => ParseResult {
  const cache = new Map<string, ParseResult>();
  return (sql) => {
    let result = cache.get(sql);
    if (!result) {
      result = parse(sql);
      if (sql.length < 100_000) cache.set(sql, result);
    }
    return result;
  };
}

function byLocation(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.rule.localeCompare(b.rule)
  );
}
