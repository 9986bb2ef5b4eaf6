import type { Guest, Interrupt, System } from '../../schemas/model.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import { contains, end, formatRange, formatSize, hex, isAligned, overlaps, type Range } from '../util/ranges.js';
import { outsideReferences } from '../model/guest-references.js';
import type { Check, CheckContext } from './check.js';
import { checkMessages as M } from './messages.js';
import { sharedCpus, vcpuName } from '../model/cpu-sharing.js';
import { SCHEDULING } from '../../schemas/bindings/hvcc.js';

/** The longest guest name: a console prefix to read at a glance, and a file name any file system takes. */
const MAX_GUEST_NAME = 63;

export type { Check, CheckContext } from './check.js';

interface Owned extends Range {
  owner: string;
  span: Span;
}

/** Host RAM pinned by the description: each guest's, then (one more row) the shared regions'. */
function hostRanges(system: System): Owned[][] {
  return [
    ...system.guests.map((g) =>
      g.memory.flatMap((m) => (m.hostAddress === undefined ? [] : [{ base: m.hostAddress, size: m.size, owner: `guest '${g.name}'`, span: m.hostAddressSpan ?? m.span }])),
    ),
    system.sharedRegions.flatMap((r) => (r.hostAddress === undefined ? [] : [{ base: r.hostAddress, size: r.size, owner: `shared region '${r.name}'`, span: r.span }])),
  ];
}

function boardDevice(system: System, path: string) {
  return system.board.devices.find((d) => d.path === path);
}

/** The windows of a guest's passed-through devices: at their board addresses in the guest too. */
function passthroughWindows(system: System, g: Guest): Owned[] {
  return g.passthrough.flatMap((p) => (boardDevice(system, p.device)?.reg ?? []).map((r) => ({ base: r.base, size: r.size, owner: `passthrough ${p.device}`, span: p.span })));
}

/** The guest's interrupt controller that an emulator serves, if it has one (the first). */
function guestController(g: Guest, controllers: ReadonlyMap<string, { path: string; emulator: string; deliverable: { first: number; count: number; what: string; symbol?: string }[] }>) {
  for (const d of g.devices) {
    const c = controllers.get(d.path);
    if (c) return c;
  }
  return undefined;
}

/** A device on a virtio-mmio transport (its compatible names the device, then the transport). */
function isVirtio(d: { compatible: readonly string[] }): boolean {
  return d.compatible.includes('virtio,mmio');
}

/** One extent of a disk given to a guest: a hvcc,virtio-blk device's disk, disk-start, disk-size, read-only. */
interface Extent {
  disk: string;
  diskSpan: Span;
  start: bigint;
  startSpan: Span;
  size: bigint;
  sizeSpan: Span;
  readOnly: boolean;
}

function extents(system: System): { g: Guest; d: Guest['devices'][number]; e: Extent }[] {
  return system.guests.flatMap((g) =>
    g.devices
      .filter((d) => d.compatible.includes('hvcc,virtio-blk') && typeof d.properties.disk === 'string' && typeof d.properties['disk-size'] === 'bigint')
      .map((d) => {
        const span = (name: string) => d.propertySpans[name]?.value ?? d.propertySpans['disk-size']?.value ?? d.span;
        return {
          g,
          d,
          e: {
            disk: d.properties.disk as string,
            diskSpan: span('disk'),
            start: (d.properties['disk-start'] as bigint | undefined) ?? 0n,
            startSpan: span('disk-start'),
            size: d.properties['disk-size'] as bigint,
            sizeSpan: span('disk-size'),
            readOnly: d.properties['read-only'] === true,
          },
        };
      }),
  );
}

/** The board devices the hypervisor drives for disks (and network uplinks), with who uses each. */
function hostDeviceUses(system: System): { device: string; what: string; span: Span }[] {
  return [
    ...system.disks.map((d) => ({ device: d.device, what: `the transport of disk ${d.name}`, span: d.deviceSpan })),
    ...system.networks.flatMap((n) => (n.uplink ? [{ device: n.uplink, what: `the uplink of network ${n.name}`, span: n.uplinkSpan ?? n.span }] : [])),
  ];
}

/** A guest's network card: a hvcc,virtio-net device, its network and its address (undefined when malformed). */
function nics(system: System): { g: Guest; d: Guest['devices'][number]; network: string; networkSpan: Span; mac?: number[]; macSpan: Span }[] {
  return system.guests.flatMap((g) =>
    g.devices
      .filter((d) => d.compatible.includes('hvcc,virtio-net') && typeof d.properties.network === 'string')
      .map((d) => {
        const chunks = d.properties['local-mac-address'] as { kind: string; value?: Uint8Array }[] | undefined;
        const bytes = chunks?.length === 1 && chunks[0]!.kind === 'bytes' ? [...chunks[0]!.value!] : undefined;
        return {
          g,
          d,
          network: d.properties.network as string,
          networkSpan: d.propertySpans.network?.value ?? d.span,
          ...(bytes?.length === 6 ? { mac: bytes } : {}),
          macSpan: d.propertySpans['local-mac-address']?.value ?? d.span,
        };
      }),
  );
}

const macText = (m: number[]) => m.map((b) => b.toString(16).padStart(2, '0')).join(':');

/** A doorbell between guests sharing memory (hvcc's own device, runtime/emulators/doorbell/). */
function isDoorbell(d: { compatible: readonly string[] }): boolean {
  return d.compatible.includes('hvcc,doorbell');
}

/** An interrupt's description: its kind and number as the controller's binding names them, and its ID. */
function describe(i: Interrupt): string {
  return i.kind ? `${i.kind} ${i.number} (ID ${i.id})` : `interrupt ${i.id}`;
}

