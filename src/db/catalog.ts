/**
 * Reads a shared schema from a live PostgreSQL into the splitter's model, from pg_catalog only,
 * inside a read-only transaction. Extension members and system schemas are left out.
 */
import { loadModule } from 'libpg-query';
import type pg from 'pg';
import { readFunctionBody } from '../split/bodies.js';
import type {
  CronJobs,
  DefaultPrivilegeInfo,
  DeleteAction,
  FunctionInfo,
  GrantInfo,
  Rel,
  SchemaModel,
  TableKind,
  TypeKind,
} from '../split/model.js';
import { byName, emptyModel } from '../split/model.js';
import { normalizeModel } from '../split/normalize.js';
import { relationIndex, resolveBodyRefs } from '../split/resolve.js';
import { connect, failure } from './introspect.js';
import { assertPostgresUrl, describeTarget, resolveDatabaseUrl } from './url.js';

const USER_NAMESPACE = `n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'`;

/** Not created by an extension: `catalog` is the system catalog of `alias`. */
function notExtensionMember(catalog: string, alias: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
    WHERE e.classid = 'pg_catalog.${catalog}'::regclass AND e.objid = ${alias}.oid AND e.deptype = 'e')`;
}

const SCHEMAS = `
SELECT n.nspname AS name FROM pg_namespace n
WHERE ${USER_NAMESPACE} AND ${notExtensionMember('pg_namespace', 'n')}
ORDER BY 1`;

const TABLES = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       pn.nspname AS parent_schema, p.relname AS parent_name,
       pg_get_userbyid(c.relowner) AS owner, c.relrowsecurity AS rls,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_by,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhseqno = 1
LEFT JOIN pg_class p ON p.oid = i.inhparent
LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE c.relkind IN ('r', 'p', 'f') AND ${USER_NAMESPACE} AND ${notExtensionMember('pg_class', 'c')}
ORDER BY 1, 2`;

const COLUMNS = `
SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS default,
       CASE WHEN a.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generated,
       a.attidentity AS identity, tn.nspname AS type_schema, bt.typname AS type_name
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END
JOIN pg_namespace tn ON tn.oid = bt.typnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f')
  AND ${USER_NAMESPACE} AND ${notExtensionMember('pg_class', 'c')}
ORDER BY 1, 2, a.attnum`;

const SEQUENCES = `
SELECT n.nspname AS schema, s.relname AS name,
       (SELECT json_build_object('schema', tn.nspname, 'name', t.relname, 'column', a.attname)
        FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
        JOIN pg_namespace tn ON tn.oid = t.relnamespace
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid
          AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        LIMIT 1) AS owned_by,
       (SELECT coalesce(json_agg(DISTINCT jsonb_build_object('schema', tn.nspname, 'name', t.relname)), '[]')
        FROM pg_depend d JOIN pg_attrdef ad ON ad.oid = d.objid
        JOIN pg_class t ON t.oid = ad.adrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
        WHERE d.classid = 'pg_attrdef'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid = s.oid) AS used_by
FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
WHERE s.relkind = 'S' AND ${USER_NAMESPACE} AND ${notExtensionMember('pg_class', 's')}
ORDER BY 1, 2`;

const VIEWS = `
SELECT n.nspname AS schema, v.relname AS name, v.relkind = 'm' AS materialized,
       pg_get_viewdef(v.oid) AS definition,
       (SELECT coalesce(json_agg(DISTINCT jsonb_build_object('schema', rn.nspname, 'name', r.relname)), '[]')
        FROM pg_rewrite w JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
        JOIN pg_class r ON r.oid = d.refobjid JOIN pg_namespace rn ON rn.oid = r.relnamespace
        WHERE w.ev_class = v.oid AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid <> v.oid AND d.deptype = 'n') AS reads
FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace
WHERE v.relkind IN ('v', 'm') AND ${USER_NAMESPACE} AND ${notExtensionMember('pg_class', 'v')}
ORDER BY 1, 2`;

