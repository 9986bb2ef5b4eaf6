import type { BoardDevice, System } from '../../../schemas/model.js';
import type { Check } from '../../checks/check.js';
import type { Span } from '../../diagnostics/span.js';
import { hex } from '../../util/ranges.js';
import { aarch64Messages as M } from './messages.js';

/** The board's PSCI firmware node (any "arm,psci*" compatible). */
function psciNode(system: System): BoardDevice | undefined {
  return system.board.devices.find((d) => d.compatible.some((c) => c.startsWith('arm,psci')));
}

export const aarch64Checks: Check[] = [
  {
    message: M.psciMissing,
    mandatory: true,
    run({ system }, report) {
      // Every CPU a vCPU may run on besides the boot CPU has to be started.
      const secondary = system.guests.flatMap((g) => g.vcpus.flatMap((v) => v.affinity.filter((cpu) => cpu !== 0).map((cpu) => ({ g, v, cpu }))));
      if (secondary.length === 0) return;
      const first = secondary[0]!;
      const psci = psciNode(system);
      if (!psci || typeof psci.properties.method !== 'string') {
        report(`guest '${first.g.name}' runs on a secondary CPU, but the board has no PSCI node to start it with`, first.v.span, { help: 'describe the firmware: `psci { compatible = "arm,psci-1.0"; method = "smc"; };`' });
        return;
      }
      const seen = new Set<string>();
      for (const { g, v, cpu: index } of secondary) {
        const cpu = system.board.cpus[index]!;
        if (seen.has(`${cpu.path}@${v.span.start.offset}`)) continue;
        seen.add(`${cpu.path}@${v.span.start.offset}`);
        if (cpu.enableMethod !== undefined && cpu.enableMethod !== 'psci') {
          report(`guest '${g.name}' runs on ${cpu.path}, whose enable-method is "${cpu.enableMethod}"; hvcc starts CPUs through PSCI`, v.span, { related: [{ span: cpu.span, message: 'the CPU' }] });
        }
      }
    },
  },
  {
    message: M.psciConduit,
    mandatory: true,
    run({ system }, report) {
      const psci = psciNode(system);
      if (psci && psci.properties.method === 'hvc') report('the board\'s PSCI method is "hvc"; at EL2 the hypervisor reaches firmware through "smc"', psci.propertySpans.method ?? psci.span);
    },
  },
  {
    message: M.duplicateMpidr,
    mandatory: true,
    run({ system }, report) {
      const seen = new Map<bigint, Span>();
      for (const cpu of system.board.cpus) {
        const prior = seen.get(cpu.hwid);
        if (prior) report(`${cpu.path} has MPIDR ${hex(cpu.hwid)}, like another CPU`, cpu.span, { related: [{ span: prior, message: 'the other CPU' }] });
        else seen.set(cpu.hwid, cpu.span);
      }
    },
  },
];
