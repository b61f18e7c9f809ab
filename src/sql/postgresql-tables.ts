/**
 * Lists the relations a libpg-query statement tree references, with the role each plays.
 *
 * libpg-query writes most nodes wrapped in their type (`{RangeVar: {...}}`), but typed fields such
 * as UpdateStmt.relation or Constraint.pktable hold the bare object. The walk accepts both, and
 * uses a work list instead of recursion so that deeply nested expressions cannot overflow the stack.
 */
import type {
  AlterTableStmt,
  CommentStmt,
  CommonTableExpr,
  CompositeTypeStmt,
  Constraint,
  CopyStmt,
  CreateStmt,
  DeleteStmt,
  FuncCall,
  DropStmt,
  InsertStmt,
  LockStmt,
  MergeStmt,
  ObjectType,
  RangeVar,
  RefreshMatViewStmt,
  ReindexStmt,
  RenameStmt,
  SelectStmt,
  TruncateStmt,
  UpdateStmt,
  WithClause,
} from 'libpg-query';

import type { TableRole } from './types.js';

export interface FoundTable {
  schema: string | null;
  name: string;
  role: TableRole;
  /** UTF-8 byte offset in the whole SQL string, or -1 when the parser gives none. */
  location: number;
  /** For a foreign key's target: the table that declares the key. */
  referencedBy?: TableName;
}

interface TableName {
  schema: string | null;
  name: string;
}

interface Scope {
  role: TableRole;
  /** CTE names visible here; an unqualified reference to one of them is not a table. */
  ctes: ReadonlySet<string>;
  /** The table a CREATE TABLE or ALTER TABLE is about: the one its foreign keys start from. */
  declaring?: TableName;
  /**
   * In the FROM of a SELECT … FOR UPDATE or FOR NO KEY UPDATE: the rows read are locked to be
   * changed, a write. True for every table, or the names and aliases listed after OF.
   */
  locked?: true | ReadonlySet<string>;
}

type AstObject = Record<string, unknown>;

/** Outside any statement-specific rule, a reference belongs to the schema (CREATE, ALTER, …). */
const STATEMENT_SCOPE: Scope = { role: 'ddl', ctes: new Set() };

/** Object kinds named by a plain string list in DROP and COMMENT ON. */
const RELATION_KINDS: ReadonlySet<ObjectType> = new Set([
  'OBJECT_TABLE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_SEQUENCE',
  'OBJECT_FOREIGN_TABLE',
]);

/** Objects named as `relation.member`: the list minus its last item is the relation. */
const RELATION_MEMBER_KINDS: ReadonlySet<ObjectType> = new Set([
  'OBJECT_COLUMN',
  'OBJECT_TABCONSTRAINT',
  'OBJECT_TRIGGER',
  'OBJECT_POLICY',
  'OBJECT_RULE',
]);

/** LOCK modes up to ROW SHARE are the ones SELECT and SELECT … FOR UPDATE take. */
const ROW_SHARE_LOCK = 2;

export function collectPostgresqlTables(statement: unknown): FoundTable[] {
  return new TableWalker().run(statement, STATEMENT_SCOPE);
}

class TableWalker {
  private readonly found: FoundTable[] = [];
  private readonly pending: Array<{ node: object; scope: Scope }> = [];

  run(root: unknown, scope: Scope): FoundTable[] {
    this.visit(root, scope);

    for (let next = this.pending.pop(); next; next = this.pending.pop()) {
      this.expand(next.node, next.scope);
    }
    return this.found;
  }

  visit(node: unknown, scope: Scope): void {
    if (typeof node === 'object' && node !== null) {
      this.pending.push({ node, scope });
    }
  }

  visitFields(fields: object, scope: Scope, skip: readonly string[] = []): void {
    for (const [key, value] of Object.entries(fields)) {
      if (!skip.includes(key)) this.visit(value, scope);
    }
  }

  addRangeVar(rangeVar: RangeVar, scope: Scope, referencedBy?: TableName): void {
    const { schemaname, relname } = rangeVar;
    if (relname === undefined) return;
    if (schemaname === undefined && scope.ctes.has(relname)) return;

    this.found.push({
      schema: schemaname ?? null,
      name: relname,
      role: isLocked(rangeVar, scope) ? 'write' : scope.role,
      location: rangeVar.location ?? -1,
      ...(referencedBy ? { referencedBy } : {}),
    });
  }

