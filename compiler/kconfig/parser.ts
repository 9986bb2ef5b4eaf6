import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MessageDef } from '../diagnostics/define.js';
import { diagnostic } from '../diagnostics/define.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../diagnostics/span.js';
import { FileFailure, tryReadBytes } from '../fs/files.js';
import { KconfigMessages as M } from './messages.js';
import type { CmpOp, Expr, MenuKind, MenuNode, Prop, PropKind, Sym, SymType } from './model.js';
import { exprAnd, exprSym } from './model.js';
import { PreprocessError, Preprocessor } from './preprocess.js';
import { withArticle } from '../util/text.js';

export interface LoadOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Source tree root: relative `source` paths are looked up in the current directory, then here (as Linux's zconf_fopen). */
  srctree?: string;
  /** Working directory for relative paths (default process.cwd()). */
  cwd?: string;
  /** File reader; returns undefined when the file does not exist. */
  readFile?: (file: string) => string | undefined;
  /** Directory lister for source globs; default uses node:fs. */
  listDir?: (dir: string) => string[] | undefined;
  /** $(shell,...) runner. */
  shell?: (cmd: string) => string;
}

/** The parsed Kconfig: symbol table and menu tree (after menu_finalize, see menu.ts). */
export interface KconfigTree {
  root: MenuNode;
  /** All symbols (named, const and choices) in creation order. */
  symbols: Sym[];
  byName: Map<string, Sym>;
  symYes: Sym;
  symMod: Sym;
  symNo: Sym;
  /** Symbol with the `modules` attribute, or symNo. */
  modulesSym: Sym;
  defconfigList: Sym | null;
  props: Prop[];
  /** Every Kconfig file read, with its text (for code frames). */
  files: Map<string, string>;
  /** Environment variables referenced by macros (Linux records these in auto.conf.cmd). */
  usedEnv: Map<string, string>;
  env: Readonly<Record<string, string | undefined>>;
  srctree: string | undefined;
  cwd: string;
  readFile: (file: string) => string | undefined;
}

type Tok =
  | { t: 'word'; v: string; col: number }
  | { t: 'str'; v: string; col: number }
  | { t: 'kw'; v: string; col: number }
  | { t: 'op'; v: string; col: number }
  | { t: 'assign'; name: string; op: string; value: string; col: number };

const KEYWORDS = new Set([
  'bool', 'choice', 'comment', 'config', 'def_bool', 'def_tristate', 'default', 'depends', 'endchoice', 'endif', 'endmenu',
  'help', 'hex', 'if', 'imply', 'int', 'mainmenu', 'menu', 'menuconfig', 'modules', 'on', 'optional', 'prompt', 'range',
  'select', 'source', 'rsource', 'osource', 'orsource', 'string', 'tristate', 'visible',
]);
const TYPE_KW: Record<string, SymType> = { bool: 'bool', tristate: 'tristate', int: 'int', hex: 'hex', string: 'string' };
const isWordChar = (c: string | undefined): boolean => {
  if (c === undefined) return false;
  const x = c.charCodeAt(0);
  return (x >= 97 && x <= 122) || (x >= 65 && x <= 90) || (x >= 48 && x <= 57) || x === 95 || x === 45;
};

interface SourceFile {
  /** Name as given (what $(filename) and diagnostics show). */
  name: string;
  /** Path actually opened. */
  fsPath: string;
  lines: string[];
  lineStarts: number[];
  hasFinalNewline: boolean;
  i: number;
  /** Line number (1-based) of the statement being parsed. */
  curLine: number;
  parent: SourceFile | null;
}

interface Block {
  kind: 'menu' | 'choice' | 'if';
  node: MenuNode;
  file: SourceFile;
}

class StatementError extends Error {
  constructor(
    readonly def: MessageDef,
    msg: string,
    readonly col?: number,
  ) {
    super(msg);
  }
}

export class KconfigParser {
  readonly diagnostics: Diagnostic[] = [];
  private readonly pp: Preprocessor;
  private file: SourceFile | null = null;
  private readonly symbols: Sym[] = [];
  private readonly byName = new Map<string, Sym>();
  private readonly consts = new Map<string, Sym>();
  private readonly namedChoices = new Map<string, Sym>();
  private readonly props: Prop[] = [];
  readonly symYes: Sym;
  readonly symMod: Sym;
  readonly symNo: Sym;
  private modulesSym: Sym | null = null;
  private defconfigList: Sym | null = null;
  readonly root: MenuNode;
  private currentMenu: MenuNode;
  private currentEntry: MenuNode | null = null;
  private blocks: Block[] = [];
  private statements = 0;
  private readonly files = new Map<string, string>();
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly cwd: string;
  private readonly readFile: (f: string) => string | undefined;
  private readonly rawReadFile: (f: string) => string | undefined;

