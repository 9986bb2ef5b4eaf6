import { formatRange, formatSize, hex, type Range } from '../util/ranges.js';
import type { DeviceFacts, FileFacts, GuestFacts, MemoryFacts, SystemFacts } from './facts.js';

/** Files are the same when their contents are (both readable), else when their paths from the description are. */
function fileChanged(a: FileFacts | undefined, b: FileFacts | undefined): boolean {
  if (!a || !b) return a !== b;
  return a.sha256 && b.sha256 ? a.sha256 !== b.sha256 : a.path !== b.path;
}

function fileText(f: FileFacts | undefined): string {
  return f ? `${f.written}${f.sha256 ? ` (sha256 ${f.sha256.slice(0, 12)})` : ''}` : 'none';
}

/**
 * `hvcc diff`: what changed in the system between two descriptions — not in their text. Each change says
 * what it is about (a guest, a memory region, a device, an interrupt, an option), what it was and what it is.
 */

export type ChangeCategory = 'guests' | 'memory' | 'cpus' | 'devices' | 'interrupts' | 'options' | 'hypervisor' | 'board';

export const CATEGORY_TITLES: Record<ChangeCategory, string> = {
  guests: 'Guests',
  memory: 'Memory',
  cpus: 'CPUs',
  devices: 'Devices',
  interrupts: 'Interrupts',
  options: 'Options',
  hypervisor: 'Hypervisor',
  board: 'Board',
};

export interface Change {
  category: ChangeCategory;
  /** A stable name for the kind of change: guest-added, memory-resized, device-rewired, option-changed, ... */
  kind: string;
  /** What changed: "guest alpha", "alpha: uart@9000000", "CONFIG_HV_MAX_CPUS". */
  subject: string;
  old?: string | undefined;
  new?: string | undefined;
  /** One line for people. */
  summary: string;
}

const sameRanges = (a: Range[], b: Range[]) => a.length === b.length && a.every((r, i) => r.base === b[i]!.base && r.size === b[i]!.size);
const ranges = (rs: Range[]) => rs.map(formatRange).join(', ') || 'none';
const list = (xs: readonly string[]) => xs.join(', ') || 'none';
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function guestSummary(g: GuestFacts): string {
  const ram = g.memory.reduce((a, m) => a + m.size, 0n);
  return `${g.cpus.length} vCPU${g.cpus.length === 1 ? '' : 's'} (${list(g.cpus.map(cpuName))}), ${formatSize(ram)} RAM, ${g.devices.size} emulated device${g.devices.size === 1 ? '' : 's'}${g.passthrough.length ? `, passthrough ${list(g.passthrough)}` : ''}`;
}

function cpuName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function memText(m: MemoryFacts): string {
  return `${formatRange({ base: m.ipa, size: m.size })} (${formatSize(m.size)})${m.pa !== undefined ? ` at host ${hex(m.pa)}` : ''}`;
}

