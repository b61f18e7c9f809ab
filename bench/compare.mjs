// Side by side, in one run, on one generated tree shaped like a service monorepo (one file in
// five holds SQL): a bare parse of the same files with the TypeScript compiler (the floor),
// dependency-cruiser, and dbboundary check cold (empty cache), warm (nothing changed) and with
// --staged on five changed files. Prints wall time, peak memory and the ratios.
// Usage: node bench/compare.mjs [files] [runs]
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FILES = Number(process.argv[2] ?? 7000);
const RUNS = Number(process.argv[3] ?? 3);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(HERE, '../bin/dbboundary.js');
const DEPCRUISE = path.join(HERE, '../node_modules/.bin/depcruise');
const SERVICES = [
  'billing',
  'catalog',
  'checkout',
  'customers',
  'fulfilment',
  'identity',
  'orders',
];
const CONTEXTS_PER_SERVICE = 4;

const FLOOR_SCRIPT = `
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
let nodes = 0;
for (const file of walk(process.argv[2])) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const visit = (node) => { nodes++; ts.forEachChild(node, visit); };
  visit(source);
}
console.log(nodes);
`;

function fileText(service, context, index) {
  const other = SERVICES[(SERVICES.indexOf(service) + 1 + (index % 3)) % SERVICES.length];
  const lines = [
    `import { Pool } from 'pg';`,
    `import { logger } from '@shop/platform/logger';`,
    `import type { Money } from '../../shared/money';`,
    `import { helper } from './helpers/helper-${index % 5}';`,
    index % 40 === 0
      ? `import { internal } from '../../../../${other}/src/modules/m0/repo-1';`
      : '',
    '',
    `export class ${context}Repository${index} {`,
    `  constructor(private readonly pool: Pool) {}`,
    '',
    `  async byId(id: string) {`,
    // About one file in five is a repository that holds SQL, as in real service code; the rest
    // are services, handlers and types that only import.
    ...(index % 5 === 0
      ? [
          `    const { rows } = await this.pool.query(`,
          `      \`SELECT t.id, t.total, t.updated_at FROM ${service}.${context}_${index % 9} t`,
          `       WHERE t.id = $1::uuid AND t.deleted_at IS NULL\`,`,
          `      [id],`,
          `    );`,
        ]
      : [`    const rows = await helper(id.length) > 0 ? [] : [];`]),
    `    logger.debug('loaded ${service}.${context}_${index % 9}', { id });`,
    `    return rows[0] as { id: string; total: Money } | undefined;`,
    `  }`,
  ];
  if (index % 30 === 0) {
    lines.push(
      `  report() {`,
      `    return this.pool.query(\`SELECT a.id FROM ${service}.${context}_1 a JOIN ${other}.m0_2 b ON b.id = a.id\`);`,
      `  }`,
    );
  }
  for (let i = 0; i < 10; i++) {
    lines.push(
      `  step${i}(input: { value: number }): number {`,
      `    const label = \`step \${input.value}\`;`,
      `    return helper(label.length) * ${i} + input.value;`,
      `  }`,
    );
  }
  lines.push('}', '');
  return lines.join('\n');
}

function generate(root) {
  const perService = Math.ceil(FILES / SERVICES.length);
  const perContext = Math.ceil(perService / CONTEXTS_PER_SERVICE);
  const contexts = [];
  let written = 0;
  const write = (file, text) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    written++;
  };
  write(
    path.join(root, 'packages/platform/src/logger.ts'),
    'export const logger = { debug: (..._a: unknown[]) => {} };\n',
  );
  for (const service of SERVICES) {
    const base = path.join(root, 'packages', service, 'src');
    write(path.join(base, 'shared/money.ts'), 'export type Money = { cents: number };\n');
    for (let c = 0; c < CONTEXTS_PER_SERVICE; c++) {
      const context = `m${c}`;
      const dir = path.join(base, 'modules', context);
      for (let h = 0; h < 5; h++) {
        write(
          path.join(dir, `helpers/helper-${h}.ts`),
          'export const helper = (n: number) => n + 1;\n',
        );
      }
      write(path.join(dir, 'index.ts'), `export * from './repo-0';\n`);
      for (let i = 0; i < perContext - 6 && written < FILES; i++) {
        write(path.join(dir, `repo-${i}.ts`), fileText(service, context, i));
      }
      contexts.push(
        `  ${service}-${context}:\n    code: ["packages/${service}/src/modules/${context}/**"]\n    tables: ["${service}.${context}_*"]\n    public: ["packages/${service}/src/modules/${context}/index.ts"]`,
      );
    }
  }
  writeFileSync(
    path.join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { baseUrl: '.', paths: { '@shop/platform/*': ['packages/platform/src/*'] } },
    }),
  );
  writeFileSync(
    path.join(root, 'dbboundary.yaml'),
    `version: 1\ncontexts:\n${contexts.join('\n')}\n`,
  );
  return written;
}

