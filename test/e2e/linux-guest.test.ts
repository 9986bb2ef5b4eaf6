import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildExampleGuests, hvcc, root, tempDir } from './harness.js';

/*
 * The Linux guest example end to end: Debian's arm64 kernel and busybox (fetched by prepare.mjs into a cache
 * outside the repository; downloaded once per machine) boot as a 2-vCPU guest on CPUs 1 and 2 beside a
 * bare-metal guest on CPU 0. Nothing here passes unless Linux reaches its /init and powers off.
 */
const MARKER = 'HVCC-LINUX-GUEST-UP';
let release = '';
let busybox = '';

beforeAll(() => {
  buildExampleGuests();
  const out = execFileSync(process.execPath, [join(root, 'examples', 'linux-guest', 'prepare.mjs')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
  const prepared = JSON.parse(out.trim().split('\n').pop()!) as { release: string; busybox: string };
  release = prepared.release;
  busybox = prepared.busybox;
}, 600_000);

describe('an unmodified Debian arm64 kernel as a guest', () => {
  test('its descriptions validate with no diagnostics at all once prepare.mjs has fetched the kernel', () => {
    for (const name of ['system.dts', 'shared.dts']) {
      const r = hvcc(['validate', '-q', `examples/linux-guest/${name}`]);
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    }
  });

  test('boots on 2 vCPUs beside a bare-metal guest, reaches /init, powers off; hvcc run exits 0', () => {
    expect(release).toMatch(/^\d+\.\d+\.\d+-\d+-arm64$/);
    expect(readFileSync(join(root, 'examples', 'linux-guest', 'build', 'release'), 'utf8').trim()).toBe(release);
    const out = tempDir('linux');
    const r = hvcc(['run', 'examples/linux-guest/system.dts', '-O', out, '--timeout', '400'], { timeoutMs: 420_000 });
    if (r.status !== 0) console.log(`hvcc run exited ${r.status}\n--- stderr\n${r.stderr}\n--- stdout (last lines)\n${r.stdout.split('\n').slice(-40).join('\n')}`);
    expect(r.stderr).not.toMatch(/error\[/);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.length > 0);
    // Every line is a whole line of one guest or of the hypervisor.
    for (const l of lines) expect(l).toMatch(/^\[(hv|linux|bare)\] /);

    // The bare-metal guest ran to its end.
    expect(lines).toContain('[bare] Goodbye from alpha, powering off');
    expect(lines).toContain("[hv] guest 'bare' powered off (PSCI SYSTEM_OFF from vCPU 0)");

    // Linux: its own banner, both CPUs, the GIC and timer it was given, its init's marker with uname -r.
    expect(lines.some((l) => l.startsWith(`[linux] [    0.000000] Linux version ${release} `))).toBe(true);
    expect(lines.some((l) => /^\[linux\] .*smp: Brought up 1 node, 2 CPUs$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\[linux\] .*GICv3: CPU1: found redistributor 1 /.test(l))).toBe(true);
    expect(lines.some((l) => /^\[linux\] .*arch_timer: cp15 timer\(s\) running at .*\(virt\)\.$/.test(l))).toBe(true);
    const marker = lines.find((l) => l.startsWith(`[linux] ${MARKER}: `));
    expect(marker).toBe(`[linux] ${MARKER}: kernel ${release}, 2 CPUs online (nproc 2)`);

    // Interrupts were delivered: the virtual timer's PPI on both CPUs, IPIs (SGIs) between them, and the
    // UART's SPI: once its transmit FIFO is full Linux waits for the TX interrupt (counted after the marker).
    const counts = (name: RegExp) => {
      const l = lines.find((x) => name.test(x));
      expect(l).toBeDefined();
      return l!.replace(/^\[linux\]\s*\S+:/, '').trim().split(/\s+/).slice(0, 2).map(Number);
    };
    const timer = counts(/^\[linux\]\s+\d+:.*arch_timer$/);
    expect(timer[0]).toBeGreaterThan(0);
    expect(timer[1]).toBeGreaterThan(0);
    const uartLines = lines.filter((l) => /^\[linux\]\s+\d+:.*GICv3\s+33 Level\s+uart-pl011$/.test(l));
    expect(uartLines.length).toBe(2);
    const uart = uartLines[1]!.replace(/^\[linux\]\s*\S+:/, '').trim().split(/\s+/).slice(0, 2).map(Number);
    expect(uart[0]! + uart[1]!).toBeGreaterThan(0);
    const ipi0 = counts(/^\[linux\]\s+IPI0:/);
    expect(ipi0[0]! + ipi0[1]!).toBeGreaterThan(0);

    // Clean power-off of Linux through PSCI, then the hypervisor ends the run.
    expect(lines).toContain("[hv] guest 'linux' powered off (PSCI SYSTEM_OFF from vCPU 0)");
    expect(lines[lines.length - 1]).toBe('[hv] all guests have stopped, powering off');
    expect(r.stdout).not.toMatch(/\[hv\] guest '\w+' stopped:/);
  }, 600_000);

  test('shares one CPU between its 2 vCPUs and a bare-metal guest, and still reaches /init with nproc 2', () => {
    const out = tempDir('linux-shared');
    const r = hvcc(['run', 'examples/linux-guest/shared.dts', '-O', out, '--timeout', '500'], { timeoutMs: 560_000 });
    if (r.status !== 0) console.log(`hvcc run exited ${r.status}\n--- stderr\n${r.stderr}\n--- stdout (last lines)\n${r.stdout.split('\n').slice(-40).join('\n')}`);
    expect(r.stderr).not.toMatch(/error\[/);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.length > 0);
    for (const l of lines) expect(l).toMatch(/^\[(hv|linux|bare)\] /);
    expect(lines).toContain('[hv] vCPU scheduler: fixed-priority round robin');
    expect(lines).toContain('[bare] Goodbye from alpha, powering off');
    expect(lines.some((l) => /^\[linux\] .*smp: Brought up 1 node, 2 CPUs$/.test(l))).toBe(true);
    expect(lines.find((l) => l.startsWith(`[linux] ${MARKER}: `))).toBe(`[linux] ${MARKER}: kernel ${release}, 2 CPUs online (nproc 2)`);
    // Both of its vCPUs took timer interrupts and IPIs on the one CPU they share.
    const timer = lines.find((x) => /^\[linux\]\s+\d+:.*arch_timer$/.test(x))!.replace(/^\[linux\]\s*\S+:/, '').trim().split(/\s+/).slice(0, 2).map(Number);
    expect(timer[0]).toBeGreaterThan(0);
    expect(timer[1]).toBeGreaterThan(0);
    // All three ran on pCPU 0, switched in and out there.
    for (const who of ["guest 'linux' vCPU 0", "guest 'linux' vCPU 1", "guest 'bare' vCPU 0"]) {
      expect(lines.find((l) => l.startsWith(`[hv] sched: ${who}: `))).toMatch(/on pCPU 0, ran \d+ us, [1-9]\d* switches, 0 migrations$/);
    }
    expect(lines).toContain("[hv] guest 'linux' powered off (PSCI SYSTEM_OFF from vCPU 0)");
    expect(lines[lines.length - 1]).toBe('[hv] all guests have stopped, powering off');
    expect(r.stdout).not.toMatch(/\[hv\] guest '\w+' stopped:|PANIC/);
  }, 600_000);

  test('SYSTEM_RESET restarts only the Linux guest, which boots again on both vCPUs with its interrupts', async () => {
    // An initramfs whose /init reboots (PSCI SYSTEM_RESET): the guest boots again and again until the timeout.
    const { initramfs } = (await import(pathToFileURL(join(root, 'examples', 'linux-guest', 'prepare.mjs')).href)) as { initramfs: (busybox: string, init: string) => Buffer };
    const work = tempDir('linux-reset');
    writeFileSync(join(work, 'reset.cpio.gz'), initramfs(busybox, '#!/bin/sh\nmount -t proc proc /proc\necho "HVCC-RESET-TEST: $(grep -c ^processor /proc/cpuinfo) CPUs, $(grep -c arch_timer /proc/interrupts) timer"\nusleep 100000\nreboot -f\n'));
    const system = readFileSync(join(root, 'examples', 'linux-guest', 'system.dts'), 'utf8')
      .replace('"../../boards/', `"${root}/boards/`)
      .replace('"build/Image"', `"${root}/examples/linux-guest/build/Image"`)
      .replace('"build/initramfs.cpio.gz"', `"${work}/reset.cpio.gz"`)
      .replace('"../guests/build/', `"${root}/examples/guests/build/`);
    writeFileSync(join(work, 'system.dts'), system);
    const r = hvcc(['run', join(work, 'system.dts'), '-O', join(work, 'out'), '--timeout', '45'], { timeoutMs: 300_000 });
    expect(r.stderr).not.toMatch(/error\[/);
    expect(r.status).toBe(3); // the guest never powers off: hvcc run stops QEMU at the timeout
    const lines = r.stdout.split('\n');
    const boots = lines.filter((l) => l === '[linux] HVCC-RESET-TEST: 2 CPUs, 1 timer');
    expect(boots.length).toBeGreaterThanOrEqual(2);
    expect(lines.filter((l) => l === "[hv] guest 'linux' requested a reset (PSCI SYSTEM_RESET), restarting it").length).toBeGreaterThanOrEqual(boots.length - 1);
    expect(lines.filter((l) => /^\[linux\] .*smp: Brought up 1 node, 2 CPUs$/.test(l)).length).toBeGreaterThanOrEqual(2);
    // The other guest ran once, to its end, untouched by the resets.
    expect(lines.filter((l) => l === '[bare] Goodbye from alpha, powering off').length).toBe(1);
    expect(r.stdout).not.toMatch(/\[hv\] guest '\w+' stopped:|PANIC/);
  }, 600_000);
});
