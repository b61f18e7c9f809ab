// Builds two PostgreSQL tables of N rows (default 1,000,000; pass 10000000 for the full run) that
// differ in 100 rows, then prints side by side: reconcile's time, the hash floor (one pass of the
// same row-hash expression over both tables at the same parallelism), a naive compare that
// fetches every row of both tables, and each one's peak memory. Each measure runs in its own
// process so that peak memory is its own. Needs `npm run build` first.
// Usage: node bench/reconcile-speed.mjs [rows] [jobs]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const CHILD = process.argv[2] === '--child';
const ROWS = Number((CHILD ? process.argv[7] : process.argv[2]) ?? 1_000_000);
const JOBS = Number((CHILD ? process.argv[6] : process.argv[3]) ?? 2);
const DIFFERENCES = 100;
const SERVER = process.env.DBBOUNDARY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SELF = fileURLToPath(import.meta.url);

function urlOf(database) {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return url.href;
}

async function sql(url, text) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

const TABLE = `
CREATE TABLE orders (
  id bigint PRIMARY KEY, ref uuid, customer text, total numeric(12,2), weight float8,
  created_at timestamptz, updated_at timestamptz, details jsonb
);
INSERT INTO orders
SELECT g, md5(g::text)::uuid, 'customer ' || (g % 100000), (g % 100000) / 100.0, g / 7.0,
  '2024-01-01'::timestamptz + g * interval '1 second', '2024-06-01'::timestamptz + g * interval '1 ms',
  jsonb_build_object('items', g % 10, 'note', 'n' || (g % 997))
FROM generate_series(1, ${ROWS}) g;
ANALYZE orders;
`;

/** 100 differences spread over the table: a third missing, a third extra, a third changed. */
function injected(rows) {
  const step = Math.floor(rows / DIFFERENCES);
  const ids = Array.from({ length: DIFFERENCES }, (_, i) => 1 + i * step + (i % 7));
  const missing = ids.filter((_, i) => i % 3 === 0);
  const changed = ids.filter((_, i) => i % 3 === 1);
  const extra = ids.filter((_, i) => i % 3 === 2).map((_, i) => rows + 1 + i * 1000);
  return `
    DELETE FROM orders WHERE id IN (${missing.join(',')});
    UPDATE orders SET total = total + 0.01 WHERE id IN (${changed.join(',')});
    INSERT INTO orders (id, customer) SELECT unnest(ARRAY[${extra.join(',')}]::bigint[]), 'extra';`;
}

