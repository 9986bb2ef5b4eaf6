import * as z from 'zod';
import { Span } from './span.js';
import type { DtNode, DtTree } from './devicetree.js';

/**
 * The typed model of a description: the host board and the system (hypervisor + guests) built on it.
 * compiler/model/ builds it from the device tree; every later pass reads only this. Addresses are bigint.
 */

export const AddressRange = z.object({
  base: z.bigint().nonnegative(),
  size: z.bigint().positive(),
  span: Span,
});
export type AddressRange = z.infer<typeof AddressRange>;

/**
 * One interrupt specifier, decoded through the binding of the controller it goes to (its `#interrupt-cells`
 * meaning): the controller's own number for it, its kind and trigger. `problem` says why it could not be
 * decoded (the interrupt-range check reports it).
 */
export const Interrupt = z.object({
  /** Path of the interrupt controller node. */
  controller: z.string(),
  /** The raw cells. */
  cells: z.array(z.number().int().nonnegative()),
  /** The controller's number for it (an interrupt ID, a source number). */
  id: z.number().int().nonnegative(),
  /** The kind, when the controller's specifier has kinds ("SPI", "PPI"); its number within the kind. */
  kind: z.string().optional(),
  number: z.number().int().nonnegative(),
  /** Trigger bits (the device-tree IRQ_TYPE encoding: 1 rising, 2 falling, 4 high, 8 low). */
  flags: z.number().int().nonnegative(),
  problem: z.string().optional(),
  span: Span,
});
export type Interrupt = z.infer<typeof Interrupt>;

export const BoardCpu = z.object({
  /** Index in the board's /cpus node, in source order: what guests' `cpus` refer to. */
  index: z.number().int().nonnegative(),
  path: z.string(),
  /** The `reg` value: the CPU's hardware identifier (whatever the architecture addresses CPUs by). */
  hwid: z.bigint().nonnegative(),
  compatible: z.array(z.string()),
  enableMethod: z.string().optional(),
  status: z.enum(['okay', 'disabled', 'reserved', 'fail']),
  span: Span,
});
export type BoardCpu = z.infer<typeof BoardCpu>;

export const BoardDevice = z.object({
  path: z.string(),
  name: z.string(),
  labels: z.array(z.string()),
  compatible: z.array(z.string()),
  reg: z.array(AddressRange),
  /** Its `interrupts`, decoded through the binding of the interrupt controller they go to. */
  interrupts: z.array(Interrupt),
  status: z.enum(['okay', 'disabled', 'reserved', 'fail']),
  /** The properties its binding defines, decoded (empty when no binding is known for it). */
  properties: z.record(z.string(), z.unknown()),
  /** Where each of those properties' values is written. */
  propertySpans: z.record(z.string(), Span),
  span: Span,
});
export type BoardDevice = z.infer<typeof BoardDevice>;

export const Board = z.object({
  /** The root `model` property, or the file name. */
  model: z.string(),
  compatible: z.array(z.string()),
  cpus: z.array(BoardCpu).min(1),
  memory: z.array(AddressRange).min(1),
  devices: z.array(BoardDevice),
  /** The board description: the file the root's `compatible` is written in. */
  file: z.string(),
  /** Path of the interrupt controller device (the root's interrupt-parent). */
  interruptController: z.string().optional(),
  span: Span,
});
export type Board = z.infer<typeof Board>;

export const GuestMemory = z.object({
  /** Guest-physical base and size. */
  ipa: z.bigint().nonnegative(),
  size: z.bigint().positive(),
  /** Host-physical base when the description pins it; otherwise the layout pass places it. */
  hostAddress: z.bigint().nonnegative().optional(),
  /** Where the pin is written (the `host-address` property): mistakes about host placement point there. */
  hostAddressSpan: Span.optional(),
  span: Span,
});
export type GuestMemory = z.infer<typeof GuestMemory>;

