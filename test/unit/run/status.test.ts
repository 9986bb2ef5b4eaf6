/**
 * hvcc run reads the hypervisor's status from the start of console lines only: a guest's lines start with
 * "[name] ", so nothing a guest prints can be taken for a panic, a power-off or a guest's stop.
 */
import { describe, expect, test } from '@jest/globals';
import { hypervisorStatus } from '../../../compiler/run/qemu.js';

describe('hypervisorStatus', () => {
  test('reads the hypervisor\'s lines by their start', () => {
    expect(hypervisorStatus('[hv] PANIC: synchronous exception at EL2')?.kind).toBe('panic');
    expect(hypervisorStatus('[hv] all guests have stopped, powering off')?.kind).toBe('powering-off');
    expect(hypervisorStatus('[hv] no guests to run, powering off')?.kind).toBe('powering-off');
    expect(hypervisorStatus("[hv] guest 'a' stopped: vCPU 0 wrote 4 bytes outside its memory")?.kind).toBe('guest-stopped');
    expect(hypervisorStatus("[hv] guest 'a' powered off (PSCI SYSTEM_OFF from vCPU 0)")?.kind).toBe('guest-stopped');
    expect(hypervisorStatus("[hv] guest 'a': VMID 1, 1 vCPU(s)")?.kind).toBe('other');
  });

  test('a stop is a fault unless the guest powered off or turned its last vCPU off', () => {
    expect(hypervisorStatus("[hv] guest 'a' stopped: vCPU 0 wrote 4 bytes outside its memory")?.fault).toBe(true);
    expect(hypervisorStatus("[hv] guest 'a' stopped: no vCPU left on (PSCI CPU_OFF from vCPU 0)")?.fault).toBe(false);
    expect(hypervisorStatus("[hv] guest 'a' powered off (PSCI SYSTEM_OFF from vCPU 0)")?.fault).toBe(false);
    expect(hypervisorStatus('[hv] all guests have stopped, powering off')?.fault).toBeUndefined();
  });

  test('a guest\'s line is never the hypervisor\'s, wherever the marker is in it', () => {
    for (const line of ['[forger] [hv] PANIC: forged', '[forger] ^M[hv] PANIC: forged', ' [hv] PANIC: indented', '[hv]PANIC: no space', '[HV] PANIC: upper case', 'x[hv] PANIC: mid-line']) {
      expect(hypervisorStatus(line)).toBeUndefined();
    }
  });
});
