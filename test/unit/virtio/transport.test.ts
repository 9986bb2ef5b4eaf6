/**
 * The virtio-mmio transport and the virtio console, built for the build machine with gcc's
 * AddressSanitizer and UndefinedBehaviorSanitizer around the core's real guest-memory service
 * (test/unit/virtio/harness.c): console input, random hostile queues and descriptors that must never
 * make the device touch memory outside the guest's RAM, and random block requests that must never reach
 * the disk outside the device's extent.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../compiler/paths.js';

const runtime = join(packageRoot, 'runtime');
const here = join(packageRoot, 'test', 'unit', 'virtio');
let binary: string;

beforeAll(() => {
  binary = join(mkdtempSync(join(tmpdir(), 'hvcc-virtio-')), 'harness');
  execFileSync('gcc', [
    '-g', '-O1', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-Wall', '-Wextra', '-Werror',
    `-I${join(here, 'include')}`, `-I${join(runtime, 'core', 'include')}`, `-I${join(runtime, 'arch', 'aarch64', 'include')}`,
    `-I${join(runtime, 'emulators', 'virtio-mmio', 'include')}`,
    join(here, 'harness.c'), join(runtime, 'core', 'src', 'mem.c'),
    join(runtime, 'emulators', 'virtio-mmio', 'transport.c'), join(runtime, 'emulators', 'virtio-mmio', 'virtqueue.c'),
    join(runtime, 'emulators', 'virtio-console', 'virtio-console.c'), join(runtime, 'emulators', 'virtio-blk', 'virtio-blk.c'),
    '-o', binary,
  ]);
});

describe('virtio-mmio transport on the build machine', () => {
  test.each([1, 0x5eed, 0xdeadbeef])('seed %i: console input, then hostile queues never reach outside the guest\'s RAM, and block requests never outside their extent', (seed) => {
    const out = execFileSync(binary, [String(seed), '3000'], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
    expect(out).toContain('harness: input ok');
    expect(out).toMatch(/harness: fuzz ok \(3000 rounds, \d+ notifications, \d+ ended broken\)/);
    expect(out).toMatch(/harness: blk ok \(3000 rounds, \d+ requests, \d+ reads and \d+ writes reached the disk, all inside the extent\)/);
    expect(out).not.toContain('FAILED');
  });
});
