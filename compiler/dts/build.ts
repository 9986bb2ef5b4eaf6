import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import type { AstBody, AstFile, AstLabel, AstNode, AstValueLabel } from './ast.js';
import { M } from './messages.js';
import type { DtNode, DtProperty, DtTree, DtValueChunk } from './tree.js';
import { chunkBytes } from './values.js';

/**
 * The live tree while merging, mirroring dtc's livetree.c: deleted nodes, properties and labels stay in their
 * lists with a flag, so re-adding them restores their old position, exactly as dtc does.
 */
interface LLabel {
  name: string;
  deleted: boolean;
  span: Span;
}
interface LProp {
  name: string;
  labels: LLabel[];
  deleted: boolean;
  chunks: DtValueChunk[];
  valueLabels: AstValueLabel[];
  span: Span;
  valueSpan?: Span;
}
interface LNode {
  name: string;
  labels: LLabel[];
  props: LProp[];
  children: LNode[];
  deleted: boolean;
  omit: boolean;
  parent?: LNode;
  span: Span;
}

function addLabel(labels: LLabel[], l: AstLabel | LLabel): void {
  for (const x of labels)
    if (x.name === l.name) {
      x.deleted = false;
      return;
    }
  labels.unshift({ name: l.name, deleted: false, span: l.span });
}

function buildNode(body: AstBody, name: string, span: Span): LNode {
  const node: LNode = { name, labels: [], props: [], children: [], deleted: false, omit: false, span };
  for (const p of body.props) {
    if (p.kind === 'delprop') {
      node.props.push({ name: p.name, labels: [], deleted: true, chunks: [], valueLabels: [], span: p.span });
    } else {
      const lp: LProp = {
        name: p.name,
        labels: [],
        deleted: false,
        chunks: p.value?.chunks ?? [],
        valueLabels: p.value?.labels ?? [],
        span: p.span,
      };
      if (p.value?.span) lp.valueSpan = p.value.span;
      for (let i = p.labels.length - 1; i >= 0; i--) addLabel(lp.labels, p.labels[i]!);
      node.props.push(lp);
    }
  }
  for (const c of body.children) {
    let child: LNode;
    if (c.kind === 'delnode') {
      child = { name: c.name, labels: [], props: [], children: [], deleted: true, omit: false, span: c.span };
    } else {
      child = buildSubnode(c);
    }
    child.parent = node;
    node.children.push(child);
  }
  return node;
}

function buildSubnode(c: AstNode): LNode {
  const child = buildNode(c.body, c.name, c.span);
  if (c.omit) child.omit = true;
  for (let i = c.labels.length - 1; i >= 0; i--) addLabel(child.labels, c.labels[i]!);
  return child;
}

function deleteLabels(labels: LLabel[]): void {
  for (const l of labels) l.deleted = true;
}

function deleteProperty(p: LProp): void {
  p.deleted = true;
  deleteLabels(p.labels);
}

function deleteNode(n: LNode): void {
  n.deleted = true;
  for (const c of n.children) deleteNode(c);
  for (const p of n.props) deleteProperty(p);
  deleteLabels(n.labels);
}

function mergeNodes(old: LNode, nw: LNode): void {
  old.deleted = false;
  // dtc walks the new label list from its head and prepends each (for_each_label_withdel + add_label).
  for (const l of nw.labels) addLabel(old.labels, l);
  for (const np of nw.props) {
    if (np.deleted) {
      const op = old.props.find((x) => x.name === np.name);
      if (op) deleteProperty(op);
      continue;
    }
    let merged = false;
    for (const op of old.props) {
      if (op.name === np.name) {
        for (const l of np.labels) addLabel(op.labels, l);
        op.chunks = np.chunks;
        op.valueLabels = np.valueLabels;
        op.span = np.span;
        if (np.valueSpan) op.valueSpan = np.valueSpan;
        else delete op.valueSpan;
        op.deleted = false;
        merged = true;
        break;
      }
    }
    if (!merged) old.props.push(np);
  }
  for (const nc of nw.children) {
    if (nc.deleted) {
      const oc = old.children.find((x) => x.name === nc.name);
      if (oc) deleteNode(oc);
      continue;
    }
    let merged = false;
    for (const oc of old.children) {
      if (oc.name === nc.name) {
        mergeNodes(oc, nc);
        merged = true;
        break;
      }
    }
    if (!merged) {
      nc.parent = old;
      old.children.push(nc);
    }
  }
  // dtc's merge_nodes does not carry /omit-if-no-ref/ over to an existing node (only new nodes keep it).
}

