import type { Board, Guest, System } from '../../schemas/model.js';
import type { ArchBackend } from '../arch/backend.js';
import { encodeDtb } from '../dts/dtb.js';
import type { DtTree } from '../dts/tree.js';
import { guestDeviceTree, type GuestBootInfo } from '../guestdt/guest-tree.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Span } from '../diagnostics/span.js';
import { diagnostic } from '../diagnostics/define.js';
import type { Component } from '../components/catalogue.js';
import type { ParameterValue } from '../components/parameters.js';
import { emulatorKey, type Plan } from '../plan/plan.js';
import { archBackends } from '../arch/index.js';
import { elfMachine, readImage, type LoadedImage } from './images.js';
import { layoutMessages as M } from './messages.js';
import { readBytes, type FileRef, type FileResult } from '../fs/files.js';
import { buildTables, type Mapping, type TableSet } from './tables.js';
import { alignUp, contains, end, formatRange, formatSize, hex, isAligned, type Range, subtract } from '../util/ranges.js';
import { withArticle } from '../util/text.js';

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
  /** Every `reg` window, in order (an interrupt controller may have several). */
  windows: Range[];
  /** Every interrupt, decoded: the guest interrupt controller's number and the trigger flags. */
  irqs: { id: number; flags: number }[];
  emulator: Component;
  params: ParameterValue[];
}

export interface GuestLayout {
  name: string;
  vmid: number;
  vcpus: VcpuLayout[];
  memory: PlacedMemory[];
  segments: LoadSegment[];
  imageFormat: LoadedImage['format'];
  entry: bigint;
  /** The guest device tree's address, handed over as the architecture's boot protocol says. */
  bootArg: bigint;
  /** The guest's generated device tree, and its blob (also loaded into guest RAM). */
  deviceTree?: DtTree;
  dtb?: Uint8Array;
  devices: DeviceInstance[];
  /** Index into devices of the guest's console (its /chosen stdout-path), when it has one. */
  console?: number;
  /** Whether it starts at boot (else the management terminal starts it). */
  autostart: boolean;
  stage2: TableSet;
  /** The architecture's part of the guest's config, in its backend's field order. */
  arch: bigint[];
  /** Interrupts of its passed-through devices, forwarded to its virtual interrupt controller (absent: none). */
  passthroughIrqs?: { id: number; flags: number; device: string }[];
}

/** A shared memory region placed in host RAM, and the guests that map it. */
export interface SharedLayout {
  path: string;
  name: string;
  pa: bigint;
  size: bigint;
  /** True when the layout pass chose `pa`. */
  allocated: boolean;
  sharers: { guest: string; ipa: bigint; readOnly: boolean }[];
}

export interface VcpuLayout {
  /** The pCPU slot (index into Layout.pcpus) it starts on: the first of its affinity. */
  pcpuSlot: number;
  /** The CPU identifier the guest sees. */
  hwid: bigint;
  /** Bit n: it may run on slot n. Without a scheduler only its starting slot. */
  affinity: bigint;
  priority: number;
  timeSliceNs: bigint;
}

export interface PcpuLayout {
  /** Index in board.cpus. */
  boardCpu: number;
  hwid: bigint;
  /** The vCPU that owns this CPU: the only one that may run on it, pinned there. Unset when none or several may. */
  guest?: number;
  vcpu?: number;
  /** Every vCPU that may run on it (several only with a scheduler). */
  runs: { guest: number; vcpu: number }[];
}

/** The host interrupt controller and its driver, when a planned component needs one (e.g. a virtual interrupt controller). */
export interface IrqchipLayout {
  path: string;
  windows: Range[];
  driver: Component;
}

/** An instance the hypervisor runs itself (a disk's driver, a network's switch). */
export interface HostInstance {
  path: string;
  driver: Component;
  /** Its parameters, board devices' windows and interrupts filled in. */
  params: ParameterValue[];
}

