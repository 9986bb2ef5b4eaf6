import { diagnostic } from '../diagnostics/define.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { KconfigMessages as M } from './messages.js';
import type { Expr, MenuNode, Prop, Sym, SymType, Tri } from './model.js';
import { MOD, NO, YES, exprToString, flatten, forEachSymInExpr, triAnd, triChar, triNot, triOr } from './model.js';
import type { KconfigTree } from './parser.js';
import { isValidNumber } from './menu.js';

export const F_VALID = 1;
export const F_WRITE = 2;
export const F_DEF_USER = 4;
export const F_NEED_SET_CHOICE_VALUES = 8;
export const F_CHANGED = 16;
export const F_WRITTEN = 32;
export const F_WARNED_UNMET = 64;

export interface SymState {
  flags: number;
  currTri: Tri;
  /** String value for int/hex/string (and the name for constants). */
  currVal: string;
  /** For choices: the selected value. */
  currChoice: Sym | null;
  defTri: Tri;
  defVal: string | null;
  defChoice: Sym | null;
  visible: Tri;
  dirDepTri: Tri;
  revDepTri: Tri;
  impliedTri: Tri;
}

// ---- strtoll / strtoull, as used by expr_calc_value() and the range code ---------------------------------------------

interface NumParse {
  value: bigint;
  /** index just after the last digit consumed (0 if none). */
  end: number;
  overflow: boolean;
}
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);
const U64_MAX = (1n << 64n) - 1n;

function parseC(str: string, base: number, unsigned: boolean): NumParse {
  let i = 0;
  while (i < str.length && /[ \t\n\v\f\r]/.test(str[i]!)) i++;
  let neg = false;
  if (str[i] === '+' || str[i] === '-') {
    neg = str[i] === '-';
    i++;
  }
  if ((base === 0 || base === 16) && str[i] === '0' && (str[i + 1] === 'x' || str[i + 1] === 'X') && /[0-9a-fA-F]/.test(str[i + 2] ?? '')) {
    i += 2;
    base = 16;
  } else if (base === 0) base = str[i] === '0' ? 8 : 10;
  const start = i;
  let v = 0n;
  const B = BigInt(base);
  while (i < str.length) {
    const d = parseInt(str[i]!, 36);
    if (Number.isNaN(d) || d >= base) break;
    v = v * B + BigInt(d);
    i++;
  }
  if (i === start) return { value: 0n, end: 0, overflow: false };
  let overflow = false;
  if (unsigned) {
    if (v > U64_MAX) {
      overflow = true;
      v = U64_MAX;
    } else if (neg) v = (U64_MAX + 1n - v) & U64_MAX;
  } else {
    if (neg) v = -v;
    if (v > I64_MAX) {
      overflow = true;
      v = I64_MAX;
    } else if (v < I64_MIN) {
      overflow = true;
      v = I64_MIN;
    }
  }
  return { value: v, end: i, overflow };
}
export const strtoll = (s: string, base: number): bigint => parseC(s, base, false).value;

type Kind = 'string' | 'signed' | 'unsigned';
function exprParseString(str: string, type: SymType): { kind: Kind; v: bigint } {
  if (type === 'bool' || type === 'tristate') {
    return { kind: 'signed', v: str === 'n' ? 0n : str === 'm' ? 1n : str === 'y' ? 2n : -1n };
  }
  let r: NumParse;
  let kind: Kind;
  if (type === 'int') {
    r = parseC(str, 10, false);
    kind = 'signed';
  } else if (type === 'hex') {
    r = parseC(str, 16, true);
    kind = 'unsigned';
  } else {
    r = parseC(str, 0, false);
    kind = 'signed';
  }
  const ok = !r.overflow && r.end === str.length && r.end > 0 && /[0-9a-fA-F]/.test(str[r.end - 1]!);
  return ok ? { kind, v: r.value } : { kind: 'string', v: 0n };
}

/**
 * The values of all symbols of a Kconfig tree under one set of user values: a port of Linux's symbol.c evaluation
 * (lazy, memoised with SYMBOL_VALID, so it computes exactly what conf computes).
 */
