import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import type { ts as TypeScript } from 'ts-morph';
import { compilerCodeCache } from './compiler-cache.js';

/**
 * The TypeScript compiler that ts-morph carries, loaded as CommonJS from ts-morph's own
 * dependency. Importing `ts` from ts-morph as an ES module would also load ts-morph's wrapper
 * layer and make Node scan the 9 MB compiler for its export names.
 *
 * With a cache folder set (compiler-cache.ts), V8's compiled code of the compiler is kept there
 * and given back on the next load, which halves the time to load it: a run over a few changed
 * files is mostly that load. V8 checks the code against the source and refuses a stale one.
 */
const requireFromHere = createRequire(import.meta.url);
const commonEntry = createRequire(requireFromHere.resolve('ts-morph')).resolve('@ts-morph/common');
const compilerFile = path.join(path.dirname(commonEntry), 'typescript.js');

export const ts = load();

function load(): typeof TypeScript {
  const dir = compilerCodeCache.dir;
  if (dir == null) return createRequire(commonEntry)('./typescript.js') as typeof TypeScript;

  const source = readFileSync(compilerFile, 'utf8');
  const cacheFile = path.join(dir, `v8-typescript-${versionOf(source)}.bin`);
  const cachedData = readOrUndefined(cacheFile);
  const script = new vm.Script(Module.wrap(source), { filename: compilerFile, cachedData });
  const exports = evaluate(script);
  if (cachedData == null || script.cachedDataRejected) keep(cacheFile, script.createCachedData());
  return exports;
}

function evaluate(script: vm.Script): typeof TypeScript {
  const module = { exports: {} as typeof TypeScript };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const require = createRequire(compilerFile);
  wrapper.call(
    module.exports,
    module.exports,
    require,
    module,
    compilerFile,
    path.dirname(compilerFile),
  );
  return module.exports;
}

function versionOf(source: string): string {
  const size = statSync(compilerFile).size;
  return createHash('sha1')
    .update(`${process.version}\0${compilerFile}\0${size}\0`)
    .update(source.slice(0, 4096))
    .digest('hex')
    .slice(0, 16);
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** A cache that cannot be written only costs the next run its speed-up. */
function keep(file: string, data: Buffer): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, data);
    renameSync(temporary, file);
  } catch {
    // Nothing to do: the compiler is loaded either way.
  }
}
