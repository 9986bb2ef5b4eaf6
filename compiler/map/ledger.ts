import type { System } from '../../schemas/model.js';
import type { Layout } from '../layout/layout.js';
import { formatRange, formatSize, hex, subtract } from '../util/ranges.js';


/** One physical resource and who owns it. */
export interface LedgerEntry {
  kind: 'memory' | 'device' | 'cpu' | 'interrupt' | 'disk' | 'network';
  /** Human form of the resource: an address range, a CPU path, an interrupt ID. */
  resource: string;
  /** 'hypervisor', 'guest:<name>', 'shared:<region>', or 'free'. */
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
  for (const r of layout.shared ?? []) {
    const who = r.sharers.map((w) => `${w.guest} (${w.readOnly ? 'read-only' : 'read-write'} at ${hex(w.ipa)})`).join(', ') || 'no guest';
    // Doorbells of the region: who can ring whom.
    const bells = system.guests.flatMap((g) =>
      g.devices
        .filter((d) => d.compatible.includes('hvcc,doorbell') && d.properties['memory-region'] === r.path)
        .flatMap((d) => ((d.properties.targets as string[] | undefined) ?? []).map((t) => `${g.name} -> ${system.guests.find((o) => o.devices.some((x) => x.path === t))?.name ?? t}`)),
    );
    taken.push({ base: r.pa, size: r.size, owner: `shared:${r.name}`, detail: `shared with ${who}${bells.length ? `; doorbells ${bells.join(', ')}` : ''}${r.allocated ? ', placed by hvcc' : ', pinned'}` });
  }
  const free = subtract(system.board.memory, taken).map((r) => ({ ...r, owner: 'free', detail: '' }));
  for (const r of [...taken, ...free].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0))) memory(r.base, r.size, r.owner, r.detail);

  // Interrupts by controller ID (not by the device that lists them), each once.
  const interrupts: { intid: number; entry: LedgerEntry }[] = [];
  for (const d of system.board.devices) {
    const holder = system.guests.find((g) => g.passthrough.some((p) => p.device === d.path));
    const disk = system.disks.find((k) => k.device === d.path);
    const uplink = system.networks.find((n) => n.uplink === d.path);
    const owner = d.path === system.hypervisor.console || d.path === system.board.interruptController || disk || uplink ? 'hypervisor' : holder ? `guest:${holder.name}` : 'free';
    const role =
      d.path === system.hypervisor.console ? 'console' : d.path === system.board.interruptController ? 'interrupt controller' : disk ? `disk ${disk.name}` : uplink ? `uplink of network ${uplink.name}` : holder ? 'passed through' : '';
    for (const r of d.reg) {
      out.push({ kind: 'device', resource: formatRange({ base: r.base, size: r.size }), owner, detail: `${d.path} (${d.compatible[0]})${role ? ', ' + role : ''}`, base: hex(r.base), size: hex(r.size) });
    }
    for (const { id: intid, kind, number, problem } of d.interrupts) {
      if (problem) continue;
      const reserved = layout.hypervisorInterrupts.find((h) => h.id === intid)?.what;
      const irqOwner = d.path === system.hypervisor.console || reserved ? 'hypervisor' : holder ? `guest:${holder.name}` : 'free';
      const forwarded = holder && layout.guests.find((g) => g.name === holder.name)?.passthroughIrqs?.some((q) => q.id === intid);
      const detail = reserved ? `${d.path}, ${reserved}` : holder ? `${d.path} (passed through; ${forwarded ? "forwarded to the guest's virtual interrupt controller" : 'not forwarded: the guest has no interrupt controller'})` : d.path;
      interrupts.push({ intid, entry: { kind: 'interrupt', resource: kind ? `${kind} ${number} (ID ${intid})` : `ID ${intid}`, owner: irqOwner, detail } });
    }
  }
  for (const { entry } of interrupts.sort((a, b) => a.intid - b.intid)) out.push(entry);

  // Each disk's extents and who has them (and what is nobody's).
  for (const disk of system.disks) {
    const parts = system.guests
      .flatMap((g) =>
        g.devices
          .filter((d) => d.properties.disk === disk.path && typeof d.properties['disk-size'] === 'bigint')
          .map((d) => ({ base: (d.properties['disk-start'] as bigint | undefined) ?? 0n, size: d.properties['disk-size'] as bigint, owner: `guest:${g.name}`, detail: `${d.properties['read-only'] ? 'read-only' : 'read-write'}, ${d.path}` })),
      )
      .sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
    const unused = subtract([{ base: 0n, size: disk.size }], parts).map((r) => ({ ...r, owner: 'free', detail: '' }));
    for (const p of [...parts, ...unused].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0))) {
      out.push({ kind: 'disk', resource: `${disk.name} ${formatRange(p)}`, owner: p.owner, detail: `${formatSize(p.size)}${p.detail ? ', ' + p.detail : ''}`, base: hex(p.base), size: hex(p.size) });
    }
  }

  // Each network: its cards (guest, address) and its uplink.
  for (const net of system.networks) {
    const cards = system.guests.flatMap((g) =>
      g.devices
        .filter((d) => d.properties.network === net.path)
        .map((d) => {
          const chunks = d.properties['local-mac-address'] as { kind: string; value?: Uint8Array }[] | undefined;
          const mac = chunks?.[0]?.kind === 'bytes' ? [...chunks[0].value!].map((b) => b.toString(16).padStart(2, '0')).join(':') : '?';
          return `${g.name} ${mac}`;
        }),
    );
    out.push({ kind: 'network', resource: net.name, owner: 'hypervisor', detail: `cards: ${cards.join(', ') || 'none'}; ${net.uplink ? `uplink ${net.uplink}` : 'no uplink'}` });
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
    ['disk', 'Disks'],
    ['network', 'Networks'],
  ];
  const lines: string[] = [];
  for (const [kind, title] of sections) {
    const rows = entries.filter((e) => e.kind === kind);
    if (rows.length === 0) continue;
    lines.push(`${title}:`);
    const width = rows.reduce((w, r) => Math.max(w, r.resource.length), 0);
    const ownerWidth = rows.reduce((w, r) => Math.max(w, r.owner.length), 0);
    for (const r of rows) lines.push(`  ${r.resource.padEnd(width)}  ${r.owner.padEnd(ownerWidth)}  ${r.detail}`);
    lines.push('');
  }
  return lines.join('\n');
}