export class KconfigState {
  readonly st: SymState[];
  private readonly propTri: Uint8Array;
  modulesVal: Tri = NO;
  /**
   * 'linux' (default): current Linux semantics. 'linux-4.11': Linux 4.11 (Debian's kconfig-frontends), which wrote
   * promptless symbols whose active default is n, applied `imply` only when the implied symbol's dependencies were met
   * (without limiting the result by them), and wrote no "# end of" menu lines.
   */
  compat: 'linux' | 'linux-4.11' = 'linux';
  readonly warnings: Diagnostic[] = [];
  /** Diagnostics from reading the user's values (.config). */
  readonly readDiagnostics: Diagnostic[] = [];
  /** When false, unmet-dependency warnings are not collected (used while probing). */
  collectWarnings = true;
  private changeCount = 0;

  constructor(readonly tree: KconfigTree) {
    this.st = tree.symbols.map(() => ({
      flags: 0, currTri: NO, currVal: '', currChoice: null, defTri: NO, defVal: null, defChoice: null, visible: NO,
      dirDepTri: NO, revDepTri: NO, impliedTri: NO,
    }));
    this.propTri = new Uint8Array(tree.props.length);
    for (const [s, t, v] of [
      [tree.symYes, YES, 'y'],
      [tree.symMod, MOD, 'm'],
      [tree.symNo, NO, 'n'],
    ] as const) {
      const x = this.st[s.id]!;
      x.currTri = t;
      x.currVal = v;
      x.flags = F_VALID;
    }
  }

  s(sym: Sym): SymState {
    return this.st[sym.id]!;
  }

  private isYmn(sym: Sym): boolean {
    return sym === this.tree.symYes || sym === this.tree.symMod || sym === this.tree.symNo;
  }

  hasValue(sym: Sym): boolean {
    return (this.s(sym).flags & F_DEF_USER) !== 0;
  }
  setChanged(_sym: Sym): void {
    this.changeCount++;
  }
  addChangeCount(n: number): void {
    this.changeCount += n;
  }
  getChanged(): boolean {
    return this.changeCount > 0;
  }
  resetChangeCount(): void {
    this.changeCount = 0;
  }

  getType(sym: Sym): SymType {
    let type = sym.type;
    if (type === 'tristate') {
      if (sym.isChoiceValue && this.s(sym).visible === YES) type = 'bool';
      else if (this.modulesVal === NO) type = 'bool';
    }
    return type;
  }

  getTristate(sym: Sym): Tri {
    return this.s(sym).currTri;
  }

  getStringValue(sym: Sym): string {
    if (sym.type === 'bool' || sym.type === 'tristate') {
      const v = this.getTristate(sym);
      if (v === NO) return 'n';
      if (v === MOD) return 'm';
      return 'y';
    }
    return this.s(sym).currVal;
  }

