import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleGuests, hvcc, symbols, tempDir } from './harness.js';

beforeAll(() => buildExampleGuests());

function stacksBytes(elf: string): number {
  const out = execFileSync('llvm-readelf-14', ['-S', '-W', elf], { encoding: 'utf8' });
  const m = /\.stacks\s+NOBITS\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(out);
  return Number.parseInt(m![1]!, 16);
}

describe('Kconfig options drive the build', () => {
  test("the board's defconfig is the default, and -O DIR/.config from `hvcc defconfig` overrides it", () => {
    const out = tempDir('kconfig');
    expect(hvcc(['build', 'examples/two-guests/system.dts', '-O', out]).status).toBe(0);
    // boards/qemu-virt-aarch64/defconfig sets HV_MAX_CPUS=4: four 16 KiB stacks.
    expect(readFileSync(join(out, 'config.ll'), 'utf8')).toContain('@CONFIG_HV_MAX_CPUS = constant i64 4');
    expect(stacksBytes(join(out, 'hypervisor.elf'))).toBe(4 * 16384);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).kconfig).toMatch(/boards\/qemu-virt-aarch64\/defconfig$/);

    const r = hvcc(['defconfig', 'qemu-virt-aarch64', '-O', out]);
    expect(r.status).toBe(0);
    const config = join(out, '.config');
    writeFileSync(config, readFileSync(config, 'utf8').replace('CONFIG_HV_MAX_CPUS=4', 'CONFIG_HV_MAX_CPUS=2'));
    expect(hvcc(['build', 'examples/two-guests/system.dts', '-O', out]).status).toBe(0);
    expect(readFileSync(join(out, 'hvcc.config'), 'utf8')).toContain('CONFIG_HV_MAX_CPUS=2');
    expect(stacksBytes(join(out, 'hypervisor.elf'))).toBe(2 * 16384);
  });

  test('a description that needs a component whose symbol is off is an error naming both places', () => {
    const out = tempDir('kconfig-off');
    expect(hvcc(['defconfig', 'qemu-virt-aarch64', '-O', out]).status).toBe(0);
    const config = join(out, '.config');
    writeFileSync(config, readFileSync(config, 'utf8').replace('CONFIG_HV_EMULATOR_PL011=y', '# CONFIG_HV_EMULATOR_PL011 is not set'));
    const r = hvcc(['build', 'examples/two-guests/system.dts', '-O', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[HV4007]');
    expect(r.stderr).toContain('CONFIG_HV_EMULATOR_PL011 is not set');
    expect(r.stderr).toMatch(/examples\/two-guests\/system\.dts:\d+:\d+/);
    expect(r.stderr).toMatch(/HV_EMULATOR_PL011 is declared in .*runtime\/emulators\/pl011\/Kconfig/);

    // With nothing needing it, the same configuration builds, and the emulator is not in the image.
    const r2 = hvcc(['build', 'test/fixtures/systems/no-uart/system.dts', '-O', out]);
    expect(r2.status).toBe(0);
    expect(symbols(join(out, 'hypervisor.elf')).filter((s) => s.includes('pl011_emul'))).toEqual([]);
  });

  test('instance state scales with the configuration: 16 CPUs and 128 SPIs build, and the virtual GIC works with them', () => {
    const out = tempDir('kconfig-16');
    expect(hvcc(['defconfig', 'qemu-virt-aarch64', '-O', out]).status).toBe(0);
    const config = join(out, '.config');
    writeFileSync(config, readFileSync(config, 'utf8').replace('CONFIG_HV_MAX_CPUS=4', 'CONFIG_HV_MAX_CPUS=16').replace('CONFIG_HV_VGIC_SPIS=64', 'CONFIG_HV_VGIC_SPIS=128'));
    const small = tempDir('kconfig-4');
    expect(hvcc(['build', 'test/fixtures/systems/vgic/system.dts', '-O', small]).status).toBe(0);
    const r = hvcc(['run', 'test/fixtures/systems/vgic/system.dts', '-O', out, '--timeout', '60']);
    expect(r.stderr).not.toMatch(/error\[/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[irq] irq: done');
    expect(r.stdout).not.toContain('ERROR');
    // The virtual GIC's state object is sized by the C type under this configuration, not by a manifest number.
    const size = (dir: string) => {
      const nm = execFileSync('llvm-nm-14', ['-S', join(dir, 'hypervisor.elf')], { encoding: 'utf8' });
      const line = nm.split('\n').find((l) => / hv_guest_0_dev_0_state$/.test(l))!;
      return Number.parseInt(line.trim().split(/\s+/)[1]!, 16);
    };
    expect(size(out)).toBeGreaterThan(size(small));
  });

  test('guest images are stored LZ4-compressed by default, as they are with CONFIG_HV_GUEST_IMAGE_LZ4_MAX=0, and the guests run the same either way', () => {
    const guestLines = (stdout: string) => stdout.split('\n').filter((l) => /^\[(alpha|beta)\] /.test(l)).sort();
    const imagesBytes = (elf: string) => Number.parseInt(/\.guest_images\s+PROGBITS\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(execFileSync('llvm-readelf-14', ['-S', '-W', elf], { encoding: 'utf8' }))![1]!, 16);
    const compressed = tempDir('lz4-on');
    const on = hvcc(['run', 'examples/two-guests/system.dts', '-O', compressed, '--timeout', '60']);
    expect(on.status).toBe(0);
    const plain = tempDir('lz4-off');
    expect(hvcc(['defconfig', 'qemu-virt-aarch64', '-O', plain]).status).toBe(0);
    const config = join(plain, '.config');
    writeFileSync(config, readFileSync(config, 'utf8').replace('CONFIG_HV_GUEST_IMAGE_LZ4_MAX=1024', 'CONFIG_HV_GUEST_IMAGE_LZ4_MAX=0'));
    const off = hvcc(['run', 'examples/two-guests/system.dts', '-O', plain, '--timeout', '60']);
    expect(off.status).toBe(0);
    expect(guestLines(on.stdout).length).toBeGreaterThanOrEqual(6);
    expect(guestLines(on.stdout)).toEqual(guestLines(off.stdout));
    const loads = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).guests.flatMap((g: { loads: unknown[] }) => g.loads) as { bytes: number; stored: number; lz4: boolean }[];
    expect(loads(compressed).every((l) => l.lz4 && l.stored < l.bytes)).toBe(true);
    expect(loads(plain).every((l) => !l.lz4 && l.stored === l.bytes)).toBe(true);
    // Each piece 16-byte aligned in .guest_images.
    const section = (ls: { stored: number }[]) => ls.reduce((a, l) => a + Math.ceil(l.stored / 16) * 16, 0);
    expect(imagesBytes(join(compressed, 'hypervisor.elf'))).toBe(section(loads(compressed)));
    expect(imagesBytes(join(plain, 'hypervisor.elf'))).toBe(section(loads(plain)));
    expect(imagesBytes(join(compressed, 'hypervisor.elf'))).toBeLessThan(imagesBytes(join(plain, 'hypervisor.elf')) * 0.7);
  }, 300_000);

  test('savedefconfig writes the minimal defconfig, as Linux does', () => {
    const out = tempDir('kconfig-save');
    expect(hvcc(['defconfig', 'qemu-virt-aarch64', '-O', out]).status).toBe(0);
    expect(hvcc(['savedefconfig', '-O', out, join(out, 'min')]).status).toBe(0);
    expect(readFileSync(join(out, 'min'), 'utf8')).toBe('CONFIG_HV_MAX_CPUS=4\n');
  });
});
