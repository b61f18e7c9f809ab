import type { FileFacts, SqlFact } from '../extract/facts.js';
import { fileOffsetOf } from '../extract/facts.js';
import type { ParseResult, ParsedStatement, TableRef } from '../sql/types.js';
import { FALLBACKS, STAND_IN_NAME, renderSql } from '../extract/render.js';
import type { RenderedSql } from '../extract/render.js';
import type { Dialect } from '../sql/types.js';
import { textFingerprint } from '../sql/index.js';
import type { Finding, RuleId } from './findings.js';
import { RULES } from './findings.js';
import type { TableOwnership } from './ownership.js';
import {
  accessOf,
  checkForeignKeys,
  checkRoutineBody,
  checkRoutineTransaction,
  unsupportedHint,
  writtenContexts,
} from './schema-rules.js';

/** Everything the rules need to judge one file. */
export interface FileUnderCheck {
  file: string;
  context: string | null;
  facts: FileFacts;
  /** Turns a file offset into a 1-based line and column. */
  position: (offset: number) => { line: number; column: number };
  parse: (sql: string) => ParseResult;
  /** The statement's shape for baselines (see SqlFrontend.fingerprint). */
  fingerprint: (sql: string) => string;
  ownership: TableOwnership;
  dialect: Dialect;
  dialectName: string;
}

/**
 * Thrown while a cached file is judged from stored answers alone and one is missing (a parse, a
 * fingerprint, where an import of another file leads): the file is then judged again with the
 * compiler, the resolver and the SQL parser loaded.
 */
export class ToolsNeeded extends Error {
  constructor() {
    super('a tool is needed for an answer the cache does not hold');
    this.name = 'ToolsNeeded';
  }
}

export interface ImportTarget {
  specifier: string;
  offset: number;
  kind: string;
  /** The imported file relative to the config's folder, or null when it is outside the tree. */
  file: string | null;
  context: string | null;
  isPublic: boolean;
}

export interface OwnedRef {
  ref: TableRef;
  context: string | null;
  qualified: string;
}

export function finding(
  unit: FileUnderCheck,
  rule: RuleId,
  offset: number,
  fields: Pick<Finding, 'targets' | 'tables' | 'message' | 'import' | 'access' | 'written'> & {
    context?: string | null;
  },
): Finding {
  return {
    rule,
    severity: RULES[rule].severity,
    file: unit.file,
    ...unit.position(offset),
    context: unit.context,
    ...fields,
  };
}

export function checkSyntax(unit: FileUnderCheck, notUtf8: boolean): Finding[] {
  const findings: Finding[] = [];
  if (notUtf8) {
    findings.push(
      finding(unit, 'unparsed-file', 0, {
        targets: [],
        tables: [],
        message:
          'not valid UTF-8; it was read with replacement characters, so SQL or imports in it may be missed. Save it as UTF-8.',
      }),
    );
  }
  const [first] = unit.facts.syntaxErrors;
  if (first) {
    const more = unit.facts.syntaxErrors.length - 1;
    findings.push(
      finding(unit, 'unparsed-file', first.offset, {
        targets: [],
        tables: [],
        message: `TypeScript syntax error: ${first.message.replace(/\.$/, '')}${more > 0 ? ` (and ${more} more)` : ''}; the code after it may not be checked as written.`,
      }),
    );
  }
  return findings;
}

export function checkSql(unit: FileUnderCheck): {
  findings: Finding[];
  statements: number;
  unparsed: number;
} {
  const findings: Finding[] = [];
  let statements = 0;
  let unparsed = 0;

  for (const fact of unit.facts.sql) {
    if (fact.gexec != null) {
      findings.push(...withStatement(unit, fact, null, [gexecFinding(unit, fact.gexec)]));
    }
    const { result, rendered } = parseFact(unit, fact);
    if (!result.ok) {
      unparsed += 1;
      findings.push(...withStatement(unit, fact, null, [unparsedFinding(unit, fact, result)]));
      continue;
    }
    statements += result.statements.length;
    for (const statement of result.statements) {
      unparsed += statement.bodyProblems?.length ?? 0;
      const found = checkStatement(unit, rendered, statement);
      findings.push(...withStatement(unit, fact, statement, found));
    }
  }
  return { findings, statements, unparsed };
}

/**
 * Marks SQL findings with their statement's fingerprint, which the baseline keys on, and the line
 * where their string starts, which suppression comments aim at. Computed only for statements that
 * have findings. Unparsed SQL has no shape to take, so its text stands for it.
 */
function withStatement(
  unit: FileUnderCheck,
  fact: SqlFact,
  statement: ParsedStatement | null,
  findings: Finding[],
): Finding[] {
  if (findings.length === 0) return findings;

  const fingerprint =
    statement == null ? textFingerprint(fact.text) : unit.fingerprint(statement.text);
  const sqlLine = unit.position(fact.offset).line;
  const codeLine =
    fact.statementOffset == null ? sqlLine : unit.position(fact.statementOffset).line;
  return findings.map((found) => ({ ...found, statement: fingerprint, sqlLine, codeLine }));
}