  constructor(private readonly opts: LoadOptions) {
    this.env = opts.env ?? {};
    this.cwd = opts.cwd ?? process.cwd();
    this.rawReadFile =
      opts.readFile ??
      ((f: string) => {
        // Through compiler/fs: a named pipe or a device (`source "/dev/zero"`) is not read, as a missing file.
        const r = tryReadBytes(f);
        return r instanceof FileFailure ? undefined : Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('latin1');
      });
    // A source glob reads each file it matches to see that it exists, and the source then opens it: one
    // read of each file per parse.
    const read = new Map<string, string | undefined>();
    this.readFile = (f) => {
      if (!read.has(f)) read.set(f, this.rawReadFile(f));
      return read.get(f);
    };
    this.pp = new Preprocessor(this.env, {
      fileName: () => this.file?.name ?? '',
      lineNo: () => this.file?.i ?? 0,
      report: (def, message) => this.report(def, message, this.lineSpan(this.file, this.file ? this.file.i : 0)),
      ...(opts.shell ? { shell: opts.shell } : {}),
      cwd: this.cwd,
    });
    const mk = (name: string): Sym => {
      const s = this.newSym(name, true);
      s.type = 'tristate';
      return s;
    };
    this.symYes = mk('y');
    this.symMod = mk('m');
    this.symNo = mk('n');
    this.root = {
      kind: 'root', sym: null, prompt: null, dep: null, visibility: null, help: null, parent: null, children: [],
      span: this.mkSpan('', 0, 1, 1), file: '', line: 0,
    };
    this.currentMenu = this.root;
  }

  // ---- diagnostics and spans -------------------------------------------------------------------------------------

  private report(def: MessageDef, message: string, span?: Span, extras: { notes?: string[]; help?: string } = {}): void {
    this.diagnostics.push(diagnostic(def, message, span, extras));
  }

  private mkSpan(file: string, line: number, col: number, endCol: number, f?: SourceFile): Span {
    const base = f && line >= 1 ? (f.lineStarts[line - 1] ?? 0) : 0;
    return {
      file,
      start: { line, column: col, offset: base + col - 1 },
      end: { line, column: endCol, offset: base + endCol - 1 },
    };
  }

  lineSpan(f: SourceFile | null, line: number, col = 1): Span {
    if (!f) return this.mkSpan('', 0, 1, 1);
    const text = f.lines[line - 1] ?? '';
    return this.mkSpan(f.name, line, col, Math.max(col, text.length + 1), f);
  }

  private stmtSpan(col = 1): Span {
    return this.lineSpan(this.file, this.file!.curLine, col);
  }

  // ---- symbols ---------------------------------------------------------------------------------------------------

  private newSym(name: string | null, isConst: boolean): Sym {
    const s: Sym = {
      id: this.symbols.length, name, type: 'unknown', isConst, isChoice: false, isChoiceValue: false, optional: false,
      noWrite: false, allnoconfigY: false, props: [], dirDep: null, revDep: null, implied: null, menus: [], choice: null,
      choiceValues: [],
    };
    this.symbols.push(s);
    if (this.deferred) this.deferred.push(s);
    else s.order411 = this.created411++;
    return s;
  }

  /**
   * Linux 4.11's grammar looks up the target of `select X if E`, `imply X if E` and a choice's `default X if E`
   * after the symbols of E (X is a token its action looks up, E a rule reduced first): symbols created there
   * are numbered after E's, for the order of its symbol table.
   */
  private created411 = 0;
  private deferred: Sym[] | null = null;
  private afterCondition<T>(lookup: () => Sym, condition: () => T): [Sym, T] {
    this.deferred = [];
    const target = lookup();
    const created = this.deferred;
    this.deferred = null;
    const cond = condition();
    for (const s of created) s.order411 = this.created411++;
    return [target, cond];
  }

  /** sym_lookup(): "y", "m", "n" are the constant tristates; quoted strings are constants of their own namespace. */
  lookup(name: string, isConst: boolean): Sym {
    if (name === 'y') return this.symYes;
    if (name === 'm') return this.symMod;
    if (name === 'n') return this.symNo;
    const table = isConst ? this.consts : this.byName;
    let s = table.get(name);
    if (!s) {
      s = this.newSym(name, isConst);
      table.set(name, s);
    }
    return s;
  }

  // ---- files -----------------------------------------------------------------------------------------------------

