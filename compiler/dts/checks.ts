import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic, type MessageDef } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import { M } from './messages.js';
import type { DtNode, DtProperty, DtTree } from './tree.js';
import {
  asStringList,
  asU32Array,
  getProperty,
  nodeByRef,
  propertyBytes,
  propertyLength,
  walkNodes,
} from './values.js';

/** How a check reports: as dtc does, each check is a warning or an error, and may be switched off. */
export type CheckLevel = 'off' | 'warning' | 'error';

export interface CheckContext {
  tree: DtTree;
  /** Reports against a node (or one of its properties); the message gets dtc's "<path>: " prefix. */
  fail(node: DtNode, message: string, span?: Span, prop?: DtProperty): void;
  phandles: PhandleAllocator;
}

export interface Check {
  /** dtc's name (underscores), as in `dtc -W no-<name>`. */
  name: string;
  def: MessageDef;
  /** Default level, as in dtc's checks.c. */
  level: CheckLevel;
  /** Checks whose results this one needs first (dtc's prereqs). */
  prereqs?: string[];
  /** Per node, parents before children. */
  node?: (ctx: CheckContext, node: DtNode) => void;
  /** Whole tree, once. */
  tree?: (ctx: CheckContext) => void;
}

/** Allocates phandles the way dtc's get_node_phandle does (first free value from 1, adds a `phandle` property). */
export class PhandleAllocator {
  private next = 1;
  private byValue = new Map<number, DtNode>();
  constructor(private readonly tree: DtTree) {}

  register(node: DtNode, value: number): void {
    node.phandle = value;
    if (!this.byValue.has(value)) this.byValue.set(value, node);
  }

  lookup(value: number): DtNode | undefined {
    return this.byValue.get(value);
  }

  /** The node's phandle, assigning one (and adding a `phandle` property) when it has none. */
  get(node: DtNode): number {
    if (node.phandle !== undefined && node.phandle !== 0 && node.phandle !== 0xffffffff) return node.phandle;
    while (this.byValue.has(this.next)) this.next++;
    const value = this.next;
    this.register(node, value);
    if (!getProperty(node, 'phandle')) {
      node.properties.push({
        name: 'phandle',
        labels: [],
        span: node.span,
        chunks: [{ kind: 'cells', bits: 32, items: [{ value: BigInt(value), span: node.span }], span: node.span }],
      });
    }
    return value;
  }
}

const isValidPhandle = (p: number) => p !== 0 && p !== 0xffffffff;

function spanOf(node: DtNode, prop?: DtProperty): Span {
  return prop ? prop.span : node.span;
}

// ---------------------------------------------------------------------------------------------------------------
// Structure checks