const FUNCTIONS = `
SELECT n.nspname AS schema, p.proname AS name,
       p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS signature,
       l.lanname AS language, p.prosecdef AS security_definer,
       (SELECT substr(c, 13) FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%') AS pinned,
       p.prosqlbody IS NOT NULL AS standard_body,
       CASE WHEN l.lanname IN ('sql', 'plpgsql') THEN pg_get_functiondef(p.oid) END AS definition,
       (SELECT coalesce(json_agg(DISTINCT jsonb_build_object('schema', rn.nspname, 'name', r.relname)), '[]')
        FROM unnest(p.proargtypes::oid[] || p.prorettype) AS arg(oid)
        JOIN pg_type t ON t.oid = arg.oid JOIN pg_class r ON r.oid = t.typrelid
        JOIN pg_namespace rn ON rn.oid = r.relnamespace
        WHERE r.relkind IN ('r', 'p', 'f')) AS row_types
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE p.prokind IN ('f', 'p') AND ${USER_NAMESPACE} AND ${notExtensionMember('pg_proc', 'p')}
ORDER BY 1, 3`;

const TRIGGERS = `
SELECT t.tgname AS name, n.nspname AS schema, c.relname AS table,
       pg_get_triggerdef(t.oid) AS definition,
       fn.nspname AS function_schema, p.proname AS function_name
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace fn ON fn.oid = p.pronamespace
WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND ${USER_NAMESPACE}
ORDER BY 2, 3, 1`;

const TYPES = `
SELECT n.nspname AS schema, t.typname AS name, t.typtype AS kind,
       CASE WHEN t.typtype = 'd' AND bn.nspname NOT IN ('pg_catalog', 'information_schema')
            THEN json_build_object('schema', bn.nspname, 'name', b.typname) END AS base
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_type b ON b.oid = t.typbasetype LEFT JOIN pg_namespace bn ON bn.oid = b.typnamespace
WHERE (t.typtype IN ('e', 'd', 'r')
       OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
  AND ${USER_NAMESPACE} AND ${notExtensionMember('pg_type', 't')}
ORDER BY 1, 2`;

const EXTENSION_TYPES = `
SELECT n.nspname AS schema, t.typname AS name, x.extname AS extension
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
JOIN pg_extension x ON x.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
WHERE t.typtype <> 'p' AND t.typcategory <> 'A'
ORDER BY 1, 2`;

const CONSTRAINTS = `
SELECT con.conname AS name, n.nspname AS schema, c.relname AS table, con.contype AS kind,
       pg_get_constraintdef(con.oid) AS definition, rn.nspname AS ref_schema, r.relname AS ref_name,
       con.confdeltype AS on_delete,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, i)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.i) AS columns,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, i)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.i) AS ref_columns
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class r ON r.oid = con.confrelid LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND con.conparentid = 0 AND NOT c.relispartition
  AND ${USER_NAMESPACE} AND ${notExtensionMember('pg_class', 'c')}
ORDER BY 2, 3, 1`;

const INDEXES = `
SELECT ic.relname AS name, n.nspname AS schema, c.relname AS table,
       pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT ic.relispartition AND c.relkind IN ('r', 'p', 'm')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                  WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
  AND ${USER_NAMESPACE} AND ${notExtensionMember('pg_class', 'c')}
ORDER BY 2, 3, 1`;

/** CREATE POLICY as pg_dump writes it (PostgreSQL has no pg_get_policydef). */
const POLICY_DEFINITION = `'CREATE POLICY ' || quote_ident(pol.polname) || ' ON '
  || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
  || CASE WHEN pol.polpermissive THEN '' ELSE ' AS RESTRICTIVE' END
  || CASE pol.polcmd WHEN 'r' THEN ' FOR SELECT' WHEN 'a' THEN ' FOR INSERT'
       WHEN 'w' THEN ' FOR UPDATE' WHEN 'd' THEN ' FOR DELETE' ELSE '' END
  || CASE WHEN pol.polroles = '{0}' THEN '' ELSE ' TO ' || (
       SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END, ', ')
       FROM unnest(pol.polroles) r) END
  || coalesce(' USING (' || pg_get_expr(pol.polqual, pol.polrelid) || ')', '')
  || coalesce(' WITH CHECK (' || pg_get_expr(pol.polwithcheck, pol.polrelid) || ')', '')`;

