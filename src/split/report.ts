/** The split report as data, and its JSON and Markdown forms. Pure functions. */
import type { Coupling, Severity } from './couplings/index.js';
import type { ExternalReference } from './external.js';
import type { CronJobs, RoleSetting, SchemaModel } from './model.js';
import { qualified } from './model.js';
import type { Placement } from './placement.js';
import type { Plan } from './plan.js';
import { sequencesByTable } from './ddl.js';

export interface SplitReport {
  version: 1;
  /** Where the schema was read from: host:port/database, or the dump file. */
  source: string;
  contexts: { name: string; schema: string; role: string; tables: string[] }[];
  moves: {
    table: string;
    to: string;
    context: string;
    owner: string | null;
    partitions: string[];
    statistics: string[];
    /** Sequences that move with the table (serial, identity, OWNED BY). */
    sequences: string[];
  }[];
  couplings: Coupling[];
  /** The plan's steps in order. */
  steps: { id: string; title: string }[];
  /** search_path settings of roles before the split: code running as them resolves bare names. */
  roleSearchPaths: RoleSetting[];
  /** Moved tables named where PostgreSQL does not track names: pg_cron job commands. */
  externalReferences: ExternalReference[];
  /** Whether pg_cron's job table was read, and how many of its jobs run in this database. */
  cronJobs: { status: CronJobs['status']; jobs: number };
  summary: Record<Severity, number> & { couplings: number; moves: number; steps: number };
}

export function buildReport(
  source: string,
  model: SchemaModel,
  placement: Placement,
  couplings: Coupling[],
  plan: Plan,
  externalReferences: ExternalReference[],
): SplitReport {
  const owned = sequencesByTable(model);
  const count = (severity: Severity): number =>
    couplings.filter((c) => c.severity === severity).length;
  return {
    version: 1,
    source,
    contexts: placement.contexts.map((context) => ({
      ...context,
      tables: placement.moves
        .filter((move) => move.context === context.name)
        .map((move) => `${move.to}.${move.table.name}`),
    })),
    moves: placement.moves.map((move) => ({
      table: qualified(move.table),
      to: `${move.to}.${move.table.name}`,
      context: move.context,
      owner: move.table.owner,
      partitions: move.partitions.map(qualified),
      statistics: move.statistics.map(qualified),
      sequences: [move.table, ...move.partitions]
        .flatMap((t) => owned.get(qualified(t)) ?? [])
        .map(qualified)
        .sort(),
    })),
    couplings,
    steps: plan.steps.map((step) => ({ id: step.id, title: step.title })),
    roleSearchPaths: model.roleSettings,
    externalReferences,
    cronJobs: { status: model.cronJobs.status, jobs: model.cronJobs.jobs.length },
    summary: {
      couplings: couplings.length,
      high: count('high'),
      medium: count('medium'),
      low: count('low'),
      moves: placement.moves.length,
      steps: plan.steps.length,
    },
  };
}

export function formatReportJson(report: SplitReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function formatReportMarkdown(report: SplitReport): string {
  const lines = [
    '# Schema split report',
    '',
    `Source: ${report.source}. ${report.summary.moves} table(s) move in ${report.summary.steps} step(s); ${report.summary.couplings} coupling(s): ${report.summary.high} high, ${report.summary.medium} medium, ${report.summary.low} low.`,
    '',
    '## Contexts',
    '',
    '| context | schema | role | tables after the split |',
    '|---|---|---|---|',
    ...report.contexts.map(
      (c) =>
        `| ${c.name} | ${c.schema} | ${c.role} | ${c.tables.map(code).join(', ') || '(none move)'} |`,
    ),
    '',
    '## Couplings',
    '',
    ...(report.couplings.length === 0
      ? ['None found.', '']
      : report.couplings.flatMap(couplingLines)),
    ...externalLines(report),
    '## Plan',
    '',
    ...report.steps.map((step, index) => `${index + 1}. ${step.title} (\`${step.id}\`)`),
    '',
    '## Moves',
    '',
    ...report.moves.map((move) => {
      const extra = [
        move.partitions.length > 0 ? `partitions ${move.partitions.map(code).join(', ')}` : '',
        move.statistics.length > 0 ? `statistics ${move.statistics.map(code).join(', ')}` : '',
        move.sequences.length > 0
          ? `sequences ${move.sequences.map(code).join(', ')} (move with it)`
          : '',
      ].filter(Boolean);
      return `- ${code(move.table)} → ${code(move.to)}${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`;
    }),
    '',
  ];
  if (report.roleSearchPaths.length > 0) {
    lines.push(
      '## Role search_path before the split',
      '',
      ...report.roleSearchPaths.map(
        (s) => `- ${code(s.role)}${s.database ? ` in ${s.database}` : ''}: ${code(s.searchPath)}`,
      ),
      '',
    );
  }
  return lines.join('\n');
}

const CRON_STATUS: Record<CronJobs['status'], string> = {
  read: '',
  absent: 'The database has no pg_cron job table (cron.job).',
  unreadable:
    "The database has a pg_cron job table (cron.job), but the reading role may not select from it, so its jobs were not checked: grant SELECT on cron.job, or read the jobs' commands by hand.",
  'not read':
    "pg_cron jobs were not checked: job tables are data, which a schema file does not hold, so they were not read. Run split with --db to check them, or read the jobs' commands by hand.",
};

function externalLines(report: SplitReport): string[] {
  const { status, jobs } = report.cronJobs;
  const after = new Map(
    report.moves.flatMap((m) => [
      [m.table, m.to],
      ...m.partitions.map((p) => [
        p,
        `${m.to.slice(0, m.to.indexOf('.'))}.${p.slice(p.indexOf('.') + 1)}`,
      ]),
    ]) as [string, string][],
  );
  const cron =
    status === 'read'
      ? `${jobs} pg_cron job(s) of this database read; ${report.externalReferences.length} name a moved table or could not be parsed.`
      : CRON_STATUS[status];
  return [
    '## References outside the catalog',
    '',
    cron,
    '',
    'Application code is checked by `dbboundary check`, not here. ETL and BI configuration (dbt, Airflow, dashboards…) is not read: search it for the old table names by hand.',
    '',
    ...report.externalReferences.flatMap((ref) => [
      `### ${ref.source}${ref.contexts.length > 0 ? ` (${ref.contexts.join(', ')})` : ''}`,
      '',
      ref.unparsed != null
        ? `Not parsed: ${ref.unparsed}.`
        : `Names ${ref.objects.map((name) => `${code(name)} (after the split ${code(after.get(name) ?? name)})`).join(', ')}.`,
      '',
      `**What to do:** ${ref.advice}`,
      '',
    ]),
  ];
}

function couplingLines(c: Coupling): string[] {
  const contexts = c.contexts.length > 0 ? ` (${c.contexts.join(', ')})` : '';
  return [
    `### ${c.severity.toUpperCase()} ${c.kind}: ${code(c.objects[0]!)}${contexts}`,
    '',
    c.what,
    '',
    `**What to do:** ${c.advice}`,
    '',
    ...(c.objects.length > 1 ? [`Objects: ${c.objects.map(code).join(', ')}`, ''] : []),
  ];
}

function code(text: string): string {
  return `\`${text.replaceAll('`', "'")}\``;
}
