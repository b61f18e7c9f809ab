// Generates a shared schema of N tables (default 2,000) in 20 contexts, with foreign keys, views
// and PL/pgSQL functions across contexts, in a scratch PostgreSQL database, then times how long
// `dbboundary split` takes to read it (from the live catalog, and from its pg_dump --schema-only
// file) and to plan it. Needs a built tree (npm run build) and PostgreSQL; the scratch database
// is dropped afterwards.
// Usage: node bench/split-speed.mjs [tables] [runs]   (DBBOUNDARY_TEST_PG_URL picks the server)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { readCatalog } from '../dist/db/catalog.js';
import { readDumpFile } from '../dist/split/dump.js';
import { loadSplitConfig, planSplit } from '../dist/split/index.js';

const TABLES = Number(process.argv[2] ?? 2000);
const RUNS = Number(process.argv[3] ?? 3);
const CONTEXTS = 20;
const ADMIN_URL = process.env.DBBOUNDARY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const context = (i) => `c${String(i % CONTEXTS).padStart(2, '0')}`;
const table = (i) => `${context(i)}_t${String(i).padStart(5, '0')}`;

/**
 * Every table references the one before it (a cross-context FK each time the context changes).
 * In batches: one transaction creating thousands of tables runs out of lock slots.
 */
function schemaBatches() {
  const lines = [`CREATE TYPE public.state AS ENUM ('new', 'done');`];
  for (let i = 0; i < TABLES; i++) {
    const ref = i > 0 ? `, ref_id bigint REFERENCES public.${table(i - 1)} (id)` : '';
    lines.push(
      `CREATE TABLE public.${table(i)} (id bigserial PRIMARY KEY, state public.state, name text NOT NULL${ref});`,
      `CREATE INDEX ON public.${table(i)} (name);`,
    );
  }
  for (let i = 1; i < TABLES; i += 10) {
    lines.push(
      `CREATE VIEW public.v_${table(i)} AS SELECT a.id, a.name, b.name AS other FROM public.${table(i)} a JOIN public.${table(i - 1)} b ON b.id = a.ref_id;`,
      `CREATE FUNCTION public.f_${table(i)}(p bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  SELECT count(*) INTO n FROM public.${table(i)} a JOIN ${table(i - 1)} b ON b.id = a.ref_id WHERE a.id = p;
  UPDATE public.${table(i)} SET name = name WHERE id = p;
  RETURN n;
END $$;`,
    );
  }
  const batches = [];
  for (let i = 0; i < lines.length; i += 200) batches.push(lines.slice(i, i + 200).join('\n'));
  return batches;
}

function contextMap() {
  const contexts = Array.from({ length: CONTEXTS }, (_, i) => context(i));
  return [
    'version: 1',
    'dialect: postgresql',
    'defaultSchema: public',
    'contexts:',
    ...contexts.flatMap((c) => [`  ${c}:`, `    code: ["src/${c}/**"]`, `    tables: ["${c}_*"]`]),
    '',
  ].join('\n');
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function timed(fn) {
  let best = Infinity;
  let result;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    result = await fn();
    best = Math.min(best, performance.now() - start);
  }
  return { ms: best, result };
}

const name = `dbboundary_bench_${randomBytes(5).toString('hex')}`;
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
const work = mkdtempSync(path.join(tmpdir(), 'dbboundary-split-bench-'));

await withClient(ADMIN_URL, (c) => c.query(`CREATE DATABASE ${name}`));
try {
  const started = performance.now();
  await withClient(url.href, async (c) => {
    for (const batch of schemaBatches()) await c.query(batch);
  });
  const built = performance.now() - started;

  writeFileSync(path.join(work, 'dbboundary.yaml'), contextMap());
  const map = loadSplitConfig(undefined, work);
  const dumpFile = path.join(work, 'schema.sql');
  writeFileSync(
    dumpFile,
    execFileSync('pg_dump', ['--schema-only', `--dbname=${url.href}`], { maxBuffer: 1 << 28 }),
  );

  const live = await timed(() => readCatalog(url.href));
  const dump = await timed(() => readDumpFile(dumpFile));
  const planned = await timed(() => planSplit(live.result, map, 'bench'));
  const { summary } = planned.result.report;

  const model = live.result;
  console.log(
    `Schema: ${model.tables.length} tables, ${model.foreignKeys.length} foreign keys, ${model.views.length} views, ${model.functions.length} functions, ${CONTEXTS} contexts (built in ${(built / 1000).toFixed(1)} s).`,
  );
  console.log(`Best of ${RUNS} runs:`);
  console.log(`  introspection (live catalog, read-only): ${live.ms.toFixed(0)} ms`);
  console.log(`  reading the pg_dump --schema-only file:  ${dump.ms.toFixed(0)} ms`);
  console.log(`  planning (couplings, plan, DDL, report): ${planned.ms.toFixed(0)} ms`);
  console.log(
    `Plan: ${summary.steps} steps moving ${summary.moves} tables; ${summary.couplings} couplings (${summary.high} high, ${summary.medium} medium, ${summary.low} low).`,
  );
} finally {
  await withClient(ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  rmSync(work, { recursive: true, force: true });
}
