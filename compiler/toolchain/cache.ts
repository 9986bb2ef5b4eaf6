import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The content-addressed cache of compiled runtime objects: $HVCC_CACHE_DIR, else ~/.cache/hvcc. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HVCC_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hvcc');
}

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
  if (existsSync(path)) return { path, hit: true };
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
