/**
 * Lists the tables a node-sql-parser (MySQL) statement references, with the role each plays.
 * node-sql-parser's own tableList() reports CTE names as tables and misses foreign-key targets, so
 * this walks the tree itself. Tables come out in tree order, which follows the text.
 */
import type { TableRole } from './types.js';

export interface NamedTable {
  schema: string | null;
  name: string;
  role: TableRole;
  /** Offset in the parsed text where the parser says the table starts, when it says. */
  position: number | null;
  /** For a foreign key's target: the table that declares the key. */
  referencedBy?: { schema: string | null; name: string };
}

type AstObject = Record<string, unknown>;

/** CTE names visible at a point, lower-cased: MySQL compares them case-insensitively. */
type CteScope = ReadonlySet<string>;

type StatementHandler = (node: AstObject, ctes: CteScope, walker: MysqlTableWalker) => void;

/** Fields that repeat what the tree already holds (node-sql-parser's own lists) or hold positions. */
const IGNORED_FIELDS: ReadonlySet<string> = new Set(['tableList', 'columnList', 'loc']);

const NO_CTES: CteScope = new Set();

export function collectMysqlTables(ast: unknown): NamedTable[] {
  const walker = new MysqlTableWalker();
  for (const statement of asList(ast)) walker.statement(statement, NO_CTES);
  return walker.found;
}

class MysqlTableWalker {
  readonly found: NamedTable[] = [];
  /** The table a CREATE TABLE or ALTER TABLE is about: the one its foreign keys start from. */
  declaring: NamedTable['referencedBy'];

  statement(node: unknown, ctes: CteScope): void {
    if (!isAstObject(node)) return;
    const handler = typeof node.type === 'string' ? findHandler(node.type) : undefined;
    if (handler) {
      handler(node, ctes, this);
    } else {
      this.expression(node, ctes);
    }
  }

  /** Any other part of the tree: only nested SELECTs and foreign-key targets name tables there. */
  expression(value: unknown, ctes: CteScope): void {
    if (Array.isArray(value)) {
      for (const item of value) this.expression(item, ctes);
      return;
    }
    if (!isAstObject(value)) return;
    if (value.type === 'select') {
      walkSelect(value, ctes, this);
      return;
    }
    this.fields(value, ctes, {});
  }

  /** Walks an object's fields in order; a field with a special role gets its own callback. */
  fields(node: AstObject, ctes: CteScope, special: Record<string, (value: unknown) => void>): void {
    for (const [key, value] of Object.entries(node)) {
      if (IGNORED_FIELDS.has(key)) continue;
      const walkSpecial = Object.hasOwn(special, key) ? special[key] : undefined;
      if (walkSpecial) {
        walkSpecial(value);
      } else if (key === 'reference_definition' && isAstObject(value)) {
        this.references(value.table);
      } else {
        this.expression(value, ctes);
      }
    }
  }

  /** A FROM list, or any list of `{db, table}` items such as a DML target list. */
  tables(items: unknown, role: TableRole | ((item: AstObject) => TableRole), ctes: CteScope): void {
    for (const item of asList(items)) {
      this.addTable(item, typeof role === 'function' ? role(item) : role, ctes);
      // Join conditions, derived tables and LATERAL subqueries.
      this.fields(item, ctes, { db: ignore, table: ignore });
    }
  }

  /** A foreign key's targets, referenced by the table being created or altered. */
  references(items: unknown): void {
    const start = this.found.length;
    this.tables(items, this.declaring ? 'reference' : 'ddl', NO_CTES);
    if (!this.declaring) return;
    for (const table of this.found.slice(start)) table.referencedBy = this.declaring;
  }

  addTable(item: AstObject, role: TableRole, ctes: CteScope): void {
    const name = item.table ?? item.view;
    if (typeof name !== 'string' || name === '') return;
    const schema = typeof item.db === 'string' && item.db !== '' ? item.db : null;
    if (schema === null && ctes.has(name.toLowerCase())) return;

    this.found.push({ schema, name, role, position: readStartOffset(item) });
  }

  /** Walks the CTE queries with the names each may see; returns the scope for the statement. */
  enterWith(withList: unknown, ctes: CteScope): CteScope {
    const items = asList(withList);
    if (items.length === 0) return ctes;

    const names = items.map(readCteName).filter((name) => name !== '');
    const all = new Set([...ctes, ...names]);
    const recursive = items.some((item) => item.recursive === true);
    let visible = recursive ? all : new Set(ctes);
    for (const item of items) {
      this.expression(item.stmt, visible);
      if (!recursive) visible = new Set([...visible, readCteName(item)]);
    }
    return all;
  }
}

const HANDLERS: Record<string, StatementHandler> = {
  select: walkSelect,
  insert: walkInsert,
  replace: walkInsert,
  update: walkUpdate,
  delete: walkDelete,
  create: walkCreate,
  alter: walkSchemaChange,
  drop: walkDrop,
  // RENAME TABLE a TO b, c TO d: a list of [from, to] pairs.
  rename: (node, _ctes, walker) => walker.tables(node.table, 'ddl', NO_CTES),
  truncate: (node, _ctes, walker) => walker.tables(node.name, 'write', NO_CTES),
  lock: walkLock,
};

function findHandler(type: string): StatementHandler | undefined {
  return Object.hasOwn(HANDLERS, type) ? HANDLERS[type] : undefined;
}