  private openFile(name: string): { fsPath: string; text: string } | undefined {
    const candidates: string[] = [];
    if (path.isAbsolute(name)) candidates.push(name);
    else {
      candidates.push(path.resolve(this.cwd, name));
      if (this.opts.srctree !== undefined) candidates.push(path.resolve(this.cwd, this.opts.srctree, name));
    }
    for (const c of candidates) {
      const text = this.readFile(c);
      if (text !== undefined) return { fsPath: c, text };
    }
    return undefined;
  }

  parseRoot(name: string): void {
    const opened = this.openFile(name);
    if (!opened) {
      this.report(M.fileNotFound, `can't find file ${name}`, this.mkSpan(name, 0, 1, 1));
      return;
    }
    this.parseFile(name, opened.fsPath, opened.text, null);
  }

  private parseFile(name: string, fsPath: string, text: string, parent: SourceFile | null): void {
    this.files.set(name, text);
    const hasFinalNewline = text.length === 0 || text.endsWith('\n');
    const lines = text.split('\n');
    if (hasFinalNewline) lines.pop();
    const lineStarts: number[] = [];
    let off = 0;
    for (const l of lines) {
      lineStarts.push(off);
      off += l.length + 1;
    }
    const f: SourceFile = { name, fsPath, lines, lineStarts, hasFinalNewline, i: 0, curLine: 0, parent };
    const saved = this.file;
    const blockDepth = this.blocks.length;
    this.file = f;
    this.currentEntry = null;
    try {
      this.parseLines(f);
    } finally {
      if (!hasFinalNewline && lines.length > 0) {
        this.report(M.noNewlineAtEof, 'no new line at end of file', this.lineSpan(f, lines.length));
      }
      while (this.blocks.length > blockDepth) {
        const b = this.blocks.pop()!;
        const end = b.kind === 'menu' ? 'endmenu' : b.kind === 'choice' ? 'endchoice' : 'endif';
        this.report(M.unterminatedBlock, `'${b.kind}' without matching '${end}' in this file`, b.node.span, {
          help: `add '${end}' before the end of ${f.name}`,
        });
        this.currentMenu = b.node.parent ?? this.root;
      }
      this.file = saved;
      // A sourced file ends the entry that preceded the source statement.
      this.currentEntry = null;
    }
  }

  // ---- lexer -----------------------------------------------------------------------------------------------------

  /** Reads the next logical line (joining backslash-newline) into tokens; null at end of file. */
  private nextLine(f: SourceFile): Tok[] | null {
    while (f.i < f.lines.length) {
      const startLine = f.i + 1;
      let s = f.lines[f.i++]!;
      while (s.endsWith('\\') && f.i < f.lines.length) s = s.slice(0, -1) + f.lines[f.i++]!;
      f.curLine = startLine;
      let toks: Tok[];
      try {
        toks = this.tokenize(s);
      } catch (e) {
        if (e instanceof PreprocessError) continue;
        throw e;
      }
      if (toks.length) return toks;
    }
    return null;
  }

  private tokenize(s: string): Tok[] {
    const toks: Tok[] = [];
    let p = 0;
    const n = s.length;
    while (p < n) {
      const c = s[p]!;
      if (c === ' ' || c === '\t') {
        p++;
        continue;
      }
      if (c === '#') break;
      const two = s.slice(p, p + 2);
      if (['||', '&&', '!=', '<=', '>=', ':=', '+='].includes(two)) {
        toks.push({ t: 'op', v: two, col: p + 1 });
        p += 2;
      } else if ('=<>!()'.includes(c)) {
        toks.push({ t: 'op', v: c, col: p + 1 });
        p++;
      } else if (c === '"' || c === "'") {
        const col = p + 1;
        p++;
        let v = '';
        let closed = false;
        while (p < n) {
          const d = s[p]!;
          if (d === '$') {
            const r = this.pp.expandDollar(s, p + 1);
            v += r.out;
            p = r.end;
          } else if (d === '\\') {
            if (p + 1 < n) v += s[p + 1];
            p += 2;
          } else if (d === c) {
            p++;
            closed = true;
            break;
          } else {
            v += d;
            p++;
          }
        }
        if (!closed) this.report(M.multilineString, 'multi-line strings not supported', this.stmtSpan(col));
        toks.push({ t: 'str', v, col });
      } else if (isWordChar(c) || c === '$') {
        const col = p + 1;
        let q = p;
        let dollar = false;
        while (q < n && (isWordChar(s[q]) || s[q] === '$')) {
          if (s[q] === '$') dollar = true;
          q++;
        }
        if (dollar) {
          const r = this.pp.expandOneToken(s, p);
          p = r.end;
          if (r.out.length) toks.push({ t: 'word', v: r.out, col });
        } else {
          const w = s.slice(p, q);
          p = q;
          toks.push(KEYWORDS.has(w) ? { t: 'kw', v: w, col } : { t: 'word', v: w, col });
        }
      } else {
        this.report(M.ignoredCharacter, `ignoring unsupported character '${c}'`, this.stmtSpan(p + 1));
        p++;
      }
      // Assignment: WORD followed by =, := or += at the start of a statement takes the rest of the line raw.
      if (toks.length === 2 && toks[0]!.t === 'word' && toks[1]!.t === 'op' && ['=', ':=', '+='].includes((toks[1] as { v: string }).v)) {
        while (p < n && (s[p] === ' ' || s[p] === '\t')) p++;
        return [{ t: 'assign', name: (toks[0] as { v: string }).v, op: (toks[1] as { v: string }).v, value: s.slice(p), col: toks[0]!.col }];
      }
    }
    return toks;
  }

