import * as fs from 'node:fs';
import { GlibcRandom, linuxSymbolOrder, randconfigProbabilities, randconfigSeed, setAllNewSymbolsRandom } from './random.js';
import * as path from 'node:path';
import { diagnostic } from '../diagnostics/define.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { KconfigMessages as M } from './messages.js';
import { loadUserValues, parseDotConfig, postRead, setAllNewSymbols, writeAutoConf, writeConfig, writeDefconfig, writeHeader } from './confdata.js';
import { loadKconfig } from './index.js';
import type { KconfigTree } from './index.js';
import type { MenuNode, Sym, Tri } from './model.js';
import { MOD, NO, YES, exprToString } from './model.js';
import { F_DEF_USER, KconfigState } from './symbol.js';

export interface ConfIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Answers for the interactive modes: a stream (e.g. process.stdin), an async iterable of chunks, or a string. */
  stdin: AsyncIterable<string | Buffer> | string | null;
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against (default process.cwd()). */
  cwd?: string;
  /** True when answers come from a terminal (then the user's newline is not echoed). */
  stdinIsTTY?: boolean;
}

export type ConfMode =
  | 'oldaskconfig'
  | 'oldconfig'
  | 'syncconfig'
  | 'olddefconfig'
  | 'defconfig'
  | 'savedefconfig'
  | 'allnoconfig'
  | 'allyesconfig'
  | 'allmodconfig'
  | 'alldefconfig'
  | 'randconfig'
  | 'listnewconfig'
  | 'helpnewconfig';

const MODES: ConfMode[] = [
  'oldaskconfig', 'oldconfig', 'syncconfig', 'olddefconfig', 'defconfig', 'savedefconfig', 'allnoconfig', 'allyesconfig',
  'allmodconfig', 'alldefconfig', 'randconfig', 'listnewconfig', 'helpnewconfig',
];

const USAGE = `Usage: conf [-s] [option] <kconfig-file>
[option] is _one_ of the following:
  --listnewconfig         List new options
  --helpnewconfig         List new options and help text
  --oldaskconfig          Start a new configuration using a line-oriented program
  --oldconfig             Update a configuration using a provided .config as base
  --syncconfig            Similar to oldconfig but generates configuration in
                          include/{generated/,config/}
  --olddefconfig          Same as oldconfig but sets new symbols to their default value
  --defconfig <file>      New config with default defined in <file>
  --savedefconfig <file>  Save the minimal current configuration to <file>
  --allnoconfig           New config where all options are answered with no
  --allyesconfig          New config where all options are answered with yes
  --allmodconfig          New config where all options are answered with mod
  --alldefconfig          New config with all symbols set to default
  --randconfig            New config with random answer to all options
`;

/** Prints diagnostics the way Linux's kconfig tools do ("file:line:warning: message"). */
export function formatDiagnostic(d: Diagnostic): string {
  const loc = d.span ? `${d.span.file}:${d.span.start.line}:` : '';
  const sev = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'note';
  let s = `${loc}${sev}: ${d.message} [${d.code}]\n`;
  for (const n of d.notes) s += n.split('\n').map((l) => `  ${l}`).join('\n') + '\n';
  return s;
}

class LineReader {
  private buf = '';
  private done = false;
  private it: AsyncIterator<string | Buffer> | null;
  constructor(src: AsyncIterable<string | Buffer> | string | null) {
    if (typeof src === 'string') {
      this.buf = src;
      this.done = true;
      this.it = null;
    } else if (src === null) {
      this.done = true;
      this.it = null;
    } else this.it = src[Symbol.asyncIterator]();
  }
  eof = false;
  /** Stops reading (lets a terminal's stdin go, so the process can exit). */
  async close(): Promise<void> {
    if (this.it && !this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }
  /** The next line with its newline (like fgets), or null at end of input. */
  async readLine(): Promise<string | null> {
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl >= 0) {
        const l = this.buf.slice(0, nl + 1);
        this.buf = this.buf.slice(nl + 1);
        return l;
      }
      if (this.done) {
        if (this.buf.length) {
          const l = this.buf;
          this.buf = '';
          return l;
        }
        this.eof = true;
        return null;
      }
      const r = await this.it!.next();
      if (r.done) this.done = true;
      else this.buf += typeof r.value === 'string' ? r.value : r.value.toString('latin1');
    }
  }
}

