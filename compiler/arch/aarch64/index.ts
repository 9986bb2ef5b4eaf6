import type { Board } from '../../../schemas/model.js';
import type { ArchBackend } from '../backend.js';
import { aarch64Checks } from './checks.js';
import { arm64KernelImage } from './images.js';
import { aarch64Messages } from './messages.js';
import { EL2_MAIR, el2Format, el2Tcr, stage2Format, vtcr } from './vmsa.js';

const MiB = 1024n * 1024n;
const EM_AARCH64 = 183;

/** QEMU's CPU model for the board's first CPU: "arm,cortex-a57" is -cpu cortex-a57. */
function qemuCpu(board: Board): string {
  return board.cpus[0]!.compatible.find((c) => c.startsWith('arm,'))?.slice(4) ?? 'max';
}

export const aarch64: ArchBackend = {
  name: 'aarch64',
  tables: { hypervisor: el2Format, guest: stage2Format },
  elfMachine: EM_AARCH64,
  kernelImage: arm64KernelImage,
  // arm64 Linux wants its device tree 8-byte aligned within a 2 MiB-aligned window it maps; 2 MiB is safest.
  deviceTreeAlignments: [2n * MiB, 4096n],
  // vCPU n is Aff0 = n in a single cluster.
  vcpuHwid: (index) => BigInt(index),
  guestTree({ guest, board, builder: b, withInterruptController }) {
    const hostCpu = board.cpus[guest.vcpus[0]?.affinity[0] ?? 0]!;
    const cpus = b.node(
      'cpus',
      [b.cells('#address-cells', [1]), b.cells('#size-cells', [0])],
      guest.vcpus.map((_, i) => b.node(`cpu@${i}`, [b.strings('device_type', 'cpu'), b.strings('compatible', ...hostCpu.compatible), b.cells('reg', [i]), b.strings('enable-method', 'psci')])),
    );
    // Guests reach the hypervisor's PSCI through HVC (SMC also traps, but HVC is what a guest at EL1 expects).
    const psci = b.node('psci', [b.strings('compatible', 'arm,psci-1.0', 'arm,psci-0.2', 'arm,psci'), b.strings('method', 'hvc')]);
    const nodes = [psci, cpus];
    if (withInterruptController) {
      // The EL1 physical, virtual and hypervisor timers' PPIs, as QEMU's virt machine has them (level-high).
      nodes.push(b.node('timer', [b.strings('compatible', 'arm,armv8-timer', 'arm,armv7-timer'), b.cells('interrupts', [1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4]), b.empty('always-on')]));
    }
    // Linux's generic arm64 platform code binds to this machine compatible.
    return { nodes, rootCompatible: ['linux,dummy-virt'] };
  },
  config: {
    // T0SZ (and VTCR_EL2.SL0) say the input range and starting level the layout sized each table set for.
    system: { fields: ['tcr_el2', 'mair_el2'], values: (_system, tables) => [el2Tcr(tables), EL2_MAIR] },
    guest: { fields: ['vtcr_el2'], values: (_system, _guest, tables) => [vtcr(tables)] },
  },
  qemu(board) {
    if (!board.compatible.includes('linux,dummy-virt')) {
      return { error: `hvcc run knows no QEMU machine for an aarch64 board compatible with ${board.compatible.map((c) => `"${c}"`).join(', ')} (known: "linux,dummy-virt", QEMU's virt)` };
    }
    const machine = ['virt', 'virtualization=on'];
    const gic = board.devices.find((d) => d.compatible.some((c) => /^arm,gic-v\d$/.test(c)));
    if (gic) machine.push(`gic-version=${gic.compatible.find((c) => /^arm,gic-v\d$/.test(c))!.slice(-1)}`);
    return { program: 'qemu-system-aarch64', machine, cpu: qemuCpu(board) };
  },
  checks: aarch64Checks,
  messages: aarch64Messages,
};
