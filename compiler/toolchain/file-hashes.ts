import { mkdirSync, readFileSync, readdirSync, statSync, type BigIntStats } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256, writeFileAtomic } from './cache.js';

/** What identifies one version of a file without reading it: device, inode, size, modification and change times (ns). */
function identity(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/**
 * The SHA-256 of files, remembered across runs by their identity (`identity`): a build hashes what it depends
 * on — the guest images (a Linux kernel is 33 MB), the runtime's sources, the compiler — and an unchanged file
 * is not read again. Kept in the cache folder as `file-hashes.json`. A file changed within the last two
 * seconds is hashed but not remembered, so a write in the same clock tick as the hash cannot go unseen.
 */
export class FileHashes {
  private readonly index: Record<string, { id: string; sha: string }>;
  private changed = false;
  private readonly path: string | undefined;

  constructor(cacheDir: string | undefined) {
    this.path = cacheDir === undefined ? undefined : join(cacheDir, 'file-hashes.json');
    let index: Record<string, { id: string; sha: string }> = {};
    try {
      if (this.path) index = JSON.parse(readFileSync(this.path, 'utf8')) as typeof index;
    } catch {
      index = {};
    }
    this.index = index;
  }

  /** The file's SHA-256 (hex), from the index when the file is as it was. */
  hash(path: string): string {
    const st = statSync(path, { bigint: true });
    const id = identity(st);
    const known = this.index[path];
    if (known && known.id === id) return known.sha;
    const sha = sha256(readFileSync(path));
    const settled = BigInt(Date.now() - 2000) * 1_000_000n;
    if (st.mtimeNs < settled && st.ctimeNs < settled) {
      this.index[path] = { id, sha };
      this.changed = true;
    }
    return sha;
  }

  /** Every file below `dir` (names and contents), for folders whose files any source may use. */
  tree(dir: string): string {
    const parts: string[] = [];
    const walk = (d: string, rel: string) => {
      let entries: string[];
      try {
        entries = readdirSync(d).sort();
      } catch {
        return;
      }
      for (const entry of entries) {
        const full = join(d, entry);
        if (statSync(full).isDirectory()) walk(full, `${rel}${entry}/`);
        else parts.push(`${rel}${entry}`, this.hash(full));
      }
    };
    walk(dir, '');
    return sha256(...parts);
  }

  /** Writes the index back when it learned something (a cache folder that cannot be written is only slower). */
  save(): void {
    if (!this.changed || !this.path) return;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileAtomic(this.path, JSON.stringify(this.index));
      this.changed = false;
    } catch {
      // the next run hashes again
    }
  }
}
