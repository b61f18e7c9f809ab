import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

/** Far above any real context map; a larger file is the wrong file. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** A path as messages show it: relative to the working folder when inside it, else absolute. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  const outside = relative === '..' || relative.startsWith(`..${path.sep}`);
  return relative === '' || outside || path.isAbsolute(relative) ? file : relative;
}

/**
 * Reads the config as UTF-8 text. It must be a regular file of at most 1 MB: a device such as
 * /dev/zero would never end, and opening a named pipe would wait for a writer, so the file is
 * opened without blocking and checked before anything is read.
 */
export function readConfigText(file: string, display: string): string {
  const bytes = readConfigBytes(file, display);

  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${display}: not a UTF-8 text file; a context map is YAML text.`);
  }
}

function readConfigBytes(file: string, display: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw cannotRead(error, display);
  }

  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new UserError(
        `${display}: not a regular file (${kindOf(stats)}); the config must be a YAML file.`,
      );
    }
    if (stats.size > MAX_CONFIG_BYTES) throw tooLarge(display, stats.size.toLocaleString('en-US'));
    return readAtMost(fd, display);
  } catch (error) {
    throw cannotRead(error, display);
  } finally {
    closeSync(fd);
  }
}

/** Reads to the end, but no further than the limit: a file may grow, or report size 0 (/proc). */
function readAtMost(fd: number, display: string): Buffer {
  const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
  let length = 0;
  for (;;) {
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
    if (length > MAX_CONFIG_BYTES) {
      throw tooLarge(display, `more than ${MAX_CONFIG_BYTES.toLocaleString('en-US')}`);
    }
  }
  return buffer.subarray(0, length);
}

function tooLarge(display: string, bytes: string): UserError {
  return new UserError(
    `${display}: ${bytes} bytes, more than a context map may hold (1 MB); check that this is the right file.`,
  );
}

/** A system error as one line with the system's reason, e.g. "(EACCES: permission denied)"; anything else passes through. */
function cannotRead(error: unknown, display: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (error instanceof UserError || !(error instanceof Error) || typeof code !== 'string') {
    return error;
  }
  const reason = error.message.startsWith(`${code}:`) ? error.message.split(', ')[0] : code;
  return new UserError(`${display}: cannot read it (${reason}).`);
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}
