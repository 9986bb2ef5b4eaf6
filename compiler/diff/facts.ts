import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Interrupt, System } from '../../schemas/model.js';
import type { SystemMap } from '../map/model.js';
import type { Range } from '../util/ranges.js';

/**
 * What a system is, independent of how its description is written: guests by name, devices by node name,
 * CPUs by path, every address and number as a value, options by symbol. Two descriptions that differ only
 * in node order, labels versus paths, number bases or expressions have equal facts.
 */
export interface SystemFacts {
  name: string;
  file: string;
  board: {
    model: string;
    ram: Range[];
    cpus: Map<string, { hwid: bigint; status: string }>;
    devices: Map<string, DeviceFacts & { status: string }>;
  };
  hypervisor: {
    region: Range;
    console: string;
    /** What it runs itself, by node name: disks, networks, shared regions, each as one line of text. */
    runs: Map<string, string>;
  };
  guests: Map<string, GuestFacts>;
  /** Kconfig values by symbol (without CONFIG_), when the options could be resolved. */
  options?: ReadonlyMap<string, string> | undefined;
  optionsSource?: string | undefined;
}

export interface DeviceFacts {
  compatible: string[];
  reg: Range[];
  /** Each interrupt as the controller numbers it: "SPI 1 (ID 33), level-high". */
  interrupts: string[];
}

export interface MemoryFacts {
  ipa: bigint;
  size: bigint;
  /** Host-physical base: where the build puts it (pinned or placed by hvcc); undefined when it could not be placed. */
  pa?: bigint | undefined;
  pinned: boolean;
}

/** A file a guest loads: compared by content when both sides can read it, else by its path from the description's folder. */
export interface FileFacts {
  written: string;
  /** Relative to the description's folder. */
  path: string;
  sha256?: string | undefined;
}

function fileFacts(systemFile: string, f: { path: string; written: string }): FileFacts {
  const sha256 = existsSync(f.path) ? createHash('sha256').update(readFileSync(f.path)).digest('hex') : undefined;
  return { written: f.written, path: relative(dirname(systemFile), f.path), ...(sha256 ? { sha256 } : {}) };
}

export interface GuestFacts {
  memory: MemoryFacts[];
  /** The board CPU each vCPU runs on, in vCPU order. */
  cpus: string[];
  devices: Map<string, DeviceFacts>;
  passthrough: string[];
  image: FileFacts;
  initrd?: FileFacts | undefined;
  entry?: bigint | undefined;
  bootargs?: string | undefined;
  /** Each vCPU's priority and time slice. */
  scheduling: string[];
  /** Its windows on shared regions, as text, sorted. */
  shared: string[];
}

const hexText = (v: bigint) => `0x${v.toString(16)}`;

const TRIGGER: Record<number, string> = { 1: 'edge-rising', 2: 'edge-falling', 3: 'edge-both', 4: 'level-high', 8: 'level-low' };

export function interruptText(i: Interrupt): string {
  const name = i.kind ? `${i.kind} ${i.number} (ID ${i.id})` : `ID ${i.id}`;
  const trigger = TRIGGER[i.flags & 0xf];
  return trigger ? `${name}, ${trigger}` : name;
}

const byIpa = (a: MemoryFacts, b: MemoryFacts) => (a.ipa < b.ipa ? -1 : a.ipa > b.ipa ? 1 : 0);

export function systemFacts(system: System, map: SystemMap | undefined, options?: { values: ReadonlyMap<string, string>; source: string }): SystemFacts {
  const board = system.board;
  const guests = new Map<string, GuestFacts>();
  for (const g of system.guests) {
    const view = map?.guests.find((x) => x.name === g.name);
    const ram = view?.regions.filter((r) => r.kind === 'ram') ?? [];
    const memory = g.memory.map((m, i) => ({
      ipa: m.ipa,
      size: m.size,
      pa: ram.find((r) => r.id.endsWith(`-ram-${i}`))?.pa,
      pinned: m.hostAddress !== undefined,
    }));
    guests.set(g.name, {
      memory: memory.sort(byIpa),
      cpus: g.vcpus.map((v) => v.affinity.map((i) => board.cpus[i]?.path ?? `cpu #${i}`).join(' or ')),
      devices: new Map(g.devices.map((d) => [d.name, { compatible: d.compatible, reg: d.reg.map((r) => ({ base: r.base, size: r.size })), interrupts: d.interrupts.map(interruptText) }])),
      passthrough: [...g.passthrough.map((p) => p.device)].sort(),
      image: fileFacts(system.file, g.image),
      ...(g.initrd ? { initrd: fileFacts(system.file, g.initrd) } : {}),
      ...(g.entry !== undefined ? { entry: g.entry } : {}),
      ...(g.bootargs !== undefined ? { bootargs: g.bootargs } : {}),
      scheduling: g.vcpus.map((v) => `priority ${v.priority}, slice ${v.timeSliceUs} us`),
      shared: g.shared.map((w) => `${w.region} at ${hexText(w.ipa)} (${w.size} bytes, ${w.readOnly ? 'read-only' : 'read-write'})`).sort(),
    });
  }
  const nodeName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
  const runs = new Map<string, string>();
  for (const d of system.disks) runs.set(nodeName(d.path), `disk on ${d.device}, ${d.size} bytes`);
  for (const n of system.networks) runs.set(nodeName(n.path), n.uplink ? `network, uplink ${n.uplink}` : 'network, no uplink');
  for (const r of system.sharedRegions) runs.set(nodeName(r.path), `shared region of ${r.size} bytes${r.hostAddress !== undefined ? ` at host ${hexText(r.hostAddress)}` : ''}`);
  return {
    name: system.name,
    file: system.file,
    board: {
      model: board.model,
      ram: board.memory.map((r) => ({ base: r.base, size: r.size })),
      cpus: new Map(board.cpus.map((c) => [c.path, { hwid: c.hwid, status: c.status }])),
      devices: new Map(board.devices.map((d) => [d.path, { compatible: d.compatible, reg: d.reg.map((r) => ({ base: r.base, size: r.size })), interrupts: d.interrupts.map(interruptText), status: d.status }])),
    },
    hypervisor: { region: { base: system.hypervisor.region.base, size: system.hypervisor.region.size }, console: system.hypervisor.console, runs },
    guests,
    ...(options ? { options: options.values, optionsSource: options.source } : {}),
  };
}
