import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';

/**
 * Colour is decided once, here: only on a terminal, never with NO_COLOR (set and not empty) or
 * TERM=dumb, and never when the user passed --no-color. FORCE_COLOR turns it on for CI logs.
 */
export function createColors(options: {
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  flag: boolean;
}): ChalkInstance {
  return new Chalk({ level: colorsWanted(options) ? 1 : 0 });
}

function colorsWanted({
  isTTY,
  env,
  flag,
}: {
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  flag: boolean;
}): boolean {
  if (!flag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY && env.TERM !== 'dumb';
}
