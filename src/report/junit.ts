import type { CheckResult } from '../check/run.js';
import { RULES, ruleDocs } from '../check/findings.js';
import type { AllowedFinding, Finding, RuleId } from '../check/findings.js';
import { involvement, repositoryPath } from './github.js';
import { describeSql, plural } from './text.js';

export interface JunitContext {
  /** From repositoryPrefix(): the config's folder inside its git repository, '' at its root. */
  pathPrefix?: string;
}

type InlineSuppressed = NonNullable<CheckResult['suppressed']>[number];

interface Case {
  name: string;
  classname: string;
  file?: string;
  time: number;
  /** The child elements, already written. */
  body: string;
  outcome: 'passed' | 'failed' | 'skipped';
}

interface Suite {
  name: string;
  time: number;
  cases: Case[];
}

/**
 * JUnit XML, as GitLab and Jenkins read it: a `dbboundary` suite whose one test says the check
 * ran, then one suite per rule with findings. An error is a failed test, a warning a skipped one
 * (it did not fail the check, but stays counted), and a finding accepted by an allow entry or
 * silenced by a comment a passed one that says so.
 */
export function formatJunit(result: CheckResult, context: JunitContext = {}): string {
  const prefix = context.pathPrefix ?? '';
  const suites = [checkSuite(result), ...ruleSuites(result, prefix)];
  const cases = suites.flatMap((suite) => suite.cases);

  const totalsOfAll = { name: 'dbboundary', ...totals(cases), time: seconds(result) };
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attributes(totalsOfAll)}>`,
  ];
  for (const suite of suites) lines.push(...suiteLines(suite));
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function checkSuite(result: CheckResult): Suite {
  const s = result.summary;
  const out = [
    `Scanned ${plural(s.files, 'file')}: ${describeSql(s)}, ${plural(s.imports, 'import')}.`,
    `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.allowed, 'finding')} accepted by allow entries, ${plural(s.suppressed, 'finding')} silenced by comments.`,
  ].join('\n');
  const notices = result.notices.map((notice) => `notice: ${notice}`).join('\n');

  const body =
    element('system-out', {}, out) + (notices === '' ? '' : element('system-err', {}, notices));
  const check: Case = {
    name: 'boundary check',
    classname: 'dbboundary',
    time: seconds(result),
    body,
    outcome: 'passed',
  };
  return { name: 'dbboundary', time: seconds(result), cases: [check] };
}

function ruleSuites(result: CheckResult, prefix: string): Suite[] {
  const nameOf = caseNamer();
  const cases: Array<[RuleId, Case]> = [
    ...result.findings.map((f): [RuleId, Case] => [f.rule, findingCase(f, nameOf(f), prefix)]),
    ...result.allowed.map((f): [RuleId, Case] => [f.rule, allowedCase(f, nameOf(f), prefix)]),
    ...result.suppressed.map((f): [RuleId, Case] => [f.rule, silencedCase(f, nameOf(f), prefix)]),
  ];

  return (Object.keys(RULES) as RuleId[])
    .map((rule) => ({
      name: rule,
      time: 0,
      cases: cases.filter(([owner]) => owner === rule).map(([, item]) => item),
    }))
    .filter((suite) => suite.cases.length > 0);
}

/** `file: contexts (tables)`, and `#2`, `#3` for the same again in one rule and file. */
function caseNamer(): (finding: Finding) => string {
  const seen = new Map<string, number>();
  return (finding) => {
    const name = `${finding.file}: ${involvement(finding)}`;
    const count = (seen.get(`${finding.rule} ${name}`) ?? 0) + 1;
    seen.set(`${finding.rule} ${name}`, count);
    return count === 1 ? name : `${name} #${count}`;
  };
}

/**
 * Test names leave the line out, so a finding keeps its name (and its history in Jenkins) when
 * code above it moves; the location opens the failure text instead.
 */
function findingCase(finding: Finding, name: string, prefix: string): Case {
  const where = `${repositoryPath(prefix, finding.file)}:${finding.line}:${finding.column}`;
  const details = [where, involvement(finding), finding.message, `See ${ruleDocs(finding.rule)}`];
  const base = caseBase(finding, name, prefix);

  if (finding.severity === 'error') {
    const failure = { message: finding.message, type: finding.rule };
    return { ...base, body: element('failure', failure, details.join('\n')), outcome: 'failed' };
  }
  const skipped = element('skipped', { message: details.join('\n') });
  return { ...base, body: skipped, outcome: 'skipped' };
}

function allowedCase(finding: AllowedFinding, name: string, prefix: string): Case {
  const { from, to, reason } = finding.allowedBy;
  return passedCase(
    finding,
    name,
    prefix,
    `accepted by the allow entry ${from} → ${to}: ${reason}`,
  );
}

function silencedCase(finding: InlineSuppressed, name: string, prefix: string): Case {
  const { line, reason } = finding.suppressedBy;
  return passedCase(finding, name, prefix, `silenced by the comment on line ${line}: ${reason}`);
}

/** An accepted finding passes, and says what accepted it. */
function passedCase(finding: Finding, name: string, prefix: string, why: string): Case {
  const where = `${repositoryPath(prefix, finding.file)}:${finding.line}:${finding.column}`;
  const text = `${where}: ${finding.message}\n${why}`;

  return {
    ...caseBase(finding, name, prefix),
    body: element('system-out', {}, text),
    outcome: 'passed',
  };
}

function caseBase(finding: Finding, name: string, prefix: string): Omit<Case, 'body' | 'outcome'> {
  return {
    name,
    classname: `dbboundary.${finding.rule}`,
    file: repositoryPath(prefix, finding.file),
    time: 0,
  };
}

function suiteLines(suite: Suite): string[] {
  const head = attributes({ name: suite.name, ...totals(suite.cases), time: suite.time });
  const cases = suite.cases.map((item) => {
    const { name, classname, file, time } = item;
    return `    <testcase ${attributes({ name, classname, file, time })}>${item.body}</testcase>`;
  });
  return [`  <testsuite ${head}>`, ...cases, '  </testsuite>'];
}

function totals(cases: Case[]): Record<string, number> {
  const count = (outcome: Case['outcome']): number =>
    cases.filter((item) => item.outcome === outcome).length;
  return { tests: cases.length, failures: count('failed'), errors: 0, skipped: count('skipped') };
}

function seconds(result: CheckResult): number {
  return result.summary.durationMs / 1000;
}

function element(name: string, attrs: Record<string, string>, text?: string): string {
  const open = Object.keys(attrs).length > 0 ? `<${name} ${attributes(attrs)}` : `<${name}`;
  return text == null ? `${open}/>` : `${open}>${escapeXmlText(text)}</${name}>`;
}

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}="${escapeXmlAttribute(String(value))}"`)
    .join(' ');
}

/** Characters XML 1.0 cannot hold at all, not even as references; lone surrogates included. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Text content: markup characters as entities, carriage returns as references (parsers turn a
 * bare one into a line feed), and the characters XML forbids as U+FFFD.
 */
export function escapeXmlText(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** Attribute values also escape both quotes, and keep tabs and line feeds parsers would flatten. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;');
}
