/**
 * Isolation holes found by attacker guests (issue 17), each kept closed by the attacker itself: the real
 * image boots in real QEMU and the assertions read its real serial output. The guests are in
 * examples/guests/, their systems in test/fixtures/systems/; docs/isolation.md says what a guest can and
 * cannot do.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hypervisorStatus } from '../../compiler/run/qemu.js';
import { buildExampleGuests, hvcc, root, tempDir, type CliResult } from './harness.js';

beforeAll(() => buildExampleGuests());

function run(system: string, extra: string[] = []): CliResult & { lines: string[] } {
  const r = hvcc(['run', `test/fixtures/systems/${system}/system.dts`, '-O', tempDir(system), '--timeout', '60', ...extra]);
  if (r.status !== 0) console.log(`hvcc run ${system} exited ${r.status}\n--- stderr\n${r.stderr}\n--- stdout\n${r.stdout}`);
  return { ...r, lines: r.stdout.split('\n').filter((l) => l.length > 0) };
}

/** The number a guest printed as "<prefix><what> = <number>" (decimal or 0x hex). */
function figure(lines: string[], prefix: string, what: string): number {
  const line = lines.find((l) => l.startsWith(`${prefix}${what} = `));
  if (line === undefined) throw new Error(`no line "${prefix}${what} = ..." in:\n${lines.join('\n')}`);
  return Number(line.slice(`${prefix}${what} = `.length).split(' ')[0]);
}

describe('the console: a guest cannot pass its output off as the hypervisor\'s or another guest\'s', () => {
  test('forged panic and status lines, control characters, escapes and bad UTF-8 are shown as the guest\'s, made visible', () => {
    const r = run('console-forgery');
    // Before the fix: hvcc run took "[forger] [hv] PANIC: forged by a guest" for a panic, killed QEMU, exit 4.
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('panicked');
    for (const l of r.lines) expect(l).toMatch(/^\[(hv|forger|steady)\] /);
    // Nothing a terminal acts on reaches the host: no control character but the line ends (and tabs), no C1
    // control, no bidirectional control or line separator, and no malformed UTF-8 (it would decode as U+FFFD).
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufffd]/);

    // The hypervisor's lines are its own: start-up, the two power-offs and the machine's power-off.
    const status = r.lines.map(hypervisorStatus).filter((s) => s !== undefined);
    expect(status.filter((s) => s.kind === 'panic')).toEqual([]);
    expect(status.filter((s) => s.kind === 'guest-stopped').map((s) => s.line)).toEqual([
      "[hv] guest 'forger' powered off (PSCI SYSTEM_OFF from vCPU 0)",
      "[hv] guest 'steady' powered off (PSCI SYSTEM_OFF from vCPU 0)",
    ]);
    expect(status.filter((s) => s.kind === 'powering-off')).toHaveLength(1);
    expect(r.lines[r.lines.length - 1]).toBe('[hv] all guests have stopped, powering off');

    const forger = r.lines.filter((l) => l.startsWith('[forger] '));
    expect(forger).toEqual([
      '[forger] [hv] PANIC: forged by a guest',
      '[forger] ^M[hv] PANIC: after a carriage return',
      `[forger] ${'x'.repeat(18)}${'^H'.repeat(18)}[hv] PANIC: after backspaces`,
      "[forger] ^[[2K^[[1G[hv] guest 'steady' stopped: after erase-line and cursor-to-column-1",
      '[forger] ^[[A^[[2K[hv] all guests have stopped, powering off',
      '[forger] ^[]0;owned^Gtitle set',
      '[forger] \\u009b2K C1 CSI, \\x9b raw CSI byte, \\x85 raw NEL byte',
      '[forger] bad UTF-8: \\xff\\xfe \\xc0\\xaf \\xed\\xa0\\x80 \\xe2\\x82 end',
      '[forger] good UTF-8: h\u00e9llo \u2713 \u{1f600}',
      '[forger] bidi: \\u202e[hv] PANIC reversed\\u202c, line separator \\u2028 here',
      '[forger] DEL ^?, bell ^G, vertical tab ^K, form feed ^L, tab\tok',
      '[forger] nul^@byte^@',
      // 254 + 4 bytes do not fit the 256-byte line buffer: two pieces, each prefixed, the character whole.
      `[forger] ${'a'.repeat(254)}`,
      '[forger] \u{1f600}[hv] PANIC: in the second piece',
      '[forger] [steady] steady: line 99 of 10',
      // Unterminated, printed when the guest powered off.
      '[forger] [hv] PANIC: unterminated last line',
    ]);
    // The other guest's own lines, all of them, and none forged.
    expect(r.lines.filter((l) => l.startsWith('[steady] steady: line '))).toEqual(Array.from({ length: 10 }, (_, i) => `[steady] steady: line ${i + 1} of 10`));
  });

  test('a guest named hv does not boot even with its check switched off, and a real panic still stops hvcc run', () => {
    const work = tempDir('hv-named');
    const system = readFileSync(join(root, 'test/fixtures/systems/console-forgery/system.dts'), 'utf8')
      .replace('\t\tforger {', '\t\thv {')
      .replaceAll('"../../../../', `"${root}/`);
    mkdirSync(join(work, 'sys'));
    writeFileSync(join(work, 'sys', 'system.dts'), system);
    const refused = hvcc(['validate', join(work, 'sys', 'system.dts')]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('error[HV3044]');
    const r = hvcc(['run', join(work, 'sys', 'system.dts'), '-O', join(work, 'out'), '--timeout', '60', '-W', 'no-guest-console-name']);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain("hvcc: the hypervisor panicked: [hv] PANIC: guest 0's name cannot prefix its console lines (see HV3044)");
    expect(r.stdout).not.toMatch(/^\[hv\] [^\n]*: VMID/m); // refused before any guest was set up
  });
});

