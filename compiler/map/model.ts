import { relative } from 'node:path';
import type { Span } from '../../schemas/span.js';
import type { System } from '../../schemas/model.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Analysis } from '../driver/analyze.js';
import { placeMemory, type PlacedMemory } from '../layout/layout.js';
import { emulatorKey } from '../plan/plan.js';
import { contains, end, formatRange, formatSize, hex, type Range } from '../util/ranges.js';

/**
 * The system map: every claim on the host's physical address space, each guest's guest-physical view, the CPU
 * and interrupt assignments and the conflicts — computed from whatever the passes produced, so a description
 * with errors still gets a map (with its conflicts marked). `hvcc map --format html|svg` draws it
 * (render-svg.ts, render-html.ts); `hvcc diff` compares two of them (compiler/diff/).
 */

/** Where a node or property is written: `file:line:column`, the file relative to the working folder. */
export interface MapLocation {
  file: string;
  line: number;
  column: number;
  text: string;
}

export type OwnerKind = 'hypervisor' | 'guest' | 'free' | 'board' | 'shared';

export interface MapOwner {
  /** 'hypervisor', 'guest:<name>', 'free', 'board' (a device window nobody was given), 'shared' (claimed twice). */
  id: string;
  kind: OwnerKind;
  label: string;
  /** Fill and the text color legible on it. */
  color: string;
  ink: string;
}

/** One claim on host-physical addresses: the hypervisor's RAM, a guest's RAM, a device window. */
export interface MapClaim {
  id: string;
  kind: 'hypervisor' | 'guest-ram' | 'device';
  owner: string;
  range: Range;
  label: string;
  detail: string;
  /** The node or property that claimed the range (a guest's `reg`, its `passthrough`, the hypervisor's memory-region). */
  claimedAt?: MapLocation | undefined;
  /** Where the resource itself is described, when that is somewhere else (a board device's node). */
  definedAt?: MapLocation | undefined;
  conflicts: string[];
}

/** A piece of the host address space with one set of claims: what the host column draws, band by band. */
export interface HostSegment {
  id: string;
  kind: 'ram' | 'device';
  range: Range;
  /** The claims covering it (none: free RAM; two or more: shared, a conflict). */
  claims: string[];
  owner: string;
  label: string;
  conflicts: string[];
}

export interface GuestRegion {
  id: string;
  kind: 'ram' | 'emulated' | 'passthrough';
  /** Guest-physical. */
  range: Range;
  /** Host-physical base, for RAM and passthrough; undefined for RAM hvcc could not place. */
  pa?: bigint | undefined;
  /** The host claim this region is (RAM, passthrough window). */
  claim?: string | undefined;
  label: string;
  detail: string;
  claimedAt?: MapLocation | undefined;
  conflicts: string[];
}

export interface MapGuest {
  /** The guest's column: 'guest-<name>'. */
  id: string;
  name: string;
  owner: string;
  vcpus: number;
  memory: bigint;
  at?: MapLocation | undefined;
  regions: GuestRegion[];
  conflicts: string[];
}

export interface MapCpu {
  id: string;
  index: number;
  path: string;
  hwid: bigint;
  status: string;
  boot: boolean;
  owner: string;
  /** Every guest vCPU pinned to it (two or more: a conflict). */
  vcpus: { guest: string; vcpu: number; at?: MapLocation | undefined }[];
  definedAt?: MapLocation | undefined;
  conflicts: string[];
}

export interface MapInterrupt {
  id: string;
  /** 'host' (the board's controller) or the guest's name (its virtual controller). */
  space: string;
  intid: number;
  name: string;
  device: string;
  owner: string;
  detail: string;
  at?: MapLocation | undefined;
  conflicts: string[];
}

export interface MapConflict {
  id: string;
  code: string;
  name: string;
  severity: 'error' | 'warning';
  message: string;
  at?: MapLocation | undefined;
  related: { message: string; at?: MapLocation | undefined }[];
  /** Ids of the claims, segments, regions, CPUs and interrupts it concerns. */
  items: string[];
}