function compareMemory(name: string, a: MemoryFacts[], b: MemoryFacts[], out: Change[]): void {
  const subject = `${name}: RAM`;
  const left = [...a];
  const right = [...b];
  const pairs: [MemoryFacts, MemoryFacts][] = [];
  // Same guest-physical base: the same region. Then what is left, in address order.
  for (const m of [...left]) {
    const j = right.findIndex((r) => r.ipa === m.ipa);
    if (j >= 0) {
      pairs.push([m, right[j]!]);
      right.splice(j, 1);
      left.splice(left.indexOf(m), 1);
    }
  }
  while (left.length && right.length) pairs.push([left.shift()!, right.shift()!]);
  for (const [o, n] of pairs) {
    const what = `${subject} ${formatRange({ base: o.ipa, size: o.size })}`;
    if (o.ipa !== n.ipa) out.push({ category: 'memory', kind: 'memory-moved', subject: what, old: hex(o.ipa), new: hex(n.ipa), summary: `${name}'s RAM moved in guest-physical space: ${hex(o.ipa)} → ${hex(n.ipa)}` });
    if (o.size !== n.size) out.push({ category: 'memory', kind: 'memory-resized', subject: what, old: formatSize(o.size), new: formatSize(n.size), summary: `${name}'s RAM at ${hex(n.ipa)} resized: ${formatSize(o.size)} → ${formatSize(n.size)}` });
    if (o.pa !== n.pa)
      out.push({
        category: 'memory',
        kind: 'memory-host-moved',
        subject: what,
        old: o.pa !== undefined ? hex(o.pa) : 'not placed',
        new: n.pa !== undefined ? hex(n.pa) : 'not placed',
        summary: `${name}'s RAM at ${hex(n.ipa)} moved in host memory: ${o.pa !== undefined ? hex(o.pa) : 'not placed'} → ${n.pa !== undefined ? hex(n.pa) : 'not placed'}${o.pinned !== n.pinned ? (n.pinned ? ' (now pinned)' : ' (now placed by hvcc)') : ''}`,
      });
    else if (o.pinned !== n.pinned) out.push({ category: 'memory', kind: 'memory-pinning', subject: what, old: o.pinned ? 'pinned' : 'placed by hvcc', new: n.pinned ? 'pinned' : 'placed by hvcc', summary: `${name}'s RAM at ${hex(n.ipa)} is ${n.pinned ? 'now pinned by host-address' : 'now placed by hvcc'} (same host address)` });
  }
  for (const m of left) out.push({ category: 'memory', kind: 'memory-removed', subject: `${subject} ${formatRange({ base: m.ipa, size: m.size })}`, old: memText(m), summary: `${name} lost RAM ${memText(m)}` });
  for (const m of right) out.push({ category: 'memory', kind: 'memory-added', subject: `${subject} ${formatRange({ base: m.ipa, size: m.size })}`, new: memText(m), summary: `${name} gained RAM ${memText(m)}` });
}

/** Devices by node name; one that is gone and one that is new with the same compatible are the same device, moved. */
function compareDevices(owner: string, a: Map<string, DeviceFacts>, b: Map<string, DeviceFacts>, out: Change[], category: 'devices' | 'board' = 'devices'): void {
  const gone = [...a.keys()].filter((k) => !b.has(k));
  const added = [...b.keys()].filter((k) => !a.has(k));
  const pairs: [string, string][] = [...a.keys()].filter((k) => b.has(k)).map((k) => [k, k]);
  for (const g of [...gone]) {
    const j = added.findIndex((n) => sameList(a.get(g)!.compatible, b.get(n)!.compatible) && g.split('@')[0] === n.split('@')[0]);
    if (j >= 0) {
      pairs.push([g, added[j]!]);
      added.splice(j, 1);
      gone.splice(gone.indexOf(g), 1);
    }
  }
  const subj = (n: string) => (owner ? `${owner}: ${n}` : n);
  for (const [on, nn] of pairs) {
    const o = a.get(on)!;
    const n = b.get(nn)!;
    if (!sameList(o.compatible, n.compatible)) out.push({ category, kind: 'device-rewired', subject: subj(nn), old: list(o.compatible), new: list(n.compatible), summary: `${subj(nn)} is now ${list(n.compatible)} (was ${list(o.compatible)})` });
    if (!sameRanges(o.reg, n.reg)) out.push({ category, kind: 'device-rewired', subject: subj(on === nn ? nn : `${on} → ${nn}`), old: ranges(o.reg), new: ranges(n.reg), summary: `${subj(nn)} moved: ${ranges(o.reg)} → ${ranges(n.reg)}` });
    if (!sameList(o.interrupts, n.interrupts)) out.push({ category: 'interrupts', kind: 'interrupt-moved', subject: subj(nn), old: list(o.interrupts), new: list(n.interrupts), summary: `${subj(nn)}'s interrupts: ${list(o.interrupts)} → ${list(n.interrupts)}` });
    const os = (o as { status?: string }).status;
    const ns = (n as { status?: string }).status;
    if (os !== ns) out.push({ category, kind: 'device-status', subject: subj(nn), old: os, new: ns, summary: `${subj(nn)}: status ${os} → ${ns}` });
  }
  for (const g of gone) out.push({ category, kind: 'device-removed', subject: subj(g), old: `${list(a.get(g)!.compatible)} at ${ranges(a.get(g)!.reg)}`, summary: `${subj(g)} removed (${list(a.get(g)!.compatible)} at ${ranges(a.get(g)!.reg)})` });
  for (const n of added) out.push({ category, kind: 'device-added', subject: subj(n), new: `${list(b.get(n)!.compatible)} at ${ranges(b.get(n)!.reg)}`, summary: `${subj(n)} added (${list(b.get(n)!.compatible)} at ${ranges(b.get(n)!.reg)}${b.get(n)!.interrupts.length ? `, interrupts ${list(b.get(n)!.interrupts)}` : ''})` });
}

