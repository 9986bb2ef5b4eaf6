import * as fs from 'node:fs';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { DotConfig } from './confdata.js';
import { loadUserValues, parseDotConfig, postRead, writeConfig, writeDefconfig, writeHeader, writeAutoConf } from './confdata.js';
import { finalizeTree } from './menu.js';
import type { Sym } from './model.js';
import type { KconfigTree, LoadOptions } from './parser.js';
import { KconfigParser } from './parser.js';
import { KconfigState } from './symbol.js';
import { diagnostic } from '../diagnostics/define.js';
import { KconfigMessages } from './messages.js';
import { append } from '../util/arrays.js';

export type { KconfigTree, LoadOptions } from './parser.js';
export type { DotConfig, DotConfigEntry } from './confdata.js';
export type { Expr, MenuNode, Prop, Sym, SymType, Tri } from './model.js';
export { exprToString } from './model.js';
export { KconfigMessages } from './messages.js';
export { KconfigState } from './symbol.js';

/** Symbol values under one set of user values (Linux conf's in-memory state after reading a .config). */
export type ResolvedConfig = KconfigState;

export interface LoadResult {
  tree: KconfigTree;
  diagnostics: Diagnostic[];
}

/** Parses a Kconfig tree (root file plus everything it sources) and finalizes menus and dependencies. */
export function loadKconfig(rootFile: string, options: LoadOptions = {}): LoadResult {
  const parser = new KconfigParser(options);
  const diagnostics = parser.diagnostics;
  try {
    parser.parseRoot(rootFile);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    diagnostics.push(diagnostic(KconfigMessages.tooDeep, `Kconfig too deeply nested to read: ${e.message}`, { file: rootFile, start: { line: 0, column: 0, offset: 0 }, end: { line: 0, column: 0, offset: 0 } }));
  }
  const tree = parser.result();
  try {
    finalizeTree(tree, diagnostics);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    diagnostics.push(diagnostic(KconfigMessages.tooDeep, `Kconfig too deeply nested to process: ${e.message}`, tree.root.children[0]?.span));
  }
  return { tree, diagnostics };
}

/** Reads a .config: either its text ({ text }) or a file ({ path }); a plain string is a path if such a file exists. */
export function readDotConfig(source: string | { text: string; file?: string } | { path: string }, prefix = 'CONFIG_'): DotConfig {
  if (typeof source === 'string') {
    if (!source.includes('\n') && fs.existsSync(source)) return parseDotConfig(fs.readFileSync(source, 'latin1'), source, prefix);
    return parseDotConfig(source, '.config', prefix);
  }
  if ('path' in source) return parseDotConfig(fs.readFileSync(source.path, 'latin1'), source.path, prefix);
  return parseDotConfig(source.text, source.file ?? '.config', prefix);
}

export type InitialValues = DotConfig | Record<string, string> | ReadonlyMap<string, string>;

function toDotConfig(v: InitialValues): DotConfig {
  if ('entries' in v && Array.isArray((v as DotConfig).entries)) return v as DotConfig;
  const pairs = v instanceof Map ? [...v.entries()] : Object.entries(v as Record<string, string>);
  return {
    file: '<values>',
    unexpected: [],
    entries: pairs.map(([name, raw], i) => ({ name, raw: raw === 'n' ? 'n' : raw, notSet: raw === 'n', line: i + 1 })),
  };
}

/**
 * Computes all symbol values as `conf --olddefconfig` does: with `initialValues` (a .config or NAME → value; string
 * values given as a record are taken unquoted) as the user's values, and defaults for everything else.
 */
export function resolve(tree: KconfigTree, initialValues?: InitialValues): ResolvedConfig {
  const state = new KconfigState(tree);
  if (initialValues) {
    let cfg = toDotConfig(initialValues);
    // A .config someone wrote: a symbol no Kconfig file defines is a typo to report (HV6201, with the nearest
    // name), not a line to drop silently. (Linux's conf says so only with KCONFIG_WARN_UNKNOWN_SYMBOLS.)
    const fromFile = 'entries' in initialValues && Array.isArray((initialValues as DotConfig).entries);
    if (!fromFile) {
      // Plain records hold unquoted strings: quote them for the .config reader.
      cfg = {
        ...cfg,
        entries: cfg.entries.map((e) => {
          const s = tree.byName.get(e.name);
          return s?.type === 'string' && !e.notSet ? { ...e, raw: '"' + e.raw.replace(/[\\"]/g, (m) => '\\' + m) + '"' } : e;
        }),
      };
    }
    append(state.readDiagnostics, loadUserValues(state, cfg, { warnUnknown: fromFile }));
  }
  try {
    if (initialValues) postRead(state);
    else state.calcValue(tree.modulesSym);
    state.calcAll();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    state.readDiagnostics.push(diagnostic(KconfigMessages.tooDeep, `dependencies too deeply nested to evaluate: ${e.message}`));
  }
  return state;
}

/** The .config text (conf_write). */
export function writeDotConfig(resolved: ResolvedConfig): string {
  return writeConfig(resolved);
}

/** The minimal defconfig (conf --savedefconfig). */
export function writeMinimalDefconfig(resolved: ResolvedConfig): string {
  return writeDefconfig(resolved);
}

/** The C header (include/generated/autoconf.h). */
export function writeCHeader(resolved: ResolvedConfig): string {
  return writeHeader(resolved);
}

/** include/config/auto.conf */
export function writeAutoConfig(resolved: ResolvedConfig): string {
  return writeAutoConf(resolved);
}

function findSym(resolved: ResolvedConfig, name: string): Sym | undefined {
  const n = name.startsWith('CONFIG_') && !resolved.tree.byName.has(name) ? name.slice(7) : name;
  const s = resolved.tree.byName.get(n);
  return s && s.type !== 'unknown' ? s : undefined;
}

/**
 * The value of a symbol as conf computes it: 'y' | 'm' | 'n' for bool/tristate, the text for int/hex/string;
 * undefined if no Kconfig file defines the symbol. ("CONFIG_" prefix optional.)
 */
export function symbolValue(resolved: ResolvedConfig, name: string): string | undefined {
  const s = findSym(resolved, name);
  if (!s) return undefined;
  resolved.calcValue(s);
  return resolved.getStringValue(s);
}

/** True when a bool/tristate symbol is y or m. */
export function symbolEnabled(resolved: ResolvedConfig, name: string): boolean {
  const v = symbolValue(resolved, name);
  return v === 'y' || v === 'm';
}

/** An int/hex symbol's value as a bigint (undefined if unset or not numeric). */
export function symbolNumber(resolved: ResolvedConfig, name: string): bigint | undefined {
  const s = findSym(resolved, name);
  const v = symbolValue(resolved, name);
  if (!s || v === undefined || v === '') return undefined;
  try {
    if (s.type === 'hex') return BigInt(/^0[xX]/.test(v) ? v : '0x' + v);
    if (s.type === 'int') return BigInt(v);
  } catch {
    return undefined;
  }
  return undefined;
}

/** All symbols written to .config, NAME → value, in menu order. */
export function symbolValues(resolved: ResolvedConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of writeConfig(resolved).split('\n')) {
    const m = /^CONFIG_([^=]+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, symbolValue(resolved, m[1]!)!);
    const n = /^# CONFIG_(\S+) is not set$/.exec(line);
    if (n) out.set(n[1]!, 'n');
  }
  return out;
}
