import { diagnostic } from '../diagnostics/define.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { KconfigMessages as M } from './messages.js';
import type { Expr, MenuNode, Prop, Sym } from './model.js';
import { exprAnd, exprContainsSym, exprOr, exprSym, exprToString, forEachSymInExpr } from './model.js';
import type { KconfigTree } from './parser.js';

/** Linux menu.c: menu_finalize() — propagates dependencies, builds select/imply reverse dependencies, choices, auto-submenus. */
export function finalizeTree(tree: KconfigTree, diags: Diagnostic[]): void {
  const fin = new Finalizer(tree, diags);
  fin.run(tree.root);
  checkCycles(tree, diags);
}

class Finalizer {
  private readonly warned = new Set<Sym>();
  constructor(
    private readonly tree: KconfigTree,
    private readonly diags: Diagnostic[],
  ) {}

  /** 'm' in a condition means 'm && MODULES'. */
  private rewriteM(e: Expr | null): Expr | null {
    if (!e) return e;
    switch (e.k) {
      case 'not':
        return { k: 'not', e: this.rewriteM(e.e)! };
      case 'and':
      case 'or':
        return { k: e.k, l: this.rewriteM(e.l)!, r: this.rewriteM(e.r)! };
      case 'sym':
        if (e.sym === this.tree.symMod) return { k: 'and', l: e, r: exprSym(this.tree.modulesSym) };
        return e;
      default:
        return e;
    }
  }

  /**
   * The value-changing part of expr_transform(): comparisons of a bool symbol with y/m/n become plain logic
   * ("B = m" is n even without modules, where the string comparison "n" = "n" would have been true).
   */
  private transform(e: Expr | null, at: MenuNode): Expr | null {
    if (!e) return e;
    const t = this.tree;
    switch (e.k) {
      case 'and':
      case 'or':
        return { k: e.k, l: this.transform(e.l, at)!, r: this.transform(e.r, at)! };
      case 'not':
        return { k: 'not', e: this.transform(e.e, at)! };
      case 'cmp': {
        if (e.l.type !== 'bool' || (e.op !== '=' && e.op !== '!=')) return e;
        const r = e.r;
        if (r !== t.symYes && r !== t.symMod && r !== t.symNo) return e;
        if (r === t.symMod)
          this.diags.push(
            diagnostic(M.boolTestedForM, `boolean symbol ${e.l.name} tested for 'm'? test forced to '${e.op === '=' ? 'n' : 'y'}'`, at.span),
          );
        const pos: Expr = exprSym(e.l);
        const neg: Expr = { k: 'not', e: pos };
        if (e.op === '=') return r === t.symNo ? neg : r === t.symMod ? exprSym(t.symNo) : pos;
        return r === t.symNo ? pos : r === t.symMod ? exprSym(t.symYes) : neg;
      }
      default:
        return e;
    }
  }

  /** expr_trans_bool(): for non-tristate symbols, "FOO != n" becomes "FOO" when FOO is tristate. */
  private transBool(e: Expr | null): Expr | null {
    if (!e) return e;
    switch (e.k) {
      case 'and':
      case 'or':
        return { k: e.k, l: this.transBool(e.l)!, r: this.transBool(e.r)! };
      case 'not':
        return { k: 'not', e: this.transBool(e.e)! };
      case 'cmp':
        if (e.op === '!=' && e.l.type === 'tristate' && e.r === this.tree.symNo) return exprSym(e.l);
        return e;
      default:
        return e;
    }
  }

  private setType(node: MenuNode, sym: Sym, type: Sym['type']): void {
    if (sym.type === type) return;
    if (sym.type === 'unknown') {
      sym.type = type;
      return;
    }
    this.diags.push(diagnostic(M.typeRedefined, `ignoring type redefinition of '${sym.name ?? '<choice>'}' from '${sym.type}' to '${type}'`, node.span));
  }

  /**
   * Runs finalize() with an explicit stack: automatic submenus nest as deep as dependency chains go (a chain of
   * thousands of symbols is thousands of levels), deeper than the JavaScript stack allows.
   */
  run(root: MenuNode): void {
    const stack: Generator<MenuNode, void, void>[] = [this.finalize(root)];
    while (stack.length) {
      const r = stack[stack.length - 1]!.next();
      if (r.done) stack.pop();
      else stack.push(this.finalize(r.value));
    }
  }