  addNameList(parts: readonly string[], role: TableRole, location = -1): void {
    const name = parts.at(-1);
    if (name === undefined) return;

    this.found.push({ schema: parts.at(-2) ?? null, name, role, location });
  }

  /**
   * Walks the CTE queries with the names each may see, and returns the scope for the rest of the
   * statement. Without RECURSIVE a CTE sees only the ones listed before it.
   */
  enterWith(withClause: WithClause | undefined, scope: Scope): Scope {
    const ctes = (withClause?.ctes ?? []).map((node) => unwrap<CommonTableExpr>(node));
    if (ctes.length === 0) return scope;

    const names = ctes.flatMap((cte) => (cte.ctename === undefined ? [] : [cte.ctename]));
    const all = new Set([...scope.ctes, ...names]);
    let visible = withClause?.recursive ? all : new Set(scope.ctes);
    for (const cte of ctes) {
      this.visit(cte.ctequery, { role: 'read', ctes: visible });
      if (!withClause?.recursive && cte.ctename !== undefined) {
        visible = new Set([...visible, cte.ctename]);
      }
    }
    return { ...scope, ctes: all };
  }

  private expand(node: object, scope: Scope): void {
    if (Array.isArray(node)) {
      for (const item of node) this.visit(item, scope);
      return;
    }
    if (isBareRangeVar(node)) {
      this.addRangeVar(node, scope);
      return;
    }

    const type = readNodeType(node);
    if (type === null) {
      this.visitFields(node, scope);
      return;
    }

    const fields = (node as AstObject)[type];
    const handler = findHandler(type);
    if (type === 'RangeVar') {
      this.addRangeVar(fields as RangeVar, scope);
    } else if (handler) {
      handler(fields, scope, this);
    } else {
      this.visit(fields, scope);
    }
  }
}

type Handler<T> = (node: T, scope: Scope, walker: TableWalker) => void;

/** Statements and nodes whose parts play different roles, or hold names that are not tables. */
interface HandledNodes {
  SelectStmt: SelectStmt;
  InsertStmt: InsertStmt;
  UpdateStmt: UpdateStmt;
  DeleteStmt: DeleteStmt;
  MergeStmt: MergeStmt;
  CreateStmt: CreateStmt;
  CopyStmt: CopyStmt;
  TruncateStmt: TruncateStmt;
  FuncCall: FuncCall;
  LockStmt: LockStmt;
  RefreshMatViewStmt: RefreshMatViewStmt;
  Constraint: Constraint;
  DropStmt: DropStmt;
  CommentStmt: CommentStmt;
  AlterTableStmt: AlterTableStmt;
  RenameStmt: RenameStmt;
  ReindexStmt: ReindexStmt;
  CompositeTypeStmt: CompositeTypeStmt;
}

const HANDLERS: { [K in keyof HandledNodes]: Handler<HandledNodes[K]> } = {
  SelectStmt: walkSelect,
  InsertStmt: (node, scope, walker) => walkDataChange(node, scope, walker, 'write'),
  UpdateStmt: (node, scope, walker) => walkDataChange(node, scope, walker, 'write'),
  DeleteStmt: (node, scope, walker) => walkDataChange(node, scope, walker, 'write'),
  MergeStmt: (node, scope, walker) => walkDataChange(node, scope, walker, 'write'),
  CopyStmt: (node, scope, walker) =>
    walkDataChange(node, scope, walker, node.is_from ? 'write' : 'read'),
  TruncateStmt: (node, scope, walker) => walker.visit(node.relations, { ...scope, role: 'write' }),
  LockStmt: walkLock,
  RefreshMatViewStmt: (node, _scope, walker) => walkTarget(node.relation, 'write', walker),
  CreateStmt: (node, scope, walker) => walkDeclaring(node, node.relation, scope, walker),
  Constraint: walkConstraint,
  DropStmt: walkDrop,
  CommentStmt: walkComment,
  AlterTableStmt: (node, scope, walker) =>
    walkUnlessIndex(node, node.objtype, { ...scope, declaring: nameOf(node.relation) }, walker),
  RenameStmt: (node, scope, walker) => walkUnlessIndex(node, node.renameType, scope, walker),
  ReindexStmt: (node, scope, walker) => {
    const kind = node.kind === 'REINDEX_OBJECT_INDEX' ? 'OBJECT_INDEX' : undefined;
    walkUnlessIndex(node, kind, scope, walker);
  },
  FuncCall: walkFuncCall,
  // The type's name is a RangeVar, but a composite type is no table.
  CompositeTypeStmt: (node, scope, walker) => walker.visitFields(node, scope, ['typevar']),
};

