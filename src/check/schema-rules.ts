/**
 * Rules about what a statement declares rather than what it runs: foreign keys between contexts,
 * and the parts of a routine's body (PL/pgSQL EXECUTE, statements the parser rejects) that keep
 * its tables from being known.
 */
import { fileOffsetOf } from '../extract/facts.js';
import type { RenderedSql } from '../extract/render.js';
import { STAND_IN_NAME } from '../extract/render.js';
import type { Dialect, ParsedStatement } from '../sql/types.js';
import type { Access, Finding } from './findings.js';
import { finding } from './rules.js';
import type { FileUnderCheck, OwnedRef } from './rules.js';

/** A schema change counts as a write: it changes what the owner's code can rely on. */
export function accessOf(refs: OwnedRef[], contexts: string[]): Access {
  return writtenContexts(refs, contexts).length > 0 ? 'write' : 'read';
}

/** Those of `contexts` whose tables the statement writes or changes, in the order given. */
export function writtenContexts(refs: OwnedRef[], contexts: string[]): string[] {
  return contexts.filter((context) =>
    refs.some(
      (ref) => ref.context === context && (ref.ref.role === 'write' || ref.ref.role === 'ddl'),
    ),
  );
}

/**
 * A foreign key whose two tables have different owners: once each context has its own database,
 * no database can enforce it.
 */
export function checkForeignKeys(
  unit: FileUnderCheck,
  refs: OwnedRef[],
  at: (ref: OwnedRef) => number,
): Finding[] {
  const findings: Finding[] = [];
  for (const target of refs) {
    const from = target.ref.referencedBy;
    if (target.ref.role !== 'reference' || from == null || target.context == null) continue;
    if (STAND_IN_NAME.test(from.name) || unit.ownership.isSystemTable(from)) continue;

    const source = unit.ownership.ownerOf(from);
    if (source.context == null || source.context === target.context) continue;
    const involved = [source.context, target.context];
    findings.push(
      finding(unit, 'cross-context-foreign-key', at(target), {
        targets: [...new Set(involved.filter((context) => context !== unit.context))].sort(),
        tables: [source.qualified, target.qualified],
        message: `foreign key from ${source.qualified} (${source.context}) to ${target.qualified} (${target.context}); no database can enforce it once each context has its own. Keep the id without the constraint, and check it through the API or events of ${target.context}.`,
      }),
    );
  }
  return findings;
}

/**
 * A function, procedure or DO block runs in one transaction: when its body writes tables of two or
 * more contexts, it is a cross-context-transaction, at the statement that creates it.
 */
export function checkRoutineTransaction(
  unit: FileUnderCheck,
  refs: OwnedRef[],
  offset: number,
): Finding[] {
  const writes = refs.filter(
    (ref) => ref.ref.bodyStatement != null && ref.context != null && ref.ref.role === 'write',
  );
  const contexts = [...new Set(writes.map((ref) => ref.context!))].sort();
  if (contexts.length < 2) return [];

  const byContext = contexts.map(
    (context) =>
      `${context} (${[...new Set(writes.filter((ref) => ref.context === context).map((ref) => ref.qualified))].join(', ')})`,
  );
  return [
    finding(unit, 'cross-context-transaction', offset, {
      targets: contexts.filter((context) => context !== unit.context),
      tables: [...new Set(writes.map((ref) => ref.qualified))].sort(),
      message: `the body runs in one transaction and writes tables of ${byContext.slice(0, -1).join(', ')} and ${byContext.at(-1)}; it cannot commit atomically once each context has its own database.`,
    }),
  ];
}

/** EXECUTE of SQL built at run time, and body statements the parser rejects, are reported. */
export function checkRoutineBody(
  unit: FileUnderCheck,
  rendered: RenderedSql,
  statement: ParsedStatement,
): Finding[] {
  const dynamic = (statement.dynamic ?? []).map((entry) =>
    finding(unit, 'dynamic-sql', fileOffsetOf(rendered, entry.offset), {
      targets: [],
      tables: [],
      message: `EXECUTE runs SQL built at run time (${shorten(entry.expression)}), so the tables it touches cannot be checked; run a fixed statement instead, or pick one from a fixed list of literal queries.`,
    }),
  );
  const unparsed = (statement.bodyProblems ?? []).map((problem) =>
    finding(unit, 'unparsed-sql', fileOffsetOf(rendered, problem.offset), {
      targets: [],
      tables: [],
      message: `${problem.message.replace(/[.;:\s]+$/, '')}; the tables it names are not checked.`,
    }),
  );
  return [...dynamic, ...unparsed];
}

function shorten(expression: string): string {
  const flat = expression.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

const MYSQL_ROUTINE =
  /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(PROCEDURE|FUNCTION|TRIGGER|EVENT)\b/i;

/**
 * node-sql-parser has no grammar for MySQL stored programs, so their bodies cannot be checked.
 * Said plainly, so that nobody reads the warning as a typo in the file.
 */
export function unsupportedHint(dialect: Dialect, sql: string): string {
  const routine = dialect === 'mysql' ? MYSQL_ROUTINE.exec(sql) : null;
  if (routine == null) return '';
  return ` dbboundary's MySQL parser (node-sql-parser) cannot read CREATE ${routine[1]!.toUpperCase()} statements, so the tables this one uses are not checked; keep their SQL in code, or review them by hand.`;
}
