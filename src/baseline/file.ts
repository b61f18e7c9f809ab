import { readFileSync } from 'node:fs';
import type { Finding } from '../check/findings.js';
import { displayPath } from '../config/read.js';
import { UserError } from '../errors.js';
import { fingerprintAll } from './fingerprint.js';

/**
 * The baseline file: the findings a codebase already had when it adopted dbboundary, checked in
 * so that check fails only on new ones. It is written for review: one entry per finding, in file
 * and line order, each field on its own line, so a change to the code shows as a small diff.
 */

export const BASELINE_VERSION = 1;

export const DEFAULT_BASELINE_FILE = 'dbboundary-baseline.json';

const ABOUT =
  'Findings known when this file was written: `dbboundary check --baseline` fails only on others. Regenerate with `dbboundary baseline`; `line` is a hint for people and is not matched.';

export interface BaselineEntry {
  rule: string;
  file: string;
  /** Where the finding was when the baseline was written; ignored when matching. */
  line: number;
  context: string | null;
  targets: string[];
  tables?: string[];
  import?: string;
  fingerprint: string;
}

export interface Baseline {
  version: typeof BASELINE_VERSION;
  entries: BaselineEntry[];
}

/** The baseline of the findings of a check: what `dbboundary baseline` writes. */
export function createBaseline(findings: Finding[]): Baseline {
  const fingerprints = fingerprintAll(findings);
  const entries = findings.map((finding, index) => entryOf(finding, fingerprints[index]!));
  return { version: BASELINE_VERSION, entries: entries.sort(byPlace) };
}

function entryOf(finding: Finding, fingerprint: string): BaselineEntry {
  return {
    rule: finding.rule,
    file: finding.file,
    line: finding.line,
    context: finding.context,
    targets: finding.targets,
    ...(finding.tables.length > 0 ? { tables: finding.tables } : {}),
    ...(finding.import != null ? { import: finding.import } : {}),
    fingerprint,
  };
}

/** File, then line, then rule: code-unit order, the same on every machine and locale. */
function byPlace(a: BaselineEntry, b: BaselineEntry): number {
  return (
    compareText(a.file, b.file) ||
    a.line - b.line ||
    compareText(a.rule, b.rule) ||
    compareText(a.fingerprint, b.fingerprint)
  );
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** The file's text: JSON as Prettier would lay it out, so formatting the repository keeps it. */
export function serializeBaseline(baseline: Baseline): string {
  const entries = [...baseline.entries].sort(byPlace).map(formatEntry);
  const list = entries.length === 0 ? '[]' : `[\n${entries.join(',\n')}\n  ]`;

  return `{\n  "version": ${baseline.version},\n  "about": ${JSON.stringify(ABOUT)},\n  "findings": ${list}\n}\n`;
}

function formatEntry(entry: BaselineEntry): string {
  const fields = Object.entries(entry).map(
    ([key, value]) => `      ${JSON.stringify(key)}: ${formatValue(value)}`,
  );
  return `    {\n${fields.join(',\n')}\n    }`;
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
  return JSON.stringify(value);
}

/** Reads and checks a baseline file; any problem is one line that says how to fix it. */
export function readBaseline(file: string): Baseline {
  const display = displayPath(file);
  const data = parseJson(readText(file, display), display);

  const version = isObject(data) ? data.version : undefined;
  if (!isObject(data) || version === undefined) {
    throw new UserError(
      `${display}: not a dbboundary baseline (no "version"); write one with \`dbboundary baseline\`.`,
    );
  }
  if (version !== BASELINE_VERSION) {
    throw new UserError(
      `${display}: baseline version ${JSON.stringify(version)} is not one this dbboundary reads (${BASELINE_VERSION}); regenerate it with \`dbboundary baseline\`, or use the dbboundary that wrote it.`,
    );
  }
  if (!Array.isArray(data.findings)) {
    throw new UserError(
      `${display}: "findings" must be a list; regenerate the file with \`dbboundary baseline\`.`,
    );
  }
  return { version, entries: data.findings.map((item, index) => toEntry(item, index, display)) };
}

function readText(file: string, display: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError(
        `${display}: no such baseline file; write it with \`dbboundary baseline\`, or check the --baseline path.`,
      );
    }
    throw new UserError(
      `${display}: cannot read the baseline (${code ?? (error as Error).message}).`,
    );
  }
}

function parseJson(text: string, display: string): unknown {
  if (/^(?:<{7}|>{7}|={7})/m.test(text)) {
    throw new UserError(
      `${display}: has merge conflict markers; regenerate it with \`dbboundary baseline\` instead of merging it by hand.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `${display}: not valid JSON (${(error as Error).message}); regenerate it with \`dbboundary baseline\`.`,
    );
  }
}

/** Checks the fields matching needs; the others are hints for people and default when absent. */
function toEntry(item: unknown, index: number, display: string): BaselineEntry {
  const where = `${display}: findings[${index}]`;
  if (!isObject(item)) throw new UserError(`${where} must be an object; regenerate the file.`);

  for (const key of ['rule', 'file', 'fingerprint'] as const) {
    if (typeof item[key] !== 'string' || item[key] === '') {
      throw new UserError(
        `${where} has no "${key}"; restore the entry, or regenerate the file with \`dbboundary baseline\`.`,
      );
    }
  }
  return {
    rule: item.rule as string,
    file: item.file as string,
    line: typeof item.line === 'number' ? item.line : 0,
    context: typeof item.context === 'string' ? item.context : null,
    targets: stringsOf(item.targets),
    ...(Array.isArray(item.tables) ? { tables: stringsOf(item.tables) } : {}),
    ...(typeof item.import === 'string' ? { import: item.import } : {}),
    fingerprint: item.fingerprint as string,
  };
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A baseline written by CI would accept every finding of the run that wrote it, new ones
 * included, so writing one there needs --force. CI=false or CI=0 is not CI.
 */
export function assertMayWriteBaseline(env: NodeJS.ProcessEnv, force: boolean): void {
  const ci = env.CI;
  if (force || ci === undefined || ci === '' || ci === 'false' || ci === '0') return;

  throw new UserError(
    `refusing to write a baseline in CI (CI=${ci}): it would accept every new finding of this run. Write it locally and commit it, or pass --force.`,
  );
}
