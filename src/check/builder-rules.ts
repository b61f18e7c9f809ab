import { readFileSync } from 'node:fs';
import { accessorOf } from '../extract/prisma-schema.js';
import type { ContextLayout } from './layout.js';
import type { TableOwnership } from './ownership.js';
import type {
  BuilderStatement,
  BuilderTableRef,
  RelationFact,
  SqlFact,
  TableName,
  TransactionFact,
} from '../extract/facts.js';
import { fileOffsetOf } from '../extract/facts.js';
import { shortHash } from '../sql/fingerprint.js';
import type { TableRef } from '../sql/types.js';
import type { Finding } from './findings.js';
import { RULES } from './findings.js';
import type { ProjectIndex } from './project.js';
import { checkStatement, finding } from './rules.js';
import type { FileUnderCheck } from './rules.js';

/**
 * Judges what query builders and ORMs do: each chain is a statement, checked like SQL text
 * (cross-context-join, foreign-table-access, unmapped-table); a table name known only at run
 * time is dynamic-sql; relations between entities of two contexts are cross-context-relation;
 * a transaction that writes tables of two contexts is cross-context-transaction.
 */

/** What resolving a builder's table reference gives. */
type Resolved = { refs: TableRef[] } | { dynamic: string } | null;

export interface BuilderCheck {
  unit: FileUnderCheck;
  project: ProjectIndex;
  /** The file's absolute path, for following its imports. */
  absolute: string;
  /** The file's SQL facts with other files' constants filled in. */
  sql: SqlFact[];
}

export function checkBuilders(check: BuilderCheck): Finding[] {
  const builders = check.unit.facts.builders;
  if (!builders) return [];
  const ctes = check.project.ctesVisibleFrom(check.absolute, check.unit.facts);
  const resolved = builders.statements.map((statement) => resolveStatement(check, statement, ctes));
  return [
    ...builders.statements.flatMap((statement, i) =>
      judgeStatement(check, statement, resolved[i]!),
    ),
    ...builders.relations.flatMap((relation) => judgeRelation(check, relation)),
    ...builders.transactions.flatMap((transaction, i) =>
      judgeTransaction(check, transaction, i, resolved),
    ),
  ];
}

interface ResolvedStatement {
  tables: TableRef[];
  dynamic: { offset: number; reason: string }[];
}

function resolveStatement(
  check: BuilderCheck,
  statement: BuilderStatement,
  ctes: Set<string>,
): ResolvedStatement {
  const tables: TableRef[] = [];
  const dynamic: { offset: number; reason: string }[] = [];
  for (const ref of statement.tables) {
    const resolved = resolveRef(check, ref);
    if (resolved == null) continue;
    if ('dynamic' in resolved) dynamic.push({ offset: ref.offset, reason: resolved.dynamic });
    else tables.push(...resolved.refs.filter((t) => t.schema != null || !ctes.has(t.name)));
  }
  return { tables, dynamic };
}

function resolveRef(check: BuilderCheck, ref: BuilderTableRef): Resolved {
  const source = ref.source;
  const as = (table: TableName | null): Resolved =>
    table ? { refs: [{ ...table, role: ref.access, offset: ref.offset }] } : null;

  if ('text' in source) return as(parseTableText(source.text));
  if ('dynamic' in source) return { dynamic: source.dynamic };
  if ('fragment' in source) return { refs: fragmentTables(check, ref, source.fragment) };
  if ('model' in source) return as(check.project.prismaModel(source.model)?.table ?? null);
  if ('modelRelation' in source) {
    const { model, path } = source.modelRelation;
    return as(check.project.prismaRelation(model, path)?.table ?? null);
  }
  if ('entityRelation' in source) {
    const entity = check.project.resolve(check.absolute, source.entityRelation.entity);
    const relations = 'table' in entity ? (entity.relations ?? {}) : {};
    const property = source.entityRelation.property;
    const target = Object.hasOwn(relations, property) ? relations[property] : null;
    const resolved = target ? check.project.resolve(check.absolute, target) : null;
    return as(resolved && 'table' in resolved ? resolved.table : null);
  }

  const value = check.project.resolve(check.absolute, source.symbol);
  if ('table' in value) return as(value.table);
  if ('text' in value) return as(parseTableText(value.text));
  if ('unknown' in value && !ref.optional && !/package|does not export/.test(value.unknown)) {
    return { dynamic: value.unknown };
  }
  return null;
}

