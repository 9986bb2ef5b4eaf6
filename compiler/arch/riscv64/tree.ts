import type { Board, Guest } from '../../../schemas/model.js';
import type { TreeBuilder } from '../../dts/builder.js';
import type { DtNode } from '../../dts/tree.js';

/** The description's root, from any node of it. */
export function rootOf(node: DtNode): DtNode {
  let n = node;
  while (n.parent) n = n.parent;
  return n;
}

function nodeAt(root: DtNode, path: string): DtNode | undefined {
  let n: DtNode | undefined = root;
  for (const part of path.split('/').filter((p) => p)) n = n?.children.find((c) => c.fullName === part);
  return n;
}

export function stringProp(node: DtNode | undefined, name: string): string | undefined {
  const c = node?.properties.find((p) => p.name === name)?.chunks[0];
  return c?.kind === 'string' ? c.value : undefined;
}

export function cellProp(node: DtNode | undefined, name: string): bigint | undefined {
  const c = node?.properties.find((p) => p.name === name)?.chunks[0];
  return c?.kind === 'cells' && c.items[0] ? c.items[0].value : undefined;
}

/** The board's /cpus timebase-frequency (the rate of the `time` CSR), or undefined. */
export function timebaseFrequency(root: DtNode): bigint | undefined {
  const cpus = root.children.find((c) => c.name === 'cpus');
  return cellProp(cpus, 'timebase-frequency') ?? cpus?.children.map((c) => cellProp(c, 'timebase-frequency')).find((f) => f !== undefined);
}

/** A board hart's riscv,isa string. */
export function hartIsa(root: DtNode, cpuPath: string): string | undefined {
  return stringProp(nodeAt(root, cpuPath), 'riscv,isa');
}

/** The single-letter extensions of an ISA string ("rv64imafdch_zicsr" -> "imafdch"). */
export function isaLetters(isa: string): string {
  return (/^rv(32|64|128)([a-z]*)/i.exec(isa)?.[2] ?? '').toLowerCase().split('_')[0]!;
}

/** A guest's hart sees the host's ISA less the hypervisor extension (no nested virtualization). */
export function guestIsa(isa: string): string {
  const m = /^(rv(?:32|64|128))([a-z]*)(.*)$/i.exec(isa);
  if (!m) return isa;
  return `${m[1]}${m[2]!.replace(/h/gi, '')}${m[3]}`;
}

function maxPhandle(node: DtNode): number {
  return Math.max(node.phandle ?? 0, ...node.children.map(maxPhandle));
}

const PLIC_COMPATIBLES = ['riscv,plic0', 'sifive,plic-1.0.0'];
/** S-mode external interrupt: the cause number Linux's PLIC driver takes a context for. */
const IRQ_S_EXT = 9;

/**
 * The cpus of a guest: vCPU n is hart n, with the host's ISA less H, its MMU type and the clock rate of its
 * `time` CSR, and its local interrupt controller. A virtual PLIC in the guest (written without
 * interrupts-extended, since its contexts are per vCPU) gets context n = vCPU n's S-mode external interrupt.
 */
export function riscvGuestTree(guest: Guest, board: Board, b: TreeBuilder): { nodes: DtNode[]; adjust: (own: DtNode[]) => void } {
  const root = rootOf(guest.node);
  const hostCpu = board.cpus[guest.vcpus[0]?.affinity[0] ?? 0]!;
  const hostNode = nodeAt(root, hostCpu.path);
  const isa = guestIsa(stringProp(hostNode, 'riscv,isa') ?? 'rv64imafdc');
  const mmu = stringProp(hostNode, 'mmu-type') ?? 'riscv,sv39';
  const base = maxPhandle(guest.node);
  const intcPhandle = (i: number) => base + 1 + i;
  const cpus = b.node(
    'cpus',
    [b.cells('#address-cells', [1]), b.cells('#size-cells', [0]), b.cells('timebase-frequency', [timebaseFrequency(root) ?? 10_000_000n])],
    guest.vcpus.map((_, i) =>
      b.node(`cpu@${i}`, [b.strings('device_type', 'cpu'), b.cells('reg', [i]), b.strings('status', 'okay'), b.strings('compatible', 'riscv'), b.strings('riscv,isa', isa), b.strings('mmu-type', mmu)], [
        Object.assign(b.node('interrupt-controller', [b.cells('#address-cells', [0]), b.cells('#interrupt-cells', [1]), b.empty('interrupt-controller'), b.strings('compatible', 'riscv,cpu-intc'), b.cells('phandle', [intcPhandle(i)])]), { phandle: intcPhandle(i) }),
      ]),
    ),
  );
  const adjust = (own: DtNode[]) => {
    const plic = own.find((n) => n.properties.some((p) => p.name === 'compatible' && p.chunks.some((c) => c.kind === 'string' && PLIC_COMPATIBLES.includes(c.value))));
    if (!plic || plic.properties.some((p) => p.name === 'interrupts-extended')) return;
    plic.properties.push(b.cells('interrupts-extended', guest.vcpus.flatMap((_, i) => [intcPhandle(i), IRQ_S_EXT])));
    if (plic.phandle === undefined) {
      plic.phandle = intcPhandle(guest.vcpus.length);
      plic.properties.push(b.cells('phandle', [plic.phandle]));
    }
  };
  return { nodes: [cpus], adjust };
}
