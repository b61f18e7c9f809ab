/**
 * Where compiler.ts may keep V8's compiled code of the TypeScript compiler between runs. Set by
 * the check before it first loads the compiler; compiler.ts reads it once, when it is loaded.
 */
export const compilerCodeCache: { dir: string | null } = { dir: null };
