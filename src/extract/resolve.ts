import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ts } from 'ts-morph';
import { ts as compiler } from './compiler.js';

/**
 * Resolves import specifiers to files the way TypeScript does (tsconfig paths and baseUrl,
 * relative paths, extensions, index files, package exports), with one resolution cache per
 * tsconfig. Only the compiler options are read from a tsconfig: its file lists are never globbed.
 */
export class ModuleResolver {
  private readonly configByDir = new Map<string, LoadedTsconfig>();
  private readonly answers = new Map<string, Resolution>();
  /** Every tsconfig or jsconfig file read, with the files they extend: what answers depend on. */
  readonly configFilesRead = new Set<string>();

  constructor(private readonly root: string) {}

  /**
   * The absolute path of the file a specifier names, or null for a package outside the tree;
   * with notices: problems of the tsconfig that governs the importing file, and a specifier that
   * matches a tsconfig path alias but leads to no file.
   */
  resolve(fromFile: string, specifier: string): Resolution {
    // The answer depends on the importing file's folder only, and a folder's files import the
    // same few modules.
    const dir = path.dirname(fromFile);
    const key = `${dir}\0${specifier}`;
    let answer = this.answers.get(key);
    if (!answer) {
      answer = this.resolveFresh(fromFile, specifier);
      this.answers.set(key, answer);
    }
    return answer;
  }

  private resolveFresh(fromFile: string, specifier: string): Resolution {
    const config = this.tsconfigFor(path.dirname(fromFile));
    const result = compiler.resolveModuleName(
      specifier,
      fromFile,
      config.options,
      compiler.sys,
      config.cache,
    );
    const resolved = result.resolvedModule;
    if (resolved) {
      const inTree = !isInsideNodeModules(resolved.resolvedFileName);
      return { file: inTree ? resolved.resolvedFileName : null, notices: config.problems };
    }

    // An import TypeScript cannot resolve (a stylesheet, a missing file) still names a place.
    if (specifier.startsWith('.')) {
      return { file: path.resolve(path.dirname(fromFile), specifier), notices: config.problems };
    }
    const alias = unresolvedAliasNotice(specifier, config.options.paths);
    return { file: null, notices: alias ? [...config.problems, alias] : config.problems };
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
    this.configFilesRead.add(file);
    const read = compiler.readConfigFile(file, compiler.sys.readFile);
    if (read.error) {
      const problem = this.describe(
        file,
        read.error,
        'imports from files under it are resolved without its paths',
      );
      return { ...defaultTsconfig(path.dirname(file)), problems: [problem] };
    }

    const host: ts.ParseConfigHost = {
      useCaseSensitiveFileNames: compiler.sys.useCaseSensitiveFileNames,
      readDirectory: () => [],
      fileExists: compiler.sys.fileExists,
      // The files a tsconfig extends are read through here: they steer resolution as much as it.
      readFile: (name) => {
        this.configFilesRead.add(name);
        return compiler.sys.readFile(name);
      },
    };
    const parsed = compiler.parseJsonConfigFileContent(
      read.config,
      host,
      path.dirname(file),
      undefined,
      file,
    );
    const problems = parsed.errors
      // 18003: "no inputs were found", expected since file lists are deliberately not read.
      .filter((error) => error.code !== 18003)
      .map((error) => this.describe(file, error, 'its other settings are used'));
    return { ...withCache(permissive(parsed.options), path.dirname(file)), problems };
  }

  private describe(file: string, diagnostic: ts.Diagnostic, consequence: string): string {
    const message = compiler.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    const display = path.relative(this.root, file).split(path.sep).join('/') || file;
    return `${display}: ${message} (${consequence})`;
  }
}

/** A path alias that leads nowhere would hide a cross-context import: say so. */
function unresolvedAliasNotice(
  specifier: string,
  paths: ts.MapLike<string[]> | undefined,
): string | null {
  const alias = Object.keys(paths ?? {}).find((pattern) => matchesAlias(pattern, specifier));
  if (alias == null) return null;
  return `import "${specifier}" matches the tsconfig path "${alias}" but no file; it was not checked.`;
}

interface Resolution {
  file: string | null;
  notices: string[];
}

interface LoadedTsconfig {
  options: ts.CompilerOptions;
  cache: ts.ModuleResolutionCache;
  /** What was wrong with the tsconfig file, told with each import it governs. */
  problems: string[];
}

/** Bundler resolution takes every form a codebase may use: extensionless, .js for .ts, index files. */
function permissive(options: ts.CompilerOptions): ts.CompilerOptions {
  return {
    ...options,
    module: compiler.ModuleKind.ESNext,
    moduleResolution: compiler.ModuleResolutionKind.Bundler,
    allowJs: true,
    resolveJsonModule: true,
    allowArbitraryExtensions: true,
  };
}

function defaultTsconfig(dir: string): LoadedTsconfig {
  return { ...withCache(permissive({}), dir), problems: [] };
}

function withCache(options: ts.CompilerOptions, dir: string): Omit<LoadedTsconfig, 'problems'> {
  const canonical = compiler.sys.useCaseSensitiveFileNames
    ? (name: string) => name
    : (name: string) => name.toLowerCase();
  return { options, cache: compiler.createModuleResolutionCache(dir, canonical, options) };
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
