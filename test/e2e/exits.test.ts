/**
 * The guest's registers over its exits: an MMIO access takes a shorter path through the hypervisor than other
 * traps (runtime/arch/aarch64/vectors.S saves x19-x29, ELR_EL2 and SPSR_EL2 only when it must), and nothing of
 * the guest may change on it but what the access defines.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { buildExampleGuests, hvcc, tempDir } from './harness.js';

beforeAll(() => buildExampleGuests());

describe('MMIO exits', () => {
  test('x0-x30 and NZCV survive PL011 writes from every register (the short path and, from x19-x29, the whole one) and a read into WZR', () => {
    const r = hvcc(['run', 'test/fixtures/systems/gprcheck/system.dts', '-O', tempDir('gprcheck'), '--timeout', '60']);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('ERROR');
    expect(r.stdout).toContain('[gprcheck] gprcheck: all 64 rounds kept x0-x30 and NZCV over 31 MMIO writes and a read each');
    // Each round's letters, in register order (x18 holds the UART's address; WZR writes a NUL, shown as ^@).
    expect(r.stdout).toContain('[gprcheck] abcdefghijklmnopqrtuvwxyzabcde^@');
    expect(r.stdout).toContain('[hv] all guests have stopped, powering off');
  });
});
