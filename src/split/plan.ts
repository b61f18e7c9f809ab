/**
 * The migration to per-context schemas as ordered steps, each with deploy, revert and verify SQL
 * (the shape Sqitch uses). Every script can run again without harm, takes locks with a timeout,
 * and never drops a table, a column or a row: revert drops only what deploy created (schemas
 * once empty, compatibility views).
 */
import type { GrantInfo, Rel, SchemaModel, TableInfo } from './model.js';
import { qualified } from './model.js';
import type { ContextTarget, Move, Placement } from './placement.js';
import type { RoleGrant } from './role-grants.js';
import { contextRoleGrants } from './role-grants.js';
import {
  doBlock,
  fail,
  grantee,
  ident,
  literal,
  rel,
  relationIs,
  statisticsExists,
} from './sql.js';

export interface PlanStep {
  /** Position and name, e.g. 03-move-public.clients; also the scripts' file name. */
  id: string;
  title: string;
  deploy: string;
  revert: string;
  verify: string;
}

export interface Plan {
  version: 1;
  steps: PlanStep[];
}

/** How long a step waits for a lock before it gives up (and --apply retries). */
export const LOCK_TIMEOUT = '5s';

/** Privileges a compatibility view passes on from its table. */
const VIEW_PRIVILEGES = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE']);

const PREAMBLE = `-- Run inside one transaction (dbboundary split --apply does; with psql, use --single-transaction).\nSET LOCAL lock_timeout = '${LOCK_TIMEOUT}';`;

export function buildPlan(model: SchemaModel, placement: Placement): Plan {
  const drafts = [
    schemasStep(placement.contexts, existingSchemas(model)),
    grantsStep(model, placement),
    ...placement.moves.map((move) =>
      moveStep(model, move, contextRoleGrants(model, placement, move)),
    ),
    searchPathStep(model, placement),
  ];
  const width = String(drafts.length).length;
  const steps = drafts.map((draft, index) => ({
    ...draft,
    // The id names the step's script files: anything but letters, digits, _ . - becomes _.
    id: `${String(index + 1).padStart(width, '0')}-${draft.id.replace(/[^\w.-]/g, '_')}`,
  }));
  return { version: 1, steps };
}

/**
 * Schemas the database has before the split: public (which pg_dump does not create), every schema
 * the source creates, and every schema that holds a table.
 */
function existingSchemas(model: SchemaModel): Set<string> {
  return new Set(['public', ...model.schemas, ...model.tables.map((table) => table.schema)]);
}

/** Only schemas the plan creates are dropped on revert; one that was there before stays. */
function schemasStep(contexts: ContextTarget[], existing: Set<string>): PlanStep {
  const created = contexts.filter((c) => !existing.has(c.schema));
  const deploy = [
    ...created.map((c) => `CREATE SCHEMA IF NOT EXISTS ${ident(c.schema)};`),
    ...contexts.map((c) =>
      doBlock([
        `IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ${literal(c.role)}) THEN`,
        `  CREATE ROLE ${ident(c.role)} NOLOGIN;`,
        `END IF;`,
        // Roles are shared by every database of the server; another session may make it first.
        `EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;`,
      ]),
    ),
  ];
  const revert = [
    '-- Schemas are dropped only when empty; roles belong to the whole server and stay.',
    ...created.map((c) => `DROP SCHEMA IF EXISTS ${ident(c.schema)} RESTRICT;`),
  ];
  const verify = doBlock(
    contexts.flatMap((c) => [
      `IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ${literal(c.schema)}) THEN ${fail(`schema ${c.schema} is missing`)} END IF;`,
      `IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ${literal(c.role)}) THEN ${fail(`role ${c.role} is missing`)} END IF;`,
    ]),
  );
  return step('schemas', 'Create the context schemas and roles', deploy, revert, verify);
}

interface SchemaGrant {
  schema: string;
  role: string;
}

