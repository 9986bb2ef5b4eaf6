import type { Board } from '../../../schemas/model.js';
import type { ArchBackend } from '../backend.js';
import { riscv64Checks } from './checks.js';
import { riscvKernelImage } from './images.js';
import { riscv64Messages } from './messages.js';
import { HGATP_MODE_SV39X4, SATP_MODE_SV39, sv39Format, sv39x4Format } from './sv39.js';
import { riscvGuestTree, timebaseFrequency } from './tree.js';

const MiB = 1024n * 1024n;
const EM_RISCV = 243;

export const riscv64: ArchBackend = {
  name: 'riscv64',
  tables: { hypervisor: sv39Format, guest: sv39x4Format },
  elfMachine: EM_RISCV,
  kernelImage: riscvKernelImage,
  // Linux wants its device tree 8-byte aligned; on a 2 MiB boundary it never shares a huge page with the kernel.
  deviceTreeAlignments: [2n * MiB, 4096n],
  // vCPU n is hart n: the hart ID is what a0 holds at entry and what SBI calls name.
  vcpuHwid: (index) => BigInt(index),
  guestTree({ guest, board, builder }) {
    // No device-tree node names SBI: a guest finds the hypervisor's SBI through the base extension's probe.
    const { nodes, adjust } = riscvGuestTree(guest, board, builder);
    // Each hart's riscv,cpu-intc is a root interrupt controller: with a root interrupt-parent it would seem
    // to be the PLIC's child, and Linux would find no root controller.
    return { nodes, rootCompatible: ['riscv-virtio'], adjust, interruptParentOnDevices: true };
  },
  config: {
    system: { fields: ['satp_mode', 'timebase_hz'], values: (system) => [SATP_MODE_SV39, timebaseFrequency(system.tree.root) ?? 0n] },
    guest: { fields: ['hgatp_mode'], values: () => [HGATP_MODE_SV39X4] },
  },
  qemu(board: Board) {
    if (!board.compatible.includes('riscv-virtio')) {
      return { error: `hvcc run knows no QEMU machine for a riscv64 board compatible with ${board.compatible.map((c) => `"${c}"`).join(', ')} (known: "riscv-virtio", QEMU's virt)` };
    }
    // QEMU's default firmware (OpenSBI) runs in M-mode and starts the image in HS-mode; the H extension is not on by default.
    return { program: 'qemu-system-riscv64', machine: ['virt'], cpu: 'rv64,h=true' };
  },
  checks: riscv64Checks,
  messages: riscv64Messages,
};
