import type { System } from '../../schemas/model.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic, type MessageDef } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import { contains, end, formatRange, hex, isAligned, overlaps, type Range } from '../layout/ranges.js';
import { INPUT_BITS } from '../layout/pagetables.js';
import { checkMessages as M } from './messages.js';

/** What a check sees: the model, and the limits of the runtime it will run on. */
export interface CheckContext {
  system: System;
  limits: { maxCpus: number };
}

/**
 * A named check, like dtc's checks.c table: it has a message (code, name, default severity) and finds every
 * instance of one kind of mistake. `-W no-<name>` disables it; `--werror` turns its warnings into errors.
 */
export interface Check {
  message: MessageDef;
  run(ctx: CheckContext, report: (message: string, span: Span | undefined, extras?: Parameters<typeof diagnostic>[3]) => void): void;
}

const PAGE = 4096n;

interface Owned extends Range {
  owner: string;
  span: Span;
}

function hostRanges(system: System): Owned[][] {
  return system.guests.map((g) =>
    g.memory.flatMap((m) => (m.hostAddress === undefined ? [] : [{ base: m.hostAddress, size: m.size, owner: `guest '${g.name}'`, span: m.span }])),
  );
}

export const checks: Check[] = [
  {
    message: M.noGuests,
    run({ system }, report) {
      if (system.guests.length === 0) report('the system has no guests', system.hypervisor.span);
    },
  },
  {
    message: M.consoleMissing,
    run({ system }, report) {
      if (!system.board.devices.some((d) => d.path === system.hypervisor.console)) {
        report(`the hypervisor console ${system.hypervisor.console} is not a device of the board`, system.hypervisor.consoleSpan);
      }
    },
  },
  {
    message: M.memoryOutsideRam,
    run({ system }, report) {
      const ram = system.board.memory;
      const inside = (r: Range) => ram.some((m) => contains(m, r));
      const ramNote = `board RAM: ${ram.map(formatRange).join(', ')}`;
      if (!inside(system.hypervisor.region)) {
        report(`the hypervisor's memory ${formatRange(system.hypervisor.region)} is not inside the board's RAM`, system.hypervisor.region.span, { notes: [ramNote] });
      }
      hostRanges(system).flat().forEach((r) => {
        if (!inside(r)) report(`${r.owner}'s memory at host ${formatRange(r)} is not inside the board's RAM`, r.span, { notes: [ramNote] });
      });
    },
  },
  {
    message: M.hypervisorMemoryOverlap,
    run({ system }, report) {
      const hv = system.hypervisor.region;
      hostRanges(system).flat().forEach((r) => {
        if (overlaps(r, hv)) {
          report(`${r.owner}'s memory ${formatRange(r)} overlaps the hypervisor's ${formatRange(hv)}`, r.span, {
            related: [{ span: hv.span, message: "the hypervisor's memory" }],
          });
        }
      });
    },
  },
  {
    message: M.guestMemoryOverlap,
    run({ system }, report) {
      const all = hostRanges(system);
      all.forEach((mine, gi) => {
        for (const r of mine) {
          for (let other = 0; other < gi; other++) {
            for (const o of all[other]!) {
              if (overlaps(r, o)) {
                report(`${r.owner}'s memory ${formatRange(r)} overlaps ${o.owner}'s ${formatRange(o)}`, r.span, { related: [{ span: o.span, message: `${o.owner}'s memory` }] });
              }
            }
          }
        }
      });
    },
  },
  {
    message: M.memoryAlignment,
    run({ system }, report) {
      const check = (what: string, base: bigint, size: bigint, span: Span) => {
        if (!isAligned(base, PAGE) || !isAligned(size, PAGE)) report(`${what} ${formatRange({ base, size })} is not 4 KiB aligned (base and size)`, span);
      };
      check("the hypervisor's memory", system.hypervisor.region.base, system.hypervisor.region.size, system.hypervisor.region.span);
      for (const g of system.guests) {
        for (const m of g.memory) {
          check(`guest '${g.name}' RAM`, m.ipa, m.size, m.span);
          if (m.hostAddress !== undefined && !isAligned(m.hostAddress, PAGE)) report(`guest '${g.name}' host address ${hex(m.hostAddress)} is not 4 KiB aligned`, m.span);
        }
        for (const d of g.devices) for (const r of d.reg) check(`device ${d.path} window`, r.base, r.size, r.span);
      }
    },
  },
  {
    message: M.ipaRange,
    run({ system }, report) {
      const limit = 1n << BigInt(INPUT_BITS);
      for (const g of system.guests) {
        for (const m of g.memory) if (m.ipa + m.size > limit) report(`guest '${g.name}' RAM ${formatRange({ base: m.ipa, size: m.size })} ends beyond ${hex(limit)}`, m.span);
        for (const d of g.devices) for (const r of d.reg) if (end(r) > limit) report(`device ${d.path} ends beyond ${hex(limit)}`, r.span);
      }
    },
  },
  {
    message: M.guestIpaOverlap,
    run({ system }, report) {
      for (const g of system.guests) {
        const regions: Owned[] = g.memory.map((m) => ({ base: m.ipa, size: m.size, owner: 'RAM', span: m.span }));
        const windows: Owned[] = g.devices.flatMap((d) => d.reg.map((r) => ({ ...r, owner: `device ${d.name}` })));
        regions.forEach((r, i) => {
          for (const o of regions.slice(0, i)) {
            if (overlaps(r, o)) report(`guest '${g.name}': RAM ${formatRange(r)} overlaps RAM ${formatRange(o)}`, r.span, { related: [{ span: o.span, message: 'the other region' }] });
          }
          for (const w of windows) {
            if (overlaps(r, w)) report(`guest '${g.name}': RAM ${formatRange(r)} overlaps the window of ${w.owner} ${formatRange(w)}`, w.span, { related: [{ span: r.span, message: 'the RAM region' }] });
          }
        });
      }
    },
  },
  {
    message: M.deviceOverlapsDevice,
    run({ system }, report) {
      for (const g of system.guests) {
        const windows: Owned[] = g.devices.flatMap((d) => d.reg.map((r) => ({ ...r, owner: d.name })));
        windows.forEach((w, i) => {
          for (const o of windows.slice(0, i)) {
            if (overlaps(w, o)) report(`guest '${g.name}': ${w.owner} ${formatRange(w)} overlaps ${o.owner} ${formatRange(o)}`, w.span, { related: [{ span: o.span, message: `${o.owner}'s window` }] });
          }
        });
      }
    },
  },
  {
    message: M.noVcpus,
    run({ system }, report) {
      for (const g of system.guests) if (g.vcpus.length === 0) report(`guest '${g.name}' has no vCPUs`, g.cpusSpan);
    },
  },
  {
    message: M.noMemory,
    run({ system }, report) {
      for (const g of system.guests) if (g.memory.length === 0) report(`guest '${g.name}' has no memory`, g.span, { help: 'add a child `memory@40000000 { device_type = "memory"; reg = <...>; };`' });
    },
  },
  {
    message: M.cpuShared,
    run({ system }, report) {
      const owners = new Map<number, { guest: string; span: Span }>();
      for (const g of system.guests) {
        for (const v of g.vcpus) {
          const prior = owners.get(v.pcpu);
          const cpu = system.board.cpus[v.pcpu]!;
          if (prior) {
            report(`physical CPU ${cpu.path} is given to guest '${g.name}' and to ${prior.guest === g.name ? 'another of its vCPUs' : `guest '${prior.guest}'`}`, v.span, {
              related: [{ span: prior.span, message: `already given to guest '${prior.guest}' here` }],
              help: 'static partitioning pins each vCPU to a physical CPU of its own',
            });
          } else owners.set(v.pcpu, { guest: g.name, span: v.span });
        }
      }
    },
  },
  {
    message: M.tooManyCpus,
    run({ system, limits }, report) {
      const used = new Set<number>([0]);
      for (const g of system.guests) for (const v of g.vcpus) used.add(v.pcpu);
      if (used.size > limits.maxCpus) {
        report(`the system uses ${used.size} physical CPUs; the runtime is configured for ${limits.maxCpus}`, system.hypervisor.span, { help: 'raise CONFIG_HV_MAX_CPUS' });
      }
    },
  },
];

export interface CheckOptions {
  /** Check names switched off (`-W no-<name>`). */
  disabled?: ReadonlySet<string>;
  /** Warnings become errors. */
  werror?: boolean;
}

/** Runs every enabled check over the model. */
export function runChecks(ctx: CheckContext, options: CheckOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const check of checks) {
    if (options.disabled?.has(check.message.name)) continue;
    check.run(ctx, (message, span, extras) => {
      const d = diagnostic(check.message, message, span, extras);
      if (options.werror && d.severity === 'warning') d.severity = 'error';
      out.push(d);
    });
  }
  return out;
}
