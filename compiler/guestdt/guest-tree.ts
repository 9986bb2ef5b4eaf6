import type { Board, Guest } from '../../schemas/model.js';
import type { ArchBackend } from '../arch/backend.js';
import { TreeBuilder } from '../dts/builder.js';
import type { DtNode, DtProperty, DtTree } from '../dts/tree.js';
import { HVCC_GUEST_PROPERTIES, hostOnlyByNode } from '../model/guest-references.js';
import { findNode } from '../dts/values.js';
import { addressCells as addressCellsOf, sizeCells as sizeCellsOf } from '../dts/values.js';

/** Where the guest's memory and boot files ended up, as the guest sees them. */
export interface GuestBootInfo {
  memory: { ipa: bigint; size: bigint }[];
  initrd?: { start: bigint; end: bigint };
  /** Path (in the guest's tree) of the guest's console device, for /chosen stdout-path. */
  console?: string;
  /** The guest has a virtual interrupt controller. */
  withInterruptController: boolean;
  /** Its passed-through devices' interrupts are forwarded to it: their nodes keep `interrupts`. */
  forwardInterrupts?: boolean;
}

function cloneNode(node: DtNode): DtNode {
  const copy: DtNode = { ...node, labels: [...node.labels], properties: node.properties.map((p) => ({ ...p })), children: node.children.map(cloneNode) };
  delete copy.parent;
  return copy;
}

function link(node: DtNode, parent: DtNode | undefined): void {
  if (parent) node.parent = parent;
  node.path = !parent ? '/' : parent.path === '/' ? `/${node.fullName}` : `${parent.path}/${node.fullName}`;
  for (const c of node.children) link(c, node);
}

/** Properties of a passed-through board device the guest's tree cannot carry: they name board nodes, or
 * interrupts that are not forwarded to guests. */
const BOARD_ONLY_PROPERTIES = new Set(['interrupts', 'interrupts-extended', 'interrupt-parent', 'clocks', 'clock-names', 'phandle', 'linux,phandle']);

/**
 * Copies of the board nodes passed through to the guest, at their own addresses. Their interrupts stay
 * when they are forwarded: the guest's interrupt controller (the root's interrupt-parent) numbers them as
 * the board's does.
 */
function passthroughNodes(guest: Guest, forwardInterrupts: boolean): DtNode[] {
  let root = guest.node;
  while (root.parent) root = root.parent;
  const tree: DtTree = { root, memreserves: [], plugin: false };
  return guest.passthrough.flatMap((p) => {
    const node = findNode(tree, p.device);
    if (!node) return [];
    const copy = cloneNode(node);
    copy.children = [];
    copy.labels = [];
    delete copy.phandle;
    copy.properties = copy.properties.filter(
      (prop) =>
        (!BOARD_ONLY_PROPERTIES.has(prop.name) || (forwardInterrupts && prop.name === 'interrupts')) &&
        !prop.chunks.some((c) => c.kind === 'path-ref' || (c.kind === 'cells' && c.items.some((i) => i.ref !== undefined))),
    );
    return [copy];
  });
}

/**
 * The device tree a guest boots with: the guest node's own subtree (its devices, clocks, interrupt
 * controller, with their phandles), plus what hvcc generates — the architecture's nodes (CPUs, firmware
 * interface, timer: its backend makes them), the memory the guest was given, and /chosen with bootargs,
 * the console and the initrd.
 */
export function guestDeviceTree(guest: Guest, board: Board, arch: ArchBackend, boot: GuestBootInfo): DtTree {
  const b = new TreeBuilder(guest.span);
  const archNodes = arch.guestTree({ guest, board, builder: b, withInterruptController: boot.withInterruptController });
  // As the model read the guest's memory nodes: dtc's rule (a single cell, else the default), never the
  // first of several cells (`<0xffffffff 2>` made a 4-billion-cell reg).
  const addressCells = addressCellsOf(guest.node);
  const sizeCells = sizeCellsOf(guest.node);
  const memory = boot.memory.map((m) => b.node(`memory@${m.ipa.toString(16)}`, [b.strings('device_type', 'memory'), b.wide('reg', [addressCells, sizeCells], [m.ipa, m.size])]));

  const hostOnly = hostOnlyByNode(guest);
  const own = guest.node.children
    .filter((c) => !c.properties.some((p) => p.name === 'device_type' && p.chunks[0]?.kind === 'string' && p.chunks[0].value === 'memory'))
    .map((c) => {
      const copy = cloneNode(c);
      const drop = hostOnly.get(c.path);
      if (drop) copy.properties = copy.properties.filter((p) => !drop.has(p.name));
      return copy;
    });
  own.push(...passthroughNodes(guest, boot.forwardInterrupts ?? false));
  archNodes.adjust?.(own);
  const generated: DtNode[] = [...archNodes.nodes, ...memory];
  const chosenProps: DtProperty[] = [];
  if (guest.bootargs !== undefined) chosenProps.push(b.strings('bootargs', guest.bootargs));
  if (boot.console) chosenProps.push(b.strings('stdout-path', boot.console));
  if (boot.initrd) chosenProps.push(b.wide('linux,initrd-start', [2], [boot.initrd.start]), b.wide('linux,initrd-end', [2], [boot.initrd.end]));
  generated.push(b.node('chosen', chosenProps));

  const rootProps: DtProperty[] = [
    b.strings('model', `hvcc guest ${guest.name}`),
    b.strings('compatible', 'hvcc,guest-machine', ...archNodes.rootCompatible),
    ...guest.node.properties.filter((p) => !HVCC_GUEST_PROPERTIES.has(p.name) && !p.name.startsWith('#')).map((p) => ({ ...p })),
    b.cells('#address-cells', [addressCells]),
    b.cells('#size-cells', [sizeCells]),
  ];
  const intc = own.find((n) => n.properties.some((p) => p.name === 'interrupt-controller'));
  if (intc && !rootProps.some((p) => p.name === 'interrupt-parent')) {
    // Linux finds the interrupt controller through the root's interrupt-parent: give it a phandle.
    let phandle = intc.phandle;
    if (phandle === undefined) {
      const used: number[] = [];
      const collect = (n: DtNode) => {
        if (n.phandle !== undefined) used.push(n.phandle);
        n.children.forEach(collect);
      };
      own.forEach(collect);
      phandle = Math.max(0, ...used) + 1;
      intc.phandle = phandle;
      intc.properties.push(b.cells('phandle', [phandle]));
    }
    if (!archNodes.interruptParentOnDevices) rootProps.push(b.cells('interrupt-parent', [phandle]));
    else {
      const wire = (n: DtNode) => {
        if (n !== intc && n.properties.some((p) => p.name === 'interrupts') && !n.properties.some((p) => p.name === 'interrupt-parent')) n.properties.push(b.cells('interrupt-parent', [phandle!]));
        n.children.forEach(wire);
      };
      own.forEach(wire);
    }
  }
  const root = b.node('', rootProps, [...generated, ...own]);
  link(root, undefined);
  return { root, memreserves: [], plugin: false };
}
