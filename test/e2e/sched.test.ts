import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleGuests, hvcc, symbols, tempDir } from './harness.js';

/*
 * The vCPU scheduler on QEMU. Most systems run as `hvcc run` boots them (multi-threaded TCG, the guests'
 * clock is the host's); the one that measures wake-up times runs under -icount, where time follows the
 * instructions executed and a loaded host cannot delay a timer. (QEMU 7.2's -icount hangs once two CPUs
 * share a spinlock, so that system uses one CPU.) Figures come from the guests' own lines and the
 * hypervisor's "sched:" report at power-off.
 */

beforeAll(() => buildExampleGuests());

function run(system: string, extra: string[] = [], timeout = 240) {
  const r = hvcc(['run', system, '-O', tempDir('sched'), '--timeout', String(timeout), ...(extra.length ? ['--', ...extra] : [])], { timeoutMs: (timeout + 120) * 1000 });
  if (r.status !== 0) console.log(`hvcc run ${system} exited ${r.status}\n${r.stderr}\n${r.stdout.split('\n').slice(-30).join('\n')}`);
  expect(r.stderr).not.toMatch(/error\[/);
  expect(r.status).toBe(0);
  expect(r.stdout).not.toMatch(/PANIC|ERROR|stopped:/);
  // QEMU's own words (-icount warns as it exits that no timer is left) are not the machine's.
  const lines = r.stdout.split('\n').filter((l) => l.length > 0 && !l.startsWith('qemu-system-'));
  expect(lines[lines.length - 1]).toBe('[hv] all guests have stopped, powering off');
  return lines;
}

/** The iterations a count guest reports. */
function count(lines: string[], guest: string): number {
  const l = lines.find((x) => x.startsWith(`[${guest}] count: `) && x.includes(' iterations in '));
  expect(l).toBeDefined();
  return Number(/count: (\d+) iterations/.exec(l!)![1]);
}

/** The hypervisor's figures for one pCPU: switches, slice ends (its ticks). */
function cpuFigures(lines: string[], cpu: number) {
  const l = lines.find((x) => x.startsWith(`[hv] sched: pCPU ${cpu}: `));
  expect(l).toBeDefined();
  const m = /(\d+) switches, (\d+) slice ends/.exec(l!)!;
  return { switches: Number(m[1]), sliceEnds: Number(m[2]) };
}

function vcpuFigures(lines: string[], guest: string) {
  const l = lines.find((x) => x.startsWith(`[hv] sched: guest '${guest}' vCPU 0: `));
  expect(l).toBeDefined();
  const m = /ran (\d+) us, (\d+) switches/.exec(l!)!;
  return { ranUs: Number(m[1]), switches: Number(m[2]) };
}

describe('vCPU scheduler', () => {
  test('four guests free to run on two CPUs get equal shares at equal priority; a CPU with one vCPU takes no ticks', () => {
    const lines = run('examples/shared-cpus/system.dts');
    const sharing = ['north', 'east', 'south', 'west'];
    const counts = sharing.map((g) => count(lines, g));
    for (const c of counts) expect(c).toBeGreaterThan(0);
    // The time the scheduler gave each is within 20% of the others' (the largest at most 1.2 times the
    // smallest). The work done in it also depends on how the host runs QEMU's two CPU threads, so on a loaded
    // host the iteration counts only stay within 50%.
    const ran = sharing.map((g) => vcpuFigures(lines, g).ranUs);
    expect(Math.max(...ran) / Math.min(...ran)).toBeLessThan(1.2);
    expect(Math.max(...counts) / Math.min(...counts)).toBeLessThan(1.5);
    // The guest that owns cpu2 counts about as much as two of the sharing ones.
    expect(count(lines, 'alone')).toBeGreaterThan(Math.max(...counts));
    // Time slices end on the shared CPUs, never on the one with a single vCPU: no timer interrupt for it at all.
    expect(cpuFigures(lines, 0).sliceEnds).toBeGreaterThan(20);
    expect(cpuFigures(lines, 1).sliceEnds).toBeGreaterThan(20);
    expect(cpuFigures(lines, 2).sliceEnds).toBe(0);
  });

  test('a higher-priority guest has the CPU whenever it is runnable', () => {
    const lines = run('test/fixtures/systems/sched-priority/system.dts');
    const highDone = lines.indexOf("[hv] guest 'high' powered off (PSCI SYSTEM_OFF from vCPU 0)");
    const lowFirst = lines.findIndex((l) => l.startsWith('[low] '));
    expect(highDone).toBeGreaterThan(0);
    // 'low' is runnable from the start, but prints its first line only once 'high' has powered off.
    expect(lowFirst).toBeGreaterThan(highDone);
    expect(cpuFigures(lines, 0).sliceEnds).toBe(0);
  });

  test('a guest spinning with interrupts masked does not keep another guest on its CPU from finishing', () => {
    const lines = run('test/fixtures/systems/sched-masked/system.dts');
    const done = lines.indexOf('[hello] Goodbye from alpha, powering off');
    const spun = lines.findIndex((l) => l.startsWith('[masked] count: ') && l.includes(' iterations in '));
    expect(done).toBeGreaterThan(0);
    expect(spun).toBeGreaterThan(done);
    // Its turns ended by the slice timer, the only thing that can take the CPU from it.
    expect(cpuFigures(lines, 0).sliceEnds).toBeGreaterThan(0);
  });

  test('guests sleeping in WFI with their timer armed wake on time while another guest spins', () => {
    const lines = run('test/fixtures/systems/sched-sleep/system.dts', ['-icount', 'shift=0,sleep=off'], 600);
    for (const guest of ['nap', 'doze']) {
      const wakes = lines.filter((l) => l.startsWith(`[${guest}] sleep: 50 ms, woke `));
      expect(wakes).toHaveLength(10);
      const worst = lines.find((l) => l.startsWith(`[${guest}] sleep: worst wake-up `));
      // Under -icount a wake-up is as late as the instructions the hypervisor runs to get there: microseconds.
      expect(Number(/(\d+) us late/.exec(worst!)![1])).toBeLessThan(1000);
      // It really waited off its CPU: each sleep is a block and a wake-up, not a busy wait.
      expect(vcpuFigures(lines, guest).ranUs).toBeLessThan(100_000);
      expect(vcpuFigures(lines, guest).switches).toBeGreaterThanOrEqual(10);
    }
    expect(count(lines, 'busy')).toBeGreaterThan(0);
  });

  test('FP/SIMD, EL1, PMU and debug registers survive hundreds of switches (each guest keeps its own), between guests with and without a virtual GIC', () => {
    const lines = run('test/fixtures/systems/sched-ctx/system.dts');
    for (const guest of ['ctx-a', 'ctx-b', 'ctx-c']) {
      expect(lines).toContain(`[${guest}] ctxcheck: all 20 rounds kept every register (32 vector registers, FPCR, 11 system registers, 4 PMU and 2 debug registers)`);
      expect(vcpuFigures(lines, guest).switches).toBeGreaterThan(100);
    }
  });

  test('the multi-vCPU guests pass with their vCPUs sharing CPUs: virtual GIC, PSCI CPU_ON/OFF, SYSTEM_RESET', () => {
    const lines = run('test/fixtures/systems/sched-guests/system.dts');
    for (const check of ['virtual timer interrupt = 27', 'UART interrupt again while its line is high = 33', 'SGI to vCPU 1 = 2', 'UART interrupt on vCPU 1 = 3']) {
      expect(lines.some((l) => l.endsWith(`irq: ${check} ok`))).toBe(true);
    }
    expect(lines).toContain('[irq] irq: done');
    expect(lines.filter((l) => l.startsWith('[smp] smp: vCPU 1 up'))).toHaveLength(2);
    expect(lines).toContain('[smp] smp: done, powering off');
    expect(lines).toContain('[reset] reset: image restored (.data intact, .bss zero)');
    // irq's two vCPUs took turns on cpu0.
    expect(lines.find((l) => l.startsWith("[hv] sched: guest 'irq' vCPU 1: "))).toMatch(/on pCPU 0, .* [1-9]\d* switches/);
  });

  test('a description where every vCPU owns its CPU builds without the scheduler, and boots as before', () => {
    // What a shared CPU links: the scheduler's code and data, and the arch port's thread switch.
    const shared = tempDir('shared');
    expect(hvcc(['build', 'test/fixtures/systems/sched-masked/system.dts', '-O', shared]).status).toBe(0);
    const schedulerSymbol = /^(sched_|schedule$|arch_thread_switch$|thread_start$|vcpu_thread_start$)/;
    const linked = symbols(join(shared, 'hypervisor.elf')).filter((s) => schedulerSymbol.test(s));
    for (const s of ['sched_ops', 'schedule', 'sched_preempt', 'arch_thread_switch']) expect(linked).toContain(s);

    const pinned = tempDir('pinned');
    const r = hvcc(['run', 'examples/two-guests/system.dts', '-O', pinned, '--timeout', '60']);
    expect(r.status).toBe(0);
    expect(symbols(join(pinned, 'hypervisor.elf')).filter((s) => schedulerSymbol.test(s))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(pinned, 'manifest.json'), 'utf8')) as { components: { name: string }[] };
    expect(manifest.components.map((c) => c.name)).not.toContain('scheduler');
    // The boot output is what it was before the scheduler existed: the same lines, none of its own.
    const lines = r.stdout.split('\n').filter((l) => l.length > 0);
    expect(lines.filter((l) => l.startsWith('[hv] '))).toEqual([
      "[hv] hvcc hypervisor starting: system 'two-guests', 2 guest(s) on 2 CPU(s)",
      "[hv] guest 'alpha': VMID 1, 1 vCPU(s), entry 0x40000000, 1 device(s)",
      "[hv] guest 'alpha': RAM IPA 0x40000000-0x40ffffff at PA 0x40400000",
      "[hv] guest 'beta': VMID 2, 1 vCPU(s), entry 0x40000000, 1 device(s)",
      "[hv] guest 'beta': RAM IPA 0x40000000-0x40ffffff at PA 0x48000000",
      "[hv] console: input goes to guest 'alpha'; Ctrl-A h for help",
      ...lines.filter((l) => l.includes(' powered off (PSCI SYSTEM_OFF')),
      '[hv] all guests have stopped, powering off',
    ]);
    expect(lines.filter((l) => l.startsWith('[alpha] '))).toHaveLength(9);
    expect(lines.filter((l) => l.startsWith('[beta] '))).toHaveLength(11);
  });
});