export interface Layout {
  hypervisor: Range;
  /** The host console: its UART, driver and parameters, and the escape key of the console's switching keys. */
  console: { base: bigint; driver: Component; params: ParameterValue[]; escape: number };
  irqchip?: IrqchipLayout;
  /** The vCPU scheduler, when some CPU is shared (its ops become hv_config.scheduler). */
  scheduler?: Component;
  /** The hypervisor's own translation tables (an identity map). */
  hv: { tables: TableSet; mappings: Mapping[] };
  /** The architecture's part of hv_config, in its backend's field order. */
  arch: bigint[];
  /** Interrupts of the board's controller the hypervisor takes itself (the linked components declare them). */
  hypervisorInterrupts: { id: number; what: string; component: string }[];
  /** pcpus[0] is the boot CPU. */
  pcpus: PcpuLayout[];
  guests: GuestLayout[];
  /** Shared memory regions (absent: none). */
  shared?: SharedLayout[];
  /** Host instances (absent: none). */
  hosts?: HostInstance[];
}

export interface LayoutInput {
  system: System;
  plan: Plan;
  /**
   * Reads a guest's boot file through compiler/fs (default: the file system): a failure becomes a located
   * diagnostic at the property that names the file (HV3010 when it does not exist, HV0005-HV0008 otherwise).
   */
  readFile?: (path: string, ref: FileRef) => FileResult<Uint8Array>;
  /** Bytes of the hypervisor's stacks: CONFIG_HV_MAX_CPUS x CONFIG_HV_STACK_SIZE, plus one per vCPU with the scheduler. */
  stackBytes: bigint;
}

/** The granule-aligned pages a range touches. */
function pagesOf(r: Range, PAGE: bigint): bigint[] {
  const out: bigint[] = [];
  for (let p = (r.base / PAGE) * PAGE; p < r.base + r.size; p += PAGE) out.push(p);
  return out;
}

/** The guest-physical to host-physical translation of one address through a guest's placed memory. */
function ipaToPa(memory: readonly PlacedMemory[], ipa: bigint, size: bigint): bigint | undefined {
  const m = memory.find((r) => contains({ base: r.ipa, size: r.size }, { base: ipa, size: size === 0n ? 1n : size }));
  return m ? m.pa + (ipa - m.ipa) : undefined;
}

/** Places every guest's RAM, and the shared regions, in the board's free RAM: pinned regions where they say, the others first-fit in guest order. */
export function placeMemory(system: System, block: bigint, PAGE: bigint, diagnostics: Diagnostic[]): { guests: PlacedMemory[][]; shared: Map<string, { pa: bigint; allocated: boolean }> } {
  const pinned: Range[] = [system.hypervisor.region];
  for (const g of system.guests) for (const m of g.memory) if (m.hostAddress !== undefined) pinned.push({ base: m.hostAddress, size: m.size });
  for (const r of system.sharedRegions) if (r.hostAddress !== undefined) pinned.push({ base: r.hostAddress, size: r.size });
  let free = subtract(system.board.memory, pinned);
  /** Free RAM for `size` bytes, aligned to `alignment`; undefined when there is none. */
  const take = (size: bigint, alignment: bigint): bigint | undefined => {
    for (const piece of free) {
      const base = alignUp(piece.base, alignment);
      if (base + size <= end(piece)) {
        free = subtract(free, [{ base, size }]);
        return base;
      }
    }
    return undefined;
  };
  const noRoom = (what: string, size: bigint, span: Span) =>
    diagnostics.push(
      diagnostic(M.memoryPlacement, `no room in the board's free RAM for ${formatSize(size)} of ${what}`, span, {
        notes: [`free RAM: ${free.map(formatRange).join(', ') || '(none)'}`],
        help: 'shrink the region, or give it a `host-address` the board has free',
      }),
    );
  const guests = system.guests.map((guest) =>
    guest.memory.map((m) => {
      if (m.hostAddress !== undefined) return { ipa: m.ipa, pa: m.hostAddress, size: m.size, allocated: false };
      // Matching the IPA's offset within a block lets the guest's tables use block mappings.
      const base = take(m.size, isAligned(m.ipa, block) && isAligned(m.size, block) ? block : PAGE);
      if (base === undefined) noRoom(`guest '${guest.name}'`, m.size, m.span);
      return { ipa: m.ipa, pa: base ?? 0n, size: m.size, allocated: true };
    }),
  );
  const shared = new Map<string, { pa: bigint; allocated: boolean }>();
  for (const r of system.sharedRegions) {
    if (r.hostAddress !== undefined) {
      shared.set(r.path, { pa: r.hostAddress, allocated: false });
      continue;
    }
    const base = take(r.size, isAligned(r.size, block) ? block : PAGE);
    if (base === undefined) noRoom(`shared region '${r.name}'`, r.size, r.span);
    shared.set(r.path, { pa: base ?? 0n, allocated: true });
  }
  return { guests, shared };
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
 * Places a guest's boot files in its RAM: the image (an ELF or raw binary where it says; a kernel image where
 * the architecture's boot protocol wants it), then the initrd, then the generated device tree (at the
 * alignment the boot protocol prefers when there is room), whose address the guest is handed at entry.
 */
