import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleGuests, hvcc, root, tempDir } from './harness.js';

beforeAll(() => buildExampleGuests());

const MiB = 1 << 20;
const readerByte = (i: number) => (i * 13 + 5) & 0xff;

/** A 4 MiB disk: the reader's read-only extent [2, 3) MiB and the unused [3, 4) MiB filled with patterns. */
function makeDisk(path: string): void {
  const d = Buffer.alloc(4 * MiB);
  for (let i = 2 * MiB; i < 3 * MiB; i++) d[i] = readerByte(i);
  d.fill(0x5a, 3 * MiB);
  writeFileSync(path, d);
}

const qemuDisk = (path: string) => ['--', '-drive', `file=${path},if=none,format=raw,id=d0`, '-device', 'virtio-blk-device,drive=d0'];

/** The owner's 64 KiB at sector 8 for boot n (examples/guests/blk.c's fill()). */
const ownerByte = (seed: number, i: number) => (seed + i * 7 + (i >> 9)) & 0xff;

describe('virtio-blk on extents of the board disk', () => {
  test('each guest sees its extent as its disk; writes persist across power-off; requests outside an extent fail and leave the other extents as they were', () => {
    const dir = tempDir('blk');
    const disk = join(dir, 'disk.img');
    makeDisk(disk);

    const first = hvcc(['run', 'examples/virtio-blk/system.dts', '-O', join(dir, 'out'), '--timeout', '60', ...qemuDisk(disk)]);
    expect(first.status).toBe(0);
    const lines = first.stdout.split('\n');
    expect(first.stdout).not.toContain('ERROR');
    expect(lines.some((l) => /^\[hv\] disk \/hypervisor\/disk0: virtio-blk at 0xa003e00 \(virtio-mmio version [12]\), 0x400000 bytes/.test(l))).toBe(true);
    expect(lines).toContain('[owner] blk: no record on the disk: the first boot');
    expect(lines).toContain('[owner] blk: this was boot 1; done');
    for (const what of [
      'read the sector just past the extent = 0x0000000000000001',
      'read two sectors straddling its end = 0x0000000000000001',
      'read sector 2^55 (its byte offset wraps to 0) = 0x0000000000000001',
      'read sector 2^64 - 1 = 0x0000000000000001',
      'write the sector just past the extent = 0x0000000000000001',
      'write 64 KiB from the extent\'s last sector = 0x0000000000000001',
      'write sector 2^55 (wraps to 0) = 0x0000000000000001',
      'write 100 bytes (not whole sectors) = 0x0000000000000001',
      'an unknown request type = 0x0000000000000002',
      'a request without a status byte breaks the device = 0x0000000000000040',
      'after a reset, write its own extent\'s first 64 KiB = 0x0000000000000000',
    ]) {
      expect(lines).toContain(`[attacker] blk: ${what} ok`);
    }
    expect(lines).toContain("[hv] guest 'attacker': virtio-blk /guests/attacker/virtio@a000000: queue 0: a request without a 16-byte header or a status byte; the device needs a reset");
    expect(lines).toContain('[attacker] blk: done');
    // The reader saw its extent as the disk file has it, and could not write it.
    let sum = 0n;
    for (let i = 2 * MiB; i < 3 * MiB; i++) sum = (sum * 31n + BigInt(readerByte(i))) & ((1n << 64n) - 1n);
    expect(lines).toContain(`[reader] blk: checksum of the extent 0x${sum.toString(16).padStart(16, '0')}`);
    expect(lines).toContain('[reader] blk: write to the read-only extent = 0x0000000000000001 ok');

    // In the disk file: the owner's record and data, the attacker's writes within its extent only.
    const d = readFileSync(disk);
    expect(d.subarray(0, 21).toString()).toBe('hvcc-disk-test boot 1');
    for (const i of [0, 1, 4095, 65535]) expect(d[8 * 512 + i]).toBe(ownerByte(1, i));
    const attacker = d.subarray(MiB, 2 * MiB);
    expect(attacker.subarray(0, 65536).every((b) => b === 0xa5)).toBe(true);
    expect(attacker.subarray(65536, MiB - 512).every((b) => b === 0)).toBe(true);
    expect(attacker.subarray(MiB - 512).every((b) => b === 0xa5)).toBe(true);
    expect(d.subarray(2 * MiB, 3 * MiB).every((b, i) => b === readerByte(2 * MiB + i))).toBe(true);
    expect(d.subarray(3 * MiB).every((b) => b === 0x5a)).toBe(true);
    // Nothing between the owner's record and its data, nor after its data, was written.
    expect(d.subarray(512, 8 * 512).every((b) => b === 0)).toBe(true);
    expect(d.subarray(8 * 512 + 65536, MiB).every((b) => b === 0)).toBe(true);

    // The next boot finds what the first one wrote.
    const second = hvcc(['run', 'examples/virtio-blk/system.dts', '-O', join(dir, 'out'), '--timeout', '60', ...qemuDisk(disk)]);
    expect(second.status).toBe(0);
    expect(second.stdout).not.toContain('ERROR');
    expect(second.stdout).toContain('[owner] blk: found the record of boot 1 on the disk');
    expect(second.stdout).toContain('[owner] blk: the data of that boot, read back = 0x0000000000000001 ok');
    expect(second.stdout).toContain('[owner] blk: this was boot 2; done');
    expect(readFileSync(disk).subarray(0, 21).toString()).toBe('hvcc-disk-test boot 2');
  });

  test('a description with an error never starts QEMU, so the disk is not opened for writing', () => {
    const dir = tempDir('blk-error');
    const disk = join(dir, 'disk.img');
    makeDisk(disk);
    const before = statSync(disk);
    const system = join(dir, 'system.dts');
    // The attacker's extent overlapping the owner's (HV3076).
    writeFileSync(
      system,
      readFileSync(join(root, 'examples/virtio-blk/system.dts'), 'utf8')
        .replace('../../boards/', `${root}/boards/`)
        .replaceAll('../guests/build/', `${root}/examples/guests/build/`)
        .replace('disk-start = <0x0 0x00100000>;', 'disk-start = <0x0 0x000f0000>;'),
    );
    const r = hvcc(['run', system, '-O', join(dir, 'out'), '--timeout', '60', ...qemuDisk(disk)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('HV3076');
    expect(r.stdout).not.toContain('[hv]');
    const after = statSync(disk);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.atimeMs).toBe(before.atimeMs);
    expect(readFileSync(disk).subarray(3 * MiB).every((b) => b === 0x5a)).toBe(true);
  });
});
