import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { analyze } from '../../../compiler/driver/analyze.js';
import { ledger, ledgerText } from '../../../compiler/map/ledger.js';
import { packageRoot } from '../../../compiler/paths.js';

beforeAll(() => {
  execFileSync('make', ['-s', '-C', join(packageRoot, 'examples', 'guests')]);
});

describe('hvcc map', () => {
  test('every byte of board RAM has exactly one owner, and the free ranges are what is left', () => {
    const result = analyze({ file: join(packageRoot, 'examples', 'two-guests', 'system.dts') });
    expect(result.layout).toBeDefined();
    const entries = ledger(result.system!, result.layout!);
    const ram = entries.filter((e) => e.kind === 'memory').map((e) => ({ base: BigInt(e.base!), size: BigInt(e.size!), owner: e.owner }));
    // Contiguous, in order, covering the board's 1 GiB of RAM at 0x40000000.
    let at = 0x4000_0000n;
    for (const r of ram) {
      expect(r.base).toBe(at);
      at += r.size;
    }
    expect(at).toBe(0x8000_0000n);
    expect(ram.map((r) => r.owner)).toEqual(['hypervisor', 'guest:alpha', 'free', 'guest:beta', 'free']);
    // beta is pinned at 0x48000000; alpha was placed right after the hypervisor.
    expect(ram[3]!.base).toBe(0x4800_0000n);
    expect(ram[1]!.base).toBe(0x4040_0000n);

    const cpus = entries.filter((e) => e.kind === 'cpu').map((e) => `${e.resource} ${e.owner}`);
    expect(cpus).toEqual(['/cpus/cpu@0 guest:alpha', '/cpus/cpu@1 guest:beta', '/cpus/cpu@2 free', '/cpus/cpu@3 free']);
    const consoleWindow = entries.find((e) => e.kind === 'device' && e.detail.includes('console'));
    expect(consoleWindow?.owner).toBe('hypervisor');

    const text = ledgerText(entries);
    expect(text).toMatch(/^RAM:\n {2}\[0x40000000, 0x40400000\) {2}hypervisor/);
    expect(text).toContain('CPUs:');
  });

  test('interrupts are listed by ID, the hypervisor\'s own as taken', () => {
    const result = analyze({ file: join(packageRoot, 'examples', 'rtc-emulated', 'system.dts') });
    const irqs = ledger(result.system!, result.layout!).filter((e) => e.kind === 'interrupt');
    const ids = irqs.map((e) => Number(/ID (\d+)/.exec(e.resource)![1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // The board's timer lists its PPIs 13, 14, 11, 10: sorted, and the ones the hypervisor takes are its.
    expect(irqs.slice(0, 3).map((e) => `${e.resource} ${e.owner}`)).toEqual(['PPI 9 (ID 25) hypervisor', 'PPI 10 (ID 26) hypervisor', 'PPI 11 (ID 27) hypervisor']);
  });
});
