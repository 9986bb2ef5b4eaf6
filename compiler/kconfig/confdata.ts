import { diagnostic } from '../diagnostics/define.js';
import { closest } from '../diagnostics/suggest.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../diagnostics/span.js';
import { KconfigMessages as M } from './messages.js';
import type { MenuNode, Sym, Tri } from './model.js';
import { MOD, NO, YES, triOr } from './model.js';
import type { KconfigState } from './symbol.js';
import { F_DEF_USER, F_NEED_SET_CHOICE_VALUES, F_VALID, F_WRITE, F_WRITTEN } from './symbol.js';

/** One assignment of a .config file. */
export interface DotConfigEntry {
  name: string;
  /** 'y' | 'm' | 'n' for bool/tristate ("is not set" gives 'n'); the raw right-hand side otherwise (strings still quoted). */
  raw: string;
  notSet: boolean;
  line: number;
}

export interface DotConfig {
  file: string;
  entries: DotConfigEntry[];
  /** Lines that are neither assignments, "is not set" comments, other comments nor blank. */
  unexpected: { line: number; text: string }[];
  /** The symbol prefix the file was read with (CONFIG_). */
  prefix?: string;
}

const lineSpan = (file: string, line: number, text = ''): Span => ({
  file,
  start: { line, column: 1, offset: 0 },
  end: { line, column: text.length + 1, offset: 0 },
});

/** Splits a .config text into assignments (no symbol table needed). */
export function parseDotConfig(text: string, file = '.config', prefix = 'CONFIG_'): DotConfig {
  const entries: DotConfigEntry[] = [];
  const unexpected: DotConfig['unexpected'] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    let l = raw;
    if (l.endsWith('\r')) l = l.slice(0, -1);
    if (l[0] === '#') {
      if (!l.startsWith('# ' + prefix)) return;
      const rest = l.slice(2 + prefix.length);
      const sp = rest.indexOf(' ');
      if (sp < 0) return;
      if (!rest.slice(sp + 1).startsWith('is not set')) return;
      entries.push({ name: rest.slice(0, sp), raw: 'n', notSet: true, line });
    } else if (l.startsWith(prefix)) {
      const eq = l.indexOf('=', prefix.length);
      if (eq < 0) return;
      entries.push({ name: l.slice(prefix.length, eq), raw: l.slice(eq + 1), notSet: false, line });
    } else if (l !== '') unexpected.push({ line, text: l });
  });
  return { file, entries, unexpected, prefix };
}

function unquote(p: string): string | null {
  // Linux conf_set_sym_val(): strip the quotes, backslash escapes the next character.
  let out = '';
  for (let i = 1; i < p.length; i++) {
    const c = p[i]!;
    if (c === '"') return out;
    if (c === '\\') {
      i++;
      if (i < p.length) out += p[i];
      continue;
    }
    out += c;
  }
  return null;
}

/**
 * conf_read_simple(): loads user values into the state, resetting all earlier user values.
 * Returns diagnostics (Linux prints these as "file:line:warning: ...").
 */
