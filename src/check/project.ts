import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { concat, memberOf } from '../extract/builders/values.js';
import { constantChunk } from '../extract/facts.js';
import type { FileFacts, SqlFact, SqlPart, SymbolValue, TableName } from '../extract/facts.js';
import { accessorOf, parsePrismaSchema } from '../extract/prisma-schema.js';
import type { PrismaModel } from '../extract/prisma-schema.js';
import { renderSql, FIT } from '../extract/render.js';
import type { Dialect } from '../sql/types.js';

/**
 * The project-level pass: what one file's facts leave open and other files settle. It follows
 * imports to the constants, Drizzle tables and entities other files export, and maps Prisma
 * models to tables through the project's schema.prisma. Files are read on demand through
 * `factsOf`, so a run over a few changed files still sees the declarations they use.
 */
/** Where an import in a file leads: an absolute path, or null for a package or nothing. */
export interface ImportResolver {
  resolve(fromFile: string, specifier: string): string | null;
}

export class ProjectIndex {
  private prisma: Map<string, PrismaModel> | null = null;
  /** Problems met that are not findings: a schema file that cannot be read. */
  readonly notices: string[] = [];

  constructor(
    private readonly root: string,
    private readonly dialect: Dialect,
    private readonly resolver: ImportResolver,
    /** The facts of a file under root (absolute path), or null when it cannot be read. */
    private readonly factsOf: (file: string) => FileFacts | null,
  ) {}

  /** A value with every reference to another file followed: text, fields, a table, or unknown. */
  resolve(file: string, value: SymbolValue, depth = 0): SymbolValue {
    if (depth > 12) return { unknown: 'a chain of imports too long to follow' };
    if ('concat' in value) {
      return concat(value.concat.map((part) => this.resolve(file, part, depth + 1)));
    }
    if (!('import' in value)) return value;

    const target = this.resolver.resolve(file, value.import);
    if (target == null) return { unknown: `a value of the package ${value.import}` };
    const [name, ...rest] = value.name === '*' ? value.path : [value.name, ...value.path];
    if (name == null) return { unknown: `the module ${value.import}` };
    const exported = this.exportOf(target, name, depth);
    if (exported == null) {
      return { unknown: `${name}, which ${value.import} does not export as a constant` };
    }
    let resolved = this.resolve(exported.file, exported.value, depth + 1);
    for (const key of rest) {
      resolved = this.resolve(exported.file, memberOf(resolved, key), depth + 1);
    }
    return resolved;
  }

  private exportOf(
    file: string,
    name: string,
    depth: number,
  ): { file: string; value: SymbolValue } | null {
    if (depth > 12 || !/\.[cm]?[jt]sx?$/.test(file) || file.endsWith('.d.ts')) return null;
    const facts = this.factsOf(file);
    if (!facts) return null;
    const exports = facts.exports ?? {};
    if (Object.hasOwn(exports, name)) return { file, value: exports[name]! };
    for (const specifier of facts.reexports ?? []) {
      const target = this.resolver.resolve(file, specifier);
      const found = target == null ? null : this.exportOf(target, name, depth + 1);
      if (found) return found;
    }
    return null;
  }

  /**
   * Names of common table expressions a file may select from: those it defines, and those the
   * files it imports define (a helper that returns `db.withRecursive('ancestor', …)`).
   */
  ctesVisibleFrom(file: string, facts: FileFacts): Set<string> {
    const names = new Set(facts.builders?.ctes ?? []);
    for (const fact of facts.imports) {
      if (fact.kind === 'type') continue;
      const target = this.resolver.resolve(file, fact.specifier);
      const imported = target && /\.[cm]?[jt]sx?$/.test(target) ? this.factsOf(target) : null;
      for (const name of imported?.builders?.ctes ?? []) names.add(name);
    }
    return names;
  }

  /** SQL facts with the holes that constants of other files fill made text. */
  resolveSqlHoles(file: string, facts: FileFacts): SqlFact[] {
    return facts.sql.flatMap((fact) => {
      if (!fact.parts.some((part) => 'ref' in part)) return [fact];
      const parts = fact.parts.map((part): SqlPart => {
        if (!('hole' in part) || !part.ref) return part;
        const value = this.resolve(file, part.ref);
        return 'text' in value ? constantChunk(value.text, part.hole) : { hole: part.hole };
      });
      // SQL held whole in a constant of another file is checked where it runs, here, as well as
      // where it is written: the file that runs it may belong to another context.
      if (parts.length === 1 && 'hole' in parts[0]!) return [];
      const { text, runs } = renderSql(parts, this.dialect, FIT);
      const interpolations = parts.filter((part) => 'hole' in part).length;
      return [{ ...fact, parts, text, runs, interpolations }];
    });
  }

  /** The Prisma model a client accessor (`order`) names, or null when the project has none such. */
  prismaModel(accessor: string): PrismaModel | null {
    return this.prismaModels().get(accessor) ?? null;
  }

  /** The model a path of relation fields leads to from a model (`order` → `lines` → `product`). */
  prismaRelation(accessor: string, fields: string[]): PrismaModel | null {
    let model = this.prismaModel(accessor);
    for (const name of fields) {
      const field = model?.fields.find((candidate) => candidate.name === name);
      model = field ? this.prismaModel(accessorOf(field.type)) : null;
    }
    return model;
  }

  /** A path under root as the findings give it: relative, with `/`. */
  relativeOf(file: string): string {
    return path.relative(this.root, file).split(path.sep).join('/');
  }

  prismaModels(): Map<string, PrismaModel> {
    if (this.prisma) return this.prisma;
    this.prisma = new Map();
    for (const file of findPrismaSchemas(this.root)) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        this.notices.push(
          `${this.relativeOf(file)}: cannot be read (${code}); its models and relations were not checked.`,
        );
        continue;
      }
      for (const model of parsePrismaSchema(text, file)) {
        this.prisma.set(accessorOf(model.name), model);
      }
    }
    return this.prisma;
  }
}

export function tableOfValue(value: SymbolValue): TableName | null {
  return 'table' in value ? value.table : null;
}

const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'build', 'coverage', 'vendor']);

/**
 * The .prisma files under root, up to five folders deep
 * (monorepos keep them in packages/<name>/prisma). A schema deeper than that is not found.
 */
function findPrismaSchemas(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < 5 && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) {
          walk(full, depth + 1);
        }
      } else if (entry.name.endsWith('.prisma')) {
        found.push(full);
      }
    }
  };
  walk(root, 0);
  return found.sort();
}
