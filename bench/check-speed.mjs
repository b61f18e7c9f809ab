// Generates a service monorepo of N TypeScript files with SQL and imports, runs `dbboundary check`
// on it a few times without its cache (every file parsed), and prints files per second.
// Usage: npm run bench [-- <files> <runs>]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FILES = Number(process.argv[2] ?? 5000);
const RUNS = Number(process.argv[3] ?? 3);
const CONTEXTS = 20;
const BIN = fileURLToPath(new URL('../bin/dbboundary.js', import.meta.url));

function contextName(index) {
  return `ctx${String(index).padStart(2, '0')}`;
}

function fileText(context, index, contexts) {
  const own = contextName(context);
  const other = contextName((context + 1 + (index % (contexts - 1))) % contexts);
  const lines = [
    `import { Pool } from 'pg';`,
    `import { helper${index % 7} } from '../../shared/helpers';`,
    `import { api } from '../${other}/api';`,
    index % 50 === 0 ? `import { internal } from '../${other}/repo-${index - 1}';` : '',
    `import type { Row } from './types';`,
    '',
    `export class Repository${index} {`,
    `  constructor(private readonly pool: Pool) {}`,
    '',
    `  async find(id: string) {`,
    `    const { rows } = await this.pool.query(`,
    `      \`SELECT t.id, t.name, t.updated_at FROM ${own}.items_${index % 13} t`,
    `       WHERE t.id = $1::uuid AND t.deleted_at IS NULL\`,`,
    `      [id],`,
    `    );`,
    `    return rows[0] as Row | undefined;`,
    `  }`,
    '',
    `  async save(row: Row) {`,
    `    await this.pool.query(`,
    `      'INSERT INTO ${own}.items_${index % 13} (id, name) VALUES ($1, $2) ' +`,
    `        'ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name',`,
    `      [row.id, row.name],`,
    `    );`,
    `  }`,
    index % 25 === 0
      ? `  report() { return this.pool.query('SELECT * FROM ${own}.items_1 a JOIN ${other}.items_2 b ON b.id = a.id'); }`
      : '',
  ];
  for (let i = 0; i < 12; i++) {
    lines.push(
      `  method${i}(input: { value: number }): number {`,
      `    const label = \`item \${input.value}\`;`,
      `    logger.info('loaded ${own}.items_${i}', { label });`,
      `    return input.value * ${i} + helper${index % 7}(label.length);`,
      `  }`,
    );
  }
  lines.push('}', '');
  return lines.join('\n');
}

function generate(root) {
  const perContext = Math.ceil(FILES / CONTEXTS);
  const contexts = [];
  mkdirSync(path.join(root, 'src/shared'), { recursive: true });
  writeFileSync(
    path.join(root, 'src/shared/helpers.ts'),
    'export const helper0 = (n: number) => n;\n',
  );
  let written = 1;
  for (let c = 0; c < CONTEXTS; c++) {
    const name = contextName(c);
    const dir = path.join(root, 'src/contexts', name);
    mkdirSync(path.join(dir, 'api'), { recursive: true });
    writeFileSync(path.join(dir, 'api/index.ts'), 'export const api = {};\n');
    writeFileSync(
      path.join(dir, 'types.ts'),
      'export interface Row { id: string; name: string }\n',
    );
    written += 2;
    for (let i = 0; i < perContext && written < FILES; i++, written++) {
      writeFileSync(path.join(dir, `repo-${i}.ts`), fileText(c, i, CONTEXTS));
    }
    contexts.push(
      `  ${name}:\n    code: ["src/contexts/${name}/**"]\n    tables: ["${name}.*"]\n    public: ["src/contexts/${name}/api/**"]`,
    );
  }
  writeFileSync(
    path.join(root, 'dbboundary.yaml'),
    `version: 1\ncontexts:\n${contexts.join('\n')}\n`,
  );
  return written;
}

function timeCheck(root) {
  const started = process.hrtime.bigint();
  const run = spawnSync('node', [BIN, 'check', '--format', 'json', '--no-cache'], {
    cwd: root,
    maxBuffer: 1 << 28,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 1) throw new Error(`check exited ${run.status}: ${run.stderr}`);
  const summary = JSON.parse(run.stdout.toString()).summary;
  return { seconds, summary };
}

// BENCH_KEEP=<folder> writes the tree there and keeps it, for profiling.
const keep = process.env.BENCH_KEEP;
const root = keep ?? mkdtempSync(path.join(tmpdir(), 'dbboundary-bench-'));
try {
  const files = generate(root);
  execFileSync('node', [BIN, '--version']);
  const times = [];
  let summary;
  for (let run = 0; run < RUNS; run++) {
    const result = timeCheck(root);
    times.push(result.seconds);
    summary = result.summary;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `tree: ${files} files, ${summary.statements} SQL statements, ${summary.imports} imports`,
  );
  console.log(`findings: ${summary.errors} errors, ${summary.warnings} warnings`);
  console.log(`check wall time, ${RUNS} runs: ${times.map((t) => t.toFixed(2)).join(' s, ')} s`);
  console.log(`median: ${median.toFixed(2)} s = ${Math.round(files / median)} files/s`);
} finally {
  if (!keep) rmSync(root, { recursive: true, force: true });
}
