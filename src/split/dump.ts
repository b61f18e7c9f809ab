/**
 * Reads a `pg_dump --schema-only` file into the splitter's model with PostgreSQL's own parser,
 * so that a split can be planned without a connection. What pg_dump does not write (role
 * settings, which types an extension defines) is left out or inferred, as noted where it happens.
 */
import { readFileSync } from 'node:fs';
import { loadModule, parseSync } from 'libpg-query';
import { UserError } from '../errors.js';
import { readFunctionBody } from './bodies.js';
import { collectPostgresqlTables } from '../sql/postgresql-tables.js';
import type { ColumnInfo, FunctionInfo, GrantInfo, Rel, SchemaModel, TableInfo } from './model.js';
import { emptyModel, qualified } from './model.js';
import {
  CONSTRAINT_KINDS,
  DEFAULT_OBJECT_TYPES,
  DELETE_ACTIONS,
  argumentsOf,
  boundOf,
  constraintText,
  elementText,
  functionCalls,
  granteesOf,
  names,
  options,
  parseExpression,
  relOf,
  strings,
  typeRel,
  uniqueRels,
} from './dump-nodes.js';
import type { Node, Statement } from './dump-nodes.js';
import { normalizeModel } from './normalize.js';
import { relationIndex, resolveBodyRefs } from './resolve.js';

interface PendingFunction {
  info: Omit<FunctionInfo, 'reads'>;
  text: string;
  refs: ReturnType<typeof readFunctionBody>['refs'];
}

/** What GRANT ALL ON SEQUENCE stands for. */
const SEQUENCE_ALL_PRIVILEGES = ['SELECT', 'UPDATE', 'USAGE'];

/** Table privileges GRANT ALL stands for; PostgreSQL 17 added MAINTAIN. */
const ALL_PRIVILEGES = [
  'DELETE',
  'INSERT',
  'REFERENCES',
  'SELECT',
  'TRIGGER',
  'TRUNCATE',
  'UPDATE',
];

/** Types of common extensions: a dump names them but does not say an extension made them. */
const EXTENSION_TYPES: Record<string, string[]> = {
  citext: ['citext'],
  hstore: ['hstore'],
  ltree: ['ltree', 'lquery', 'ltxtquery'],
  cube: ['cube'],
  isn: ['ean13', 'isbn', 'isbn13', 'ismn', 'ismn13', 'issn', 'issn13', 'upc'],
  postgis: ['geometry', 'geography', 'box2d', 'box3d'],
  vector: ['vector', 'halfvec', 'sparsevec'],
  pg_trgm: ['gtrgm'],
};

/** A statement's text without its semicolon, the way PostgreSQL's pg_get_*def functions print one. */
function definitionOf(text: string): string {
  return text.replace(/;$/, '').trim();
}

export async function readDumpFile(file: string): Promise<SchemaModel> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UserError(`${file}: cannot read it (${code}); give a pg_dump --schema-only file.`);
  }
  await loadModule();
  return readDump(text, file);
}

/** The model of a dump's text; `file` only names it in messages. */
export function readDump(text: string, file: string): SchemaModel {
  const reader = new DumpReader(versionOf(text));
  for (const statement of statementsOf(text, file)) reader.read(statement);
  return reader.finish();
}

function versionOf(text: string): number {
  return Number(/Dumped from database version (\d+)/.exec(text)?.[1] ?? 15);
}

/**
 * psql meta-commands (\connect, \restrict…) are not SQL; blanking them keeps every offset valid.
 * A COPY's data, in case the dump holds some, goes the same way.
 */
function statementsOf(text: string, file: string): Statement[] {
  const sql = text
    .replace(/^COPY [^\n]* FROM stdin;\n[\s\S]*?^\\\.$/gm, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/^\\[^\n]*/gm, (line) => ' '.repeat(line.length));
  const bytes = Buffer.from(sql, 'utf8');

  let parsed;
  try {
    parsed = parseSync(sql);
  } catch (error) {
    const position = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails
      ?.cursorPosition;
    const line =
      position == null ? '' : `:${bytes.subarray(0, position).toString('utf8').split('\n').length}`;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UserError(
      `${file}${line}: not valid PostgreSQL (${reason}); give a pg_dump --schema-only file.`,
    );
  }

  return (parsed.stmts ?? []).map((raw) => {
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const node = raw.stmt as unknown as Node;
    const kind = Object.keys(node)[0]!;
    const text = bytes.subarray(start, end).toString('utf8').trim();
    return { node: node[kind] as Node, kind, text, bytes, end };
  });
}

