import type { LoadedImage } from '../backend.js';
import { kernelImageAt } from '../kernel-image.js';

/** The RISC-V Linux `Image` header (Documentation/riscv/boot-image-header.rst). */
export interface RiscvImageHeader {
  /** Offset from a 2 MiB-aligned base the image is loaded at (2 MiB for RV64: room for firmware below it). */
  textOffset: bigint;
  /** Bytes the kernel occupies from its load address, bss included. */
  imageSize: bigint;
  flags: bigint;
  version: number;
}

const MAGIC2 = 0x05435352; /* "RSC\x05" at 0x38; the older "RISCV\0\0\0" at 0x30 is deprecated */
const BLOCK = 2n * 1024n * 1024n;

export function riscvImageHeader(bytes: Uint8Array): RiscvImageHeader | undefined {
  if (bytes.length < 64) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0x38, true) !== MAGIC2) return undefined;
  return { textOffset: view.getBigUint64(0x08, true), imageSize: view.getBigUint64(0x10, true), flags: view.getBigUint64(0x18, true), version: view.getUint32(0x20, true) };
}

/**
 * A RISC-V Linux Image is entered at its first byte, in S-mode (here VS-mode) with a0 = hart ID and a1 = the
 * device tree, at a 2 MiB-aligned address for RV64 (the kernel maps itself with 2 MiB pages). It is put
 * `text_offset` above the start of the guest's RAM, as firmware would leave it.
 */
export function riscvKernelImage(bytes: Uint8Array, ramBase: bigint): LoadedImage | undefined {
  const header = riscvImageHeader(bytes);
  return header ? kernelImageAt(bytes, header, ramBase, BLOCK) : undefined;
}