const POLICIES = `
SELECT pol.polname AS name, n.nspname AS schema, c.relname AS table,
       ${POLICY_DEFINITION} AS definition,
       (SELECT coalesce(json_agg(DISTINCT jsonb_build_object('schema', rn.nspname, 'name', r.relname)), '[]')
        FROM pg_depend d JOIN pg_class r ON r.oid = d.refobjid
        JOIN pg_namespace rn ON rn.oid = r.relnamespace
        WHERE d.classid = 'pg_policy'::regclass AND d.objid = pol.oid
          AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> pol.polrelid) AS reads
FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
ORDER BY 2, 3, 1`;

const GRANTS = `
SELECT DISTINCT n.nspname AS schema, c.relname AS table,
       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee) END AS grantee,
       g.privilege_type AS privilege
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) g
WHERE c.relkind IN ('r', 'p', 'f') AND g.grantee <> c.relowner AND ${USER_NAMESPACE}
  AND ${notExtensionMember('pg_class', 'c')}
ORDER BY 1, 2, 3, 4`;

const SEQUENCE_GRANTS = GRANTS.replace("c.relkind IN ('r', 'p', 'f')", "c.relkind = 'S'");

const DEFAULT_PRIVILEGES = `
SELECT DISTINCT pg_get_userbyid(d.defaclrole) AS role, n.nspname AS schema, d.defaclobjtype AS type,
       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee) END AS grantee,
       g.privilege_type AS privilege
FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) g
WHERE d.defaclobjtype IN ('r', 'S', 'f', 'T')
ORDER BY 1, 2, 3, 4, 5`;

const EXTENSIONS = `
SELECT x.extname AS name, n.nspname AS schema, x.extrelocatable AS relocatable
FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
WHERE x.extname <> 'plpgsql' ORDER BY 1`;

const PUBLICATIONS = `
SELECT p.pubname AS name, p.puballtables AS all_tables,
       (SELECT coalesce(json_agg(jsonb_build_object('schema', rn.nspname, 'name', r.relname)
                                 ORDER BY rn.nspname, r.relname), '[]')
        FROM pg_publication_rel pr JOIN pg_class r ON r.oid = pr.prrelid
        JOIN pg_namespace rn ON rn.oid = r.relnamespace WHERE pr.prpubid = p.oid) AS tables,
       ARRAY(SELECT pn.pnnspid::regnamespace::text FROM pg_publication_namespace pn
             WHERE pn.pnpubid = p.oid ORDER BY 1) AS schemas
FROM pg_publication p ORDER BY 1`;

const STATISTICS = `
SELECT n.nspname AS schema, s.stxname AS name, tn.nspname AS table_schema, t.relname AS table_name,
       pg_get_statisticsobjdef(s.oid) AS definition
FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_class t ON t.oid = s.stxrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE ${USER_NAMESPACE}
ORDER BY 1, 2`;

/** Indexes, constraints and column defaults whose expressions call a user function. */
const FUNCTION_USES = `
SELECT * FROM (
  SELECT 'index ' || ic.relname AS object, tn.nspname AS schema, t.relname AS table,
         fn.nspname AS function_schema, p.proname AS function_name
  FROM pg_depend d JOIN pg_class ic ON ic.oid = d.objid AND ic.relkind IN ('i', 'I')
  JOIN pg_index i ON i.indexrelid = ic.oid JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace tn ON tn.oid = t.relnamespace
  JOIN pg_proc p ON p.oid = d.refobjid JOIN pg_namespace fn ON fn.oid = p.pronamespace
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_proc'::regclass AND NOT ic.relispartition
  UNION
  SELECT 'constraint ' || con.conname, tn.nspname, t.relname, fn.nspname, p.proname
  FROM pg_depend d JOIN pg_constraint con ON con.oid = d.objid
  JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
  JOIN pg_proc p ON p.oid = d.refobjid JOIN pg_namespace fn ON fn.oid = p.pronamespace
  WHERE d.classid = 'pg_constraint'::regclass AND d.refclassid = 'pg_proc'::regclass
    AND con.conparentid = 0
  UNION
  SELECT 'default of ' || t.relname || '.' || a.attname, tn.nspname, t.relname, fn.nspname, p.proname
  FROM pg_depend d JOIN pg_attrdef ad ON ad.oid = d.objid
  JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
  JOIN pg_class t ON t.oid = ad.adrelid AND NOT t.relispartition
  JOIN pg_namespace tn ON tn.oid = t.relnamespace
  JOIN pg_proc p ON p.oid = d.refobjid JOIN pg_namespace fn ON fn.oid = p.pronamespace
  WHERE d.classid = 'pg_attrdef'::regclass AND d.refclassid = 'pg_proc'::regclass
) uses
WHERE function_schema <> 'pg_catalog' AND function_schema <> 'information_schema'
ORDER BY 2, 3, 1`;

