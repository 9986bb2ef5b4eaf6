import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import type { ComponentCatalogue } from '../components/catalogue.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { readText } from '../fs/files.js';
import { type DotConfig, loadKconfig, readDotConfig, resolve, symbolEnabled, symbolNumber, symbolValues, writeCHeader, writeDotConfig } from './index.js';
import { append } from '../util/arrays.js';

/** The resolved Kconfig configuration, as the build uses it. */
export interface ResolvedOptions {
  /** hv/kconfig.h for the runtime's sources. */
  cHeader: string;
  /** The full .config, written next to the image. */
  dotConfig: string;
  /** Where the values came from: a .config/defconfig path, or "Kconfig defaults". */
  source: string;
  /** Every visible symbol's value as .config writes it ('y', 'n', '4', 'text'), by name without CONFIG_. */
  values: ReadonlyMap<string, string>;
  isEnabled(symbol: string): boolean;
  intValue(symbol: string): number | undefined;
}

export interface OptionsInput {
  catalogue: ComponentCatalogue;
  systemFile: string;
  /** The board description the system includes (where the root `compatible` is written). */
  boardFile?: string | undefined;
  outDir?: string | undefined;
  configFile?: string | undefined;
}

/** The runtime's root Kconfig: it sources every in-tree component's Kconfig by glob, so new components need no edit there. */
export function rootKconfig(catalogue: ComponentCatalogue): string {
  return join(catalogue.runtimeDir, 'Kconfig');
}

/**
 * The Kconfig tree a build resolves: the runtime's, plus the Kconfig of every component found on the search
 * path (a menu of their own), read through a root that exists only in memory.
 */
export function kconfigRoot(catalogue: ComponentCatalogue): { file: string; readFile?: (file: string) => string | undefined } {
  const external = catalogue.components.filter((c) => c.root !== catalogue.runtimeDir && c.kconfigPath);
  if (external.length === 0) return { file: rootKconfig(catalogue) };
  const file = join(catalogue.runtimeDir, 'Kconfig.with-search-path');
  const quote = (p: string) => `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  // The runtime's root (which must start with its mainmenu) is read as it is, in the same folder, so its
  // relative sources resolve as always; the search path's components follow it in a menu of their own.
  const text = [readFileSync(rootKconfig(catalogue), 'utf8'), 'menu "Components from the search path"', ...external.map((c) => `source ${quote(c.kconfigPath!)}`), 'endmenu', ''].join('\n');
  return {
    file,
    readFile: (f) => {
      if (f === file) return text;
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Where a build's option values come from, first found wins: `--config FILE`; `.config` in the output
 * folder, then in the current folder (what `hvcc config`/`defconfig`/`oldconfig` write, with and without
 * -O); `defconfig` next to the system description; `defconfig` next to the board description; otherwise
 * the Kconfig defaults.
 */
export function configSource(input: OptionsInput): string | undefined {
  if (input.configFile) return resolvePath(input.configFile);
  const candidates = [
    ...(input.outDir ? [join(input.outDir, '.config')] : []),
    '.config',
    join(dirname(resolvePath(input.systemFile)), 'defconfig'),
    ...(input.boardFile ? [join(dirname(input.boardFile), 'defconfig')] : []),
  ];
  const found = candidates.find((c) => existsSync(c));
  return found === undefined ? undefined : resolvePath(found);
}

/**
 * The catalogue's Kconfig tree, loaded once per catalogue object (resolving never changes a tree: its values
 * live in a state of their own), so callers that reuse a catalogue do not parse the Kconfig files again.
 */
const trees = new WeakMap<ComponentCatalogue, ReturnType<typeof loadKconfig>>();
function loadTree(catalogue: ComponentCatalogue): ReturnType<typeof loadKconfig> {
  let loaded = trees.get(catalogue);
  if (!loaded) {
    const root = kconfigRoot(catalogue);
    loaded = loadKconfig(root.file, { env: process.env, srctree: catalogue.runtimeDir, cwd: catalogue.runtimeDir, ...(root.readFile ? { readFile: root.readFile } : {}) });
    trees.set(catalogue, loaded);
  }
  return loaded;
}

export function resolveOptions(input: OptionsInput): { options?: ResolvedOptions; diagnostics: Diagnostic[]; sources: Map<string, string> } {
  const loaded = loadTree(input.catalogue);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const sources = new Map<string, string>(loaded.tree.files);
  if (hasErrors(diagnostics)) return { diagnostics, sources };
  const from = configSource(input);
  let initial: DotConfig | undefined;
  if (from) {
    const read = readText(from, { what: input.configFile ? 'the --config file' : 'the Kconfig configuration', ...(input.configFile ? { written: input.configFile } : {}) });
    if (!read.ok) return { diagnostics: [...diagnostics, read.diagnostic], sources };
    const text = read.value;
    sources.set(from, text);
    initial = readDotConfig({ text, file: from });
  }
  const resolved = resolve(loaded.tree, initial);
  append(append(diagnostics, resolved.readDiagnostics), resolved.warnings);
  return {
    diagnostics,
    sources,
    options: {
      cHeader: writeCHeader(resolved),
      dotConfig: writeDotConfig(resolved),
      source: from ?? 'Kconfig defaults',
      values: symbolValues(resolved),
      isEnabled: (s) => symbolEnabled(resolved, s),
      intValue: (s) => {
        const v = symbolNumber(resolved, s);
        return v === undefined ? undefined : Number(v);
      },
    },
  };
}