export interface ConfOptions {
  mode: ConfMode;
  kconfig: string;
  /** Semantics to follow (default: current Linux; env HVCC_KCONFIG_COMPAT=linux-4.11 selects 4.11). */
  compat?: 'linux' | 'linux-4.11';
  /** --defconfig=FILE / --savedefconfig=FILE */
  file?: string;
  silent?: boolean;
}

/** `conf` as a function: parses argv like Linux's scripts/kconfig/conf and runs it. Returns the exit status. */
export async function runConf(argv: string[], io: ConfIO): Promise<number> {
  let mode: ConfMode = 'oldaskconfig';
  let file: string | undefined;
  let silent = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-s' || a === '--silent') {
      silent = true;
      continue;
    }
    if (a === '-h' || a === '--help') {
      io.stdout.write(USAGE);
      return 0;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const val = eq < 0 ? undefined : a.slice(eq + 1);
      const m = name === 'silentoldconfig' ? 'syncconfig' : name === 'oldnoconfig' ? 'olddefconfig' : name;
      if (!MODES.includes(m as ConfMode)) {
        io.stderr.write(formatDiagnostic(diagnostic(M.confUsage, `conf: unrecognized option '${a}'`)) + USAGE);
        return 1;
      }
      mode = m as ConfMode;
      if (mode === 'savedefconfig') {
        file = val ?? argv[++i];
        if (file === undefined) {
          io.stderr.write(formatDiagnostic(diagnostic(M.confUsage, "conf: option '--savedefconfig' requires an argument")) + USAGE);
          return 1;
        }
      } else if (mode === 'defconfig') file = val;
      else if (val !== undefined) {
        io.stderr.write(formatDiagnostic(diagnostic(M.confUsage, `conf: option '--${name}' doesn't allow an argument`)) + USAGE);
        return 1;
      }
      continue;
    }
    rest.push(a);
  }
  if (rest.length !== 1) {
    io.stderr.write(formatDiagnostic(diagnostic(M.confUsage, rest.length ? 'conf: too many arguments' : 'conf: no Kconfig file given')) + USAGE);
    return 1;
  }
  const opts: ConfOptions = { mode, kconfig: rest[0]!, silent };
  if (file !== undefined) opts.file = file;
  return conf(opts, io);
}

