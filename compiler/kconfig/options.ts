import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import type { ComponentCatalogue } from '../components/catalogue.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { type DotConfig, loadKconfig, readDotConfig, resolve, symbolEnabled, symbolNumber, symbolValues, writeCHeader, writeDotConfig } from './index.js';

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

/** The root Kconfig: it sources every component's Kconfig by glob, so new components need no edit here. */
export function rootKconfig(catalogue: ComponentCatalogue): string {
  return join(catalogue.runtimeDir, 'Kconfig');
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

export function resolveOptions(input: OptionsInput): { options?: ResolvedOptions; diagnostics: Diagnostic[]; sources: Map<string, string> } {
  const root = rootKconfig(input.catalogue);
  const loaded = loadKconfig(root, { env: process.env, srctree: input.catalogue.runtimeDir, cwd: input.catalogue.runtimeDir });
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const sources = new Map<string, string>(loaded.tree.files);
  if (hasErrors(diagnostics)) return { diagnostics, sources };
  const from = configSource(input);
  let initial: DotConfig | undefined;
  if (from) {
    const text = readFileSync(from, 'utf8');
    sources.set(from, text);
    initial = readDotConfig({ text, file: from });
  }
  const resolved = resolve(loaded.tree, initial);
  diagnostics.push(...resolved.readDiagnostics, ...resolved.warnings);
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