  /** One menu_finalize() step; `yield node` finalizes node (recursively) before continuing. */
  *finalize(parent: MenuNode): Generator<MenuNode, void, void> {
    const sym = parent.sym;
    if (parent.children.length) {
      let parentDep: Expr | null;
      if (sym && sym.isChoice) {
        if (sym.type === 'unknown') {
          for (const m of parent.children) {
            if (m.sym && m.sym.type !== 'unknown') {
              this.setType(parent, sym, m.sym.type);
              break;
            }
          }
        }
        for (const m of parent.children) if (m.sym && m.sym.type === 'unknown') this.setType(m, m.sym, sym.type);
        parentDep = exprSym(sym);
      } else parentDep = parent.dep;

      for (const menu of parent.children) {
        const baseDep = exprAnd(parentDep, this.transform(this.rewriteM(menu.dep), menu));
        menu.dep = baseDep;
        const props: Prop[] = menu.sym ? menu.sym.props : menu.prompt ? [menu.prompt] : [];
        for (const prop of props) {
          if (prop.menu !== menu || prop.auto) continue;
          let dep = exprAnd(baseDep, this.transform(this.rewriteM(prop.visible), menu));
          if (menu.sym && menu.sym.type !== 'tristate') dep = this.transBool(dep);
          prop.visible = dep;
          if (prop.kind === 'select' || prop.kind === 'imply') {
            const es = (prop.expr as { k: 'sym'; sym: Sym }).sym;
            const term = exprAnd(exprSym(menu.sym!), dep);
            if (prop.kind === 'select') es.revDep = exprOr(es.revDep, term);
            else es.implied = exprOr(es.implied, term);
          }
        }
      }
      for (let i = 0; i < parent.children.length; i++) yield parent.children[i]!;
    } else if (sym) {
      yield* this.autoSubmenu(parent, sym);
      sym.dirDep = exprOr(sym.dirDep, parent.dep);
    }

    for (let i = 0; i < parent.children.length; i++) {
      const menu = parent.children[i]!;
      if (sym && sym.isChoice && menu.sym && !menu.sym.isChoiceValue) {
        const v = menu.sym;
        v.isChoiceValue = true;
        v.choice = sym;
        if (!menu.prompt) this.diags.push(diagnostic(M.choiceValueNoPrompt, 'choice value must have a prompt', menu.span));
        for (const prop of v.props) {
          if (prop.kind === 'default') this.diags.push(diagnostic(M.choiceValueDefault, 'defaults for choice values not supported', prop.span));
          if (prop.menu === menu) continue;
          if (prop.kind === 'prompt' && prop.menu.parent?.sym !== sym)
            this.diags.push(diagnostic(M.choiceValueOutside, 'choice value used outside its choice group', prop.span));
        }
        if (sym.type === 'tristate' && v.type !== 'tristate') {
          const baseDep: Expr = { k: 'cmp', op: '=', l: sym, r: this.tree.symYes };
          menu.dep = exprAnd(baseDep, menu.dep);
          for (const prop of v.props) if (prop.menu === menu && !prop.auto) prop.visible = exprAnd(baseDep, prop.visible);
        }
        sym.choiceValues.push(v);
      }
      // Flatten 'if' blocks and submenus of promptless symbols.
      if (menu.children.length && (!menu.prompt || !menu.prompt.text)) {
        const kids = menu.children;
        for (const k of kids) k.parent = parent;
        menu.children = [];
        parent.children.splice(i + 1, 0, ...kids);
      }
    }

    if (sym && !this.warned.has(sym)) {
      this.warned.add(sym);
      if (sym.type === 'unknown' && !sym.isConst) this.diags.push(diagnostic(M.noType, `config symbol '${sym.name ?? '<choice>'}' defined without type`, parent.span));
      if (sym.isChoice && !parent.prompt) this.diags.push(diagnostic(M.choiceNoPrompt, 'choice must have a prompt', parent.span));
      this.checkProps(sym);
    }

    if (sym && !sym.optional && parent.prompt) {
      sym.revDep = exprOr(sym.revDep, exprAnd(parent.prompt.visible, exprSym(this.tree.symMod)));
    }
  }