/**
 * Parses a fact as written; when that fails and values or driver placeholders may be the
 * cause, tries the other renderings in turn. The first failure is the one reported.
 */
function parseFact(
  unit: FileUnderCheck,
  fact: SqlFact,
): { result: ParseResult; rendered: RenderedSql } {
  const first = safeParse(unit, fact.text);
  if (first.ok || !mayNeedAnotherRendering(fact)) return { result: first, rendered: fact };

  for (const options of FALLBACKS) {
    const rendered = renderSql(fact.parts, unit.dialect, options);
    const result = safeParse(unit, rendered.text);
    if (result.ok) return { result, rendered };
  }
  return { result: first, rendered: fact };
}

function mayNeedAnotherRendering(fact: SqlFact): boolean {
  return fact.interpolations > 0 || /[?]|\$[<({[]|\$\d+[:~^]/.test(fact.text);
}

/** A parser that throws (a walker out of stack on absurd nesting) fails this text, not the run. */
const TOO_DEEP = 'it is nested too deeply to analyse';

function safeParse(unit: FileUnderCheck, sql: string): ParseResult {
  try {
    return unit.parse(sql);
  } catch (error) {
    if (error instanceof ToolsNeeded) throw error;
    const reason = error instanceof RangeError ? TOO_DEEP : (error as Error).message;
    return { ok: false, message: reason, offset: null };
  }
}

function describeFailure(unit: FileUnderCheck, message: string): string {
  const reason = message.replace(/^(?:Error: )+/, '').replace(/[.;:\s]+$/, '');
  if (message === TOO_DEEP) return `dbboundary cannot analyse this SQL: ${reason}`;
  return `the ${unit.dialectName} parser rejects this SQL: ${reason}`;
}

function unparsedFinding(
  unit: FileUnderCheck,
  fact: SqlFact,
  result: ParseResult & { ok: false },
): Finding {
  const offset =
    result.offset == null ? fact.offset : fileOffsetOf(fact, result.offset, fact.offset);
  const hint =
    fact.interpolations > 0
      ? ' The interpolated values were tried as values, names and empty text, and none parsed.'
      : unsupportedHint(unit.dialect, fact.text);
  return finding(unit, 'unparsed-sql', offset, {
    targets: [],
    tables: [],
    message: `${describeFailure(unit, result.message)}.${hint}`,
  });
}

export function checkStatement(
  unit: FileUnderCheck,
  rendered: RenderedSql,
  statement: ParsedStatement,
): Finding[] {
  const at = (ref: OwnedRef): number => fileOffsetOf(rendered, ref.ref.offset);
  const findings: Finding[] = [];
  const refs: OwnedRef[] = [];
  for (const ref of statement.tables.filter((table) => !unit.ownership.isSystemTable(table))) {
    const owner = ownerOf(unit, ref);
    if ('unknown' in owner) {
      findings.push(dynamicFinding(unit, fileOffsetOf(rendered, ref.offset), owner.unknown));
    } else refs.push({ ref, ...owner });
  }
  for (const group of byBodyStatement(refs)) {
    const found = checkUse(unit, group.refs, at);
    if (group.start == null) findings.push(...found);
    else {
      const bodyLine = unit.position(fileOffsetOf(rendered, group.start)).line;
      findings.push(...found.map((entry) => ({ ...entry, bodyLine })));
    }
  }

  findings.push(
    ...checkRoutineTransaction(unit, refs, fileOffsetOf(rendered, statement.offset)),
    ...checkForeignKeys(unit, refs, at),
    ...checkRoutineBody(unit, rendered, statement),
  );
  if (unit.context != null) findings.push(...checkUnmapped(unit, refs, at));
  return findings;
}

/**
 * A routine's body statements are judged one by one, as if the code had sent each: a suppression
 * comment in the body then silences the statement below it and no other. The statement's own
 * tables form a group of their own.
 */
function byBodyStatement(refs: OwnedRef[]): { start: number | null; refs: OwnedRef[] }[] {
  const groups = new Map<number | null, OwnedRef[]>();
  for (const ref of refs) {
    const start = ref.ref.bodyStatement ?? null;
    groups.set(start, [...(groups.get(start) ?? []), ref]);
  }
  return [...groups].map(([start, group]) => ({ start, refs: group }));
}

/** Tables of one statement that other contexts own: a join across contexts, or foreign access. */
function checkUse(
  unit: FileUnderCheck,
  refs: OwnedRef[],
  at: (ref: OwnedRef) => number,
): Finding[] {
  // A foreign key's target is judged by the foreign-key rule, not as a table the statement uses.
  const owned = refs.filter((ref) => ref.context != null && ref.ref.role !== 'reference');
  const touched = unique(owned.map((ref) => ref.context!));
  const tables = unique(owned.map((ref) => ref.qualified)).sort();

  if (touched.length >= 2) {
    const foreign = owned.find((ref) => ref.context !== (unit.context ?? touched[0]))!;
    const others = unit.context != null ? touched.filter((c) => c !== unit.context) : touched;
    const targets = [...others].sort();
    const written = writtenContexts(owned, targets);
    return [
      finding(unit, 'cross-context-join', at(foreign), {
        targets,
        tables,
        access: written.length > 0 ? 'write' : 'read',
        written,
        message: `one statement touches tables of ${listContexts(owned)} (${describeAccess(targets, written)}); it cannot run once each context has its own database.`,
      }),
    ];
  }
  if (unit.context == null || touched.length !== 1 || touched[0] === unit.context) return [];

  const target = touched[0]!;
  return [
    finding(unit, 'foreign-table-access', at(owned[0]!), {
      targets: [target],
      tables,
      access: accessOf(owned, [target]),
      written: writtenContexts(owned, [target]),
      message: `${verbOf(owned)} ${unique(owned.map((ref) => ref.qualified)).join(', ')}, owned by ${target}.`,
    }),
  ];
}

/**
 * The owner of a table reference. A name that comes from a value is unknown; a schema that comes
 * from a value leaves the table to be matched by its name, which must point at one context.
 */
function ownerOf(
  unit: FileUnderCheck,
  ref: TableRef,
): { context: string | null; qualified: string } | { unknown: string } {
  if (STAND_IN_NAME.test(ref.name)) {
    return {
      unknown: 'the table name comes from a value at run time, so this statement cannot be checked',
    };
  }
  if (ref.schema == null || !STAND_IN_NAME.test(ref.schema)) return unit.ownership.ownerOf(ref);

  const candidates = unit.ownership.candidatesForName(ref.name);
  if (candidates.length === 1) return candidates[0]!;
  const who =
    candidates.length === 0
      ? `no context lists a table named ${ref.name}`
      : `a table named ${ref.name} is listed by ${candidates.map((c) => c.context).join(' and ')}`;
  return {
    unknown: `the schema comes from a value at run time and ${who}, so its owner is unknown`,
  };
}

function gexecFinding(unit: FileUnderCheck, offset: number): Finding {
  return finding(unit, 'dynamic-sql', offset, {
    targets: [],
    tables: [],
    message:
      "psql's \\gexec runs each value the statement before it returns as SQL, so the tables that SQL touches cannot be checked; write the statements out, or generate them into a file that is checked.",
  });
}

function dynamicFinding(unit: FileUnderCheck, offset: number, reason: string): Finding {
  return finding(unit, 'dynamic-sql', offset, {
    targets: [],
    tables: [],
    message: `${reason}; name it in the SQL text, or pick the statement from a fixed list of literal queries.`,
  });
}

function checkUnmapped(
  unit: FileUnderCheck,
  refs: OwnedRef[],
  at: (ref: OwnedRef) => number,
): Finding[] {
  const seen = new Set<string>();
  return refs
    .filter((ref) => ref.context == null && !seen.has(ref.qualified) && seen.add(ref.qualified))
    .map((ref) =>
      finding(unit, 'unmapped-table', at(ref), {
        targets: [],
        tables: [ref.qualified],
        message: `${ref.qualified} is owned by no context; add it to the tables of the context that owns it.`,
      }),
    );
}

export function checkImports(unit: FileUnderCheck, targets: ImportTarget[]): Finding[] {
  if (unit.context == null) return [];
  return targets
    .filter(
      (target) => target.context != null && target.context !== unit.context && !target.isPublic,
    )
    .map((target) =>
      finding(unit, 'cross-context-import', target.offset, {
        targets: [target.context!],
        tables: [],
        import: target.specifier,
        message: `${target.kind === 'type' ? 'imports types from' : 'imports'} ${target.file}, which ${target.context} does not make public; import from its public API instead.`,
      }),
    );
}

function verbOf(refs: OwnedRef[]): string {
  const roles = new Set(refs.map((ref) => ref.ref.role));
  if (roles.has('write')) return roles.has('read') ? 'reads and writes' : 'writes';
  if (roles.has('ddl')) return 'changes the schema of';
  return 'reads';
}

/** Which of the other contexts' tables are written, and which only read. */
function describeAccess(targets: string[], written: string[]): string {
  const read = targets.filter((context) => !written.includes(context));
  const parts = [
    ...(written.length > 0 ? [`writing those of ${written.join(', ')}`] : []),
    ...(read.length > 0 ? [`only reading those of ${read.join(', ')}`] : []),
  ];
  return parts.join('; ');
}

function listContexts(refs: OwnedRef[]): string {
  const byContext = new Map<string, Set<string>>();
  for (const ref of refs) {
    const tables = byContext.get(ref.context!) ?? new Set();
    tables.add(ref.qualified);
    byContext.set(ref.context!, tables);
  }
  const parts = [...byContext].map(([context, tables]) => `${context} (${[...tables].join(', ')})`);
  return parts.length === 2
    ? parts.join(' and ')
    : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
