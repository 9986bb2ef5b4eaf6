import * as fs from 'node:fs';
import * as path from 'node:path';
import { escapeString } from './confdata.js';
import type { Sym } from './model.js';
import { NO } from './model.js';
import { linuxSymbolOrder } from './random.js';
import { F_WRITE, type KconfigState } from './symbol.js';

/**
 * Linux 6.1's conf_write_autoconf() (scripts/kconfig/confdata.c), file for file and byte for byte:
 *
 * - `include/config/auto.conf.cmd`: the Kconfig files read (newest first, as conf's file list) and the
 *   environment variables the macros read, as make rules;
 * - `include/config/<SYMBOL>`: an empty file touched for every symbol whose value differs from the previous
 *   auto.conf (all set symbols the first time; symbols gone since then too), for kbuild's fixdep;
 * - `include/generated/autoconf.h`, `include/generated/rustc_cfg` and, last, `include/config/auto.conf`,
 *   each in conf's symbol hash-table order (for_all_symbols), written to a temporary file and renamed.
 *
 * The names come from KCONFIG_AUTOCONFIG, KCONFIG_AUTOHEADER and KCONFIG_RUSTCCFG. Without `overwrite`
 * (every mode but syncconfig) nothing is written when auto.conf exists. Returns false when a file cannot
 * be written (conf reports that only for syncconfig).
 */
export function writeAutoconf(state: KconfigState, options: { env: Readonly<Record<string, string | undefined>>; cwd: string; overwrite: boolean }): boolean {
  const { env } = options;
  const abs = (p: string) => path.resolve(options.cwd, p);
  const prefix = env['CONFIG_'] ?? 'CONFIG_';
  const autoconfName = env['KCONFIG_AUTOCONFIG'] ?? 'include/config/auto.conf';
  if (!options.overwrite && fs.existsSync(abs(autoconfName))) return true;
  const tree = state.tree;
  const order = linuxSymbolOrder(tree.symbols, tree.symYes, tree.symMod, tree.symNo);
  const title = tree.root.prompt?.text ?? 'Main menu';
  try {
    // auto.conf.cmd
    let cmd = 'deps_config := \\\n';
    for (const name of [...tree.files.keys()].reverse()) cmd += `\t${name} \\\n`;
    cmd += `\n${autoconfName}: $(deps_config)\n\n`;
    for (const [name, value] of tree.usedEnv) cmd += `ifneq "$(${name})" "${value}"\n${autoconfName}: FORCE\nendif\n`;
    cmd += '\n$(deps_config): ;\n';
    writeViaTemp(abs(`${autoconfName}.cmd`), abs(`${autoconfName}.cmd.tmp`), cmd);

    touchDeps(state, order, abs(autoconfName), prefix);

    for (const sym of order) state.calcValue(sym);
    const written = order.filter((s) => s.name !== null && state.s(s).flags & F_WRITE && s.type !== 'unknown');
    let header = `/*\n * Automatically generated file; DO NOT EDIT.\n * ${title}\n */\n`;
    let rust = '';
    let auto = `#\n# Automatically generated file; DO NOT EDIT.\n# ${title}\n#\n`;
    for (const sym of written) {
      const name = `${prefix}${sym.name}`;
      const val = state.getStringValue(sym);
      const hexPrefix = sym.type === 'hex' && !(val[0] === '0' && (val[1] === 'x' || val[1] === 'X')) ? '0x' : '';
      if (sym.type === 'bool' || sym.type === 'tristate') {
        if (val[0] === 'n') continue;
        header += `#define ${name}${val[0] === 'm' ? '_MODULE' : ''} 1\n`;
        rust += `--cfg=${name}\n--cfg=${name}=${escapeString(val)}\n`;
      } else {
        header += `#define ${name} ${hexPrefix}${sym.type === 'string' ? escapeString(val) : val}\n`;
        rust += `--cfg=${name}=${escapeString(hexPrefix + val)}\n`;
      }
      // auto.conf: no "is not set" lines, strings as they are (not quoted).
      auto += `${name}=${val}\n`;
    }
    const headerName = abs(env['KCONFIG_AUTOHEADER'] ?? 'include/generated/autoconf.h');
    writeViaTemp(headerName, `${headerName}.tmp`, header);
    const rustName = abs(env['KCONFIG_RUSTCCFG'] ?? 'include/generated/rustc_cfg');
    writeViaTemp(rustName, `${rustName}.tmp`, rust);
    // Last: kbuild takes auto.conf as the sign that everything before it was written.
    writeViaTemp(abs(autoconfName), abs(`${autoconfName}.tmp`), auto);
    return true;
  } catch {
    return false;
  }
}

function writeViaTemp(target: string, tmp: string, text: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(tmp, text, 'latin1');
  fs.renameSync(tmp, target);
}

/**
 * conf_touch_deps(): reads the previous auto.conf (conf_read_simple into S_DEF_AUTO: a symbol no longer
 * defined is touched as it is read), then touches every written symbol whose value changed, and every
 * symbol that had a value and has none now.
 */
function touchDeps(state: KconfigState, order: readonly Sym[], autoconfPath: string, prefix: string): void {
  // conf's depfile_path: the folder auto.conf is in.
  const dir = path.dirname(autoconfPath);
  const touch = (name: string) => fs.closeSync(fs.openSync(path.join(dir, name), 'w', 0o644));
  const old = new Map<Sym, string>();
  let text: string | undefined;
  try {
    text = fs.readFileSync(autoconfPath, 'latin1');
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    for (const raw of text.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      let name: string;
      let val: string;
      if (line.startsWith('# ')) {
        const m = new RegExp(`^# ${escapeRe(prefix)}([^ ]*) is not set`).exec(line);
        if (!m) continue;
        name = m[1]!;
        val = 'n';
      } else if (line.startsWith(prefix)) {
        const eq = line.indexOf('=', prefix.length);
        if (eq < 0) continue;
        name = line.slice(prefix.length, eq);
        val = line.slice(eq + 1);
      } else continue;
      const sym = state.tree.byName.get(name);
      if (!sym || sym.isChoice) {
        if (!sym) touch(name);
        continue;
      }
      // conf_set_sym_val() for S_DEF_AUTO: an invalid value is skipped silently.
      const t = sym.type;
      if (t === 'tristate' || t === 'bool') {
        if (val[0] === 'm' && t === 'tristate') old.set(sym, 'm');
        else if (val[0] === 'y' || val[0] === 'n') old.set(sym, val[0]);
      } else if (t === 'string') old.set(sym, val);
      else if ((t === 'int' || t === 'hex') && state.stringValid(sym, val)) old.set(sym, val);
    }
  }
  state.calcValue(state.tree.modulesSym);
  for (const sym of order) {
    state.calcValue(sym);
    if (sym.isChoice || sym.name === null) continue;
    const before = old.get(sym);
    if (state.s(sym).flags & F_WRITE) {
      if (before !== undefined) {
        if (sym.type === 'bool' || sym.type === 'tristate') {
          if (state.getStringValue(sym)[0] === before) continue;
        } else if (sym.type === 'string' || sym.type === 'int' || sym.type === 'hex') {
          if (state.getStringValue(sym) === before) continue;
        }
      } else if ((sym.type === 'bool' || sym.type === 'tristate') && state.getTristate(sym) === NO) continue;
    } else if (before === undefined) continue;
    touch(sym.name);
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