class DumpReader {
  private readonly model = emptyModel();
  private readonly tables = new Map<string, TableInfo>();
  private readonly functions: PendingFunction[] = [];
  private readonly sequenceUsers = new Map<string, Rel[]>();
  private readonly grants = new Map<string, GrantInfo>();
  private readonly sequenceGrants = new Map<string, GrantInfo>();
  private readonly sequences = new Map<string, SchemaModel['sequences'][number]>();

  constructor(private readonly version: number) {}

  read(statement: Statement): void {
    const handler = this.handlers[statement.kind];
    if (handler) handler(statement.node, statement.text, statement);
  }

  private readonly handlers: Record<
    string,
    (node: Node, text: string, statement: Statement) => void
  > = {
    CreateSchemaStmt: (node) => this.model.schemas.push(String(node.schemaname)),
    CreateExtensionStmt: (node) => this.extension(node),
    CreateEnumStmt: (node) => this.type(names(node.typeName), 'enum', null),
    CreateDomainStmt: (node) =>
      this.type(names(node.domainname), 'domain', typeRel(node.typeName as Node)),
    CompositeTypeStmt: (node) => this.type(relOf(node.typevar as Node), 'composite', null),
    CreateRangeStmt: (node) => this.type(names(node.typeName), 'range', null),
    CreateSeqStmt: (node) => this.sequence(node),
    AlterSeqStmt: (node) => this.alterSequence(node),
    CreateStmt: (node, text, statement) => this.table(node, statement, 'table'),
    CreateForeignTableStmt: (node, text, statement) =>
      this.table(node.base as Node, statement, 'foreign'),
    AlterTableStmt: (node, text) => this.alterTable(node, text),
    IndexStmt: (node, text) => this.index(node, text),
    CreateStatsStmt: (node, text) => this.statistics(node, text),
    CreateTrigStmt: (node, text) => this.trigger(node, text),
    CreateFunctionStmt: (node, text) => this.function(node, text),
    ViewStmt: (node, text) => this.view(relOf(node.view as Node), node.query, text, false),
    CreateTableAsStmt: (node, text) => {
      if (node.objtype === 'OBJECT_MATVIEW') {
        this.view(relOf((node.into as Node).rel as Node), node.query, text, true);
      }
    },
    CreatePolicyStmt: (node, text) => this.policy(node, text),
    GrantStmt: (node) => this.grant(node),
    AlterDefaultPrivilegesStmt: (node) => this.defaultPrivileges(node),
    CreatePublicationStmt: (node) => this.publication(node),
    AlterPublicationStmt: (node) => this.publication(node),
  };

  private extension(node: Node): void {
    const schema = options(node.options).get('schema');
    this.model.extensions.push({
      name: String(node.extname),
      schema: typeof schema === 'string' ? schema : 'public',
      relocatable: null,
    });
  }

  private type(rel: Rel, kind: 'enum' | 'domain' | 'composite' | 'range', base: Rel | null): void {
    this.model.types.push({ ...rel, kind, baseType: base });
  }

  private sequence(node: Node): void {
    const sequence = { ...relOf(node.sequence as Node), ownedBy: null, usedBy: [] };
    this.sequences.set(qualified(sequence), sequence);
    this.model.sequences.push(sequence);
  }

  private alterSequence(node: Node): void {
    const owner = options(node.options).get('owned_by');
    if (!Array.isArray(owner) || owner.length !== 3) return;
    const sequence = this.findSequence(relOf(node.sequence as Node));
    if (sequence) sequence.ownedBy = { schema: owner[0]!, name: owner[1]!, column: owner[2]! };
  }

  private findSequence(rel: Rel): SchemaModel['sequences'][number] | undefined {
    return this.sequences.get(qualified(rel));
  }

  private table(node: Node, statement: Statement, kind: 'table' | 'foreign'): void {
    const text = statement.text;
    const rel = relOf(node.relation as Node);
    const parent = (node.inhRelations as Node[] | undefined)?.[0];
    const table: TableInfo = {
      ...rel,
      kind: node.partspec ? 'partitioned' : kind,
      parent: parent ? relOf((parent.RangeVar ?? parent) as Node) : null,
      owner: null,
      rowSecurity: false,
      columns: [],
      partitionBy: node.partspec
        ? (/\bPARTITION BY\s+([\s\S]*?);?$/i.exec(text)?.[1] ?? null)
        : null,
      partitionBound: node.partbound ? boundOf(text) : null,
    };

    const elements = (node.tableElts as Node[] | undefined) ?? [];
    for (const [index, element] of elements.entries()) {
      if (element.ColumnDef) {
        const next = elements[index + 1];
        table.columns.push(this.column(rel, element.ColumnDef as Node, statement, next));
      } else if (element.Constraint) {
        const definition = constraintText(
          statement,
          element.Constraint as Node,
          elements[index + 1],
        );
        this.constraint(rel, element.Constraint as Node, definition);
      }
    }
    this.tables.set(qualified(rel), table);
    this.model.tables.push(table);
  }