  exprCalc(e: Expr | null): Tri {
    if (!e) return YES;
    switch (e.k) {
      case 'sym':
        this.calcValue(e.sym);
        return this.s(e.sym).currTri;
      case 'and': {
        // Left-deep chains (accumulated dependencies) are walked with a loop, not recursion.
        const rights: Expr[] = [];
        let x: Expr = e;
        while (x.k === 'and') {
          rights.push(x.r);
          x = x.l;
        }
        let v = this.exprCalc(x);
        for (let i = rights.length - 1; i >= 0; i--) v = triAnd(v, this.exprCalc(rights[i]!));
        return v;
      }
      case 'or': {
        const rights: Expr[] = [];
        let x: Expr = e;
        while (x.k === 'or') {
          rights.push(x.r);
          x = x.l;
        }
        let v = this.exprCalc(x);
        for (let i = rights.length - 1; i >= 0; i--) v = triOr(v, this.exprCalc(rights[i]!));
        return v;
      }
      case 'not':
        return triNot(this.exprCalc(e.e));
      case 'cmp': {
        this.calcValue(e.l);
        this.calcValue(e.r);
        const s1 = this.getStringValue(e.l);
        const s2 = this.getStringValue(e.r);
        let k1: { kind: Kind; v: bigint } = { kind: 'string', v: 0n };
        let k2: { kind: Kind; v: bigint } = { kind: 'string', v: 0n };
        if (e.l.type !== 'string' || e.r.type !== 'string') {
          k1 = exprParseString(s1, e.l.type);
          k2 = exprParseString(s2, e.r.type);
        }
        let res: number;
        if (k1.kind === 'string' || k2.kind === 'string') res = s1 < s2 ? -1 : s1 > s2 ? 1 : 0;
        else if (k1.kind === 'unsigned' || k2.kind === 'unsigned') {
          const a = BigInt.asUintN(64, k1.v);
          const b = BigInt.asUintN(64, k2.v);
          res = a > b ? 1 : a < b ? -1 : 0;
        } else res = k1.v > k2.v ? 1 : k1.v < k2.v ? -1 : 0;
        switch (e.op) {
          case '=':
            return res ? NO : YES;
          case '!=':
            return res ? YES : NO;
          case '<':
            return res < 0 ? YES : NO;
          case '<=':
            return res <= 0 ? YES : NO;
          case '>':
            return res > 0 ? YES : NO;
          case '>=':
            return res >= 0 ? YES : NO;
        }
      }
    }
  }

  propVisibleTri(p: Prop): Tri {
    return this.propTri[p.id] as Tri;
  }

  calcVisibility(sym: Sym): void {
    const x = this.s(sym);
    let tri: Tri = NO;
    const choice = sym.isChoiceValue ? sym.choice : null;
    for (const p of sym.props) {
      if (p.text === undefined) continue; // for_all_prompts(): any property with text (menuconfig prompts are P_MENU)
      let v = this.exprCalc(p.visible);
      // A tristate choice value whose dependencies only allow m is hidden while the choice is y.
      if (choice && sym.type === 'tristate' && v === MOD && this.s(choice).currTri === YES) v = NO;
      this.propTri[p.id] = v;
      tri = triOr(tri, v);
    }
    if (tri === MOD && (sym.type !== 'tristate' || this.modulesVal === NO)) tri = YES;
    if (x.visible !== tri) {
      x.visible = tri;
      this.setChanged(sym);
    }
    if (sym.isChoiceValue) return;
    tri = YES;
    if (sym.dirDep) tri = this.exprCalc(sym.dirDep);
    if (tri === MOD && this.getType(sym) === 'bool') tri = YES;
    x.dirDepTri = tri;
    tri = NO;
    if (sym.revDep) tri = this.exprCalc(sym.revDep);
    if (tri === MOD && this.getType(sym) === 'bool') tri = YES;
    x.revDepTri = tri;
    tri = NO;
    if (sym.implied && (this.compat === 'linux' || x.dirDepTri !== NO)) tri = this.exprCalc(sym.implied);
    if (tri === MOD && this.getType(sym) === 'bool') tri = YES;
    x.impliedTri = tri;
  }

  getDefaultProp(sym: Sym): Prop | null {
    for (const p of sym.props) {
      if (p.kind !== 'default') continue;
      const v = this.exprCalc(p.visible);
      this.propTri[p.id] = v;
      if (v !== NO) return p;
    }
    return null;
  }

  getRangeProp(sym: Sym): Prop | null {
    for (const p of sym.props) {
      if (p.kind !== 'range') continue;
      const v = this.exprCalc(p.visible);
      this.propTri[p.id] = v;
      if (v !== NO) return p;
    }
    return null;
  }

  private getRangeVal(sym: Sym, base: number): bigint {
    this.calcValue(sym);
    if (sym.type === 'int') base = 10;
    else if (sym.type === 'hex') base = 16;
    return strtoll(this.s(sym).currVal, base);
  }