/** Runs one conf mode. */
export async function conf(opts: ConfOptions, io: ConfIO): Promise<number> {
  const env = io.env;
  const cwd = io.cwd ?? process.cwd();
  const abs = (p: string): string => path.resolve(cwd, p);
  const message = (m: string): void => {
    if (!opts.silent) io.stdout.write(`#\n# ${m}\n#\n`);
  };
  // conf seeds rand() while it reads its options, before it reads any Kconfig file (4.11 says so on stderr).
  let randSeed: number | undefined;
  if (opts.mode === 'randconfig') {
    randSeed = randconfigSeed(env);
    const line = `KCONFIG_SEED=0x${randSeed.toString(16).toUpperCase()}\n`;
    if ((opts.compat ?? (env['HVCC_KCONFIG_COMPAT'] === 'linux-4.11' ? 'linux-4.11' : 'linux')) === 'linux-4.11') io.stderr.write(line);
    else io.stdout.write(line);
  }
  const srctree = env['srctree'];
  const loaded = loadKconfig(opts.kconfig, { env, cwd, ...(srctree !== undefined ? { srctree } : {}) });
  let failed = false;
  for (const d of loaded.diagnostics) {
    if (d.code === 'HV6102') io.stdout.write(d.message + '\n');
    else io.stderr.write(formatDiagnostic(d));
    if (d.severity === 'error') failed = true;
  }
  if (failed) return 1;
  const tree = loaded.tree;
  const state = new KconfigState(tree);
  state.compat = opts.compat ?? (env['HVCC_KCONFIG_COMPAT'] === 'linux-4.11' ? 'linux-4.11' : 'linux');
  const prefix = env['CONFIG_'] ?? 'CONFIG_';
  const configName = env['KCONFIG_CONFIG'] ?? '.config';
  const printDiags = (ds: Diagnostic[]): void => {
    for (const d of ds) io.stderr.write(formatDiagnostic(d));
  };
  const readFileOpt = (name: string): string | undefined => {
    for (const c of path.isAbsolute(name) ? [name] : [abs(name), ...(srctree !== undefined ? [path.resolve(cwd, srctree, name)] : [])]) {
      try {
        return fs.readFileSync(c, 'latin1');
      } catch {
        /* try next */
      }
    }
    return undefined;
  };
  let werror = false;
  const readSimple = (name: string): boolean => {
    const text = readFileOpt(name);
    if (text === undefined) return false;
    const ds = loadUserValues(state, parseDotConfig(text, name, prefix), { warnUnknown: !!env['KCONFIG_WARN_UNKNOWN_SYMBOLS'] });
    printDiags(ds);
    if (ds.length && env['KCONFIG_WERROR']) werror = true;
    return true;
  };
  /** conf_read(NULL or name) */
  const confRead = (name: string | null): boolean => {
    let ok = false;
    if (name !== null) ok = readSimple(name);
    else {
      ok = readSimple(configName);
      if (!ok) {
        state.addChangeCount(1);
        const list = tree.defconfigList;
        if (list) {
          for (const p of list.props) {
            if (p.kind !== 'default' || state.exprCalc(p.visible) === NO || p.expr?.k !== 'sym') continue;
            state.calcValue(p.expr.sym);
            const n = expandDollarVars(p.expr.sym.name ?? '', state);
            if (readSimple(n)) {
              message(`using defaults found in ${n}`);
              ok = true;
              break;
            }
          }
        }
      }
    }
    if (!ok) {
      state.calcValue(tree.modulesSym);
      return false;
    }
    postRead(state);
    return true;
  };

  const mode = opts.mode;
  if (mode === 'syncconfig') {
    if (readFileOpt(configName) === undefined) {
      io.stderr.write(
        `***\n*** Configuration file "${configName}" not found!\n***\n*** Please run some configurator (e.g. "make oldconfig" or\n*** "make menuconfig" or "make xconfig").\n***\n`,
      );
      return 1;
    }
  }
  switch (mode) {
    case 'defconfig': {
      let name = opts.file;
      if (name === undefined) name = defaultConfName(tree, state, readFileOpt);
      if (!opts.silent) io.stdout.write(`*** Default configuration is based on '${name}'\n`);
      if (!confRead(name)) {
        io.stderr.write(`***\n*** Can't find default configuration "${name}"!\n***\n`);
        io.stderr.write(formatDiagnostic(diagnostic(M.configNotFound, `can't read ${name}`, fileSpan(name))));
        return 1;
      }
      break;
    }
    case 'savedefconfig':
    case 'syncconfig':
    case 'oldaskconfig':
    case 'oldconfig':
    case 'listnewconfig':
    case 'helpnewconfig':
    case 'olddefconfig':
      confRead(null);
      break;
    case 'allnoconfig':
    case 'allyesconfig':
    case 'allmodconfig':
    case 'alldefconfig':
    case 'randconfig': {
      const name = env['KCONFIG_ALLCONFIG'];
      if (name === undefined) break;
      if (name !== '' && name !== '1') {
        if (!readSimple(name)) {
          io.stderr.write(`*** Can't read seed configuration "${name}"!\n`);
          io.stderr.write(formatDiagnostic(diagnostic(M.configNotFound, `can't read ${name}`, fileSpan(name))));
          return 1;
        }
        break;
      }
      const n = mode === 'randconfig' ? 'allrandom.config' : mode.replace('config', '') + '.config';
      if (!readSimple(n) && !readSimple('all.config')) {
        io.stderr.write(`*** KCONFIG_ALLCONFIG set, but no "${n}" or "all.config" file found\n`);
        return 1;
      }
      break;
    }
  }
  if (werror) {
    io.stderr.write('\n*** KCONFIG_WERROR is set: warnings in the configuration are treated as errors.\n\n');
    return 1;
  }
  let noConfWrite = false;
  if (mode === 'syncconfig') {
    const v = env['KCONFIG_NOSILENTUPDATE'];
    if (v) {
      if (state.getChanged()) {
        io.stderr.write('\n*** The configuration requires explicit update.\n\n');
        return 1;
      }
      noConfWrite = true;
    }
  }
  const ui = new Interactive(state, io, mode);
  try {
  switch (mode) {
    case 'allnoconfig':
      setAllNewSymbols(state, 'no');
      break;
    case 'allyesconfig':
      setAllNewSymbols(state, 'yes');
      break;
    case 'allmodconfig':
      setAllNewSymbols(state, 'mod');
      break;
    case 'alldefconfig':
    case 'defconfig':
      setAllNewSymbols(state, 'default');
      break;
    case 'randconfig': {
      const p = randconfigProbabilities(env);
      if ('error' in p) {
        io.stderr.write(p.error + '\n');
        return 1;
      }
      const order = linuxSymbolOrder(tree.symbols, tree.symYes, tree.symMod, tree.symNo);
      const rand = new GlibcRandom(randSeed!);
      while (setAllNewSymbolsRandom(state, order, rand, p));
      break;
    }
    case 'oldaskconfig':
    case 'oldconfig':
    case 'listnewconfig':
    case 'helpnewconfig':
    case 'syncconfig':
      if (mode === 'oldaskconfig') {
        ui.rootEntry = tree.root;
        await ui.conf(tree.root);
        ui.mode = 'oldconfig';
      }
      do {
        ui.confCnt = 0;
        await ui.checkConf(tree.root);
      } while (ui.confCnt);
      break;
    default:
      break;
  }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    io.stderr.write(formatDiagnostic(diagnostic(M.tooDeep, `configuration too deeply nested for the ${mode} questions: ${e.message}`)));
    return 1;
  } finally {
    await ui.close();
  }
  printDiags(state.warnings.splice(0));

  if (mode === 'savedefconfig') {
    try {
      fs.writeFileSync(abs(opts.file!), writeDefconfig(state), 'latin1');
    } catch {
      io.stderr.write(`n*** Error while saving defconfig to: ${opts.file}\n\n`);
      io.stderr.write(formatDiagnostic(diagnostic(M.confWrite, `can't write ${opts.file}`, fileSpan(opts.file!))));
      return 1;
    }
    printDiags(state.warnings.splice(0));
    return 0;
  }
  if (mode === 'listnewconfig' || mode === 'helpnewconfig') return 0;
  if (!noConfWrite) {
    const text = writeConfig(state);
    const target = abs(configName);
    let old: string | undefined;
    try {
      old = fs.readFileSync(target, 'latin1');
    } catch {
      old = undefined;
    }
    if (old === text) message(`No change to configuration in '${configName}'`);
    else {
      try {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        // KCONFIG_OVERWRITECONFIG: write in place (keeps a symlinked .config), without a .old backup.
        if (old !== undefined && !env['KCONFIG_OVERWRITECONFIG']) fs.renameSync(target, target + '.old');
        fs.writeFileSync(target, text, 'latin1');
      } catch {
        io.stderr.write('\n*** Error during writing of the configuration.\n\n');
        io.stderr.write(formatDiagnostic(diagnostic(M.confWrite, `can't write ${configName}`, fileSpan(configName))));
        return 1;
      }
      message(`configuration written to ${configName}`);
    }
  }
  if (mode === 'syncconfig') {
    try {
      const autoconf = abs(env['KCONFIG_AUTOCONFIG'] ?? 'include/config/auto.conf');
      const header = abs(env['KCONFIG_AUTOHEADER'] ?? 'include/generated/autoconf.h');
      fs.mkdirSync(path.dirname(autoconf), { recursive: true });
      fs.mkdirSync(path.dirname(header), { recursive: true });
      fs.writeFileSync(autoconf, writeAutoConf(state), 'latin1');
      fs.writeFileSync(header, writeHeader(state), 'latin1');
    } catch {
      io.stderr.write('\n*** Error during sync of the configuration.\n\n');
      io.stderr.write(formatDiagnostic(diagnostic(M.confWrite, 'can\'t write auto.conf / autoconf.h')));
      return 1;
    }
  }
  printDiags(state.warnings.splice(0));
  return 0;
}