export const GuestDevice = z.object({
  path: z.string(),
  name: z.string(),
  compatible: z.array(z.string()),
  /** Guest-physical windows. */
  reg: z.array(AddressRange),
  /** Its `interrupts`, decoded through the binding of the interrupt controller they go to. */
  interrupts: z.array(Interrupt),
  /** The `interrupts` property's value. */
  interruptsSpan: Span.optional(),
  /** The properties its binding defines, decoded (empty when no binding is known for it). */
  properties: z.record(z.string(), z.unknown()),
  /** Where each of those properties' values is written, and each element of a list. */
  propertySpans: z.record(z.string(), z.object({ value: Span, items: z.array(Span) })),
  /** Properties of its binding that are the hypervisor's: not in the guest's device tree (they may point outside it). */
  hostOnly: z.array(z.string()),
  span: Span,
  compatibleSpan: Span,
});
export type GuestDevice = z.infer<typeof GuestDevice>;

/** Host RAM two or more guests map (a `hvcc,shared-region` node under /hypervisor). */
export const SharedRegion = z.object({
  /** The node's path, which windows refer to. */
  path: z.string(),
  /** The node's name, for the map. */
  name: z.string(),
  size: z.bigint().positive(),
  sizeSpan: Span,
  hostAddress: z.bigint().nonnegative().optional(),
  span: Span,
});
export type SharedRegion = z.infer<typeof SharedRegion>;

/** A guest's mapping of a shared region (a `hvcc,shared-memory` node inside the guest). */
export const SharedWindow = z.object({
  path: z.string(),
  /** Path of the region it maps. */
  region: z.string(),
  regionSpan: Span,
  ipa: z.bigint().nonnegative(),
  size: z.bigint().positive(),
  readOnly: z.boolean(),
  /** The `reg` entry. */
  span: Span,
});
export type SharedWindow = z.infer<typeof SharedWindow>;

/** An entry of a guest's `cpus` that is not a CPU of the board (the vcpu-affinity check reports it). */
export const StrayCpu = z.object({ path: z.string(), span: Span });
export type StrayCpu = z.infer<typeof StrayCpu>;

export const GuestVcpu = z.object({
  /**
   * Indices into board.cpus of the physical CPUs this vCPU may run on, in `cpus` order: one pins it there;
   * several let the scheduler choose. Empty when none of its entries is a CPU.
   */
  affinity: z.array(z.number().int().nonnegative()),
  /** Its `cpus` entries that name no CPU of the board. */
  strays: z.array(StrayCpu),
  /** Scheduling priority (higher runs first) and time slice; the description's, or the defaults. */
  priority: z.number().int().nonnegative(),
  timeSliceUs: z.number().int().nonnegative(),
  /** Its `cpus` entry when pinned by position, else the whole `cpus` value. */
  span: Span,
  /** Where its priority and time slice are written, when they are. */
  prioritySpan: Span.optional(),
  timeSliceSpan: Span.optional(),
});
export type GuestVcpu = z.infer<typeof GuestVcpu>;

export const GuestImage = z.object({
  /** Absolute path on the build machine. */
  path: z.string(),
  /** As written in the description. */
  written: z.string(),
  /** Where a raw binary is loaded (guest-physical); ELF images carry their own addresses. */
  loadAddress: z.bigint().nonnegative().optional(),
  span: Span,
});
export type GuestImage = z.infer<typeof GuestImage>;

/** A file a guest loads (its image, its initrd). */
export const GuestFile = z.object({
  path: z.string(),
  written: z.string(),
  span: Span,
});
export type GuestFile = z.infer<typeof GuestFile>;

/** A board device given to one guest: mapped into it at its own address. */
export const Passthrough = z.object({
  /** Path of the board device. */
  device: z.string(),
  span: Span,
});
export type Passthrough = z.infer<typeof Passthrough>;