  private validateRange(sym: Sym): void {
    let base: number;
    if (sym.type === 'int') base = 10;
    else if (sym.type === 'hex') base = 16;
    else return;
    const prop = this.getRangeProp(sym);
    if (!prop) return;
    const x = this.s(sym);
    const val = strtoll(x.currVal, base);
    let val2 = this.getRangeVal(prop.range![0], base);
    if (val >= val2) {
      val2 = this.getRangeVal(prop.range![1], base);
      if (val <= val2) return;
    }
    x.currVal = sym.type === 'int' ? val2.toString(10) : '0x' + BigInt.asUintN(64, val2).toString(16);
  }

  choiceDefault(choice: Sym): Sym | null {
    for (const p of choice.props) {
      if (p.kind !== 'default') continue;
      const v = this.exprCalc(p.visible);
      this.propTri[p.id] = v;
      if (v === NO) continue;
      const d = (p.expr as { k: 'sym'; sym: Sym }).sym;
      if (this.s(d).visible !== NO) return d;
    }
    for (const v of choice.choiceValues) if (this.s(v).visible !== NO) return v;
    return null;
  }

  private calcChoice(choice: Sym): Sym | null {
    const x = this.s(choice);
    let flags = x.flags;
    for (const v of choice.choiceValues) {
      this.calcVisibility(v);
      if (this.s(v).visible !== NO) flags &= this.s(v).flags;
    }
    x.flags &= flags | ~F_DEF_USER;
    const d = x.defChoice;
    if (d && this.s(d).visible !== NO) return d;
    const def = this.choiceDefault(choice);
    if (def === null) x.currTri = NO;
    return def;
  }

  setAllChoiceValues(choice: Sym): void {
    for (const v of choice.choiceValues) if (!this.hasValue(v)) this.s(v).defTri = NO;
    const x = this.s(choice);
    x.flags |= F_DEF_USER;
    x.flags &= ~(F_VALID | F_NEED_SET_CHOICE_VALUES);
  }

  private depth = 0;

  /**
   * sym_calc_value(). Evaluation recurses along dependencies like Linux's; when that gets deep (chains of thousands
   * of symbols), the dependencies are first computed bottom-up with an explicit stack, so the JavaScript stack stays
   * shallow. For acyclic trees (the only ones accepted) this computes the same values.
   */
  calcValue(sym: Sym): void {
    if (this.s(sym).flags & F_VALID) return;
    if (this.depth > 300) {
      const saved = this.depth;
      this.depth = 0;
      try {
        this.precompute(sym);
      } finally {
        this.depth = saved;
      }
    }
    this.depth++;
    try {
      this.calcValueInner(sym);
    } finally {
      this.depth--;
    }
  }

  private depsOf(s: Sym): Sym[] {
    const out: Sym[] = [];
    const add = (e: Expr | null): void => forEachSymInExpr(e, (x) => out.push(x));
    if (s.choice) out.push(s.choice);
    add(s.dirDep);
    add(s.revDep);
    add(s.implied);
    for (const p of s.props) {
      add(p.visible);
      if (p.kind === 'default') add(p.expr);
      if (p.range) out.push(...p.range);
    }
    if (s.isChoice) for (const v of s.choiceValues) for (const p of v.props) add(p.visible);
    return out;
  }

  /** Computes sym's not yet valid dependencies in post-order (dependencies first), iteratively. */
  private precompute(root: Sym): void {
    const seen = new Set<Sym>([root]);
    const stack: { s: Sym; deps: Sym[]; i: number }[] = [{ s: root, deps: this.depsOf(root), i: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.deps.length) {
        const d = top.deps[top.i++]!;
        if (seen.has(d) || this.s(d).flags & F_VALID) continue;
        seen.add(d);
        stack.push({ s: d, deps: this.depsOf(d), i: 0 });
        continue;
      }
      stack.pop();
      if (top.s !== root) this.calcValue(top.s);
    }
  }