describe('cache maintenance by set/way', () => {
  test('DC ISW/CSW/CISW trap and become clean+invalidate of the guest\'s own memory; the guest runs on, its neighbour too', () => {
    const r = run('setway');
    expect(r.status).toBe(0);
    // Before the fix nothing trapped: no such line, each walk of 33,280 operations ~0.7 M cycles at EL1.
    expect(r.lines.filter((l) => l.startsWith('[hv] ') && l.includes('set/way'))).toEqual([
      "[hv] guest 'setway' uses set/way cache maintenance (DC ISW): done by address over its own memory instead",
    ]);
    const walks = r.lines.filter((l) => /^\[setway\] setway: DC \w+( again)?: \d+ operations, \d+ cycles$/.test(l));
    expect(walks).toHaveLength(4);
    for (const w of walks) expect(w).toContain(': 33280 operations,'); // every set and way of QEMU's L1D and L2
    // Its MMU and caches went on and off around a walk: the EL1 MMU controls trapped (HCR_EL2.TVM) and were done.
    expect(r.lines).toContain('[setway] setway: MMU and caches on');
    expect(r.lines).toContain('[setway] setway: data intact after MMU and caches off');
    expect(r.lines).toContain('[setway] setway: done');
    expect(r.lines).toContain("[hv] guest 'setway' powered off (PSCI SYSTEM_OFF from vCPU 0)");
    expect(r.lines).toContain('[steady] steady: line 10 of 10');
    expect(r.stdout).not.toMatch(/\[hv\] guest '\w+' stopped:/);
  });
});

