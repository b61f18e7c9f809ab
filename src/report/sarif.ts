import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fingerprintAll } from '../baseline/index.js';
import type { CheckResult } from '../check/run.js';
import { RULES, ruleDocs } from '../check/findings.js';
import type { AllowedFinding, Finding, RuleId, RuleMeta, Severity } from '../check/findings.js';
import { involvement, repositoryPath } from './github.js';

export interface SarifContext {
  /** The config file's folder, absolute. */
  configDir: string;
  toolVersion: string;
  /** From repositoryPrefix(): the config's folder inside its git repository, '' at its root. */
  pathPrefix?: string;
}

const SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const SRCROOT = '%SRCROOT%';
const FINGERPRINT = 'dbboundary/v1';
const RULE_IDS = Object.keys(RULES) as RuleId[];

type InlineSuppressed = NonNullable<CheckResult['suppressed']>[number];

const LEVELS: Record<Severity, 'error' | 'warning'> = { error: 'error', warning: 'warning' };

/** What each rule's docs page says on why it matters, in one or two sentences. */
const WHY: Partial<Record<RuleId, string>> = {
  'cross-context-join':
    'No single database can run such a statement once the contexts are split, and until then it ties their schemas together. Code outside every context is checked too.',
  'foreign-table-access':
    "The code depends on another context's schema rather than its API or events, so the owner cannot change or move those tables without breaking it.",
  'cross-context-import':
    "Only the files a context lists as public are its API; importing anything else couples the code to the other context's internals.",
  'unmapped-table':
    'A table without an owner cannot be judged, so boundary breaks through it go unseen. Add it to the tables of the context that owns it.',
  'unparsed-sql':
    'The statement was not checked for boundary breaks, and the database may reject it at run time too.',
  'dynamic-sql':
    'dbboundary reads SQL without running the program, so it cannot know whose table the statement uses.',
  'unparsed-file': 'SQL and imports after the first problem may have been missed or read wrongly.',
  'invalid-suppression':
    'A suppression has to say why it hides a boundary break, and one that silences nothing waits to hide the next break on its line.',
};

/**
 * SARIF 2.1.0 for code scanning: one run with every rule's metadata, the findings, and as
 * suppressed results those accepted by allow entries (external) or by comments (in source).
 * Paths are relative to the repository (%SRCROOT%), so GitHub places them right when the config
 * sits in a subfolder.
 */
export function formatSarif(result: CheckResult, context: SarifContext): string {
  const prefix = context.pathPrefix ?? '';
  const fingerprint = fingerprinter([...result.findings, ...result.allowed, ...result.suppressed]);
  const results = [
    ...result.findings.map((finding) => toResult(finding, prefix, fingerprint)),
    ...result.allowed.map((finding) => ({
      ...toResult(finding, prefix, fingerprint),
      suppressions: [allowSuppression(finding)],
    })),
    ...result.suppressed.map((finding) => ({
      ...toResult(finding, prefix, fingerprint),
      suppressions: [commentSuppression(finding, prefix)],
    })),
  ];

  const run = {
    tool: { driver: driverOf(context.toolVersion) },
    originalUriBaseIds: { [SRCROOT]: { uri: repositoryRootUri(context.configDir, prefix) } },
    invocations: [invocationOf(result)],
    columnKind: 'utf16CodeUnits',
    results,
  };
  return `${JSON.stringify({ $schema: SCHEMA, version: '2.1.0', runs: [run] }, null, 2)}\n`;
}

function driverOf(version: string): Record<string, unknown> {
  return {
    name: 'dbboundary',
    version,
    semanticVersion: version,
    rules: RULE_IDS.map((id) => ruleOf(RULES[id])),
  };
}

function ruleOf(meta: RuleMeta): Record<string, unknown> {
  const docs = ruleDocs(meta.id);
  const pointer = 'Why it matters, how to fix it and how to accept an exception';

  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.summary },
    fullDescription: { text: [meta.summary, WHY[meta.id]].filter(Boolean).join(' ') },
    defaultConfiguration: { level: LEVELS[meta.severity] },
    helpUri: docs,
    help: {
      text: `${meta.summary} ${pointer}: ${docs}`,
      markdown: `${meta.summary}\n\n${pointer}: [${meta.id}](${docs}).`,
    },
  };
}

function toResult(
  finding: Finding,
  prefix: string,
  fingerprint: (finding: Finding) => string,
): Record<string, unknown> {
  return {
    ruleId: finding.rule,
    ruleIndex: RULE_IDS.indexOf(finding.rule),
    level: LEVELS[finding.severity],
    message: { text: `${involvement(finding)}: ${finding.message}` },
    locations: [locationOf(finding, prefix)],
    partialFingerprints: { [FINGERPRINT]: fingerprint(finding) },
    properties: {
      context: finding.context,
      targets: finding.targets,
      tables: finding.tables,
      ...(finding.access != null ? { access: finding.access } : {}),
      ...(finding.import != null ? { import: finding.import } : {}),
    },
  };
}

function allowSuppression(finding: AllowedFinding): Record<string, unknown> {
  const { from, to, reason } = finding.allowedBy;
  return {
    kind: 'external',
    status: 'accepted',
    justification: reason,
    properties: { allow: { from, to } },
  };
}

function commentSuppression(finding: InlineSuppressed, prefix: string): Record<string, unknown> {
  const comment = { ...finding, line: finding.suppressedBy.line, column: 1 };
  return {
    kind: 'inSource',
    status: 'accepted',
    justification: finding.suppressedBy.reason,
    location: locationOf(comment, prefix),
  };
}

function locationOf(finding: Finding, prefix: string): Record<string, unknown> {
  return {
    physicalLocation: {
      artifactLocation: {
        uri: encodePath(repositoryPath(prefix, finding.file)),
        uriBaseId: SRCROOT,
      },
      region: { startLine: finding.line, startColumn: finding.column },
    },
  };
}

function invocationOf(result: CheckResult): Record<string, unknown> {
  return {
    executionSuccessful: true,
    toolExecutionNotifications: result.notices.map((notice) => ({
      level: 'warning',
      message: { text: notice },
    })),
  };
}

/**
 * The same line-free fingerprints the baseline uses (rule, file, contexts, tables or import, the
 * statement's normalized form, and the order among equal findings), so code scanning and the
 * baseline agree on which finding is which.
 */
function fingerprinter(all: Finding[]): (finding: Finding) => string {
  const ids = fingerprintAll(all);
  const byFinding = new Map(all.map((finding, index) => [finding, ids[index]!]));
  return (finding) => byFinding.get(finding) ?? fingerprintAll([finding])[0]!;
}

/** The repository's top as a file URL ending in `/`, as SARIF wants for a base URI. */
function repositoryRootUri(configDir: string, prefix: string): string {
  const ups = prefix === '' ? [] : prefix.split('/').map(() => '..');
  const href = pathToFileURL(path.resolve(configDir, ...ups)).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/** A relative path as a URI reference: each segment percent-encoded, keeping the readable marks. */
function encodePath(file: string): string {
  return file
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(/%(24|26|2B|2C|3B|3D|40)/g, (code) =>
        decodeURIComponent(code),
      ),
    )
    .join('/');
}

function pascalCase(id: string): string {
  return id.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}
