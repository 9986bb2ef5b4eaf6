import type { System } from '../../schemas/model.js';
import type { Layout } from '../layout/layout.js';
import { formatRange, formatSize, hex, subtract } from '../util/ranges.js';


/** One physical resource and who owns it. */
export interface LedgerEntry {
  kind: 'memory' | 'device' | 'cpu' | 'interrupt';
  /** Human form of the resource: an address range, a CPU path, an interrupt ID. */
  resource: string;
  /** 'hypervisor', 'guest:<name>', or 'free'. */
  owner: string;
  detail: string;
  base?: string;
  size?: string;
}

/**
 * `hvcc map`: every physical resource of the board — RAM, device windows, CPUs, interrupts — with its one
 * owner (the hypervisor, a guest) or marked free, so a user can see where a new guest fits.
 */
export function ledger(system: System, layout: Layout): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  const memory = (base: bigint, size: bigint, owner: string, detail: string) =>
    out.push({ kind: 'memory', resource: formatRange({ base, size }), owner, detail: `${formatSize(size)}${detail ? ', ' + detail : ''}`, base: hex(base), size: hex(size) });
  const taken: { base: bigint; size: bigint; owner: string; detail: string }[] = [{ ...layout.hypervisor, owner: 'hypervisor', detail: 'image, translation tables, stacks' }];
  for (const g of layout.guests) {
    for (const m of g.memory) taken.push({ base: m.pa, size: m.size, owner: `guest:${g.name}`, detail: `guest-physical ${formatRange({ base: m.ipa, size: m.size })}${m.allocated ? ', placed by hvcc' : ', pinned'}` });
  }
  const free = subtract(system.board.memory, taken).map((r) => ({ ...r, owner: 'free', detail: '' }));
  for (const r of [...taken, ...free].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0))) memory(r.base, r.size, r.owner, r.detail);

  for (const d of system.board.devices) {
    const holder = system.guests.find((g) => g.passthrough.some((p) => p.device === d.path));
    const owner = d.path === system.hypervisor.console || d.path === system.board.interruptController ? 'hypervisor' : holder ? `guest:${holder.name}` : 'free';
    const role = d.path === system.hypervisor.console ? 'console' : d.path === system.board.interruptController ? 'interrupt controller' : holder ? 'passed through' : '';
    for (const r of d.reg) {
      out.push({ kind: 'device', resource: formatRange({ base: r.base, size: r.size }), owner, detail: `${d.path} (${d.compatible[0]})${role ? ', ' + role : ''}`, base: hex(r.base), size: hex(r.size) });
    }
    for (const { id: intid, kind, number, problem } of d.interrupts) {
      if (problem) continue;
      const reserved = layout.hypervisorInterrupts.find((h) => h.id === intid)?.what;
      const irqOwner = d.path === system.hypervisor.console || reserved ? 'hypervisor' : holder ? `guest:${holder.name}` : 'free';
      const detail = reserved ? `${d.path}, ${reserved}` : holder ? `${d.path} (passed through; not forwarded yet)` : d.path;
      out.push({ kind: 'interrupt', resource: kind ? `${kind} ${number} (ID ${intid})` : `ID ${intid}`, owner: irqOwner, detail });
    }
  }

  system.board.cpus.forEach((cpu, index) => {
    const slot = layout.pcpus.find((p) => p.boardCpu === index);
    const guest = slot?.guest !== undefined ? layout.guests[slot.guest]! : undefined;
    // A CPU several vCPUs may run on is the scheduler's to share.
    const shared = !guest && slot && slot.runs.length > 0 ? slot.runs.map((r) => `${layout.guests[r.guest]!.name} vCPU ${r.vcpu}`).join(', ') : undefined;
    const owner = guest ? `guest:${guest.name}` : shared ? 'shared' : index === 0 ? 'hypervisor' : 'free';
    const boot = index === 0 ? ', boot CPU' : '';
    const detail = guest ? `vCPU ${slot!.vcpu}${boot}` : shared ? `scheduled: ${shared}${boot}` : index === 0 ? 'boot CPU, no guest' : '';
    out.push({ kind: 'cpu', resource: cpu.path, owner, detail: `hardware ID ${hex(cpu.hwid)}${detail ? ', ' + detail : ''}` });
  });
  return out;
}

export function ledgerText(entries: LedgerEntry[]): string {
  const sections: [LedgerEntry['kind'], string][] = [
    ['memory', 'RAM'],
    ['device', 'Device windows'],
    ['interrupt', 'Interrupts'],
    ['cpu', 'CPUs'],
  ];
  const lines: string[] = [];
  for (const [kind, title] of sections) {
    const rows = entries.filter((e) => e.kind === kind);
    if (rows.length === 0) continue;
    lines.push(`${title}:`);
    const width = Math.max(...rows.map((r) => r.resource.length));
    const ownerWidth = Math.max(...rows.map((r) => r.owner.length));
    for (const r of rows) lines.push(`  ${r.resource.padEnd(width)}  ${r.owner.padEnd(ownerWidth)}  ${r.detail}`);
    lines.push('');
  }
  return lines.join('\n');
}