export function loadUserValues(state: KconfigState, cfg: DotConfig, opts: { warnUnknown?: boolean } = {}): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const tree = state.tree;
  const warn = (def: typeof M.configOverride, msg: string, line: number): void => {
    diags.push(diagnostic(def, msg, lineSpan(cfg.file, line)));
  };
  for (const sym of tree.symbols) {
    if (sym === tree.symYes || sym === tree.symMod || sym === tree.symNo) continue;
    const x = state.s(sym);
    x.flags &= ~(F_DEF_USER | F_VALID);
    if (sym.isChoice) x.flags |= F_DEF_USER;
    x.defVal = null;
    x.defTri = NO;
    x.defChoice = null;
  }
  for (const u of cfg.unexpected) warn(M.configUnexpectedData, `unexpected data: ${u.text}`, u.line);
  for (const e of cfg.entries) {
    const sym = tree.byName.get(e.name);
    if (!sym || sym.isConst) {
      if (opts.warnUnknown) {
        warn(M.configUnknownSymbol, `unknown symbol: ${e.name}`, e.line);
        const near = closest(e.name, [...tree.byName.values()].filter((s) => !s.isConst && s.name).map((s) => s.name!));
        if (near) diags[diags.length - 1]!.help = `did you mean ${cfg.prefix ?? ''}${near}?`;
      }
      state.addChangeCount(1);
      continue;
    }
    const x = state.s(sym);
    if (x.flags & F_DEF_USER) warn(M.configOverride, `override: reassigning to symbol ${e.name}`, e.line);
    if (e.notSet) {
      if (sym.type === 'bool' || sym.type === 'tristate') {
        x.defTri = NO;
        x.flags |= F_DEF_USER;
      }
    } else {
      const p = e.raw;
      let ok = true;
      switch (sym.type) {
        case 'tristate':
        case 'bool':
          if (p[0] === 'm' && sym.type === 'tristate') x.defTri = MOD;
          else if (p[0] === 'y') x.defTri = YES;
          else if (p[0] === 'n') x.defTri = NO;
          else {
            warn(M.configInvalidValue, `symbol value '${p}' invalid for ${e.name}`, e.line);
            ok = false;
            break;
          }
          x.flags |= F_DEF_USER;
          break;
        case 'string': {
          if (p[0] !== '"') break;
          const v = unquote(p);
          if (v === null) {
            warn(M.configInvalidString, 'invalid string found', e.line);
            ok = false;
            break;
          }
          x.defVal = v;
          x.flags |= F_DEF_USER;
          break;
        }
        case 'int':
        case 'hex':
          if (state.stringValid(sym, p)) {
            x.defVal = p;
            x.flags |= F_DEF_USER;
          } else {
            warn(M.configInvalidValue, `symbol value '${p}' invalid for ${e.name}`, e.line);
            ok = false;
          }
          break;
        default:
          break;
      }
      if (!ok) continue;
    }
    if (sym.isChoiceValue) {
      const cs = sym.choice!;
      const c = state.s(cs);
      switch (x.defTri) {
        case NO:
          break;
        case MOD:
          if (c.defTri === YES) {
            warn(M.configChoiceState, `${e.name} creates inconsistent choice state`, e.line);
            c.flags &= ~F_DEF_USER;
          }
          break;
        case YES:
          if (c.defTri !== NO) warn(M.configChoiceState, `override: ${e.name} changes choice state`, e.line);
          c.defChoice = sym;
          break;
      }
      c.defTri = triOr(c.defTri, x.defTri);
    }
  }
  return diags;
}

/** conf_read() after conf_read_simple(): checks which values are unsaved and drops invalid ones. */
export function postRead(state: KconfigState): void {
  const tree = state.tree;
  state.resetChangeCount();
  state.calcValue(tree.modulesSym);
  let unsaved = 0;
  for (const sym of tree.symbols) {
    state.calcValue(sym);
    if (sym.isChoice || sym.noWrite || sym.isConst) continue;
    const x = state.s(sym);
    if (state.hasValue(sym) && x.flags & F_WRITE) {
      if (sym.type === 'bool' || sym.type === 'tristate') {
        if (x.defTri === state.getTristate(sym)) continue;
      } else if (x.currVal === (x.defVal ?? '')) continue;
    } else if (!state.hasValue(sym) && !(x.flags & F_WRITE)) continue;
    unsaved++;
  }
  for (const sym of tree.symbols) {
    if (sym.isConst) continue;
    if (state.hasValue(sym) && !sym.isChoiceValue) {
      const x = state.s(sym);
      if (x.visible === NO && !unsaved) x.flags &= ~F_DEF_USER;
      if (sym.type === 'string' || sym.type === 'int' || sym.type === 'hex') {
        if (!state.stringWithinRange(sym, x.defVal ?? '')) {
          x.flags &= ~(F_VALID | F_DEF_USER);
          unsaved++;
        }
      }
    }
  }
  state.addChangeCount(unsaved);
}

