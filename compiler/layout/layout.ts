import type { Board, Guest, System } from '../../schemas/model.js';
import { encodeDtb } from '../dts/dtb.js';
import type { DtTree } from '../dts/tree.js';
import { guestDeviceTree, type GuestBootInfo } from '../guestdt/guest-tree.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { checkMessages as M } from '../checks/messages.js';
import type { Component } from '../components/catalogue.js';
import { emulatorKey, type Plan } from '../plan/plan.js';
import { linuxImageHeader, type LoadedImage, readImage, readLinuxImage } from './images.js';
import {
  buildTables,
  EL2_DEVICE,
  EL2_MAIR,
  EL2_NORMAL,
  EL2_TCR,
  INPUT_BITS,
  type Mapping,
  S2_DEVICE,
  S2_NORMAL,
  START_LEVEL,
  type TableSet,
  VTCR,
} from './pagetables.js';
import { alignUp, contains, end, formatRange, formatSize, hex, isAligned, MiB, type Range, subtract } from './ranges.js';

export interface PlacedMemory {
  ipa: bigint;
  pa: bigint;
  size: bigint;
  /** True when the layout pass chose `pa` (the description did not pin it). */
  allocated: boolean;
}

export interface LoadSegment {
  destPa: bigint;
  ipa: bigint;
  data: Uint8Array;
  zeroSize: bigint;
}

export interface DeviceInstance {
  path: string;
  /** The first `reg` window (also windows[0]). */
  ipa: bigint;
  size: bigint;
  /** Every `reg` window, in order (a GIC has a distributor and a redistributor window); absent: just {ipa, size}. */
  windows?: Range[];
  irq: number;
  clockHz: bigint;
  emulator: Component;
}

export interface GuestLayout {
  name: string;
  vmid: number;
  /** For each vCPU: the pCPU slot (index into Layout.pcpus) and the MPIDR the guest sees. */
  vcpus: { pcpuSlot: number; mpidr: bigint }[];
  memory: PlacedMemory[];
  segments: LoadSegment[];
  imageFormat: LoadedImage['format'];
  entry: bigint;
  /** x0 at entry: the guest device tree's address. */
  bootArg: bigint;
  /** The guest's generated device tree, and its blob (also loaded into guest RAM). */
  deviceTree?: DtTree;
  dtb?: Uint8Array;
  devices: DeviceInstance[];
  stage2: TableSet;
  vtcr: bigint;
}

export interface PcpuLayout {
  /** Index in board.cpus. */
  boardCpu: number;
  mpidr: bigint;
  guest?: number;
  vcpu?: number;
}

/** The host interrupt controller and its driver, when a planned component needs one (e.g. a virtual GIC). */
export interface IrqchipLayout {
  path: string;
  windows: Range[];
  driver: Component;
}

export interface Layout {
  hypervisor: Range;
  console: { base: bigint; clockHz: bigint };
  irqchip?: IrqchipLayout;
  el2: { tables: TableSet; tcr: bigint; mair: bigint; mappings: Mapping[] };
  /** pcpus[0] is the boot CPU. */
  pcpus: PcpuLayout[];
  guests: GuestLayout[];
}

export interface LayoutInput {
  system: System;
  plan: Plan;
  readFile: (path: string) => Uint8Array | undefined;
  /** Bytes of the hypervisor's per-CPU stacks (CONFIG_HV_MAX_CPUS x CONFIG_HV_STACK_SIZE). */
  stackBytes: bigint;
}

const BLOCK = 2n * MiB;

/** GIC interrupt ID of a 3-cell `interrupts` specifier (type, number, flags): SPIs start at 32, PPIs at 16. */
export function gicIntid(cells: readonly number[]): number {
  if (cells.length < 2) return 0;
  return cells[0] === 1 ? cells[1]! + 16 : cells[1]! + 32;
}

/** One 3-cell GIC specifier of an `interrupts` list; `cell` is the index of its first cell. */
export interface GicSpecifier {
  type: number;
  number: number;
  intid: number;
  cell: number;
}

/** The whole 3-cell specifiers of an `interrupts` list (a trailing incomplete one is interrupt-range's to report). */
export function gicSpecifiers(cells: readonly number[]): GicSpecifier[] {
  const out: GicSpecifier[] = [];
  for (let i = 0; i + 3 <= cells.length; i += 3) out.push({ type: cells[i]!, number: cells[i + 1]!, intid: gicIntid(cells.slice(i, i + 3)), cell: i });
  return out;
}
const PAGE = 4096n;

