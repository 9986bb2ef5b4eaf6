import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aarch64 } from '../../../compiler/arch/aarch64/index.js';
import { riscv64 } from '../../../compiler/arch/riscv64/index.js';
import { el2Format, stage2Format } from '../../../compiler/arch/aarch64/vmsa.js';
import { abiOffsets, abiStructs } from '../../../compiler/codegen/abi.js';
import { CONFIG_ABI_VERSION, emitConfigModule } from '../../../compiler/codegen/config-module.js';
import { lz4Compress } from '../../../compiler/compress/lz4.js';
import { packageRoot, runtimeDir } from '../../../compiler/paths.js';
import type { Component } from '../../../compiler/components/catalogue.js';
import type { Layout } from '../../../compiler/layout/layout.js';
import { buildTables } from '../../../compiler/layout/tables.js';
import { GiB, MiB } from '../../../compiler/util/ranges.js';
import { componentSchemas } from '../../../schemas/component.js';

const component = (manifest: object): Component => ({ dir: '/nowhere', manifestPath: '/nowhere/manifest.json', root: '/nowhere', manifest: componentSchemas().ComponentManifest.parse(manifest) });

const emulator = component({
  name: 'uart-emulator',
  kind: 'emulator',
  description: 'test',
  compatible: ['arm,pl011'],
  sources: ['x.c'],
  ops: 'uart_ops',
  state: { type: 'struct uart_state', header: 'uart.h' },
  parameters: [
    { name: 'clock_hz', property: 'clock-frequency', type: 'clock', default: 0 },
    { name: 'label', property: 'label', type: 'string', default: '' },
  ],
});
const driver = component({ name: 'uart-driver', kind: 'driver', description: 'test', compatible: ['arm,pl011'], sources: ['x.c'], ops: 'console_ops' });

function layout(): Layout {
  const hv = buildTables([{ base: GiB, size: GiB, pa: GiB, kind: 'ram', label: 'ram' }], el2Format);
  const stage2 = buildTables([{ base: GiB, size: 16n * MiB, pa: GiB + 8n * MiB, kind: 'ram', label: 'ram' }], stage2Format);
  return {
    hypervisor: { base: GiB, size: 4n * MiB },
    console: { base: 0x0900_0000n, driver, params: [], escape: 1 },
    hv: { tables: hv, mappings: [] },
    arch: aarch64.config.system.values({} as never, hv.format),
    hypervisorInterrupts: [],
    pcpus: [{ boardCpu: 0, hwid: 0n, guest: 0, vcpu: 0, runs: [{ guest: 0, vcpu: 0 }] }, { boardCpu: 2, hwid: 2n, runs: [] }],
    guests: [
      {
        name: 'alpha "one"',
        vmid: 1,
        vcpus: [{ pcpuSlot: 0, hwid: 0n, affinity: 1n, priority: 128, timeSliceNs: 10_000_000n }],
        memory: [{ ipa: GiB, pa: GiB + 8n * MiB, size: 16n * MiB, allocated: true }],
        segments: [{ destPa: GiB + 8n * MiB, ipa: GiB, data: new Uint8Array([1, 2, 3]), zeroSize: 100n }],
        imageFormat: 'elf',
        entry: GiB,
        bootArg: 0n,
        devices: [
          {
            path: '/guests/alpha/uart@9000000',
            windows: [{ base: 0x0900_0000n, size: 0x1000n }],
            irqs: [{ id: 33, flags: 4 }],
            emulator,
            params: [
              { name: 'clock_hz', type: 'clock', value: 24_000_000n },
              { name: 'label', type: 'string', value: 'a "quoted" ?? label' },
            ],
          },
        ],
        console: 0,
        autostart: true,
        stage2,
        arch: aarch64.config.guest.values({} as never, {} as never, stage2.format),
      },
    ],
  };
}