/** A SELECT only reads. A UNION's later branches (`_next`) share the first branch's WITH. */
function walkSelect(node: AstObject, ctes: CteScope, walker: MysqlTableWalker): void {
  const inner = walker.enterWith(node.with, ctes);
  walker.fields(node, inner, {
    with: ignore,
    from: (from) => walker.tables(from, 'read', inner),
    _next: (next) => walker.expression(next, inner),
  });
}

/** INSERT and REPLACE: the target is written, the SELECT and ON DUPLICATE KEY UPDATE are read. */
function walkInsert(node: AstObject, ctes: CteScope, walker: MysqlTableWalker): void {
  const inner = walker.enterWith(node.with, ctes);
  walker.fields(node, inner, {
    with: ignore,
    table: (table) => walker.tables(table, 'write', NO_CTES),
  });
}

/**
 * In a multi-table UPDATE only the tables whose columns are assigned are written; the rest are
 * joined in to be read. Unqualified assignments belong to the first table.
 */
function walkUpdate(node: AstObject, ctes: CteScope, walker: MysqlTableWalker): void {
  const inner = walker.enterWith(node.with, ctes);
  const assigned = new Set(asList(node.set).flatMap((item) => lowerString(item.table)));
  const items = asList(node.table);
  const isWritten = (item: AstObject): boolean =>
    assigned.size === 0 ? item === items[0] : namesOf(item).some((name) => assigned.has(name));

  walker.fields(node, inner, {
    with: ignore,
    table: () => walker.tables(items, (item) => (isWritten(item) ? 'write' : 'read'), inner),
  });
}

/**
 * `DELETE c FROM crm.contacts c JOIN …`: the names before FROM pick which FROM tables are deleted
 * from; the others are read. A single-table DELETE lists its table in both places.
 */
function walkDelete(node: AstObject, ctes: CteScope, walker: MysqlTableWalker): void {
  const inner = walker.enterWith(node.with, ctes);
  const targets = asList(node.table);
  const from = asList(node.from);
  const isTarget = (item: AstObject): boolean =>
    targets.length === 0 ? item === from[0] : targets.some((target) => matchesTarget(item, target));

  walker.fields(node, inner, {
    with: ignore,
    table: ignore,
    from: () => walker.tables(from, (item) => (isTarget(item) ? 'write' : 'read'), inner),
  });
}

/** CREATE TABLE / VIEW / INDEX / TRIGGER: the created object's table is ddl, its query is read. */
function walkCreate(node: AstObject, ctes: CteScope, walker: MysqlTableWalker): void {
  walkSchemaChange(node, ctes, walker, {
    view: (view) => walker.tables(view, 'ddl', NO_CTES),
    like: (like) => walker.tables(isAstObject(like) ? like.table : undefined, 'ddl', NO_CTES),
  });
}

function walkSchemaChange(
  node: AstObject,
  ctes: CteScope,
  walker: MysqlTableWalker,
  special: Record<string, (value: unknown) => void> = {},
): void {
  const [first] = asList(node.table);
  const name = first?.table;
  walker.declaring =
    typeof name === 'string' && name !== ''
      ? { schema: typeof first?.db === 'string' && first.db !== '' ? first.db : null, name }
      : undefined;
  walker.fields(node, ctes, {
    ...special,
    table: (table) => walker.tables(table, 'ddl', NO_CTES),
  });
}

/** DROP TABLE / VIEW list their names; DROP INDEX … ON names the table. */
function walkDrop(node: AstObject, ctes: CteScope, walker: MysqlTableWalker): void {
  const namesTables = node.keyword === 'table' || node.keyword === 'view';
  walkSchemaChange(node, ctes, walker, {
    name: (name) => (namesTables ? walker.tables(name, 'ddl', NO_CTES) : undefined),
  });
}

function walkLock(node: AstObject, _ctes: CteScope, walker: MysqlTableWalker): void {
  for (const item of asList(node.tables)) {
    const lockType = isAstObject(item.lock_type) ? item.lock_type.type : undefined;
    walker.tables(item.table, lockType === 'read' ? 'read' : 'write', NO_CTES);
  }
}

/** A DELETE target names a FROM table by alias, or by its (optionally qualified) name. */
function matchesTarget(item: AstObject, target: AstObject): boolean {
  const targetName = lowerString(target.table)[0];
  const targetSchema = lowerString(target.db)[0];
  if (targetName === undefined) return false;
  if (targetSchema === undefined && lowerString(item.as)[0] === targetName) return true;
  return (
    lowerString(item.table)[0] === targetName &&
    (targetSchema === undefined || lowerString(item.db)[0] === targetSchema)
  );
}

function namesOf(item: AstObject): string[] {
  return [...lowerString(item.as), ...lowerString(item.table)];
}

/** With includeLocations, node-sql-parser gives FROM items (not DML or DDL targets) a `loc`. */
function readStartOffset(item: AstObject): number | null {
  const loc = item.loc as { start?: { offset?: unknown } } | undefined;
  const offset = loc?.start?.offset;
  return typeof offset === 'number' ? offset : null;
}

function readCteName(item: AstObject): string {
  const name = isAstObject(item.name) ? item.name.value : item.name;
  return typeof name === 'string' ? name.toLowerCase() : '';
}

function lowerString(value: unknown): string[] {
  return typeof value === 'string' && value !== '' ? [value.toLowerCase()] : [];
}

/** The objects in a value that may be one object, a list, or a list of pairs. */
function asList(value: unknown): AstObject[] {
  return [value].flat(2).filter(isAstObject);
}

function isAstObject(value: unknown): value is AstObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ignore(): void {}
