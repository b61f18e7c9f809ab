import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { withClient } from '../helpers/pg.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/split/', import.meta.url));
export const FIXTURE_SQL = readFileSync(`${FIXTURE_DIR}schema.sql`, 'utf8');

/** The fixture's tables, where they are before the split and where the plan moves them. */
export const MOVED: [before: string, after: string][] = [
  ['public.clients', 'crm.clients'],
  ['public.client_notes', 'crm.client_notes'],
  ['public.purchases', 'sales.purchases'],
  ['public.purchase_items', 'sales.purchase_items'],
  ['public.purchase_log', 'sales.purchase_log'],
  ['public.purchase_log_2025', 'sales.purchase_log_2025'],
  ['public.purchase_log_2026', 'sales.purchase_log_2026'],
  ['public.bills', 'billing.bills'],
  ['public."Ledger Entries"', 'billing."Ledger Entries"'],
];

export interface Digest {
  rows: number;
  md5: string;
}

/** Row count and a checksum of every row's text, in a fixed order, of each relation. */
export async function digests(url: string, relations: string[]): Promise<Record<string, Digest>> {
  return withClient(url, async (client) => {
    const found: Record<string, Digest> = {};
    for (const relation of relations) {
      const { rows } = await client.query<{ rows: string; md5: string | null }>(
        `SELECT count(*) AS rows, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM ${relation} t`,
      );
      found[relation] = { rows: Number(rows[0]!.rows), md5: rows[0]!.md5 ?? '' };
    }
    return found;
  });
}

/**
 * The catalog of the database as sorted lines of text, by name (never by OID): schemas and their
 * privileges, relations with kind, owner, privileges and options, columns, constraints, indexes,
 * view and function definitions, triggers, policies, types, statistics, default privileges,
 * publications and this database's role settings.
 */
export async function catalogSnapshot(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    await client.query(`SET search_path = ''`);
    const lines: string[] = [];
    for (const [label, sql] of Object.entries(SNAPSHOT_QUERIES)) {
      const { rows } = await client.query<Record<string, unknown>>(sql);
      for (const row of rows) lines.push(`${label}: ${Object.values(row).map(String).join(' | ')}`);
    }
    return lines.sort();
  });
}

const USER = `n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'`;

const SNAPSHOT_QUERIES: Record<string, string> = {
  schema: `SELECT n.nspname, n.nspacl FROM pg_namespace n WHERE ${USER}`,
  // An ACL equal to the owner's default means the same as none: REVOKE cannot set it back to NULL.
  relation: `SELECT n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner),
      NULLIF(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's'::"char" ELSE 'r'::"char" END, c.relowner)), c.reloptions,
      c.relrowsecurity, c.relispartition, obj_description(c.oid, 'pg_class')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER}`,
  column: `SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
      pg_get_expr(d.adbin, d.adrelid), a.attidentity
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND ${USER}`,
  constraint: `SELECT n.nspname, c.relname, con.conname, pg_get_constraintdef(con.oid)
    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER}`,
  index: `SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER}`,
  view: `SELECT n.nspname, c.relname, pg_get_viewdef(c.oid) FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND ${USER}`,
  function: `SELECT pg_get_functiondef(p.oid), p.proacl FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p') AND ${USER}`,
  trigger: `SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal`,
  policy: `SELECT n.nspname, c.relname, p.polname, pg_get_expr(p.polqual, p.polrelid) FROM pg_policy p
    JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace`,
  type: `SELECT n.nspname, t.typname, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE ${USER}`,
  sequence: `SELECT n.nspname, c.relname, s.seqstart, s.seqincrement FROM pg_sequence s
    JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace`,
  statistics: `SELECT n.nspname, s.stxname, s.stxrelid::regclass::text FROM pg_statistic_ext s
    JOIN pg_namespace n ON n.oid = s.stxnamespace`,
  defaultAcl: `SELECT pg_get_userbyid(d.defaclrole), d.defaclnamespace::regnamespace::text, d.defaclobjtype, d.defaclacl
    FROM pg_default_acl d`,
  publication: `SELECT p.pubname, r.prrelid::regclass::text FROM pg_publication p
    JOIN pg_publication_rel r ON r.prpubid = p.oid`,
  roleSetting: `SELECT pg_get_userbyid(s.setrole), s.setconfig FROM pg_db_role_setting s
    JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = current_database()`,
  extension: `SELECT e.extname, e.extnamespace::regnamespace::text FROM pg_extension e`,
};

/** Runs fn as `role` (SET ROLE), with the role's search_path in this database applied. */
export async function asRole<T>(
  url: string,
  role: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ path: string | null }>(
      `SELECT substr(c, 13) AS path FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase,
         unnest(s.setconfig) c
       WHERE d.datname = current_database() AND s.setrole = $1::regrole AND c LIKE 'search_path=%'`,
      [role],
    );
    await client.query(`SET ROLE ${role}`);
    if (rows[0]?.path) await client.query(`SET search_path = ${rows[0].path}`);
    return fn(client);
  });
}