function liveChildren(n: LNode): LNode[] {
  return n.children.filter((c) => !c.deleted);
}

function nodeByLabel(n: LNode, label: string): LNode | undefined {
  for (const l of n.labels) if (!l.deleted && l.name === label) return n;
  for (const c of n.children) {
    if (c.deleted) continue;
    const r = nodeByLabel(c, label);
    if (r) return r;
  }
  return undefined;
}

function nodeByPath(n: LNode, path: string): LNode | undefined {
  let p = path;
  while (p.startsWith('/')) p = p.slice(1);
  if (p === '') return n.deleted ? undefined : n;
  const slash = p.indexOf('/');
  const head = slash < 0 ? p : p.slice(0, slash);
  for (const c of liveChildren(n)) {
    if (c.name === head) return slash < 0 ? c : nodeByPath(c, p.slice(slash + 1));
  }
  return undefined;
}

function nodeByRef(root: LNode, ref: string): LNode | undefined {
  if (ref === '/') return root;
  if (ref.startsWith('/')) return nodeByPath(root, ref);
  return nodeByLabel(root, ref);
}

/** Evaluates the parsed file into a tree (merging, reopening, deletion), as dtc's parser actions do. */
export function buildTree(file: AstFile, diags: Diagnostic[]): DtTree | undefined {
  let root: LNode | undefined;
  let fragments = 0;
  for (const item of file.items) {
    if (item.kind === 'root') {
      const n = buildNode(item.body, '', item.span);
      if (!root) root = n;
      else mergeNodes(root, n);
      continue;
    }
    if (item.kind === 'ref') {
      const n = buildNode(item.body, '', item.refSpan);
      if (item.label) {
        const target = root ? nodeByRef(root, item.ref) : undefined;
        if (!target) {
          diags.push(diagnostic(M.refNotFound, `Label or path ${item.ref} not found`, item.refSpan));
          continue;
        }
        addLabel(target.labels, item.label);
        mergeNodes(target, n);
        continue;
      }
      // dtc 1.6: in a plugin a path reference always becomes a fragment; a label reference merges when the
      // label is defined in this source, else becomes a fragment.
      const found = file.plugin && item.ref.startsWith('/') ? undefined : root ? nodeByRef(root, item.ref) : undefined;
      if (found) {
        mergeNodes(found, n);
        continue;
      }
      if (file.plugin) {
        root ??= { name: '', labels: [], props: [], children: [], deleted: false, omit: false, span: item.refSpan };
        // add_orphan_node: fragment@N { target = <&ref>; | target-path = "/path"; __overlay__ { ... } }
        const frag: LNode = {
          name: `fragment@${fragments++}`,
          labels: [],
          props: [],
          children: [],
          deleted: false,
          omit: false,
          span: item.refSpan,
          parent: root,
        };
        if (item.ref.startsWith('/')) {
          const bytes = new Uint8Array(Buffer.from(item.ref, 'latin1'));
          frag.props.push({
            name: 'target-path',
            labels: [],
            deleted: false,
            chunks: [{ kind: 'string', value: item.ref, bytes, span: item.refSpan }],
            valueLabels: [],
            span: item.refSpan,
          });
        } else {
          frag.props.push({
            name: 'target',
            labels: [],
            deleted: false,
            chunks: [
              { kind: 'cells', bits: 32, items: [{ value: 0xffffffffn, ref: item.ref, span: item.refSpan }], span: item.refSpan },
            ],
            valueLabels: [],
            span: item.refSpan,
          });
        }
        n.name = '__overlay__';
        n.parent = frag;
        frag.children.push(n);
        root.children.push(frag);
        continue;
      }
      diags.push(diagnostic(M.refNotFound, `Label or path ${item.ref} not found`, item.refSpan));
      continue;
    }
    const target = root ? nodeByRef(root, item.ref) : undefined;
    if (!target) {
      diags.push(diagnostic(M.refNotFound, `Label or path ${item.ref} not found`, item.refSpan));
      continue;
    }
    if (item.kind === 'delnode-ref') deleteNode(target);
    else target.omit = true;
  }
  if (!root) return undefined;
  const tree: DtTree = {
    root: toPublic(root, undefined),
    memreserves: file.memreserves.map((m) => ({
      address: m.address,
      size: m.size,
      labels: m.labels.map((l) => l.name).reverse(),
      span: m.span,
    })),
    plugin: file.plugin,
    bootCpuidPhys: guessBootCpuid(root),
  };
  return tree;
}

