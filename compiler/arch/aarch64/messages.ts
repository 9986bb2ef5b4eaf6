import { defineMessages } from '../../diagnostics/define.js';

/** The aarch64 backend's own checks (HV3xxx codes, like every system check). */
export const aarch64Messages = defineMessages({
  psciMissing: {
    code: 'HV3030',
    name: 'psci-missing',
    severity: 'error',
    summary: 'The system uses secondary CPUs but the board has no PSCI node, or the CPUs are not started by "psci".',
  },
  psciConduit: {
    code: 'HV3031',
    name: 'psci-conduit',
    severity: 'error',
    summary: 'The board\'s PSCI method is "hvc": the hypervisor runs at EL2 and reaches firmware only through SMC.',
  },
  duplicateMpidr: {
    code: 'HV3033',
    name: 'duplicate-mpidr',
    severity: 'error',
    summary: 'Two board CPUs have the same MPIDR (`reg`).',
  },
});
