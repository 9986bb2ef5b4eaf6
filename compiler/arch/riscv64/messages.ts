import { defineMessages } from '../../diagnostics/define.js';

/** The riscv64 backend's own checks (HV3xxx codes, like every system check). */
export const riscv64Messages = defineMessages({
  hypervisorExtension: {
    code: 'HV3045',
    name: 'riscv-hypervisor-extension',
    severity: 'error',
    summary: 'A hart the system uses lacks the hypervisor extension ("h" in its riscv,isa), or its riscv,isa is missing.',
  },
  duplicateHartId: {
    code: 'HV3046',
    name: 'duplicate-hart-id',
    severity: 'error',
    summary: 'Two board harts have the same hart ID (`reg`).',
  },
  plicContexts: {
    code: 'HV3047',
    name: 'plic-contexts',
    severity: 'error',
    summary: "A guest PLIC's register window is too small to hold a context (its enable bits and its threshold/claim page) for every vCPU of the guest.",
  },
  timebase: {
    code: 'HV3048',
    name: 'riscv-timebase',
    severity: 'error',
    summary: "The board's /cpus node has no timebase-frequency: the rate of the time CSR, which guests and the hypervisor's timers need.",
  },
});