/** The guest-physical to host-physical translation of one address through a guest's placed memory. */
function ipaToPa(memory: readonly PlacedMemory[], ipa: bigint, size: bigint): bigint | undefined {
  const m = memory.find((r) => contains({ base: r.ipa, size: r.size }, { base: ipa, size: size === 0n ? 1n : size }));
  return m ? m.pa + (ipa - m.ipa) : undefined;
}

function placeMemory(system: System, diagnostics: Diagnostic[]): PlacedMemory[][] {
  const pinned: Range[] = [system.hypervisor.region];
  for (const g of system.guests) for (const m of g.memory) if (m.hostAddress !== undefined) pinned.push({ base: m.hostAddress, size: m.size });
  let free = subtract(system.board.memory, pinned);
  return system.guests.map((guest) =>
    guest.memory.map((m) => {
      if (m.hostAddress !== undefined) return { ipa: m.ipa, pa: m.hostAddress, size: m.size, allocated: false };
      // Matching the IPA's offset within a 2 MiB block lets stage 2 use block mappings.
      const alignment = isAligned(m.ipa, BLOCK) && isAligned(m.size, BLOCK) ? BLOCK : PAGE;
      for (const piece of free) {
        const base = alignUp(piece.base, alignment);
        if (base + m.size <= end(piece)) {
          free = subtract(free, [{ base, size: m.size }]);
          return { ipa: m.ipa, pa: base, size: m.size, allocated: true };
        }
      }
      diagnostics.push(
        diagnostic(M.memoryPlacement, `no room in the board's free RAM for ${formatSize(m.size)} of guest '${guest.name}'`, m.span, {
          notes: [`free RAM: ${free.map(formatRange).join(', ') || '(none)'}`],
          help: 'shrink the region, or give it a `host-address` the board has free',
        }),
      );
      return { ipa: m.ipa, pa: 0n, size: m.size, allocated: true };
    }),
  );
}

interface GuestBoot {
  segments: LoadSegment[];
  entry: bigint;
  format: LoadedImage['format'];
  bootArg: bigint;
  deviceTree: DtTree;
  dtb: Uint8Array;
}

/**
 * Places a guest's boot files in its RAM: the image (an ELF or raw binary where it says; a Linux Image
 * at text_offset above the first 2 MiB-aligned RAM address), then the initrd, then the generated device
 * tree (2 MiB aligned when there is room, as arm64 Linux prefers), whose address the guest gets in x0.
 */
