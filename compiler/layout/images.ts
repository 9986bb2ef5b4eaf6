import type { ArchBackend, LoadedImage } from '../arch/backend.js';

/**
 * Guest images as the layout pass sees them: loadable pieces at guest-physical addresses and an entry point.
 * Recognized formats: ELF64 for the board's architecture (PT_LOAD segments at their physical addresses), the
 * architecture's kernel image format (its backend recognizes it), and raw binaries (loaded whole at the
 * description's `load-address`).
 */

export type { ImageSegment, LoadedImage } from '../arch/backend.js';

export type ImageResult = { ok: true; image: LoadedImage } | { ok: false; reason: string };

const PT_LOAD = 1;

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** The e_machine of an ELF file (either class, little-endian), or undefined when the bytes are not ELF. */
export function elfMachine(bytes: Uint8Array): number | undefined {
  if (!isElf(bytes) || bytes.length < 20 || bytes[5] !== 1) return undefined;
  return bytes[18]! | (bytes[19]! << 8);
}

/** An ELF64 little-endian file for `machine` (e_machine), by its PT_LOAD segments. */
export function readElfImage(bytes: Uint8Array, machine: number): ImageResult {
  if (bytes.length < 64) return { ok: false, reason: 'truncated ELF header' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[4] !== 2) return { ok: false, reason: 'not a 64-bit ELF file' };
  if (bytes[5] !== 1) return { ok: false, reason: 'not a little-endian ELF file' };
  const found = view.getUint16(18, true);
  if (found !== machine) return { ok: false, reason: `ELF machine ${found} is not the board's architecture (${machine})` };
  const entry = view.getBigUint64(24, true);
  const phoff = Number(view.getBigUint64(32, true));
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  if (phoff + phnum * phentsize > bytes.length || phentsize < 56) return { ok: false, reason: 'truncated program header table' };
  const segments: LoadedImage['segments'] = [];
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

/** A guest image in any format the architecture takes; `ramBase` is the guest's lowest RAM address. */
export function readImage(bytes: Uint8Array, loadAddress: bigint | undefined, arch: ArchBackend, ramBase: bigint): ImageResult {
  const kernel = arch.kernelImage(bytes, ramBase);
  if (kernel) return { ok: true, image: kernel };
  if (isElf(bytes)) return readElfImage(bytes, arch.elfMachine);
  if (loadAddress === undefined) {
    return { ok: false, reason: 'not an ELF file; a raw binary needs a `load-address`' };
  }
  if (bytes.length === 0) return { ok: false, reason: 'the image file is empty' };
  return { ok: true, image: { format: 'raw', segments: [{ ipa: loadAddress, data: bytes, zeroSize: 0n }], entry: loadAddress } };
}