/** Wall seconds and peak resident memory of one command, from GNU time. */
function measure(command, args, cwd) {
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], {
    cwd,
    maxBuffer: 1 << 28,
  });
  const lines = run.stderr.toString().trim().split('\n');
  const [seconds, kilobytes] = lines.at(-1).split(' ').map(Number);
  return { seconds, mib: kilobytes / 1024, status: run.status };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const root = process.env.BENCH_KEEP ?? mkdtempSync(path.join(tmpdir(), 'dbboundary-compare-'));
const cacheDir = path.join(root, '.bench-cache');
const git = (...args) =>
  spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args], {
    cwd: root,
  });

/** Changes and stages five files, each differently per run, so the cache has not seen them. */
function stageFiveFiles(run) {
  const files = git('ls-files', 'packages/*/src/modules/m1/repo-1*.ts')
    .stdout.toString()
    .trim()
    .split('\n')
    .slice(0, 5);
  for (const file of files) appendFileSync(path.join(root, file), `// edit ${run}\n`);
  git('add', ...files);
  return files.length;
}

try {
  const files = generate(root);
  writeFileSync(path.join(root, 'floor.mjs'), FLOOR_SCRIPT);
  writeFileSync(path.join(root, '.gitignore'), 'node_modules\n.bench-cache\nfloor.mjs\n');
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'generated');
  const check = ['check', '--format', 'json', '--cache-dir', cacheDir];
  let staged = 0;
  const contenders = [
    [
      'floor: TypeScript parse',
      'node',
      [path.join(root, 'floor.mjs'), path.join(root, 'packages')],
    ],
    [
      'check, cold (empty cache)',
      'node',
      [BIN, ...check],
      () => rmSync(cacheDir, { recursive: true, force: true }),
    ],
    ['check, warm (cached)', 'node', [BIN, ...check]],
    [
      'check --staged, 5 files',
      'node',
      [BIN, ...check, '--staged'],
      (run) => (staged = stageFiveFiles(run)),
    ],
  ];
  if (existsSync(DEPCRUISE)) {
    contenders.push([
      'dependency-cruiser',
      DEPCRUISE,
      [
        'packages',
        '--no-config',
        '--output-type',
        'json',
        '--ts-config',
        'tsconfig.json',
        '--include-only',
        '\\.ts$',
      ],
    ]);
  }

  // ts-morph must resolve from the tree for the floor script: link this package's node_modules.
  spawnSync('ln', ['-s', path.join(HERE, '../node_modules'), path.join(root, 'node_modules')]);
  const results = new Map(contenders.map(([name]) => [name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const [name, command, args, before] of contenders) {
      before?.(run);
      results.get(name).push(measure(command, args, root));
    }
  }

  console.log(
    `tree: ${files} TypeScript files in ${SERVICES.length} services, ${SERVICES.length * CONTEXTS_PER_SERVICE} contexts; ${staged} files staged; ${RUNS} runs each, round-robin`,
  );
  const floor = median(results.get('floor: TypeScript parse').map((r) => r.seconds));
  const depcruise = results.has('dependency-cruiser')
    ? median(results.get('dependency-cruiser').map((r) => r.seconds))
    : null;
  for (const [name, runs] of results) {
    const seconds = median(runs.map((r) => r.seconds));
    const mib = Math.max(...runs.map((r) => r.mib));
    const versus =
      depcruise == null || name === 'dependency-cruiser'
        ? ''
        : `  ${(depcruise / seconds).toFixed(1).padStart(5)}x faster than dependency-cruiser`;
    console.log(
      `${name.padEnd(26)} ${seconds.toFixed(2).padStart(6)} s  ${mib.toFixed(0).padStart(5)} MiB peak  ${(seconds / floor).toFixed(2)}x floor${versus}  (exit ${runs[0].status})`,
    );
  }
  if (!existsSync(DEPCRUISE)) {
    console.log('dependency-cruiser: not installed (npm install), left out');
  }
} finally {
  if (!process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true });
}
