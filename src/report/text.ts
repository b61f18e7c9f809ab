import { fileURLToPath } from 'node:url';
import type { ChalkInstance } from 'chalk';
import type { CheckResult, CheckSummary } from '../check/run.js';
import { ruleDocs } from '../check/findings.js';
import type { Finding } from '../check/findings.js';

/** The human report: findings grouped by file, each as file:line:col, then a summary. */
export function formatText(result: CheckResult, colors: ChalkInstance): string {
  const lines: string[] = [];
  let currentFile: string | null = null;

  for (const finding of result.findings) {
    if (finding.file !== currentFile) {
      if (currentFile != null) lines.push('');
      lines.push(colors.underline(finding.file));
      currentFile = finding.file;
    }
    lines.push(formatFinding(finding, colors));
  }

  if (result.findings.length > 0) lines.push('');
  lines.push(...formatNotices(result, colors), ...formatSummary(result, colors));
  return `${lines.join('\n')}\n`;
}

function formatFinding(finding: Finding, colors: ChalkInstance): string {
  const severity = finding.severity === 'error' ? colors.red('error  ') : colors.yellow('warning');
  const where = `${finding.file}:${finding.line}:${finding.column}`;
  const contexts =
    finding.targets.length > 0
      ? `${finding.context ?? '(no context)'} → ${finding.targets.join(', ')}`
      : (finding.context ?? '(no context)');
  const involved =
    finding.import != null ? `import "${finding.import}"` : finding.tables.join(', ');
  const head = [where, severity, colors.bold(finding.rule), colors.cyan(contexts), involved]
    .filter(Boolean)
    .join('  ');
  return `  ${head}\n      ${finding.message}`;
}

function formatNotices(result: CheckResult, colors: ChalkInstance): string[] {
  return result.notices.map((notice) => colors.yellow(`notice: ${notice}`));
}

function formatSummary(result: CheckResult, colors: ChalkInstance): string[] {
  const s = result.summary;
  const perContext = Object.entries(s.filesByContext)
    .map(([context, count]) => `${context} ${count}`)
    .concat(`outside contexts ${s.filesOutsideContexts}`)
    .join(', ');
  const scanned =
    `Scanned ${plural(s.files, 'file')} (${perContext}): ${describeSql(s)}` +
    `${s.unparsedSql > 0 ? `, ${s.unparsedSql} not parsed` : ''}; ${plural(s.imports, 'import')}; ${(s.durationMs / 1000).toFixed(2)} s.`;

  const lines = [scanned];
  if (result.allowed.length > 0) lines.push(...formatAllowed(result));
  if (s.suppressed > 0) {
    lines.push(
      `${plural(s.suppressed, 'finding')} silenced by dbboundary-ignore-next-line comments.`,
    );
  }

  const verdict = `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
  if (s.errors > 0) lines.push(colors.red.bold(`✖ ${verdict}.`));
  else if (s.warnings > 0) lines.push(colors.yellow.bold(`⚠ ${verdict}.`));
  else lines.push(colors.green.bold('✔ No boundary findings.'));
  for (const rule of [...new Set(result.findings.map((finding) => finding.rule))].sort()) {
    lines.push(colors.dim(`${rule}: see ${fileURLToPath(ruleDocs(rule))}`));
  }
  return lines;
}

function formatAllowed(result: CheckResult): string[] {
  const counts = new Map<string, number>();
  for (const finding of result.allowed) {
    const key = `${finding.allowedBy.from} → ${finding.allowedBy.to} ("${finding.allowedBy.reason}")`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [
    `${plural(result.allowed.length, 'finding')} accepted by allow entries:`,
    ...[...counts].map(([key, count]) => `  ${key}: ${count}`),
  ];
}

/**
 * `17 SQL statements in 12 strings and 3 .sql files`: strings in code and .sql files are counted
 * apart, since a .sql file's statements are no strings. When the scan did not count the
 * statements of .sql files apart, the number of strings is not known and is left out.
 */
export function describeSql(s: CheckSummary): string {
  const statements = plural(s.statements, 'SQL statement');
  if (s.sqlFiles === 0) return `${statements} in ${plural(s.sqlStrings, 'string')}`;

  const files = plural(s.sqlFiles, '.sql file');
  if (s.sqlFileStatements == null) return `${statements} in strings in code and ${files}`;
  const strings = s.sqlStrings - s.sqlFileStatements;
  if (strings === 0) return `${statements} in ${files}`;
  return `${statements} in ${plural(strings, 'string')} and ${files}`;
}

/** `1 file`, `2 files`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
