import { ConfigError } from '../errors.js';
import { wildcardMatch } from '../config/patterns.js';
import { displayPath } from '../config/read.js';
import type { ContextMap, TablePattern } from '../config/types.js';
import type { TableRef } from '../sql/types.js';

export interface TableOwner {
  /** The owning context, or null when no context owns the table. */
  context: string | null;
  /** schema.name, with the default schema filled in when the reference is unqualified. */
  qualified: string;
}

/** Catalogs every database has; nobody owns them and they are not worth a warning. */
const SYSTEM_SCHEMAS: Record<string, Set<string>> = {
  postgresql: new Set(['pg_catalog', 'information_schema', 'pg_toast']),
  mysql: new Set(['information_schema', 'mysql', 'performance_schema', 'sys']),
};

/** Answers which context owns a table, from the contexts' `tables` patterns. */
export class TableOwnership {
  private readonly patterns: { context: string; pattern: TablePattern }[];
  private readonly known = new Map<string, TableOwner>();

  constructor(private readonly map: ContextMap) {
    this.patterns = map.contexts.flatMap((context) =>
      context.tables.map((pattern) => ({ context: context.name, pattern })),
    );
  }

  isSystemTable(ref: Pick<TableRef, 'schema' | 'name'>): boolean {
    const schema = this.fold(ref.schema ?? this.map.defaultSchema);
    if (schema && SYSTEM_SCHEMAS[this.map.dialect]?.has(schema)) return true;
    if (this.map.dialect === 'postgresql' && ref.schema == null) return ref.name.startsWith('pg_');
    return this.map.dialect === 'mysql' && ref.schema == null && this.fold(ref.name) === 'dual';
  }

  ownerOf(ref: Pick<TableRef, 'schema' | 'name'>): TableOwner {
    const schema = this.fold(ref.schema ?? this.map.defaultSchema);
    const name = this.fold(ref.name)!;
    const qualified = schema == null ? name : `${schema}.${name}`;
    const cached = this.known.get(qualified);
    if (cached) return cached;

    const matches = this.patterns.filter(
      ({ pattern }) =>
        wildcardMatch(pattern.name, name) &&
        (pattern.schema == null || (schema != null && wildcardMatch(pattern.schema, schema))),
    );
    const owners = [...new Set(matches.map((match) => match.context))];
    if (owners.length > 1) throw this.conflict(qualified, matches);

    const owner = { context: owners[0] ?? null, qualified };
    this.known.set(qualified, owner);
    return owner;
  }

  /**
   * The contexts that may own a table whose schema is known only at run time: those with a
   * pattern that names it. A pattern whose name part is a bare `*` (`billing.*`) says nothing
   * about the name, so it does not count.
   */
  candidatesForName(name: string): { context: string; qualified: string }[] {
    const folded = this.fold(name)!;
    const matches = this.patterns.filter(
      ({ pattern }) => pattern.name !== '*' && wildcardMatch(pattern.name, folded),
    );
    const byContext = new Map<string, string>();
    for (const { context, pattern } of matches) {
      const schema = pattern.schema != null && !pattern.schema.includes('*') ? pattern.schema : '?';
      byContext.set(context, byContext.has(context) ? `?.${folded}` : `${schema}.${folded}`);
    }
    return [...byContext].map(([context, qualified]) => ({ context, qualified }));
  }

  /** Stops the run like a config problem: the patterns, not the code, need fixing. */
  private conflict(
    qualified: string,
    matches: { context: string; pattern: TablePattern }[],
  ): ConfigError {
    const list = matches
      .map(({ context, pattern }) => {
        const line = pattern.line == null ? '' : ` (line ${pattern.line})`;
        return `${JSON.stringify(pattern.source)} of ${context}${line}`;
      })
      .join(' and ');
    return new ConfigError([
      {
        file: displayPath(this.map.file),
        line: matches[0]!.pattern.line,
        message: `table ${qualified} matches ${list}; a table has one owner. Narrow one of the patterns.`,
      },
    ]);
  }

  /** MySQL names are compared without regard to case, PostgreSQL names as the parser folded them. */
  private fold(name: string | null): string | null {
    return name != null && this.map.dialect === 'mysql' ? name.toLowerCase() : name;
  }
}
