import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function sha256(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
    h.update('\0');
  }
  return h.digest('hex');
}

/**
 * Returns the cached file for `key`, producing it with `produce(tmpPath)` on a miss. The result is renamed
 * into place, so a build interrupted half-way never leaves a truncated entry for the next one.
 */
export function cached(cacheDir: string, key: string, extension: string, produce: (tmpPath: string) => void): { path: string; hit: boolean } {
  const dir = join(cacheDir, key.slice(0, 2));
  const path = join(dir, `${key}${extension}`);
  if (existsSync(path)) {
    markUsed(path);
    return { path, hit: true };
  }
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  produce(tmp);
  renameSync(tmp, path);
  return { path, hit: false };
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Marks a cache entry as used now: the cache is trimmed least recently used first (trimCache). */
export function markUsed(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // A read-only cache still works; it is only trimmed by age of writing.
  }
}

/** The cache's size limit: $HVCC_CACHE_MAX_MB megabytes (MiB), else 1 GiB. */
export function cacheLimitBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.HVCC_CACHE_MAX_MB);
  return (Number.isFinite(mb) && mb >= 0 && env.HVCC_CACHE_MAX_MB?.trim() !== '' ? mb : 1024) * 1024 * 1024;
}

/** How often a build that added to the cache looks at its size: walking it costs tens of milliseconds. */
const TRIM_EVERY_MS = 10 * 60 * 1000;

/**
 * trimCache() at most every TRIM_EVERY_MS (the file `last-trim` in the cache folder says when it last ran);
 * undefined when it was not its time.
 */
export function trimCacheSometimes(cacheDir: string, maxBytes: number, now: number = Date.now()): ReturnType<typeof trimCache> | undefined {
  const stamp = join(cacheDir, 'last-trim');
  const last = statSync(stamp, { throwIfNoEntry: false });
  if (last && now - last.mtimeMs < TRIM_EVERY_MS && last.mtimeMs <= now) return undefined;
  try {
    writeFileSync(stamp, '');
    utimesSync(stamp, new Date(now), new Date(now));
  } catch {
    return undefined; // a read-only cache: not ours to trim
  }
  return trimCache(cacheDir, maxBytes, now);
}

/** Entries used this recently are never removed: a build running beside this one may be about to read them. */
const IN_USE_MS = 10 * 60 * 1000;
/** A temporary file this old was left by a build that was killed before it could rename it into place. */
const ABANDONED_MS = 60 * 60 * 1000;

/**
 * Keeps the content-addressed entries (the two-hex-digit folders: compiled runtime objects, linked images)
 * within `maxBytes`, removing the least recently used first, and removes temporary files abandoned by
 * killed builds. Nothing else under the cache folder is touched (the Linux examples' downloads and kernel
 * builds, the run stamps, the code cache keep their own rules).
 */
export function trimCache(cacheDir: string, maxBytes: number, now: number = Date.now()): { removed: number; freedBytes: number; keptBytes: number } {
  const entries: { path: string; size: number; used: number }[] = [];
  let removed = 0;
  let freedBytes = 0;
  const remove = (path: string, size: number) => {
    try {
      rmSync(path, { force: true });
      removed++;
      freedBytes += size;
    } catch {
      // Another build removed it first, or the cache is read-only: either way not ours to worry about.
    }
  };
  let shards: string[];
  try {
    shards = readdirSync(cacheDir).filter((d) => /^[0-9a-f]{2}$/.test(d));
  } catch {
    return { removed: 0, freedBytes: 0, keptBytes: 0 };
  }
  for (const shard of shards) {
    const dir = join(cacheDir, shard);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st?.isFile()) continue;
      if (name.endsWith('.tmp')) {
        if (now - st.mtimeMs > ABANDONED_MS) remove(path, st.size);
        continue;
      }
      if (/^[0-9a-f]{64}\.[a-z]+$/.test(name)) entries.push({ path, size: st.size, used: st.mtimeMs });
    }
  }
  entries.sort((a, b) => b.used - a.used);
  let keptBytes = 0;
  for (const e of entries) {
    if (keptBytes + e.size <= maxBytes || now - e.used < IN_USE_MS) keptBytes += e.size;
    else remove(e.path, e.size);
  }
  return { removed, freedBytes, keptBytes };
}