function fileSpan(file: string): import('../diagnostics/span.js').Span {
  return { file, start: { line: 0, column: 0, offset: 0 }, end: { line: 0, column: 0, offset: 0 } };
}

/** Linux 4.x conf_expand_value(): "$NAME" in a defconfig_list entry is the value of symbol NAME (its name if undefined). */
function expandDollarVars(s: string, state: KconfigState): string {
  return s.replace(/\$([A-Za-z0-9_]*)/g, (_m, n: string) => {
    const sym = state.tree.byName.get(n);
    if (!sym) return n;
    state.calcValue(sym);
    return state.getStringValue(sym);
  });
}

function defaultConfName(tree: KconfigTree, state: KconfigState, readFileOpt: (n: string) => string | undefined): string {
  const list = tree.defconfigList;
  if (list) {
    for (const p of list.props) {
      if (p.kind !== 'default' || state.exprCalc(p.visible) === NO || p.expr?.k !== 'sym') continue;
      const n = expandDollarVars(p.expr.sym.name ?? '', state);
      if (readFileOpt(n) !== undefined) return n;
    }
  }
  return expandDollarVars('arch/$ARCH/defconfig', state);
}

/** Text shown for "?" : help and symbol information (menu_get_ext_help + get_symbol_str). */
export function symbolHelp(state: KconfigState, menu: MenuNode): string {
  const sym = menu.sym;
  let out = '';
  const prefix = state.tree.env['CONFIG_'] ?? 'CONFIG_';
  if (menu.help !== null && menu.help !== undefined) {
    if (sym?.name) out += `${prefix}${sym.name}:\n\n`;
    out += menu.help + '\n';
  } else out += 'There is no help available for this option.\n';
  if (sym) out += symbolInfo(state, sym);
  return out;
}

