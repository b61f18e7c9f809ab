import type { ContextMap } from '../config/types.js';
import { isSqlFile } from '../extract/sql-file.js';
import type { AllowedFinding, Finding, RuleId } from './findings.js';
import type { ContextLayout } from './layout.js';

export interface CheckSummary {
  files: number;
  filesByContext: Record<string, number>;
  filesOutsideContexts: number;
  /** Pieces of SQL text: strings in code, and each statement of a .sql file. */
  sqlStrings: number;
  /** .sql files among the files scanned. */
  sqlFiles: number;
  /** How many of sqlStrings are statements of .sql files, when the scan counts them apart. */
  sqlFileStatements?: number;
  statements: number;
  unparsedSql: number;
  imports: number;
  errors: number;
  warnings: number;
  allowed: number;
  /** Findings silenced by dbboundary-ignore-next-line comments. */
  suppressed: number;
  byRule: Partial<Record<RuleId, number>>;
  durationMs: number;
}

/** What the scan counted along the way. */
export interface ScanCounts {
  sqlStrings: number;
  /** How many of sqlStrings are statements of .sql files; a scan may leave them uncounted. */
  sqlFileStatements?: number;
  statements: number;
  unparsedSql: number;
  imports: number;
}

export function summarize(
  map: ContextMap,
  files: string[],
  layout: ContextLayout,
  scan: ScanCounts,
  kept: Finding[],
  allowed: AllowedFinding[],
  suppressed: number,
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

  // With only .sql files scanned, every piece of SQL text is a statement of one.
  const sqlFiles = files.filter(isSqlFile).length;
  const sqlFileStatements =
    scan.sqlFileStatements ?? (sqlFiles === files.length ? scan.sqlStrings : undefined);

  const byRule: Partial<Record<RuleId, number>> = {};
  for (const finding of kept) byRule[finding.rule] = (byRule[finding.rule] ?? 0) + 1;

  return {
    files: files.length,
    filesByContext,
    filesOutsideContexts: outside,
    sqlStrings: scan.sqlStrings,
    sqlFiles,
    ...(sqlFileStatements != null ? { sqlFileStatements } : {}),
    statements: scan.statements,
    unparsedSql: scan.unparsedSql,
    imports: scan.imports,
    errors: kept.filter((f) => f.severity === 'error').length,
    warnings: kept.filter((f) => f.severity === 'warning').length,
    allowed: allowed.length,
    suppressed,
    byRule,
    durationMs: Math.round(durationMs),
  };
}
