import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { CONFIG_NAMES } from '../config/load.js';
import { displayPath } from '../config/read.js';

/**
 * Writes dbboundary.yaml into root and returns its path. An existing context map (either name)
 * is kept unless force is given: it is often the result of hours of review.
 */
export function writeInitFile(
  root: string,
  yaml: string,
  options: { force?: boolean } = {},
): string {
  const file = checkInitTarget(root, options);

  try {
    writeFileSync(file, yaml, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    throw cannotWrite(error, file);
  }
  return file;
}

/**
 * The file init would write, or a UserError when it would refuse: the folder is missing, or a
 * context map is there and force is not given. writeInitFile checks this itself; calling it
 * first lets a command stop before slower work such as reading a database.
 */
export function checkInitTarget(root: string, options: { force?: boolean } = {}): string {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UserError(
      `${displayPath(root)}: no such folder; init writes dbboundary.yaml into a folder.`,
    );
  }

  const existing = CONFIG_NAMES.map((name) => path.join(root, name)).find((f) => existsSync(f));
  if (existing && !options.force) throw alreadyThere(existing);
  return path.join(root, CONFIG_NAMES[0]!);
}

function alreadyThere(file: string): UserError {
  return new UserError(
    `${displayPath(file)} already exists; init leaves it as it is. Pass --force to overwrite it.`,
  );
}

/** A system error as one line with its code; anything else is a bug and passes through. */
function cannotWrite(error: unknown, file: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EEXIST') return alreadyThere(file);
  if (!(error instanceof Error) || typeof code !== 'string') return error;
  return new UserError(`${displayPath(file)}: cannot write it (${code}).`);
}