  /** Reads help text after a `help` line, following Linux's lexer rules (indentation of the first line sets the level). */
  private readHelp(f: SourceFile): string {
    let text = '';
    let firstTs = 0;
    let lastTs = 0;
    const hasNewline = (i: number): boolean => i < f.lines.length - 1 || f.hasFinalNewline;
    const nextStartsNonBlank = (i: number): boolean => {
      const nx = f.lines[i + 1];
      return nx !== undefined && nx.length > 0 && nx[0] !== ' ' && nx[0] !== '\t';
    };
    while (f.i < f.lines.length) {
      const i = f.i;
      const line = f.lines[i]!;
      const ws = /^[ \t]*/.exec(line)![0];
      const rest = line.slice(ws.length);
      if (rest === '') {
        f.i++;
        if (!hasNewline(i)) break;
        if (nextStartsNonBlank(i)) break;
        text += '\n';
        continue;
      }
      if (ws.length) {
        let ts = 0;
        for (const ch of ws) ts = ch === '\t' ? (ts & ~7) + 8 : ts + 1;
        lastTs = ts;
        if (firstTs) {
          if (ts < firstTs) return text;
          text += ' '.repeat(ts - firstTs);
        }
      }
      text += rest.replace(/[ \t]+$/, '');
      if (!firstTs) firstTs = lastTs;
      f.i++;
      if (!hasNewline(i)) break;
      if (nextStartsNonBlank(i)) break;
      text += '\n';
    }
    return text;
  }

  // ---- statements ------------------------------------------------------------------------------------------------

  private parseLines(f: SourceFile): void {
    for (;;) {
      const toks = this.nextLine(f);
      if (!toks) return;
      try {
        this.statement(f, toks);
      } catch (e) {
        if (e instanceof StatementError) {
          this.report(e.def, e.message, this.stmtSpan(e.col ?? toks[0]?.col ?? 1));
        } else if (e instanceof PreprocessError) {
          /* reported already */
        } else throw e;
      }
    }
  }

  private statement(f: SourceFile, toks: Tok[]): void {
    const first = toks[0]!;
    const isFirst = this.statements === 0;
    this.statements++;
    if (first.t === 'assign') {
      const flavor = first.op === ':=' ? 'simple' : first.op === '+=' ? 'append' : 'recursive';
      this.pp.addVariable(first.name, first.value, flavor);
      return;
    }
    const kw = first.t === 'kw' ? first.v : first.t === 'word' && (first.v === 'option' || first.v === '---help---') ? first.v : null;
    const c = new Cursor(toks, 1, this);
    switch (kw) {
      case 'mainmenu': {
        const text = c.prompt();
        c.end();
        if (!isFirst || this.root.prompt) throw new StatementError(M.mainmenuPosition, "'mainmenu' must be the first statement");
        this.currentEntry = this.root;
        this.addPrompt('menu', text, null, first.col);
        this.currentEntry = null;
        return;
      }
      case 'config':
      case 'menuconfig': {
        const name = c.word('symbol name');
        c.end();
        const sym = this.lookup(name, false);
        sym.optional = true;
        this.addEntry(kw, sym);
        return;
      }
      case 'choice': {
        const name = c.atEnd() ? null : c.word('choice name');
        c.end();
        let sym: Sym;
        if (name !== null && this.namedChoices.has(name)) sym = this.namedChoices.get(name)!;
        else {
          sym = this.newSym(name, false);
          sym.isChoice = true;
          sym.noWrite = true;
          if (name !== null) this.namedChoices.set(name, sym);
        }
        const node = this.addEntry('choice', sym);
        if (!sym.props.some((p) => p.kind === 'choice')) this.addProp('choice', null, null);
        this.pushBlock('choice', node);
        return;
      }
      case 'endchoice':
      case 'endmenu':
      case 'endif': {
        c.end();
        this.popBlock(kw === 'endchoice' ? 'choice' : kw === 'endmenu' ? 'menu' : 'if', kw);
        return;
      }
      case 'comment':
      case 'menu': {
        const text = c.prompt();
        c.end();
        this.addEntry(kw, null);
        this.addPrompt(kw, text, null, first.col);
        if (kw === 'menu') this.pushBlock('menu', this.currentEntry!, true);
        return;
      }
      case 'if': {
        const e = c.expr();
        c.end();
        const node = this.addEntry('if', null);
        node.dep = exprAnd(node.dep, e);
        this.pushBlock('if', node);
        this.currentEntry = null;
        return;
      }
      case 'source':
      case 'rsource':
      case 'osource':
      case 'orsource': {
        const p = c.prompt();
        c.end();
        this.currentEntry = null;
        this.source(f, p, kw.startsWith('r') || kw.startsWith('or'), kw.startsWith('o'), first.col);
        return;
      }
      case 'help':
      case '---help---': {
        c.end();
        const text = this.readHelp(f);
        const entry = this.requireEntry(kw, first.col, ['config', 'menuconfig', 'choice']);
        const who = entry.sym?.name ?? '<choice>';
        if (entry.help !== null) this.report(M.helpRedefined, `'${who}' defined with more than one help text -- only the last one will be used`, this.stmtSpan(first.col));
        if (/^[ \f\n\r\t\v]*$/.test(text)) this.report(M.helpRedefined, `'${who}' defined with blank help text`, this.stmtSpan(first.col));
        entry.help = text;
        return;
      }
      default:
        break;
    }
    if (kw === null && first.t !== 'kw') {
      const what = first.t === 'word' ? first.v : first.t === 'str' ? `"${first.v}"` : (first as { v: string }).v;
      throw new StatementError(M.unknownStatement, `unknown statement "${what}"`, first.col);
    }
    this.option(kw!, first.col, c);
  }

