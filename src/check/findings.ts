export type RuleId =
  | 'cross-context-join'
  | 'cross-context-foreign-key'
  | 'foreign-table-access'
  | 'cross-context-import'
  | 'unmapped-table'
  | 'unparsed-sql'
  | 'unparsed-file'
  | 'dynamic-sql'
  | 'invalid-suppression'
  | 'cross-context-relation'
  | 'cross-context-transaction';

export type Severity = 'error' | 'warning';

export type Access = 'read' | 'write';

export interface RuleMeta {
  id: RuleId;
  severity: Severity;
  summary: string;
}

export const RULES: Record<RuleId, RuleMeta> = {
  'cross-context-join': {
    id: 'cross-context-join',
    severity: 'error',
    summary: 'One statement touches tables of two or more contexts.',
  },
  'cross-context-foreign-key': {
    id: 'cross-context-foreign-key',
    severity: 'error',
    summary: "A foreign key from one context's table to a table another context owns.",
  },
  'foreign-table-access': {
    id: 'foreign-table-access',
    severity: 'error',
    summary: "A context's code reads or writes tables another context owns.",
  },
  'cross-context-import': {
    id: 'cross-context-import',
    severity: 'error',
    summary: "A context's code imports a file that another context does not make public.",
  },
  'unmapped-table': {
    id: 'unmapped-table',
    severity: 'warning',
    summary: 'A statement touches a table that no context owns.',
  },
  'unparsed-sql': {
    id: 'unparsed-sql',
    severity: 'warning',
    summary: 'Text that looks like SQL was rejected by the parser, so it was not checked.',
  },
  'dynamic-sql': {
    id: 'dynamic-sql',
    severity: 'warning',
    summary: 'A table name comes from a value at run time, so the statement cannot be checked.',
  },
  'unparsed-file': {
    id: 'unparsed-file',
    severity: 'warning',
    summary: 'A source file is not UTF-8 or has syntax errors, so its check may be incomplete.',
  },
  'invalid-suppression': {
    id: 'invalid-suppression',
    severity: 'warning',
    summary:
      'A dbboundary-ignore-next-line comment has no reason, names no known rule, or silences nothing.',
  },
  'cross-context-relation': {
    id: 'cross-context-relation',
    severity: 'error',
    summary: 'An ORM relation links entities whose tables belong to two contexts.',
  },
  'cross-context-transaction': {
    id: 'cross-context-transaction',
    severity: 'error',
    summary: 'One transaction writes tables of two or more contexts.',
  },
};

/** The page that explains a rule, shipped in the package's rules/ folder. */
export function ruleDocs(rule: RuleId): string {
  return new URL(`../../rules/${rule}.md`, import.meta.url).href;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** Relative to the config's folder, with `/`. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as editors count. */
  column: number;
  /** The context of the file, or null for code outside every context. */
  context: string | null;
  /** The other contexts involved, sorted. */
  targets: string[];
  /** Qualified names of the tables involved. */
  tables: string[];
  /** For cross-context-import: the specifier as written. */
  import?: string;
  /**
   * For foreign-table-access and cross-context-join: whether the other contexts' tables are only
   * read, or also written (a schema change counts as a write).
   */
  access?: Access;
  /**
   * With access: those of the targets whose tables are written (or whose schema is changed); the
   * others are only read. An allow entry limited to reads accepts the targets not listed here.
   */
  written?: string[];
  message: string;
  /**
   * For SQL findings: the statement's fingerprint (its shape, whatever the constants and the
   * layout), part of the baseline key. An internal id, left out of reports.
   */
  statement?: string;
  /** For SQL findings: the line where the string holding the SQL starts, for suppressions. */
  sqlLine?: number;
  /** For SQL findings: the line where the code statement holding the SQL starts. */
  codeLine?: number;
  /** For findings about a statement in a routine's body: the line where that statement starts. */
  bodyLine?: number;
}

export interface AllowedFinding extends Finding {
  allowedBy: { from: string; to: string; reason: string };
}