function placeGuestBoot(guest: Guest, board: Board, memory: PlacedMemory[], readFile: LayoutInput['readFile'], diagnostics: Diagnostic[]): GuestBoot | undefined {
  const bytes = readFile(guest.image.path);
  if (!bytes) {
    diagnostics.push(diagnostic(M.imageMissing, `cannot read image '${guest.image.written}' of guest '${guest.name}'`, guest.image.span, { notes: [`looked for ${guest.image.path}`] }));
    return undefined;
  }
  const ram = [...memory].sort((x, y) => (x.ipa < y.ipa ? -1 : 1));
  const linux = linuxImageHeader(bytes);
  let image: LoadedImage;
  if (linux) image = readLinuxImage(bytes, linux, alignUp(ram[0]!.ipa, BLOCK));
  else {
    const result = readImage(bytes, guest.image.loadAddress);
    if (!result.ok) {
      diagnostics.push(diagnostic(M.imageFormat, `image '${guest.image.written}' of guest '${guest.name}': ${result.reason}`, guest.image.span));
      return undefined;
    }
    image = result.image;
  }
  const segments: LoadSegment[] = [];
  let end = 0n;
  for (const s of image.segments) {
    const total = BigInt(s.data.length) + s.zeroSize;
    const destPa = ipaToPa(memory, s.ipa, total);
    if (destPa === undefined) {
      diagnostics.push(
        diagnostic(M.imageOutsideMemory, `image '${guest.image.written}' loads ${formatRange({ base: s.ipa, size: total })}, which is not inside guest '${guest.name}''s RAM`, guest.image.span, {
          related: guest.memory.map((m) => ({ span: m.span, message: `RAM ${formatRange({ base: m.ipa, size: m.size })}` })),
        }),
      );
      continue;
    }
    segments.push({ destPa, ipa: s.ipa, data: s.data, zeroSize: s.zeroSize });
    if (s.ipa + total > end) end = s.ipa + total;
  }
  const entry = guest.entry ?? image.entry;
  if (ipaToPa(memory, entry, 4n) === undefined) {
    diagnostics.push(diagnostic(M.entryOutsideImage, `entry point ${hex(entry)} of guest '${guest.name}' is not inside its RAM`, guest.entrySpan ?? guest.image.span));
  }

  /** The first address at or after `from` (with one of the alignments, tried in order) where `size` bytes fit in one RAM region. */
  const fit = (from: bigint, size: bigint, alignments: bigint[]): bigint | undefined => {
    for (const alignment of alignments) {
      for (const r of ram) {
        const at = alignUp(from > r.ipa ? from : r.ipa, alignment);
        if (at + size <= r.ipa + r.size) return at;
      }
    }
    return undefined;
  };

  let initrd: GuestBootInfo['initrd'];
  if (guest.initrd) {
    const data = readFile(guest.initrd.path);
    if (!data) {
      diagnostics.push(diagnostic(M.imageMissing, `cannot read initrd '${guest.initrd.written}' of guest '${guest.name}'`, guest.initrd.span, { notes: [`looked for ${guest.initrd.path}`] }));
      return undefined;
    }
    const at = fit(end, BigInt(data.length), [PAGE]);
    if (at === undefined) {
      diagnostics.push(
        diagnostic(M.initrdFit, `initrd '${guest.initrd.written}' (${formatSize(BigInt(data.length))}) does not fit in guest '${guest.name}''s RAM after its image (which ends at ${hex(end)})`, guest.initrd.span, {
          related: guest.memory.map((m) => ({ span: m.span, message: `RAM ${formatRange({ base: m.ipa, size: m.size })}` })),
        }),
      );
      return undefined;
    }
    segments.push({ destPa: ipaToPa(memory, at, BigInt(data.length))!, ipa: at, data, zeroSize: 0n });
    initrd = { start: at, end: at + BigInt(data.length) };
    end = initrd.end;
  }

  const deviceTree = guestDeviceTree(guest, board, { memory: ram.map((m) => ({ ipa: m.ipa, size: m.size })), ...(initrd ? { initrd } : {}) });
  const dtb = encodeDtb(deviceTree);
  const dtbAt = fit(end, BigInt(dtb.length), [BLOCK, PAGE]);
  if (dtbAt === undefined) {
    diagnostics.push(diagnostic(M.guestDtbFit, `guest '${guest.name}''s device tree (${dtb.length} bytes) does not fit in its RAM after the image${initrd ? ' and initrd' : ''}`, guest.span));
    return undefined;
  }
  segments.push({ destPa: ipaToPa(memory, dtbAt, BigInt(dtb.length))!, ipa: dtbAt, data: dtb, zeroSize: 0n });
  return { segments, entry, format: image.format, bootArg: dtbAt, deviceTree, dtb };
}

/**
 * Computes the memory map: where each guest's RAM lives in host RAM, where its image pieces go, the
 * hypervisor's identity map and each guest's stage-2 tables. Runs after the checks, so it may assume a
 * consistent description; what it alone can find out (images, placement) it reports itself.
 */