  private option(kw: string, col: number, c: Cursor): void {
    const anySym: MenuKind[] = ['config', 'menuconfig', 'choice'];
    switch (kw) {
      case 'bool':
      case 'tristate':
      case 'int':
      case 'hex':
      case 'string':
      case 'def_bool':
      case 'def_tristate': {
        const entry = this.requireEntry(kw, col, kw.startsWith('def_') ? ['config', 'menuconfig'] : anySym);
        if (entry.kind === 'choice' && kw !== 'bool' && kw !== 'tristate')
          throw new StatementError(M.syntax, `a choice can only be of type bool or tristate, not '${kw}'`, col);
        if (kw.startsWith('def_')) {
          const e = c.expr();
          const cond = c.ifExpr();
          c.end();
          this.addProp('default', e, cond);
          this.setType(kw === 'def_bool' ? 'bool' : 'tristate', col);
        } else {
          const text = c.atEnd() || c.peekKw('if') ? null : c.prompt();
          const cond = text !== null ? c.ifExpr() : null;
          c.end();
          this.setType(TYPE_KW[kw]!, col);
          if (text !== null) this.addPrompt('prompt', text, cond, col);
        }
        return;
      }
      case 'prompt': {
        this.requireEntry(kw, col, anySym);
        const text = c.prompt();
        const cond = c.ifExpr();
        c.end();
        this.addPrompt('prompt', text, cond, col);
        return;
      }
      case 'default': {
        const entry = this.requireEntry(kw, col, anySym);
        if (entry.kind === 'choice') {
          const [target, cond] = this.afterCondition(() => this.lookup(c.word('choice default symbol'), false), () => c.ifExpr());
          c.end();
          this.addProp('default', exprSym(target), cond);
        } else {
          const e = c.expr();
          const cond = c.ifExpr();
          c.end();
          this.addProp('default', e, cond);
        }
        return;
      }
      case 'depends': {
        const entry = this.requireEntry(kw, col, ['config', 'menuconfig', 'choice', 'comment', 'menu']);
        c.kw('on');
        const e = c.expr();
        c.end();
        entry.dep = exprAnd(entry.dep, e);
        return;
      }
      case 'visible': {
        const entry = this.requireEntry(kw, col, ['menu']);
        c.kw('if');
        const e = c.expr();
        c.end();
        entry.visibility = exprAnd(entry.visibility, e);
        return;
      }
      case 'select':
      case 'imply': {
        this.requireEntry(kw, col, ['config', 'menuconfig']);
        const [target, cond] = this.afterCondition(() => this.lookup(c.word('symbol'), false), () => c.ifExpr());
        c.end();
        this.addProp(kw, exprSym(target), cond);
        return;
      }
      case 'range': {
        this.requireEntry(kw, col, ['config', 'menuconfig']);
        const lo = c.symbol();
        const hi = c.symbol();
        const cond = c.ifExpr();
        c.end();
        const p = this.addProp('range', null, cond);
        p.range = [lo, hi];
        return;
      }
      case 'optional': {
        const entry = this.requireEntry(kw, col, ['choice']);
        c.end();
        entry.sym!.optional = true;
        return;
      }
      case 'modules': {
        const entry = this.requireEntry(kw, col, ['config', 'menuconfig']);
        c.end();
        this.setModules(entry.sym!, col);
        return;
      }
      case 'option': {
        const entry = this.requireEntry(kw, col, ['config', 'menuconfig']);
        const name = c.anyWord('option name');
        let arg: string | null = null;
        if (c.peekOp('=')) {
          c.op('=');
          arg = c.prompt();
        }
        c.end();
        const sym = entry.sym!;
        if (name === 'modules') this.setModules(sym, col);
        else if (name === 'defconfig_list') {
          if (this.defconfigList && this.defconfigList !== sym) throw new StatementError(M.syntax, 'trying to redefine defconfig symbol', col);
          this.defconfigList = sym;
          sym.noWrite = true;
        } else if (name === 'env') {
          if (arg === null) throw new StatementError(M.syntax, 'option env needs a value: option env="NAME"', col);
          sym.noWrite = true;
          if (sym.env !== undefined) {
            if (sym.env !== arg) this.report(M.unknownOption, `redefining environment symbol from ${sym.env}`, this.stmtSpan(col));
            return;
          }
          sym.env = arg;
          const v = this.env[arg];
          if (v !== undefined) {
            const p = this.addProp('default', exprSym(this.lookup(v, true)), null);
            p.auto = true;
          } else this.report(M.envUndefined, `environment variable ${arg} undefined`, this.stmtSpan(col));
        } else if (name === 'allnoconfig_y') sym.allnoconfigY = true;
        else this.report(M.unknownOption, `ignoring unknown option ${name}`, this.stmtSpan(col));
        return;
      }
      default:
        throw new StatementError(M.syntax, `unexpected '${kw}'`, col);
    }
  }

