import { createHash } from 'node:crypto';

/** A short, stable id for a text: 16 hex digits, the length of libpg-query's fingerprints. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * An id for SQL no parser accepts: its text with runs of whitespace made one space, so that
 * re-indenting the code around it keeps the id.
 */
export function textFingerprint(sql: string): string {
  return shortHash(sql.replace(/\s+/g, ' ').trim());
}