  private calcValueInner(sym: Sym): void {
    const x = this.s(sym);
    if (x.flags & F_VALID) return;
    if (sym.isChoiceValue && x.flags & F_NEED_SET_CHOICE_VALUES) {
      x.flags &= ~F_NEED_SET_CHOICE_VALUES;
      this.calcValue(sym.choice!);
    }
    x.flags |= F_VALID;
    const oldTri = x.currTri;
    const oldVal = x.currVal;
    const oldChoice = x.currChoice;
    let newTri: Tri = NO;
    let newVal = '';
    switch (sym.type) {
      case 'int':
      case 'hex':
      case 'string':
        newVal = '';
        break;
      case 'bool':
      case 'tristate':
        newVal = 'n';
        break;
      default:
        x.currVal = sym.name ?? '';
        x.currTri = NO;
        return;
    }
    // Linux 4.11 left the WRITE flag of choice values set once they had been visible.
    if (!(this.compat === 'linux-4.11' && sym.isChoiceValue)) x.flags &= ~F_WRITE;
    this.calcVisibility(sym);
    if (x.visible !== NO) x.flags |= F_WRITE;
    x.currTri = newTri;
    x.currVal = newVal;
    x.currChoice = null;

    switch (this.getType(sym)) {
      case 'bool':
      case 'tristate': {
        if (sym.isChoiceValue && x.visible === YES) {
          newTri = this.s(sym.choice!).currChoice === sym ? YES : NO;
        } else {
          let calcNew = false;
          if (x.visible !== NO && this.hasValue(sym)) {
            newTri = triAnd(x.defTri, x.visible);
            calcNew = true;
          }
          if (!calcNew) {
            if (x.revDepTri !== NO) x.flags |= F_WRITE;
            if (!sym.isChoice) {
              const prop = this.getDefaultProp(sym);
              if (prop) {
                newTri = triAnd(this.exprCalc(prop.expr), this.propTri[prop.id] as Tri);
                if (newTri !== NO || this.compat === 'linux-4.11') x.flags |= F_WRITE;
              }
              if (x.impliedTri !== NO) {
                x.flags |= F_WRITE;
                newTri = triOr(newTri, x.impliedTri);
                if (this.compat === 'linux') newTri = triAnd(newTri, x.dirDepTri);
              }
            }
          }
          if (x.dirDepTri < x.revDepTri) this.warnUnmetDep(sym);
          newTri = triOr(newTri, x.revDepTri);
        }
        if (newTri === MOD && (this.getType(sym) === 'bool' || (this.compat === 'linux-4.11' && x.impliedTri === YES))) newTri = YES;
        break;
      }
      case 'string':
      case 'hex':
      case 'int': {
        if (x.visible !== NO && this.hasValue(sym)) {
          newVal = x.defVal ?? '';
          break;
        }
        const prop = this.getDefaultProp(sym);
        if (prop && prop.expr && prop.expr.k === 'sym') {
          const ds = prop.expr.sym;
          x.flags |= F_WRITE;
          this.calcValue(ds);
          newVal = this.s(ds).currVal;
        }
        break;
      }
      default:
        break;
    }
    x.currTri = newTri;
    x.currVal = newVal;
    if (sym.isChoice && newTri === YES) x.currChoice = this.calcChoice(sym);
    this.validateRange(sym);

    if (oldTri !== x.currTri || oldVal !== x.currVal || oldChoice !== x.currChoice) {
      this.setChanged(sym);
      if (sym === this.tree.modulesSym) this.modulesVal = x.currTri;
    }

    if (sym.isChoice) {
      for (const v of sym.choiceValues) {
        if (x.flags & F_WRITE && this.s(v).visible !== NO) this.s(v).flags |= F_WRITE;
      }
    }
    if (sym.noWrite && !(this.compat === 'linux-4.11' && sym === this.tree.defconfigList)) x.flags &= ~F_WRITE;
    if (x.flags & F_NEED_SET_CHOICE_VALUES) this.setAllChoiceValues(sym);
  }