/**
 * dtc's guess_boot_cpuid, run by its parser on the merged tree (before reference fixups): the `reg` of the
 * first child of /cpus, when it is exactly one cell; else 0. Like dtc it takes the first child in the list
 * even when that child was deleted (a deleted node has no properties left, so that gives 0), and a reference
 * inside `reg` still holds its placeholder 0xffffffff at that point. A path reference has no bytes yet.
 */
function guessBootCpuid(root: LNode): number {
  const cpus = nodeByPath(root, '/cpus');
  const first = cpus?.children[0];
  if (!first) return 0;
  const reg = first.props.find((p) => !p.deleted && p.name === 'reg');
  if (!reg) return 0;
  const parts = reg.chunks.map((c) => (c.kind === 'path-ref' ? new Uint8Array(0) : chunkBytes(c)));
  const length = parts.reduce((n, b) => n + b.length, 0);
  if (length !== 4) return 0;
  const bytes = Buffer.concat(parts);
  return bytes.readUInt32BE(0);
}

function toPublic(n: LNode, parent: DtNode | undefined): DtNode {
  const at = n.name.indexOf('@');
  const name = at < 0 ? n.name : n.name.slice(0, at);
  const node: DtNode = {
    name,
    fullName: n.name,
    path: parent === undefined ? '/' : parent.path === '/' ? '/' + n.name : parent.path + '/' + n.name,
    labels: n.labels.filter((l) => !l.deleted).map((l) => l.name),
    properties: [],
    children: [],
    span: n.span,
  };
  if (at >= 0) node.unitAddress = n.name.slice(at + 1);
  if (parent) node.parent = parent;
  if (n.omit) node.omitIfNoRef = true;
  const gone = n.labels.filter((l) => l.deleted).map((l) => l.name);
  if (gone.length) node.deletedLabels = gone;
  for (const p of n.props) {
    if (p.deleted) continue;
    const dp: DtProperty = {
      name: p.name,
      labels: p.labels.filter((l) => !l.deleted).map((l) => l.name),
      span: p.span,
      chunks: p.chunks,
    };
    if (p.valueSpan) dp.valueSpan = p.valueSpan;
    if (p.valueLabels.length) {
      dp.valueLabels = p.valueLabels.map((l) => {
        const o: { name: string; chunk: number; item?: number; span: Span } = { name: l.name, chunk: l.chunk, span: l.span };
        if (l.item !== undefined) o.item = l.item;
        return o;
      });
    }
    node.properties.push(dp);
  }
  for (const c of n.children) if (!c.deleted) node.children.push(toPublic(c, node));
  return node;
}
