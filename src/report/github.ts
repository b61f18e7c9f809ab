import { execFileSync } from 'node:child_process';
import type { CheckResult } from '../check/run.js';
import type { Finding } from '../check/findings.js';

export interface GithubContext {
  /** From repositoryPrefix(): the config's folder inside its git repository, '' at its root. */
  pathPrefix?: string;
}

/**
 * GitHub Actions workflow commands: one annotation per finding, at its file, line and column, a
 * warning for each notice, then a summary. Accepted and silenced findings are counted, not
 * annotated.
 */
export function formatGithub(result: CheckResult, context: GithubContext = {}): string {
  const prefix = context.pathPrefix ?? '';
  const lines = result.findings.map((finding) => annotation(finding, prefix));

  lines.push(
    ...result.notices.map((notice) => `::warning::${escapeData(`dbboundary: ${notice}`)}`),
  );
  lines.push(`::notice::${escapeData(summaryLine(result))}`);
  return `${lines.join('\n')}\n`;
}

function annotation(finding: Finding, prefix: string): string {
  const properties = [
    `file=${escapeProperty(repositoryPath(prefix, finding.file))}`,
    `line=${finding.line}`,
    `col=${finding.column}`,
    `title=${escapeProperty(finding.rule)}`,
  ].join(',');
  const message = `${involvement(finding)}: ${finding.message}`;

  return `::${finding.severity} ${properties}::${escapeData(message)}`;
}

function summaryLine(result: CheckResult): string {
  const s = result.summary;
  const counts = [plural(s.errors, 'error'), plural(s.warnings, 'warning')];
  if (s.allowed > 0) counts.push(`${s.allowed} accepted by allow entries`);
  if (s.suppressed > 0) counts.push(`${s.suppressed} silenced by comments`);

  return `dbboundary: ${counts.join(', ')}; ${plural(s.files, 'file')} checked.`;
}

/** Workflow command data: GitHub decodes %25, %0D and %0A, so those three are all it needs. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values end at `,` and the properties at `::`, so both are escaped as well. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Who reaches into whom, and through what: `orders → customers (customers.customers)`. */
export function involvement(finding: Finding): string {
  const own = finding.context ?? '(no context)';
  const contexts = finding.targets.length > 0 ? `${own} → ${finding.targets.join(', ')}` : own;
  const through = finding.import != null ? `import "${finding.import}"` : finding.tables.join(', ');

  return through === '' ? contexts : `${contexts} (${through})`;
}

/** A finding's file as the repository sees it, with `/`. */
export function repositoryPath(prefix: string, file: string): string {
  return prefix === '' ? file : `${prefix}/${file}`;
}

/**
 * The config's folder relative to the top of its git work tree, with `/` and no trailing slash:
 * '' at the top, outside git, or when git is missing. This is the only I/O of the reporters: the
 * command line calls it once and passes the answer in as `pathPrefix`.
 */
export function repositoryPrefix(configDir: string): string {
  try {
    const output = execFileSync('git', ['rev-parse', '--show-prefix'], {
      cwd: configDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
    return output.trim().replace(/\/+$/, '');
  } catch {
    return '';
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
