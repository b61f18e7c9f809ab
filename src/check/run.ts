import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, UserError } from '../errors.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import type { AllowRule, ContextMap } from '../config/types.js';
import { discoverFiles } from '../extract/files.js';
import { ModuleResolver } from '../extract/resolve.js';
import { extractFile } from '../extract/typescript.js';
import { loadSqlFrontend } from '../sql/index.js';
import type { ParseResult, SqlFrontend } from '../sql/types.js';
import type { AllowedFinding, Finding, RuleId } from './findings.js';
import { ContextLayout } from './layout.js';
import { TableOwnership } from './ownership.js';
import { checkImports, checkSql, checkSyntax } from './rules.js';
import type { FileUnderCheck, ImportTarget } from './rules.js';

export interface CheckOptions {
  /** --config as given, or undefined to look for dbboundary.yaml in cwd. */
  config?: string;
  cwd: string;
}

export interface CheckSummary {
  files: number;
  filesByContext: Record<string, number>;
  filesOutsideContexts: number;
  sqlStrings: number;
  statements: number;
  unparsedSql: number;
  imports: number;
  errors: number;
  warnings: number;
  allowed: number;
  byRule: Partial<Record<RuleId, number>>;
  durationMs: number;
}

export interface CheckResult {
  config: string;
  root: string;
  findings: Finding[];
  allowed: AllowedFinding[];
  /** Problems met along the way that are not findings (an unreadable tsconfig, say). */
  notices: string[];
  summary: CheckSummary;
}

/** Runs the whole check: config, files, extraction, rules, allow entries, summary. */
export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const started = performance.now();
  const configFile = findConfigFile(options.config, options.cwd);
  const { map, problems } = loadConfig(configFile);
  const files = discoverFiles(map.root, map.include, map.exclude);
  const layout = new ContextLayout(map, files);

  problems.push(...layout.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  if (files.length === 0) {
    throw new UserError(
      `${configFile}: the include globs (${map.include.join(', ')}) match no file under ${map.root}; nothing was checked.`,
    );
  }

  const frontend = await loadSqlFrontend(map.dialect);
  const scan = scanFiles(map, files, layout, frontend);
  const { kept, allowed } = applyAllowRules(scan.findings, map.allow);
  kept.sort(byLocation);
  allowed.sort(byLocation);

  return {
    config: configFile,
    root: map.root,
    findings: kept,
    allowed,
    notices: scan.notices,
    summary: summarize(map, files, layout, scan, kept, allowed, performance.now() - started),
  };
}

interface Scan {
  findings: Finding[];
  notices: string[];
  sqlStrings: number;
  statements: number;
  unparsedSql: number;
  imports: number;
}

function scanFiles(
  map: ContextMap,
  files: string[],
  layout: ContextLayout,
  frontend: SqlFrontend,
): Scan {
  const ownership = new TableOwnership(map);
  const resolver = new ModuleResolver(map.root);
  const parse = memoize((sql: string) => frontend.parse(sql));
  const scan: Scan = {
    findings: [],
    notices: [],
    sqlStrings: 0,
    statements: 0,
    unparsedSql: 0,
    imports: 0,
  };

  for (const file of files) {
    const absolute = path.join(map.root, file);
    const { text, notUtf8 } = readSource(absolute);
    const facts = extractFile(absolute, text, map.dialect);
    const unit: FileUnderCheck = {
      file,
      context: layout.contextOf(file),
      facts,
      position: positionsOf(text),
      parse,
      ownership,
      dialectName: map.dialect === 'mysql' ? 'MySQL' : 'PostgreSQL',
    };

    const sql = checkSql(unit);
    const targets = facts.imports.map((fact): ImportTarget => {
      const resolved = resolver.resolve(absolute, fact.specifier);
      const relative = resolved == null ? null : toRelative(map.root, resolved);
      const context = relative == null ? null : layout.contextOf(relative);
      return {
        ...fact,
        file: relative,
        context,
        isPublic: context != null && layout.isPublic(context, relative!),
      };
    });

    scan.findings.push(
      ...checkSyntax(unit, notUtf8),
      ...sql.findings,
      ...checkImports(unit, targets),
    );
    scan.sqlStrings += facts.sql.length;
    scan.statements += sql.statements;
    scan.unparsedSql += sql.unparsed;
    scan.imports += facts.imports.length;
  }

  scan.notices.push(...resolver.warnings);
  return scan;
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

/** Splits findings into those that stand and those an allow entry accepts. */
function applyAllowRules(
  findings: Finding[],
  rules: AllowRule[],
): { kept: Finding[]; allowed: AllowedFinding[] } {
  const kept: Finding[] = [];
  const allowed: AllowedFinding[] = [];
  for (const finding of findings) {
    const rule = allowRuleFor(finding, rules);
    if (rule) {
      allowed.push({
        ...finding,
        allowedBy: { from: rule.from, to: rule.to, reason: rule.reason },
      });
    } else kept.push(finding);
  }
  return { kept, allowed };
}

function allowRuleFor(finding: Finding, rules: AllowRule[]): AllowRule | null {
  if (finding.context == null || finding.targets.length === 0) return null;
  const fromHere = rules.filter((rule) => rule.from === finding.context);
  const covered = finding.targets.every((target) => fromHere.some((rule) => rule.to === target));
  return covered ? (fromHere.find((rule) => finding.targets.includes(rule.to)) ?? null) : null;
}

function byLocation(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.rule.localeCompare(b.rule)
  );
}

function summarize(
  map: ContextMap,
  files: string[],
  layout: ContextLayout,
  scan: Scan,
  kept: Finding[],
  allowed: AllowedFinding[],
  durationMs: number,
): CheckSummary {
  const filesByContext: Record<string, number> = Object.fromEntries(
    map.contexts.map((c) => [c.name, 0]),
  );
  let outside = 0;
  for (const file of files) {
    const context = layout.contextOf(file);
    if (context == null) outside += 1;
    else filesByContext[context] = (filesByContext[context] ?? 0) + 1;
  }

  const byRule: Partial<Record<RuleId, number>> = {};
  for (const finding of kept) byRule[finding.rule] = (byRule[finding.rule] ?? 0) + 1;

  return {
    files: files.length,
    filesByContext,
    filesOutsideContexts: outside,
    sqlStrings: scan.sqlStrings,
    statements: scan.statements,
    unparsedSql: scan.unparsedSql,
    imports: scan.imports,
    errors: kept.filter((f) => f.severity === 'error').length,
    warnings: kept.filter((f) => f.severity === 'warning').length,
    allowed: allowed.length,
    byRule,
    durationMs: Math.round(durationMs),
  };
}