  /** Automatic submenu creation: following siblings that depend on sym become its children. */
  private *autoSubmenu(node: MenuNode, sym: Sym): Generator<MenuNode, void, void> {
    const parent = node.parent;
    if (!parent) return;
    const siblings = parent.children;
    const idx = siblings.indexOf(node);
    const baseConj = node.prompt ? conjuncts(this.neqNo(node.prompt.visible)) : [];
    let last = idx;
    for (let j = idx + 1; j < siblings.length; j++) {
      const menu = siblings[j]!;
      const dep = menu.prompt ? menu.prompt.visible : menu.dep;
      if (!exprContainsSym(dep, sym)) break;
      if (!dependsSymbol(dep, sym)) {
        const depConj = conjuncts(this.neqNo(dep)).map(keyOf);
        const set = new Set(depConj);
        if (!baseConj.every((c) => set.has(keyOf(c)))) break;
      }
      yield menu;
      menu.parent = node;
      last = j;
    }
    if (last > idx) {
      node.children = siblings.splice(idx + 1, last - idx);
    }
  }

  /** expr_trans_compare(e, E_UNEQUAL, n), reduced to what the superset test needs. */
  private neqNo(e: Expr | null): Expr | null {
    return e;
  }

  private warn(def: typeof M.selectType, msg: string, prop: Prop): void {
    this.diags.push(diagnostic(def, msg, prop.span));
  }

  /** sym_check_prop() */
  private checkProps(sym: Sym): void {
    for (const prop of sym.props) {
      switch (prop.kind) {
        case 'default': {
          if ((sym.type === 'string' || sym.type === 'int' || sym.type === 'hex') && prop.expr?.k !== 'sym') {
            this.warn(M.defaultInvalid, `default for config symbol '${sym.name}' must be a single symbol`, prop);
          }
          if (prop.expr?.k !== 'sym') break;
          const d = prop.expr.sym;
          if (sym.type === 'hex' || sym.type === 'int') {
            if (!d.isConst && d.type === 'unknown' && !isValidNumber(sym.type, d.name ?? '') && !this.tree.byName.get(d.name ?? '')?.menus.length)
              this.warn(M.defaultInvalid, `'${d.name}': number is invalid`, prop);
          }
          if (sym.isChoice && !(d.menus.length && d.menus.some((m) => m.parent?.sym === sym || isUnder(m, sym))))
            this.warn(M.defaultInvalid, `choice default symbol '${d.name}' is not contained in the choice`, prop);
          break;
        }
        case 'select':
        case 'imply': {
          const t = (prop.expr as { k: 'sym'; sym: Sym }).sym;
          if (sym.type !== 'bool' && sym.type !== 'tristate') this.warn(M.selectType, `config symbol '${sym.name}' uses ${prop.kind}, but is not bool or tristate`, prop);
          else if (t.type !== 'unknown' && t.type !== 'bool' && t.type !== 'tristate')
            this.warn(M.selectType, `'${t.name}' has wrong type. '${prop.kind}' only accept arguments of bool and tristate type`, prop);
          break;
        }
        case 'range': {
          if (sym.type !== 'int' && sym.type !== 'hex') this.warn(M.rangeInvalid, 'range is only allowed for int or hex symbols', prop);
          else if (!numberOk(sym.type, prop.range![0]) || !numberOk(sym.type, prop.range![1])) this.warn(M.rangeInvalid, 'range is invalid', prop);
          break;
        }
        default:
          break;
      }
    }
  }
}

function isUnder(m: MenuNode, sym: Sym): boolean {
  for (let p = m.parent; p; p = p.parent) if (p.sym === sym) return true;
  return false;
}

function numberOk(type: 'int' | 'hex', s: Sym): boolean {
  if (s.type === type) return true;
  if (s.type !== 'unknown') return false;
  return isValidNumber(type, s.name ?? '');
}

export function isValidNumber(type: string, str: string): boolean {
  if (type === 'int') return /^-?(0|[1-9][0-9]*)$/.test(str);
  if (type === 'hex') return /^(0[xX])?[0-9a-fA-F]+$/.test(str);
  return true;
}

/** expr_depends_symbol() */
function dependsSymbol(dep: Expr | null, sym: Sym): boolean {
  if (!dep) return false;
  switch (dep.k) {
    case 'and':
      return dependsSymbol(dep.l, sym) || dependsSymbol(dep.r, sym);
    case 'sym':
      return dep.sym === sym;
    case 'cmp':
      if (dep.l !== sym) return false;
      if (dep.op === '=') return dep.r.name === 'y' || dep.r.name === 'm';
      if (dep.op === '!=') return dep.r.name === 'n' && dep.r.isConst;
      return false;
    default:
      return false;
  }
}