  private setModules(sym: Sym, col: number): void {
    if (this.modulesSym && this.modulesSym !== sym)
      throw new StatementError(M.modulesRedefined, `symbol '${sym.name}' redefines option 'modules' already defined by symbol '${this.modulesSym.name}'`, col);
    this.modulesSym = sym;
  }

  private requireEntry(kw: string, col: number, kinds: MenuKind[]): MenuNode {
    const e = this.currentEntry;
    if (!e || !kinds.includes(e.kind)) {
      const where = e ? `${withArticle(`'${e.kind}'`)} entry` : 'this position';
      throw new StatementError(M.optionOutsideEntry, `'${kw}' is not allowed in ${where}`, col);
    }
    return e;
  }

  private addEntry(kind: MenuKind, sym: Sym | null): MenuNode {
    const f = this.file!;
    const node: MenuNode = {
      kind, sym, prompt: null, dep: null, visibility: null, help: null, parent: this.currentMenu, children: [],
      span: this.stmtSpan(), file: f.name, line: f.curLine,
    };
    this.currentMenu.children.push(node);
    if (sym) sym.menus.push(node);
    this.currentEntry = node;
    return node;
  }

  private pushBlock(kind: Block['kind'], node: MenuNode, keepEntry = false): void {
    this.blocks.push({ kind, node, file: this.file! });
    this.currentMenu = node;
    if (!keepEntry && kind !== 'choice') this.currentEntry = null;
  }

  private popBlock(kind: Block['kind'], kw: string): void {
    this.currentEntry = null;
    const b = this.blocks[this.blocks.length - 1];
    if (!b || b.file !== this.file) throw new StatementError(M.unexpectedEnd, `'${kw}' without matching '${kind}'`);
    if (b.kind !== kind) {
      const expected = b.kind === 'menu' ? 'endmenu' : b.kind === 'choice' ? 'endchoice' : 'endif';
      throw new StatementError(M.unexpectedEnd, `'${kw}' does not match the open '${b.kind}' (line ${b.node.line}); expected '${expected}'`);
    }
    this.blocks.pop();
    this.currentMenu = b.node.parent ?? this.root;
  }

  private setType(type: SymType, col: number): void {
    const sym = this.currentEntry!.sym!;
    if (sym.type === type) return;
    if (sym.type === 'unknown') {
      sym.type = type;
      return;
    }
    this.report(M.typeRedefined, `ignoring type redefinition of '${sym.name ?? '<choice>'}' from '${sym.type === 'bool' ? 'bool' : sym.type}' to '${type}'`, this.stmtSpan(col));
  }

