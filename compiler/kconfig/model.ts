import type { Span } from '../diagnostics/span.js';

/** Tristate values: n = 0, m = 1, y = 2 (ordered, so AND is min and OR is max, as in Linux's expr.h). */
export type Tri = 0 | 1 | 2;
export const NO: Tri = 0;
export const MOD: Tri = 1;
export const YES: Tri = 2;
export const triAnd = (a: Tri, b: Tri): Tri => (a < b ? a : b);
export const triOr = (a: Tri, b: Tri): Tri => (a > b ? a : b);
export const triNot = (a: Tri): Tri => (2 - a) as Tri;
export const triChar = (t: Tri): string => (t === 2 ? 'y' : t === 1 ? 'm' : 'n');

export type SymType = 'unknown' | 'bool' | 'tristate' | 'int' | 'hex' | 'string';

export type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { k: 'sym'; sym: Sym }
  | { k: 'not'; e: Expr }
  | { k: 'and'; l: Expr; r: Expr }
  | { k: 'or'; l: Expr; r: Expr }
  | { k: 'cmp'; op: CmpOp; l: Sym; r: Sym };

export type PropKind = 'prompt' | 'menu' | 'comment' | 'default' | 'select' | 'imply' | 'range' | 'choice' | 'env';

export interface Prop {
  id: number;
  kind: PropKind;
  /** Prompt text for prompt/menu/comment. */
  text?: string;
  /** default: the value expression; select/imply: the target; range: [lo, hi] as cmp-less pair. */
  expr: Expr | null;
  range?: [Sym, Sym];
  /** The condition ("if ..."), after menu_finalize: with all inherited dependencies. */
  visible: Expr | null;
  menu: MenuNode;
  span: Span;
  /** Added by `option env` (no condition, not location-specific). */
  auto?: boolean;
}

export interface Sym {
  id: number;
  /** null for unnamed choices. */
  name: string | null;
  type: SymType;
  isConst: boolean;
  isChoice: boolean;
  /** Set by menu_finalize for direct children of a choice. */
  isChoiceValue: boolean;
  /** SYMBOL_OPTIONAL: all ordinary symbols, and choices declared "optional". */
  optional: boolean;
  /** Not written to .config (choices, option env, option defconfig_list). */
  noWrite: boolean;
  allnoconfigY: boolean;
  props: Prop[];
  dirDep: Expr | null;
  revDep: Expr | null;
  implied: Expr | null;
  menus: MenuNode[];
  /** For choice values: their choice. For choices: their values, in order. */
  choice: Sym | null;
  choiceValues: Sym[];
  /** option env="NAME" */
  env?: string;
  /** When Linux 4.11's parser would have created it, relative to the others (its symbol hash table's order: random.ts). */
  order411?: number;
}

export type MenuKind = 'root' | 'config' | 'menuconfig' | 'choice' | 'menu' | 'comment' | 'if';

export interface MenuNode {
  kind: MenuKind;
  sym: Sym | null;
  prompt: Prop | null;
  dep: Expr | null;
  visibility: Expr | null;
  help: string | null;
  parent: MenuNode | null;
  children: MenuNode[];
  span: Span;
  /** The span of the whole block, for menus/choices/ifs, up to the end statement. */
  file: string;
  line: number;
}

export const exprSym = (sym: Sym): Expr => ({ k: 'sym', sym });
export function exprAnd(a: Expr | null, b: Expr | null): Expr | null {
  if (!a) return b;
  return b ? { k: 'and', l: a, r: b } : a;
}
export function exprOr(a: Expr | null, b: Expr | null): Expr | null {
  if (!a) return b;
  return b ? { k: 'or', l: a, r: b } : a;
}

export function exprContainsSym(e: Expr | null, sym: Sym): boolean {
  let found = false;
  forEachSymInExpr(e, (s) => {
    if (s === sym) found = true;
  });
  return found;
}

export function forEachSymInExpr(e: Expr | null, fn: (s: Sym) => void): void {
  // Iterative: reverse dependencies of much-selected symbols are long || chains.
  const stack: Expr[] = e ? [e] : [];
  while (stack.length) {
    const x = stack.pop()!;
    switch (x.k) {
      case 'sym':
        fn(x.sym);
        break;
      case 'not':
        stack.push(x.e);
        break;
      case 'and':
      case 'or':
        stack.push(x.r, x.l);
        break;
      case 'cmp':
        fn(x.l);
        fn(x.r);
    }
  }
}

/** The operands of a chain of one operator (a || b || c → [a, b, c]), without recursion. */
export function flatten(e: Expr, op: 'and' | 'or'): Expr[] {
  const out: Expr[] = [];
  const stack: Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.k === op) stack.push(x.r, x.l);
    else out.push(x);
  }
  return out;
}

function symText(s: Sym): string {
  if (s.name === null) return '<choice>';
  if (s.isConst && !(s.name === 'y' || s.name === 'm' || s.name === 'n') ) return `"${s.name}"`;
  return s.name;
}

const prec = (e: Expr): number => (e.k === 'or' ? 1 : e.k === 'and' ? 2 : e.k === 'not' ? 4 : 5);

/** Prints an expression the way Linux's expr_print does ("A && (B || !C)", "X=y"). */
export function exprToString(e: Expr | null, valueOf?: (s: Sym) => string): string {
  if (!e) return 'y';
  const sv = (s: Sym): string => {
    const t = symText(s);
    if (!valueOf || s.isConst) return t;
    return `${t} [=${valueOf(s)}]`;
  };
  const sub = (x: Expr, parentPrec: number): string => {
    const str = exprToString(x, valueOf);
    return prec(x) < parentPrec ? `(${str})` : str;
  };
  switch (e.k) {
    case 'sym':
      return sv(e.sym);
    case 'not':
      return '!' + sub(e.e, 4);
    case 'and':
      return flatten(e, 'and').map((x) => sub(x, 2)).join(' && ');
    case 'or':
      return flatten(e, 'or').map((x) => sub(x, 1)).join(' || ');
    case 'cmp':
      return `${sv(e.l)}${e.op}${sv(e.r)}`;
  }
}