function emit(edit: (l: Layout) => void = () => {}, guestImageLz4?: { maxBytes: number; compress: (data: Uint8Array, dictionary?: Uint8Array) => Uint8Array }) {
  const laid = layout();
  edit(laid);
  return emitConfigModule({
    systemName: 'unit',
    version: 'test',
    triple: 'aarch64-none-unknown-elf',
    dataLayout: 'e-m:e-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128',
    layout: laid,
    arch: aarch64,
    components: [emulator, driver],
    ...(guestImageLz4 ? { guestImageLz4 } : {}),
  });
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
    // the only whole table, which is in .bss (the hypervisor's root, two entries for its 31-bit space, is in
    // the section of small tables): its address + 3, a valid table descriptor.
    expect(relocations).toMatch(/R_AARCH64_ABS64\s+0+\s+\.bss\.hv\.pgtables \+ 3$/m);
    const sections = execFileSync('llvm-readelf-14', ['-S', '-W', join(dir, 'config.o')], { encoding: 'utf8' });
    // Roots as big as their 31-bit spaces: 2 entries, 16 bytes, aligned to 64.
    expect(sections).toMatch(/\.data\.hv\.pgtables\s+PROGBITS\s+0+\s+[0-9a-f]+\s+000010\s+00\s+WA\s+0\s+0\s+64$/m);
    expect(sections).toMatch(/\.rodata\.hv\.pgtables\.small\s+PROGBITS\s+0+\s+[0-9a-f]+\s+000010\s+00\s+A\s+0\s+0\s+64$/m);
    // The whole table is not in the image (NOBITS): start.S stores its valid entries from hv_table_writes.
    expect(sections).toMatch(/\.bss\.hv\.pgtables\s+NOBITS\s+0+\s+[0-9a-f]+\s+001000\s+00\s+WA\s+0\s+0\s+4096$/m);
    expect(sections).not.toMatch(/\.rodata\.hv\.pgtables\s/);
    // Its valid entries, 16 MiB of RAM in 2 MiB blocks, are one run (first slot, descriptor, count, step),
    // then the terminator.
    const writes = /@hv_table_writes = constant \[(\d+) x \[4 x i64\]\] (.*), align 16$/m.exec(module.text)!;
    const valid = layout().guests[0]!.stage2.tables[1]!.entries.filter((e) => e.kind !== 'invalid');
    expect(valid).toHaveLength(8);
    expect(Number(writes[1])).toBe(2);
    const first = valid[0]!.kind === 'leaf' ? valid[0]!.descriptor : 0n;
    expect(writes[2]).toMatch(new RegExp(`^\\[\\[4 x i64\\] \\[i64 ptrtoint \\(.*@hv_guest_0_s2_t_1, i64 0, i64 0\\) to i64\\), i64 ${first}, i64 8, i64 ${2n * MiB}\\], \\[4 x i64\\] zeroinitializer\\]$`));
    const symbols = execFileSync('llvm-nm-14', [join(dir, 'config.o')], { encoding: 'utf8' });
    expect(symbols).toMatch(/ R hv_config$/m);
    expect(symbols).toMatch(/ U uart_ops$/m);
    expect(symbols).toMatch(/ U console_ops$/m);
    expect(symbols).toMatch(/ U hv_guest_0_image$/m);
    // State and parameters are the instances source's, in the components' C types.
    expect(symbols).toMatch(/ U hv_guest_0_dev_0_state$/m);
    expect(symbols).toMatch(/ U hv_guest_0_dev_0_params$/m);
  });

  test("a table's valid entries are stored as runs of leaves a constant step apart, and expand to the table", () => {
    const mappings = [
      { base: GiB, size: 16n * MiB, pa: 2n * GiB, kind: 'ram' as const, label: 'ram' },
      { base: GiB + 32n * MiB, size: 4n * MiB, pa: 2n * GiB + 64n * MiB, kind: 'ram' as const, label: 'after a hole' },
      { base: GiB + 36n * MiB, size: 2n * MiB, pa: 2n * GiB + 68n * MiB, kind: 'device' as const, label: 'other attributes' },
      { base: GiB + 38n * MiB, size: 2n * MiB, pa: 2n * GiB + 80n * MiB, kind: 'device' as const, label: '12 MiB on' },
      { base: GiB + 40n * MiB, size: 2n * MiB, pa: 2n * GiB + 84n * MiB, kind: 'device' as const, label: 'then 4 MiB on' },
    ];
    const stage2 = buildTables(mappings, stage2Format);
    const module = emit((l) => {
      l.guests[0]!.stage2 = stage2;
    });
    const text = /@hv_table_writes = constant \[\d+ x \[4 x i64\]\] \[(.*)\], align 16$/m.exec(module.text)![1]!;
    const runs = [...text.matchAll(/\[4 x i64\] \[i64 ptrtoint \(.*?@(\w+), i64 0, i64 (\d+)\) to i64\), (i64 [^,]+|i64 add \(.*?\)), i64 (\d+), i64 (-?\d+)\]/g)];
    // Table 1 (the 2 MiB level): 8 blocks, 2 after the hole, then devices: two 12 MiB apart (a run needs only
    // a constant step), and one that breaks it.
    const level2 = runs.filter((r) => r[1] === 'hv_guest_0_s2_t_1').map((r) => [Number(r[2]), Number(r[4]), BigInt(r[5]!)]);
    expect(level2).toEqual([[0, 8, 2n * MiB], [16, 2, 2n * MiB], [18, 2, 12n * MiB], [20, 1, 0n]]);
    // Expanded as start.S does, the runs give back every valid entry of the table, and nothing else.
    const stored = new Map<number, bigint>();
    for (const r of runs.filter((x) => x[1] === 'hv_guest_0_s2_t_1')) {
      for (let k = 0; k < Number(r[4]); k++) stored.set(Number(r[2]) + k, BigInt(r[3]!.slice(4)) + BigInt(r[5]!) * BigInt(k));
    }
    const want = new Map(stage2.tables[1]!.entries.flatMap((e, i) => (e.kind === 'leaf' ? [[i, BigInt.asIntN(64, e.descriptor)] as const] : [])));
    expect(stored).toEqual(want);
  });

  test('references what the layout needs and nothing else', () => {
    const module = emit();
    expect(module.externals).toEqual(['console_ops', 'uart_ops']);
    expect(module.images).toHaveLength(1);
    expect([...module.images[0]!.bytes]).toEqual([1, 2, 3, ...new Array(13).fill(0)]);
    // Strings are escaped, not pasted.
    expect(module.text).toContain('c"alpha \\22one\\22\\00"');
  });

  test('a guest image segment up to the LZ4 limit (CONFIG_HV_GUEST_IMAGE_LZ4_MAX KiB) is stored as an LZ4 block when that is smaller', () => {
    const text = new TextEncoder().encode('hello, guest! '.repeat(64)); // 896 bytes
    const noise = Uint8Array.from({ length: 512 }, (_, i) => (i * 2654435761) >>> 24);
    const big = new Uint8Array(1500);
    const withSegments = (l: Layout) => {
      l.guests[0]!.segments = [text, noise, big].map((data, i) => ({ destPa: GiB + BigInt(i) * MiB, ipa: GiB + BigInt(i) * MiB, data, zeroSize: 0n }));
    };
    const segmentsOf = (m: ReturnType<typeof emit>) => [...m.text.matchAll(/%hv\.load_segment \{ i64 \d+, .*?, i64 (\d+), i64 (\d+), i64 0, %hv\.load_segment\* null \}/g)].map((x) => [Number(x[1]), Number(x[2])]);
    const compressed = emit(withSegments, { maxBytes: 1024, compress: lz4Compress });
    const stored = segmentsOf(compressed);
    // The text shrinks; noise would grow, so it is stored as it is; 1500 bytes is over the 1 KiB limit.
    expect(stored[0]![0]).toBe(896);
    expect(stored[0]![1]).toBeLessThan(100);
    expect(stored.slice(1)).toEqual([[512, 512], [1500, 1500]]);
    expect(compressed.images[0]!.bytes.length).toBe(Math.ceil(stored[0]![1]! / 16) * 16 + 512 + 1500 + 4);
    // A limit of 0, or none, stores every segment as it is.
    expect(segmentsOf(emit(withSegments, { maxBytes: 0, compress: lz4Compress }))).toEqual([[896, 896], [512, 512], [1500, 1500]]);
    expect(segmentsOf(emit(withSegments))).toEqual([[896, 896], [512, 512], [1500, 1500]]);
  });

  test("a segment like an earlier one is stored against it as the block's dictionary, expanded in a scratch buffer", () => {
    const code = new TextEncoder().encode(Array.from({ length: 40 }, (_, i) => `guest code line ${(i * 7919) % 97} `).join(''));
    const variant = code.map((b, i) => (i % 97 === 0 ? b ^ 1 : b));
    const other = Uint8Array.from({ length: 900 }, (_, i) => 'abcdefgh'.charCodeAt(((i * 2654435761) >>> 27) % 8));
    const twoGuests = (l: Layout) => {
      const first = l.guests[0]!;
      first.segments = [code, other].map((data, i) => ({ destPa: GiB + BigInt(i) * MiB, ipa: GiB + BigInt(i) * MiB, data, zeroSize: 0n }));
      l.guests.push({ ...first, name: 'beta', vmid: 2, segments: [variant, code].map((data, i) => ({ destPa: 2n * GiB + BigInt(i) * MiB, ipa: GiB + BigInt(i) * MiB, data, zeroSize: 0n })) });
    };
    const module = emit(twoGuests, { maxBytes: 1024, compress: lz4Compress });
    // alpha's segments alone; both of beta's against alpha's first, a fraction of their blocks alone.
    expect(module.storedSegments.map((g) => g.map((s) => s.dictionary ?? null))).toEqual([[null, null], [{ guest: 0, segment: 0 }, { guest: 0, segment: 0 }]]);
    for (const [data, s] of [[variant, module.storedSegments[1]![0]!], [code, module.storedSegments[1]![1]!]] as const) {
      expect(s.bytes).toBe(lz4Compress(data, code).length);
      expect(s.bytes).toBeLessThan(lz4Compress(data).length / 4);
    }
    expect(module.text).toContain(`i64 0, %hv.load_segment* getelementptr inbounds ([2 x %hv.load_segment], [2 x %hv.load_segment]* @hv_guest_0_segments, i64 0, i64 0) }`);
    expect(module.text).toContain(`@hv_image_scratch = internal global [${code.length} x i8] zeroinitializer, align 16`);
    expect(module.text).toMatch(new RegExp(`i8\\* bitcast \\(\\[${code.length} x i8\\]\\* @hv_image_scratch to i8\\*\\), i64 ${code.length} \\}, align 8$`, 'm'));
    // The module assembles: the pointers into another guest's segments are well-typed.
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-dict-'));
    writeFileSync(join(dir, 'config.ll'), module.text);
    execFileSync('llvm-as-14', [join(dir, 'config.ll'), '-o', join(dir, 'config.bc')]);

    // A dictionary that saves less than an eighth is not worth its expansion: alone, and no scratch buffer.
    const unlike = emit((l) => {
      twoGuests(l);
      l.guests[1]!.segments = [{ destPa: 2n * GiB, ipa: GiB, data: other.map((b) => b ^ 0x20), zeroSize: 0n }];
    }, { maxBytes: 1024, compress: lz4Compress });
    expect(unlike.storedSegments[1]![0]!).toMatchObject({ lz4: true });
    expect(unlike.storedSegments[1]![0]!.dictionary).toBeUndefined();
    expect(unlike.text).not.toContain('@hv_image_scratch');
    expect(unlike.text).toMatch(/i8\* null, i64 0 \}, align 8$/m);
  });

  test('the instances source compiles with the generated parameter header and fills each field', () => {
    const module = emit();
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-inst-'));
    for (const [path, text] of module.headers) {
      mkdirSync(join(dir, 'include', 'params'), { recursive: true });
      writeFileSync(join(dir, 'include', path), text);
    }
    mkdirSync(join(dir, 'include', 'hv'), { recursive: true });
    writeFileSync(join(dir, 'include', 'hv', 'kconfig.h'), '#define CONFIG_HV_MAX_CPUS 4\n#define CONFIG_HV_GUEST_LINE_MAX 64\n');
    writeFileSync(join(dir, 'uart.h'), 'struct uart_state { unsigned long fifo[9]; };\n');
    const source = module.instancesSource.replace('"/nowhere/uart.h"', `"${join(dir, 'uart.h')}"`);
    writeFileSync(join(dir, 'instances.c'), source);
    const ir = execFileSync('clang-14', ['--target=aarch64-none-elf', '-ffreestanding', '-S', '-emit-llvm', '-o', '-', `-I${join(dir, 'include')}`, `-I${join(runtimeDir, 'core', 'include')}`, `-I${join(runtimeDir, 'arch', 'aarch64', 'include')}`, join(dir, 'instances.c')], { encoding: 'utf8' });
    expect(ir).toMatch(/@hv_guest_0_dev_0_state = (dso_local )?global %struct\.uart_state zeroinitializer, align 16/);
    expect(ir).toMatch(/@hv_guest_0_dev_0_params = (dso_local )?constant %struct\.uart_emulator_params \{ i64 24000000, i8\* getelementptr/);
    expect(ir).toContain('c"a \\22quoted\\22 ?? label\\00"');
    expect(module.headers.get('params/uart-emulator.h')).toContain('struct uart_emulator_params {');
  });

  test.each([
    [aarch64, 'aarch64-none-elf'],
    [riscv64, 'riscv64-unknown-elf'],
  ] as const)('every field of every config struct has the offset hv/config.h gives it (%#: each architecture\'s part too)', (arch, triple) => {
    const structs = abiStructs(arch);
    const offsets = abiOffsets(structs);
    const lines = ['#include <stddef.h>', '#include <hv/config.h>', 'const unsigned long hvcc_abi_probe[] = {'];
    const expected: number[] = [];
    for (const s of structs) {
      lines.push(`\tsizeof(${s.c}),`);
      expected.push(offsets.get(s.ir)!.size);
      for (const [field] of s.fields) {
        lines.push(`\toffsetof(${s.c}, ${field}),`);
        expected.push(offsets.get(s.ir)!.offsets.get(field)!);
      }
    }
    lines.push('};');
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-abi-'));
    mkdirSync(join(dir, 'hv'));
    writeFileSync(join(dir, 'hv', 'kconfig.h'), '');
    writeFileSync(join(dir, 'probe.c'), lines.join('\n') + '\n');
    const ir = execFileSync(
      'clang-14',
      [`--target=${triple}`, '-ffreestanding', '-S', '-emit-llvm', '-o', '-', `-I${dir}`, `-I${join(runtimeDir, 'core', 'include')}`, `-I${join(runtimeDir, 'arch', arch.name, 'include')}`, join(dir, 'probe.c')],
      { encoding: 'utf8' },
    );
    const array = /@hvcc_abi_probe = [^\[]*\[\d+ x i64\] \[([^\]]*)\]/.exec(ir);
    expect(array).not.toBeNull();
    const actual = array![1]!.split(',').map((e) => Number(e.trim().replace(/^i64 /, '')));
    expect(actual).toEqual(expected);
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