  addProp(kind: PropKind, expr: Expr | null, cond: Expr | null, text?: string): Prop {
    const entry = this.currentEntry!;
    const p: Prop = { id: this.props.length, kind, expr, visible: cond, menu: entry, span: this.stmtSpan() };
    if (text !== undefined) p.text = text;
    this.props.push(p);
    if (entry.sym) entry.sym.props.push(p);
    return p;
  }

  private addPrompt(kind: 'prompt' | 'menu' | 'comment', text: string, cond: Expr | null, col: number): void {
    const entry = this.currentEntry!;
    const p = this.addProp(kind, null, cond);
    if (/^\s/.test(text)) {
      this.report(M.leadingWhitespace, 'leading whitespace ignored', this.stmtSpan(col));
      text = text.replace(/^\s+/, '');
    }
    if (entry.prompt) this.report(M.promptRedefined, 'prompt redefined', this.stmtSpan(col));
    if (kind === 'prompt') {
      for (let m = entry.parent; m; m = m.parent) if (m.visibility) p.visible = exprAnd(p.visible, m.visibility);
    }
    p.text = text;
    entry.prompt = p;
  }

  private source(f: SourceFile, pattern: string, relative: boolean, optional: boolean, col: number): void {
    let name = pattern;
    if (relative && !path.isAbsolute(name)) {
      const dir = path.dirname(f.name);
      name = dir === '.' ? name : path.join(dir, name);
    }
    let names: string[];
    if (/[*?[]/.test(name)) {
      names = this.glob(name);
      if (names.length === 0 && !optional) throw new StatementError(M.sourceGlobEmpty, `'${pattern}' does not match any file`, col);
    } else names = [name];
    for (const n of names) {
      const opened = this.openFile(n);
      if (!opened) {
        if (optional) continue;
        throw new StatementError(M.fileNotFound, `can't open file "${n}"`, col);
      }
      for (let it: SourceFile | null = f; it; it = it.parent) {
        if (it.fsPath === opened.fsPath) {
          const chain: string[] = [];
          for (let j: SourceFile | null = f; j; j = j.parent) {
            chain.push(`${j.name}:${j.curLine}`);
            if (j === it) break;
          }
          throw new StatementError(M.recursiveSource, `recursive inclusion of ${n} (included from ${chain.join(', from ')})`, col);
        }
      }
      const savedLine = f.curLine;
      this.parseFile(n, opened.fsPath, opened.text, f);
      f.curLine = savedLine;
    }
  }

  private glob(pattern: string): string[] {
    const list =
      this.opts.listDir ??
      ((d: string) => {
        try {
          return fs.readdirSync(d);
        } catch {
          return undefined;
        }
      });
    const bases: string[] = [];
    if (path.isAbsolute(pattern)) bases.push('');
    else {
      bases.push(this.cwd);
      if (this.opts.srctree !== undefined) bases.push(path.resolve(this.cwd, this.opts.srctree));
    }
    const segs = pattern.split('/');
    const toRe = (g: string): RegExp =>
      new RegExp(
        '^' +
          g.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\[!/g, '[^') +
          '$',
      );
    for (const base of bases) {
      let cur: string[] = [''];
      for (const [i, seg] of segs.entries()) {
        const next: string[] = [];
        for (const rel of cur) {
          if (seg === '' && i === 0) {
            next.push('/');
            continue;
          }
          if (!/[*?[]/.test(seg)) {
            next.push(rel ? path.join(rel, seg) : seg);
            continue;
          }
          const dirRel = rel || '.';
          const entries = list(path.resolve(base || '/', dirRel)) ?? [];
          const re = toRe(seg);
          for (const e of entries.sort()) if (re.test(e) && (seg.startsWith('.') || !e.startsWith('.'))) next.push(rel ? path.join(rel, e) : e);
        }
        cur = next;
      }
      const found = cur.filter((c) => this.readFile(path.resolve(base || '/', c)) !== undefined).sort();
      // Relative names: openFile() looks them up in the working directory, then in srctree, like the pattern.
      if (found.length) return found;
    }
    return [];
  }

  result(): KconfigTree {
    // Linux gives a menuconfig's prompt the type P_MENU once the entry is complete.
    const mark = (n: MenuNode): void => {
      if (n.kind === 'menuconfig' && n.prompt) n.prompt.kind = 'menu';
      for (const c of n.children) mark(c);
    };
    mark(this.root);
    if (!this.root.prompt) {
      this.currentEntry = this.root;
      const p: Prop = { id: this.props.length, kind: 'menu', expr: null, visible: null, menu: this.root, span: this.root.span, text: 'Main menu' };
      this.props.push(p);
      this.root.prompt = p;
      this.currentEntry = null;
    }
    return {
      root: this.root,
      symbols: this.symbols,
      byName: this.byName,
      symYes: this.symYes,
      symMod: this.symMod,
      symNo: this.symNo,
      modulesSym: this.modulesSym ?? this.symNo,
      defconfigList: this.defconfigList,
      props: this.props,
      files: this.files,
      usedEnv: this.pp.usedEnv,
      env: this.env,
      srctree: this.opts.srctree,
      cwd: this.cwd,
      readFile: this.rawReadFile,
    };
  }
}

/** Token cursor for one statement. */
class Cursor {
  constructor(
    private readonly toks: Tok[],
    private i: number,
    private readonly p: KconfigParser,
  ) {}

  private cur(): Tok | undefined {
    return this.toks[this.i];
  }
  private col(): number {
    return this.cur()?.col ?? (this.toks[this.toks.length - 1]?.col ?? 1) + 1;
  }
  private describe(t: Tok | undefined): string {
    if (!t) return 'end of line';
    if (t.t === 'str') return `"${t.v}"`;
    if (t.t === 'assign') return t.name;
    return `'${t.v}'`;
  }
  atEnd(): boolean {
    return this.i >= this.toks.length;
  }
  end(): void {
    if (!this.atEnd()) throw new StatementError(M.syntax, `unexpected ${this.describe(this.cur())} at end of statement`, this.col());
  }
  peekKw(k: string): boolean {
    const t = this.cur();
    return !!t && t.t === 'kw' && t.v === k;
  }
  peekOp(o: string): boolean {
    const t = this.cur();
    return !!t && t.t === 'op' && t.v === o;
  }
  kw(k: string): void {
    if (!this.peekKw(k)) throw new StatementError(M.syntax, `expected '${k}' but found ${this.describe(this.cur())}`, this.col());
    this.i++;
  }
  op(o: string): void {
    if (!this.peekOp(o)) throw new StatementError(M.syntax, `expected '${o}' but found ${this.describe(this.cur())}`, this.col());
    this.i++;
  }
  /** A word, or a keyword used as a plain word (option names such as `option modules`). */
  anyWord(what: string): string {
    const t = this.cur();
    if (t && t.t === 'kw') {
      this.i++;
      return t.v;
    }
    return this.word(what);
  }
  word(what: string): string {
    const t = this.cur();
    if (!t || t.t !== 'word') throw new StatementError(M.syntax, `expected ${what} but found ${this.describe(t)}`, this.col());
    this.i++;
    return t.v;
  }
  /** A prompt/path: a quoted string (Linux 4.x also accepted a bare word). */
  prompt(): string {
    const t = this.cur();
    if (!t || (t.t !== 'str' && t.t !== 'word')) throw new StatementError(M.syntax, `expected a quoted string but found ${this.describe(t)}`, this.col());
    this.i++;
    return t.v;
  }
  ifExpr(): Expr | null {
    if (!this.peekKw('if')) return null;
    this.i++;
    return this.expr();
  }
  symbol(): Sym {
    const t = this.cur();
    if (t && t.t === 'word') {
      this.i++;
      return this.p.lookup(t.v, false);
    }
    if (t && t.t === 'str') {
      this.i++;
      return this.p.lookup(t.v, true);
    }
    throw new StatementError(M.syntax, `expected a symbol but found ${this.describe(t)}`, this.col());
  }
  expr(): Expr {
    let l = this.andExpr();
    while (this.peekOp('||')) {
      this.i++;
      l = { k: 'or', l, r: this.andExpr() };
    }
    return l;
  }
  private andExpr(): Expr {
    let l = this.notExpr();
    while (this.peekOp('&&')) {
      this.i++;
      l = { k: 'and', l, r: this.notExpr() };
    }
    return l;
  }
  private nesting = 0;
  private notExpr(): Expr {
    if (this.peekOp('!') || this.peekOp('(')) {
      // Linux's parser stack is bounded too ("memory exhausted"); this keeps ours off the JavaScript stack limit.
      if (++this.nesting > 500) throw new StatementError(M.tooDeep, 'expression nested too deeply (more than 500 levels of ! or parentheses)', this.col());
      try {
        if (this.peekOp('!')) {
          this.i++;
          return { k: 'not', e: this.notExpr() };
        }
        this.i++;
        const e = this.expr();
        this.op(')');
        return e;
      } finally {
        this.nesting--;
      }
    }
    const s = this.symbol();
    const t = this.cur();
    if (t && t.t === 'op' && ['=', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      this.i++;
      return { k: 'cmp', op: t.v as CmpOp, l: s, r: this.symbol() };
    }
    return exprSym(s);
  }
}
