/**
 * The shared schema as the splitter sees it: a plain model that both readers fill, the live
 * catalog (src/db/catalog.ts) and a `pg_dump --schema-only` file (dump.ts). Everything the plan
 * uses must be filled the same way by both, so that both give the same plan.
 */

/** A schema-qualified name; names are as PostgreSQL stores them (unquoted, case kept). */
export interface Rel {
  schema: string;
  name: string;
}

export type TableKind = 'table' | 'partitioned' | 'foreign';

export interface TableInfo extends Rel {
  kind: TableKind;
  /** The parent of a partition or inheritance child. */
  parent: Rel | null;
  owner: string | null;
  rowSecurity: boolean;
  columns: ColumnInfo[];
  /** The PARTITION BY clause of a partitioned table, without the keywords. */
  partitionBy: string | null;
  /** The bound of a partition: FOR VALUES … or DEFAULT. */
  partitionBound: string | null;
}

export interface ColumnInfo {
  name: string;
  /** The type as SQL writes it, schema-qualified unless it is a built-in type. */
  type: string;
  /** The user-defined type behind the column (arrays unwrapped), or null for built-in types. */
  userType: Rel | null;
  notNull: boolean;
  default: string | null;
  /** The expression of a stored generated column. */
  generated: string | null;
  identity: 'always' | 'by default' | null;
}

export interface SequenceInfo extends Rel {
  /** The column that owns it (serial, identity, OWNED BY), or null. */
  ownedBy: (Rel & { column: string }) | null;
  /** Tables whose column defaults call nextval() on it. */
  usedBy: Rel[];
}

export interface ViewInfo extends Rel {
  materialized: boolean;
  /** Relations the view's query names directly (tables, views, sequences). */
  reads: Rel[];
  definition: string;
}

export interface FunctionInfo extends Rel {
  /** name(argument types), the way DROP FUNCTION names it. */
  signature: string;
  language: string;
  securityDefiner: boolean;
  /** The search_path pinned with SET search_path, or null. */
  pinnedSearchPath: string | null;
  /** A SQL-standard body (BEGIN ATOMIC / RETURN): PostgreSQL records what it reads. */
  standardBody: boolean;
  /** Relations the body names, found by parsing it; unqualified names resolved to a schema. */
  reads: BodyRef[];
  /** The body builds SQL at run time (EXECUTE): what it reads cannot be known. */
  dynamic: boolean;
  /** Why the body could not be parsed, or null. */
  unparsed: string | null;
  /** Tables whose row type is an argument or the result. */
  rowTypes: Rel[];
}

export interface BodyRef extends Rel {
  /** Written without a schema: resolved through search_path at run time. */
  unqualified: boolean;
  writes: boolean;
}

export interface TriggerInfo {
  name: string;
  table: Rel;
  function: Rel;
  /** CREATE TRIGGER as pg_dump writes it. */
  definition: string;
}

export type TypeKind = 'enum' | 'domain' | 'composite' | 'range';

export interface TypeInfo extends Rel {
  kind: TypeKind;
  /** The base type of a domain, when it is not a built-in type. */
  baseType: Rel | null;
}

export type DeleteAction = 'cascade' | 'set null' | 'set default' | 'restrict' | 'no action';

export interface ForeignKeyInfo {
  name: string;
  table: Rel;
  columns: string[];
  references: Rel;
  referencedColumns: string[];
  onDelete: DeleteAction;
}

export interface PolicyInfo {
  name: string;
  table: Rel;
  /** Other relations its expressions read. */
  reads: Rel[];
  /** CREATE POLICY as pg_dump writes it. */
  definition: string;
}

export interface GrantInfo {
  table: Rel;
  /** A role name, or PUBLIC. */
  grantee: string;
  /** Upper case, sorted: SELECT, INSERT… */
  privileges: string[];
}

