import * as fs from 'node:fs';
import { GlibcRandom, linuxSymbolOrder, randconfigProbabilities, randconfigSeed, setAllNewSymbolsRandom } from './random.js';
import * as path from 'node:path';
import { diagnostic } from '../diagnostics/define.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { KconfigMessages as M } from './messages.js';
import { loadUserValues, parseDotConfig, postRead, setAllNewSymbols, writeAutoConf, writeConfig, writeDefconfig, writeHeader } from './confdata.js';
import { loadKconfig } from './index.js';
import { writeAutoconf } from './autoconf.js';
import type { KconfigTree } from './index.js';
import type { Expr, MenuNode, Sym, Tri } from './model.js';
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
  | 'helpnewconfig'
  | 'yes2modconfig'
  | 'mod2yesconfig'
  | 'mod2noconfig';

const MODES: ConfMode[] = [
  'oldaskconfig', 'oldconfig', 'syncconfig', 'olddefconfig', 'defconfig', 'savedefconfig', 'allnoconfig', 'allyesconfig',
  'allmodconfig', 'alldefconfig', 'randconfig', 'listnewconfig', 'helpnewconfig', 'yes2modconfig', 'mod2yesconfig',
  'mod2noconfig',
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
  --yes2modconfig         Change answers from yes to mod if possible
  --mod2yesconfig         Change answers from mod to yes if possible
  --mod2noconfig          Change answers from mod to no if possible
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
  /**
   * Whether a mode other than syncconfig writes the include/ files when auto.conf is missing, as Linux 6.1's
   * conf does (default true; `hvcc defconfig`, `config`, `oldconfig`... write only their .config: a build
   * makes its own header from it).
   */
  autoconf?: boolean;
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
  const linux61 = (opts.compat ?? (env['HVCC_KCONFIG_COMPAT'] === 'linux-4.11' ? 'linux-4.11' : 'linux')) === 'linux';
  const message = (m: string): void => {
    // Linux 6.1's syncconfig runs during the build and says nothing ("configuration written to ...").
    if (!opts.silent && !(linux61 && opts.mode === 'syncconfig')) io.stdout.write(`#\n# ${m}\n#\n`);
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
      // 4.11 said which file it read; 6.1 says nothing.
      if (!opts.silent && !linux61) io.stdout.write(`*** Default configuration is based on '${name}'\n`);
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
    case 'yes2modconfig':
    case 'mod2yesconfig':
    case 'mod2noconfig':
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
    case 'yes2modconfig':
      state.rewriteTristates(YES, MOD);
      break;
    case 'mod2yesconfig':
      state.rewriteTristates(MOD, YES);
      break;
    case 'mod2noconfig':
      state.rewriteTristates(MOD, NO);
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
    if (old === text) message(linux61 ? `No change to ${configName}` : `No change to configuration in '${configName}'`);
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
  if (linux61) {
    // Linux 6.1 writes the include/ files in every mode that writes .config when auto.conf does not exist
    // yet (so make finds it), and always for syncconfig; only syncconfig's failure is an error.
    if ((mode === 'syncconfig' || opts.autoconf !== false) && !writeAutoconf(state, { env, cwd, overwrite: mode === 'syncconfig' }) && mode === 'syncconfig') {
      io.stderr.write('\n*** Error during sync of the configuration.\n\n');
      io.stderr.write(formatDiagnostic(diagnostic(M.confWrite, "can't write auto.conf / autoconf.h")));
      return 1;
    }
  } else if (mode === 'syncconfig') {
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

const TYPE_NAME: Record<string, string> = { bool: 'bool', tristate: 'tristate', int: 'integer', hex: 'hex', string: 'string', unknown: 'unknown' };

/**
 * Linux 6.1's get_symbol_str() (scripts/kconfig/menu.c): the symbol, its type and range, each definition
 * with its prompt, dependencies and location (up to 8 menus, outermost first, a menu's symbol and value
 * after it), what it selects and implies (" && "), and who selects and implies it grouped by their value;
 * every symbol that has a type gets " [=value]", y, m and n included, as expr_print_gstr_helper() does.
 */
function linuxSymbolInfo(state: KconfigState, sym: Sym): string {
  const val = (s: Sym): string => {
    state.calcValue(s);
    return state.getStringValue(s);
  };
  // Symbols without a type (undefined ones, constants like "0") are not annotated; y, m and n are tristates.
  const annotated = (s: Sym): string => (s.name === null ? '<choice>' : s.type === 'unknown' && !(s.isConst && ['y', 'm', 'n'].includes(s.name)) ? s.name : `${s.name} [=${val(s)}]`);
  const expr = (e: Expr): string => linuxExpr(e, annotated);
  // A definition's dependencies as menu_finalize() leaves them: its parents' and its own, and'ed, with
  // expr_eliminate_dups() applied (of two equal operands of an && or || chain the earlier goes).
  const key = (x: Expr) => linuxExpr(x, (q) => q.name ?? '<choice>');
  const deps = (e: Expr): string => expr(eliminateDups(e, key));
  let out = '';
  if (sym.name) {
    out += `Symbol: ${sym.name} [=${val(sym)}]\nType  : ${TYPE_NAME[sym.type] ?? sym.type}\n`;
    if (sym.type === 'int' || sym.type === 'hex') {
      const r = state.getRangeProp(sym);
      if (r) out += `Range : [${annotated(r.range![0])} ${annotated(r.range![1])}]\n`;
    }
  }
  const withPrompt = sym.menus.filter((m) => m.prompt);
  for (const m of withPrompt) {
    out += `Defined at ${m.file}:${m.line}\n  Prompt: ${m.prompt!.text}\n`;
    if (m.dep) out += `  Depends on: ${deps(m.dep)}\n`;
    // Only a visibility other than the dependencies (an inline `if`, a parent's `visible if`) is shown.
    if (m.prompt!.visible) {
      const dep = m.dep ? deps(m.dep) : 'y';
      const visible = deps(m.prompt!.visible);
      if (visible !== dep && visible !== `${dep} && ${dep}`) out += `  Visible if: ${visible}\n`;
    }
    const chain: MenuNode[] = [];
    for (let p: MenuNode | null = m; p && p.kind !== 'root' && chain.length < 8; p = p.parent) if (p.prompt || p.sym) chain.unshift(p);
    out += '  Location:\n';
    chain.forEach((p, i) => {
      out += `${' '.repeat(4 + 2 * i)}-> ${p.prompt?.text ?? ''}${p.sym ? ` (${p.sym.name ?? '<choice>'} [=${val(p.sym)}])` : ''}\n`;
    });
  }
  for (const m of sym.menus.filter((x) => !x.prompt)) {
    out += `Defined at ${m.file}:${m.line}\n`;
    if (m.dep) out += `  Depends on: ${deps(m.dep)}\n`;
  }
  const targets = (kind: 'select' | 'imply') => sym.props.filter((p) => p.kind === kind).map((p) => expr(p.expr!));
  const grouped = (title: string, e: Expr | null) => {
    if (!e) return;
    const terms: Expr[] = [];
    const walk = (x: Expr): void => {
      if (x.k === 'or') {
        walk(x.l);
        walk(x.r);
      } else terms.push(x);
    };
    walk(e);
    for (const [tri, name] of [[YES, 'y'], [MOD, 'm'], [NO, 'n']] as const) {
      const these = terms.filter((t) => state.exprCalc(t) === tri);
      // A term is the selecting symbol and'ed with its (finalized, so deduplicated) dependencies; the symbol
      // itself is not compared with them.
      const term = (t: Expr) => (t.k === 'and' && t.l.k === 'sym' ? expr({ k: 'and', l: t.l, r: eliminateDups(t.r, key) }) : deps(t));
      if (these.length) out += `${title} [${name}]:\n${these.map((t) => `  - ${term(t)}\n`).join('')}`;
    }
  };
  const sel = targets('select');
  if (sel.length) out += `Selects: ${sel.join(' && ')}\n`;
  // (A non-optional choice's '<visibility> && m', menu_finalize()'s, is in the model's reverse dependency.)
  grouped('Selected by', sym.revDep);
  const imp = targets('imply');
  if (imp.length) out += `Implies: ${imp.join(' && ')}\n`;
  grouped('Implied by', sym.implied);
  return out + '\n\n';
}

/** expr_eliminate_dups() for equal operands: in each && or || chain, an operand equal to a later one goes. */
function eliminateDups(e: Expr, key: (x: Expr) => string): Expr {
  if (e.k !== 'and' && e.k !== 'or') return e.k === 'not' ? { k: 'not', e: eliminateDups(e.e, key) } : e;
  const kind = e.k;
  const leaves: Expr[] = [];
  const walk = (x: Expr): void => {
    if (x.k === kind) {
      walk(x.l);
      walk(x.r);
    } else leaves.push(eliminateDups(x, key));
  };
  walk(e);
  const keys = leaves.map(key);
  const kept = leaves.filter((_, i) => !keys.slice(i + 1).includes(keys[i]!));
  return kept.reduce((l, r) => ({ k: kind, l, r }) as Expr);
}

/** expr_print(): parentheses where a looser operator is inside a tighter one. */
function linuxExpr(e: Expr, sym: (s: Sym) => string): string {
  const rank = (x: Expr) => (x.k === 'or' ? 1 : x.k === 'and' ? 2 : x.k === 'not' ? 3 : 4);
  const sub = (x: Expr, parent: number) => (rank(x) < parent ? `(${linuxExpr(x, sym)})` : linuxExpr(x, sym));
  switch (e.k) {
    case 'sym':
      return sym(e.sym);
    case 'not':
      return `!${sub(e.e, 3)}`;
    case 'and':
      return `${sub(e.l, 2)} && ${sub(e.r, 2)}`;
    case 'or':
      return `${sub(e.l, 1)} || ${sub(e.r, 1)}`;
    case 'cmp':
      return `${sym(e.l)}${e.op}${sym(e.r)}`;
  }
}

export function symbolInfo(state: KconfigState, sym: Sym): string {
  if (state.compat === 'linux') return linuxSymbolInfo(state, sym);
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
    // When the answers do not come from a terminal, conf echoes them: Linux 6.1 the line it read (at the end
    // of the input, the line it held before, a newline), 4.11 only a newline.
    if (!this.tty) this.out(this.state.compat === 'linux-4.11' ? '\n' : l ?? '\n');
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
          // 6.1's helpnewconfig shows a choice's help too (listnewconfig only named symbols).
          if (this.mode === 'helpnewconfig' && st.compat === 'linux' && sym.name === null) this.out(`-----\n\n${symbolHelp(st, menu)}\n-----\n`);
          else if (sym.name && !(st.compat === 'linux-4.11' && sym.isChoiceValue)) {
            const prefix = st.tree.env['CONFIG_'] ?? 'CONFIG_';
            const v = st.getStringValue(sym);
            const shown = sym.type === 'string' ? `"${v.replace(/[\\"]/g, (m) => '\\' + m)}"` : v;
            // Linux 6.1's helpnewconfig: the help between two dashed lines, no CONFIG_ line (4.11: both).
            if (this.mode === 'helpnewconfig' && st.compat === 'linux') this.out(`-----\n\n${symbolHelp(st, menu)}\n-----\n`);
            else {
              this.out(st.compat === 'linux-4.11' ? `${prefix}${sym.name}\n` : `${prefix}${sym.name}=${shown}\n`);
              if (this.mode === 'helpnewconfig') this.out(`${symbolHelp(st, menu)}\n`);
            }
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
  return conf({ mode: 'oldaskconfig', kconfig: o.kconfig, silent: !!o.silent, autoconf: false }, o.io);
}
/** `hvcc oldconfig`: asks only about new symbols (conf --oldconfig). */
export function oldconfigCommand(o: UserCommandOptions): Promise<number> {
  return conf({ mode: 'oldconfig', kconfig: o.kconfig, silent: !!o.silent, autoconf: false }, o.io);
}
/** `hvcc olddefconfig`: new symbols get their defaults. */
export function olddefconfigCommand(o: UserCommandOptions): Promise<number> {
  return conf({ mode: 'olddefconfig', kconfig: o.kconfig, silent: !!o.silent, autoconf: false }, o.io);
}
/** `hvcc defconfig [FILE]`: .config from a (minimal) defconfig file. */
export function defconfigCommand(o: UserCommandOptions & { file?: string }): Promise<number> {
  return conf({ mode: 'defconfig', kconfig: o.kconfig, silent: !!o.silent, autoconf: false, ...(o.file !== undefined ? { file: o.file } : {}) }, o.io);
}
/** `hvcc savedefconfig [FILE]`: minimal defconfig from .config (FILE defaults to "defconfig"). */
export function savedefconfigCommand(o: UserCommandOptions & { file?: string }): Promise<number> {
  return conf({ mode: 'savedefconfig', kconfig: o.kconfig, silent: !!o.silent, file: o.file ?? 'defconfig' }, o.io);
}

export { F_DEF_USER };