export function symbolInfo(state: KconfigState, sym: Sym): string {
  const val = (s: Sym): string => {
    state.calcValue(s);
    return state.getStringValue(s);
  };
  let out = '';
  if (sym.name) out += `Symbol: ${sym.name} [=${val(sym)}]\n`;
  out += `Type  : ${sym.type}\n`;
  if (sym.type === 'int' || sym.type === 'hex') {
    const r = state.getRangeProp(sym);
    if (r) out += `Range : [${r.range![0].name} ${r.range![1].name}]\n`;
  }
  for (const m of sym.menus) {
    if (m.prompt) {
      out += `Defined at ${m.file}:${m.line}\n`;
      out += `  Prompt: ${m.prompt.text}\n`;
      if (m.dep) out += `  Depends on: ${exprToString(m.dep, val)}\n`;
      const loc: string[] = [];
      for (let p = m.parent; p && p.kind !== 'root'; p = p.parent) if (p.prompt?.text) loc.unshift(p.prompt.text);
      out += '  Location:\n';
      let ind = 4;
      out += `    -> ${state.tree.root.prompt?.text ?? 'Main menu'}\n`;
      for (const l of loc) {
        ind += 2;
        out += `${' '.repeat(ind)}-> ${l}\n`;
      }
      out += `${' '.repeat(ind + 2)}-> ${m.prompt.text}${sym.name ? ` (${sym.name} [=${val(sym)}])` : ''}\n`;
    } else out += `Defined at ${m.file}:${m.line}\n`;
  }
  const list = (label: string, e: typeof sym.revDep): void => {
    if (!e) return;
    const terms: string[] = [];
    const walk = (x: NonNullable<typeof e>): void => {
      if (x.k === 'or') {
        walk(x.l);
        walk(x.r);
      } else terms.push(`  - ${exprToString(x, val)}`);
    };
    walk(e);
    out += `${label}:\n${terms.join('\n')}\n`;
  };
  const targets = (kind: 'select' | 'imply'): string[] =>
    sym.props.filter((p) => p.kind === kind).map((p) => {
      const t = (p.expr as { k: 'sym'; sym: Sym }).sym;
      const cond = p.visible && !(p.visible.k === 'sym' && p.visible.sym === state.tree.symYes) ? ` if ${exprToString(p.visible, val)}` : '';
      return `${t.name} [=${val(t)}]${cond}`;
    });
  const sel = targets('select');
  if (sel.length) out += `Selects: ${sel.join(', ')}\n`;
  const imp = targets('imply');
  if (imp.length) out += `Implies: ${imp.join(', ')}\n`;
  if (!sym.isChoice) {
    list('Selected by', sym.revDep);
    list('Implied by', sym.implied);
  }
  return out;
}

