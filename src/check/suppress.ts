import { nearestWord } from '../config/spec-reader.js';
import type { SuppressionComment } from '../extract/facts.js';
import { RULES } from './findings.js';
import type { Finding, RuleId } from './findings.js';

/**
 * Inline suppressions: `// dbboundary-ignore-next-line <rule>[, <rule>…] -- <reason>` silences
 * findings of those rules on the next line. A comment that cannot do that (no reason, a rule that
 * does not exist, nothing to silence) is itself reported, as invalid-suppression.
 */

export const SUPPRESSION_DIRECTIVE = 'dbboundary-ignore-next-line';

const EXAMPLE = `// ${SUPPRESSION_DIRECTIVE} foreign-table-access -- <why this is accepted>`;

/** What the check knows about one file's suppression comments. */
export interface FileSuppressions {
  /** The file's context, carried by the findings about its comments. */
  context: string | null;
  comments: SuppressionComment[];
}

export interface SuppressedFinding extends Finding {
  suppressedBy: { line: number; reason: string };
}

export interface SuppressionResult {
  kept: Finding[];
  suppressed: SuppressedFinding[];
  /** invalid-suppression findings, one per comment at fault, in file order. */
  problems: Finding[];
}

/** One comment after judging: the rules it may silence, the ones it did, what is wrong with it. */
interface Judged {
  comment: SuppressionComment;
  rules: RuleId[];
  used: Set<RuleId>;
  problems: string[];
}

/** Splits findings into those that stand and those a comment silences, and judges every comment. */
export function applySuppressions(
  findings: Finding[],
  suppressionsByFile: ReadonlyMap<string, FileSuppressions>,
): SuppressionResult {
  const judged = new Map<string, Judged[]>();
  for (const [file, { comments }] of suppressionsByFile) judged.set(file, comments.map(judge));

  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const finding of findings) {
    const by = silencerOf(finding, judged.get(finding.file) ?? []);
    if (by) suppressed.push({ ...finding, suppressedBy: by });
    else kept.push(finding);
  }

  const problems = [...suppressionsByFile].flatMap(([file, { context }]) =>
    (judged.get(file) ?? []).flatMap((entry) => problemsOf(entry, file, context)),
  );
  return { kept, suppressed, problems };
}

/**
 * A comment silences findings of its rules reported on the next line, or coming from SQL whose
 * string or code statement starts on the next line: a comment above `pool.query(`, or above
 * `const rows = await pool.query(` with the SQL on the lines below, covers the whole statement,
 * as the reader expects, wherever in it the offending table is named. Inside a routine's body, a
 * comment covers the body statement that starts on the next line.
 */
function silencerOf(
  finding: Finding,
  comments: Judged[],
): SuppressedFinding['suppressedBy'] | null {
  const matching = comments.filter(
    (entry) =>
      entry.rules.includes(finding.rule) &&
      (entry.comment.nextLine === finding.line ||
        entry.comment.nextLine === finding.sqlLine ||
        entry.comment.nextLine === finding.codeLine ||
        entry.comment.nextLine === finding.bodyLine),
  );
  for (const entry of matching) entry.used.add(finding.rule);

  const [first] = matching;
  return first ? { line: first.comment.line, reason: first.comment.reason ?? '' } : null;
}

function judge(comment: SuppressionComment): Judged {
  const problems: string[] = [];
  if (comment.directive !== SUPPRESSION_DIRECTIVE) {
    problems.push(
      `"${comment.directive}" is not a dbboundary directive, so it silences nothing; write ${EXAMPLE}.`,
    );
  } else if (comment.rules.length === 0) {
    problems.push(`names no rule, so it silences nothing; write ${EXAMPLE}.`);
  } else if (!comment.reason) {
    problems.push(
      'has no reason, so it silences nothing; add " -- <why this is accepted>" after the rule names.',
    );
  }
  if (problems.length > 0) return { comment, rules: [], used: new Set(), problems };

  const rules = comment.rules.filter(isSuppressible);
  problems.push(...comment.rules.filter((name) => !isSuppressible(name)).map(unknownRule));
  return { comment, rules, used: new Set(), problems };
}

function isSuppressible(name: string): name is RuleId {
  return Object.hasOwn(RULES, name) && name !== 'invalid-suppression';
}

function unknownRule(name: string): string {
  if (name === 'invalid-suppression') {
    return 'invalid-suppression cannot be silenced by a comment; fix the comment it reports instead.';
  }
  const names = Object.keys(RULES).filter(isSuppressible);
  const nearest = nearestWord(name, names);
  const hint = nearest ? `did you mean "${nearest}"?` : `use one of ${names.join(', ')}.`;
  return `names "${name}", which is no dbboundary rule; ${hint}`;
}

function problemsOf(entry: Judged, file: string, context: string | null): Finding[] {
  const unused = entry.rules.filter((rule) => !entry.used.has(rule));
  const messages = [...entry.problems];
  if (unused.length > 0) {
    messages.push(
      `silences nothing: line ${entry.comment.nextLine} has no ${unused.join(' or ')} finding; remove the comment, or put it on the line just above the finding.`,
    );
  }
  if (messages.length === 0) return [];

  return [
    {
      rule: 'invalid-suppression',
      severity: RULES['invalid-suppression'].severity,
      file,
      line: entry.comment.line,
      column: entry.comment.column,
      context,
      targets: [],
      tables: [],
      message: messages.join(' It also '),
    },
  ];
}
