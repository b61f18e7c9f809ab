import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SplitReport } from '../../src/split/report.js';
import { createTempDatabase, dropDatabase, withClient } from '../helpers/pg.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTree } from '../helpers/tempdir.js';
import { FIXTURE_DIR, FIXTURE_SQL } from './helpers.js';

/** pg_cron's job table as the extension makes it, made by hand. */
const CRON_TABLE = `CREATE SCHEMA cron;
CREATE TABLE cron.job (jobid bigserial primary key, schedule text, command text, database text, jobname text);`;

interface Split {
  report: SplitReport;
  markdown: string;
}

/** Splits a fresh copy of the shop schema whose cron.job holds `jobs` (name, command). */
async function splitWithJobs(jobs: [name: string | null, command: string][]): Promise<Split> {
  const db = await createTempDatabase('dbboundary_cron');
  try {
    await withClient(db.url, async (client) => {
      await client.query(FIXTURE_SQL);
      await client.query(CRON_TABLE);
      for (const [name, command] of jobs) {
        await client.query(
          `INSERT INTO cron.job (schedule, command, database, jobname) VALUES ('0 3 * * *', $1, current_database(), $2)`,
          [command, name],
        );
      }
    });
    const out = makeTree({});
    const run = await runCli(['split', '--db', db.url, '--out', out], { cwd: FIXTURE_DIR });
    if (run.exitCode !== 1) throw new Error(`split failed: ${run.stderr}`);
    return {
      report: JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as SplitReport,
      markdown: readFileSync(path.join(out, 'report.md'), 'utf8'),
    };
  } finally {
    await dropDatabase(db.name);
  }
}

const ADVICE =
  /before applying the plan: the compatibility view keeps the old names working only until the old schema is dropped/;

describe('split: references outside the catalog', () => {
  it('lists the pg_cron job that names a moved table, not the one that names a table that stays', async () => {
    const { report, markdown } = await splitWithJobs([
      ['purge_clients', `DELETE FROM clients WHERE created < now() - interval '1 year'`],
      ['vacuum_settings', 'UPDATE settings SET value = now()::text WHERE key = $$last$$'],
    ]);

    expect(report.externalReferences).toEqual([
      {
        source: 'pg_cron job purge_clients',
        objects: ['public.clients'],
        contexts: ['crm'],
        unparsed: null,
        advice: expect.stringMatching(ADVICE) as string,
      },
    ]);
    expect(report.couplings.map((c) => c.kind)).not.toContain('external');
    expect(markdown).toContain('## References outside the catalog');
    expect(markdown).toContain('2 pg_cron job(s) of this database read');
    expect(markdown).toContain('### pg_cron job purge_clients (crm)');
    expect(markdown).toContain('Names `public.clients` (after the split `crm.clients`).');
    expect(markdown).toContain('Application code is checked by `dbboundary check`');
    expect(markdown).toContain('ETL and BI configuration');
  });

  it('lists a job whose text does not parse as unparsed, and finds schema-qualified names', async () => {
    const { report } = await splitWithJobs([
      [null, 'SELECT count(*) FROM clients'],
      ['totals', 'INSERT INTO public.bills (id) SELECT id FROM public.purchases'],
      ['broken', 'SELEC oops FROM'],
    ]);

    expect(report.externalReferences.map((r) => [r.source, r.objects, r.unparsed])).toEqual([
      ['pg_cron job 1', ['public.clients'], null],
      ['pg_cron job totals', ['public.bills', 'public.purchases'], null],
      ['pg_cron job broken', [], expect.stringContaining('syntax error')],
    ]);
    expect(report.externalReferences[1]!.contexts).toEqual(['billing', 'sales']);
  });

  it('says that a schema file holds no job tables, so none were read', async () => {
    const root = makeTree({
      'dbboundary.yaml':
        'version: 1\ndialect: postgresql\ncontexts:\n  shop:\n    code: [src/**]\n    tables: [orders]\n',
      'dump.sql': 'CREATE TABLE public.orders (id int);\n',
    });
    const run = await runCli(['split', '--schema-file', 'dump.sql', '--out', 'out'], { cwd: root });
    expect(run.stderr).toBe('');
    const markdown = readFileSync(path.join(root, 'out', 'report.md'), 'utf8');
    expect(markdown).toContain(
      'job tables are data, which a schema file does not hold, so they were not read',
    );
    const report = JSON.parse(
      readFileSync(path.join(root, 'out', 'report.json'), 'utf8'),
    ) as SplitReport;
    expect(report.externalReferences).toEqual([]);
  });
});
