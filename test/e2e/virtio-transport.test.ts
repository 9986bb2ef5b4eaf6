import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleGuests, hvcc, tempDir } from './harness.js';

beforeAll(() => buildExampleGuests());

const DEVICE = "[hv] guest 'vt': virtio-console /guests/vt/virtio@a000000: queue 1:";

describe('virtio-mmio transport', () => {
  test('a bare-metal driver negotiates, sets up a queue, prints through it, gets its interrupt, and every malformed request breaks only the device until it is reset', () => {
    const out = tempDir('virtio');
    const r = hvcc(['run', 'examples/virtio-console/system.dts', '-O', out, '--timeout', '60']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    const checks = lines.filter((l) => l.startsWith('[vt] virtio: ') && / = 0x[0-9a-f]{16}/.test(l));
    expect(checks.length).toBeGreaterThan(60);
    expect(checks.filter((l) => !l.endsWith(' ok'))).toEqual([]);
    expect(r.stdout).not.toContain('ERROR');
    for (const check of [
      'FEATURES_OK without VERSION_1 is refused = 0x0000000000000000',
      'FEATURES_OK with a feature not offered is refused = 0x0000000000000000',
      'FEATURES_OK with VERSION_1 and EMERG_WRITE = 0x000000000000000b',
      'interrupt through the GIC = 0x0000000000000030',
      'interrupt status after acknowledge = 0x0000000000000000',
      'no interrupt when the driver asks for none = 0x0000000000000000',
      'the canary at the end of RAM, word 0 = 0x1122334455667788',
    ]) {
      expect(lines).toContain(`[vt] virtio: ${check} ok`);
    }
    // Output through the transmit queue (a chain of two buffers) and the emergency write, as whole lines.
    expect(lines).toContain('[vt] hello through the virtio transmit queue');
    expect(lines).toContain('[vt] a line without an interrupt');
    expect(lines).toContain('[vt] emergency write');
    expect(lines).toContain('[vt] working again after the reset');
    expect(lines).toContain('[vt] virtio: the device works after all of it');
    // One line per malformed request, naming what was wrong; nothing of what it pointed at was printed.
    const reports = lines.filter((l) => l.startsWith(DEVICE));
    expect(reports.map((l) => l.slice(DEVICE.length))).toEqual([
      " descriptor 0's buffer 0x80000000+0x10 is not in the guest's RAM; the device needs a reset",
      " descriptor 0's buffer 0x40fffff8+0x10 is not in the guest's RAM; the device needs a reset",
      ' the chain from descriptor 0 is longer than the queue (8): it loops; the device needs a reset',
      ' descriptor 0 has length 0; the device needs a reset',
      " descriptor 0's next is 9, past the table of 8; the device needs a reset",
      ' available ring entry 0 names descriptor 12, past the table of 8; the device needs a reset',
      " the available index 17 is 17 entries past the device's 0, in a queue of 8; the device needs a reset",
      ' descriptor 1 is device-readable after a device-writable one; the device needs a reset',
      ' the descriptor table at 0x80000000 (8 entries) is misaligned or not in the guest\'s RAM; the device needs a reset',
      ' the used ring at 0x40ffffe0 (8 entries) is misaligned or not in the guest\'s RAM; the device needs a reset',
    ]);
    expect(r.stdout).not.toContain('never be printed');
    expect(lines).toContain('[vt] virtio: done');
    // The guest was never stopped, and the other guest ran to its end.
    expect(r.stdout).not.toContain("guest 'vt' stopped");
    expect(lines.filter((l) => /^\[steady\] steady: line \d+ of 10$/.test(l))).toHaveLength(10);
    // A guest whose only console is a virtio console: its lines, written in two buffers each, are whole.
    expect(lines.filter((l) => l.startsWith('[vcon] '))).toEqual([
      '[vcon] vcon: hello from a guest without a UART',
      ...[1, 2, 3, 4, 5, 6].map((n) => `[vcon] vcon: line ${n} of 6 through the virtio console`),
      '[vcon] vcon: done',
    ]);
    expect(lines).toContain("[hv] guest 'vcon' powered off (PSCI SYSTEM_OFF from vCPU 0)");
    expect(lines).toContain("[hv] guest 'vt' powered off (PSCI SYSTEM_OFF from vCPU 0)");
    expect(r.stdout).toContain('[hv] all guests have stopped, powering off');

    // The guest's device tree has the transport as Linux's virtio_mmio expects it.
    const dts = readFileSync(join(out, 'guests', 'vt.dts'), 'utf8');
    expect(dts).toContain('compatible = "hvcc,virtio-console\\0virtio,mmio";');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.components.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['virtio-mmio', 'virtio-console-emulator']));
  });
});
