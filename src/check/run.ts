import path from 'node:path';
import { codeVersion, resolutionKey } from '../cache/keys.js';
import { FactsCache } from '../cache/store.js';
import type { CacheOptions } from '../cache/store.js';
import { ConfigError, UserError } from '../errors.js';
import { displayPath } from '../config/read.js';
import { applyAllowRules } from './allow.js';
import { summarize } from './summary.js';
import { applySuppressions } from './suppress.js';
import type { SuppressedFinding } from './suppress.js';
import { scanFiles } from './scan.js';
import { checkPrismaRelations } from './builder-rules.js';
import { TableOwnership } from './ownership.js';
import { filesChangedSince, stagedFiles } from '../git/index.js';
import type { ChangedFile } from '../git/index.js';
import type { CheckSummary } from './summary.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import type { ContextMap } from '../config/types.js';
import { compileGlobs, discoverFiles } from '../extract/files.js';
import { RULES } from './findings.js';
import type { AllowedFinding, Finding } from './findings.js';
import { ContextLayout } from './layout.js';

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
  /** Keep per-file results between runs (cache/store.ts); no cache when not given. */
  cache?: CacheOptions;
  /** Worker threads for parsing files (extract/pool.ts); 1, the default, parses on this thread. */
  jobs?: number;
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
  const { files, unreadable, configFiles } = discoverFiles(map.root, map.include, map.exclude);
  const layout = new ContextLayout(map, files);

  problems.push(...layout.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  if (files.length === 0) {
    throw new UserError(
      `${displayPath(configFile)}: the include globs (${map.include.join(', ')}) match no file under ${map.root}; nothing was checked.`,
    );
  }

  const { selected, contents } = selectFiles(map, files, changed, configChange != null);
  const opened = options.cache
    ? FactsCache.open(
        configFile,
        map.root,
        { code: codeVersion(), dialect: map.dialect },
        options.cache,
      )
    : null;
  const store = opened instanceof FactsCache ? opened : null;
  const cache = store && {
    store,
    resolutionKey: resolutionKey(map.root, files, [...configFiles, ...store.resolutionInputs]),
  };
  const scan = await scanFiles(map, selected, layout, contents, cache, options.jobs ?? 1);
  const rekey =
    cache && learnResolutionInputs(cache, scan.resolutionInputs, map.root, files, configFiles);
  const cacheProblem =
    opened && 'problem' in opened
      ? opened.problem
      : store?.save(options.changes != null, rekey ?? undefined);
  if (cacheProblem) scan.notices.push(cacheProblem);
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

/**
 * Config files resolution read that the cache did not watch yet (what a tsconfig extends) join
 * its key; the targets this run found were found with those files as they are, so they keep
 * holding under the new key.
 */
function learnResolutionInputs(
  cache: { store: FactsCache; resolutionKey: string },
  read: string[],
  root: string,
  files: string[],
  configFiles: string[],
): { from: string; to: string } | null {
  const known = new Set(cache.store.resolutionInputs);
  if (read.every((file) => known.has(file))) return null;
  cache.store.addResolutionInputs(read);
  const to = resolutionKey(root, files, [...configFiles, ...cache.store.resolutionInputs]);
  return { from: cache.resolutionKey, to };
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

/** The order of String.prototype.localeCompare, without building a collator per comparison. */
const collator = new Intl.Collator();

function byLocation(a: Finding, b: Finding): number {
  return (
    collator.compare(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    collator.compare(a.rule, b.rule)
  );
}
