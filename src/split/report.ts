/** The split report as data, and its JSON and Markdown forms. Pure functions. */
import type { Coupling, Severity } from './couplings/index.js';
import type { RoleSetting, SchemaModel } from './model.js';
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
  summary: Record<Severity, number> & { couplings: number; moves: number; steps: number };
}

export function buildReport(
  source: string,
  model: SchemaModel,
  placement: Placement,
  couplings: Coupling[],
  plan: Plan,
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
