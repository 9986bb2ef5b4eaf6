import { mkdirSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { identitiesHold, settledIdentities } from '../fs/identity.js';
import { sha256, writeFileAtomic } from '../toolchain/cache.js';

/**
 * `hvcc run` on an unchanged system: the QEMU command line of its last good build, without reading the
 * description again. After a build (or a reuse) without any diagnostic, the run stamp records the identity
 * (device, inode, size, modification and change times) of every file the build depended on — description
 * sources, guest images, the runtime and search-path component trees, the compiler — and of every folder in
 * which a lookup could find a new file (include folders, the folders of the sources, the current folder and
 * the output folder for `.config`, the component trees), with the outputs. The next `run` with the same
 * command line boots at once when every identity is the same; any difference, or any doubt, runs the
 * whole pipeline as before. Kept in the cache folder, under `run/`, by the hash of the command line.
 */
export interface RunStampKey {
  file: string;
  outDir: string | undefined;
  configFile: string | undefined;
  includeDirs: readonly string[];
  componentPath: readonly string[];
  disabled: readonly string[];
  werror: boolean;
  /** `hvcc run --escape`, which the image is built with. */
  escapeKey: number | undefined;
}

export interface RunStamp {
  outDir: string;
  elf: string;
  program: string;
  args: string[];
  /** The console's escape key the image was built with (what `hvcc run` watches for on its side). */
  escapeKey: number;
}

interface StoredStamp extends RunStamp {
  version: 2;
  entries: [string, string][];
}

function stampFile(cacheDir: string, key: RunStampKey): string {
  const k = {
    ...key,
    file: resolve(key.file),
    outDir: key.outDir === undefined ? undefined : resolve(key.outDir),
    configFile: key.configFile === undefined ? undefined : resolve(key.configFile),
    cwd: process.cwd(),
    env: process.env.HVCC_COMPONENT_PATH ?? '',
    disabled: [...key.disabled].sort(),
  };
  return join(cacheDir, 'run', `${sha256(JSON.stringify(k)).slice(0, 32)}.json`);
}

/** Every folder and file below `dir`, for trees a build reads as a whole (the runtime, the compiler). */
export function treeEntries(dir: string, into: Set<string>): void {
  into.add(dir);
  let entries: Dirent[];
  try {
    // The entries' types come with the listing: a stat only for a symbolic link, to see where it leads.
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) {
      try {
        isDir = statSync(full).isDirectory();
      } catch {
        continue;
      }
    }
    if (isDir) treeEntries(full, into);
    else into.add(full);
  }
}

/** The stamp's command line, when every recorded identity still holds; undefined otherwise. */
export function readRunStamp(cacheDir: string, key: RunStampKey): RunStamp | undefined {
  let stored: StoredStamp;
  try {
    stored = JSON.parse(readFileSync(stampFile(cacheDir, key), 'utf8')) as StoredStamp;
  } catch {
    return undefined;
  }
  if (stored.version !== 2 || !Array.isArray(stored.entries)) return undefined;
  if (!identitiesHold(stored.entries)) return undefined;
  return { outDir: stored.outDir, elf: stored.elf, program: stored.program, args: stored.args, escapeKey: stored.escapeKey };
}

/**
 * Records the stamp for a build that ended well. `paths` are the files and folders it depended on (with
 * the outputs); `since` is when the build started (ms since the epoch): when any of them changed after it,
 * or within two seconds before it (by modification time), the build may have read an older version, and
 * no stamp is written.
 */
export function writeRunStamp(cacheDir: string, key: RunStampKey, stamp: RunStamp, paths: Iterable<string>, since: number): void {
  // The outputs were written by the build itself, just now.
  const entries = settledIdentities(paths, since, (path) => path.startsWith(stamp.outDir));
  if (!entries) return;
  const stored: StoredStamp = { version: 2, ...stamp, entries };
  try {
    const file = stampFile(cacheDir, key);
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, JSON.stringify(stored));
  } catch {
    // a cache folder that cannot be written: the next run checks everything
  }
}
