import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadUserValues, parseDotConfig, postRead, writeConfig } from './confdata.js';
import { formatDiagnostic, symbolHelp, symbolInfo } from './conf-cli.js';
import { loadKconfig } from './index.js';
import type { MenuNode, Sym, Tri } from './model.js';
import { MOD, NO, YES } from './model.js';
import { KconfigState } from './symbol.js';

/**
 * `hvcc menuconfig`: a full-screen terminal UI in the manner of Linux's mconf — menus, toggles, value entry,
 * choices, help with symbol information, search with jump-to, save. The UI core (`MenuconfigUI`) is pure: keys in,
 * screen lines out; `runMenuconfig` drives it on a raw-mode terminal.
 */

interface Item {
  menu: MenuNode;
  depth: number;
}

type Mode =
  | { kind: 'menu' }
  | { kind: 'help'; title: string; lines: string[]; top: number; back: Mode }
  | { kind: 'input'; label: string; value: string; sym: Sym }
  | { kind: 'search-input'; value: string }
  | { kind: 'search-results'; query: string; results: Sym[]; sel: number; top: number }
  | { kind: 'confirm-exit' };

interface Frame {
  menu: MenuNode;
  sel: number;
  top: number;
}

export class MenuconfigUI {
  private stack: Frame[];
  private mode: Mode = { kind: 'menu' };
  private message = '';
  dirty = false;
  /** Set when the UI wants to exit: 'save' or 'discard'. */
  done: 'save' | 'discard' | null = null;

  constructor(
    readonly state: KconfigState,
    public cols = 80,
    public rows = 24,
    private readonly configName = '.config',
  ) {
    this.stack = [{ menu: state.tree.root, sel: 0, top: 0 }];
  }

