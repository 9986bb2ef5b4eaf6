import { statSync, type BigIntStats } from 'node:fs';

/**
 * A file's or folder's identity: what changes whenever its contents may have (device, inode, size and
 * modification and change times, in nanoseconds). A folder's changes when an entry is added, removed or
 * renamed in it. For caches that must notice any change without reading what they depend on again.
 */
export function identity(st: BigIntStats): string {
  return st.isDirectory() ? `d:${st.dev}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}` : `f:${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** The identity of what is at `path` now, or 'absent'. */
export function identityOf(path: string): string {
  try {
    return identity(statSync(path, { bigint: true }));
  } catch {
    return 'absent';
  }
}

/**
 * The identities of `paths`, for a cache written after reading them; undefined when one of them (not a
 * folder) was modified within two seconds before `since` (ms since the epoch) or later: it may have been
 * read before a write that a coarse clock would not tell apart, and is not worth trusting.
 */
export function settledIdentities(paths: Iterable<string>, since: number, exempt: (path: string) => boolean = () => false): [string, string][] | undefined {
  const settled = BigInt(since - 2000) * 1_000_000n;
  const entries: [string, string][] = [];
  for (const path of [...new Set(paths)].sort()) {
    let st: BigIntStats;
    try {
      st = statSync(path, { bigint: true });
    } catch {
      entries.push([path, 'absent']);
      continue;
    }
    if (!st.isDirectory() && !exempt(path) && st.mtimeNs >= settled) return undefined;
    entries.push([path, identity(st)]);
  }
  return entries;
}

/** Whether every recorded identity still holds. */
export function identitiesHold(entries: readonly (readonly [string, string])[]): boolean {
  for (const [path, id] of entries) if (identityOf(path) !== id) return false;
  return true;
}