/** The line-oriented questioner of conf.c (conf, check_conf, conf_sym, conf_string, conf_choice). */
class Interactive {
  rootEntry: MenuNode;
  confCnt = 0;
  private indent = 1;
  private readonly input: LineReader;
  private line = '';
  constructor(
    private readonly state: KconfigState,
    private readonly io: ConfIO,
    public mode: ConfMode,
  ) {
    this.rootEntry = state.tree.root;
    this.input = new LineReader(io.stdin);
    const stdin = io.stdin as { isTTY?: boolean } | null;
    this.tty = io.stdinIsTTY ?? (typeof stdin === 'object' && stdin !== null && stdin.isTTY === true);
  }
  private readonly tty: boolean;

  close(): Promise<void> {
    return this.input.close();
  }

  private out(s: string): void {
    this.io.stdout.write(s);
  }

  private async xfgets(): Promise<void> {
    const l = await this.input.readLine();
    if (l === null) this.io.stderr.write('\nError in reading or end of file.\n');
    else this.line = l;
    // Like conf, echo the end of line when the answers do not come from a terminal.
    if (!this.tty) this.out('\n');
  }

  private async askValue(sym: Sym, def: string): Promise<boolean> {
    const st = this.state;
    if (!st.hasValue(sym)) this.out('(NEW) ');
    this.line = '\n';
    if (!st.isChangeable(sym)) {
      this.out(`${def}\n`);
      this.line = '\n';
      return false;
    }
    if ((this.mode === 'oldconfig' || this.mode === 'syncconfig') && st.hasValue(sym)) {
      this.out(`${def}\n`);
      return false;
    }
    await this.xfgets();
    return true;
  }

  private printHelp(menu: MenuNode): void {
    this.out(`\n${symbolHelp(this.state, menu)}\n`);
  }

  private async confSym(menu: MenuNode): Promise<void> {
    const st = this.state;
    const sym = menu.sym!;
    for (let tries = 0; ; tries++) {
      this.out(`${' '.repeat(this.indent - 1)}${menu.prompt!.text} `);
      if (sym.name) this.out(`(${sym.name}) `);
      this.out('[');
      const oldval = st.getTristate(sym);
      this.out(oldval === NO ? 'N' : oldval === MOD ? 'M' : 'Y');
      if (oldval !== NO && st.tristateWithinRange(sym, NO)) this.out('/n');
      if (oldval !== MOD && st.tristateWithinRange(sym, MOD)) this.out('/m');
      if (oldval !== YES && st.tristateWithinRange(sym, YES)) this.out('/y');
      this.out('/?] ');
      if (!(await this.askValue(sym, st.getStringValue(sym)))) return;
      const l = this.line.trim();
      let newval: Tri;
      const c = l[0];
      if (c === 'n' || c === 'N') {
        newval = NO;
        if (!(l.length === 1 || l.slice(1) === 'o')) continue;
      } else if (c === 'm' || c === 'M') {
        newval = MOD;
        if (l.length !== 1) continue;
      } else if (c === 'y' || c === 'Y') {
        newval = YES;
        if (!(l.length === 1 || l.slice(1) === 'es')) continue;
      } else if (c === undefined) newval = oldval;
      else if (c === '?') {
        this.printHelp(menu);
        continue;
      } else {
        if (this.input.eof) return;
        continue;
      }
      if (st.setTristateValue(sym, newval)) return;
      this.printHelp(menu);
      if (this.input.eof && tries > 2) return;
    }
  }

  private async confString(menu: MenuNode): Promise<void> {
    const st = this.state;
    const sym = menu.sym!;
    for (let tries = 0; ; tries++) {
      this.out(`${' '.repeat(this.indent - 1)}${menu.prompt!.text} `);
      this.out(`(${sym.name}) `);
      let def: string | null = st.getStringValue(sym);
      this.out(`[${def}] `);
      if (!(await this.askValue(sym, def))) return;
      if (this.line === '\n' || this.line === '') {
        /* keep def */
      } else if (this.line === '?\n') {
        this.printHelp(menu);
        def = null;
      } else def = this.line.endsWith('\n') ? this.line.slice(0, -1) : this.line;
      if (def !== null && st.setStringValue(sym, def)) return;
      if (this.input.eof && tries > 2) return;
    }
  }

