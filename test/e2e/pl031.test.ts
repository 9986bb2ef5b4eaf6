import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleGuests, hvcc, tempDir } from './harness.js';

beforeAll(() => buildExampleGuests());

describe('emulated PL031 real-time clock', () => {
  test('a guest reads its IDs and counter, and the match interrupt set 2 s ahead arrives through its virtual GICv3 when the counter gets there', () => {
    const out = tempDir('pl031');
    const r = hvcc(['run', 'examples/rtc-emulated/system.dts', '-O', out, '--timeout', '60']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('[alarm] rtc-alarm: PeriphID 0x0000000000041031, PCellID 0x00000000b105f00d');
    for (const check of [
      'CR (counter running) = 1',
      'match interrupt = 34',
      'MIS at the interrupt = 1',
      'DR at the interrupt - DR before = 2',
      'RIS after ICR = 0',
      'nothing pending after the clear = 1023',
      'DR after loading 1000000 = 1000000',
    ]) {
      expect(lines).toContain(`[alarm] rtc-alarm: ${check} ok`);
    }
    // The counter ticks twice after the match is set: between 1 and 2 s of real time (QEMU's counter is).
    const waited = lines.map((l) => /^\[alarm\] rtc-alarm: the interrupt arrived after (\d+) ms/.exec(l)).find((m) => m);
    expect(waited).toBeTruthy();
    expect(Number(waited![1])).toBeGreaterThanOrEqual(1000);
    expect(Number(waited![1])).toBeLessThanOrEqual(2500);
    expect(r.stdout).not.toContain('ERROR');
    expect(lines).toContain('[alarm] rtc-alarm: done');
    expect(lines).toContain("[hv] guest 'alarm' powered off (PSCI SYSTEM_OFF from vCPU 0)");
    expect(r.stdout).toContain('[hv] all guests have stopped, powering off');

    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.components.map((c: { name: string }) => c.name)).toContain('pl031-emulator');
  });
});