  private column(table: Rel, def: Node, statement: Statement, next: Node | undefined): ColumnInfo {
    const source = elementText(statement, def, next).replace(/\s+/g, ' ');
    const name = String(def.colname);
    const afterName = source.replace(/^("(?:[^"]|"")+"|\S+)\s*/, '');

    const constraints = ((def.constraints as Node[] | undefined) ?? []).map(
      (c) => c.Constraint as Node,
    );
    const generated = constraints.find((c) => c.contype === 'CONSTR_GENERATED');
    const identity = constraints.find((c) => c.contype === 'CONSTR_IDENTITY');
    const defaultText = /\bDEFAULT ([\s\S]*?)(?: NOT NULL| NULL)?$/.exec(afterName)?.[1] ?? null;
    if (defaultText) this.noteDefault(table, name, defaultText);
    return {
      name,
      type: afterName
        .split(/ (?:COLLATE|DEFAULT|NOT NULL|NULL|GENERATED|CONSTRAINT|CHECK)\b/)[0]!
        .trim(),
      userType: typeRel(def.typeName as Node),
      notNull: constraints.some((c) => c.contype === 'CONSTR_NOTNULL'),
      default: generated ? null : defaultText,
      generated: generated
        ? (/GENERATED ALWAYS AS \(([\s\S]*)\) STORED/.exec(afterName)?.[1] ?? null)
        : null,
      identity: identity ? (identity.generated_when === 'd' ? 'by default' : 'always') : null,
    };
  }

  private noteDefault(table: Rel, column: string, expression: string): void {
    for (const match of expression.matchAll(/nextval\('([^']+)'/g)) {
      const users = this.sequenceUsers.get(match[1]!) ?? [];
      users.push(table);
      this.sequenceUsers.set(match[1]!, users);
    }
    for (const fn of functionCalls(parseExpression(expression))) {
      this.model.functionUses.push({
        object: `default of ${table.name}.${column}`,
        table,
        function: fn,
      });
    }
  }

  private constraint(table: Rel, node: Node, definition: string): void {
    const name = String(node.conname ?? '');
    const kind = CONSTRAINT_KINDS[String(node.contype)];
    if (!kind || name === '') return;
    this.model.constraints.push({ name, table, definition, kind });

    if (kind === 'foreign') {
      this.model.foreignKeys.push({
        name,
        table,
        columns: strings(node.fk_attrs),
        references: relOf(node.pktable as Node),
        referencedColumns: strings(node.pk_attrs),
        onDelete: DELETE_ACTIONS[String(node.fk_del_action ?? 'a')] ?? 'no action',
      });
    }
    for (const fn of functionCalls(node.raw_expr)) {
      this.model.functionUses.push({ object: `constraint ${name}`, table, function: fn });
    }
  }