interface DefaultGrant {
  /** null: the role running the plan. */
  forRole: string | null;
  schema: string;
  objectType: string;
  grantee: string;
  privileges: string[];
}

function grantsStep(model: SchemaModel, placement: Placement): PlanStep {
  const usage = schemaUsage(model, placement);
  const defaults = defaultGrants(model, placement);
  const deploy = [
    ...usage.map((u) => `GRANT USAGE ON SCHEMA ${ident(u.schema)} TO ${grantee(u.role)};`),
    ...defaults.map(
      (d) =>
        `${alterDefaults(d)} GRANT ${d.privileges.join(', ')} ON ${d.objectType.toUpperCase()} TO ${grantee(d.grantee)};`,
    ),
  ];
  const revert = [
    ...defaults.map((d) =>
      onlyIfSchema(
        d.schema,
        `${alterDefaults(d)} REVOKE ${d.privileges.join(', ')} ON ${d.objectType.toUpperCase()} FROM ${grantee(d.grantee)}`,
      ),
    ),
    ...usage.map((u) =>
      onlyIfSchema(u.schema, `REVOKE USAGE ON SCHEMA ${ident(u.schema)} FROM ${grantee(u.role)}`),
    ),
  ];
  const verify = doBlock([
    ...usage
      .filter((u) => u.role !== 'PUBLIC')
      .map(
        (u) =>
          `IF NOT has_schema_privilege(${literal(u.role)}, ${literal(u.schema)}, 'USAGE') THEN ${fail(`${u.role} has no USAGE on schema ${u.schema}`)} END IF;`,
      ),
    ...[...new Set(defaults.map((d) => d.schema))].map(
      (schema) =>
        `IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_default_acl d JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace WHERE n.nspname = ${literal(schema)}) THEN ${fail(`schema ${schema} has no default privileges`)} END IF;`,
    ),
  ]);
  return step(
    'grants',
    'Grant schema usage and default privileges in each context schema',
    deploy,
    revert,
    verify,
  );
}

/** The context role, and every role that holds a grant on a table moving there. */
function schemaUsage(model: SchemaModel, placement: Placement): SchemaGrant[] {
  const found = new Map<string, SchemaGrant>();
  const add = (schema: string, role: string): void => {
    found.set(`${schema}\0${role}`, { schema, role });
  };
  for (const context of placement.contexts) add(context.schema, context.role);
  for (const move of placement.moves) {
    for (const grant of grantsOn(model, [move.table, ...move.partitions])) {
      add(move.to, grant.grantee);
    }
  }
  return [...found.values()].sort((a, b) =>
    compareText(`${a.schema} ${a.role}`, `${b.schema} ${b.role}`),
  );
}

/**
 * Default privileges are per schema: those of a schema tables leave are copied to the schemas
 * they go to, and each context role gets the usual privileges on its schema's new objects.
 */
function defaultGrants(model: SchemaModel, placement: Placement): DefaultGrant[] {
  const own: DefaultGrant[] = placement.contexts.flatMap((c) => [
    {
      forRole: null,
      schema: c.schema,
      objectType: 'tables',
      grantee: c.role,
      privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    },
    {
      forRole: null,
      schema: c.schema,
      objectType: 'sequences',
      grantee: c.role,
      privileges: ['USAGE', 'SELECT', 'UPDATE'],
    },
  ]);
  const copied: DefaultGrant[] = [];
  const targets = new Set(placement.moves.map((m) => `${m.table.schema}\0${m.to}`));
  for (const pair of [...targets].sort()) {
    const [source, target] = pair.split('\0') as [string, string];
    for (const entry of model.defaultPrivileges.filter((d) => d.schema === source)) {
      copied.push({ ...entry, forRole: entry.role, schema: target });
    }
  }
  return [...own, ...copied];
}

