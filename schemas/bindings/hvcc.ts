import { z } from 'zod';
import { binding, dt } from './dt.js';

export const hypervisorBinding = binding({
  id: 'hvcc,hypervisor',
  match: { compatible: 'hvcc,hypervisor' },
  role: 'hvcc',
  title: 'The hypervisor (/hypervisor)',
  description: 'What the hypervisor itself owns: its RAM and its console (and the console\'s escape key).',
  properties: {
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
  },
});

export const guestBinding = binding({
  id: 'hvcc,guest',
  match: { compatible: 'hvcc,guest' },
  role: 'hvcc',
  title: 'A guest (/guests/NAME)',
  description:
    "A virtual machine. The node's name is the guest's name; the node is the root of the guest's physical address space: its children's `reg` are guest-physical.",
  properties: {
    cpus: dt.phandleArray('Board CPUs the vCPUs are pinned to: vCPU n runs on cpus[n], and only there.'),
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
  },
});

export const guestMemoryBinding = binding({
  id: 'guest memory',
  match: { deviceType: 'memory' },
  role: 'hvcc',
  title: 'Guest RAM (a memory node inside a guest)',
  description: 'RAM the guest sees at the guest-physical ranges of `reg`.',
  properties: {
    reg: dt.reg("Guest-physical ranges, in the guest node's #address-cells/#size-cells; 4 KiB aligned."),
    'host-address': dt.u64('Host-physical address of the first range (the others follow it). Default: hvcc places it in free board RAM.').optional(),
  },
});

export const cpuBinding = binding({
  id: 'cpu',
  match: { deviceType: 'cpu' },
  role: 'board',
  title: 'A CPU (/cpus/cpu@N)',
  description: "A physical CPU. Its compatible picks the architecture port.",
  properties: {
    reg: dt.u32Array("The CPU's hardware identifier, in /cpus' #address-cells (what the architecture addresses it by)."),
    'enable-method': dt.string('How secondary CPUs are started (the architecture port says which methods it supports).').optional(),
  },
});

/** hvcc's own bindings; those of the devices hvcc drives or emulates come with their components. */
export const hvccBindings = [hypervisorBinding, guestBinding, guestMemoryBinding, cpuBinding];
export type GuestProperties = z.infer<typeof guestBinding.properties>;