  private warnUnmetDep(sym: Sym): void {
    if (!this.collectWarnings) return;
    const x = this.s(sym);
    if (x.flags & F_WARNED_UNMET) return;
    x.flags |= F_WARNED_UNMET;
    const val = (s: Sym): string => {
      this.calcValue(s);
      return this.getStringValue(s);
    };
    const notes = [`Depends on [${x.dirDepTri === MOD ? 'm' : 'n'}]: ${exprToString(sym.dirDep, val)}`];
    for (const [want, label] of [
      [YES, 'y'],
      [MOD, 'm'],
    ] as const) {
      const terms: string[] = [];
      for (const e of sym.revDep ? flatten(sym.revDep, 'or') : []) if (this.exprCalc(e) === want) terms.push(`  - ${exprToString(e, val)}`);
      // One note a line (a note is one line; the conf command prints them as Linux does, one under another).
      if (terms.length) notes.push(`Selected by [${label}]:`, ...terms);
    }
    this.warnings.push(
      diagnostic(M.unmetDependency, `unmet direct dependencies detected for ${sym.name}`, sym.menus[0]?.span, { notes }),
    );
  }

  /** conf's --yes2modconfig, --mod2yesconfig, --mod2noconfig: every tristate's user value `from` becomes `to`. */
  rewriteTristates(from: Tri, to: Tri): void {
    for (const sym of this.tree.symbols) {
      if (this.isYmn(sym)) continue;
      const x = this.s(sym);
      if (this.getType(sym) === 'tristate' && x.defTri === from) x.defTri = to;
    }
    this.clearAllValid();
  }

  clearAllValid(): void {
    for (const s of this.tree.symbols) if (!this.isYmn(s)) this.s(s).flags &= ~F_VALID;
    this.addChangeCount(1);
    this.calcValue(this.tree.modulesSym);
  }

  isChangeable(sym: Sym): boolean {
    const x = this.s(sym);
    return x.visible > x.revDepTri;
  }

  tristateWithinRange(sym: Sym, val: Tri): boolean {
    const type = this.getType(sym);
    const x = this.s(sym);
    if (x.visible === NO) return false;
    if (type !== 'bool' && type !== 'tristate') return false;
    if (type === 'bool' && val === MOD) return false;
    if (x.visible <= x.revDepTri) return false;
    // 4.11: an implied y made m unavailable (it would have become y); Linux 4.19 dropped this.
    if (this.compat === 'linux-4.11' && x.impliedTri === YES && val === MOD) return false;
    if (sym.isChoiceValue && x.visible === YES) return val === YES;
    return val >= x.revDepTri && val <= x.visible;
  }

  setTristateValue(sym: Sym, val: Tri): boolean {
    const oldval = this.getTristate(sym);
    if (oldval !== val && !this.tristateWithinRange(sym, val)) return false;
    const x = this.s(sym);
    if (!(x.flags & F_DEF_USER)) {
      x.flags |= F_DEF_USER;
      this.setChanged(sym);
    }
    if (sym.isChoiceValue && val === YES) {
      const cs = sym.choice!;
      const c = this.s(cs);
      c.defChoice = sym;
      c.flags |= F_DEF_USER;
      for (const v of cs.choiceValues) if (this.s(v).visible !== NO) this.s(v).flags |= F_DEF_USER;
    }
    x.defTri = val;
    if (oldval !== val) this.clearAllValid();
    return true;
  }

  stringValid(sym: Sym, str: string): boolean {
    switch (sym.type) {
      case 'string':
        return true;
      case 'int':
      case 'hex':
        return isValidNumber(sym.type, str);
      case 'bool':
      case 'tristate':
        return /^[yYmMnN]/.test(str);
      default:
        return false;
    }
  }

  stringWithinRange(sym: Sym, str: string): boolean {
    switch (sym.type) {
      case 'string':
        return this.stringValid(sym, str);
      case 'int':
      case 'hex': {
        if (!this.stringValid(sym, str)) return false;
        const base = sym.type === 'int' ? 10 : 16;
        const prop = this.getRangeProp(sym);
        if (!prop) return true;
        const val = strtoll(str, base);
        return val >= this.getRangeVal(prop.range![0], base) && val <= this.getRangeVal(prop.range![1], base);
      }
      case 'bool':
      case 'tristate': {
        const c = str[0];
        if (c === 'y' || c === 'Y') return this.tristateWithinRange(sym, YES);
        if (c === 'm' || c === 'M') return this.tristateWithinRange(sym, MOD);
        if (c === 'n' || c === 'N') return this.tristateWithinRange(sym, NO);
        return false;
      }
      default:
        return false;
    }
  }