const ROLE_SETTINGS = `
SELECT pg_get_userbyid(s.setrole) AS role, db.datname AS database, substr(c, 13) AS search_path
FROM pg_db_role_setting s LEFT JOIN pg_database db ON db.oid = s.setdatabase, unnest(s.setconfig) c
WHERE s.setrole <> 0 AND c LIKE 'search_path=%'
  AND (s.setdatabase = 0 OR db.datname = current_database())
ORDER BY 1, 2`;

/**
 * pg_cron's job table, found by its presence rather than by the extension, so a copy of it made
 * by hand or restored without the extension is read too. has_table_privilege keeps a refused
 * SELECT from ending the read-only transaction.
 */
const CRON_JOB_TABLE = `
SELECT has_table_privilege(c.oid, 'SELECT') AS readable
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'cron' AND c.relname = 'job' AND c.relkind IN ('r', 'p', 'v', 'f')`;

/**
 * Every job row as JSON, whatever columns this pg_cron version has. Jobs that run in another
 * database name that database's tables, not these, so they are left out.
 */
const CRON_JOBS = `
SELECT to_jsonb(j) AS job FROM cron.job j
WHERE coalesce(to_jsonb(j)->>'database', current_database()) = current_database()
ORDER BY length(to_jsonb(j)->>'jobid'), to_jsonb(j)->>'jobid'`;

type Row = Record<string, unknown>;

/**
 * Reads the schema of the database at `url` (`env:NAME` allowed) in a read-only transaction.
 * Messages never show the URL's secrets.
 */
