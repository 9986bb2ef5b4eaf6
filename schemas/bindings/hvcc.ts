import * as z from 'zod';
import { binding, dt } from './dt.js';

/**
 * The scheduling parameters a description may give a guest's vCPUs, and their defaults. The runtime checks the
 * same limits (HV_SCHED_* in runtime/core/include/hv/config.h; a test keeps the two in step).
 */
export const SCHEDULING = {
  priority: { min: 0, max: 255, default: 128 },
  timeSliceUs: { min: 100, max: 1_000_000, default: 10_000 },
} as const;

export const hypervisorBinding = binding({
  id: 'hvcc,hypervisor',
  match: { compatible: 'hvcc,hypervisor' },
  role: 'hvcc',
  title: 'The hypervisor (/hypervisor)',
  description: 'What the hypervisor itself owns: its RAM and its console (and the console\'s escape key).',
  properties: () => ({
    'memory-region': dt.phandle(
      'The host RAM the hypervisor owns (its image, translation tables and stacks): a node under /reserved-memory whose `reg` is one 4 KiB-aligned range.',
    ),
    console: dt.phandle("The host UART the hypervisor prints on, and reads the console's input from. Default: /chosen's stdout-path.").optional(),
    'escape-key': dt
      .string(
        'The console escape key: pressed before a command key, it switches the console between guests and the management terminal (see docs/console.md). `ctrl-a` to `ctrl-z` or `^A` to `^Z` (not Ctrl-C, H, I, J, M), `ctrl-]`, `ctrl-\\`, `ctrl-^`, `ctrl-_`. `hvcc run --escape` overrides it. Default: `ctrl-a`.',
      )
      .optional(),
    'system-name': dt
      .string("The system's name (the default output folder is build/<name>/). Default: the file's name, or its folder's for system.dts.")
      .regex(/^[A-Za-z0-9._+-]+$/, 'letters, digits and . _ + - only')
      .optional(),
  }),
});

export const guestBinding = binding({
  id: 'hvcc,guest',
  match: { compatible: 'hvcc,guest' },
  role: 'hvcc',
  title: 'A guest (/guests/NAME)',
  description:
    "A virtual machine. The node's name is the guest's name; the node is the root of the guest's physical address space: its children's `reg` are guest-physical.",
  properties: () => ({
    cpus: dt.phandleArray(
      "Board CPUs the guest's vCPUs run on. Without `vcpus`: one vCPU per entry, vCPU n pinned to cpus[n]. With `vcpus`: every vCPU may run on any of them (its affinity); the scheduler places it, and moves it to one that is idle.",
    ),
    vcpus: dt.u32('How many vCPUs the guest has, each free to run on any CPU of `cpus`. Default: one per entry of `cpus`, each pinned to its entry.').max(4096).optional(),
    priority: dt
      .u32Array(
        `Scheduling priority, ${SCHEDULING.priority.min} (lowest) to ${SCHEDULING.priority.max}: one value for every vCPU, or one per vCPU. On a CPU several vCPUs share, a runnable vCPU of higher priority runs first and preempts one of lower priority. Default ${SCHEDULING.priority.default}.`,
      )
      .optional(),
    'time-slice-us': dt
      .u32Array(
        `How long, in microseconds, a vCPU runs before a runnable vCPU of the same priority on its CPU gets its turn, ${SCHEDULING.timeSliceUs.min} to ${SCHEDULING.timeSliceUs.max}: one value for every vCPU, or one per vCPU. Default ${SCHEDULING.timeSliceUs.default}.`,
      )
      .optional(),
    image: dt.string("Path of the guest image, relative to the file this property is written in: an ELF64 file for the board's architecture, a Linux kernel image in the architecture's boot format, or a raw binary with load-address.").min(1),
    'load-address': dt.u64('Guest-physical address a raw image is loaded at.').optional(),
    entry: dt.u64("Guest-physical entry point. Default: the ELF's entry, or load-address.").optional(),
    initrd: dt.string('Path of an initial ramdisk, relative to this file; hvcc places it in guest RAM and names it in /chosen.').min(1).optional(),
    bootargs: dt.string("The kernel command line, written to the guest device tree's /chosen.").optional(),
    passthrough: dt
      .phandleArray('Board devices given to this guest alone: their MMIO windows are mapped into the guest at the same addresses (the guest drives them directly).')
      .optional(),
    'interrupt-parent': dt.phandle("The guest's interrupt controller (a node inside the guest); copied to the guest device tree's root.").optional(),
    'no-autostart': dt
      .flag('The guest does not start at boot: it stays stopped until the management terminal starts it (`guest start NAME`, see docs/console.md).')
      .optional(),
  }),
});