export interface DefaultPrivilegeInfo {
  /** The role whose new objects get the privileges. */
  role: string;
  schema: string;
  objectType: 'tables' | 'sequences' | 'functions' | 'types';
  grantee: string;
  privileges: string[];
}

export interface ExtensionInfo {
  name: string;
  schema: string;
  /** null when the source does not say (a dump file). */
  relocatable: boolean | null;
}

export interface PublicationInfo {
  name: string;
  tables: Rel[];
  /** Schemas published whole (FOR TABLES IN SCHEMA). */
  schemas: string[];
  allTables: boolean;
}

export interface StatisticsInfo extends Rel {
  table: Rel;
  /** CREATE STATISTICS as pg_dump writes it. */
  definition: string;
}

/** An index, constraint or default of a table whose expression calls a user function. */
export interface FunctionUse {
  /** "index purchase_items_code", "constraint purchase_items_code_check", "default of bills.id" */
  object: string;
  table: Rel;
  function: Rel;
}

export interface IndexInfo {
  name: string;
  table: Rel;
  /** CREATE INDEX as PostgreSQL prints it. */
  definition: string;
}

export interface ConstraintInfo {
  name: string;
  table: Rel;
  /** What follows ADD CONSTRAINT name, as pg_get_constraintdef prints it. */
  definition: string;
  kind: 'primary' | 'unique' | 'check' | 'foreign' | 'exclusion';
}

export interface RoleSetting {
  role: string;
  /** null: every database. */
  database: string | null;
  searchPath: string;
}

/** A pg_cron job as the job table holds it. */
export interface CronJob {
  id: string;
  name: string | null;
  command: string;
  /** The role the job runs as, when the table records one. */
  username: string | null;
}

/**
 * What the reader found of pg_cron's job table: its rows are data, so only a live database shows
 * them. `absent`: no cron.job table; `unreadable`: the reading role may not select from it.
 */
export type CronJobs =
  { status: 'read'; jobs: CronJob[] } | { status: 'absent' | 'unreadable' | 'not read'; jobs: [] };

export interface SchemaModel {
  /** Schemas a user made, that hold anything. */
  schemas: string[];
  tables: TableInfo[];
  sequences: SequenceInfo[];
  views: ViewInfo[];
  functions: FunctionInfo[];
  triggers: TriggerInfo[];
  types: TypeInfo[];
  foreignKeys: ForeignKeyInfo[];
  constraints: ConstraintInfo[];
  indexes: IndexInfo[];
  policies: PolicyInfo[];
  grants: GrantInfo[];
  /** Privileges on sequences, in the same shape (`table` names the sequence). */
  sequenceGrants: GrantInfo[];
  defaultPrivileges: DefaultPrivilegeInfo[];
  extensions: ExtensionInfo[];
  /** Types that extensions define (citext…); columns of these types depend on the extension. */
  extensionTypes: (Rel & { extension: string })[];
  publications: PublicationInfo[];
  statistics: StatisticsInfo[];
  functionUses: FunctionUse[];
  roleSettings: RoleSetting[];
  cronJobs: CronJobs;
}

export function qualified(rel: Rel): string {
  return `${rel.schema}.${rel.name}`;
}

export function sameRel(a: Rel, b: Rel): boolean {
  return a.schema === b.schema && a.name === b.name;
}

export function byName(a: Rel, b: Rel): number {
  return qualified(a) < qualified(b) ? -1 : qualified(a) > qualified(b) ? 1 : 0;
}

export function emptyModel(): SchemaModel {
  return {
    schemas: [],
    tables: [],
    sequences: [],
    views: [],
    functions: [],
    triggers: [],
    types: [],
    foreignKeys: [],
    constraints: [],
    indexes: [],
    policies: [],
    grants: [],
    sequenceGrants: [],
    defaultPrivileges: [],
    extensions: [],
    extensionTypes: [],
    publications: [],
    statistics: [],
    functionUses: [],
    roleSettings: [],
    cronJobs: { status: 'not read', jobs: [] },
  };
}