function alterDefaults(grant: DefaultGrant): string {
  const forRole = grant.forRole == null ? '' : ` FOR ROLE ${ident(grant.forRole)}`;
  return `ALTER DEFAULT PRIVILEGES${forRole} IN SCHEMA ${ident(grant.schema)}`;
}

function onlyIfSchema(schema: string, statement: string): string {
  return doBlock([
    `IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ${literal(schema)}) THEN`,
    `  EXECUTE ${literal(statement)};`,
    `END IF;`,
  ]);
}

function grantsOn(model: SchemaModel, tables: Rel[]): GrantInfo[] {
  const names = new Set(tables.map(qualified));
  return model.grants.filter((grant) => names.has(qualified(grant.table)));
}

/**
 * Moves the table with its partitions and statistics, leaves the compatibility views, and gives
 * the context role what it lacked on them; revert takes back those grants first.
 */
function moveStep(model: SchemaModel, move: Move, roleGrants: RoleGrant[]): PlanStep {
  const relations = [move.table, ...move.partitions];
  const target = (table: Rel): Rel => ({ schema: move.to, name: table.name });

  const deploy = [
    doBlock([
      ...relations.flatMap((table) => [
        `IF ${relationIs(table, 'rpf')} THEN`,
        `  ALTER TABLE ${rel(table)} SET SCHEMA ${ident(move.to)};`,
        `END IF;`,
      ]),
      ...move.statistics.flatMap((stat) => [
        `IF ${statisticsExists(stat)} THEN`,
        `  ALTER STATISTICS ${rel(stat)} SET SCHEMA ${ident(move.to)};`,
        `END IF;`,
      ]),
    ]),
    ...relations.flatMap((table) => compatibilityView(model, table, target(table))),
    ...roleGrants.flatMap(grantStatements),
  ];

  const revert = [
    doBlock([
      ...roleGrants.flatMap((g) => [
        `IF ${relationIs(g.after, g.kind === 'TABLE' ? 'rpf' : 'S')} THEN`,
        `  REVOKE ${g.privileges.join(', ')} ON ${g.kind} ${rel(g.after)} FROM ${ident(g.role)};`,
        `END IF;`,
      ]),
      ...[...relations]
        .reverse()
        .flatMap((table) => [
          `IF ${relationIs(table, 'v')} AND ${relationIs(target(table), 'rpf')} THEN`,
          `  DROP VIEW ${rel(table)} RESTRICT;`,
          `END IF;`,
        ]),
      ...relations.flatMap((table) => [
        `IF ${relationIs(target(table), 'rpf')} AND NOT ${relationIs(table, 'rpfvmSc')} THEN`,
        `  ALTER TABLE ${rel(target(table))} SET SCHEMA ${ident(table.schema)};`,
        `END IF;`,
      ]),
      ...move.statistics.flatMap((stat) => [
        `IF ${statisticsExists({ schema: move.to, name: stat.name })} THEN`,
        `  ALTER STATISTICS ${rel({ schema: move.to, name: stat.name })} SET SCHEMA ${ident(stat.schema)};`,
        `END IF;`,
      ]),
    ]),
  ];

  const verify = doBlock([
    ...relations.flatMap((table) => [
      `IF NOT ${relationIs(target(table), 'rpf')} THEN ${fail(`${qualified(target(table))} is not there`)} END IF;`,
      `IF NOT ${relationIs(table, 'v')} THEN ${fail(`${qualified(table)} is not the compatibility view`)} END IF;`,
    ]),
    ...move.statistics.map(
      (stat) =>
        `IF NOT ${statisticsExists({ schema: move.to, name: stat.name })} THEN ${fail(`statistics ${move.to}.${stat.name} are not there`)} END IF;`,
    ),
    ...roleGrants.flatMap((g) =>
      g.privileges.map(
        (p) =>
          `IF NOT has_${g.kind.toLowerCase()}_privilege(${literal(g.role)}, ${literal(rel(g.after))}, ${literal(p)}) THEN ${fail(`${g.role} has no ${p} on ${qualified(g.after)}`)} END IF;`,
      ),
    ),
  ]);

  const extra = move.partitions.length > 0 ? ` with ${move.partitions.length} partition(s)` : '';
  return step(
    `move-${qualified(move.table)}`,
    `Move ${qualified(move.table)}${extra} to ${move.to} (${move.context}) and leave a compatibility view`,
    deploy,
    revert,
    verify,
  );
}