export function layoutSystem(input: LayoutInput): { layout?: Layout; diagnostics: Diagnostic[] } {
  const { system, plan } = input;
  const diagnostics: Diagnostic[] = [];
  const board = system.board;

  const memory = placeMemory(system, diagnostics);

  // The boot CPU (the one the firmware starts: board.cpus[0]) always comes first.
  const pcpus: PcpuLayout[] = [{ boardCpu: 0, mpidr: board.cpus[0]!.mpidr }];
  const slotOf = (boardCpu: number) => {
    let slot = pcpus.findIndex((p) => p.boardCpu === boardCpu);
    if (slot < 0) {
      slot = pcpus.length;
      pcpus.push({ boardCpu, mpidr: board.cpus[boardCpu]!.mpidr });
    }
    return slot;
  };

  const guests: GuestLayout[] = [];
  system.guests.forEach((guest, gi) => {
    const vcpus = guest.vcpus.map((v, vi) => {
      const slot = slotOf(v.pcpu);
      pcpus[slot]!.guest = gi;
      pcpus[slot]!.vcpu = vi;
      return { pcpuSlot: slot, mpidr: BigInt(vi) };
    });
    const boot = memory[gi]!.length > 0 ? placeGuestBoot(guest, board, memory[gi]!, input.readFile, diagnostics) : undefined;
    const devices: DeviceInstance[] = guest.devices.flatMap((d) => {
      const emulator = plan.emulators.get(emulatorKey(gi, d.path));
      const window = d.reg[0];
      if (!emulator || !window) return [];
      const windows = d.reg.map((r) => ({ base: r.base, size: r.size }));
      return [{ path: d.path, ipa: window.base, size: window.size, windows, irq: gicIntid(d.interrupts), clockHz: d.clockHz ?? 0n, emulator }];
    });
    const s2Mappings: Mapping[] = memory[gi]!.map((m) => ({ base: m.ipa, size: m.size, pa: m.pa, attributes: S2_NORMAL, label: `guest '${guest.name}' RAM ${formatRange({ base: m.ipa, size: m.size })}` }));
    // Passthrough devices appear at their own addresses, as Device memory the guest drives directly.
    for (const p of guest.passthrough) {
      const device = board.devices.find((d) => d.path === p.device);
      for (const r of device?.reg ?? []) s2Mappings.push({ base: r.base, size: alignUp(r.size, PAGE), pa: r.base, attributes: S2_DEVICE, label: `guest '${guest.name}' passthrough ${p.device}` });
    }
    guests.push({
      name: guest.name,
      vmid: gi + 1,
      vcpus,
      memory: memory[gi]!,
      segments: boot?.segments ?? [],
      imageFormat: boot?.format ?? 'raw',
      entry: boot?.entry ?? 0n,
      bootArg: boot?.bootArg ?? 0n,
      ...(boot ? { deviceTree: boot.deviceTree, dtb: boot.dtb } : {}),
      devices,
      stage2: buildTables(s2Mappings, INPUT_BITS, START_LEVEL),
      vtcr: VTCR,
    });
  });

  const consoleDevice = board.devices.find((d) => d.path === system.hypervisor.console)!;
  const consoleWindow = consoleDevice.reg[0]!;
  // The hypervisor reaches all of RAM (it loads guests) and only the devices its drivers use.
  const el2Mappings: Mapping[] = [
    ...board.memory.map((r) => ({ base: r.base, size: r.size, pa: r.base, attributes: EL2_NORMAL, label: `RAM ${formatRange(r)}` })),
    { base: consoleWindow.base, size: alignUp(consoleWindow.size, PAGE), pa: consoleWindow.base, attributes: EL2_DEVICE, label: `console ${consoleDevice.path}` },
  ];
  // The host interrupt controller, when the plan linked its driver: the hypervisor maps and drives it.
  let irqchip: IrqchipLayout | undefined;
  const irqDevice = board.devices.find((d) => d.path === board.interruptController);
  const irqDriver = plan.irqchipDriver;
  if (irqDevice && irqDriver) {
    irqchip = { path: irqDevice.path, windows: irqDevice.reg.map((r) => ({ base: r.base, size: r.size })), driver: irqDriver };
    for (const r of irqchip.windows) el2Mappings.push({ base: r.base, size: alignUp(r.size, PAGE), pa: r.base, attributes: EL2_DEVICE, label: `interrupt controller ${irqDevice.path}` });
  }
  const el2Tables = buildTables(el2Mappings, INPUT_BITS, START_LEVEL);

  // A lower bound of what the image holds besides code: stacks, translation tables, the guest images.
  const tableBytes = BigInt(el2Tables.tables.length + guests.reduce((a, g) => a + g.stage2.tables.length, 0)) * PAGE;
  const imageBytes = guests.reduce((a, g) => a + g.segments.reduce((b, s) => b + alignUp(BigInt(s.data.length), 16n), 0n), 0n);
  const needed = input.stackBytes + tableBytes + imageBytes;
  if (needed > system.hypervisor.region.size) {
    diagnostics.push(
      diagnostic(M.hypervisorRegionEstimate, `the hypervisor's memory (${formatSize(system.hypervisor.region.size)}) cannot hold its stacks, tables and guest images (at least ${formatSize(alignUp(needed, PAGE))})`, system.hypervisor.region.span, {
        notes: [`stacks ${input.stackBytes} bytes, translation tables ${tableBytes} bytes, guest images ${imageBytes} bytes, before any code`],
      }),
    );
  }

  const layout: Layout = {
    hypervisor: { base: system.hypervisor.region.base, size: system.hypervisor.region.size },
    console: { base: consoleWindow.base, clockHz: consoleDevice.clockHz ?? 0n },
    ...(irqchip ? { irqchip } : {}),
    el2: { tables: el2Tables, tcr: EL2_TCR, mair: EL2_MAIR, mappings: el2Mappings },
    pcpus,
    guests,
  };
  return { layout, diagnostics };
}