  private get frame(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  /** Entries shown for a menu: visible children, symbols' dependents inline (mconf's build_conf, simplified). */
  items(menu: MenuNode): Item[] {
    const st = this.state;
    const out: Item[] = [];
    // Iterative pre-order walk: dependents nest as deep as dependency chains go.
    const stack: Item[] = [];
    const pushChildren = (m: MenuNode, depth: number): void => {
      for (let i = m.children.length - 1; i >= 0; i--) stack.push({ menu: m.children[i]!, depth });
    };
    pushChildren(menu, 0);
    while (stack.length) {
      const { menu: c, depth } = stack.pop()!;
      if (!st.menuIsVisible(c)) {
        // Invisible symbols may still have visible dependents (mconf shows those).
        if (c.sym && !c.sym.isChoice && c.children.length && c.prompt?.kind !== 'menu') pushChildren(c, depth);
        continue;
      }
      out.push({ menu: c, depth });
      if (!this.isSubmenu(c) && c.children.length) pushChildren(c, depth + 1);
    }
    return out;
  }

  private isSubmenu(m: MenuNode): boolean {
    if (m.sym?.isChoice) return true;
    return m.prompt?.kind === 'menu' && m !== this.state.tree.root;
  }

  private symLabel(m: MenuNode): string {
    const st = this.state;
    const sym = m.sym;
    const text = m.prompt?.text ?? '';
    if (!sym) {
      if (m.prompt?.kind === 'comment') return `    *** ${text} ***`;
      return `    ${text}  --->`;
    }
    st.calcValue(sym);
    if (sym.isChoice) {
      const sel = st.s(sym).currChoice;
      const selText = sel?.menus.find((x) => x.prompt)?.prompt?.text;
      const mode = st.getTristate(sym);
      if (sym.type === 'tristate' && st.modulesVal !== NO) {
        const box = mode === YES ? '<*>' : mode === MOD ? '<M>' : '< >';
        return `${box} ${text}${mode === YES && selText ? ` (${selText})` : ''}  --->`;
      }
      return `    ${text}${selText ? ` (${selText})` : ''}  --->`;
    }
    const type = st.getType(sym);
    const v = st.getTristate(sym);
    const changeable = st.isChangeable(sym);
    let box: string;
    if (sym.isChoiceValue && st.getTristate(sym.choice!) === YES) box = v === YES ? '(X)' : '( )';
    else if (type === 'bool') box = changeable ? (v === YES ? '[*]' : '[ ]') : v === YES ? '-*-' : '---';
    else if (type === 'tristate') box = changeable ? (v === YES ? '<*>' : v === MOD ? '<M>' : '< >') : v === YES ? '-*-' : v === MOD ? '-M-' : '---';
    else box = `(${st.getStringValue(sym)})`;
    const suffix = this.isSubmenu(m) ? '  --->' : '';
    const isNew = !st.hasValue(sym) && changeable ? ' (NEW)' : '';
    return `${box} ${text}${isNew}${suffix}`;
  }

  private breadcrumb(): string {
    return this.stack
      .map((f) => f.menu.prompt?.text ?? '')
      .filter(Boolean)
      .join(' → ');
  }

  /** The screen, one string per row (no escape sequences). */
  render(): string[] {
    const W = this.cols;
    const H = this.rows;
    const fit = (s: string): string => (s.length > W ? s.slice(0, W - 1) + '…' : s.padEnd(W));
    const lines: string[] = [];
    const title = `${this.configName} - ${this.state.tree.root.prompt?.text ?? 'Main menu'}${this.dirty ? ' [modified]' : ''}`;
    lines.push(fit(title));
    lines.push(fit(this.breadcrumb()));
    lines.push(fit('─'.repeat(W)));
    const bodyH = H - 6;
    const mode = this.mode;
    if (mode.kind === 'help') {
      lines[1] = fit(mode.title);
      const view = mode.lines.slice(mode.top, mode.top + bodyH);
      for (let i = 0; i < bodyH; i++) lines.push(fit(view[i] ?? ''));
      lines.push(fit('─'.repeat(W)));
      lines.push(fit(`↑↓ PgUp PgDn scroll   Esc/q/Enter: close   (${mode.top + 1}-${Math.min(mode.top + bodyH, mode.lines.length)}/${mode.lines.length})`));
      lines.push(fit(this.message));
      return lines;
    }
    if (mode.kind === 'search-results') {
      lines[1] = fit(`Search results for "${mode.query}" (${mode.results.length})`);
      const top = mode.top;
      for (let i = 0; i < bodyH; i++) {
        const s = mode.results[top + i];
        if (!s) {
          lines.push(fit(''));
          continue;
        }
        const loc = s.menus.find((m) => m.prompt) ?? s.menus[0];
        const where = loc ? `${loc.file}:${loc.line}` : '';
        const val = this.state.getStringValue(s);
        const row = `${top + i === mode.sel ? '>' : ' '} ${s.name} [=${val}]  ${loc?.prompt?.text ?? '(no prompt)'}  ${where}`;
        lines.push(fit(row));
      }
      lines.push(fit('─'.repeat(W)));
      lines.push(fit('↑↓ select   Enter: jump to it   ?: symbol info   Esc: back'));
      lines.push(fit(this.message));
      return lines;
    }
    const items = this.items(this.frame.menu);
    const f = this.frame;
    if (f.sel >= items.length) f.sel = Math.max(0, items.length - 1);
    if (f.sel < f.top) f.top = f.sel;
    if (f.sel >= f.top + bodyH) f.top = f.sel - bodyH + 1;
    for (let i = 0; i < bodyH; i++) {
      const it = items[f.top + i];
      if (!it) {
        lines.push(fit(''));
        continue;
      }
      const mark = f.top + i === f.sel ? '>' : ' ';
      lines.push(fit(`${mark} ${'  '.repeat(it.depth)}${this.symLabel(it.menu)}`));
    }
    if (!items.length) lines[3] = fit('  (this menu is empty)');
    lines.push(fit('─'.repeat(W)));
    if (mode.kind === 'input') lines.push(fit(`${mode.label}: ${mode.value}█`));
    else if (mode.kind === 'search-input') lines.push(fit(`Search (symbol name, regular expression): ${mode.value}█`));
    else if (mode.kind === 'confirm-exit') lines.push(fit('Save the configuration? (y)es / (n)o / Esc: continue'));
    else lines.push(fit('↑↓ move  Enter: open/edit  Space: toggle  y/m/n  ?: help  /: search  Esc/←: back  S: save  Q: quit'));
    lines.push(fit(this.message));
    return lines;
  }

  private setTri(sym: Sym, v: Tri): void {
    if (this.state.setTristateValue(sym, v)) this.dirty = true;
    else this.message = `${sym.name ?? 'choice'} cannot be set to ${v === YES ? 'y' : v === MOD ? 'm' : 'n'}`;
  }

  private toggle(sym: Sym): void {
    const st = this.state;
    // sym_toggle_tristate_value(): next allowed value in n → m → y → n.
    const old = st.getTristate(sym);
    let v = old;
    do {
      v = ((v + 1) % 3) as Tri;
      if (st.setTristateValue(sym, v)) {
        this.dirty = true;
        return;
      }
    } while (v !== old);
    this.message = `${sym.name ?? 'choice'} cannot be changed (${st.s(sym).revDepTri !== NO ? 'selected by another symbol' : 'not visible'})`;
  }

  private enter(it: Item): void {
    const m = it.menu;
    const sym = m.sym;
    if (this.isSubmenu(m)) {
      this.stack.push({ menu: m, sel: 0, top: 0 });
      return;
    }
    if (!sym) return;
    const t = sym.type;
    if (t === 'int' || t === 'hex' || t === 'string') {
      if (!this.state.isChangeable(sym) && this.state.s(sym).visible === NO) return;
      this.mode = { kind: 'input', label: `${m.prompt?.text ?? sym.name} (${sym.name})`, value: this.state.getStringValue(sym), sym };
      return;
    }
    if (sym.isChoiceValue) {
      this.setTri(sym, YES);
      return;
    }
    this.toggle(sym);
  }

  private openHelp(m: MenuNode): void {
    const text = symbolHelp(this.state, m);
    this.mode = { kind: 'help', title: `Help: ${m.prompt?.text ?? m.sym?.name ?? ''}`, lines: wrap(text, this.cols), top: 0, back: { kind: 'menu' } };
  }

  private search(q: string): void {
    let re: RegExp;
    try {
      re = new RegExp(q, 'i');
    } catch {
      re = new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    }
    const results = this.state.tree.symbols.filter((s) => s.name && !s.isConst && s.type !== 'unknown' && re.test(s.name)).sort((a, b) => (a.name! < b.name! ? -1 : 1));
    this.mode = { kind: 'search-results', query: q, results, sel: 0, top: 0 };
  }

  /** Shows the menu containing sym's first prompted definition, with it selected. */
  private jumpTo(sym: Sym): boolean {
    const node = sym.menus.find((m) => m.prompt) ?? sym.menus[0];
    if (!node) return false;
    const chain: MenuNode[] = [];
    let p = node.parent;
    while (p && p !== this.state.tree.root) {
      if (this.isSubmenu(p)) chain.unshift(p);
      p = p.parent;
    }
    this.stack = [{ menu: this.state.tree.root, sel: 0, top: 0 }, ...chain.map((menu) => ({ menu, sel: 0, top: 0 }))];
    const idx = this.items(this.frame.menu).findIndex((i) => i.menu === node);
    if (idx < 0) {
      this.message = `${sym.name} is not visible (see its dependencies with ?)`;
      return false;
    }
    this.frame.sel = idx;
    return true;
  }

  /** Handles one key: printable characters, or names 'up' 'down' 'left' 'right' 'enter' 'esc' 'backspace' 'pgup' 'pgdn' 'home' 'end' 'tab'. */
  key(k: string): void {
    const mode = this.mode;
    const bodyH = this.rows - 6;
    this.message = '';
    switch (mode.kind) {
      case 'help': {
        const max = Math.max(0, mode.lines.length - bodyH);
        if (k === 'up') mode.top = Math.max(0, mode.top - 1);
        else if (k === 'down') mode.top = Math.min(max, mode.top + 1);
        else if (k === 'pgup') mode.top = Math.max(0, mode.top - bodyH);
        else if (k === 'pgdn' || k === ' ') mode.top = Math.min(max, mode.top + bodyH);
        else if (k === 'esc' || k === 'q' || k === 'enter' || k === 'left' || k === '?') this.mode = mode.back;
        return;
      }
      case 'input': {
        if (k === 'enter') {
          if (this.state.setStringValue(mode.sym, mode.value)) {
            this.dirty = true;
            this.mode = { kind: 'menu' };
          } else this.message = `invalid value for ${mode.sym.name} (${mode.sym.type}${rangeText(this.state, mode.sym)})`;
        } else if (k === 'esc') this.mode = { kind: 'menu' };
        else if (k === 'backspace') mode.value = mode.value.slice(0, -1);
        else if (k.length === 1 && k >= ' ') mode.value += k;
        return;
      }
      case 'search-input': {
        if (k === 'enter') this.search(mode.value);
        else if (k === 'esc') this.mode = { kind: 'menu' };
        else if (k === 'backspace') mode.value = mode.value.slice(0, -1);
        else if (k.length === 1 && k >= ' ') mode.value += k;
        return;
      }
      case 'search-results': {
        const n = mode.results.length;
        if (k === 'up') mode.sel = Math.max(0, mode.sel - 1);
        else if (k === 'down') mode.sel = Math.min(n - 1, mode.sel + 1);
        else if (k === 'pgdn') mode.sel = Math.min(n - 1, mode.sel + bodyH);
        else if (k === 'pgup') mode.sel = Math.max(0, mode.sel - bodyH);
        else if (k === 'esc' || k === 'left') this.mode = { kind: 'menu' };
        else if (k === '?' && n) {
          const s = mode.results[mode.sel]!;
          this.mode = { kind: 'help', title: `Symbol ${s.name}`, lines: wrap(symbolInfo(this.state, s), this.cols), top: 0, back: mode };
        } else if (k === 'enter' && n) {
          const s = mode.results[mode.sel]!;
          this.mode = { kind: 'menu' };
          this.jumpTo(s);
        }
        if (mode.sel < mode.top) mode.top = mode.sel;
        if (mode.sel >= mode.top + bodyH) mode.top = mode.sel - bodyH + 1;
        return;
      }
      case 'confirm-exit': {
        if (k === 'y' || k === 'Y') this.done = 'save';
        else if (k === 'n' || k === 'N') this.done = 'discard';
        else if (k === 'esc') this.mode = { kind: 'menu' };
        return;
      }
      default:
        break;
    }
    const items = this.items(this.frame.menu);
    const f = this.frame;
    const it = items[f.sel];
    switch (k) {
      case 'up':
        f.sel = Math.max(0, f.sel - 1);
        break;
      case 'down':
        f.sel = Math.min(items.length - 1, f.sel + 1);
        break;
      case 'pgup':
        f.sel = Math.max(0, f.sel - (this.rows - 6));
        break;
      case 'pgdn':
        f.sel = Math.min(items.length - 1, f.sel + (this.rows - 6));
        break;
      case 'home':
        f.sel = 0;
        break;
      case 'end':
        f.sel = Math.max(0, items.length - 1);
        break;
      case 'enter':
      case 'right':
        if (it) this.enter(it);
        break;
      case ' ':
        if (it?.menu.sym && !it.menu.sym.isChoice) {
          const t = it.menu.sym.type;
          if (t === 'bool' || t === 'tristate') {
            if (it.menu.sym.isChoiceValue) this.setTri(it.menu.sym, YES);
            else this.toggle(it.menu.sym);
          } else this.enter(it);
        } else if (it?.menu.sym?.isChoice) this.toggle(it.menu.sym);
        else if (it) this.enter(it);
        break;
      case 'y':
      case 'Y':
      case 'n':
      case 'N':
      case 'm':
      case 'M':
        if (it?.menu.sym && (it.menu.sym.type === 'bool' || it.menu.sym.type === 'tristate'))
          this.setTri(it.menu.sym, (k.toLowerCase() === 'y' ? YES : k.toLowerCase() === 'm' ? MOD : NO) as Tri);
        break;
      case '?':
      case 'h':
        if (it) this.openHelp(it.menu);
        break;
      case '/':
        this.mode = { kind: 'search-input', value: '' };
        break;
      case 'S':
      case 's':
        this.done = null;
        this.message = 'save';
        break;
      case 'esc':
      case 'left':
      case 'backspace':
        if (this.stack.length > 1) this.stack.pop();
        else if (k === 'esc') this.quit();
        break;
      case 'q':
      case 'Q':
        this.quit();
        break;
      default:
        break;
    }
  }

  private quit(): void {
    if (this.dirty) this.mode = { kind: 'confirm-exit' };
    else this.done = 'discard';
  }

  /** True after the S key: the driver saves and calls saved(). */
  wantsSave(): boolean {
    return this.message === 'save';
  }
  saved(name: string): void {
    this.dirty = false;
    this.message = `Configuration saved to ${name}`;
  }
}

function rangeText(st: KconfigState, sym: Sym): string {
  const p = st.getRangeProp(sym);
  if (!p) return '';
  st.calcValue(p.range![0]);
  st.calcValue(p.range![1]);
  return `, range ${st.getStringValue(p.range![0])}..${st.getStringValue(p.range![1])}`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let l = line;
    while (l.length > width - 1) {
      let cut = l.lastIndexOf(' ', width - 1);
      if (cut <= 0) cut = width - 1;
      out.push(l.slice(0, cut));
      l = '  ' + l.slice(cut).trimStart();
    }
    out.push(l);
  }
  return out;
}

