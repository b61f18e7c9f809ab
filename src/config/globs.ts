/**
 * Why a file glob can never match, or null. Scanning lists the config's folder and below as
 * relative paths without `..`, so a glob that starts at `/`, climbs out with `../`, or holds a
 * `..` part anywhere matches nothing, however the tree looks.
 */
export function globCannotMatch(glob: string): string | null {
  const taken = glob.startsWith('!') ? glob.slice(1) : glob;
  if (taken.startsWith('/') || taken === '..' || taken.startsWith('../')) {
    return "globs are relative to the config's folder and cannot leave it; put dbboundary.yaml at the root of the code it checks.";
  }
  if (taken.split('/').includes('..')) {
    return 'scanned paths hold no .. parts; write the path without them.';
  }
  return null;
}
