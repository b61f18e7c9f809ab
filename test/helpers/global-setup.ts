import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The command line keeps a per-file cache (node_modules/.cache/dbboundary, or the temp folder).
 * Tests spawn it on many throwaway trees, so their caches go to one folder removed at the end.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'dbboundary-test-cache-'));
  process.env.DBBOUNDARY_CACHE_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