export interface SystemMap {
  system: string;
  file: string;
  board: string;
  /** True when the layout ran (an error-free description): host addresses of placed RAM are the build's. */
  complete: boolean;
  owners: MapOwner[];
  ram: Range[];
  claims: MapClaim[];
  host: HostSegment[];
  guests: MapGuest[];
  cpus: MapCpu[];
  interrupts: MapInterrupt[];
  conflicts: MapConflict[];
  errors: number;
  warnings: number;
}

/**
 * Owner colors: the hypervisor a dark slate, guests from Okabe and Ito's palette for color-blind readers
 * (distinguishable with every common color-vision deficiency), free RAM a pale gray; conflicts are drawn
 * crimson and hatched, and marked with a sign too, never by color alone. Every ink has a contrast of at least
 * 4.5:1 (WCAG AA for text) on its color, as a test checks.
 */
export const PALETTE = {
  hypervisor: { color: '#3b4a5e', ink: '#ffffff' },
  free: { color: '#eef1f5', ink: '#4a5563' },
  board: { color: '#d9d3c3', ink: '#2f2a1f' },
  shared: { color: '#fbd3d9', ink: '#5c0012' },
  guests: [
    { color: '#0072b2', ink: '#ffffff' },
    { color: '#e69f00', ink: '#1f1600' },
    { color: '#009e73', ink: '#00241a' },
    { color: '#cc79a7', ink: '#1f0a16' },
    { color: '#56b4e9', ink: '#00213a' },
    { color: '#f0e442', ink: '#222000' },
    { color: '#8c6bb1', ink: '#000000' },
    { color: '#7f7f7f', ink: '#111111' },
  ],
} as const;

export const CONFLICT_COLOR = '#c8102e';
/** Warnings are outlined in a dark amber (dashed), not hatched: the description still builds. */
export const WARNING_COLOR = '#b45309';

/** The worst severity among the conflicts `ids` names: an error is drawn as a conflict, a warning outlined. */
export function worst(map: Pick<SystemMap, 'conflicts'>, ids: readonly string[]): 'error' | 'warning' | undefined {
  let out: 'error' | 'warning' | undefined;
  for (const id of ids) {
    const c = map.conflicts.find((x) => x.id === id);
    if (c?.severity === 'error') return 'error';
    if (c?.severity === 'warning') out = 'warning';
  }
  return out;
}

const byBase = <T extends { range: Range }>(a: T, b: T) => (a.range.base < b.range.base ? -1 : a.range.base > b.range.base ? 1 : a.range.size < b.range.size ? -1 : 1);
const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';

/** Two spans of the same file share a character (an empty span counts at its position). */
function spansMeet(a: Span, b: Span): boolean {
  if (a.file !== b.file) return false;
  const aEnd = Math.max(a.end.offset, a.start.offset + 1);
  const bEnd = Math.max(b.end.offset, b.start.offset + 1);
  return a.start.offset < bEnd && b.start.offset < aEnd;
}

export interface MapInput {
  analysis: Analysis;
  /** Paths in locations are relative to it. */
  cwd: string;
}

