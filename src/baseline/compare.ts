import type { Finding } from '../check/findings.js';
import type { Baseline, BaselineEntry } from './file.js';
import { fingerprintAll } from './fingerprint.js';

export interface BaselineComparison {
  /** Findings the baseline does not list: only these can fail the check. */
  newFindings: Finding[];
  /** Findings the baseline lists. */
  known: Finding[];
  /** Entries no finding matches any more: fixed, or changed so that they are new findings now. */
  stale: BaselineEntry[];
}

/** For a run over some files only (--staged): entries of other files are never stale. */
export interface BaselineScope {
  files: Set<string>;
}

/**
 * Matches findings to baseline entries by fingerprint, each entry at most once. Findings are
 * matched against the whole baseline; a scope only limits which leftover entries are stale,
 * since a run that did not look at a file cannot say its findings are gone.
 */
export function compareWithBaseline(
  findings: Finding[],
  baseline: Baseline,
  scope?: BaselineScope,
): BaselineComparison {
  const unmatched = new Map<string, BaselineEntry[]>();
  for (const entry of baseline.entries) {
    unmatched.set(entry.fingerprint, [...(unmatched.get(entry.fingerprint) ?? []), entry]);
  }

  const fingerprints = fingerprintAll(findings);
  const newFindings: Finding[] = [];
  const known: Finding[] = [];
  findings.forEach((finding, index) => {
    const entry = unmatched.get(fingerprints[index]!)?.pop();
    if (entry) known.push(finding);
    else newFindings.push(finding);
  });

  const stale = baseline.entries.filter(
    (entry) =>
      unmatched.get(entry.fingerprint)?.includes(entry) && (!scope || scope.files.has(entry.file)),
  );
  return { newFindings, known, stale };
}

/** Whether the comparison fails the check: a new error, or with --strict-baseline a stale entry. */
export function baselineFails(comparison: BaselineComparison, strict: boolean): boolean {
  const newErrors = comparison.newFindings.some((finding) => finding.severity === 'error');
  return newErrors || (strict && comparison.stale.length > 0);
}

export interface DeltaOptions {
  /** The baseline file as the user named it. */
  file?: string;
  strict?: boolean;
}

const MAX_STALE_LINES = 20;

/**
 * The lines the text report prints about the baseline: the counts, then each stale entry and
 * what to do about it. The findings themselves are listed by the report.
 */
export function formatBaselineDelta(
  comparison: BaselineComparison,
  options: DeltaOptions = {},
): string[] {
  const { newFindings, known, stale } = comparison;
  const errors = newFindings.filter((finding) => finding.severity === 'error').length;
  const split =
    newFindings.length > 0
      ? ` (${plural(errors, 'error')}, ${plural(newFindings.length - errors, 'warning')})`
      : '';
  const name = options.file ? ` ${options.file}` : '';
  const lines = [
    `Baseline${name}: ${newFindings.length} new${split}, ${known.length} known, ${stale.length} fixed.`,
  ];
  if (stale.length === 0) return lines;

  lines.push(...stale.slice(0, MAX_STALE_LINES).map((entry) => `  fixed: ${describeEntry(entry)}`));
  if (stale.length > MAX_STALE_LINES) {
    lines.push(`  … and ${stale.length - MAX_STALE_LINES} more`);
  }
  lines.push(staleAdvice(stale.length, options.strict === true));
  return lines;
}

function describeEntry(entry: BaselineEntry): string {
  const contexts =
    entry.targets.length > 0
      ? `${entry.context ?? '(no context)'} → ${entry.targets.join(', ')}`
      : (entry.context ?? '(no context)');
  const involved =
    entry.import != null ? `import "${entry.import}"` : (entry.tables ?? []).join(', ');
  return [`${entry.file}:${entry.line}`, entry.rule, contexts, involved].filter(Boolean).join('  ');
}

function staleAdvice(count: number, strict: boolean): string {
  const [subject, them] =
    count === 1 ? ['This entry matches', 'it'] : ['These entries match', 'them'];
  const what = `${subject} no finding any more (fixed, or changed so that the finding counts as new)`;
  const fix = `run \`dbboundary baseline\` to drop ${them} once no new finding is left, since it records all current findings`;
  if (strict) return `${what}, and --strict-baseline fails on stale entries: ${fix}.`;
  return `${what}: ${fix}.`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