export const checks: Check[] = [
  {
    message: M.noGuests,
    run({ system }, report) {
      // Guests the model could not read were reported already: "no guests" would only mislead.
      if (system.declaredGuests === 0) report('the system has no guests', system.hypervisor.span);
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
        if (!inside(r)) report(`the memory of ${r.owner} at host ${formatRange(r)} is not inside the board's RAM`, r.span, { notes: [ramNote] });
      });
    },
  },
  {
    message: M.hypervisorMemoryOverlap,
    run({ system }, report) {
      const hv = system.hypervisor.region;
      hostRanges(system).flat().forEach((r) => {
        if (overlaps(r, hv)) {
          report(`the memory of ${r.owner} ${formatRange(r)} overlaps the hypervisor's ${formatRange(hv)}`, r.span, {
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
                report(`the memory of ${r.owner} ${formatRange(r)} overlaps that of ${o.owner} ${formatRange(o)}`, r.span, { related: [{ span: o.span, message: `the memory of ${o.owner}` }] });
              }
            }
          }
        }
      });
    },
  },
  {
    message: M.memoryAlignment,
    mandatory: true,
    run({ system, granule }, report) {
      const PAGE = granule;
      const check = (what: string, base: bigint, size: bigint, span: Span) => {
        if (!isAligned(base, PAGE) || !isAligned(size, PAGE)) report(`${what} ${formatRange({ base, size })} is not ${formatSize(PAGE)} aligned (base and size)`, span);
      };
      check("the hypervisor's memory", system.hypervisor.region.base, system.hypervisor.region.size, system.hypervisor.region.span);
      for (const g of system.guests) {
        for (const m of g.memory) {
          check(`guest '${g.name}' RAM`, m.ipa, m.size, m.span);
          if (m.hostAddress !== undefined && !isAligned(m.hostAddress, PAGE)) report(`guest '${g.name}' host address ${hex(m.hostAddress)} is not ${formatSize(PAGE)} aligned`, m.hostAddressSpan ?? m.span);
        }
        for (const d of g.devices) for (const r of d.reg) check(`device ${d.path} window`, r.base, r.size, r.span);
        for (const w of g.shared) check(`guest '${g.name}' window on shared memory`, w.ipa, w.size, w.span);
        // A passed-through window shares its pages with nothing else of the board's: it is mapped whole.
        for (const p of g.passthrough) for (const r of boardDevice(system, p.device)?.reg ?? []) check(`the window of ${p.device}, passed through to guest '${g.name}',`, r.base, r.size, p.span);
      }
      for (const r of system.sharedRegions) {
        if (!isAligned(r.size, PAGE)) report(`shared region '${r.name}' is ${hex(r.size)} bytes, not a multiple of ${formatSize(PAGE)}`, r.sizeSpan);
        if (r.hostAddress !== undefined && !isAligned(r.hostAddress, PAGE)) report(`shared region '${r.name}' host address ${hex(r.hostAddress)} is not ${formatSize(PAGE)} aligned`, r.span);
      }
    },
  },
  {
    message: M.ipaRange,
    mandatory: true,
    run({ system, guestAddressBits }, report) {
      const limit = 1n << BigInt(guestAddressBits);
      for (const g of system.guests) {
        for (const m of g.memory) if (m.ipa + m.size > limit) report(`guest '${g.name}' RAM ${formatRange({ base: m.ipa, size: m.size })} ends beyond ${hex(limit)}`, m.span);
        for (const d of g.devices) for (const r of d.reg) if (end(r) > limit) report(`device ${d.path} ends beyond ${hex(limit)}`, r.span);
        for (const w of g.shared) if (w.ipa + w.size > limit) report(`guest '${g.name}': the window ${w.path} ends beyond ${hex(limit)}`, w.span);
        // A passed-through device appears at its own address, so its window must be inside the space too.
        for (const w of passthroughWindows(system, g)) if (end(w) > limit) report(`guest '${g.name}': ${w.owner} ${formatRange(w)} ends beyond ${hex(limit)}`, w.span);
      }
    },
  },
  {
    message: M.guestIpaOverlap,
    run({ system }, report) {
      for (const g of system.guests) {
        const regions: Owned[] = g.memory.map((m) => ({ base: m.ipa, size: m.size, owner: 'RAM', span: m.span }));
        const windows: Owned[] = [...g.devices.flatMap((d) => d.reg.map((r) => ({ ...r, owner: `device ${d.name}` }))), ...passthroughWindows(system, g)];
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
        const windows: Owned[] = [...g.devices.flatMap((d) => d.reg.map((r) => ({ ...r, owner: d.name }))), ...passthroughWindows(system, g)];
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
      for (const g of system.guests) if (g.vcpus.length === 0) report(`guest '${g.name}' has no vCPUs`, g.vcpusSpan ?? g.cpusSpan);
    },
  },
  {
    message: M.noMemory,
    run({ system }, report) {
      for (const g of system.guests) {
        if (g.memory.length > 0) continue;
        // A memory node its binding rejected has its own error; one whose device_type is not "memory" is
        // not RAM, which is this check's to say.
        if (g.node.children.some((c) => c.name === 'memory' && g.undecoded.includes(c.path))) continue;
        const named = g.node.children.find((c) => c.name === 'memory');
        const type = named?.properties.find((p) => p.name === 'device_type');
        const typeText = type?.chunks[0]?.kind === 'string' ? type.chunks[0].value : undefined;
        report(`guest '${g.name}' has no memory`, g.span, {
          ...(named ? { related: [{ span: named.span, message: typeText === undefined ? 'not RAM: it has no device_type = "memory"' : `not RAM: its device_type is "${typeText}", not "memory"` }] } : {}),
          help: named ? `give ${named.fullName} \`device_type = "memory";\`` : 'add a child `memory@40000000 { device_type = "memory"; reg = <...>; };`',
        });
      }
    },
  },
  {
    message: M.vcpuAffinity,
    mandatory: true,
    run({ system }, report) {
      for (const g of system.guests) {
        // With `vcpus`, every vCPU carries the same entries: each is reported once, where it is written.
        const seen = new Set<number>();
        for (const [i, v] of g.vcpus.entries()) {
          for (const stray of v.strays) {
            if (seen.has(stray.span.start.offset)) continue;
            seen.add(stray.span.start.offset);
            report(`guest '${g.name}': 'cpus' refers to ${stray.path}, which is not a CPU of the board`, stray.span, { help: 'name CPUs of /cpus, e.g. <&cpu0 &cpu1>' });
          }
          if (v.affinity.length === 0 && v.strays.length === 0) report(`guest '${g.name}' vCPU ${i} has no CPU to run on`, v.span);
        }
      }
    },
  },
  {
    message: M.vcpuPriority,
    mandatory: true,
    run({ system }, report) {
      const { min, max } = SCHEDULING.priority;
      for (const g of system.guests) {
        const seen = new Set<number>();
        for (const [i, v] of g.vcpus.entries()) {
          if (v.priority >= min && v.priority <= max) continue;
          const at = v.prioritySpan ?? v.span;
          if (seen.has(at.start.offset)) continue;
          seen.add(at.start.offset);
          report(`guest '${g.name}'${g.vcpus.length > 1 ? ` vCPU ${i}` : ''}: priority ${v.priority} is not in ${min}-${max}`, at, { help: `higher runs first; the default is ${SCHEDULING.priority.default}` });
        }
      }
    },
  },
  {
    message: M.vcpuTimeSlice,
    mandatory: true,
    run({ system }, report) {
      const { min, max } = SCHEDULING.timeSliceUs;
      for (const g of system.guests) {
        const seen = new Set<number>();
        for (const [i, v] of g.vcpus.entries()) {
          if (v.timeSliceUs >= min && v.timeSliceUs <= max) continue;
          const at = v.timeSliceSpan ?? v.span;
          if (seen.has(at.start.offset)) continue;
          seen.add(at.start.offset);
          report(`guest '${g.name}'${g.vcpus.length > 1 ? ` vCPU ${i}` : ''}: a time slice of ${v.timeSliceUs} us is not in ${min}-${max} us`, at, { help: `the default is ${SCHEDULING.timeSliceUs.default} us` });
        }
      }
    },
  },
  {
    message: M.cpuShared,
    mandatory: true,
    run({ system, scheduler }, report) {
      if (scheduler.available) return;
      for (const shared of sharedCpus(system)) {
        const cpu = system.board.cpus[shared.cpu]!;
        const [first, ...others] = shared.vcpus;
        for (const other of others) {
          const partner = first!.guest === other.guest ? `${vcpuName(first!)} of the same guest` : vcpuName(first!);
          report(`physical CPU ${cpu.path} may run ${vcpuName(other)} and ${partner}; sharing a CPU needs the vCPU scheduler, but ${scheduler.why}`, other.vcpu.span, {
            related: [{ span: first!.vcpu.span, message: `${vcpuName(first!)} may run there too` }],
            help: scheduler.help,
          });
        }
      }
    },
  },
  {
    message: M.tooManyCpus,
    mandatory: true,
    run({ system, limits }, report) {
      const used = new Set<number>([0]);
      for (const g of system.guests) for (const v of g.vcpus) for (const cpu of v.affinity) used.add(cpu);
      if (used.size > limits.maxCpus) {
        report(`the system uses ${used.size} physical CPUs; the runtime is configured for ${limits.maxCpus}`, system.hypervisor.span, { help: 'raise CONFIG_HV_MAX_CPUS' });
      }
      const vcpus = system.guests.reduce((n, g) => n + g.vcpus.length, 0);
      if (vcpus > limits.maxVcpus) {
        report(`the system has ${vcpus} vCPUs; the runtime is configured for ${limits.maxVcpus}`, system.hypervisor.span, { help: 'raise CONFIG_HV_MAX_VCPUS' });
      }
      for (const g of system.guests) {
        if (g.vcpus.length > limits.maxCpus) report(`guest '${g.name}' has ${g.vcpus.length} vCPUs; the runtime allows at most CONFIG_HV_MAX_CPUS (${limits.maxCpus}) per guest`, g.vcpusSpan ?? g.cpusSpan, { help: 'raise CONFIG_HV_MAX_CPUS' });
      }
    },
  },
  {
    message: M.guestMemoryDeviceOverlap,
    run({ system }, report) {
      for (const r of hostRanges(system).flat()) {
        for (const d of system.board.devices) {
          for (const w of d.reg) {
            if (overlaps(r, w)) report(`the memory of ${r.owner} ${formatRange(r)} overlaps the window ${formatRange(w)} of ${d.path}`, r.span, { related: [{ span: w.span, message: `${d.path}'s window` }] });
          }
        }
      }
    },
  },
  {
    message: M.blockAlignment,
    run({ system, blockSize: BLOCK, granule }, report) {
      for (const g of system.guests) {
        for (const m of g.memory) {
          if (m.hostAddress === undefined || m.size < BLOCK) continue;
          const delta = (((m.hostAddress - m.ipa) % BLOCK) + BLOCK) % BLOCK;
          if (delta === 0n) continue;
          // Only where the RAM could be: a range outside the board's RAM has an error of its own (HV3003).
          const inRam = (base: bigint) => system.board.memory.some((r) => base >= r.base && base + m.size <= r.base + r.size);
          if (!inRam(m.hostAddress) || m.hostAddress % granule !== 0n) continue; // and unaligned is HV3005
          const candidates = [m.hostAddress - delta, m.hostAddress - delta + BLOCK].filter(inRam).map(hex);
          report(`guest '${g.name}': host ${hex(m.hostAddress)} and guest-physical ${hex(m.ipa)} differ modulo ${formatSize(BLOCK)}, so this RAM is mapped with ${formatSize(granule)} pages`, m.hostAddressSpan ?? m.span, {
            help: candidates.length > 0 ? `a host address of ${candidates.join(' or ')} would allow ${formatSize(BLOCK)} blocks` : `a host address ${formatSize(BLOCK)} away from the guest-physical address, modulo ${formatSize(BLOCK)}, would allow ${formatSize(BLOCK)} blocks`,
          });
        }
      }
    },
  },
  {
    message: M.interruptRange,
    mandatory: true,
    run({ system }, report) {
      for (const g of system.guests) {
        for (const d of g.devices) {
          for (const i of d.interrupts) if (i.problem && i.controller !== '') report(`${d.path}: ${i.problem}`, i.span);
        }
      }
    },
  },
  {
    message: M.interruptReserved,
    mandatory: true,
    run({ system, controllers }, report) {
      for (const g of system.guests) {
        for (const d of g.devices) {
          for (const i of d.interrupts) {
            const caps = controllers.get(i.controller);
            if (i.problem || !caps || caps.deliverable.length === 0) continue;
            if (caps.deliverable.some((r) => i.id >= r.first && i.id < r.first + r.count)) continue;
            const ranges = caps.deliverable.map((r) => `${r.what}: IDs ${r.first}-${r.first + r.count - 1}${r.symbol ? ` (CONFIG_${r.symbol} = ${r.count})` : ''}`).join('; ');
            const beyond = caps.deliverable.some((r) => i.id >= r.first + r.count && r.symbol);
            report(`${d.path}: ${describe(i)} cannot be delivered by ${i.controller} (${caps.emulator}): it delivers ${ranges}`, i.span, {
              ...(beyond ? { help: `raise ${caps.deliverable.filter((r) => r.symbol).map((r) => `CONFIG_${r.symbol}`).join(', ')}, or use a lower number` } : {}),
            });
          }
        }
        // A passed-through device's interrupts keep their numbers in the guest's controller.
        const caps = guestController(g, controllers);
        if (!caps) continue;
        for (const p of g.passthrough) {
          for (const i of boardDevice(system, p.device)?.interrupts ?? []) {
            if (i.problem || caps.deliverable.some((r) => i.id >= r.first && i.id < r.first + r.count)) continue;
            const ranges = caps.deliverable.map((r) => `${r.what}: IDs ${r.first}-${r.first + r.count - 1}${r.symbol ? ` (CONFIG_${r.symbol} = ${r.count})` : ''}`).join('; ');
            report(`${p.device} (passed through to guest '${g.name}') raises ${describe(i)}, which ${caps.path} (${caps.emulator}) cannot deliver: it delivers ${ranges}`, p.span, {
              ...(caps.deliverable.some((r) => r.symbol) ? { help: `raise ${caps.deliverable.filter((r) => r.symbol).map((r) => `CONFIG_${r.symbol}`).join(', ')}` } : {}),
            });
          }
        }
      }
    },
  },
  {
    message: M.interruptCollision,
    run({ system, controllers }, report) {
      for (const g of system.guests) {
        const seen = new Map<string, { path: string; span: Span; virtio: boolean }>();
        // Forwarded interrupts of passed-through devices arrive under their own numbers.
        const caps = guestController(g, controllers);
        for (const p of caps ? g.passthrough : []) {
          for (const i of boardDevice(system, p.device)?.interrupts ?? []) if (!i.problem) seen.set(`${caps!.path}:${i.id}`, { path: `${p.device} (passed through)`, span: p.span, virtio: false });
        }
        for (const d of g.devices) {
          for (const i of d.interrupts) {
            if (i.problem) continue;
            const key = `${i.controller}:${i.id}`;
            const prior = seen.get(key);
            // A virtio transport's interrupt taken is HV3070's, with its own advice.
            if (prior && prior.path !== d.path && !prior.virtio && !isVirtio(d)) {
              report(`guest '${g.name}': ${d.path} and ${prior.path} both raise ${describe(i)}`, i.span, { related: [{ span: prior.span, message: 'the other device' }] });
            } else if (!prior) seen.set(key, { path: d.path, span: i.span, virtio: isVirtio(d) });
          }
        }
      }
    },
  },
  {
    message: M.virtioInterruptTaken,
    run({ system, controllers }, report) {
      for (const g of system.guests) {
        const raisers = new Map<string, { path: string; virtio: boolean; i: Interrupt }[]>();
        const caps = guestController(g, controllers);
        for (const p of caps ? g.passthrough : []) {
          for (const i of boardDevice(system, p.device)?.interrupts ?? []) {
            if (!i.problem) raisers.set(`${caps!.path}:${i.id}`, [{ path: `${p.device} (passed through)`, virtio: false, i: { ...i, span: p.span } }]);
          }
        }
        for (const d of g.devices) {
          for (const i of d.interrupts) {
            if (i.problem) continue;
            const key = `${i.controller}:${i.id}`;
            const list = raisers.get(key) ?? [];
            if (!list.some((r) => r.path === d.path)) list.push({ path: d.path, virtio: isVirtio(d), i });
            raisers.set(key, list);
          }
        }
        for (const [first, ...others] of raisers.values()) {
          if (!first || ![first, ...others].some((r) => r.virtio)) continue;
          for (const o of others) {
            const who = o.virtio ? `the virtio device ${o.path}` : o.path;
            const owner = first.virtio ? `the virtio device ${first.path}` : first.path;
            report(`guest '${g.name}': ${who} raises ${describe(o.i)}, which ${owner} already raises`, o.i.span, {
              related: [{ span: first.i.span, message: 'taken here' }],
              help: "give every virtio transport an interrupt of its own (QEMU's virt gives transport n SPI 16 + n)",
            });
          }
        }
      }
    },
  },
  {
    message: M.duplicateGuestName,
    run({ system }, report) {
      const seen = new Map<string, Span>();
      for (const g of system.guests) {
        const prior = seen.get(g.name);
        if (prior) report(`two guests are named '${g.name}'`, g.span, { related: [{ span: prior, message: 'the other guest' }], help: 'guest names appear in the console prefix and the manifest; rename one node' });
        else seen.set(g.name, g.span);
      }
    },
  },
  {
    message: M.guestConsoleName,
    run({ system }, report) {
      // The runtime prints a guest's output as "[name] ..." and its own as "[hv] ...": what reads the console
      // (hvcc run, a test, a person) tells them apart by that prefix alone. The runtime refuses these too.
      for (const g of system.guests) {
        if (g.name.toLowerCase() === 'hv') {
          report(`a guest may not be named '${g.name}': its console lines would read as the hypervisor's`, g.span, { help: "'[hv] ' starts the hypervisor's own console lines (its status, fault reports, panics); rename the guest" });
        } else if (!/^[a-zA-Z0-9,._+-]+$/.test(g.name)) {
          const bad = [...new Set(g.name.replace(/[a-zA-Z0-9,._+-]/g, ''))].map((c) => `'${c}'`).join(', ');
          report(`guest name '${g.name}' has ${bad}, which may not appear in its console prefix`, g.span, { help: 'a guest name prefixes its console lines as "[name] "; use letters, digits and the characters ",._+-"' });
        } else if (g.name.length > MAX_GUEST_NAME) {
          // It also names the guest's files in the build folder (guests/NAME.dtb), which a file system limits.
          report(`guest name '${g.name.slice(0, 24)}...' is ${g.name.length} characters long, more than ${MAX_GUEST_NAME}`, g.span, { help: `a guest name prefixes each of its console lines and names its files in the build folder; shorten it to ${MAX_GUEST_NAME} characters or fewer` });
        }
      }
    },
  },
  {
    message: M.cpuDisabled,
    run({ system }, report) {
      for (const g of system.guests) {
        const seen = new Set<string>();
        for (const v of g.vcpus) {
          for (const index of v.affinity) {
            const cpu = system.board.cpus[index]!;
            const key = `${cpu.path}@${v.span.start.offset}`;
            if (cpu.status === 'okay' || seen.has(key)) continue;
            seen.add(key);
            report(`guest '${g.name}' ${v.affinity.length > 1 ? 'may run on' : 'is pinned to'} ${cpu.path}, whose status is "${cpu.status}"`, v.span, { related: [{ span: cpu.span, message: 'the CPU' }] });
          }
        }
      }
    },
  },
  {
    message: M.consoleDisabled,
    run({ system }, report) {
      const d = boardDevice(system, system.hypervisor.console);
      if (d && d.status !== 'okay') report(`the hypervisor console ${d.path} has status "${d.status}"`, system.hypervisor.consoleSpan, { related: [{ span: d.span, message: 'the device' }] });
    },
  },
  {
    message: M.entryAlignment,
    run({ system }, report) {
      for (const g of system.guests) {
        if (g.entry !== undefined && g.entry % 4n !== 0n) report(`guest '${g.name}': entry ${hex(g.entry)} is not 4-byte aligned`, g.entrySpan ?? g.span);
      }
    },
  },
  {
    message: M.interruptControllerMissing,
    run({ system, controllers }, report) {
      for (const g of system.guests) {
        for (const d of g.devices) {
          const first = d.interrupts[0];
          if (!first) continue;
          if (first.controller === '') {
            report(`${d.path} has interrupts, but guest '${g.name}' has no interrupt controller to deliver them through`, d.interruptsSpan ?? d.span, {
              help: "give the guest an interrupt controller its architecture's emulators serve, and wire the device to it",
            });
          } else if (!first.problem && !controllers.has(first.controller)) {
            report(`${d.path}'s interrupts go to ${first.controller}, which no interrupt controller emulator serves`, d.interruptsSpan ?? d.span);
          }
        }
      }
    },
  },
  {
    message: M.guestReferenceOutside,
    run({ system }, report) {
      for (const g of system.guests) {
        for (const r of outsideReferences(g)) {
          report(`${r.node}: '${r.property}' refers to &${r.target}, outside guest '${g.name}'; the guest's device tree holds only the guest's own nodes`, r.span, {
            help: 'describe the node inside the guest (a clock, an interrupt controller), or drop the property',
          });
        }
      }
    },
  },
  {
    message: M.redistributorSize,
    mandatory: true,
    run({ system, controllers }, report) {
      for (const g of system.guests) {
        for (const d of g.devices) {
          const window = controllers.get(d.path)?.capabilities['per-cpu-window'];
          if (!window) continue;
          const needed = BigInt(window.bytes) * BigInt(g.vcpus.length);
          const r = d.reg[window.window];
          if (!r) report(`${d.path}: its ${window.what} window ('reg' entry ${window.window + 1}) is missing; ${g.vcpus.length} vCPU(s) need ${hex(needed)} bytes`, d.span);
          else if (r.size < needed) {
            report(`${d.path}: the ${window.what} window is ${hex(r.size)} bytes; ${g.vcpus.length} vCPU(s) need ${hex(needed)} (${formatSize(BigInt(window.bytes))} each)`, r.span, {
              related: [{ span: g.cpusSpan, message: `${g.vcpus.length} vCPU(s)` }],
            });
          }
        }
      }
    },
  },
  {
    message: M.passthroughMissing,
    run({ system }, report) {
      for (const g of system.guests) {
        for (const p of g.passthrough) {
          const d = boardDevice(system, p.device);
          if (!d || d.reg.length === 0) report(`guest '${g.name}': ${p.device} is not a device of the board with an MMIO window`, p.span);
          else if (d.status !== 'okay') report(`guest '${g.name}': ${p.device} has status "${d.status}"`, p.span, { related: [{ span: d.span, message: 'the device' }] });
        }
      }
    },
  },
  {
    message: M.passthroughShared,
    run({ system }, report) {
      const owners = new Map<string, { guest: string; span: Span }>();
      for (const g of system.guests) {
        for (const p of g.passthrough) {
          const prior = owners.get(p.device);
          if (prior) {
            report(`${p.device} is passed through to guest '${g.name}' and ${prior.guest === g.name ? 'again to the same guest' : `to guest '${prior.guest}'`}`, p.span, {
              related: [{ span: prior.span, message: `given to guest '${prior.guest}' here` }],
              help: 'a passed-through device belongs to one guest; give the other an emulated one',
            });
          } else owners.set(p.device, { guest: g.name, span: p.span });
        }
      }
    },
  },
  {
    message: M.passthroughReserved,
    run({ system }, report) {
      for (const g of system.guests) {
        for (const p of g.passthrough) {
          if (p.device === system.hypervisor.console) report(`guest '${g.name}' is given ${p.device}, the hypervisor's console`, p.span, { related: [{ span: system.hypervisor.consoleSpan, message: 'the console' }] });
          else if (p.device === system.board.interruptController) report(`guest '${g.name}' is given ${p.device}, the interrupt controller the hypervisor drives`, p.span, { help: 'give the guest a virtual interrupt controller (a node inside it that an emulator serves)' });
        }
      }
    },
  },
  {
    message: M.interruptRoutedTwice,
    run({ system }, report) {
      const route = new Map<number, { what: string; device: string; span: Span }>();
      const console = boardDevice(system, system.hypervisor.console);
      for (const { id: intid } of console?.interrupts ?? []) {
        route.set(intid, { what: `the hypervisor console ${console!.path}`, device: console!.path, span: system.hypervisor.consoleSpan });
      }
      for (const g of system.guests) {
        for (const p of g.passthrough) {
          for (const { id: intid } of (boardDevice(system, p.device)?.interrupts ?? []).filter((i) => !i.problem)) {
            const prior = route.get(intid);
            // A device given twice is HV3040's (passthrough-shared) and HV3042's (the console) to report.
            if (prior && prior.device !== p.device) report(`${p.device} (guest '${g.name}') raises interrupt ${intid}, which already goes to ${prior.what}`, p.span, { related: [{ span: prior.span, message: prior.what }] });
            else if (!prior) route.set(intid, { what: `${p.device} of guest '${g.name}'`, device: p.device, span: p.span });
          }
        }
      }
    },
  },
  {
    message: M.sharedRegionSharers,
    run({ system }, report) {
      for (const r of system.sharedRegions) {
        const sharers = system.guests.filter((g) => g.shared.some((w) => w.region === r.path));
        if (sharers.length >= 2) continue;
        const window = sharers[0]?.shared.find((w) => w.region === r.path);
        report(
          sharers.length === 0 ? `shared region '${r.name}' is mapped by no guest` : `shared region '${r.name}' is mapped by guest '${sharers[0]!.name}' alone: there is nobody to share it with`,
          r.span,
          {
            ...(window ? { related: [{ span: window.regionSpan, message: 'its only window' }] } : {}),
            help: 'map it into another guest with a `hvcc,shared-memory` node whose memory-region names it, or drop the region',
          },
        );
      }
    },
  },
  {
    message: M.sharedMemoryOverlap,
    run({ system }, report) {
      for (const g of system.guests) {
        const others: Owned[] = [
          ...g.memory.map((m) => ({ base: m.ipa, size: m.size, owner: 'its RAM', span: m.span })),
          ...g.devices.flatMap((d) => d.reg.map((r) => ({ ...r, owner: `the window of ${d.name}` }))),
          ...passthroughWindows(system, g).map((w) => ({ ...w, owner: `the window of ${w.owner}` })),
        ];
        g.shared.forEach((w, i) => {
          const windows = [...others, ...g.shared.slice(0, i).map((o) => ({ base: o.ipa, size: o.size, owner: `its window ${o.path}`, span: o.span }))];
          for (const o of windows) {
            if (overlaps({ base: w.ipa, size: w.size }, o)) {
              report(`guest '${g.name}': the window ${w.path} ${formatRange({ base: w.ipa, size: w.size })} on shared memory overlaps ${o.owner} ${formatRange(o)}`, w.span, {
                related: [{ span: o.span, message: o.owner }],
                help: 'place the window at guest-physical addresses the guest uses for nothing else',
              });
            }
          }
        });
      }
    },
  },
  {
    message: M.sharedWindowSize,
    run({ system }, report) {
      for (const g of system.guests) {
        for (const w of g.shared) {
          const r = system.sharedRegions.find((x) => x.path === w.region);
          if (r && w.size !== r.size) {
            report(`guest '${g.name}': the window ${w.path} is ${hex(w.size)} bytes, the shared region '${r.name}' ${hex(r.size)}`, w.span, {
              related: [{ span: r.sizeSpan, message: "the region's size" }],
              help: `make the window's size ${hex(r.size)}`,
            });
          }
        }
      }
    },
  },
  {
    message: M.doorbellTarget,
    run({ system }, report) {
      const maps = (g: Guest, region: string) => g.shared.some((w) => w.region === region);
      const owner = (path: string) => {
        for (const g of system.guests) {
          const d = g.devices.find((x) => x.path === path);
          if (d) return { g, d };
        }
        return undefined;
      };
      for (const g of system.guests) {
        for (const d of g.devices.filter(isDoorbell)) {
          const region = d.properties['memory-region'] as string | undefined;
          const regionSpan = d.propertySpans['memory-region']?.value ?? d.span;
          if (region === undefined) continue;
          const r = system.sharedRegions.find((x) => x.path === region);
          if (!r) {
            if (system.undecodedHostNodes.includes(region)) continue;
            report(`${d.path}: 'memory-region' refers to ${region}, which is not a shared region (compatible = "hvcc,shared-region" under /hypervisor)`, regionSpan);
            continue;
          }
          if (!maps(g, region)) {
            report(`${d.path} is a doorbell of shared region '${r.name}', which guest '${g.name}' does not map`, regionSpan, {
              help: `map the region into guest '${g.name}' with a hvcc,shared-memory node, or make this the doorbell of a region it maps`,
            });
          }
          ((d.properties.targets as string[] | undefined) ?? []).forEach((target, i) => {
            const span = d.propertySpans.targets?.items[i] ?? d.span;
            const t = owner(target);
            // A node whose own binding rejected it is reported already, whatever it was meant to be.
            if (!t && system.guests.some((o) => o.undecoded.includes(target))) return;
            if (!t || !isDoorbell(t.d)) {
              report(`${d.path} rings ${target}, which is not a doorbell (compatible = "hvcc,doorbell")`, span);
            } else if (t.g === g) {
              report(`${d.path} rings ${target}, a doorbell of its own guest '${g.name}'`, span, { help: 'a doorbell rings doorbells of the other guests that share the region' });
            } else if (!maps(t.g, region)) {
              report(`${d.path} rings ${target} in guest '${t.g.name}', which does not share region '${r.name}'`, span, {
                help: `map '${r.name}' into guest '${t.g.name}' too, or ring a guest that shares it`,
              });
            } else if (t.d.properties['memory-region'] !== region) {
              report(`${d.path} (shared region '${r.name}') rings ${target}, which is the doorbell of another region`, span, {
                related: [{ span: t.d.propertySpans['memory-region']?.value ?? t.d.span, message: "the target's region" }],
              });
            }
          });
        }
      }
    },
  },
  {
    message: M.diskExtentOutside,
    run({ system }, report) {
      for (const disk of system.disks) if (disk.size % 512n !== 0n) report(`disk ${disk.name}'s size ${hex(disk.size)} is not whole 512-byte sectors`, disk.sizeSpan);
      for (const { g, d, e } of extents(system)) {
        const disk = system.disks.find((k) => k.path === e.disk);
        if (!disk) {
          if (system.undecodedHostNodes.includes(e.disk)) continue;
          report(`${d.path}: 'disk' refers to ${e.disk}, which is not a disk (compatible = "hvcc,virtio-disk" under /hypervisor)`, e.diskSpan);
          continue;
        }
        if (e.start % 512n !== 0n || e.size % 512n !== 0n) {
          report(`${d.path}: the extent ${formatRange({ base: e.start, size: e.size })} of ${disk.name} is not whole 512-byte sectors`, e.start % 512n !== 0n ? e.startSpan : e.sizeSpan);
        } else if (e.start + e.size > disk.size) {
          report(`guest '${g.name}': the extent ${formatRange({ base: e.start, size: e.size })} of ${disk.name} ends beyond the disk's ${hex(disk.size)} bytes`, e.sizeSpan, {
            related: [{ span: disk.sizeSpan, message: "the disk's size" }],
          });
        }
      }
    },
  },
  {
    message: M.diskExtentOverlap,
    run({ system }, report) {
      const all = extents(system);
      all.forEach((a, i) => {
        for (const b of all.slice(0, i)) {
          if (a.e.disk !== b.e.disk || (a.e.readOnly && b.e.readOnly)) continue;
          if (a.e.start === b.e.start && a.e.size === b.e.size) continue; // HV3077's
          if (overlaps({ base: a.e.start, size: a.e.size }, { base: b.e.start, size: b.e.size })) {
            report(
              `guest '${a.g.name}': the extent ${formatRange({ base: a.e.start, size: a.e.size })} of ${a.e.disk} overlaps the extent ${formatRange({ base: b.e.start, size: b.e.size })} of guest '${b.g.name}'${a.e.readOnly ? '' : ', and is read-write'}`,
              a.e.startSpan,
              { related: [{ span: b.e.startSpan, message: `the extent of guest '${b.g.name}'` }], help: 'give each guest extents of its own; only read-only extents may overlap' },
            );
          }
        }
      });
    },
  },
  {
    message: M.diskExtentSharedWritable,
    run({ system }, report) {
      const all = extents(system);
      all.forEach((a, i) => {
        for (const b of all.slice(0, i)) {
          if (a.e.disk !== b.e.disk || a.e.start !== b.e.start || a.e.size !== b.e.size || (a.e.readOnly && b.e.readOnly)) continue;
          const writer = a.e.readOnly ? b : a;
          report(`the extent ${formatRange({ base: a.e.start, size: a.e.size })} of ${a.e.disk} is given to ${a.g === b.g ? `guest '${a.g.name}' twice` : `guests '${b.g.name}' and '${a.g.name}'`}, read-write to '${writer.g.name}'`, a.e.startSpan, {
            related: [{ span: b.e.startSpan, message: 'given here too' }],
            help: 'one guest writing a disk another reads or writes corrupts it: make every sharer read-only, or give each its own extent',
          });
        }
      });
    },
  },
  {
    message: M.hostTransportShared,
    run({ system }, report) {
      const users = new Map<string, { what: string; span: Span }>();
      for (const g of system.guests) for (const p of g.passthrough) users.set(p.device, { what: `passed through to guest '${g.name}'`, span: p.span });
      for (const { device, what, span } of hostDeviceUses(system)) {
        const prior = users.get(device);
        if (prior) report(`${device} is ${what}, but already ${prior.what}`, span, { related: [{ span: prior.span, message: prior.what }] });
        else users.set(device, { what, span });
      }
    },
  },
  {
    message: M.nicNetworkUndeclared,
    run({ system }, report) {
      for (const n of nics(system)) {
        if (system.networks.some((x) => x.path === n.network) || system.undecodedHostNodes.includes(n.network)) continue;
        report(`${n.d.path} is on ${n.network}, which is not a network (compatible = "hvcc,network" under /hypervisor)`, n.networkSpan, {
          help: 'declare the network under /hypervisor: `lan: lan { compatible = "hvcc,network"; };`, and name it with `network = <&lan>;`',
        });
      }
    },
  },
  {
    message: M.nicMacAddress,
    run({ system }, report) {
      const seen = new Map<string, { path: string; span: Span }>();
      for (const n of nics(system)) {
        if (!n.mac) continue; // its component's parameter reports the shape
        const text = macText(n.mac);
        if (n.mac[0]! & 1) {
          report(`${n.d.path}: ${text} is a multicast address; a card needs a unicast one (the first byte even)`, n.macSpan, { help: 'locally administered unicast addresses start with 02, 06, 0a, 0e (QEMU uses 52:54:00:...)' });
          continue;
        }
        if (n.mac.every((b) => b === 0)) {
          report(`${n.d.path}: 00:00:00:00:00:00 is no address`, n.macSpan);
          continue;
        }
        const prior = seen.get(text);
        if (prior) report(`${n.d.path} and ${prior.path} both have the address ${text}`, n.macSpan, { related: [{ span: prior.span, message: 'the other card' }], help: 'every card needs an address of its own: frames for it would reach only one of them' });
        else seen.set(text, { path: n.d.path, span: n.macSpan });
      }
    },
  },
  {
    message: M.networkOneMember,
    run({ system }, report) {
      const all = nics(system);
      for (const net of system.networks) {
        if (net.uplink) continue;
        const members = all.filter((n) => n.network === net.path);
        if (members.length >= 2) continue;
        report(
          members.length === 0 ? `network ${net.name} has no cards and no uplink` : `network ${net.name} has one card (${members[0]!.d.path}) and no uplink: its frames go nowhere`,
          net.span,
          { ...(members[0] ? { related: [{ span: members[0].networkSpan, message: 'its only card' }] } : {}), help: 'put another guest\'s card on it, or give it an uplink' },
        );
      }
    },
  },
  {
    // The host controller sends a forwarded interrupt to one CPU, which must be running that guest's vCPU 0.
    message: M.passthroughInterruptCpu,
    mandatory: true,
    run({ system, controllers }, report) {
      const shared = sharedCpus(system);
      for (const g of system.guests) {
        if (!guestController(g, controllers)) continue;
        const forwarded = g.passthrough.find((p) => (boardDevice(system, p.device)?.interrupts.length ?? 0) > 0);
        const vcpu0 = g.vcpus[0];
        if (!forwarded || !vcpu0) continue;
        const others = shared.find((s) => vcpu0.affinity.includes(s.cpu))?.vcpus.filter((v) => v.guest !== g || v.index !== 0) ?? [];
        if (vcpu0.affinity.length === 1 && others.length === 0) continue;
        const why = vcpu0.affinity.length > 1 ? `vCPU 0 may run on ${vcpu0.affinity.length} CPUs` : `${others.map(vcpuName).join(', ')} may run on its CPU too`;
        report(`guest '${g.name}' gets the interrupts of ${forwarded.device} on the CPU of its vCPU 0, but ${why}`, forwarded.span, {
          related: [{ message: "its vCPU 0's CPUs", span: vcpu0.span }],
          help: 'pin vCPU 0 of this guest to a CPU no other vCPU uses (its first `cpus` entry, without `vcpus`)',
        });
      }
    },
  },
  {
    message: M.passthroughInterrupts,
    run({ system, controllers }, report) {
      for (const g of system.guests) {
        if (guestController(g, controllers)) continue;
        for (const p of g.passthrough) {
          const d = boardDevice(system, p.device);
          if (d && d.interrupts.length > 0) {
            report(`${p.device} has interrupts, but guest '${g.name}' has no interrupt controller to forward them to: it must poll the device`, p.span, {
              help: "give the guest a virtual interrupt controller (a node one of its architecture's emulators serves): the device's interrupts then reach it under their own numbers",
            });
          }
        }
      }
    },
  },
];

export interface CheckOptions {
  /** Check names switched off (`-W no-<name>`); a mandatory check cannot be. */
  disabled?: ReadonlySet<string>;
  /** Warnings become errors. */
  werror?: boolean;
}

/** Runs every enabled check of `table` (the generic ones and the architecture's) over the model. */
export function runChecks(ctx: CheckContext, table: readonly Check[], options: CheckOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const check of table) {
    if (options.disabled?.has(check.message.name) && !check.mandatory) continue;
    check.run(ctx, (message, span, extras) => {
      const d = diagnostic(check.message, message, span, extras);
      if (options.werror && d.severity === 'warning') d.severity = 'error';
      out.push(d);
    });
  }
  return out;
}