export type NewSymbolMode = 'no' | 'yes' | 'mod' | 'default';

/** conf.c conf_set_all_new_symbols() (without randconfig). */
export function setAllNewSymbols(state: KconfigState, mode: NewSymbolMode): void {
  const tree = state.tree;
  for (const sym of tree.symbols) {
    if (sym.isConst) continue;
    const x = state.s(sym);
    if (state.hasValue(sym) || x.flags & F_VALID) continue;
    const t = state.getType(sym);
    if (t !== 'bool' && t !== 'tristate') continue;
    if (mode === 'default') continue;
    x.defTri = mode === 'yes' ? YES : mode === 'mod' ? MOD : sym.allnoconfigY ? YES : NO;
    x.flags |= F_DEF_USER;
  }
  state.clearAllValid();
  for (const c of tree.symbols) {
    if ((c.isChoice && !state.hasValue(c)) || c.isChoiceValue) state.s(c).flags |= F_NEED_SET_CHOICE_VALUES;
  }
  for (const c of tree.symbols) {
    if (state.hasValue(c) || !c.isChoice) continue;
    state.calcValue(c);
    state.setAllChoiceValues(c);
  }
}

/** Depth-first walk of menu nodes in order (pre and post visits) with an explicit stack: menus nest deeply. */
export function walkMenus(nodes: readonly MenuNode[], enter: (m: MenuNode) => void, leave?: (m: MenuNode) => void): void {
  const stack: { list: readonly MenuNode[]; i: number; owner: MenuNode | null }[] = [{ list: nodes, i: 0, owner: null }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.i >= top.list.length) {
      stack.pop();
      if (top.owner && leave) leave(top.owner);
      continue;
    }
    const m = top.list[top.i++]!;
    enter(m);
    stack.push({ list: m.children, i: 0, owner: m });
  }
}

