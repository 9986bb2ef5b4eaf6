import type { MessageDef } from '../diagnostics/define.js';
import { KconfigMessages as M } from './messages.js';

/** The Kconfig macro language (Linux scripts/kconfig/preprocess.c semantics, Documentation/kbuild/kconfig-macro-language.rst). */

export type Flavor = 'recursive' | 'simple' | 'append';

interface Variable {
  name: string;
  value: string;
  flavor: 'recursive' | 'simple';
  expCount: number;
}

export interface PreprocessorHooks {
  fileName(): string;
  lineNo(): number;
  /** Reports a diagnostic at the current line. */
  report(def: MessageDef, message: string): void;
  /** $(shell,...) runner; defaults to /bin/sh. */
  shell?(cmd: string): string;
  /** Working directory for $(shell,...). */
  cwd?: string;
}

/** Thrown to abandon the current expansion after a fatal preprocessor error (Linux exits; we report and go on). */
export class PreprocessError extends Error {}

const FUNCTION_MAX_ARGS = 16;

export class Preprocessor {
  private readonly vars = new Map<string, Variable>();
  /** Environment variables referenced, in order (Linux writes them to auto.conf.cmd). */
  readonly usedEnv = new Map<string, string>();

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly hooks: PreprocessorHooks,
  ) {}

  private fail(def: MessageDef, message: string): never {
    this.hooks.report(def, message);
    throw new PreprocessError(message);
  }

  addVariable(name: string, value: string, flavor: Flavor): void {
    let v = this.vars.get(name);
    let append = false;
    let fl: 'recursive' | 'simple';
    if (v) {
      if (flavor === 'append') {
        fl = v.flavor;
        append = true;
      } else fl = flavor;
    } else {
      fl = flavor === 'append' ? 'recursive' : flavor;
      v = { name, value: '', flavor: fl, expCount: 0 };
      this.vars.set(name, v);
    }
    v.flavor = fl;
    const newValue = fl === 'simple' ? this.expandString(value) : value;
    v.value = append ? `${v.value} ${newValue}` : newValue;
  }

  variables(): ReadonlyMap<string, { value: string; flavor: string }> {
    return this.vars;
  }

  private envExpand(name: string): string | undefined {
    if (!name) return undefined;
    const used = this.usedEnv.get(name);
    if (used !== undefined) return used;
    const value = this.env[name];
    if (value === undefined) return undefined;
    this.usedEnv.set(name, value);
    return value;
  }

  private variableExpand(name: string, args: string[]): string | undefined {
    const v = this.vars.get(name);
    if (!v) return undefined;
    if (args.length === 0 && v.expCount) this.fail(M.recursiveVariable, `Recursive variable '${name}' references itself (eventually)`);
    if (v.expCount > 1000) this.fail(M.recursiveVariable, 'Too deep recursive expansion');
    v.expCount++;
    try {
      return v.flavor === 'recursive' ? this.expandStringWithArgs(v.value, args) : v.value;
    } finally {
      v.expCount--;
    }
  }

  private functionExpand(name: string, args: string[]): string | undefined {
    const table: Record<string, [number, number, (a: string[]) => string]> = {
      'error-if': [
        2,
        2,
        (a) => {
          if (a[0] === 'y') this.fail(M.errorIf, a[1]!);
          return '';
        },
      ],
      filename: [0, 0, () => this.hooks.fileName()],
      info: [
        1,
        1,
        (a) => {
          this.hooks.report(M.info, a[0]!);
          return '';
        },
      ],
      lineno: [0, 0, () => String(this.hooks.lineNo())],
      shell: [1, 1, (a) => this.doShell(a[0]!)],
      'warning-if': [
        2,
        2,
        (a) => {
          if (a[0] === 'y') this.hooks.report(M.warningIf, a[1]!);
          return '';
        },
      ],
    };
    const f = table[name];
    if (!f) return undefined;
    if (args.length < f[0]) this.fail(M.macroArgs, `too few function arguments passed to '${name}'`);
    if (args.length > f[1]) this.fail(M.macroArgs, `too many function arguments passed to '${name}'`);
    return f[2](args);
  }

  private doShell(cmd: string): string {
    let out: string;
    try {
      out = this.hooks.shell
        ? this.hooks.shell(cmd)
        : // loaded on first use: few Kconfig trees call $(shell), and loading it costs every command's start
          process.getBuiltinModule('node:child_process').execSync(cmd, {
            encoding: 'latin1',
            stdio: ['ignore', 'pipe', 'inherit'],
            ...(this.hooks.cwd !== undefined ? { cwd: this.hooks.cwd } : {}),
            env: Object.fromEntries(Object.entries(this.env).filter((e): e is [string, string] => e[1] !== undefined)),
          });
    } catch (e) {
      const err = e as { stdout?: string; status?: number };
      // Linux uses popen(): a failing command still yields its output.
      if (typeof err.stdout === 'string') out = err.stdout;
      else this.fail(M.shellFailed, `${cmd}: ${(e as Error).message}`);
    }
    // Linux reads at most 255 bytes, strips trailing newlines and turns the others into spaces.
    if (out.length > 255) out = out.slice(0, 255);
    out = out.replace(/\n+$/, '');
    return out.replace(/\n/g, ' ');
  }

  private evalClause(str: string, args: string[]): string {
    if (/^[0-9]+$/.test(str)) {
      const n = parseInt(str, 10);
      if (n > 0 && n <= args.length) return args[n - 1]!;
    }
    const parts: string[] = [];
    let nest = 0;
    let prev = 0;
    for (let i = 0; i < str.length; i++) {
      const c = str[i];
      if (nest === 0 && c === ',') {
        if (parts.length >= FUNCTION_MAX_ARGS) this.fail(M.macroArgs, 'too many function arguments');
        parts.push(str.slice(prev, i));
        prev = i + 1;
      } else if (c === '(') nest++;
      else if (c === ')') nest--;
    }
    parts.push(str.slice(prev));
    const name = this.expandStringWithArgs(parts[0]!, args);
    const newArgs = parts.slice(1).map((p) => this.expandStringWithArgs(p, args));
    let res = this.variableExpand(name, newArgs);
    if (res !== undefined) return res;
    res = this.functionExpand(name, newArgs);
    if (res !== undefined) return res;
    if (newArgs.length === 0) {
      res = this.envExpand(name);
      if (res !== undefined) return res;
    }
    return '';
  }

  /** Expands the reference starting at s[pos] (the character after '$'). */
  expandDollar(s: string, pos: number, args: string[] = []): { out: string; end: number } {
    if (s[pos] !== '(') return { out: '$', end: pos };
    const p = pos + 1;
    let q = p;
    let nest = 0;
    while (q < s.length) {
      if (s[q] === '(') nest++;
      else if (s[q] === ')') {
        if (nest-- === 0) break;
      }
      q++;
    }
    if (q >= s.length) this.fail(M.macroSyntax, `unterminated reference to '${s.slice(p)}': missing ')'`);
    return { out: this.evalClause(s.slice(p, q), args), end: q + 1 };
  }

  private expandGeneric(s: string, pos: number, isEnd: (c: string | undefined) => boolean, args: string[]): { out: string; end: number } {
    let out = '';
    let p = pos;
    let start = pos;
    for (;;) {
      if (s[p] === '$') {
        out += s.slice(start, p);
        const r = this.expandDollar(s, p + 1, args);
        out += r.out;
        p = r.end;
        start = p;
        continue;
      }
      if (isEnd(s[p])) break;
      p++;
    }
    out += s.slice(start, p);
    return { out, end: p };
  }

  expandStringWithArgs(s: string, args: string[]): string {
    return this.expandGeneric(s, 0, (c) => c === undefined, args).out;
  }

  expandString(s: string): string {
    return this.expandStringWithArgs(s, []);
  }

  /** Expands one token: word characters and $(...) references, stopping at any other character. */
  expandOneToken(s: string, pos: number): { out: string; end: number } {
    return this.expandGeneric(s, pos, (c) => c === undefined || !/[A-Za-z0-9_-]/.test(c), []);
  }
}