describe('the PMU and the debug registers cannot see EL2', () => {
  test('cycles over 1,000 hypercalls are the same whether the guest asks to count EL2 or not; breakpoints cannot match EL2', () => {
    // -icount shift=0: QEMU's virtual time, and so its cycle counter, advances by one per instruction executed,
    // so the figures are exact (the host's clock makes them noisy by tens of percent otherwise).
    const r = run('pmu', ['--', '-icount', 'shift=0']);
    expect(r.status).toBe(0);
    const p = '[pmu] pmu: ';
    // The EL2 filter bit (NSH) does not stick, written directly or through PMSELR_EL0/PMXEVTYPER_EL0.
    expect(figure(r.lines, p, 'PMCCFILTR_EL0 after writing NSH')).toBe(0);
    expect(figure(r.lines, p, 'PMEVTYPER0_EL0 after writing NSH')).toBe(0x11);
    expect(figure(r.lines, p, 'PMXEVTYPER_EL0 (PMSELR 31) after writing NSH')).toBe(0);
    expect(figure(r.lines, p, 'PMXEVTYPER_EL0 (PMSELR 0) after writing NSH')).toBe(0x11);
    // Before the fix EL2 counted: 182,004 cycles against 9,004 without, on both counters, i.e. the 173
    // instructions the hypervisor runs per hypercall. Now not one per hypercall.
    for (const counter of ['cycle counter', 'event counter 0']) {
      const counted = figure(r.lines, p, `cycles over 1000 HVCs, EL2 counted (${counter})`);
      const notCounted = figure(r.lines, p, `cycles over 1000 HVCs, EL2 not counted (${counter})`);
      expect(notCounted).toBeGreaterThan(1000);
      expect(Math.abs(counted - notCounted)).toBeLessThan(1000);
    }
    // Breakpoint and watchpoint 0 asked to match at EL2 (HMC, bit 13): the bit does not stick.
    expect(figure(r.lines, p, 'DBGBCR0_EL1 after writing HMC') & 0x2000).toBe(0);
    expect(figure(r.lines, p, 'DBGWCR0_EL1 after writing HMC') & 0x2000).toBe(0);
    expect(figure(r.lines, p, 'DBGBCR0_EL1 after writing HMC')).toBe(0x41e6);
    expect(figure(r.lines, p, 'MDRAR_EL1')).toBe(0);
    expect(r.lines).toContain('[pmu] pmu: done');
    expect(r.stdout).not.toMatch(/\[hv\] guest '\w+' stopped:/);
  });
});

describe('IMPLEMENTATION DEFINED registers', () => {
  test('ACTLR_EL1 traps and reads as zero; CPUACTLR/CPUECTLR/L2CTLR stop the guest where the CPU traps them', () => {
    const r = run('impdef');
    expect(r.status).toBe(0);
    for (const g of ['impdef', 'ectlr', 'l2ctlr']) {
      const p = `[${g}] impdef: `;
      // Each read of ACTLR_EL1 is a round trip to EL2 (before the fix: about as cheap as TPIDR_EL1's).
      expect(figure(r.lines, p, 'counter ticks for 1000 reads of ACTLR_EL1')).toBeGreaterThan(20 * figure(r.lines, p, 'counter ticks for 1000 reads of TPIDR_EL1'));
      expect(figure(r.lines, p, 'ACTLR_EL1')).toBe(0);
      expect(figure(r.lines, p, 'ACTLR_EL1 after writing all ones')).toBe(0);
    }
    const stops = r.lines.filter((l) => /^\[hv\] guest '\w+' stopped: .*IMPLEMENTATION DEFINED/.test(l));
    if (stops.length > 0) {
      // A CPU that honours HCR_EL2.TIDCP: the first IMPLEMENTATION DEFINED access of each stops it.
      expect(stops.sort()).toEqual([
        expect.stringMatching(/^\[hv\] guest 'ectlr' stopped: vCPU 0 accessed an IMPLEMENTATION DEFINED register, .*\(EC 0x18 system register access, MRS S3_1_C15_C2_1, x\d+\)$/),
        expect.stringMatching(/^\[hv\] guest 'impdef' stopped: vCPU 0 accessed an IMPLEMENTATION DEFINED register, .*\(EC 0x18 system register access, MRS S3_1_C15_C2_0, x\d+\)$/),
        expect.stringMatching(/^\[hv\] guest 'l2ctlr' stopped: vCPU 0 accessed an IMPLEMENTATION DEFINED register, .*\(EC 0x18 system register access, MRS S3_1_C11_C0_2, x\d+\)$/),
      ]);
      expect(r.stdout).not.toContain('let me use them');
    } else {
      // QEMU's Cortex-A57 (7.2) gives these registers no HCR_EL2.TIDCP check: no trap reaches the hypervisor,
      // and they are QEMU's constants (0, except L2CTLR's core count and CBAR's GIC base). docs/isolation.md.
      expect(figure(r.lines, '[impdef] impdef: ', 'CPUACTLR_EL1')).toBe(0);
      expect(figure(r.lines, '[impdef] impdef: ', 'CPUECTLR_EL1 after clearing SMPEN')).toBe(0);
    }
    expect(r.lines).toContain('[steady] steady: line 10 of 10');
  });
});