function findHandler(type: string): Handler<unknown> | undefined {
  if (!Object.hasOwn(HANDLERS, type)) return undefined;
  return HANDLERS[type as keyof HandledNodes] as Handler<unknown>;
}

/**
 * A SELECT reads, wherever it sits, except the tables of its FROM that FOR UPDATE or FOR NO KEY
 * UPDATE locks to be changed. FOR UPDATE OF names aliases, so the locking clause is not walked.
 * SELECT … INTO creates a table.
 */
function walkSelect(node: SelectStmt, scope: Scope, walker: TableWalker): void {
  // Only the FROM is locked: the select list and WHERE read, subqueries there included.
  const inner = walker.enterWith(node.withClause, { ...scope, role: 'read', locked: undefined });

  if (node.intoClause) walker.visit(node.intoClause, { ...inner, role: 'ddl' });
  const locked = lockedBy(node.lockingClause) ?? scope.locked;
  walker.visit(node.fromClause, locked ? { ...inner, locked } : inner);
  walker.visitFields(node, inner, ['withClause', 'intoClause', 'lockingClause', 'fromClause']);
}

/** The tables FOR UPDATE or FOR NO KEY UPDATE locks: all, or those named after OF. */
function lockedBy(clauses: SelectStmt['lockingClause']): Scope['locked'] | undefined {
  let locked: Scope['locked'] | undefined;
  for (const node of clauses ?? []) {
    const clause = unwrap<{ strength?: string; lockedRels?: unknown[] }>(node);
    if (clause.strength !== 'LCS_FORUPDATE' && clause.strength !== 'LCS_FORNOKEYUPDATE') continue;
    const names = (clause.lockedRels ?? []).flatMap((rel) => {
      const name = unwrap<RangeVar>(rel).relname;
      return name === undefined ? [] : [name];
    });
    if (names.length === 0 || locked === true) locked = true;
    else locked = new Set([...(locked ?? []), ...names]);
  }
  return locked;
}

function isLocked(rangeVar: RangeVar, scope: Scope): boolean {
  if (scope.locked == null || scope.role !== 'read') return false;
  if (scope.locked === true) return true;
  const name = rangeVar.alias?.aliasname ?? rangeVar.relname;
  return name !== undefined && scope.locked.has(name);
}

/** Sequence functions name their sequence in a string: nextval and setval change it. */
const SEQUENCE_FUNCTIONS: ReadonlyMap<string, TableRole> = new Map([
  ['nextval', 'write'],
  ['setval', 'write'],
  ['currval', 'read'],
]);

/**
 * `nextval('crm.ids')`: the string is the sequence's name, a use of that sequence. The location
 * is the name's, inside the quote.
 */
function walkFuncCall(node: FuncCall, scope: Scope, walker: TableWalker): void {
  const parts = readNameParts({ List: { items: node.funcname ?? [] } });
  const role = SEQUENCE_FUNCTIONS.get(parts.at(-1) ?? '');
  const isCatalog = parts.length === 1 || (parts.length === 2 && parts[0] === 'pg_catalog');
  const name = role && isCatalog ? sequenceName(node.args?.[0]) : null;
  if (role && name) walker.addNameList(name.parts, role, name.location);
  walker.visitFields(node, scope);
}

/** A string constant, or one cast to regclass, read as PostgreSQL reads a relation name. */
function sequenceName(arg: unknown): { parts: string[]; location: number } | null {
  const cast = unwrap<{ arg?: unknown }>(arg);
  const constant = unwrap<{ sval?: { sval?: string }; location?: number }>(cast.arg ?? arg);
  const text = constant.sval?.sval;
  if (text == null || constant.location == null) return null;

  const parts: string[] = [];
  for (const match of text.matchAll(/"((?:[^"]|"")*)"|([^".]+)/g)) {
    parts.push(match[1] != null ? match[1].replace(/""/g, '"') : match[2]!.trim().toLowerCase());
  }
  return parts.length > 0 && parts.length <= 3 ? { parts, location: constant.location + 1 } : null;
}

