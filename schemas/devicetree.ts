import type { Span } from './span.js';

/**
 * The evaluated device tree: nodes, properties, labels and phandles, every piece with its source span. The
 * device-tree front end (compiler/dts/) builds it; the model keeps each guest's node of it.
 */

export type { Span };

/** One cell of a `<...>` array. `ref` is the label or `/path` a `&ref` cell named (its value is the target's phandle once resolved). */
export interface DtCell {
  value: bigint;
  ref?: string;
  span: Span;
}

export type DtValueChunk =
  | { kind: 'cells'; bits: 8 | 16 | 32 | 64; items: DtCell[]; span: Span }
  /** `value` is the text decoded as UTF-8 (for people); `bytes` are the exact bytes dtc emits, without the terminating NUL. */
  | { kind: 'string'; value: string; bytes: Uint8Array; span: Span }
  | { kind: 'bytes'; value: Uint8Array; span: Span }
  /** `&label` outside `< >`: the full path of the target, as a NUL-terminated string. `path` is '' until resolved. */
  | { kind: 'path-ref'; target: string; path: string; span: Span };

/**
 * A label inside a value (`prop = <1 l: 2>`): it sits before chunk `chunk` (before item `item` of a cells or
 * bytes chunk when given); `chunk === chunks.length` means after the last chunk.
 */
export interface DtValueLabel {
  name: string;
  chunk: number;
  item?: number;
  span: Span;
}

export interface DtProperty {
  name: string;
  labels: string[];
  /** The property name where it was (last) defined. */
  span: Span;
  /** The whole value, when there is one. */
  valueSpan?: Span;
  chunks: DtValueChunk[];
  valueLabels?: DtValueLabel[];
}

export interface DtNode {
  /** The name without unit address ('' for the root). */
  name: string;
  unitAddress?: string;
  /** name@unit-address. */
  fullName: string;
  /** '/' for the root, '/a/b@1' below. */
  path: string;
  /** Labels in dtc's order (the order dtc lists them in dts output). */
  labels: string[];
  properties: DtProperty[];
  children: DtNode[];
  /** The node's name where it was first defined. */
  span: Span;
  parent?: DtNode;
  /** The node's phandle, once it has one (explicit `phandle` property or assigned for a reference). */
  phandle?: number;
  /** Labels removed by a /delete-node/ of this node before it was defined again (dtc -@ still gives such a node a phandle). */
  deletedLabels?: string[];
  /** Marked /omit-if-no-ref/ (already removed from the tree if nothing referenced it). */
  omitIfNoRef?: boolean;
}

export interface DtMemReserve {
  address: bigint;
  size: bigint;
  labels: string[];
  span?: Span;
}

export interface DtTree {
  root: DtNode;
  memreserves: DtMemReserve[];
  /** The source declared /plugin/ (an overlay). */
  plugin: boolean;
  /** The tree was decoded from a blob (values carry no type information, as in dtc -I dtb). */
  fromDtb?: boolean;
  /** boot_cpuid_phys from a decoded blob (dtc keeps it unless -b is given). */
  bootCpuidPhys?: number;
}