describe('a guest whose last vCPU turns itself off', () => {
  test('is stopped, reported once and counted, so the machine still powers off when the others finish', () => {
    const r = run('cpu-off');
    // Before the fix: neither guest was reported and hvcc run timed out (exit 3) with QEMU still running.
    expect(r.status).toBe(0);
    const stops = r.lines.filter((l) => hypervisorStatus(l)?.kind === 'guest-stopped');
    expect(stops.sort()).toEqual([
      "[hv] guest 'alpha' powered off (PSCI SYSTEM_OFF from vCPU 0)",
      "[hv] guest 'lone' stopped: no vCPU left on (PSCI CPU_OFF from vCPU 0)",
      "[hv] guest 'pair' stopped: no vCPU left on (PSCI CPU_OFF from vCPU 1)",
    ]);
    // The two-vCPU guest is stopped by its second CPU_OFF, not its first.
    const lines = r.lines;
    expect(lines.indexOf("[hv] guest 'pair' stopped: no vCPU left on (PSCI CPU_OFF from vCPU 1)")).toBeGreaterThan(lines.indexOf('[pair] cpuoff: vCPU 1, the last one on, calls PSCI CPU_OFF'));
    expect(r.stdout).not.toContain('ERROR');
    expect(lines[lines.length - 1]).toBe('[hv] all guests have stopped, powering off');
  });
});

describe('SGIs through ICC_ASGI1R_EL1 and ICC_SGI0R_EL1', () => {
  test('are decoded as the architecture encodes them and behave as on QEMU\'s own GIC, where the same guest runs bare', () => {
    const r = run('asgi');
    // Before the fix: "[hv] guest 'asgi' stopped: vCPU 0 accessed a system register the hypervisor does not
    // emulate, ... MSR S3_0_C12_C11_6" at its first ICC_ASGI1R_EL1 write.
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/\[hv\] guest '\w+' stopped:/);
    const results = r.lines.filter((l) => l.startsWith('[asgi] asgi: ')).map((l) => l.slice('[asgi] '.length));
    expect(results.filter((l) => l.endsWith(' ok'))).toHaveLength(9);
    expect(results).toContain('asgi: ICC_SGI1R_EL1 SGI 3, acknowledged = 3 ok');
    expect(results).toContain('asgi: ICC_ASGI1R_EL1 SGI 1, acknowledged = 1023 ok');
    expect(results[results.length - 1]).toBe('asgi: done');

    // The reference: the same image at EL1 on QEMU's GICv3 (one Security state, PSCI from QEMU over HVC).
    const bare = spawnSync('qemu-system-aarch64', ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a57', '-smp', '1', '-m', '256M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-nic', 'none', '-kernel', join(root, 'examples/guests/build/asgi.elf')], { encoding: 'utf8', timeout: 60_000 });
    expect(bare.status).toBe(0);
    expect(bare.stdout.split('\n').filter((l) => l.length > 0)).toEqual(results);
  });
});