/** `schema.table as alias`, `table alias`, `"Quoted"`, `` `db`.`t` `` → schema and name. */
export function parseTableText(text: string): TableName | null {
  const name = text.trim().split(/\s+as\s+|\s+/i)[0] ?? '';
  const parts = name.split('.').map((part) => part.replace(/^["`[]|["`\]]$/g, ''));
  if (parts.some((part) => part === '' || !/^[\w$]+$/.test(part))) return null;
  return parts.length === 1
    ? { schema: null, name: parts[0]! }
    : { schema: parts.at(-2)!, name: parts.at(-1)! };
}

const FRAGMENT_BASE = 'dbb_fragment_base';

/** A raw join or from clause, parsed as part of a statement, with positions in the file. */
function fragmentTables(
  check: BuilderCheck,
  ref: BuilderTableRef,
  fragment: { clause: 'join' | 'from'; text: string },
): TableRef[] {
  const prefix = fragment.clause === 'join' ? `SELECT 1 FROM ${FRAGMENT_BASE} ` : 'SELECT 1 FROM ';
  const result = check.unit.parse(prefix + fragment.text);
  if (!result.ok) return [];
  return result.statements
    .flatMap((statement) => statement.tables)
    .filter((table) => table.name !== FRAGMENT_BASE)
    .map((table) => ({
      ...table,
      role: ref.access,
      offset: ref.offset + table.offset - prefix.length,
    }));
}

function judgeStatement(
  check: BuilderCheck,
  statement: BuilderStatement,
  resolved: ResolvedStatement,
): Finding[] {
  const { unit } = check;
  const identity = { text: '', runs: [[0, 0]] as [number, number][] };
  const parsed = { offset: statement.offset, text: '', tables: resolved.tables };
  const found = resolved.tables.length > 0 ? checkStatement(unit, identity, parsed) : [];
  const dynamic = resolved.dynamic.map((entry) =>
    finding(unit, 'dynamic-sql', entry.offset, {
      targets: [],
      tables: [],
      message: `the table is not a constant (${entry.reason}), so this ${statement.library} query cannot be checked; name the table with a string or a constant.`,
    }),
  );

  const fingerprint = shortHash(
    `${statement.library}:${resolved.tables
      .map((table) => `${table.role} ${table.schema ?? ''}.${table.name}`)
      .sort()
      .join(',')}`,
  );
  const sqlLine = unit.position(statement.offset).line;
  return [...found, ...dynamic].map((entry) => ({ ...entry, statement: fingerprint, sqlLine }));
}

function judgeRelation(check: BuilderCheck, relation: RelationFact): Finding[] {
  const { unit, project } = check;
  const from = project.resolve(check.absolute, relation.from);
  const to = project.resolve(check.absolute, relation.to);
  if (!('table' in from) || !('table' in to)) return [];

  const fromOwner = unit.ownership.ownerOf(from.table);
  const toOwner = unit.ownership.ownerOf(to.table);
  if (fromOwner.context == null || toOwner.context == null) return [];
  if (fromOwner.context === toOwner.context) return [];

  const context = unit.context ?? fromOwner.context;
  const targets = [fromOwner.context, toOwner.context].filter((c) => c !== context);
  return [
    finding(unit, 'cross-context-relation', relation.offset, {
      context,
      targets: [...new Set(targets)].sort(),
      tables: [fromOwner.qualified, toOwner.qualified].sort(),
      message: `@${relation.decorator} links ${fromOwner.qualified} (${fromOwner.context}) to ${toOwner.qualified} (${toOwner.context}); the ORM joins and keys across the boundary, which cannot hold once each context has its own database.`,
    }),
  ];
}

function judgeTransaction(
  check: BuilderCheck,
  transaction: TransactionFact,
  index: number,
  resolved: ResolvedStatement[],
): Finding[] {
  const { unit } = check;
  const statements = unit.facts.builders!.statements;
  const writes: TableRef[] = statements.flatMap((statement, i) =>
    statement.transaction === index ? resolved[i]!.tables.filter((t) => t.role === 'write') : [],
  );
  for (const fact of check.sql) {
    const inside = transaction.sqlRanges.some(
      ([start, end]) => fact.offset >= start && fact.offset < end,
    );
    if (inside) writes.push(...sqlWrites(unit, fact));
  }

  const owners = writes
    .filter((ref) => !unit.ownership.isSystemTable(ref))
    .map((ref) => unit.ownership.ownerOf(ref))
    .filter((owner) => owner.context != null);
  const contexts = [...new Set(owners.map((owner) => owner.context!))].sort();
  if (contexts.length < 2) return [];

  const byContext = contexts.map(
    (context) =>
      `${context} (${[...new Set(owners.filter((o) => o.context === context).map((o) => o.qualified))].join(', ')})`,
  );
  return [
    finding(unit, 'cross-context-transaction', transaction.offset, {
      targets: contexts.filter((context) => context !== unit.context),
      tables: [...new Set(owners.map((owner) => owner.qualified))].sort(),
      message: `one transaction writes tables of ${byContext.slice(0, -1).join(', ')} and ${byContext.at(-1)}; it cannot commit atomically once each context has its own database.`,
    }),
  ];
}

function sqlWrites(unit: FileUnderCheck, fact: SqlFact): TableRef[] {
  let result;
  try {
    result = unit.parse(fact.text);
  } catch {
    return [];
  }
  if (!result.ok) return [];
  return result.statements
    .flatMap((statement) => statement.tables)
    .filter((table) => table.role === 'write')
    .map((table) => ({ ...table, offset: fileOffsetOf(fact, table.offset) }));
}

/**
 * Relation fields of the project's Prisma schema whose two models' tables belong to two contexts.
 * Checked once per run: the schema is the project's, not one source file's.
 */
export function checkPrismaRelations(
  project: ProjectIndex,
  ownership: TableOwnership,
  layout: ContextLayout,
): Finding[] {
  const models = project.prismaModels();
  const findings: Finding[] = [];
  const positions = new Map<string, (offset: number) => { line: number; column: number }>();
  for (const model of models.values()) {
    const from = ownership.ownerOf(model.table);
    for (const field of model.fields) {
      const target = models.get(accessorOf(field.type));
      if (!target || from.context == null) continue;
      const to = ownership.ownerOf(target.table);
      if (to.context == null || to.context === from.context) continue;

      const file = project.relativeOf(model.file);
      if (!positions.has(model.file)) positions.set(model.file, positionsIn(model.file));
      const fileContext = layout.contextOf(file);
      const context = fileContext ?? from.context;
      findings.push({
        rule: 'cross-context-relation',
        severity: RULES['cross-context-relation'].severity,
        file,
        ...positions.get(model.file)!(field.offset),
        context,
        targets: [...new Set([from.context, to.context].filter((c) => c !== context))].sort(),
        tables: [from.qualified, to.qualified].sort(),
        message: `the relation field ${model.name}.${field.name} links ${from.qualified} (${from.context}) to ${to.qualified} (${to.context}); Prisma joins and keys across the boundary, which cannot hold once each context has its own database.`,
      });
    }
  }
  return findings;
}

function positionsIn(file: string): (offset: number) => { line: number; column: number } {
  const text = readFileSync(file, 'utf8');
  return (offset) => {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    return { line, column: offset - before.lastIndexOf('\n') };
  };
}
