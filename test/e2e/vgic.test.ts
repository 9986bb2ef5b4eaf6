import { beforeAll, describe, expect, test } from '@jest/globals';
import { buildExampleGuests, hvcc, tempDir } from './harness.js';

beforeAll(() => buildExampleGuests());

describe('virtual GICv3', () => {
  test('a bare-metal guest gets its timer PPI, the UART SPI (level, re-asserted after EOI), SGIs, and an SPI routed to its other vCPU', () => {
    const r = hvcc(['run', 'test/fixtures/systems/vgic/system.dts', '-O', tempDir('vgic'), '--timeout', '60']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    for (const check of [
      'virtual timer interrupt = 27',
      'UART interrupt = 33',
      'UART interrupt again while its line is high = 33',
      'nothing pending after the line dropped = 1023',
      'SGI to self = 5',
      'CPU_ON vCPU 1 = 0',
      'SGI to vCPU 1 = 2',
      'UART interrupt on vCPU 1 = 3',
    ]) {
      expect(lines.some((l) => l.endsWith(`irq: ${check} ok`))).toBe(true);
    }
    expect(r.stdout).not.toContain('ERROR');
    expect(lines).toContain('[irq] irq: done');
    expect(r.stdout).toContain('[hv] all guests have stopped, powering off');
  });
});