export function diffSystems(a: SystemFacts, b: SystemFacts): Change[] {
  const out: Change[] = [];
  // The board.
  if (a.board.model !== b.board.model) out.push({ category: 'board', kind: 'board-model', subject: 'board', old: a.board.model, new: b.board.model, summary: `board model: ${a.board.model} → ${b.board.model}` });
  if (!sameRanges(a.board.ram, b.board.ram)) out.push({ category: 'board', kind: 'board-ram', subject: 'board RAM', old: ranges(a.board.ram), new: ranges(b.board.ram), summary: `board RAM: ${ranges(a.board.ram)} → ${ranges(b.board.ram)}` });
  for (const [path, c] of a.board.cpus) {
    const n = b.board.cpus.get(path);
    if (!n) out.push({ category: 'board', kind: 'board-cpu-removed', subject: path, old: `hardware ID ${hex(c.hwid)}`, summary: `board CPU ${path} removed` });
    else if (n.hwid !== c.hwid || n.status !== c.status) out.push({ category: 'board', kind: 'board-cpu-changed', subject: path, old: `${hex(c.hwid)} ${c.status}`, new: `${hex(n.hwid)} ${n.status}`, summary: `board CPU ${path}: hardware ID ${hex(c.hwid)} → ${hex(n.hwid)}${n.status !== c.status ? `, status ${c.status} → ${n.status}` : ''}` });
  }
  for (const [path, c] of b.board.cpus) if (!a.board.cpus.has(path)) out.push({ category: 'board', kind: 'board-cpu-added', subject: path, new: `hardware ID ${hex(c.hwid)}`, summary: `board CPU ${path} added (hardware ID ${hex(c.hwid)})` });
  compareDevices('', a.board.devices, b.board.devices, out, 'board');

  // The hypervisor.
  const ha = a.hypervisor;
  const hb = b.hypervisor;
  if (ha.region.base !== hb.region.base || ha.region.size !== hb.region.size) out.push({ category: 'hypervisor', kind: 'hypervisor-memory', subject: "the hypervisor's memory", old: `${formatRange(ha.region)} (${formatSize(ha.region.size)})`, new: `${formatRange(hb.region)} (${formatSize(hb.region.size)})`, summary: `the hypervisor's memory: ${formatRange(ha.region)} → ${formatRange(hb.region)}` });
  if (ha.console !== hb.console) out.push({ category: 'hypervisor', kind: 'hypervisor-console', subject: "the hypervisor's console", old: ha.console, new: hb.console, summary: `the hypervisor's console: ${ha.console} → ${hb.console}` });
  for (const [name, o] of ha.runs) {
    const n = hb.runs.get(name);
    if (n === undefined) out.push({ category: 'hypervisor', kind: 'hypervisor-node-removed', subject: name, old: o, summary: `${name} removed (${o})` });
    else if (n !== o) out.push({ category: 'hypervisor', kind: 'hypervisor-node-changed', subject: name, old: o, new: n, summary: `${name}: ${o} → ${n}` });
  }
  for (const [name, n] of hb.runs) if (!ha.runs.has(name)) out.push({ category: 'hypervisor', kind: 'hypervisor-node-added', subject: name, new: n, summary: `${name} added (${n})` });

  // Guests.
  for (const [name, g] of a.guests) if (!b.guests.has(name)) out.push({ category: 'guests', kind: 'guest-removed', subject: `guest ${name}`, old: guestSummary(g), summary: `guest ${name} removed (${guestSummary(g)})` });
  for (const [name, g] of b.guests) if (!a.guests.has(name)) out.push({ category: 'guests', kind: 'guest-added', subject: `guest ${name}`, new: guestSummary(g), summary: `guest ${name} added (${guestSummary(g)})` });
  for (const [name, o] of a.guests) {
    const n = b.guests.get(name);
    if (!n) continue;
    compareMemory(name, o.memory, n.memory, out);
    if (!sameList(o.cpus, n.cpus)) {
      const what = n.cpus.length !== o.cpus.length ? `${o.cpus.length} → ${n.cpus.length} vCPUs` : 'reassigned';
      out.push({ category: 'cpus', kind: 'cpus-reassigned', subject: `${name}: vCPUs`, old: list(o.cpus.map(cpuName)), new: list(n.cpus.map(cpuName)), summary: `${name}'s vCPUs ${what}: ${list(o.cpus.map(cpuName))} → ${list(n.cpus.map(cpuName))}` });
    }
    compareDevices(name, o.devices, n.devices, out);
    for (const p of o.passthrough) if (!n.passthrough.includes(p)) out.push({ category: 'devices', kind: 'passthrough-removed', subject: `${name}: ${p}`, old: 'passed through', summary: `${name} no longer has ${p} passed through` });
    for (const p of n.passthrough) if (!o.passthrough.includes(p)) out.push({ category: 'devices', kind: 'passthrough-added', subject: `${name}: ${p}`, new: 'passed through', summary: `${p} passed through to ${name}` });
    if (fileChanged(o.image, n.image)) out.push({ category: 'guests', kind: 'guest-image', subject: `${name}: image`, old: fileText(o.image), new: fileText(n.image), summary: `${name}'s image: ${fileText(o.image)} → ${fileText(n.image)}` });
    if (fileChanged(o.initrd, n.initrd)) out.push({ category: 'guests', kind: 'guest-initrd', subject: `${name}: initrd`, old: fileText(o.initrd), new: fileText(n.initrd), summary: `${name}'s initrd: ${fileText(o.initrd)} → ${fileText(n.initrd)}` });
    if (o.entry !== n.entry) out.push({ category: 'guests', kind: 'guest-entry', subject: `${name}: entry`, old: o.entry !== undefined ? hex(o.entry) : "the image's", new: n.entry !== undefined ? hex(n.entry) : "the image's", summary: `${name}'s entry point: ${o.entry !== undefined ? hex(o.entry) : "the image's"} → ${n.entry !== undefined ? hex(n.entry) : "the image's"}` });
    // A vCPU more or fewer is cpus-reassigned's; this is about the vCPUs both sides have.
    const both = Math.min(o.scheduling.length, n.scheduling.length);
    if (!sameList(o.scheduling.slice(0, both), n.scheduling.slice(0, both))) out.push({ category: 'cpus', kind: 'guest-scheduling', subject: `${name}: scheduling`, old: list(o.scheduling), new: list(n.scheduling), summary: `${name}'s vCPUs: ${list(o.scheduling)} → ${list(n.scheduling)}` });
    if (!sameList(o.shared, n.shared)) out.push({ category: 'memory', kind: 'guest-shared-memory', subject: `${name}: shared memory`, old: list(o.shared), new: list(n.shared), summary: `${name}'s shared memory: ${list(o.shared)} → ${list(n.shared)}` });
    if (o.bootargs !== n.bootargs) out.push({ category: 'guests', kind: 'guest-bootargs', subject: `${name}: bootargs`, old: o.bootargs ?? 'none', new: n.bootargs ?? 'none', summary: `${name}'s bootargs: "${o.bootargs ?? ''}" → "${n.bootargs ?? ''}"` });
  }

  // Kconfig options.
  if (a.options && b.options) {
    for (const [sym, v] of a.options) {
      const w = b.options.get(sym);
      if (w === undefined) out.push({ category: 'options', kind: 'option-removed', subject: `CONFIG_${sym}`, old: v, summary: `CONFIG_${sym} (${v}) no longer exists` });
      else if (w !== v) out.push({ category: 'options', kind: 'option-changed', subject: `CONFIG_${sym}`, old: v, new: w, summary: `CONFIG_${sym}: ${v} → ${w}` });
    }
    for (const [sym, w] of b.options) if (!a.options.has(sym)) out.push({ category: 'options', kind: 'option-added', subject: `CONFIG_${sym}`, new: w, summary: `CONFIG_${sym} (${w}) is new` });
  }
  const order = Object.keys(CATEGORY_TITLES);
  return out.sort((x, y) => order.indexOf(x.category) - order.indexOf(y.category));
}
