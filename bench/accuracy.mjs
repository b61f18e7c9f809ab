// Runs `check` over every labelled fixture and prints recall and precision per rule.
// A labelled fixture is a folder holding dbboundary.yaml and expected.json: the findings check
// must report there, one object each, as in fixtures/shop/expected.json:
//   {"rule", "file", "line", "column", "allowed"} and, when given, "context", "targets",
//   "tables" and "access", which must then match too.
// Suppressed findings are left out of both sides. Uses the build: npm run accuracy [-- <folder>]
// Exits 1 when a rule falls below 1.00 on either figure, so CI can run it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const FIXTURES = path.resolve(process.argv[2] ?? path.join(ROOT, 'fixtures'));
const { runCheck } = await import(new URL('../dist/check/run.js', import.meta.url).href);

/** Folders under `folder` with both files, found at any depth. */
function labelledFixtures(folder) {
  const found = [];
  const walk = (dir) => {
    if (
      existsSync(path.join(dir, 'expected.json')) &&
      existsSync(path.join(dir, 'dbboundary.yaml'))
    ) {
      found.push(dir);
    }
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(path.join(dir, entry.name));
    }
  };
  walk(folder);
  return found.sort();
}

const OPTIONAL_FIELDS = ['context', 'targets', 'tables', 'access'];

function sameValue(a, b) {
  const norm = (value) => (Array.isArray(value) ? [...value].sort() : value);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** An expected entry matches a reported finding at the same place with every field it names. */
function matches(expected, actual) {
  return (
    expected.rule === actual.rule &&
    expected.file === actual.file &&
    expected.line === actual.line &&
    expected.column === actual.column &&
    (expected.allowed ?? false) === actual.allowed &&
    OPTIONAL_FIELDS.every(
      (field) => !(field in expected) || sameValue(expected[field], actual[field]),
    )
  );
}

async function scoreFixture(folder) {
  const expected = JSON.parse(readFileSync(path.join(folder, 'expected.json'), 'utf8'));
  const started = performance.now();
  const result = await runCheck({ config: 'dbboundary.yaml', cwd: folder });
  const elapsed = performance.now() - started;
  const actual = [
    ...result.findings.map((finding) => ({ ...finding, allowed: false })),
    ...result.allowed.map((finding) => ({ ...finding, allowed: true })),
  ];

  const unmatched = [...actual];
  const missed = [];
  const matched = [];
  for (const entry of expected) {
    const index = unmatched.findIndex((finding) => matches(entry, finding));
    if (index < 0) missed.push(entry);
    else matched.push(unmatched.splice(index, 1)[0]);
  }
  return { folder, matched, missed, extra: unmatched, elapsed };
}

function tally(scores) {
  const byRule = new Map();
  const count = (rule, field) => {
    const row = byRule.get(rule) ?? { matched: 0, missed: 0, extra: 0 };
    row[field] += 1;
    byRule.set(rule, row);
  };
  for (const score of scores) {
    for (const field of ['matched', 'missed', 'extra']) {
      for (const finding of score[field]) count(finding.rule, field);
    }
  }
  return [...byRule].sort(([a], [b]) => a.localeCompare(b));
}

function ratio(part, whole) {
  return whole === 0 ? 1 : part / whole;
}

const scores = [];
for (const folder of labelledFixtures(FIXTURES)) scores.push(await scoreFixture(folder));
if (scores.length === 0) {
  console.error(`No labelled fixture (dbboundary.yaml + expected.json) under ${FIXTURES}.`);
  process.exit(2);
}

console.log(`${scores.length} labelled fixtures under ${path.relative(ROOT, FIXTURES) || '.'}:`);
for (const score of scores) {
  const name = path.relative(FIXTURES, score.folder) || '.';
  const total = score.matched.length + score.missed.length;
  console.log(
    `  ${name}: ${score.matched.length}/${total} expected found, ${score.extra.length} unexpected, ${score.elapsed.toFixed(0)} ms`,
  );
}

console.log('');
console.log(
  `${'rule'.padEnd(28)}${'expected'.padStart(9)}${'reported'.padStart(9)}${'recall'.padStart(8)}${'precision'.padStart(11)}`,
);
let perfect = true;
for (const [rule, row] of tally(scores)) {
  const recall = ratio(row.matched, row.matched + row.missed);
  const precision = ratio(row.matched, row.matched + row.extra);
  if (recall < 1 || precision < 1) perfect = false;
  console.log(
    `${rule.padEnd(28)}${String(row.matched + row.missed).padStart(9)}${String(row.matched + row.extra).padStart(9)}${recall.toFixed(2).padStart(8)}${precision.toFixed(2).padStart(11)}`,
  );
}

const describe = (finding) =>
  `${finding.rule} ${finding.file}:${finding.line}:${finding.column}${finding.allowed ? ' (allowed)' : ''}`;
for (const score of scores) {
  const name = path.relative(FIXTURES, score.folder) || '.';
  for (const finding of score.missed) console.log(`missed     ${name}: ${describe(finding)}`);
  for (const finding of score.extra) console.log(`unexpected ${name}: ${describe(finding)}`);
}
process.exitCode = perfect ? 0 : 1;