export const guestMemoryBinding = binding({
  id: 'guest memory',
  match: { deviceType: 'memory' },
  role: 'hvcc',
  title: 'Guest RAM (a memory node inside a guest)',
  description: 'RAM the guest sees at the guest-physical ranges of `reg`.',
  properties: () => ({
    reg: dt.reg("Guest-physical ranges, in the guest node's #address-cells/#size-cells; 4 KiB aligned."),
    'host-address': dt.u64('Host-physical address of the first range (the others follow it). Default: hvcc places it in free board RAM.').optional(),
  }),
});

export const cpuBinding = binding({
  id: 'cpu',
  match: { deviceType: 'cpu' },
  role: 'board',
  title: 'A CPU (/cpus/cpu@N)',
  description: "A physical CPU. Its compatible picks the architecture port.",
  properties: () => ({
    reg: dt.u32Array("The CPU's hardware identifier, in /cpus' #address-cells (what the architecture addresses it by)."),
    'enable-method': dt.string('How secondary CPUs are started (the architecture port says which methods it supports).').optional(),
  }),
});

export const sharedRegionBinding = binding({
  id: 'hvcc,shared-region',
  match: { compatible: 'hvcc,shared-region' },
  role: 'hvcc',
  title: 'A shared memory region (/hypervisor/NAME)',
  description:
    "Host RAM that two or more guests map, each through a `hvcc,shared-memory` node of its own (at a guest-physical address of its choosing, read-write or read-only). The node's name names the region in `hvcc map`. Its contents are zero at boot and survive a guest's reset.",
  properties: () => ({
    size: dt.u64('Bytes; 4 KiB aligned (so at least 4 KiB). Every guest maps all of it.', 0x1000n),
    'host-address': dt.u64('Host-physical address. Default: hvcc places it in free board RAM (2 MiB aligned when the size is).').optional(),
  }),
});

export const sharedWindowBinding = binding({
  id: 'hvcc,shared-memory',
  match: { compatible: 'hvcc,shared-memory' },
  role: 'hvcc',
  title: 'A guest\'s window on a shared memory region (a hvcc,shared-memory node inside a guest)',
  description:
    "Maps a shared region (a `hvcc,shared-region` node under /hypervisor) into the guest at the guest-physical range of `reg`, as normal memory. The node stays in the guest's device tree (without `memory-region`), so the guest can find the window.",
  properties: () => ({
    reg: dt.reg("The window: one guest-physical range, in the guest node's #address-cells/#size-cells, as large as the region."),
    'memory-region': dt.hostOnly(dt.phandle('The `hvcc,shared-region` it maps.')),
    'read-only': dt.flag('The guest may only read the region: its writes fault, and stop it.').optional(),
  }),
});

export const virtioDiskBinding = binding({
  id: 'hvcc,virtio-disk',
  match: { compatible: 'hvcc,virtio-disk' },
  role: 'hvcc',
  title: 'A disk of the board (/hypervisor/NAME)',
  description:
    "A block device on one of the board's virtio-mmio transports (under QEMU: a raw image file given with `-drive file=...,if=none,id=d0 -device virtio-blk-device,drive=d0`, which lands on the highest free transport, 0x0a003e00 first), driven by the hypervisor's virtio-blk driver. Guests get extents of it through `hvcc,virtio-blk` devices (`disk`, `disk-start`, `disk-size`, `read-only`), each seen by its guest as a whole disk; no request reaches outside its extent.",
  properties: () => ({
    device: dt.phandle("The board's virtio-mmio transport the disk sits on (a `virtio,mmio` node of the board)."),
    size: dt.u64('The bytes of the disk the description divides into extents (a multiple of 512, so at least 512). At boot the disk must be at least this large, or no guest can use it.', 512n),
  }),
});

export const networkBinding = binding({
  id: 'hvcc,network',
  match: { compatible: 'hvcc,network' },
  role: 'hvcc',
  title: 'A network between guests (/hypervisor/NAME)',
  description:
    "An Ethernet switch in the hypervisor. Guests' `hvcc,virtio-net` cards are on it (their `network`); a card is handed only frames addressed to it, to the broadcast address or to a multicast group, and may send only from its own `local-mac-address`. Guests' addresses are known from the description, the others are learned from the uplink. With `uplink`, frames for addresses not on the network go out through a virtio-net device of the board (under QEMU: `-netdev user,id=n0 -device virtio-net-device,netdev=n0`), which the hypervisor drives and polls.",
  properties: () => ({
    uplink: dt.phandle("A virtio-mmio transport of the board with a virtio-net device on it: the network's way out. Default: none (guests only).").optional(),
  }),
});

/** hvcc's own bindings; those of the devices hvcc drives or emulates come with their components. */
export const hvccBindings = [hypervisorBinding, guestBinding, guestMemoryBinding, cpuBinding, sharedRegionBinding, sharedWindowBinding, virtioDiskBinding, networkBinding];
export type GuestProperties = z.infer<typeof guestBinding.properties>;
