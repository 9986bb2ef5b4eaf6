import type { System } from '../../../schemas/model.js';
import type { Check } from '../../checks/check.js';
import type { Span } from '../../diagnostics/span.js';
import { hex } from '../../util/ranges.js';
import { riscv64Messages as M } from './messages.js';
import { hartIsa, isaLetters, timebaseFrequency } from './tree.js';

/** A PLIC's per-context pages start here: context n's threshold and claim/complete page is at 0x200000 + n * 0x1000. */
export const PLIC_CONTEXT_BASE = 0x200000n;
export const PLIC_CONTEXT_STRIDE = 0x1000n;
const PLIC_COMPATIBLES = ['riscv,plic0', 'sifive,plic-1.0.0'];

/** The harts the system runs on: the boot hart and every hart a vCPU may run on. */
function usedHarts(system: System): { cpu: number; span: Span }[] {
  const out = [{ cpu: 0, span: system.board.cpus[0]!.span }];
  for (const g of system.guests) for (const v of g.vcpus) for (const cpu of v.affinity) if (!out.some((o) => o.cpu === cpu)) out.push({ cpu, span: v.span });
  return out;
}

export const riscv64Checks: Check[] = [
  {
    message: M.hypervisorExtension,
    mandatory: true,
    run({ system }, report) {
      for (const { cpu: index, span } of usedHarts(system)) {
        const cpu = system.board.cpus[index]!;
        const isa = hartIsa(system.tree.root, cpu.path);
        if (isa === undefined) report(`${cpu.path} has no riscv,isa: hvcc cannot tell whether it has the hypervisor extension`, cpu.span);
        else if (!isaLetters(isa).includes('h')) {
          report(`${cpu.path}'s riscv,isa "${isa}" has no hypervisor extension ("h"): hvcc runs in HS-mode and its guests in VS-mode`, cpu.span, {
            ...(span !== cpu.span ? { related: [{ span, message: 'a vCPU runs on it' }] } : {}),
            help: 'QEMU: -cpu rv64,h=true (hvcc run does this for QEMU\'s virt board)',
          });
        }
      }
    },
  },
  {
    message: M.duplicateHartId,
    mandatory: true,
    run({ system }, report) {
      const seen = new Map<bigint, Span>();
      for (const cpu of system.board.cpus) {
        const prior = seen.get(cpu.hwid);
        if (prior) report(`${cpu.path} has hart ID ${hex(cpu.hwid)}, like another hart`, cpu.span, { related: [{ span: prior, message: 'the other hart' }] });
        else seen.set(cpu.hwid, cpu.span);
      }
    },
  },
  {
    message: M.timebase,
    mandatory: true,
    run({ system }, report) {
      if (timebaseFrequency(system.tree.root) === undefined) {
        const cpus = system.tree.root.children.find((c) => c.name === 'cpus');
        report('the board\'s /cpus node has no timebase-frequency', cpus?.span ?? system.board.span, { help: 'QEMU\'s virt machine: `timebase-frequency = <10000000>;` in /cpus' });
      }
    },
  },
  {
    message: M.plicContexts,
    mandatory: true,
    run({ system }, report) {
      for (const g of system.guests) {
        for (const d of g.devices) {
          if (!d.compatible.some((c) => PLIC_COMPATIBLES.includes(c))) continue;
          const needed = PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * BigInt(g.vcpus.length);
          const r = d.reg[0];
          if (r && r.size < needed) {
            report(`${d.path}: the PLIC window is ${hex(r.size)} bytes; a context for each of ${g.vcpus.length} vCPU(s) needs ${hex(needed)}`, r.span, {
              related: [{ span: g.cpusSpan, message: `${g.vcpus.length} vCPU(s)` }],
              help: `context n's threshold and claim register is at ${hex(PLIC_CONTEXT_BASE)} + n * ${hex(PLIC_CONTEXT_STRIDE)}`,
            });
          }
        }
      }
    },
  },
];