/** The map of what `analysis` computed, or undefined when not even the model could be read. */
export function buildSystemMap({ analysis, cwd }: MapInput): { map?: SystemMap; diagnostics: Diagnostic[] } {
  const extra: Diagnostic[] = [];
  const partial = analysis.partial;
  if (!partial) return { diagnostics: extra };
  const system: System = partial.system;
  const layout = analysis.layout ?? partial.layout;
  const loc = (span: Span | undefined): MapLocation | undefined => {
    if (!span) return undefined;
    const file = relative(cwd, span.file) || span.file;
    return { file, line: span.start.line, column: span.start.column, text: `${file}:${span.start.line}:${span.start.column}` };
  };

  // Ids from guest names, unique even when two guests share a name (an error the checks report).
  const taken = new Set<string>();
  const ids = system.guests.map((g, i) => {
    let id = slug(g.name);
    if (taken.has(id)) id = `${id}-${i}`;
    taken.add(id);
    return id;
  });
  const ownerIds = system.guests.map((g, i) => (system.guests.findIndex((x) => x.name === g.name) === i ? `guest:${g.name}` : `guest:${g.name}#${i}`));

  // Owners, in a fixed order: the hypervisor, the guests in description order, then the rest.
  const owners: MapOwner[] = [{ id: 'hypervisor', kind: 'hypervisor', label: 'hypervisor', ...PALETTE.hypervisor }];
  system.guests.forEach((g, i) => owners.push({ id: ownerIds[i]!, kind: 'guest', label: g.name, ...PALETTE.guests[i % PALETTE.guests.length]! }));
  owners.push({ id: 'free', kind: 'free', label: 'free RAM', ...PALETTE.free });
  owners.push({ id: 'board', kind: 'board', label: 'device, not assigned', ...PALETTE.board });
  owners.push({ id: 'shared', kind: 'shared', label: 'claimed twice (conflict)', ...PALETTE.shared });

  // Where each guest's RAM is in host RAM: the layout's when it ran, else the same placement on the model as read.
  let placed: PlacedMemory[][];
  if (layout) placed = layout.guests.map((g) => g.memory);
  else {
    const format = partial.backend?.tables.guest;
    const block = format ? format.entrySize(format.lastLevel - 1) : 0x200000n;
    placed = placeMemory(system, block, format?.granule ?? 0x1000n, extra).guests;
  }
  const inRam = (r: Range) => system.board.memory.some((m) => contains(m, r));

  // Spans each item answers for: a diagnostic at (or related to) one of them concerns it.
  const itemSpans = new Map<string, Span[]>();
  const claims: MapClaim[] = [];
  const hv = system.hypervisor.region;
  claims.push({ id: 'claim-hypervisor', kind: 'hypervisor', owner: 'hypervisor', range: { base: hv.base, size: hv.size }, label: 'hypervisor', detail: 'image, translation tables, stacks', claimedAt: loc(hv.span), conflicts: [] });
  itemSpans.set('claim-hypervisor', [hv.span]);

  const guests: MapGuest[] = [];
  system.guests.forEach((guest, gi) => {
    const owner = ownerIds[gi]!;
    const regions: GuestRegion[] = [];
    const gid = ids[gi]!;
    guest.memory.forEach((m, mi) => {
      const p = placed[gi]?.[mi];
      const ok = p !== undefined && inRam({ base: p.pa, size: p.size });
      const id = `guest-${gid}-ram-${mi}`;
      const claimId = `claim-${gid}-ram-${mi}`;
      const how = p?.allocated ? 'placed by hvcc' : 'pinned by host-address';
      if (p && (ok || !p.allocated)) {
        claims.push({ id: claimId, kind: 'guest-ram', owner, range: { base: p.pa, size: p.size }, label: `${guest.name} RAM`, detail: `guest-physical ${formatRange({ base: m.ipa, size: m.size })}, ${how}`, claimedAt: loc(m.hostAddressSpan ?? m.span), conflicts: [] });
        itemSpans.set(claimId, [m.span, ...(m.hostAddressSpan ? [m.hostAddressSpan] : [])]);
      }
      regions.push({
        id,
        kind: 'ram',
        range: { base: m.ipa, size: m.size },
        pa: p && (ok || !p.allocated) ? p.pa : undefined,
        claim: p && (ok || !p.allocated) ? claimId : undefined,
        label: 'RAM',
        detail: p && (ok || !p.allocated) ? `host-physical ${formatRange({ base: p.pa, size: p.size })}, ${how}` : 'not placed: no room in the free host RAM',
        claimedAt: loc(m.span),
        conflicts: [],
      });
      itemSpans.set(id, [m.span]);
    });
    for (const d of guest.devices) {
      d.reg.forEach((r, ri) => {
        const id = `guest-${gid}-dev-${slug(d.name)}-${ri}`;
        const emulator = partial.plan?.emulators.get(emulatorKey(gi, d.path))?.component.manifest.name;
        const compat = d.compatible[0] ?? '';
        regions.push({ id, kind: 'emulated', range: { base: r.base, size: r.size }, label: `${d.name} · emulated`, detail: `emulated ${compat}${emulator ? ` by ${emulator}` : ''}${d.reg.length > 1 ? `, window ${ri + 1} of ${d.reg.length}` : ''}`, claimedAt: loc(r.span), conflicts: [] });
        itemSpans.set(id, [r.span, d.span, d.compatibleSpan, ...(d.interruptsSpan ? [d.interruptsSpan] : [])]);
      });
    }
    guest.passthrough.forEach((p, pi) => {
      const device = system.board.devices.find((d) => d.path === p.device);
      (device?.reg ?? []).forEach((r, ri) => {
        const claimId = `claim-${gid}-pass-${pi}-${ri}`;
        const id = `guest-${gid}-pass-${pi}-${ri}`;
        claims.push({ id: claimId, kind: 'device', owner, range: { base: r.base, size: r.size }, label: `${device!.name} · ${guest.name}`, detail: `${device!.path} (${device!.compatible[0] ?? ''}), passed through to ${guest.name}`, claimedAt: loc(p.span), definedAt: loc(device!.span), conflicts: [] });
        itemSpans.set(claimId, [p.span]);
        regions.push({ id, kind: 'passthrough', range: { base: r.base, size: r.size }, pa: r.base, claim: claimId, label: device!.name, detail: `passed through: ${device!.path} at its host address`, claimedAt: loc(p.span), conflicts: [] });
        itemSpans.set(id, [p.span]);
      });
    });
    regions.sort(byBase);
    guests.push({ id: `guest-${gid}`, name: guest.name, owner, vcpus: guest.vcpus.length, memory: guest.memory.reduce((a, m) => a + m.size, 0n), at: loc(guest.span), regions, conflicts: [] });
    itemSpans.set(`guest-${gid}`, [guest.span, guest.cpusSpan, guest.image.span]);
  });

  // Board devices: the hypervisor's (console, interrupt controller), or not assigned. Passed-through windows are the guests' claims.
  const passed = new Set(system.guests.flatMap((g) => g.passthrough.map((p) => p.device)));
  for (const d of system.board.devices) {
    const role = d.path === system.hypervisor.console ? 'console' : d.path === system.board.interruptController ? 'interrupt controller' : undefined;
    if (passed.has(d.path) && !role) continue;
    d.reg.forEach((r, ri) => {
      const id = `claim-dev-${slug(d.path)}-${ri}`;
      claims.push({
        id,
        kind: 'device',
        owner: role ? 'hypervisor' : 'board',
        range: { base: r.base, size: r.size },
        label: `${d.name} · ${role ?? 'unassigned'}`,
        detail: `${d.path} (${d.compatible[0] ?? 'no compatible'})${role ? `, the hypervisor's ${role}` : ', not given to any guest'}${d.reg.length > 1 ? `, window ${ri + 1} of ${d.reg.length}` : ''}`,
        claimedAt: role === 'console' ? loc(system.hypervisor.consoleSpan) : loc(r.span),
        definedAt: loc(d.span),
        conflicts: [],
      });
      itemSpans.set(id, [r.span, d.span, ...(role === 'console' ? [system.hypervisor.consoleSpan] : [])]);
    });
  }

  const host = segments(system.board.memory, claims);

  // CPUs: the guest whose vCPU runs there; the boot CPU without one stays the hypervisor's.
  const cpus: MapCpu[] = system.board.cpus.map((cpu) => {
    const vcpus = system.guests.flatMap((g, gi) => g.vcpus.map((v, vi) => ({ g, gi, v, vi })).filter((x) => x.v.affinity.includes(cpu.index))).map((x) => ({ guest: x.g.name, owner: ownerIds[x.gi]!, vcpu: x.vi, at: loc(x.v.span), span: x.v.span }));
    const id = `cpu-${cpu.index}`;
    itemSpans.set(id, [cpu.span, ...vcpus.map((v) => v.span)]);
    const owner = vcpus.length > 1 ? 'shared' : vcpus.length === 1 ? vcpus[0]!.owner : cpu.index === 0 ? 'hypervisor' : 'free';
    return { id, index: cpu.index, path: cpu.path, hwid: cpu.hwid, status: cpu.status, boot: cpu.index === 0, owner, vcpus: vcpus.map(({ guest, vcpu, at }) => ({ guest, vcpu, at })), definedAt: loc(cpu.span), conflicts: [] };
  });

  // Interrupts: the board controller's (who takes each), then each guest's virtual ones.
  const hvIrqs = layout?.hypervisorInterrupts ?? (partial.plan?.irqchipDriver ? partial.plan.components.flatMap((c) => c.component.manifest['hypervisor-interrupts']) : []);
  const interrupts: MapInterrupt[] = [];
  const irqName = (i: { kind?: string | undefined; number: number; id: number }) => (i.kind ? `${i.kind} ${i.number}` : `${i.id}`);
  for (const d of system.board.devices) {
    const holders = system.guests.map((g, gi) => ({ g, owner: ownerIds[gi]! })).filter(({ g }) => g.passthrough.some((p) => p.device === d.path));
    d.interrupts.forEach((irq, ii) => {
      if (irq.problem) return;
      const reserved = hvIrqs.find((h) => h.id === irq.id)?.what;
      const owner = d.path === system.hypervisor.console || reserved ? 'hypervisor' : holders.length > 1 ? 'shared' : holders.length === 1 ? holders[0]!.owner : 'free';
      const detail = reserved ? reserved : d.path === system.hypervisor.console ? "the hypervisor's console" : holders.length ? 'passed-through device (not forwarded: the guest polls)' : 'device not assigned';
      const id = `irq-host-${slug(d.path)}-${ii}`;
      interrupts.push({ id, space: 'host', intid: irq.id, name: irqName(irq), device: d.path, owner, detail, at: loc(irq.span), conflicts: [] });
      itemSpans.set(id, [irq.span]);
    });
  }
  system.guests.forEach((g, gi) => {
    for (const d of g.devices) {
      d.interrupts.forEach((irq, ii) => {
        const id = `irq-${ids[gi]}-${slug(d.name)}-${ii}`;
        interrupts.push({ id, space: g.name, intid: irq.id, name: irqName(irq), device: `${g.name}: ${d.name}`, owner: ownerIds[gi]!, detail: irq.problem ?? `virtual, from the emulated ${d.compatible[0] ?? 'device'}`, at: loc(irq.span), conflicts: [] });
        itemSpans.set(id, [irq.span]);
      });
    }
  });

  // The host's first, then each guest's, each by interrupt ID (not in the order devices list them).
  const space = (i: MapInterrupt) => (i.space === 'host' ? -1 : system.guests.findIndex((g) => g.name === i.space));
  interrupts.sort((a, b) => space(a) - space(b) || a.intid - b.intid);

  // Conflicts: the errors and warnings, tied to the items whose spans they point at.
  const diagnostics = [...analysis.diagnostics, ...extra].filter((d) => d.severity === 'error' || d.severity === 'warning');
  const conflicts: MapConflict[] = diagnostics.map((d, i) => {
    const spans = [d.span, ...d.related.map((r) => r.span)].filter((s): s is Span => s !== undefined);
    const items = [...itemSpans].filter(([, own]) => own.some((o) => spans.some((s) => spansMeet(o, s)))).map(([id]) => id);
    return { id: `conflict-${i + 1}`, code: d.code, name: d.name, severity: d.severity as 'error' | 'warning', message: d.message, at: loc(d.span), related: d.related.map((r) => ({ message: r.message, at: loc(r.span) })), items };
  });
  // Host ranges claimed twice are conflicts even when no check said so (a check switched off).
  for (const s of host.filter((s) => s.claims.length > 1)) {
    const known = conflicts.filter((c) => s.claims.filter((cl) => c.items.includes(cl)).length >= 2);
    if (known.length === 0) {
      const names = s.claims.map((c) => claims.find((x) => x.id === c)!.label);
      conflicts.push({ id: `conflict-${conflicts.length + 1}`, code: 'overlap', name: 'claimed-twice', severity: 'error', message: `${formatRange(s.range)} is claimed by ${names.join(' and ')}`, related: [], items: [...s.claims] });
    }
  }
  // Each conflict marks its items, and a segment shares the conflicts of its claims that concern it.
  const byId = new Map<string, { conflicts: string[] }>();
  for (const x of [...claims, ...guests.flatMap((g) => g.regions), ...cpus, ...interrupts]) byId.set(x.id, x);
  for (const g of guests) byId.set(g.id, g);
  for (const c of conflicts) for (const id of c.items) byId.get(id)?.conflicts.push(c.id);
  // A segment shows the conflicts of its claims; one between two claims only where they meet.
  for (const s of host) {
    for (const c of conflicts) {
      const mine = c.items.filter((id) => id.startsWith('claim-'));
      const here = s.claims.filter((id) => mine.includes(id)).length;
      if (here === 0 || (mine.length >= 2 && here < 2 && s.claims.length < 2)) continue;
      s.conflicts.push(c.id);
      c.items.push(s.id);
    }
  }
  // Guest regions carry the conflicts of their host claims too.
  for (const g of guests) for (const r of g.regions) if (r.claim) for (const cid of claims.find((c) => c.id === r.claim)?.conflicts ?? []) if (!r.conflicts.includes(cid)) r.conflicts.push(cid);
  for (const g of guests) for (const r of g.regions) if (r.kind === 'ram' && r.pa === undefined && r.conflicts.length === 0) {
    const c: MapConflict = { id: `conflict-${conflicts.length + 1}`, code: 'unplaced', name: 'memory-placement', severity: 'error', message: `${formatSize(r.range.size)} of guest '${g.name}' has no place in the free host RAM`, related: [], items: [r.id] };
    conflicts.push(c);
    r.conflicts.push(c.id);
  }

  const map: SystemMap = {
    system: system.name,
    file: relative(cwd, system.file) || system.file,
    board: system.board.model,
    complete: analysis.layout !== undefined,
    owners,
    ram: system.board.memory.map((m) => ({ base: m.base, size: m.size })),
    claims,
    host,
    guests,
    cpus,
    interrupts,
    conflicts,
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
  return { map, diagnostics: extra };
}

/** The host address space cut where any claim or RAM bank starts or ends; each piece with the claims covering it. */
function segments(ram: readonly Range[], claims: readonly MapClaim[]): HostSegment[] {
  const points = new Set<bigint>();
  for (const r of [...ram, ...claims.map((c) => c.range)]) {
    points.add(r.base);
    points.add(end(r));
  }
  const cuts = [...points].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: HostSegment[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const piece = { base: cuts[i]!, size: cuts[i + 1]! - cuts[i]! };
    const over = claims.filter((c) => contains(c.range, piece));
    const isRam = ram.some((r) => contains(r, piece));
    if (over.length === 0 && !isRam) continue;
    const prev = out[out.length - 1];
    const ids = over.map((c) => c.id);
    // Neighbouring pieces with the same claims are one band.
    if (prev && end(prev.range) === piece.base && prev.claims.join() === ids.join() && (prev.kind === 'ram') === isRam) {
      prev.range = { base: prev.range.base, size: prev.range.size + piece.size };
      continue;
    }
    const owner = over.length > 1 ? 'shared' : over.length === 1 ? over[0]!.owner : 'free';
    const label = over.length > 1 ? `shared: ${over.map((c) => c.label).join(' + ')}` : over.length === 1 ? over[0]!.label : 'free';
    out.push({ id: '', kind: isRam ? 'ram' : 'device', range: piece, claims: ids, owner, label, conflicts: [] });
  }
  out.forEach((s) => (s.id = `host-${hex(s.range.base)}`));
  return out;
}