function conjuncts(e: Expr | null): Expr[] {
  if (!e) return [];
  if (e.k === 'and') return [...conjuncts(e.l), ...conjuncts(e.r)];
  if (e.k === 'cmp' && e.op === '!=' && e.r.name === 'n' && e.r.isConst) return [exprSym(e.l)];
  return [e];
}

function keyOf(e: Expr): string {
  return exprToString(e) + '#' + idsOf(e);
}
function idsOf(e: Expr): string {
  const ids: number[] = [];
  forEachSymInExpr(e, (s) => ids.push(s.id));
  return ids.join(',');
}

/** sym_check_deps(): reports recursive dependencies (Linux refuses such Kconfigs). */
function checkCycles(tree: KconfigTree, diags: Diagnostic[]): void {
  const state = new Uint8Array(tree.symbols.length); // 0 new, 1 on stack, 2 done
  const stack: Sym[] = [];
  const reported = new Set<string>();
  // A choice and its values are checked as one group, as Linux does (sym_check_choice_deps): a value is
  // reached through its choice, and the choice's dependencies are its own and its values'. A value's own
  // dependency on its choice is no cycle; a path back to any value of the group is.
  const members = new Map<Sym, Sym[]>();
  for (const s of tree.symbols) {
    if (!s.isChoiceValue || !s.choice) continue;
    const list = members.get(s.choice);
    if (list) list.push(s);
    else members.set(s.choice, [s]);
  }
  const group = (x: Sym): Sym => (x.isChoiceValue && x.choice ? x.choice : x);
  const own = (s: Sym): Sym[] => {
    const out: Sym[] = [];
    const add = (e: Expr | null): void => forEachSymInExpr(e, (x) => out.push(x));
    add(s.dirDep);
    add(s.revDep);
    add(s.implied);
    for (const p of s.props) {
      if (p.kind === 'choice' || p.kind === 'select' || p.kind === 'imply') continue;
      add(p.visible);
      if (p.kind === 'default' && !s.isChoice) add(p.expr);
      if (p.kind === 'range') out.push(...p.range!);
    }
    return out.filter((x) => !x.isConst && x.type !== 'unknown');
  };
  const edges = (s: Sym): Sym[] => {
    const out = s.isChoice ? [...own(s), ...(members.get(s) ?? []).flatMap((m) => own(m).filter((x) => x !== s))] : own(s);
    return out.map(group);
  };
  // Depth first from each symbol; the first cycle found ends the walk from that symbol (everything on the
  // stack counts as checked then), as in Linux: one report per cycle, not one more for each way round it.
  const visit = (root: Sym): void => {
    const work: { s: Sym; it: Sym[]; i: number }[] = [{ s: root, it: edges(root), i: 0 }];
    state[root.id] = 1;
    stack.push(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      if (top.i >= top.it.length) {
        state[top.s.id] = 2;
        stack.pop();
        work.pop();
        continue;
      }
      const n = top.it[top.i++]!;
      if (state[n.id] === 1) {
        const from = stack.indexOf(n);
        const cycle = stack.slice(from);
        const key = cycle.map((c) => c.id).sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          const names = [...cycle, n].map((c) => c.name ?? '<choice>');
          const span = n.menus[0]?.span;
          diags.push(
            diagnostic(M.dependencyCycle, `recursive dependency detected: ${names.join(' -> ')}`, span, {
              related: cycle
                .filter((c) => c.menus[0])
                .map((c) => ({ span: c.menus[0]!.span, message: `symbol ${c.name ?? '<choice>'} is part of the cycle` })),
              notes: ['For a resolution refer to Documentation/kbuild/kconfig-language.rst, subsection "Kconfig recursive dependency limitations"'],
            }),
          );
        }
        for (const c of stack) state[c.id] = 2;
        stack.length = 0;
        return;
      }
      if (state[n.id] === 2) continue;
      state[n.id] = 1;
      stack.push(n);
      work.push({ s: n, it: edges(n), i: 0 });
    }
  };
  for (const s of tree.symbols) if (state[group(s).id] === 0 && !s.isConst) visit(group(s));
}