function placeGuestBoot(guest: Guest, board: Board, memory: PlacedMemory[], tree: { arch: ArchBackend; console?: string; withInterruptController: boolean; forwardInterrupts: boolean }, readFile: NonNullable<LayoutInput['readFile']>, diagnostics: Diagnostic[]): GuestBoot | undefined {
  const PAGE = tree.arch.tables.guest.granule;
  const read = readFile(guest.image.path, { what: 'the image', of: `of guest '${guest.name}'`, written: guest.image.written, span: guest.image.span, notFound: M.imageMissing });
  if (!read.ok) {
    diagnostics.push(read.diagnostic);
    return undefined;
  }
  const bytes = read.value;
  const machine = elfMachine(bytes);
  const other = machine !== undefined && machine !== tree.arch.elfMachine ? archBackends.find((b) => b.elfMachine === machine) : undefined;
  if (other) {
    diagnostics.push(
      diagnostic(M.guestArchitecture, `guest '${guest.name}' is a program for ${other.name}, but the board's CPUs are ${tree.arch.name}`, guest.span, {
        related: [{ span: guest.image.span, message: `image '${guest.image.written}' (ELF machine ${machine})` }],
        help: `build the guest for ${tree.arch.name}, or describe it on ${withArticle(other.name)} board`,
      }),
    );
    return undefined;
  }
  const ram = [...memory].sort((x, y) => (x.ipa < y.ipa ? -1 : 1));
  const result = readImage(bytes, guest.image.loadAddress, tree.arch, ram[0]!.ipa);
  if (!result.ok) {
    diagnostics.push(diagnostic(M.imageFormat, `image '${guest.image.written}' of guest '${guest.name}': ${result.reason}`, guest.image.span));
    return undefined;
  }
  const image: LoadedImage = result.image;
  const segments: LoadSegment[] = [];
  let end = 0n;
  for (const s of image.segments) {
    const total = BigInt(s.data.length) + s.zeroSize;
    const destPa = ipaToPa(memory, s.ipa, total);
    if (destPa === undefined) {
      diagnostics.push(
        diagnostic(M.imageOutsideMemory, `image '${guest.image.written}' loads ${formatRange({ base: s.ipa, size: total })}, which is not inside the RAM of guest '${guest.name}'`, guest.image.span, {
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
    const readInitrd = readFile(guest.initrd.path, { what: 'the initrd', of: `of guest '${guest.name}'`, written: guest.initrd.written, span: guest.initrd.span, notFound: M.imageMissing });
    if (!readInitrd.ok) {
      diagnostics.push(readInitrd.diagnostic);
      return undefined;
    }
    const data = readInitrd.value;
    const at = fit(end, BigInt(data.length), [PAGE]);
    if (at === undefined) {
      diagnostics.push(
        diagnostic(M.initrdFit, `initrd '${guest.initrd.written}' (${formatSize(BigInt(data.length))}) does not fit in the RAM of guest '${guest.name}' after its image (which ends at ${hex(end)})`, guest.initrd.span, {
          related: guest.memory.map((m) => ({ span: m.span, message: `RAM ${formatRange({ base: m.ipa, size: m.size })}` })),
        }),
      );
      return undefined;
    }
    segments.push({ destPa: ipaToPa(memory, at, BigInt(data.length))!, ipa: at, data, zeroSize: 0n });
    initrd = { start: at, end: at + BigInt(data.length) };
    end = initrd.end;
  }

  const deviceTree = guestDeviceTree(guest, board, tree.arch, {
    memory: ram.map((m) => ({ ipa: m.ipa, size: m.size })),
    ...(initrd ? { initrd } : {}),
    ...(tree.console ? { console: tree.console } : {}),
    withInterruptController: tree.withInterruptController,
    forwardInterrupts: tree.forwardInterrupts,
  });
  const dtb = encodeDtb(deviceTree);
  const dtbAt = fit(end, BigInt(dtb.length), tree.arch.deviceTreeAlignments);
  if (dtbAt === undefined) {
    diagnostics.push(diagnostic(M.guestDtbFit, `the device tree of guest '${guest.name}' (${dtb.length} bytes) does not fit in its RAM after the image${initrd ? ' and initrd' : ''}`, guest.span));
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
  const arch = plan.backend;
  const diagnostics: Diagnostic[] = [];
  const board = system.board;
  const guestFormat = arch.tables.guest;
  const block = guestFormat.entrySize(guestFormat.lastLevel - 1);

  const PAGE = guestFormat.granule;
  const placed = placeMemory(system, block, PAGE, diagnostics);
  const memory = placed.guests;

  // The boot CPU (the one the firmware starts: board.cpus[0]) always comes first.
  const pcpus: PcpuLayout[] = [{ boardCpu: 0, hwid: board.cpus[0]!.hwid, runs: [] }];
  const slotOf = (boardCpu: number) => {
    let slot = pcpus.findIndex((p) => p.boardCpu === boardCpu);
    if (slot < 0) {
      slot = pcpus.length;
      pcpus.push({ boardCpu, hwid: board.cpus[boardCpu]!.hwid, runs: [] });
    }
    return slot;
  };
  // Without a scheduler no CPU is shared (the cpu-shared check saw to it): a vCPU runs on the first CPU of
  // its affinity, and only there.
  const scheduled = plan.scheduler !== undefined;

  // A vCPU free to run on several CPUs starts on the least loaded of them (pinned vCPUs counted first, then
  // the others in description order): an idle CPU pulls work, but nothing moves a busy CPU's extra vCPUs.
  const homes = new Map<number, number>();
  for (const g of system.guests) for (const v of g.vcpus) if (v.affinity.length === 1) homes.set(v.affinity[0]!, (homes.get(v.affinity[0]!) ?? 0) + 1);
  const home = (affinity: number[]) => {
    if (affinity.length <= 1) return affinity[0];
    const best = affinity.reduce((a, b) => ((homes.get(b) ?? 0) < (homes.get(a) ?? 0) ? b : a));
    homes.set(best, (homes.get(best) ?? 0) + 1);
    return best;
  };

  const guests: GuestLayout[] = [];
  system.guests.forEach((guest, gi) => {
    const vcpus = guest.vcpus.map((v, vi): VcpuLayout => {
      const cpus = scheduled ? v.affinity : v.affinity.slice(0, 1);
      const start = scheduled ? home(cpus) : cpus[0];
      const slots = cpus.map(slotOf);
      for (const slot of slots) pcpus[slot]!.runs.push({ guest: gi, vcpu: vi });
      return {
        pcpuSlot: start === undefined ? 0 : slotOf(start),
        hwid: arch.vcpuHwid(vi),
        affinity: slots.reduce((mask, slot) => mask | (1n << BigInt(slot)), 0n),
        priority: v.priority,
        timeSliceNs: BigInt(v.timeSliceUs) * 1000n,
      };
    });
    const devices: DeviceInstance[] = guest.devices.flatMap((d) => {
      const instance = plan.emulators.get(emulatorKey(gi, d.path));
      if (!instance || d.reg.length === 0) return [];
      return [
        {
          path: d.path,
          windows: d.reg.map((r) => ({ base: r.base, size: r.size })),
          irqs: d.interrupts.map((i) => ({ id: i.id, flags: i.flags })),
          emulator: instance.component,
          params: instance.params,
        },
      ];
    });
    // The guest's console: the first device whose emulator can be one.
    const consoleIndex = devices.findIndex((d) => d.emulator.manifest['guest-console']);
    const withInterruptController = devices.some((d) => d.emulator.manifest.ops !== undefined && d.emulator.manifest['interrupt-controller'] !== undefined);
    const consoleNode = consoleIndex >= 0 ? guest.devices.find((d) => d.path === devices[consoleIndex]!.path) : undefined;
    const boot =
      memory[gi]!.length > 0
        ? placeGuestBoot(guest, board, memory[gi]!, { arch, withInterruptController, forwardInterrupts: withInterruptController && plan.irqchipDriver !== undefined, ...(consoleNode ? { console: `/${consoleNode.name}` } : {}) }, input.readFile ?? readBytes, diagnostics)
        : undefined;
    const s2Mappings: Mapping[] = memory[gi]!.map((m) => ({ base: m.ipa, size: m.size, pa: m.pa, kind: 'ram', label: `guest '${guest.name}' RAM ${formatRange({ base: m.ipa, size: m.size })}` }));
    // Interrupts of passed-through devices go to the guest's virtual interrupt controller when it has one
    // and the hypervisor drives the board's (the checks said whether they can be delivered).
    const forwarded =
      withInterruptController && plan.irqchipDriver
        ? guest.passthrough.flatMap((p) =>
            (board.devices.find((d) => d.path === p.device)?.interrupts ?? [])
              .filter((i) => !i.problem && i.controller === board.interruptController)
              .map((i) => ({ id: i.id, flags: i.flags, device: p.device })),
          )
        : [];
    // Shared regions, at each sharer's own window, read-only where the description says so.
    for (const w of guest.shared) {
      const region = system.sharedRegions.find((r) => r.path === w.region);
      const at = placed.shared.get(w.region);
      if (!region || !at) continue;
      const size = w.size < region.size ? w.size : region.size;
      s2Mappings.push({ base: w.ipa, size: alignUp(size, PAGE), pa: at.pa, kind: 'ram', readOnly: w.readOnly, label: `guest '${guest.name}' shared region '${region.name}'` });
    }
    // Passthrough devices appear at their own addresses, as device memory the guest drives directly.
    for (const p of guest.passthrough) {
      const device = board.devices.find((d) => d.path === p.device);
      for (const r of device?.reg ?? []) s2Mappings.push({ base: r.base, size: alignUp(r.size, PAGE), pa: r.base, kind: 'device', label: `guest '${guest.name}' passthrough ${p.device}` });
    }
    // The guest's address space holds its mappings and the device windows it traps on, so that an access to
    // an emulated device faults with its address; beyond that, accesses fault before any walk.
    const reach = guest.devices.flatMap((d) => d.reg).reduce((a, r) => (end(r) > a ? end(r) : a), 0n);
    const stage2 = buildTables(s2Mappings, guestFormat, reach);
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
      ...(consoleIndex >= 0 ? { console: consoleIndex } : {}),
      autostart: guest.autostart,
      stage2,
      arch: arch.config.guest.values(system, guest, stage2.format),
      ...(forwarded.length > 0 ? { passthroughIrqs: forwarded } : {}),
    });
  });

  // A CPU is owned by a vCPU when that vCPU alone may run there and may run nowhere else.
  for (const p of pcpus) {
    const only = p.runs.length === 1 ? p.runs[0]! : undefined;
    if (only && guests[only.guest]!.vcpus[only.vcpu]!.affinity === 1n << BigInt(pcpus.indexOf(p))) {
      p.guest = only.guest;
      p.vcpu = only.vcpu;
    }
  }

  const consoleDevice = board.devices.find((d) => d.path === system.hypervisor.console)!;
  const consoleWindow = consoleDevice.reg[0]!;
  // The hypervisor reaches all of RAM (it loads guests) and only the devices its drivers use.
  const hvMappings: Mapping[] = [
    ...board.memory.map((r): Mapping => ({ base: r.base, size: r.size, pa: r.base, kind: 'ram', label: `RAM ${formatRange(r)}` })),
    { base: consoleWindow.base, size: alignUp(consoleWindow.size, PAGE), pa: consoleWindow.base, kind: 'device', label: `console ${consoleDevice.path}` },
  ];
  // The host interrupt controller, when the plan linked its driver: the hypervisor maps and drives it.
  let irqchip: IrqchipLayout | undefined;
  const irqDevice = board.devices.find((d) => d.path === board.interruptController);
  const irqDriver = plan.irqchipDriver;
  if (irqDevice && irqDriver) {
    irqchip = { path: irqDevice.path, windows: irqDevice.reg.map((r) => ({ base: r.base, size: r.size })), driver: irqDriver };
    for (const r of irqchip.windows) hvMappings.push({ base: r.base, size: alignUp(r.size, PAGE), pa: r.base, kind: 'device', label: `interrupt controller ${irqDevice.path}` });
  }
  // Host instances drive board devices named by their parameters: those windows are in the hypervisor's own map too, whole
  // pages (QEMU's virtio-mmio transports are 512 bytes, eight to a page), each page once.
  const hosts: HostInstance[] = (plan.hosts ?? []).map((h) => ({
    path: h.path,
    driver: h.component,
    params: h.params.map((p) => {
      if (p.type !== 'board-device' || p.path === undefined) return p;
      const d = board.devices.find((x) => x.path === p.path);
      const w = d?.reg[0];
      return w ? { ...p, base: w.base, size: w.size, irq: d!.interrupts[0]?.id ?? 0 } : p;
    }),
  }));
  const mapped = new Set<bigint>(hvMappings.filter((m) => m.kind === 'device').flatMap((m) => pagesOf(m, PAGE)));
  for (const h of hosts) {
    for (const p of h.params) {
      if (p.type !== 'board-device' || p.base === undefined || p.size === undefined) continue;
      for (const page of pagesOf({ base: p.base, size: p.size }, PAGE)) {
        if (mapped.has(page)) continue;
        mapped.add(page);
        hvMappings.push({ base: page, size: PAGE, pa: page, kind: 'device', label: `${p.path} for ${h.path}` });
      }
    }
  }
  const hvTables = buildTables(hvMappings, arch.tables.hypervisor);

  // A lower bound of what the image holds besides code: stacks, translation tables, the guest images.
  const tableBytes = [hvTables, ...guests.map((g) => g.stage2)].reduce((a, set) => a + set.tables.reduce((b, t) => b + BigInt(t.entries.length) * 8n, 0n), 0n);
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
    console: { base: consoleWindow.base, driver: plan.console.component, params: plan.console.params, escape: system.hypervisor.escapeKey },
    ...(irqchip ? { irqchip } : {}),
    ...(plan.scheduler ? { scheduler: plan.scheduler } : {}),
    hv: { tables: hvTables, mappings: hvMappings },
    arch: arch.config.system.values(system, hvTables.format),
    // Only while the hypervisor drives the interrupt controller does it take interrupts of its own.
    hypervisorInterrupts: irqchip ? plan.components.flatMap((c) => c.component.manifest['hypervisor-interrupts'].map((h) => ({ ...h, component: c.component.manifest.name }))) : [],
    pcpus,
    guests,
    ...(hosts.length > 0 ? { hosts } : {}),
    shared: system.sharedRegions.map((r) => ({
      path: r.path,
      name: r.name,
      pa: placed.shared.get(r.path)?.pa ?? 0n,
      size: r.size,
      allocated: placed.shared.get(r.path)?.allocated ?? true,
      sharers: system.guests.flatMap((g) => g.shared.filter((w) => w.region === r.path).map((w) => ({ guest: g.name, ipa: w.ipa, readOnly: w.readOnly }))),
    })),
  };
  return { layout, diagnostics };
}