const NODE_CHARS = /^[a-zA-Z0-9,._+*#?@-]*$/;
const PROP_CHARS = /^[a-zA-Z0-9,._+*#?-]*$/;

function checkPhandleProp(ctx: CheckContext, node: DtNode, name: string): number {
  const prop = getProperty(node, name);
  if (!prop) return 0;
  const len = propertyLength(prop);
  if (len !== 4) {
    ctx.fail(node, `bad length (${len}) ${name} property`, prop.span, prop);
    return 0;
  }
  const c = prop.chunks[0];
  if (c && c.kind === 'cells' && c.items[0]?.ref !== undefined) {
    if (nodeByRef(ctx.tree, c.items[0].ref) !== node) ctx.fail(node, `${name} is a reference to another node`, prop.span, prop);
    return 0;
  }
  const v = asU32Array(prop)![0]!;
  if (!isValidPhandle(v)) {
    ctx.fail(node, `bad value (0x${v.toString(16)}) in ${name} property`, prop.span, prop);
    return 0;
  }
  return v;
}

export const checkTable: Check[] = [
  {
    name: 'duplicate_node_names',
    def: M.duplicateNodeNames,
    level: 'error',
    node(ctx, node) {
      const seen = new Map<string, DtNode>();
      for (const c of node.children) {
        if (seen.has(c.fullName)) ctx.fail(c, `Duplicate node name`, c.span);
        else seen.set(c.fullName, c);
      }
    },
  },
  {
    name: 'duplicate_property_names',
    def: M.duplicatePropertyNames,
    level: 'error',
    node(ctx, node) {
      const seen = new Set<string>();
      for (const p of node.properties) {
        if (seen.has(p.name)) ctx.fail(node, `Duplicate property name ${p.name}`, p.span, p);
        else seen.add(p.name);
      }
    },
  },
  {
    name: 'node_name_chars',
    def: M.nodeNameChars,
    level: 'error',
    node(ctx, node) {
      if (!NODE_CHARS.test(node.fullName)) ctx.fail(node, `Bad character in node name`, node.span);
    },
  },
  {
    name: 'node_name_format',
    def: M.nodeNameFormat,
    level: 'error',
    prereqs: ['node_name_chars'],
    node(ctx, node) {
      if (node.unitAddress !== undefined && node.unitAddress.includes('@'))
        ctx.fail(node, `multiple '@' characters in node name`, node.span);
    },
  },
  {
    name: 'property_name_chars',
    def: M.propertyNameChars,
    level: 'error',
    node(ctx, node) {
      for (const p of node.properties) {
        if (!PROP_CHARS.test(p.name)) ctx.fail(node, `Bad character '${firstBad(p.name, PROP_CHARS)}' in property name`, p.span, p);
      }
    },
  },
  {
    name: 'name_is_string',
    def: M.nameIsString,
    level: 'error',
    node(ctx, node) {
      const p = getProperty(node, 'name');
      if (p && !isStringProp(p)) ctx.fail(node, `property "name" is not a string`, p.span, p);
    },
  },
  {
    name: 'name_properties',
    def: M.nameProperties,
    level: 'error',
    prereqs: ['name_is_string'],
    node(ctx, node) {
      const i = node.properties.findIndex((p) => p.name === 'name');
      if (i < 0) return;
      const p = node.properties[i]!;
      const b = propertyBytes(p);
      const v = Buffer.from(b.subarray(0, Math.max(0, b.length - 1))).toString('latin1');
      if (b.length === Buffer.byteLength(node.name, 'latin1') + 1 && v === node.name) {
        // dtc drops a "name" property that just repeats the node name.
        node.properties.splice(i, 1);
      } else {
        ctx.fail(node, `"name" property is incorrect ("${v}" instead of base node name)`, p.span, p);
      }
    },
  },
  {
    name: 'node_name_vs_property_name',
    def: M.nodeNameVsPropertyName,
    level: 'off',
    node(ctx, node) {
      for (const c of node.children)
        if (getProperty(node, c.name)) ctx.fail(c, `node name and property name conflict`, c.span);
    },
  },
  {
    name: 'duplicate_label',
    def: M.duplicateLabel,
    level: 'error',
    tree(ctx) {
      const seen = new Map<string, { node: DtNode; what: string }>();
      const see = (label: string, node: DtNode, what: string, span: Span) => {
        const prev = seen.get(label);
        if (!prev) {
          seen.set(label, { node, what });
          return;
        }
        if (prev.what !== what)
          ctx.fail(node, `Duplicate label '${label}' on ${what} and ${prev.what}`, span);
      };
      for (const n of walkNodes(ctx.tree.root)) {
        for (const l of n.labels) see(l, n, n.path, n.span);
        for (const p of n.properties) {
          for (const l of p.labels) see(l, n, `property '${p.name}' in ${n.path}`, p.span);
          for (const vl of p.valueLabels ?? []) see(vl.name, n, `value of property '${p.name}' in ${n.path}`, vl.span);
        }
      }
    },
  },
  {
    name: 'explicit_phandles',
    def: M.explicitPhandles,
    level: 'error',
    node(ctx, node) {
      const ph = checkPhandleProp(ctx, node, 'phandle');
      const lph = checkPhandleProp(ctx, node, 'linux,phandle');
      if (!ph && !lph) return;
      if (ph && lph && ph !== lph) ctx.fail(node, `mismatching 'phandle' and 'linux,phandle' properties`, node.span);
      const value = ph || lph;
      const other = ctx.phandles.lookup(value);
      if (other && other !== node) {
        ctx.fail(node, `duplicated phandle 0x${value.toString(16)} (seen before at ${other.path})`, node.span);
        return;
      }
      ctx.phandles.register(node, value);
    },
  },
  {
    name: 'phandle_references',
    def: M.phandleReferences,
    level: 'error',
    prereqs: ['explicit_phandles'],
    node(ctx, node) {
      for (const p of node.properties) {
        for (const c of p.chunks) {
          if (c.kind !== 'cells') continue;
          for (const it of c.items) {
            if (it.ref === undefined) continue;
            const target = nodeByRef(ctx.tree, it.ref);
            if (!target) {
              if (!ctx.tree.plugin) ctx.fail(node, `Reference to non-existent node or label "${it.ref}"`, it.span, p);
              it.value = 0xffffffffn;
              continue;
            }
            it.value = BigInt(ctx.phandles.get(target));
            referenced.add(target);
          }
        }
      }
    },
  },
  {
    name: 'path_references',
    def: M.pathReferences,
    level: 'error',
    node(ctx, node) {
      for (const p of node.properties) {
        for (const c of p.chunks) {
          if (c.kind !== 'path-ref') continue;
          const target = nodeByRef(ctx.tree, c.target);
          if (!target) {
            ctx.fail(node, `Reference to non-existent node or label "${c.target}"`, c.span, p);
            continue;
          }
          c.path = target.path;
          referenced.add(target);
        }
      }
    },
  },
  {
    name: 'omit_unused_nodes',
    def: M.phandleReferences,
    level: 'error',
    prereqs: ['phandle_references', 'path_references'],
    tree(ctx) {
      const walk = (n: DtNode) => {
        n.children = n.children.filter((c) => !(c.omitIfNoRef && !referenced.has(c)));
        for (const c of n.children) walk(c);
      };
      walk(ctx.tree.root);
    },
  },
];

/** Nodes referenced by a phandle or path reference during the current run (for /omit-if-no-ref/). */
let referenced = new Set<DtNode>();

function firstBad(name: string, re: RegExp): string {
  for (const ch of name) if (!re.test(ch)) return ch;
  return '?';
}

function isStringProp(p: DtProperty): boolean {
  const l = asStringList(p);
  return l !== undefined && l.length === 1;
}

export interface CheckOptions {
  /** Overrides by check name (dtc's underscore names or our kebab-case names): 'off' | 'warning' | 'error'. */
  levels?: Record<string, CheckLevel>;
  /** Run only the fixups dtc implements as checks (phandles, references, /omit-if-no-ref/). */
  fixupsOnly?: boolean;
}

const FIXUPS = new Set(['explicit_phandles', 'phandle_references', 'path_references', 'omit_unused_nodes']);

const normalize = (n: string) => n.replace(/-/g, '_');

/** Runs dtc's checks (and the fixups dtc implements as checks: phandle and path references) over the tree. */
export function runChecks(tree: DtTree, diags: Diagnostic[], options: CheckOptions = {}): PhandleAllocator {
  const levels = new Map<string, CheckLevel>();
  for (const [k, v] of Object.entries(options.levels ?? {})) levels.set(normalize(k), v);
  const phandles = new PhandleAllocator(tree);
  referenced = new Set();
  const done = new Set<string>();
  const failed = new Set<string>();
  const byName = new Map(checkTable.map((c) => [c.name, c]));
  let current: Check = checkTable[0]!;
  let level: CheckLevel = 'error';
  const ctx: CheckContext = {
    tree,
    phandles,
    fail(node, message, span, prop) {
      failed.add(current.name);
      if (level === 'off') return;
      const d = diagnostic({ ...current.def, severity: level }, `${node.path}: ${message}`, span ?? spanOf(node, prop));
      d.notes.push(`dtc check: ${current.name}`);
      diags.push(d);
    },
  };
  const run = (c: Check) => {
    if (done.has(c.name)) return;
    done.add(c.name);
    for (const p of c.prereqs ?? []) {
      const pc = byName.get(p);
      if (pc) run(pc);
      // dtc skips a check whose prerequisite failed.
      if (failed.has(p)) {
        failed.add(c.name);
        return;
      }
    }
    const saved = [current, level] as const;
    current = c;
    level = levels.get(c.name) ?? c.level;
    if (c.tree) c.tree(ctx);
    if (c.node) {
      const walk = (n: DtNode) => {
        c.node!(ctx, n);
        for (const ch of n.children) walk(ch);
      };
      walk(tree.root);
    }
    [current, level] = saved;
  };
  for (const c of checkTable) {
    if (options.fixupsOnly && !FIXUPS.has(c.name)) continue;
    const l = levels.get(c.name) ?? c.level;
    // dtc runs only enabled checks (and their prerequisites); the reference fixups are errors, so always on
    // unless switched off explicitly.
    if (l !== 'off') run(c);
  }
  return phandles;
}