  private async confChoice(menu: MenuNode): Promise<boolean> {
    const st = this.state;
    const sym = menu.sym!;
    const isNew = !st.hasValue(sym);
    if (st.isChangeable(sym)) {
      await this.confSym(menu);
      st.calcValue(sym);
      const v = st.getTristate(sym);
      if (v === NO) return true;
      if (v === MOD) return false;
    } else {
      const v = st.getTristate(sym);
      if (v === NO) return true;
      if (v === MOD) {
        this.out(`${' '.repeat(this.indent - 1)}${menu.prompt?.text ?? ''}\n`);
        return false;
      }
    }
    for (let tries = 0; ; tries++) {
      this.out(`${' '.repeat(this.indent - 1)}${menu.prompt?.text ?? ''}\n`);
      const defSym = st.s(sym).currChoice;
      let cnt = 0;
      let def = 0;
      this.line = '';
      for (const child of menu.children) {
        if (!st.menuIsVisible(child)) continue;
        if (!child.sym) {
          this.out(`${' '.repeat(this.indent - 1)}* ${child.prompt?.text ?? ''}\n`);
          continue;
        }
        cnt++;
        if (child.sym === defSym) {
          def = cnt;
          this.out(`${' '.repeat(this.indent - 1)}>`);
        } else this.out(`${' '.repeat(this.indent)}`);
        this.out(` ${cnt}. ${child.prompt?.text ?? ''}`);
        if (child.sym.name) this.out(` (${child.sym.name})`);
        if (!st.hasValue(child.sym)) this.out(' (NEW)');
        this.out('\n');
      }
      this.out(`${' '.repeat(this.indent - 1)}choice`);
      if (cnt === 1) {
        this.out('[1]: 1\n');
      } else {
        this.out(`[1-${cnt}?]: `);
        if ((this.mode === 'oldconfig' || this.mode === 'syncconfig') && !isNew) {
          cnt = def;
          this.out(`${cnt}\n`);
        } else {
          await this.xfgets();
          const l = this.line.trim();
          this.line = l;
          if (l[0] === '?') {
            this.printHelp(menu);
            continue;
          }
          if (!l) cnt = def;
          else if (/^[0-9]/.test(l)) cnt = parseInt(l, 10);
          else {
            if (this.input.eof && tries > 2) return true;
            continue;
          }
        }
      }
      let chosen: MenuNode | null = null;
      for (const child of menu.children) {
        if (!child.sym || !st.menuIsVisible(child)) continue;
        if (!--cnt) {
          chosen = child;
          break;
        }
      }
      if (!chosen) {
        if (this.input.eof && tries > 2) return true;
        continue;
      }
      if (this.line && this.line.endsWith('?')) {
        this.printHelp(chosen);
        continue;
      }
      st.setTristateValue(chosen.sym!, YES);
      for (const child of chosen.children) {
        this.indent += 2;
        await this.conf(child);
        this.indent -= 2;
      }
      return true;
    }
  }

  /** conf(): asks about menu and everything below it (iteratively: menus nest as deep as dependency chains). */
  async conf(root: MenuNode): Promise<void> {
    const st = this.state;
    const stack: (MenuNode | 'dedent')[] = [root];
    while (stack.length) {
      const menu = stack.pop()!;
      if (menu === 'dedent') {
        this.indent -= 2;
        continue;
      }
      if (!st.menuIsVisible(menu)) continue;
      const sym = menu.sym;
      const prop = menu.prompt;
      if (prop) {
        // Current Linux shows only menus with new symbols outside oldaskconfig; 4.11 did so only for syncconfig.
        const skip = st.compat === 'linux-4.11' ? this.mode === 'syncconfig' || this.mode === 'listnewconfig' : this.mode !== 'oldaskconfig';
        if (prop.kind === 'menu' && skip && this.rootEntry !== menu) {
          await this.checkConf(menu);
          continue;
        }
        if (prop.kind === 'menu' || prop.kind === 'comment') {
          const ind = ' '.repeat(this.indent - 1);
          this.out(`${ind}*\n${ind}* ${prop.text}\n${ind}*\n`);
        }
      }
      if (sym) {
        if (sym.isChoice) {
          await this.confChoice(menu);
          if (st.getTristate(sym) !== MOD) continue;
        } else if (sym.type === 'int' || sym.type === 'hex' || sym.type === 'string') await this.confString(menu);
        else await this.confSym(menu);
        this.indent += 2;
        stack.push('dedent');
      }
      for (let i = menu.children.length - 1; i >= 0; i--) stack.push(menu.children[i]!);
    }
  }

