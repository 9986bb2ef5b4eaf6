/**
 * Guest images as the layout pass sees them: loadable pieces at guest-physical addresses and an entry point.
 * Recognized formats: ELF64 for AArch64 (PT_LOAD segments at their physical addresses), and raw binaries
 * (loaded whole at the description's `load-address`).
 */

export interface ImageSegment {
  /** Guest-physical address. */
  ipa: bigint;
  data: Uint8Array;
  /** Bytes zeroed after `data` (an ELF segment's memsz beyond filesz). */
  zeroSize: bigint;
}

export interface LoadedImage {
  format: 'elf' | 'raw' | 'linux';
  segments: ImageSegment[];
  entry: bigint;
}

export type ImageResult = { ok: true; image: LoadedImage } | { ok: false; reason: string };

const EM_AARCH64 = 183;
const PT_LOAD = 1;

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

export function readElfImage(bytes: Uint8Array): ImageResult {
  if (bytes.length < 64) return { ok: false, reason: 'truncated ELF header' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[4] !== 2) return { ok: false, reason: 'not a 64-bit ELF file' };
  if (bytes[5] !== 1) return { ok: false, reason: 'not a little-endian ELF file' };
  const machine = view.getUint16(18, true);
  if (machine !== EM_AARCH64) return { ok: false, reason: `ELF machine ${machine} is not AArch64 (${EM_AARCH64})` };
  const entry = view.getBigUint64(24, true);
  const phoff = Number(view.getBigUint64(32, true));
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  if (phoff + phnum * phentsize > bytes.length || phentsize < 56) return { ok: false, reason: 'truncated program header table' };
  const segments: ImageSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const offset = Number(view.getBigUint64(at + 8, true));
    const paddr = view.getBigUint64(at + 24, true);
    const filesz = view.getBigUint64(at + 32, true);
    const memsz = view.getBigUint64(at + 40, true);
    if (memsz === 0n) continue;
    if (offset + Number(filesz) > bytes.length) return { ok: false, reason: `segment ${i} extends past the end of the file` };
    if (memsz < filesz) return { ok: false, reason: `segment ${i} has a memory size smaller than its file size` };
    segments.push({ ipa: paddr, data: bytes.subarray(offset, offset + Number(filesz)), zeroSize: memsz - filesz });
  }
  if (segments.length === 0) return { ok: false, reason: 'the ELF file has no loadable segments' };
  return { ok: true, image: { format: 'elf', segments, entry } };
}

/** The arm64 Linux `Image` header (Documentation/arch/arm64/booting.rst). */
export interface LinuxImageHeader {
  /** Offset from a 2 MiB-aligned base the image must be loaded at. */
  textOffset: bigint;
  /** Bytes the kernel occupies from its load address, bss included (0 in very old kernels). */
  imageSize: bigint;
  flags: bigint;
}

const ARM64_IMAGE_MAGIC = 0x644d5241; /* "ARM\x64" */

export function linuxImageHeader(bytes: Uint8Array): LinuxImageHeader | undefined {
  if (bytes.length < 64) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0x38, true) !== ARM64_IMAGE_MAGIC) return undefined;
  return { textOffset: view.getBigUint64(0x08, true), imageSize: view.getBigUint64(0x10, true), flags: view.getBigUint64(0x18, true) };
}

/**
 * An arm64 Linux Image is loaded `text_offset` bytes above a 2 MiB-aligned base in RAM and entered at its
 * first byte; `image_size` (which covers .bss) is what it occupies. `base` is that 2 MiB-aligned address.
 */
export function readLinuxImage(bytes: Uint8Array, header: LinuxImageHeader, base: bigint): LoadedImage {
  const size = header.imageSize > 0n ? header.imageSize : BigInt(bytes.length);
  const load = base + header.textOffset;
  const zeroSize = size > BigInt(bytes.length) ? size - BigInt(bytes.length) : 0n;
  return { format: 'linux', segments: [{ ipa: load, data: bytes, zeroSize }], entry: load };
}

export function readImage(bytes: Uint8Array, loadAddress: bigint | undefined): ImageResult {
  if (isElf(bytes)) return readElfImage(bytes);
  if (loadAddress === undefined) {
    return { ok: false, reason: 'not an ELF file; a raw binary needs a `load-address`' };
  }
  if (bytes.length === 0) return { ok: false, reason: 'the image file is empty' };
  return { ok: true, image: { format: 'raw', segments: [{ ipa: loadAddress, data: bytes, zeroSize: 0n }], entry: loadAddress } };
}
