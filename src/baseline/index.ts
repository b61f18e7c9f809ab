/** The baseline: known findings, checked in, so that check fails only on new ones. */
export {
  BASELINE_VERSION,
  DEFAULT_BASELINE_FILE,
  assertMayWriteBaseline,
  createBaseline,
  readBaseline,
  serializeBaseline,
} from './file.js';
export type { Baseline, BaselineEntry } from './file.js';
export { baselineFails, compareWithBaseline, formatBaselineDelta } from './compare.js';
export type { BaselineComparison, BaselineScope, DeltaOptions } from './compare.js';
export { fingerprintAll, fingerprintOf, findingKey } from './fingerprint.js';
