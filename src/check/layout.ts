import type { ConfigProblem } from '../errors.js';
import { globCannotMatch } from '../config/globs.js';
import { displayPath } from '../config/read.js';
import type { ContextDef, ContextMap } from '../config/types.js';
import { compileGlobs, filesUnderBase } from '../extract/files.js';
import type { Matcher } from '../extract/files.js';

/** Which context each file belongs to, and which files a context makes public. */
export class ContextLayout {
  readonly problems: ConfigProblem[] = [];
  private readonly contextByFile = new Map<string, string | null>();
  private readonly publicMatchers = new Map<string, Matcher>();
  /** Many files import the same few: each answer is worked out once. */
  private readonly publicByFile = new Map<string, boolean>();
  private readonly codeMatchers: { name: string; matches: Matcher }[];

  constructor(
    private readonly map: ContextMap,
    files: readonly string[],
  ) {
    const display = displayPath(map.file);
    this.codeMatchers = map.contexts.map((context) => ({
      name: context.name,
      matches: compileGlobs(context.code),
    }));
    for (const context of map.contexts) {
      this.publicMatchers.set(context.name, compileGlobs(context.public));
      this.checkGlobsMatch(
        display,
        context.name,
        'code',
        context.code,
        context.keyLines.code ?? context.line,
        files,
      );
      this.checkGlobsMatch(
        display,
        context.name,
        'public',
        context.public,
        context.keyLines.public ?? context.line,
        files,
      );
    }
    this.assignFiles(display, files);
    for (const context of map.contexts) this.checkPublicIsOwnCode(display, context, files);
  }

  /** The context of a file given relative to the config's folder, or null. */
  contextOf(file: string): string | null {
    const known = this.contextByFile.get(file);
    if (known !== undefined) return known;
    // Files that were not scanned (an import of a .json or .css file, say) still belong somewhere.
    return this.codeMatchers.find((matcher) => matcher.matches(file))?.name ?? null;
  }

  isPublic(context: string, file: string): boolean {
    const key = `${context}\0${file}`;
    let answer = this.publicByFile.get(key);
    if (answer === undefined) {
      answer = this.publicMatchers.get(context)?.(file) ?? false;
      this.publicByFile.set(key, answer);
    }
    return answer;
  }

  private checkGlobsMatch(
    display: string,
    context: string,
    key: string,
    globs: string[],
    line: number | null,
    files: readonly string[],
  ): void {
    // A glob that can never match was reported with the reason when the config was read.
    for (const glob of globs.filter((g) => !g.startsWith('!') && !globCannotMatch(g))) {
      const matches = compileGlobs([glob]);
      if (!filesUnderBase(files, glob).some((file) => matches(file))) {
        this.problems.push({
          file: display,
          line,
          message: `contexts.${context}.${key}: "${glob}" matches no scanned file under ${this.map.root}; fix the path, or check include and exclude.`,
        });
      }
    }
  }

  /** A public glob lists files of the context's own code; one that reaches further is a mistake. */
  private checkPublicIsOwnCode(
    display: string,
    context: ContextDef,
    files: readonly string[],
  ): void {
    const leftOut = context.public.filter((g) => g.startsWith('!'));
    for (const glob of context.public.filter((g) => !g.startsWith('!'))) {
      const matches = compileGlobs([glob, ...leftOut]);
      const foreign = filesUnderBase(files, glob).filter(
        (file) => matches(file) && this.contextByFile.get(file) !== context.name,
      );
      if (foreign.length === 0) continue;

      const others = foreign.length - 1;
      const more = others === 0 ? '' : ` and ${others} other file${others === 1 ? '' : 's'}`;
      this.problems.push({
        file: display,
        line: context.keyLines.public ?? context.line,
        message: `contexts.${context.name}.public: ${JSON.stringify(glob)} matches ${foreign[0]}${more}, not code of ${context.name}; public lists files of ${context.name}'s own code that other contexts may import. Narrow the glob.`,
      });
    }
  }

  private lineOfCode(name: string): number | null {
    const context = this.map.contexts.find((c) => c.name === name);
    return context?.keyLines.code ?? context?.line ?? null;
  }

  private assignFiles(display: string, files: readonly string[]): void {
    const owners = this.ownersOf(files);
    const reported = new Set<string>();
    for (const file of files) {
      const names = owners.get(file) ?? [];
      if (names.length > 1) {
        const pair = names.join(' and ');
        if (!reported.has(pair)) {
          reported.add(pair);
          this.problems.push({
            file: display,
            line: this.lineOfCode(names[1]!),
            message: `${file} is matched by the code globs of both ${pair}; a file belongs to one context. Narrow one of the globs.`,
          });
        }
      }
      this.contextByFile.set(file, names[0] ?? null);
    }
  }

  /** The contexts whose code globs take each file, in the map's order. */
  private ownersOf(files: readonly string[]): Map<string, string[]> {
    const owners = new Map<string, string[]>();
    for (const [index, context] of this.map.contexts.entries()) {
      const { name, matches } = this.codeMatchers[index]!;
      const candidates = new Set(
        context.code
          .filter((glob) => !glob.startsWith('!'))
          .flatMap((glob) => filesUnderBase(files, glob)),
      );
      for (const file of candidates) {
        if (!matches(file)) continue;
        const names = owners.get(file);
        if (names) names.push(name);
        else owners.set(file, [name]);
      }
    }
    return owners;
  }
}