  private alterTable(node: Node, text: string): void {
    if (node.objtype !== 'OBJECT_TABLE' && node.objtype !== 'OBJECT_FOREIGN_TABLE') return;
    const rel = relOf(node.relation as Node);
    for (const item of (node.cmds as Node[] | undefined) ?? []) {
      const cmd = item.AlterTableCmd as Node;
      const table = this.tables.get(qualified(rel));
      const def = cmd.def as Node | undefined;
      switch (cmd.subtype) {
        case 'AT_AddConstraint': {
          const definition =
            /\bADD CONSTRAINT\s+(?:"(?:[^"]|"")+"|\S+)\s+([\s\S]*?);?$/i.exec(text)?.[1] ?? '';
          this.constraint(rel, def!.Constraint as Node, definition.trim());
          break;
        }
        case 'AT_ColumnDefault': {
          const expression = /\bSET DEFAULT\s+([\s\S]*?);?$/i.exec(text)?.[1];
          const column = table?.columns.find((c) => c.name === cmd.name);
          if (expression && column) {
            column.default = expression.trim();
            this.noteDefault(rel, column.name, column.default);
          }
          break;
        }
        case 'AT_AddIdentity':
          this.identity(rel, String(cmd.name), def!.Constraint as Node);
          break;
        case 'AT_AttachPartition': {
          const partition = this.tables.get(
            qualified(relOf((def!.PartitionCmd as Node).name as Node)),
          );
          if (partition) {
            partition.parent = rel;
            partition.partitionBound = boundOf(text);
          }
          break;
        }
        case 'AT_ChangeOwner':
          if (table) table.owner = String((cmd.newowner as Node).rolename);
          break;
        case 'AT_EnableRowSecurity':
          if (table) table.rowSecurity = true;
          break;
      }
    }
  }

  private identity(table: Rel, column: string, constraint: Node): void {
    const info = this.tables.get(qualified(table))?.columns.find((c) => c.name === column);
    if (info) info.identity = constraint.generated_when === 'd' ? 'by default' : 'always';
    const name = options(constraint.options).get('sequence_name');
    if (!Array.isArray(name)) return;
    const sequence = {
      schema: name.length > 1 ? name[0]! : table.schema,
      name: name[name.length - 1]!,
    };
    this.model.sequences.push({ ...sequence, ownedBy: { ...table, column }, usedBy: [] });
  }

  private index(node: Node, text: string): void {
    const table = relOf(node.relation as Node);
    const name = String(node.idxname);
    this.model.indexes.push({ name, table, definition: text.replace(/;$/, '') });
    for (const fn of functionCalls([node.indexParams, node.whereClause])) {
      this.model.functionUses.push({ object: `index ${name}`, table, function: fn });
    }
  }

  private statistics(node: Node, text: string): void {
    const name = names(node.defnames);
    const relation = (node.relations as Node[])[0]!;
    const table = relOf((relation.RangeVar ?? relation) as Node);
    this.model.statistics.push({ ...name, table, definition: definitionOf(text) });
  }

  private trigger(node: Node, text: string): void {
    this.model.triggers.push({
      name: String(node.trigname),
      table: relOf(node.relation as Node),
      function: names(node.funcname),
      definition: definitionOf(text),
    });
  }

  private function(node: Node, text: string): void {
    const name = names(node.funcname);
    const opts = options(node.options);
    const language = String(opts.get('language') ?? 'sql');
    const reading = readFunctionBody(text, language);
    const rowTypes = [
      ...((node.parameters as Node[] | undefined) ?? []).map((p) =>
        typeRel((p.FunctionParameter as Node).argType as Node),
      ),
      typeRel(node.returnType as Node),
    ].filter((rel): rel is Rel => rel != null);

    this.functions.push({
      info: {
        ...name,
        signature: `${name.name}(${argumentsOf(text)})`,
        language,
        securityDefiner: opts.get('security') === true,
        pinnedSearchPath:
          typeof opts.get('search_path') === 'string' ? (opts.get('search_path') as string) : null,
        standardBody: node.sql_body != null,
        dynamic: reading.dynamic,
        unparsed: reading.unparsed,
        rowTypes,
      },
      text,
      refs: reading.refs,
    });
  }

  private view(rel: Rel, query: unknown, text: string, materialized: boolean): void {
    const reads = collectPostgresqlTables(query)
      .filter((t) => t.schema != null)
      .map((t) => ({ schema: t.schema!, name: t.name }));
    const definition = /\bAS\s+([\s\S]*?)(?:\s+WITH NO DATA)?;?$/i.exec(text)?.[1] ?? '';
    this.model.views.push({ ...rel, materialized, reads: uniqueRels(reads), definition });
  }

  private policy(node: Node, text: string): void {
    const table = relOf(node.table as Node);
    const reads = collectPostgresqlTables([node.qual, node.with_check])
      .filter((t) => t.schema != null)
      .map((t) => ({ schema: t.schema!, name: t.name }))
      .filter((r) => qualified(r) !== qualified(table));
    const name = String(node.policy_name);
    this.model.policies.push({
      name,
      table,
      reads: uniqueRels(reads),
      definition: definitionOf(text),
    });
  }

  private grant(node: Node): void {
    const onSequence = node.objtype === 'OBJECT_SEQUENCE';
    if (node.objtype !== 'OBJECT_TABLE' && !onSequence) return;
    if (node.targtype !== 'ACL_TARGET_OBJECT') return;
    const privileges = onSequence
      ? this.privileges(node.privileges, SEQUENCE_ALL_PRIVILEGES)
      : this.privileges(node.privileges);
    const grants = onSequence ? this.sequenceGrants : this.grants;
    for (const object of (node.objects as Node[] | undefined) ?? []) {
      const table = relOf((object.RangeVar ?? object) as Node);
      for (const grantee of granteesOf(node.grantees)) {
        const key = `${qualified(table)}\0${grantee}`;
        const held = new Set(grants.get(key)?.privileges ?? []);
        for (const privilege of privileges) {
          if (node.is_grant === true) held.add(privilege);
          else held.delete(privilege);
        }
        grants.set(key, { table, grantee, privileges: [...held].sort() });
      }
    }
  }

  private privileges(list: unknown, all?: string[]): string[] {
    const named = ((list as Node[] | undefined) ?? []).map((p) =>
      String((p.AccessPriv as Node).priv_name).toUpperCase(),
    );
    if (named.length > 0) return named;
    if (all) return all;
    return this.version >= 17 ? [...ALL_PRIVILEGES, 'MAINTAIN'].sort() : ALL_PRIVILEGES;
  }

  private defaultPrivileges(node: Node): void {
    const opts = options(node.options);
    const schemas = opts.get('schemas');
    const roles = opts.get('roles');
    const action = node.action as Node;
    const objectType = DEFAULT_OBJECT_TYPES[String(action.objtype)];
    if (!Array.isArray(schemas) || !objectType || action.is_grant !== true) return;

    const privileges = this.privileges(action.privileges);
    for (const schema of schemas) {
      for (const role of Array.isArray(roles) ? roles : ['(current user)']) {
        for (const grantee of granteesOf(action.grantees)) {
          this.model.defaultPrivileges.push({
            role,
            schema,
            objectType,
            grantee,
            privileges: [...privileges].sort(),
          });
        }
      }
    }
  }

  private publication(node: Node): void {
    const name = String(node.pubname);
    let publication = this.model.publications.find((p) => p.name === name);
    if (!publication) {
      publication = { name, tables: [], schemas: [], allTables: node.for_all_tables === true };
      this.model.publications.push(publication);
    }
    if (node.action != null && node.action !== 'AP_AddObjects') return;
    for (const item of (node.pubobjects as Node[] | undefined) ?? []) {
      const spec = item.PublicationObjSpec as Node;
      if (spec.pubobjtype === 'PUBLICATIONOBJ_TABLE') {
        publication.tables.push(relOf((spec.pubtable as Node).relation as Node));
      } else if (spec.pubobjtype === 'PUBLICATIONOBJ_TABLES_IN_SCHEMA') {
        publication.schemas.push(String(spec.name));
      }
    }
  }

  finish(): SchemaModel {
    const model = this.model;
    for (const sequence of model.sequences) {
      sequence.usedBy = uniqueRels(this.sequenceUsers.get(qualified(sequence)) ?? []);
    }
    model.grants = [...this.grants.values()].filter(
      (grant) => this.tables.has(qualified(grant.table)) && grant.privileges.length > 0,
    );
    const sequenceNames = new Set(model.sequences.map(qualified));
    model.sequenceGrants = [...this.sequenceGrants.values()].filter(
      (grant) => sequenceNames.has(qualified(grant.table)) && grant.privileges.length > 0,
    );
    model.extensionTypes = this.extensionTypes();

    const relations = relationIndex(model);
    const tableNames = new Set(model.tables.map(qualified));
    model.functions = this.functions.map(({ info, refs }) => ({
      ...info,
      rowTypes: info.rowTypes.filter((rel) => tableNames.has(qualified(rel))),
      reads: resolveBodyRefs(refs, info, relations),
    }));
    model.functionUses = model.functionUses.filter((use) =>
      this.functions.some((fn) => qualified(fn.info) === qualified(use.function)),
    );
    return normalizeModel(model);
  }

  /** Types the dump uses but does not create, matched to the extensions of their schema. */
  private extensionTypes(): SchemaModel['extensionTypes'] {
    const defined = new Set(this.model.types.map(qualified));
    const used = [
      ...this.model.tables.flatMap((t) => t.columns.map((c) => c.userType)),
      ...this.model.types.map((t) => t.baseType),
    ].filter(
      (rel): rel is Rel =>
        rel != null && !defined.has(qualified(rel)) && !this.tables.has(qualified(rel)),
    );

    return uniqueRels(used).flatMap((type) => {
      const here = this.model.extensions.filter((x) => x.schema === type.schema);
      const known = here.find((x) => EXTENSION_TYPES[x.name]?.includes(type.name));
      const extension = known ?? (here.length === 1 ? here[0] : undefined);
      return extension ? [{ ...type, extension: extension.name }] : [];
    });
  }
}