export const Guest = z.object({
  name: z.string(),
  path: z.string(),
  /** The guest's node in the description: its subtree becomes the guest's device tree. */
  node: z.custom<DtNode>(),
  vcpus: z.array(GuestVcpu),
  memory: z.array(GuestMemory),
  image: GuestImage,
  /** Guest-physical entry point; defaults to the image's (ELF e_entry, or the raw load address). */
  entry: z.bigint().nonnegative().optional(),
  entrySpan: Span.optional(),
  initrd: GuestFile.optional(),
  bootargs: z.string().optional(),
  devices: z.array(GuestDevice),
  /**
   * Paths of the guest's device and memory nodes their binding rejected (already reported): not among
   * `devices` or `memory`, and no check reads their properties again or reports what their absence means.
   */
  undecoded: z.array(z.string()),
  /** Its windows on shared regions. */
  shared: z.array(SharedWindow),
  passthrough: z.array(Passthrough),
  /** Whether it starts at boot (`no-autostart` says not: the management terminal starts it). */
  autostart: z.boolean(),
  span: Span,
  /** The `cpus` property, for diagnostics about the vCPU list as a whole. */
  cpusSpan: Span,
  /** The `vcpus` property's value, when the description gives the vCPU count. */
  vcpusSpan: Span.optional(),
});
export type Guest = z.infer<typeof Guest>;

/** A node under /hypervisor that a host driver serves (a disk, a network): an instance the hypervisor runs itself. */
export const HostNode = z.object({
  path: z.string(),
  name: z.string(),
  compatible: z.array(z.string()),
  compatibleSpan: Span,
  span: Span,
});
export type HostNode = z.infer<typeof HostNode>;

/** A disk of the board, on one of its virtio-mmio transports (`hvcc,virtio-disk`). */
export const Disk = z.object({
  path: z.string(),
  name: z.string(),
  /** Path of the board device (transport) it sits on. */
  device: z.string(),
  deviceSpan: Span,
  size: z.bigint().positive(),
  sizeSpan: Span,
  span: Span,
});
export type Disk = z.infer<typeof Disk>;

/** A network the hypervisor switches (`hvcc,network`). */
export const Network = z.object({
  path: z.string(),
  name: z.string(),
  /** Path of the board device (transport) of its uplink, when it has one. */
  uplink: z.string().optional(),
  uplinkSpan: Span.optional(),
  span: Span,
});
export type Network = z.infer<typeof Network>;

export const Hypervisor = z.object({
  /** Host RAM the hypervisor image, its tables and its stacks live in. */
  region: AddressRange,
  /** Path of the host console device. */
  console: z.string(),
  consoleSpan: Span,
  /** The console escape key (a control character), from `escape-key` or the default Ctrl-A. */
  escapeKey: z.number().int().min(1).max(0x1f),
  escapeKeySpan: Span.optional(),
  span: Span,
});
export type Hypervisor = z.infer<typeof Hypervisor>;

export const System = z.object({
  name: z.string(),
  /** The description's entry file. */
  file: z.string(),
  /** The evaluated device tree the model was read from (parameters of components are read from its nodes). */
  tree: z.custom<DtTree>(),
  board: Board,
  hypervisor: Hypervisor,
  /** Shared memory regions (under /hypervisor). */
  sharedRegions: z.array(SharedRegion),
  /** Nodes under /hypervisor a host driver serves (disks, networks), in source order. */
  hostNodes: z.array(HostNode),
  /** The board's disks (under /hypervisor). */
  disks: z.array(Disk),
  /** Networks between guests (under /hypervisor). */
  networks: z.array(Network),
  /**
   * Paths of the shared regions, disks and networks under /hypervisor the model rejected (their binding, or
   * a reference of theirs; already reported): a guest's reference to one is not reported again as a
   * reference to nothing.
   */
  undecodedHostNodes: z.array(z.string()),
  guests: z.array(Guest),
  /** Guest nodes under /guests, including any the model could not read (their errors are reported). */
  declaredGuests: z.number().int().nonnegative(),
});
export type System = z.infer<typeof System>;
