import { existsSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';

/**
 * Resolves import specifiers to files the way TypeScript does (tsconfig paths and baseUrl,
 * relative paths, extensions, index files, package exports), with one resolution cache per
 * tsconfig. Only the compiler options are read from a tsconfig: its file lists are never globbed.
 */
export class ModuleResolver {
  private readonly configByDir = new Map<string, LoadedTsconfig>();
  private readonly notices: string[] = [];
  private readonly unresolvedAliases = new Set<string>();

  constructor(private readonly root: string) {}

  /** Problems met while reading tsconfig files, each once. */
  get warnings(): readonly string[] {
    return this.notices;
  }

  /** The absolute path of the file a specifier names, or null for a package outside the tree. */
  resolve(fromFile: string, specifier: string): string | null {
    const config = this.tsconfigFor(path.dirname(fromFile));
    const result = ts.resolveModuleName(specifier, fromFile, config.options, ts.sys, config.cache);
    const resolved = result.resolvedModule;
    if (resolved && !isInsideNodeModules(resolved.resolvedFileName)) {
      return resolved.resolvedFileName;
    }
    if (resolved) return null;

    // An import TypeScript cannot resolve (a stylesheet, a missing file) still names a place.
    if (specifier.startsWith('.')) return path.resolve(path.dirname(fromFile), specifier);
    this.noteUnresolvedAlias(specifier, config.options.paths);
    return null;
  }

  /** A path alias that leads nowhere would hide a cross-context import: say so, once per alias. */
  private noteUnresolvedAlias(specifier: string, paths: ts.MapLike<string[]> | undefined): void {
    const alias = Object.keys(paths ?? {}).find((pattern) => matchesAlias(pattern, specifier));
    if (alias == null || this.unresolvedAliases.has(specifier)) return;
    this.unresolvedAliases.add(specifier);
    this.notices.push(
      `import "${specifier}" matches the tsconfig path "${alias}" but no file; it was not checked.`,
    );
  }

  private tsconfigFor(dir: string): LoadedTsconfig {
    const cached = this.configByDir.get(dir);
    if (cached) return cached;

    const file = ['tsconfig.json', 'jsconfig.json']
      .map((name) => path.join(dir, name))
      .find((candidate) => existsSync(candidate));
    const parent = path.dirname(dir);
    const loaded = file
      ? this.loadTsconfig(file)
      : parent === dir
        ? defaultTsconfig(this.root)
        : this.tsconfigFor(parent);
    this.configByDir.set(dir, loaded);
    return loaded;
  }

  private loadTsconfig(file: string): LoadedTsconfig {
    const read = ts.readConfigFile(file, ts.sys.readFile);
    if (read.error) {
      this.warn(file, read.error, 'imports from files under it are resolved without its paths');
      return defaultTsconfig(path.dirname(file));
    }

    const host: ts.ParseConfigHost = {
      useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
      readDirectory: () => [],
      fileExists: ts.sys.fileExists,
      readFile: ts.sys.readFile,
    };
    const parsed = ts.parseJsonConfigFileContent(
      read.config,
      host,
      path.dirname(file),
      undefined,
      file,
    );
    for (const error of parsed.errors) {
      // 18003: "no inputs were found", expected since file lists are deliberately not read.
      if (error.code !== 18003) this.warn(file, error, 'its other settings are used');
    }
    return withCache(permissive(parsed.options), path.dirname(file));
  }

  private warn(file: string, diagnostic: ts.Diagnostic, consequence: string): void {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    const display = path.relative(this.root, file).split(path.sep).join('/') || file;
    this.notices.push(`${display}: ${message} (${consequence})`);
  }
}

interface LoadedTsconfig {
  options: ts.CompilerOptions;
  cache: ts.ModuleResolutionCache;
}

/** Bundler resolution takes every form a codebase may use: extensionless, .js for .ts, index files. */
function permissive(options: ts.CompilerOptions): ts.CompilerOptions {
  return {
    ...options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowJs: true,
    resolveJsonModule: true,
    allowArbitraryExtensions: true,
  };
}

function defaultTsconfig(dir: string): LoadedTsconfig {
  return withCache(permissive({}), dir);
}

function withCache(options: ts.CompilerOptions, dir: string): LoadedTsconfig {
  const canonical = ts.sys.useCaseSensitiveFileNames
    ? (name: string) => name
    : (name: string) => name.toLowerCase();
  return { options, cache: ts.createModuleResolutionCache(dir, canonical, options) };
}

function matchesAlias(pattern: string, specifier: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === specifier;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return (
    specifier.length >= prefix.length + suffix.length &&
    specifier.startsWith(prefix) &&
    specifier.endsWith(suffix)
  );
}

function isInsideNodeModules(file: string): boolean {
  return file.split(/[\\/]/).includes('node_modules');
}