/** INSERT, UPDATE, DELETE, MERGE, COPY: the target has the given role, everything else is read. */
function walkDataChange(
  node: { relation?: RangeVar; withClause?: WithClause },
  scope: Scope,
  walker: TableWalker,
  targetRole: TableRole,
): void {
  const inner = walker.enterWith(node.withClause, { ...scope, role: 'read' });

  walkTarget(node.relation, targetRole, walker);
  walker.visitFields(node, inner, ['withClause', 'relation']);
}

/** A statement's target is always a real relation: PostgreSQL never resolves it to a CTE. */
function walkTarget(relation: RangeVar | undefined, role: TableRole, walker: TableWalker): void {
  if (relation) walker.addRangeVar(relation, { role, ctes: new Set() });
}

function walkLock(node: LockStmt, scope: Scope, walker: TableWalker): void {
  const role = (node.mode ?? Infinity) <= ROW_SHARE_LOCK ? 'read' : 'write';
  walker.visit(node.relations, { ...scope, role });
}

/** CREATE TABLE: the foreign keys declared inside start from the table created. */
function walkDeclaring(
  node: object,
  relation: RangeVar | undefined,
  scope: Scope,
  walker: TableWalker,
): void {
  walker.visitFields(node, { ...scope, declaring: nameOf(relation) });
}

/** A foreign key's target is referenced by the table that declares the key. */
function walkConstraint(node: Constraint, scope: Scope, walker: TableWalker): void {
  if (node.pktable) {
    const from = scope.declaring;
    walker.addRangeVar(node.pktable, { role: from ? 'reference' : 'ddl', ctes: new Set() }, from);
  }
  walker.visitFields(node, scope, ['pktable']);
}

function nameOf(relation: RangeVar | undefined): TableName | undefined {
  if (relation?.relname === undefined) return undefined;
  return { schema: relation.schemaname ?? null, name: relation.relname };
}

function walkDrop(node: DropStmt, _scope: Scope, walker: TableWalker): void {
  for (const object of node.objects ?? []) {
    addRelationName(readNameParts(object), node.removeType, walker);
  }
}

function walkComment(node: CommentStmt, _scope: Scope, walker: TableWalker): void {
  addRelationName(readNameParts(node.object), node.objtype, walker);
}

function addRelationName(parts: string[], kind: ObjectType | undefined, walker: TableWalker): void {
  if (kind === undefined) return;
  if (RELATION_KINDS.has(kind)) walker.addNameList(parts, 'ddl');
  if (RELATION_MEMBER_KINDS.has(kind)) walker.addNameList(parts.slice(0, -1), 'ddl');
}

/**
 * ALTER INDEX, ALTER INDEX … RENAME and REINDEX INDEX name only indexes (ATTACH PARTITION too),
 * and an index is not a table.
 */
function walkUnlessIndex(
  node: object,
  kind: ObjectType | undefined,
  scope: Scope,
  walker: TableWalker,
): void {
  if (kind !== 'OBJECT_INDEX') walker.visitFields(node, scope);
}

/** `{List: {items: [{String: {sval}}, …]}}` → ['schema', 'name']. */
function readNameParts(node: unknown): string[] {
  const items = unwrap<{ items?: unknown[] }>(node).items ?? [];
  return items.flatMap((item) => {
    const sval = unwrap<{ sval?: unknown }>(item).sval;
    return typeof sval === 'string' ? [sval] : [];
  });
}

/** The type name of a wrapped node such as `{SelectStmt: {...}}`, or null for a bare object. */
function readNodeType(node: object): string | null {
  const keys = Object.keys(node);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || !/^[A-Z]/.test(key)) return null;
  return key;
}

function unwrap<T>(node: unknown): T {
  if (typeof node !== 'object' || node === null) return {} as T;
  const type = readNodeType(node);
  return (type === null ? node : (node as AstObject)[type]) as T;
}

function isBareRangeVar(node: object): node is RangeVar {
  const candidate = node as AstObject;
  return typeof candidate.relname === 'string' && typeof candidate.relpersistence === 'string';
}