/** Splits raw terminal input into key names. */
export function parseKeys(data: string): string[] {
  const keys: string[] = [];
  const seqs: [string, string][] = [
    ['\x1b[A', 'up'], ['\x1b[B', 'down'], ['\x1b[C', 'right'], ['\x1b[D', 'left'], ['\x1bOA', 'up'], ['\x1bOB', 'down'],
    ['\x1bOC', 'right'], ['\x1bOD', 'left'], ['\x1b[5~', 'pgup'], ['\x1b[6~', 'pgdn'], ['\x1b[H', 'home'], ['\x1b[F', 'end'],
    ['\x1b[1~', 'home'], ['\x1b[4~', 'end'], ['\x1bOH', 'home'], ['\x1bOF', 'end'],
  ];
  let i = 0;
  outer: while (i < data.length) {
    for (const [s, name] of seqs) {
      if (data.startsWith(s, i)) {
        keys.push(name);
        i += s.length;
        continue outer;
      }
    }
    const c = data[i]!;
    i++;
    if (c === '\x1b') {
      // Unknown escape sequence: skip "[..." up to its final byte; a lone ESC is the Escape key.
      if (data[i] === '[' || data[i] === 'O') {
        i++;
        while (i < data.length && !/[A-Za-z~]/.test(data[i]!)) i++;
        i++;
      } else keys.push('esc');
    } else if (c === '\r' || c === '\n') keys.push('enter');
    else if (c === '\x7f' || c === '\b') keys.push('backspace');
    else if (c === '\t') keys.push('tab');
    else if (c === '\x03') keys.push('ctrl-c');
    else keys.push(c);
  }
  return keys;
}

