import type { Rel } from './model.js';

/** Words PostgreSQL reserves as names; anything else of [a-z_][a-z0-9_$]* may stay unquoted. */
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check ' +
    'collate collation column concurrently constraint create cross current_catalog current_date ' +
    'current_role current_schema current_time current_timestamp current_user default deferrable ' +
    'desc distinct do else end except false fetch for foreign freeze from full grant group having ' +
    'ilike in initially inner intersect into is isnull join lateral leading left like limit ' +
    'localtime localtimestamp natural not notnull null offset on only or order outer overlaps ' +
    'placing primary references returning right select session_user similar some symmetric ' +
    'system_user table tablesample then to trailing true union unique user using variadic verbose ' +
    'when where window with'
  ).split(' '),
);

export function ident(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

export function rel(r: Rel): string {
  return `${ident(r.schema)}.${ident(r.name)}`;
}

export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A role in GRANT: PUBLIC is a keyword, not a name. */
export function grantee(role: string): string {
  return role === 'PUBLIC' ? 'PUBLIC' : ident(role);
}

/** A DO block; the body must not contain the $split$ quote. */
export function doBlock(lines: string[]): string {
  return `DO $split$\nBEGIN\n${lines.map((line) => `  ${line}`).join('\n')}\nEND\n$split$;`;
}

/** A condition that holds when `r` is a relation of one of the given pg_class kinds. */
export function relationIs(r: Rel, kinds: string): string {
  const list = [...kinds].map((kind) => literal(kind)).join(', ');
  return `EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${literal(r.schema)} AND c.relname = ${literal(r.name)} AND c.relkind IN (${list}))`;
}

export function statisticsExists(r: Rel): string {
  return `EXISTS (SELECT 1 FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace WHERE n.nspname = ${literal(r.schema)} AND s.stxname = ${literal(r.name)})`;
}

export function fail(message: string): string {
  return `RAISE EXCEPTION '%', ${literal(message)};`;
}
