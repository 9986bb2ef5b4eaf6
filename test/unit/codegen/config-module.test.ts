import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_ABI_VERSION, emitConfigModule } from '../../../compiler/codegen/config-module.js';
import { packageRoot } from '../../../compiler/paths.js';
import type { Component } from '../../../compiler/components/catalogue.js';
import type { Layout } from '../../../compiler/layout/layout.js';
import { buildTables, EL2_MAIR, EL2_NORMAL, EL2_TCR, S2_NORMAL, VTCR } from '../../../compiler/layout/pagetables.js';
import { GiB, MiB } from '../../../compiler/layout/ranges.js';
import { ComponentManifest } from '../../../schemas/component.js';

const emulator: Component = {
  dir: '/nowhere',
  manifestPath: '/nowhere/manifest.json',
  manifest: ComponentManifest.parse({ name: 'uart-emulator', kind: 'emulator', description: 'test', compatible: ['arm,pl011'], sources: ['x.c'], ops: 'uart_ops', 'instance-state-bytes': 64 }),
};

function layout(): Layout {
  return {
    hypervisor: { base: GiB, size: 4n * MiB },
    console: { base: 0x0900_0000n, clockHz: 24_000_000n },
    el2: { tables: buildTables([{ base: GiB, size: GiB, pa: GiB, attributes: EL2_NORMAL, label: 'ram' }], 39, 1), tcr: EL2_TCR, mair: EL2_MAIR, mappings: [] },
    pcpus: [{ boardCpu: 0, mpidr: 0n, guest: 0, vcpu: 0 }, { boardCpu: 2, mpidr: 2n }],
    guests: [
      {
        name: 'alpha "one"',
        vmid: 1,
        vcpus: [{ pcpuSlot: 0, mpidr: 0n }],
        memory: [{ ipa: GiB, pa: GiB + 8n * MiB, size: 16n * MiB, allocated: true }],
        segments: [{ destPa: GiB + 8n * MiB, ipa: GiB, data: new Uint8Array([1, 2, 3]), zeroSize: 100n }],
        imageFormat: 'elf',
        entry: GiB,
        bootArg: 0n,
        devices: [{ path: '/guests/alpha/uart@9000000', ipa: 0x0900_0000n, size: 0x1000n, irq: 33, clockHz: 24_000_000n, emulator }],
        stage2: buildTables([{ base: GiB, size: 16n * MiB, pa: GiB + 8n * MiB, attributes: S2_NORMAL, label: 'ram' }], 39, 1),
        vtcr: VTCR,
      },
    ],
  };
}

function emit() {
  return emitConfigModule({ systemName: 'unit', version: 'test', triple: 'aarch64-none-unknown-elf', dataLayout: 'e-m:e-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128', layout: layout(), consoleOps: 'console_ops' });
}

describe('configuration module', () => {
  test('is valid LLVM IR that llc compiles, with table descriptors left to the linker as relocations', () => {
    const module = emit();
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-ir-'));
    const ll = join(dir, 'config.ll');
    writeFileSync(ll, module.text);
    execFileSync('llvm-as-14', [ll, '-o', join(dir, 'config.bc')]);
    execFileSync('llc-14', ['-filetype=obj', join(dir, 'config.bc'), '-o', join(dir, 'config.o')]);
    const relocations = execFileSync('llvm-readelf-14', ['-r', join(dir, 'config.o')], { encoding: 'utf8' });
    // The stage-2 root (writable: the runtime revokes a stopped guest's mappings) points at the level-2 table,
    // the second table in the read-only section after the EL2 root: its address + 3, a valid table descriptor.
    expect(relocations).toMatch(/R_AARCH64_ABS64\s+0+\s+\.rodata\.hv\.pgtables \+ 1003$/m);
    const sections = execFileSync('llvm-readelf-14', ['-S', '-W', join(dir, 'config.o')], { encoding: 'utf8' });
    expect(sections).toMatch(/\.data\.hv\.pgtables\s+PROGBITS\s+0+\s+[0-9a-f]+\s+001000\s+00\s+WA/);
    const symbols = execFileSync('llvm-nm-14', [join(dir, 'config.o')], { encoding: 'utf8' });
    expect(symbols).toMatch(/ R hv_config$/m);
    expect(symbols).toMatch(/ U uart_ops$/m);
    expect(symbols).toMatch(/ U console_ops$/m);
    expect(symbols).toMatch(/ U hv_guest_0_image$/m);
    expect(symbols).toMatch(/ b hv_guest_0_dev_0_state$/m);
  });

  test('references what the layout needs and nothing else', () => {
    const module = emit();
    expect(module.externals).toEqual(['console_ops', 'uart_ops']);
    expect(module.images).toHaveLength(1);
    expect([...module.images[0]!.bytes]).toEqual([1, 2, 3, ...new Array(13).fill(0)]);
    // Strings are escaped, not pasted.
    expect(module.text).toContain('c"alpha \\22one\\22\\00"');
  });

  test('the ABI version is the one runtime/core/include/hv/config.h defines', () => {
    const header = readFileSync(join(packageRoot, 'runtime', 'core', 'include', 'hv', 'config.h'), 'utf8');
    expect(Number(/#define HV_CONFIG_ABI_VERSION (\d+)/.exec(header)![1])).toBe(CONFIG_ABI_VERSION);
  });

  test('64-bit constants with the top bit set survive as two\'s complement', () => {
    const text = emit().text;
    // pcpu 1 has no guest: HV_NO_GUEST (~0) is written as -1.
    expect(text).toContain('%hv.pcpu_config { i64 2, i64 -1, i64 0 }');
  });
});