export interface MenuconfigIO {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  stderr: { write(s: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

/** `hvcc menuconfig`: runs the UI on a terminal until the user quits. Returns the exit status. */
export async function runMenuconfig(kconfig: string, io: MenuconfigIO): Promise<number> {
  const env = io.env;
  const cwd = io.cwd ?? process.cwd();
  const srctree = env['srctree'];
  const loaded = loadKconfig(kconfig, { env, cwd, ...(srctree !== undefined ? { srctree } : {}) });
  let failed = false;
  for (const d of loaded.diagnostics) {
    if (d.severity === 'error') failed = true;
    if (d.severity !== 'note') io.stderr.write(formatDiagnostic(d));
  }
  if (failed) return 1;
  const state = new KconfigState(loaded.tree);
  if (env['HVCC_KCONFIG_COMPAT'] === 'linux-4.11') state.compat = 'linux-4.11';
  const configName = env['KCONFIG_CONFIG'] ?? '.config';
  const target = path.resolve(cwd, configName);
  let text: string | undefined;
  try {
    text = fs.readFileSync(target, 'latin1');
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    for (const d of loadUserValues(state, parseDotConfig(text, configName, env['CONFIG_'] ?? 'CONFIG_'))) io.stderr.write(formatDiagnostic(d));
    postRead(state);
  } else state.calcValue(loaded.tree.modulesSym);
  state.calcAll();

  const out = io.output;
  const ui = new MenuconfigUI(state, out.columns || 80, out.rows || 24, configName);
  const save = (): void => {
    const data = writeConfig(state);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (fs.existsSync(target)) fs.renameSync(target, target + '.old');
    fs.writeFileSync(target, data, 'latin1');
    ui.saved(configName);
  };
  const draw = (): void => {
    ui.cols = out.columns || 80;
    ui.rows = out.rows || 24;
    const lines = ui.render();
    let s = '\x1b[H';
    lines.forEach((l, i) => {
      const inverse = i === 0 || /^> /.test(l);
      s += `\x1b[${i + 1};1H${inverse ? '\x1b[7m' : ''}${l}\x1b[0m`;
    });
    out.write(s);
  };
  out.write('\x1b[?1049h\x1b[?25l\x1b[2J');
  const input = io.input;
  const wasRaw = input.isRaw;
  if (input.isTTY) input.setRawMode(true);
  input.setEncoding('latin1');
  input.resume();
  const onResize = (): void => draw();
  out.on('resize', onResize);
  draw();
  const result = await new Promise<number>((resolveDone) => {
    const onData = (data: string): void => {
      for (const k of parseKeys(data)) {
        if (k === 'ctrl-c') {
          cleanup();
          resolveDone(130);
          return;
        }
        ui.key(k);
        if (ui.wantsSave()) save();
        if (ui.done) {
          if (ui.done === 'save') save();
          cleanup();
          resolveDone(0);
          return;
        }
      }
      draw();
    };
    const cleanup = (): void => {
      input.off('data', onData);
      out.off('resize', onResize);
      if (input.isTTY) input.setRawMode(wasRaw);
      input.pause();
      out.write('\x1b[?25h\x1b[?1049l');
    };
    input.on('data', onData);
  });
  if (ui.done === 'save') io.stderr.write(`\n*** End of the configuration.\n*** Configuration saved to ${configName}.\n\n`);
  return result;
}
