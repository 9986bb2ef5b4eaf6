/**
 * Unmodified Debian kernels on the hypervisor's virtio devices: the kernel's own virtio_mmio, virtio_net,
 * virtio_console, virtio_blk and ext4 modules, loaded by the initramfs prepare.mjs makes.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleGuests, hvcc, root, tempDir } from './harness.js';

beforeAll(() => {
  buildExampleGuests();
  execFileSync(process.execPath, [join(root, 'examples', 'linux-guest', 'prepare.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
});

const MiB = 1 << 20;

describe('Linux guests on virtio devices', () => {
  test('two kernels on a switched network ping each other and move a file with nc; the third card sees only broadcasts; one kernel has only a virtio console', () => {
    const out = tempDir('guest-network');
    const r = hvcc(['run', 'examples/guest-network/system.dts', '-O', out, '--timeout', '240'], { timeoutMs: 300_000 });
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('[a] HVCC-NET: net-a up: eth0 52:54:00:00:00:0a 10.0.0.1, link up');
    // b prints only through hvc0: it has no UART.
    expect(lines).toContain('[b] HVCC-NET: net-b up: eth0 52:54:00:00:00:0b 10.0.0.2, link up');
    expect(lines).toContain('[a] 5 packets transmitted, 5 packets received, 0% packet loss');
    const sent = /^\[a\] HVCC-NET: sending (\d+) bytes, md5 ([0-9a-f]{32})$/m.exec(r.stdout);
    const got = /^\[b\] HVCC-NET: received (\d+) bytes, md5 ([0-9a-f]{32})$/m.exec(r.stdout);
    expect(sent?.[1]).toBe('262144');
    expect(got?.slice(1)).toEqual(sent?.slice(1));
    // The watcher: broadcasts only (ARP requests), never the TCP or ICMP between a and b.
    const watched = lines.filter((l) => l.startsWith('[watch] net: got '));
    expect(watched.length).toBeGreaterThan(0);
    expect(watched.every((l) => l.startsWith('[watch] net: got ff:ff:ff:ff:ff:ff from ') && l.includes(', type 0x0000000000000806, ARP who has '))).toBe(true);
    expect(lines.some((l) => /^\[watch\] net: watched \d+ frames: \d+ broadcast, 0 unicast$/.test(l))).toBe(true);
    expect(r.stdout).not.toContain('ERROR');
    expect(r.stdout).toContain('[hv] all guests have stopped, powering off');
    // The guests' device trees carry the transports as Linux's virtio_mmio binds them.
    const dts = readFileSync(join(out, 'guests', 'b.dts'), 'utf8');
    expect(dts).toContain('compatible = "hvcc,virtio-console\\0virtio,mmio";');
    expect(dts).toContain('compatible = "hvcc,virtio-net\\0virtio,mmio";');
    expect(dts).not.toContain('network =');
  });

  test('a kernel makes a file system on its extent and finds its file after a power-off; the other extents keep their bytes', () => {
    const dir = tempDir('guest-disk');
    const disk = join(dir, 'disk.img');
    const d = Buffer.alloc(64 * MiB);
    for (let i = 32 * MiB; i < 33 * MiB; i++) d[i] = (i * 13 + 5) & 0xff;
    d.fill(0x5a, 34 * MiB);
    writeFileSync(disk, d);
    const run = () =>
      hvcc(['run', 'examples/guest-disk/system.dts', '-O', join(dir, 'out'), '--timeout', '240', '--', '-drive', `file=${disk},if=none,format=raw,id=d0`, '-device', 'virtio-blk-device,drive=d0'], { timeoutMs: 300_000 });

    const first = run();
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('[linux] HVCC-DISK: made a file system on /dev/vda (65536 sectors)');
    expect(first.stdout).toContain('[linux] HVCC-DISK: wrote hello.txt in boot 1');
    expect(first.stdout).toContain('[attacker] blk: done');
    expect(first.stdout).not.toContain('ERROR');
    const second = run();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('[linux] HVCC-DISK: mounted the file system on /dev/vda');
    expect(second.stdout).toMatch(/\[linux\] HVCC-DISK: found hello.txt: written by boot 1 of 6\.\d/);
    expect(second.stdout).toContain('[linux] HVCC-DISK: wrote hello.txt in boot 2');

    const after = readFileSync(disk);
    // An ext2 superblock (magic 0xef53) at the start of Linux's extent.
    expect(after.readUInt16LE(1024 + 56)).toBe(0xef53);
    // The reader's extent as it was; the attacker's writes inside its own; nothing after it touched.
    expect(after.subarray(32 * MiB, 33 * MiB).equals(d.subarray(32 * MiB, 33 * MiB))).toBe(true);
    expect(after.subarray(33 * MiB, 33 * MiB + 65536).every((b) => b === 0xa5)).toBe(true);
    expect(after.subarray(34 * MiB).every((b) => b === 0x5a)).toBe(true);
  });
});