  setStringValue(sym: Sym, newval: string): boolean {
    if (sym.type === 'bool' || sym.type === 'tristate') {
      const c = newval[0];
      if (c === 'y' || c === 'Y') return this.setTristateValue(sym, YES);
      if (c === 'm' || c === 'M') return this.setTristateValue(sym, MOD);
      if (c === 'n' || c === 'N') return this.setTristateValue(sym, NO);
      return false;
    }
    if (!this.stringWithinRange(sym, newval)) return false;
    const x = this.s(sym);
    if (!(x.flags & F_DEF_USER)) {
      x.flags |= F_DEF_USER;
      this.setChanged(sym);
    }
    const old = x.defVal;
    let v = newval;
    if (sym.type === 'hex' && !(newval[0] === '0' && (newval[1] === 'x' || newval[1] === 'X'))) v = '0x' + newval;
    else if (old !== null && old === newval) return true;
    x.defVal = v;
    this.clearAllValid();
    return true;
  }

  /** sym_get_string_default(): the value the symbol would have without a user value (savedefconfig). */
  getStringDefault(sym: Sym): string {
    this.calcVisibility(sym);
    this.calcValue(this.tree.modulesSym);
    let val: Tri = NO;
    let str = '';
    const prop = this.getDefaultProp(sym);
    if (prop) {
      if (sym.type === 'bool' || sym.type === 'tristate') val = triAnd(this.exprCalc(prop.expr), this.propTri[prop.id] as Tri);
      else if (prop.expr?.k === 'sym') {
        this.calcValue(prop.expr.sym);
        str = this.s(prop.expr.sym).currVal;
      }
    }
    const x = this.s(sym);
    val = triOr(val, x.revDepTri);
    if (val === MOD && !sym.isChoiceValue && this.s(this.tree.modulesSym).currTri === NO) val = YES;
    if (sym.type === 'bool' && val === MOD) val = YES;
    if (val < x.impliedTri) val = x.impliedTri;
    if (sym.type === 'bool' || sym.type === 'tristate') return triChar(val);
    return str;
  }

  /** The first part of menu_is_visible(): 'children' when only a visible child can make the entry visible. */
  private ownVisibility(menu: MenuNode): 'yes' | 'no' | 'children' {
    if (!menu.prompt) return 'no';
    if (menu.visibility && this.exprCalc(menu.visibility) === NO) return 'no';
    const sym = menu.sym;
    let visible: Tri;
    if (sym) {
      this.calcValue(sym);
      visible = this.propTri[menu.prompt.id] as Tri;
    } else {
      visible = this.exprCalc(menu.prompt.visible);
      this.propTri[menu.prompt.id] = visible;
    }
    if (visible !== NO) return 'yes';
    if (!sym || this.getTristate(sym) === NO) return 'no';
    return 'children';
  }

  /**
   * menu_is_visible(), including its side effect: a symbol whose prompt is hidden but which has a visible child
   * gets a user value. Iterative (the recursion follows dependency chains).
   */
  menuIsVisible(menu: MenuNode): boolean {
    const own = this.ownVisibility(menu);
    if (own !== 'children') return own === 'yes';
    const stack: { node: MenuNode; i: number }[] = [{ node: menu, i: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.i >= top.node.children.length) {
        stack.pop();
        continue;
      }
      const child = top.node.children[top.i++]!;
      const r = this.ownVisibility(child);
      if (r === 'yes') {
        for (const f of stack) this.s(f.node.sym!).flags |= F_DEF_USER;
        return true;
      }
      if (r === 'children') stack.push({ node: child, i: 0 });
    }
    return false;
  }

  /** Calculates every symbol (in definition order, as conf does over its symbol table). */
  calcAll(): void {
    for (const s of this.tree.symbols) this.calcValue(s);
  }
}
