import type { LoadedImage } from '../backend.js';
import { kernelImageAt } from '../kernel-image.js';

/** The arm64 Linux `Image` header (Documentation/arch/arm64/booting.rst). */
export interface Arm64ImageHeader {
  /** Offset from a 2 MiB-aligned base the image must be loaded at. */
  textOffset: bigint;
  /** Bytes the kernel occupies from its load address, bss included (0 in very old kernels). */
  imageSize: bigint;
  flags: bigint;
}

const ARM64_IMAGE_MAGIC = 0x644d5241; /* "ARM\x64" */
const BLOCK = 2n * 1024n * 1024n;

export function arm64ImageHeader(bytes: Uint8Array): Arm64ImageHeader | undefined {
  if (bytes.length < 64) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0x38, true) !== ARM64_IMAGE_MAGIC) return undefined;
  return { textOffset: view.getBigUint64(0x08, true), imageSize: view.getBigUint64(0x10, true), flags: view.getBigUint64(0x18, true) };
}

/**
 * An arm64 Linux Image is loaded `text_offset` bytes above a 2 MiB-aligned base in RAM and entered at its
 * first byte; `image_size` (which covers .bss) is what it occupies.
 */
export function arm64KernelImage(bytes: Uint8Array, ramBase: bigint): LoadedImage | undefined {
  const header = arm64ImageHeader(bytes);
  return header ? kernelImageAt(bytes, header, ramBase, BLOCK) : undefined;
}