export async function readCatalog(url: string): Promise<SchemaModel> {
  const resolved = resolveDatabaseUrl(url);
  assertPostgresUrl(resolved);
  await loadModule();
  const client = await connect(resolved);

  try {
    await client.query('BEGIN READ ONLY');
    // With an empty search_path every name PostgreSQL prints is schema-qualified, as in pg_dump.
    await client.query(`SET LOCAL search_path = ''`);
    const model = await readAll(client);
    await client.query('ROLLBACK');
    return model;
  } catch (error) {
    throw failure(error, resolved, `cannot read the catalog of ${describeTarget(resolved)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function readAll(client: pg.Client): Promise<SchemaModel> {
  const rows = async (sql: string): Promise<Row[]> => (await client.query<Row>(sql)).rows;
  const model = emptyModel();

  model.schemas = (await rows(SCHEMAS)).map((row) => String(row.name));
  model.tables = readTables(await rows(TABLES), await rows(COLUMNS));
  model.sequences = (await rows(SEQUENCES)).map((row) => ({
    ...rel(row),
    ownedBy: ownedBy(row.owned_by as (Rel & { column: string }) | null),
    usedBy: sortRels(row.used_by as Rel[]),
  }));
  model.views = (await rows(VIEWS)).map((row) => ({
    ...rel(row),
    materialized: row.materialized === true,
    reads: sortRels(row.reads as Rel[]),
    definition: String(row.definition),
  }));
  model.triggers = (await rows(TRIGGERS)).map((row) => ({
    name: String(row.name),
    table: rel(row, 'schema', 'table'),
    function: rel(row, 'function_schema', 'function_name'),
    definition: String(row.definition),
  }));
  model.types = (await rows(TYPES)).map((row) => ({
    ...rel(row),
    kind: TYPE_KINDS[String(row.kind)]!,
    baseType: row.base == null ? null : sortRels([row.base as Rel])[0]!,
  }));
  model.extensionTypes = (await rows(EXTENSION_TYPES)).map((row) => ({
    ...rel(row),
    extension: String(row.extension),
  }));
  readConstraints(model, await rows(CONSTRAINTS));
  model.indexes = (await rows(INDEXES)).map((row) => ({
    name: String(row.name),
    table: rel(row, 'schema', 'table'),
    definition: String(row.definition),
  }));
  model.policies = (await rows(POLICIES)).map((row) => ({
    name: String(row.name),
    table: rel(row, 'schema', 'table'),
    reads: sortRels(row.reads as Rel[]),
    definition: String(row.definition),
  }));
  model.grants = groupGrants(await rows(GRANTS));
  model.sequenceGrants = groupGrants(await rows(SEQUENCE_GRANTS));
  model.defaultPrivileges = groupDefaultPrivileges(await rows(DEFAULT_PRIVILEGES));
  model.extensions = (await rows(EXTENSIONS)).map((row) => ({
    name: String(row.name),
    schema: String(row.schema),
    relocatable: row.relocatable === true,
  }));
  model.publications = (await rows(PUBLICATIONS)).map((row) => ({
    name: String(row.name),
    tables: sortRels(row.tables as Rel[]),
    schemas: row.schemas as string[],
    allTables: row.all_tables === true,
  }));
  model.statistics = (await rows(STATISTICS)).map((row) => ({
    ...rel(row),
    table: rel(row, 'table_schema', 'table_name'),
    definition: String(row.definition),
  }));
  model.functionUses = (await rows(FUNCTION_USES)).map((row) => ({
    object: String(row.object),
    table: rel(row, 'schema', 'table'),
    function: rel(row, 'function_schema', 'function_name'),
  }));
  model.roleSettings = (await rows(ROLE_SETTINGS)).map((row) => ({
    role: String(row.role),
    database: row.database == null ? null : String(row.database),
    searchPath: String(row.search_path),
  }));
  model.functions = readFunctions(await rows(FUNCTIONS), model);
  model.cronJobs = await readCronJobs(rows);
  return normalizeModel(model);
}

async function readCronJobs(rows: (sql: string) => Promise<Row[]>): Promise<CronJobs> {
  const table = (await rows(CRON_JOB_TABLE))[0];
  if (table == null) return { status: 'absent', jobs: [] };
  if (table.readable !== true) return { status: 'unreadable', jobs: [] };

  const jobs = (await rows(CRON_JOBS)).map((row) => {
    const job = row.job as Record<string, unknown>;
    const text = (key: string): string | null => (job[key] == null ? null : String(job[key]));
    return {
      id: text('jobid') ?? '?',
      name: text('jobname'),
      command: text('command') ?? '',
      username: text('username'),
    };
  });
  return { status: 'read', jobs };
}

const TABLE_KINDS: Record<string, TableKind> = { r: 'table', p: 'partitioned', f: 'foreign' };
const TYPE_KINDS: Record<string, TypeKind> = { e: 'enum', d: 'domain', c: 'composite', r: 'range' };
const DELETE_ACTIONS: Record<string, DeleteAction> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};
const CONSTRAINT_KINDS = {
  p: 'primary',
  u: 'unique',
  c: 'check',
  f: 'foreign',
  x: 'exclusion',
} as const;
const OBJECT_TYPES = {
  r: 'tables',
  S: 'sequences',
  f: 'functions',
  T: 'types',
} as const;

function rel(row: Row, schema = 'schema', name = 'name'): Rel {
  return { schema: String(row[schema]), name: String(row[name]) };
}

function sortRels(rels: Rel[]): Rel[] {
  return rels.map((r) => ({ schema: r.schema, name: r.name })).sort(byName);
}

function ownedBy(owner: (Rel & { column: string }) | null): (Rel & { column: string }) | null {
  return owner && { schema: owner.schema, name: owner.name, column: owner.column };
}

function readTables(tables: Row[], columns: Row[]): SchemaModel['tables'] {
  const byTable = new Map<string, Row[]>();
  for (const column of columns) {
    const key = `${String(column.schema)}.${String(column.table)}`;
    byTable.set(key, [...(byTable.get(key) ?? []), column]);
  }

  return tables.map((row) => ({
    ...rel(row),
    kind: TABLE_KINDS[String(row.kind)]!,
    parent: row.parent_name == null ? null : rel(row, 'parent_schema', 'parent_name'),
    owner: String(row.owner),
    rowSecurity: row.rls === true,
    partitionBy: row.partition_by == null ? null : String(row.partition_by),
    partitionBound: row.partition_bound == null ? null : String(row.partition_bound),
    columns: (byTable.get(`${String(row.schema)}.${String(row.name)}`) ?? []).map((column) => ({
      name: String(column.name),
      type: String(column.type),
      userType: userType(column),
      notNull: column.not_null === true,
      default: column.default == null ? null : String(column.default),
      generated: column.generated == null ? null : String(column.generated),
      identity: column.identity === 'a' ? 'always' : column.identity === 'd' ? 'by default' : null,
    })),
  }));
}

function userType(column: Row): Rel | null {
  const schema = String(column.type_schema);
  if (schema === 'pg_catalog' || schema === 'information_schema') return null;
  return { schema, name: String(column.type_name) };
}

function readConstraints(model: SchemaModel, rows: Row[]): void {
  for (const row of rows) {
    const kind = CONSTRAINT_KINDS[String(row.kind) as keyof typeof CONSTRAINT_KINDS];
    const table = rel(row, 'schema', 'table');
    model.constraints.push({
      name: String(row.name),
      table,
      definition: String(row.definition),
      kind,
    });
    if (kind !== 'foreign') continue;

    model.foreignKeys.push({
      name: String(row.name),
      table,
      columns: row.columns as string[],
      references: rel(row, 'ref_schema', 'ref_name'),
      referencedColumns: row.ref_columns as string[],
      onDelete: DELETE_ACTIONS[String(row.on_delete)] ?? 'no action',
    });
  }
}

function groupGrants(rows: Row[]): GrantInfo[] {
  const grants = new Map<string, GrantInfo>();
  for (const row of rows) {
    const key = `${String(row.schema)}.${String(row.table)}\0${String(row.grantee)}`;
    const grant = grants.get(key) ?? {
      table: rel(row, 'schema', 'table'),
      grantee: String(row.grantee),
      privileges: [],
    };
    grant.privileges.push(String(row.privilege));
    grants.set(key, grant);
  }
  return [...grants.values()].map((grant) => ({ ...grant, privileges: grant.privileges.sort() }));
}

function groupDefaultPrivileges(rows: Row[]): DefaultPrivilegeInfo[] {
  const found = new Map<string, DefaultPrivilegeInfo>();
  for (const row of rows) {
    const objectType = OBJECT_TYPES[String(row.type) as keyof typeof OBJECT_TYPES];
    const key = [row.role, row.schema, objectType, row.grantee].map(String).join('\0');
    const entry = found.get(key) ?? {
      role: String(row.role),
      schema: String(row.schema),
      objectType,
      grantee: String(row.grantee),
      privileges: [],
    };
    entry.privileges.push(String(row.privilege));
    found.set(key, entry);
  }
  return [...found.values()].map((entry) => ({ ...entry, privileges: entry.privileges.sort() }));
}

function readFunctions(rows: Row[], model: SchemaModel): FunctionInfo[] {
  const relations = relationIndex(model);
  return rows.map((row) => {
    const language = String(row.language);
    const pinnedSearchPath = row.pinned == null ? null : String(row.pinned);
    const reading = readFunctionBody(String(row.definition ?? ''), language);
    const schema = String(row.schema);
    return {
      ...rel(row),
      signature: String(row.signature),
      language,
      securityDefiner: row.security_definer === true,
      pinnedSearchPath,
      standardBody: row.standard_body === true,
      reads: resolveBodyRefs(reading.refs, { schema, pinnedSearchPath }, relations),
      dynamic: reading.dynamic,
      unparsed: reading.unparsed,
      rowTypes: sortRels(row.row_types as Rel[]),
    };
  });
}