  /** check_conf(): finds symbols without a value and asks about their menus (iteratively). */
  async checkConf(root: MenuNode): Promise<void> {
    const st = this.state;
    const stack: MenuNode[] = [root];
    while (stack.length) {
      const menu = stack.pop()!;
      if (!st.menuIsVisible(menu)) continue;
      const sym = menu.sym;
      if (sym && !st.hasValue(sym) && (st.isChangeable(sym) || (sym.isChoice && st.getTristate(sym) === YES))) {
        if (this.mode === 'listnewconfig' || this.mode === 'helpnewconfig') {
          if (sym.name && !(st.compat === 'linux-4.11' && sym.isChoiceValue)) {
            const prefix = st.tree.env['CONFIG_'] ?? 'CONFIG_';
            const v = st.getStringValue(sym);
            const shown = sym.type === 'string' ? `"${v.replace(/[\\"]/g, (m) => '\\' + m)}"` : v;
            this.out(st.compat === 'linux-4.11' ? `${prefix}${sym.name}\n` : `${prefix}${sym.name}=${shown}\n`);
            if (this.mode === 'helpnewconfig') this.out(`${symbolHelp(st, menu)}\n`);
          }
        } else {
          if (!this.confCnt++) this.out('*\n* Restart config...\n*\n');
          this.rootEntry = parentMenu(menu, st.tree.root);
          await this.conf(this.rootEntry);
        }
      }
      for (let i = menu.children.length - 1; i >= 0; i--) stack.push(menu.children[i]!);
    }
  }
}

function parentMenu(menu: MenuNode, root: MenuNode): MenuNode {
  let m: MenuNode | null = menu;
  for (; m && m !== root; m = m.parent) if (m.prompt?.kind === 'menu') break;
  return m ?? root;
}

// ---- user commands (hvcc config / oldconfig / defconfig / savedefconfig) ------------------------------------------------

export interface UserCommandOptions {
  /** Root Kconfig file. */
  kconfig: string;
  io: ConfIO;
  silent?: boolean;
}

/** `hvcc config`: asks every question (conf --oldaskconfig). */
export function configCommand(o: UserCommandOptions): Promise<number> {
  return conf({ mode: 'oldaskconfig', kconfig: o.kconfig, silent: !!o.silent }, o.io);
}
/** `hvcc oldconfig`: asks only about new symbols (conf --oldconfig). */
export function oldconfigCommand(o: UserCommandOptions): Promise<number> {
  return conf({ mode: 'oldconfig', kconfig: o.kconfig, silent: !!o.silent }, o.io);
}
/** `hvcc olddefconfig`: new symbols get their defaults. */
export function olddefconfigCommand(o: UserCommandOptions): Promise<number> {
  return conf({ mode: 'olddefconfig', kconfig: o.kconfig, silent: !!o.silent }, o.io);
}
/** `hvcc defconfig [FILE]`: .config from a (minimal) defconfig file. */
export function defconfigCommand(o: UserCommandOptions & { file?: string }): Promise<number> {
  return conf({ mode: 'defconfig', kconfig: o.kconfig, silent: !!o.silent, ...(o.file !== undefined ? { file: o.file } : {}) }, o.io);
}
/** `hvcc savedefconfig [FILE]`: minimal defconfig from .config (FILE defaults to "defconfig"). */
export function savedefconfigCommand(o: UserCommandOptions & { file?: string }): Promise<number> {
  return conf({ mode: 'savedefconfig', kconfig: o.kconfig, silent: !!o.silent, file: o.file ?? 'defconfig' }, o.io);
}

export { F_DEF_USER };
