import type { LoadedImage } from './backend.js';

/**
 * The placement both Linux Image formats (arm64's and RISC-V's) ask for: `textOffset` bytes above the first
 * `alignment`-aligned address of the guest's RAM, entered at the first byte, occupying `imageSize` bytes
 * (which covers .bss; 0 in very old kernels, then the file's length).
 */
export function kernelImageAt(bytes: Uint8Array, header: { textOffset: bigint; imageSize: bigint }, ramBase: bigint, alignment: bigint): LoadedImage {
  const base = ((ramBase + alignment - 1n) / alignment) * alignment;
  const size = header.imageSize > 0n ? header.imageSize : BigInt(bytes.length);
  const load = base + header.textOffset;
  const zeroSize = size > BigInt(bytes.length) ? size - BigInt(bytes.length) : 0n;
  return { format: 'kernel', segments: [{ ipa: load, data: bytes, zeroSize }], entry: load };
}
