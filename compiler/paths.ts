import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';

/**
 * The package's root folder. Compiled code runs from dist/compiler/, so the root is two levels above this
 * file's folder there; templates and the runtime are read from the source tree, never copied into dist/.
 */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const runtimeDir = join(packageRoot, 'runtime');
export const templatesDir = join(packageRoot, 'compiler', 'codegen', 'templates');

/** hvcc's version, from package.json. */
export function hvccVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