async function setUp() {
  const name = `dbboundary_bench_${randomBytes(4).toString('hex')}`;
  const source = `${name}_a`;
  const target = `${name}_b`;
  await sql(SERVER, `CREATE DATABASE ${source}`);
  let started = Date.now();
  await sql(urlOf(source), TABLE);
  console.error(
    `built ${ROWS.toLocaleString('en-US')} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  started = Date.now();
  await sql(SERVER, `CREATE DATABASE ${target} TEMPLATE ${source}`);
  await sql(urlOf(target), injected(ROWS));
  await sql(urlOf(target), 'VACUUM ANALYZE orders');
  console.error(`copied and changed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { source, target };
}

/** One measure in a child process: it prints { seconds, rss, found } as its last line. */
function measure(kind, source, target) {
  const out = execFileSync(
    process.execPath,
    [SELF, '--child', kind, source, target, String(JOBS), String(ROWS)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

async function child(kind, source, target, jobs) {
  const started = Date.now();
  let found = 0;
  if (kind === 'reconcile') found = await runReconcile(source, target, jobs);
  if (kind === 'floor') await hashFloor(source, target, jobs);
  if (kind === 'naive') found = await naive(source, target);
  const seconds = (Date.now() - started) / 1000;
  console.log(JSON.stringify({ seconds, rss: process.resourceUsage().maxRSS / 1024, found }));
}

/** The pair both reconcile and the floor compare: orders against orders, keyed by its primary key. */
const PAIR = {
  table: 'orders',
  targetTable: 'orders',
  key: [],
  exclude: [],
  rename: {},
  filter: null,
  targetFilter: null,
  settle: null,
  tolerance: {},
  mode: 'auto',
};

async function runReconcile(source, target, jobs) {
  const { reconcile } = await import('../dist/reconcile/run.js');
  const { DEFAULT_RUN_OPTIONS } = await import('../dist/reconcile/types.js');
  const pair = { ...PAIR, source: urlOf(source), target: urlOf(target) };
  const options = { ...DEFAULT_RUN_OPTIONS, jobs, recheckDelaySeconds: 0, recheckRounds: 1 };
  const result = await reconcile([pair], options);
  const { missing, extra, changed } = result.tables[0].differences;
  return missing.length + extra.length + changed.length;
}

/** The same row-hash aggregate reconcile sends, once over each table, split over `jobs` ranges. */
async function hashFloor(source, target, jobs) {
  const { openSession } = await import('../dist/db/open-session.js');
  const { planPair } = await import('../dist/reconcile/plan.js');
  const { aggregateQuery } = await import('../dist/reconcile/sql.js');
  const sessions = [];
  for (let i = 0; i < jobs; i++) {
    sessions.push([
      await openSession(urlOf(source), 's', 600),
      await openSession(urlOf(target), 't', 600),
    ]);
  }
  const [a, b] = sessions[0];
  const plan = planPair(
    PAIR,
    { engine: a.engine, info: await a.describeTable('orders') },
    { engine: b.engine, info: await b.describeTable('orders') },
  );
  const step = Math.ceil(ROWS / jobs);
  const ranges = Array.from({ length: jobs }, (_, i) => ({
    lower: i === 0 ? null : [String(i * step + 1)],
    upper: i === jobs - 1 ? null : [String((i + 1) * step + 1)],
  }));
  await Promise.all(
    ranges.flatMap((range, i) => [
      sessions[i][0].query(
        aggregateQuery(plan.source, range).sql,
        aggregateQuery(plan.source, range).params,
      ),
      sessions[i][1].query(
        aggregateQuery(plan.target, range).sql,
        aggregateQuery(plan.target, range).params,
      ),
    ]),
  );
  await Promise.all(sessions.flat().map((session) => session.close()));
}

/** Fetches every row of both tables in key order through cursors and compares them in Node. */
async function naive(source, target) {
  const open = async (url) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('BEGIN READ ONLY');
    await client.query(
      'DECLARE c NO SCROLL CURSOR FOR SELECT o.id::text, o::text FROM orders o ORDER BY o.id',
    );
    return client;
  };
  const [a, b] = await Promise.all([open(urlOf(source)), open(urlOf(target))]);
  const fetch = async (client) =>
    (await client.query({ text: 'FETCH 20000 FROM c', rowMode: 'array' })).rows;
  let found = 0;
  let left = [];
  let right = [];
  let i = 0;
  let j = 0;
  for (;;) {
    if (i >= left.length) [left, i] = [await fetch(a), 0];
    if (j >= right.length) [right, j] = [await fetch(b), 0];
    if (left.length === 0 && right.length === 0) break;
    if (left.length === 0) {
      found += right.length - j;
      j = right.length;
      continue;
    }
    if (right.length === 0) {
      found += left.length - i;
      i = left.length;
      continue;
    }
    const x = BigInt(left[i][0]);
    const y = BigInt(right[j][0]);
    if (x < y) {
      found += 1;
      i += 1;
    } else if (y < x) {
      found += 1;
      j += 1;
    } else {
      if (left[i][1] !== right[j][1]) found += 1;
      i += 1;
      j += 1;
    }
  }
  await Promise.all([a.end(), b.end()]);
  return found;
}

async function main() {
  if (CHILD) {
    await child(process.argv[3], process.argv[4], process.argv[5], Number(process.argv[6]));
    return;
  }
  const { source, target } = await setUp();
  try {
    const results = {};
    for (const kind of ['floor', 'reconcile', 'naive']) {
      results[kind] = measure(kind, source, target);
      console.error(`${kind}: ${results[kind].seconds.toFixed(1)} s`);
    }
    const { floor, reconcile, naive: fetchAll } = results;
    const row = (name, r, note) =>
      `${name.padEnd(34)} ${r.seconds.toFixed(2).padStart(8)} s ${r.rss.toFixed(0).padStart(6)} MB  ${note}`;
    console.log(
      `\n${ROWS.toLocaleString('en-US')} rows per table, ${DIFFERENCES} injected differences, ${JOBS} connections per side`,
    );
    console.log(`${'measure'.padEnd(34)} ${'time'.padStart(10)} ${'peak RSS'.padStart(9)}`);
    console.log(row('hash floor (one pass, both tables)', floor, ''));
    console.log(
      row(
        'dbboundary reconcile',
        reconcile,
        `${reconcile.found} differences found; ${(reconcile.seconds / floor.seconds).toFixed(2)}x the floor (target <= 1.5x)`,
      ),
    );
    console.log(
      row(
        'naive compare (fetch every row)',
        fetchAll,
        `${fetchAll.found} differences found; reconcile is ${(fetchAll.seconds / reconcile.seconds).toFixed(1)}x faster (target >= 10x)`,
      ),
    );
  } finally {
    await sql(SERVER, `DROP DATABASE IF EXISTS ${source} WITH (FORCE)`);
    await sql(SERVER, `DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
  }
}

await main();