/** The grants on the moved object, and on its compatibility view for a table. */
function grantStatements(g: RoleGrant): string[] {
  const on = (r: Rel): string =>
    `GRANT ${g.privileges.join(', ')} ON ${g.kind} ${rel(r)} TO ${ident(g.role)};`;
  return g.kind === 'TABLE' ? [on(g.after), on(g.before)] : [on(g.after)];
}

/**
 * A view under the old name so that code not yet changed keeps working. security_invoker makes
 * the caller's privileges and row-level security apply, as they did on the table; a view this
 * simple is updatable, so writes through it land in the table.
 */
function compatibilityView(model: SchemaModel, table: TableInfo, target: Rel): string[] {
  const grants = grantsOn(model, [table])
    .map((grant) => ({
      ...grant,
      privileges: grant.privileges.filter((p) => VIEW_PRIVILEGES.has(p)),
    }))
    .filter((grant) => grant.privileges.length > 0);
  return [
    `CREATE OR REPLACE VIEW ${rel(table)} WITH (security_invoker = true) AS SELECT * FROM ${rel(target)};`,
    `COMMENT ON VIEW ${rel(table)} IS ${literal(`Compatibility view for ${qualified(target)}, left by dbboundary split; drop it once no code uses the old name.`)};`,
    ...grants.map(
      (grant) =>
        `GRANT ${grant.privileges.join(', ')} ON ${rel(table)} TO ${grantee(grant.grantee)};`,
    ),
  ];
}

function searchPathStep(model: SchemaModel, placement: Placement): PlanStep {
  const shared = [
    ...new Set([
      ...placement.moves.map((move) => move.table.schema),
      ...model.extensions.map((extension) => extension.schema),
    ]),
  ].sort(compareText);
  const settings = placement.contexts.map((c) => ({
    role: c.role,
    path: [c.schema, ...shared.filter((schema) => schema !== c.schema)].map(ident).join(', '),
  }));

  const deploy = settings.map((s) =>
    doBlock([
      `EXECUTE format('ALTER ROLE %I IN DATABASE %I SET search_path = ${s.path.replaceAll("'", "''")}', ${literal(s.role)}, current_database());`,
    ]),
  );
  const revert = [
    "-- A role's setting for this database made before the split is not brought back.",
    ...settings.map((s) =>
      doBlock([
        `IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ${literal(s.role)}) THEN`,
        `  EXECUTE format('ALTER ROLE %I IN DATABASE %I RESET search_path', ${literal(s.role)}, current_database());`,
        `END IF;`,
      ]),
    ),
  ];
  const verify = doBlock(
    settings.map(
      (s) =>
        `IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase WHERE d.datname = current_database() AND s.setrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = ${literal(s.role)}) AND ${literal(`search_path=${s.path}`)} = ANY (s.setconfig)) THEN ${fail(`${s.role} has no search_path = ${s.path} in this database`)} END IF;`,
    ),
  );
  return step(
    'search-path',
    "Set each context role's search_path in this database",
    deploy,
    revert,
    verify,
  );
}

function step(
  id: string,
  title: string,
  deploy: string[],
  revert: string[],
  verify: string,
): PlanStep {
  return {
    id,
    title,
    deploy: [`-- Deploy: ${title}`, PREAMBLE, ...deploy].join('\n') + '\n',
    revert: [`-- Revert: ${title}`, PREAMBLE, ...revert].join('\n') + '\n',
    verify: [`-- Verify: ${title}`, verify].join('\n') + '\n',
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
