import type { Board, Guest, System } from '../../schemas/model.js';
import type { Check } from '../checks/check.js';
import type { MessageDef } from '../diagnostics/define.js';
import type { DtNode } from '../dts/tree.js';
import type { TreeBuilder } from '../dts/builder.js';
import type { Range } from '../util/ranges.js';

/**
 * Everything the compiler needs to know about one CPU architecture, in one object. The rest of the compiler
 * is architecture-neutral: it asks the backend for table formats, image formats, the architecture's nodes of a
 * guest device tree, QEMU's machine, the architecture's part of hv_config, and the checks only it knows.
 * The plan picks the backend whose `name` is the `arch` of the architecture component serving the board's CPUs.
 */
export interface ArchBackend {
  /** The architecture's name, as runtime/arch/<name>/manifest.json's "arch" says it. */
  name: string;
  tables: {
    /** The hypervisor's own translation regime (identity map of RAM and of the devices it drives). */
    hypervisor: TableFormat;
    /** A guest's second-stage translation (guest-physical to host-physical). */
    guest: TableFormat;
  };
  /** ELF e_machine of guest images and of the hypervisor image. */
  elfMachine: number;
  /**
   * A kernel image format with a boot protocol of its own (the arm64 Linux Image), recognized from its bytes;
   * `ramBase` is the guest's lowest RAM address. Undefined when the bytes are not one.
   */
  kernelImage(bytes: Uint8Array, ramBase: bigint): LoadedImage | undefined;
  /** Where the guest's device tree is placed: alignments tried in order (the boot protocol's preference first). */
  deviceTreeAlignments: bigint[];
  /** The hardware CPU identifier vCPU `index` of a guest sees (what its device tree's cpu nodes' reg say). */
  vcpuHwid(index: number): bigint;
  /**
   * The architecture's nodes of a guest device tree (CPUs, firmware interface, architected timer) and the root's
   * compatible strings. `withInterruptController`: the guest has a virtual interrupt controller. `adjust`, when
   * given, sees copies of the guest's own nodes and may complete them (wire an interrupt controller's
   * per-CPU contexts to the generated CPU nodes). `interruptParentOnDevices`: name the guest's interrupt
   * controller in each device that has interrupts rather than in the root (where CPU-local interrupt
   * controllers, which have no parent, would inherit it).
   */
  guestTree(input: { guest: Guest; board: Board; builder: TreeBuilder; withInterruptController: boolean }): {
    nodes: DtNode[];
    rootCompatible: string[];
    adjust?: (own: DtNode[]) => void;
    interruptParentOnDevices?: boolean;
  };
  /**
   * The architecture's part of hv_config (runtime/arch/<name>/include/arch/config.h), field by field; values
   * may depend on the description (a clock rate) and on the format the tables were built in (`tables`: the
   * hypervisor's, or the guest's, as `narrow` sized it), whose input range and starting level the translation
   * control registers must say.
   */
  config: {
    system: { fields: readonly string[]; values(system: System, tables: TableFormat): bigint[] };
    guest: { fields: readonly string[]; values(system: System, guest: Guest, tables: TableFormat): bigint[] };
  };
  /** QEMU's machine for a board, or why there is none. */
  qemu(board: Board): { program: string; machine: string[]; cpu: string } | { error: string };
  /** Checks only this architecture knows (firmware interface, CPU identifiers). */
  checks: Check[];
  /** The messages of those checks, for the catalogue. */
  messages: Record<string, MessageDef>;
}

/** What a mapping is, in terms every architecture can encode. */
export type MemoryKind = 'ram' | 'device';

export interface Mapping extends Range {
  /** Output address. */
  pa: bigint;
  kind: MemoryKind;
  /** Read-only for whoever the tables translate for (writes fault). */
  readOnly?: boolean;
  label: string;
}

/** An architecture's table shape and descriptor encoding (one for the hypervisor's tables, one for guests'). */
export interface TableFormat {
  name: string;
  /** Smallest mapping unit and table alignment, in bytes. */
  granule: bigint;
  /** Input address bits the tables cover (for a format `narrow` can shrink: the most it allows). */
  inputBits: number;
  /** Level of the root table, and of the last (smallest-leaf) level. */
  startLevel: number;
  lastLevel: number;
  /** Entries in a table of this level (a root may be larger: concatenated tables; or smaller: a short input range). */
  entries(level: number): number;
  /**
   * The same format for the smallest input range the architecture allows that holds [0, `end`): fewer
   * input bits, a smaller root, perhaps a later starting level. `end` is at most 2^inputBits. Absent: the
   * range is fixed (RISC-V's Sv39 and Sv39x4 have no size field).
   */
  narrow?(end: bigint): TableFormat;
  /** Bytes one entry of this level covers. */
  entrySize(level: number): bigint;
  /** Whether a leaf may stand at this level. */
  leafAllowed(level: number): boolean;
  /** The complete leaf descriptor for `pa` at `level`. */
  leaf(pa: bigint, level: number, mapping: Mapping): bigint;
  /** Added to the next-level table's address to make a table descriptor (resolved by the linker). */
  tableBits: bigint;
  /** The output address and the attribute bits of a leaf descriptor (for walks). */
  decodeLeaf(descriptor: bigint, level: number): { pa: bigint; attributes: bigint };
}


/** A loadable piece of a guest image, at its guest-physical address. */
export interface ImageSegment {
  ipa: bigint;
  data: Uint8Array;
  /** Bytes zeroed after `data` (an ELF segment's memsz beyond filesz, a kernel's .bss). */
  zeroSize: bigint;
}

export interface LoadedImage {
  format: 'elf' | 'raw' | 'kernel';
  segments: ImageSegment[];
  entry: bigint;
}
