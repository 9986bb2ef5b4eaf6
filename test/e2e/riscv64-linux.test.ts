import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleGuests, hvcc, root, tempDir } from './harness.js';

/*
 * The riscv64 Linux guest end to end: Linux 6.1 built by examples/riscv64/linux-guest/prepare.mjs from
 * Debian's linux-source-6.1 (once per machine: cached by content hash in ~/.cache/hvcc/linux-riscv64/),
 * booting as a 2-vCPU guest on harts 1 and 2 beside a bare-metal guest on hart 0. Nothing here passes
 * unless Linux reaches its /init, which prints the marker with uname -r and the CPU count, and powers off.
 */
const MARKER = 'HVCC-LINUX-GUEST-UP';
let release = '';

beforeAll(() => {
  buildExampleGuests();
  const out = execFileSync(process.execPath, [join(root, 'examples', 'riscv64', 'linux-guest', 'prepare.mjs')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 2_400_000 });
  release = (JSON.parse(out.trim().split('\n').pop()!) as { release: string }).release;
}, 2_400_000);

describe('Linux 6.1 as a riscv64 guest', () => {
  test('its description validates with no diagnostics at all once the kernel is built', () => {
    const r = hvcc(['validate', '-q', 'examples/riscv64/linux-guest/system.dts']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test('boots on 2 vCPUs beside a bare-metal guest, its /init prints the marker, uname -r and 2 CPUs, powers off; hvcc run exits 0', () => {
    expect(release).toMatch(/^6\.1\.\d+/);
    expect(readFileSync(join(root, 'examples', 'riscv64', 'linux-guest', 'build', 'release'), 'utf8').trim()).toBe(release);
    const out = tempDir('rv-linux');
    const r = hvcc(['run', 'examples/riscv64/linux-guest/system.dts', '-O', out, '--timeout', '400'], { timeoutMs: 420_000 });
    if (r.status !== 0) console.log(`hvcc run exited ${r.status}\n--- stderr\n${r.stderr}\n--- stdout (last lines)\n${r.stdout.split('\n').slice(-40).join('\n')}`);
    expect(r.stderr).not.toMatch(/error\[/);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.length > 0);
    const first = lines.findIndex((l) => l.startsWith('[hv] '));
    // After OpenSBI's banner, every line is a whole line of one guest or of the hypervisor.
    for (const l of lines.slice(first)) expect(l).toMatch(/^\[(hv|linux|bare)\] /);

    expect(lines).toContain('[bare] Goodbye from alpha, powering off');
    expect(lines).toContain("[hv] guest 'bare' powered off (SBI system_reset shutdown from vCPU 0)");

    // Linux (its config has no printk timestamps): its banner, the hypervisor's SBI, both harts (started through
    // SBI HSM), the virtual PLIC with a context per vCPU, the Sstc timer, the emulated UART as a 16550A.
    expect(lines.some((l) => l.startsWith(`[linux] Linux version ${release} `))).toBe(true);
    expect(lines).toContain('[linux] SBI specification v2.0 detected');
    expect(lines).toContain('[linux] SBI implementation ID=0x68766363 Version=0x1');
    expect(lines).toContain('[linux] SBI HSM extension detected');
    expect(lines).toContain('[linux] smp: Brought up 1 node, 2 CPUs');
    expect(lines).toContain('[linux] plic: plic@c000000: mapped 63 interrupts with 2 handlers for 2 contexts.');
    expect(lines).toContain('[linux] riscv-timer: Timer interrupt in S-mode is available via sstc extension');
    expect(lines.some((l) => /^\[linux\] 10000000\.serial: ttyS0 at MMIO 0x10000000 \(irq = \d+, base_baud = 230400\) is a 16550A$/.test(l))).toBe(true);
    expect(lines).toContain(`[linux] ${MARKER}: kernel ${release}, 2 CPUs online`);

    // Linux powers off through SBI SRST, then the hypervisor ends the run.
    expect(lines).toContain("[hv] guest 'linux' powered off (SBI system_reset shutdown from vCPU 0)");
    expect(lines[lines.length - 1]).toBe('[hv] all guests have stopped, powering off');
    expect(r.stdout).not.toMatch(/\[hv\] guest '\w+' stopped:/);
  }, 600_000);
});
