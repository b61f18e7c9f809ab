import { createHash } from 'node:crypto';
import type { Finding } from '../check/findings.js';

/**
 * Baseline fingerprints. A finding is known by what it is, not where it is: its rule, file,
 * contexts, tables or import, and its statement's shape. Lines and columns are left out, so
 * edits that only move code keep every fingerprint. Two findings alike in all that (the same
 * query twice in a file) are told apart by their order in the file: the occurrence index.
 */

/** Changes whenever the parts below change, so old fingerprints never match by accident. */
const SCHEME = 'dbboundary-finding-1';

/** Everything that makes a finding the finding it is, lines excluded. */
export function findingKey(finding: Finding): string {
  return JSON.stringify([
    finding.rule,
    finding.file,
    finding.context,
    finding.targets,
    finding.tables,
    finding.import ?? null,
    finding.statement ?? null,
  ]);
}

/** The stable id of a finding, given its occurrence among findings with the same key. */
export function fingerprintOf(finding: Finding, occurrence: number): string {
  const hash = createHash('sha256').update(`${SCHEME}\n${findingKey(finding)}\n${occurrence}`);
  return hash.digest('hex').slice(0, 16);
}

/** The fingerprint of each finding, in the order given; occurrences count in file order. */
export function fingerprintAll(findings: Finding[]): string[] {
  const order = findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => a.finding.line - b.finding.line || a.finding.column - b.finding.column);

  const seen = new Map<string, number>();
  const fingerprints: string[] = new Array<string>(findings.length);
  for (const { finding, index } of order) {
    const key = findingKey(finding);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    fingerprints[index] = fingerprintOf(finding, occurrence);
  }
  return fingerprints;
}
