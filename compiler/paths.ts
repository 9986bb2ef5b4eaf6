import { fileURLToPath } from 'node:url';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';

/**
 * The package's root folder: the nearest folder above this module holding hvcc's package.json. The code
 * runs from dist/compiler/ (tests) or from the one bundled file dist/hvcc.cjs (the CLI), so the root is
 * found rather than counted; templates and the runtime are read from the source tree, never copied.
 */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'hvcc') return dir;
    if (dirname(dir) === dir) throw new Error(`hvcc's package.json is not above ${from}`);
  }
}

const here = fileURLToPath(import.meta.url);
export const packageRoot = findPackageRoot(dirname(here));
/** The JavaScript that is running: the bundle, or (unbundled, as in tests) the modules tsc wrote. */
export const runningCode: { bundle: string } | { trees: string[] } = here.endsWith('.cjs') ? { bundle: here } : { trees: [join(packageRoot, 'dist', 'compiler'), join(packageRoot, 'dist', 'schemas')] };
export const runtimeDir = join(packageRoot, 'runtime');
export const templatesDir = join(packageRoot, 'compiler', 'codegen', 'templates');

/** hvcc's version, from package.json. */
export function hvccVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** hvcc's cache folder (compiled runtime objects, linked images, run stamps, ...): $HVCC_CACHE_DIR, else ~/.cache/hvcc. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HVCC_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hvcc');
}
