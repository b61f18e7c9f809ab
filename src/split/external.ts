/**
 * References to moved tables from text PostgreSQL does not track: pg_cron job commands. Each
 * command is parsed as SQL; unqualified names resolve through the job role's search_path when the
 * catalog records one for it, else through `public`.
 */
import { refsOfSql } from './bodies.js';
import type { CronJob, RoleSetting, SchemaModel } from './model.js';
import { qualified } from './model.js';
import type { Placement } from './placement.js';
import { relationIndex } from './resolve.js';

export interface ExternalReference {
  /** "pg_cron job nightly_rollup" (its jobid when it has no name). */
  source: string;
  /** Qualified names of the moved tables it names, as they are before the split. */
  objects: string[];
  contexts: string[];
  /** Why the text could not be parsed, or null. */
  unparsed: string | null;
  advice: string;
}

const ADVICE =
  'Rewrite the job to name the new schema-qualified table(s) before applying the plan: the compatibility view keeps the old names working only until the old schema is dropped.';

const UNPARSED_ADVICE =
  'Read this job by hand: its command is not SQL that PostgreSQL parses, so the tables it names are unknown. Rewrite any moved table it names to its new schema-qualified name before applying the plan.';

export function findExternalReferences(
  model: SchemaModel,
  placement: Placement,
): ExternalReference[] {
  const moved = movedTables(placement);
  const relations = relationIndex(model);
  const found: ExternalReference[] = [];

  for (const job of model.cronJobs.jobs) {
    const source = `pg_cron job ${job.name ?? job.id}`;
    let refs: ReturnType<typeof refsOfSql>;
    try {
      refs = refsOfSql(job.command);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      found.push({ source, objects: [], contexts: [], unparsed: reason, advice: UNPARSED_ADVICE });
      continue;
    }

    const path = searchPathOf(job, model.roleSettings);
    const objects = new Set<string>();
    for (const ref of refs) {
      const schema = ref.schema ?? path.find((s) => relations.has(`${s}.${ref.name}`));
      const name = schema == null ? null : qualified({ schema, name: ref.name });
      if (name != null && moved.has(name)) objects.add(name);
    }
    if (objects.size === 0) continue;

    const names = [...objects].sort();
    const contexts = [...new Set(names.map((name) => moved.get(name)!))].sort();
    found.push({ source, objects: names, contexts, unparsed: null, advice: ADVICE });
  }
  return found;
}

/** Every table the plan moves, partitions included, by its qualified name before the split. */
function movedTables(placement: Placement): Map<string, string> {
  const moved = new Map<string, string>();
  for (const move of placement.moves) {
    for (const table of [move.table, ...move.partitions]) moved.set(qualified(table), move.context);
  }
  return moved;
}

/**
 * The job role's search_path (a setting for this database wins over one for every database),
 * else `public`. `$user` becomes the role's name.
 */
function searchPathOf(job: CronJob, settings: RoleSetting[]): string[] {
  const own = settings
    .filter((s) => s.role === job.username)
    .sort((a, b) => (a.database == null ? 1 : 0) - (b.database == null ? 1 : 0))[0];
  if (own == null) return ['public'];
  return own.searchPath
    .split(',')
    .map((part) => part.trim().replace(/^"(.*)"$/, '$1'))
    .map((part) => (part === '$user' ? (job.username ?? '') : part))
    .filter((part) => part !== '' && part !== 'pg_catalog');
}