export function escapeString(v: string): string {
  return '"' + v.replace(/[\\"]/g, (m) => '\\' + m) + '"';
}

function prefixOf(state: KconfigState): string {
  return state.tree.env['CONFIG_'] ?? 'CONFIG_';
}

/** print_symbol_for_dotconfig() */
function symbolLine(state: KconfigState, sym: Sym, prefix: string): string {
  if (sym.type === 'unknown') return '';
  const val = state.getStringValue(sym);
  if ((sym.type === 'bool' || sym.type === 'tristate') && val[0] === 'n') return `# ${prefix}${sym.name} is not set\n`;
  return `${prefix}${sym.name}=${sym.type === 'string' ? escapeString(val) : val}\n`;
}

function rootPrompt(state: KconfigState): string {
  return state.tree.root.prompt?.text ?? 'Main menu';
}

/** conf_write(): the .config text. */
export function writeConfig(state: KconfigState): string {
  const prefix = prefixOf(state);
  let out = `#\n# Automatically generated file; DO NOT EDIT.\n# ${rootPrompt(state)}\n#\n`;
  let needNewline = false;
  const root = state.tree.root;
  const enter = (menu: MenuNode): void => {
    const sym = menu.sym;
    if (!sym) {
      if (state.menuIsVisible(menu)) {
        out += `\n#\n# ${menu.prompt!.text}\n#\n`;
        needNewline = false;
      }
    } else if (!sym.isChoice && !(state.s(sym).flags & F_WRITTEN)) {
      state.calcValue(sym);
      if (state.s(sym).flags & F_WRITE) {
        if (needNewline) {
          out += '\n';
          needNewline = false;
        }
        state.s(sym).flags |= F_WRITTEN;
        out += symbolLine(state, sym, prefix);
      }
    }
  };
  const leave = (menu: MenuNode): void => {
    // Linux prints "# end of" when climbing back out of a visible menu (so not for empty menus); 4.11 did not.
    if (state.compat === 'linux' && menu.children.length && !menu.sym && menu !== root && state.menuIsVisible(menu)) {
      out += `# end of ${menu.prompt!.text}\n`;
      needNewline = true;
    }
  };
  walkMenus(root.children, enter, leave);
  for (const s of state.tree.symbols) state.s(s).flags &= ~F_WRITTEN;
  return out;
}

/** conf_write_defconfig(): the minimal configuration (savedefconfig). */
export function writeDefconfig(state: KconfigState): string {
  const prefix = prefixOf(state);
  let out = '';
  state.clearAllValid();
  walkMenus(state.tree.root.children, (menu) => {
    const sym = menu.sym;
    if (sym && !sym.isChoice) out += defconfigEntry(state, sym, prefix);
  });
  return out;
}

function defconfigEntry(state: KconfigState, sym: Sym, prefix: string): string {
  state.calcValue(sym);
  const x = state.s(sym);
  if (!(x.flags & F_WRITE)) return '';
  x.flags &= ~F_WRITE;
  if (!state.isChangeable(sym)) return '';
  if (state.getStringValue(sym) === state.getStringDefault(sym)) return '';
  if (sym.isChoiceValue) {
    const cs = sym.choice!;
    const ds = state.choiceDefault(cs);
    if (!cs.optional && sym === ds && sym.type === 'bool' && state.getTristate(sym) === YES) return '';
  }
  return symbolLine(state, sym, prefix);
}

/** conf_write_autoconf()'s C header (include/generated/autoconf.h). */
export function writeHeader(state: KconfigState): string {
  const prefix = prefixOf(state);
  // conf_write_heading() with the C comment style (4.11 had extra blank comment lines).
  let out =
    state.compat === 'linux-4.11'
      ? `/*\n *\n * Automatically generated file; DO NOT EDIT.\n * ${rootPrompt(state)}\n *\n */\n`
      : `/*\n * Automatically generated file; DO NOT EDIT.\n * ${rootPrompt(state)}\n */\n`;
  const seen = new Set<Sym>();
  const visit = (menu: MenuNode): void => {
    const sym = menu.sym;
    if (sym && !seen.has(sym) && sym.name && !sym.isChoice) {
      seen.add(sym);
      state.calcValue(sym);
      if (state.s(sym).flags & F_WRITE) {
        const value = state.getStringValue(sym);
        switch (sym.type) {
          case 'bool':
          case 'tristate':
            if (value === 'y') out += `#define ${prefix}${sym.name} 1\n`;
            else if (value === 'm') out += `#define ${prefix}${sym.name}_MODULE 1\n`;
            break;
          case 'hex': {
            const pre = value[0] === '0' && (value[1] === 'x' || value[1] === 'X') ? '' : '0x';
            out += `#define ${prefix}${sym.name} ${pre}${value}\n`;
            break;
          }
          case 'string':
            out += `#define ${prefix}${sym.name} ${escapeString(value)}\n`;
            break;
          case 'int':
            out += `#define ${prefix}${sym.name} ${value}\n`;
            break;
          default:
            break;
        }
      }
    }
  };
  walkMenus(state.tree.root.children, visit);
  return out;
}

/** include/config/auto.conf (same lines as .config but without "is not set" and comments). */
export function writeAutoConf(state: KconfigState): string {
  const prefix = prefixOf(state);
  let out = `#\n# Automatically generated file; DO NOT EDIT.\n# ${rootPrompt(state)}\n#\n`;
  const seen = new Set<Sym>();
  const visit = (menu: MenuNode): void => {
    const sym = menu.sym;
    if (sym && !seen.has(sym) && sym.name && !sym.isChoice) {
      seen.add(sym);
      state.calcValue(sym);
      if (state.s(sym).flags & F_WRITE) {
        const line = symbolLine(state, sym, prefix);
        if (!line.startsWith('#')) out += line;
      }
    }
  };
  walkMenus(state.tree.root.children, visit);
  return out;
}

export type { Tri };
