/**
 * riscv64 under QEMU's virt machine (-cpu rv64,h=true, QEMU's default OpenSBI): the hypervisor in HS-mode,
 * its guests in VS-mode. The same example guest sources as on aarch64, built for riscv64; an SBI test guest;
 * and what each architecture's image holds of the other's code (nothing).
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleGuests, hvcc, root, symbols, tempDir } from './harness.js';

beforeAll(() => buildExampleGuests());

const elfMachine = (path: string) => readFileSync(path).readUInt16LE(18);
const EM_AARCH64 = 183;
const EM_RISCV = 243;

describe('riscv64: two guests', () => {
  test('both guests print through their emulated NS16550A, shut down through SBI, and hvcc run exits 0', () => {
    const out = tempDir('rv-two');
    const r = hvcc(['run', 'examples/riscv64/two-guests/system.dts', '-O', out, '--timeout', '60']);
    expect(r.stderr).not.toMatch(/error\[/);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('[alpha] alpha: image check ok (.data intact, .bss zero)');
    expect(lines).toContain('[beta] beta: line 7 of 7');
    // On the whole output, so that a failure shows all of it (a run in the full suite once lacked this line).
    expect(r.stdout).toMatch(/^\[alpha\] alpha: running in S-mode as hart 0, SBI spec 0x0+2000000/m);
    expect(lines).toContain("[hv] guest 'alpha' powered off (SBI system_reset shutdown from vCPU 0)");
    expect(r.stdout).toContain('[hv] all guests have stopped, powering off');
    // Every console line is a whole prefixed line, never mixed (after OpenSBI's banner, which comes first).
    const first = lines.findIndex((l) => l.startsWith('[hv] '));
    for (const l of lines.slice(first).filter((x) => x.length > 0)) expect(l).toMatch(/^\[(hv|alpha|beta)\] /);
  });
});

describe('riscv64: fault containment', () => {
  test('the attacker is stopped with a one-line report (guest, address, pc, cause) while the other guest goes on', () => {
    const out = tempDir('rv-contain');
    const r = hvcc(['run', 'examples/riscv64/containment/system.dts', '-O', out, '--timeout', '60']);
    // Powered off, but a guest was stopped by a fault on the way.
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/^hvcc: a guest was stopped by a fault \(--accept-faults accepts that\): guest 'attacker' stopped: vCPU 0 /m);
    const lines = r.stdout.split('\n');
    const report = lines.findIndex((l) => l.startsWith("[hv] guest 'attacker' stopped"));
    expect(report).toBeGreaterThanOrEqual(0);
    expect(lines[report]).toMatch(/^\[hv\] guest 'attacker' stopped: vCPU 0 wrote 4 bytes outside its memory at IPA 0x40000000, PC 0x8000[0-9a-f]{4}, scause 0x17 \(store\/AMO guest-page fault\)$/);
    expect(lines.slice(report + 1).filter((l) => l.startsWith('[steady] steady: line ')).length).toBeGreaterThanOrEqual(3);
    expect(lines).toContain('[steady] steady: line 10 of 10');
    expect(lines.some((l) => l.includes('attacker: ERROR'))).toBe(false);
  });
});

describe('riscv64: SBI for guests', () => {
  test('base, HSM, IPI, RFENCE, TIME, DBCN and SRST answer as the SBI specification says; unknown extensions are not supported', () => {
    const out = tempDir('rv-sbi');
    const r = hvcc(['run', 'examples/riscv64/sbi/system.dts', '-O', out, '--timeout', '60']);
    expect(r.status).toBe(0);
    const checks = r.stdout.split('\n').filter((l) => /^\[sbi\] sbi: .* (ok|ERROR)$/.test(l));
    expect(checks.filter((l) => l.endsWith(' ERROR'))).toEqual([]);
    expect(checks.length).toBe(18);
    expect(r.stdout).toContain('[sbi] sbi: a line written with one DBCN console_write');
    expect(r.stdout).toContain('[sbi] sbi: all checks passed');
    expect(r.stdout).toContain("[hv] guest 'sbi' powered off (SBI system_reset shutdown from vCPU 0)");
  });
});

describe('riscv64: without Sstc', () => {
  test('the hypervisor\'s timer and the guest\'s SBI set_timer fall back to SBI TIME and the hypervisor\'s timers', () => {
    const out = tempDir('rv-nosstc');
    const r = hvcc(['run', 'examples/riscv64/sbi/system.dts', '-O', out, '--timeout', '60', '--', '-cpu', 'rv64,h=true,sstc=false']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[hv] riscv64: SBI timer, 14 VMID bits');
    expect(r.stdout).toContain('[sbi] sbi: TIME set_timer interrupt after 10 ms ok');
    expect(r.stdout).toContain('[sbi] sbi: all checks passed');
  });
});

describe('riscv64: SBI SRST reboot', () => {
  test('resets only the calling guest, its image restored, while the other guest runs on', () => {
    const dir = tempDir('rv-reset');
    const file = join(dir, 'system.dts');
    writeFileSync(
      file,
      readFileSync(join(root, 'examples/riscv64/two-guests/system.dts'), 'utf8')
        .replace('/include/ "../../../boards/', `/include/ "${root}/boards/`)
        .replace('"../../guests/build/riscv64/hello-alpha.elf"', `"${root}/examples/guests/build/riscv64/reset.elf"`)
        .replace('"../../guests/build/riscv64/hello-beta.elf"', `"${root}/examples/guests/build/riscv64/hello-beta.elf"`),
    );
    const r = hvcc(['run', file, '-O', join(dir, 'out'), '--timeout', '60']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('[alpha] reset: first boot, changing .data and .bss, then SBI system_reset');
    expect(lines).toContain("[hv] guest 'alpha' requested a reset (SBI system_reset reboot), restarting it");
    expect(lines).toContain('[alpha] reset: image restored (.data intact, .bss zero)');
    expect(lines.filter((l) => l.startsWith("[hv] guest 'alpha' requested a reset")).length).toBe(1);
    expect(lines).toContain('[beta] beta: line 7 of 7');
    // On the whole output, so that a failure shows all of it (a run in the full suite once lacked this line).
    expect(r.stdout).toMatch(/^\[hv\] guest 'beta' powered off \(SBI system_reset shutdown from vCPU 0\)$/m);
    expect(lines).toContain("[hv] guest 'alpha' powered off (SBI system_reset shutdown from vCPU 0)");
  });
});

describe('riscv64: guest interrupts', () => {
  test('a virtual PLIC delivers the UART\'s interrupt through hvip.VSEIP (claim, complete, threshold, priority); Sstc timer and SBI IPI', () => {
    const out = tempDir('rv-plic');
    const r = hvcc(['run', 'examples/riscv64/plic/system.dts', '-O', out, '--timeout', '60']);
    expect(r.status).toBe(0);
    const checks = r.stdout.split('\n').filter((l) => /^\[plic\] plic: .* (ok|ERROR)$/.test(l));
    expect(checks.filter((l) => l.endsWith(' ERROR'))).toEqual([]);
    expect(checks.length).toBe(11);
    expect(r.stdout).toContain('[hv] host interrupt controller: plic');
    expect(r.stdout).toContain('[plic] plic: all checks passed');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.components.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['vplic-emulator', 'plic-driver', 'ns16550a-emulator', 'ns16550a-driver', 'riscv64']));
  });
});

describe('only the board\'s architecture is linked in', () => {
  // Names only the other port defines: its entry points, trap handlers, firmware interface and devices.
  const AARCH64_ONLY = /^(arch_psci_call|arch_handle_lower_trap|arch_handle_el2_fault|hv_vectors|pl011_.*|gicv3_.*|vgic_.*)$/;
  const RISCV64_ONLY = /^(riscv_.*|sbi_ecall|arch_handle_guest_trap|arch_handle_hs_fault|hv_trap_vector|ns16550a_.*|arch_guest_load_insn16)$/;

  test('a riscv64 image is a RISC-V ELF with no aarch64 code', () => {
    const out = tempDir('rv-syms');
    expect(hvcc(['build', 'examples/riscv64/two-guests/system.dts', '-O', out]).status).toBe(0);
    const elf = join(out, 'hypervisor.elf');
    expect(elfMachine(elf)).toBe(EM_RISCV);
    const syms = symbols(elf);
    expect(syms).toEqual(expect.arrayContaining(['hv_trap_vector', 'arch_handle_guest_trap', 'hv_config']));
    expect(syms.filter((s) => AARCH64_ONLY.test(s))).toEqual([]);
  });

  test('an aarch64 image is an AArch64 ELF with no riscv64 code', () => {
    const out = tempDir('a64-syms');
    expect(hvcc(['build', 'examples/two-guests/system.dts', '-O', out]).status).toBe(0);
    const elf = join(out, 'hypervisor.elf');
    expect(elfMachine(elf)).toBe(EM_AARCH64);
    const syms = symbols(elf);
    expect(syms).toEqual(expect.arrayContaining(['hv_vectors', 'hv_config']));
    expect(syms.filter((s) => RISCV64_ONLY.test(s))).toEqual([]);
  });

  test('a riscv64 guest on the aarch64 board is an error at the guest node', () => {
    const dir = tempDir('cross');
    const src = readFileSync(join(root, 'examples/two-guests/system.dts'), 'utf8')
      .replace('/include/ "../../boards/', `/include/ "${root}/boards/`)
      .replace('image = "../guests/build/hello-alpha.elf"', `image = "${root}/examples/guests/build/riscv64/hello-alpha.elf"`)
      .replace('image = "../guests/build/hello-beta.elf"', `image = "${root}/examples/guests/build/hello-beta.elf"`);
    const file = join(dir, 'system.dts');
    writeFileSync(file, src);
    const r = hvcc(['build', file, '-O', join(dir, 'out')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/error\[HV3020\]: guest 'alpha' is a program for riscv64, but the board's CPUs are aarch64/);
    expect(r.stderr).toMatch(/system\.dts:\d+:\d+/);
  });

  test('and an aarch64 guest on the riscv64 board is the same error the other way round', () => {
    const dir = tempDir('cross-rv');
    const file = join(dir, 'system.dts');
    writeFileSync(
      file,
      readFileSync(join(root, 'examples/riscv64/two-guests/system.dts'), 'utf8')
        .replace('/include/ "../../../boards/', `/include/ "${root}/boards/`)
        .replace('"../../guests/build/riscv64/hello-alpha.elf"', `"${root}/examples/guests/build/riscv64/hello-alpha.elf"`)
        .replace('"../../guests/build/riscv64/hello-beta.elf"', `"${root}/examples/guests/build/hello-beta.elf"`),
    );
    const r = hvcc(['validate', file]);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/error\[HV3020\]: guest 'beta' is a program for aarch64, but the board's CPUs are riscv64/);
  });
});

describe('riscv64: the virtio console', () => {
  test('the arch-neutral virtio transport and console serve a riscv64 guest without a UART, its lines prefixed like any other', () => {
    const out = tempDir('rv-vcon');
    const r = hvcc(['run', 'examples/riscv64/virtio-console/system.dts', '-O', out, '--timeout', '60']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('[vcon] '))).toEqual([
      '[vcon] vcon: hello from a guest without a UART',
      ...[1, 2, 3, 4, 5, 6].map((n) => `[vcon] vcon: line ${n} of 6 through the virtio console`),
      '[vcon] vcon: done',
    ]);
    expect(lines).toContain("[hv] guest 'vcon' powered off (SBI system_reset shutdown from vCPU 0)");
    expect(lines).toContain('[steady] steady: line 10 of 10');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { components: { name: string }[] };
    expect(manifest.components.map((c) => c.name)).toEqual(expect.arrayContaining(['virtio-mmio', 'virtio-console-emulator']));
  });
});
