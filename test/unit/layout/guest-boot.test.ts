import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../compiler/driver/analyze.js';
import { packageRoot } from '../../../compiler/paths.js';

/** A minimal arm64 Image: the 64-byte header (text_offset, image_size, magic "ARM\x64") and some payload. */
function fakeLinuxImage(textOffset: bigint, imageSize: bigint, payload: number): Uint8Array {
  const bytes = new Uint8Array(64 + payload);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0x08, textOffset, true);
  view.setBigUint64(0x10, imageSize, true);
  view.setUint32(0x38, 0x644d5241, true);
  return bytes;
}

function system(dir: string, guestBody: string): string {
  const file = join(dir, 'system.dts');
  writeFileSync(
    file,
    `/dts-v1/;
/include/ "${packageRoot}/boards/qemu-virt-aarch64/board.dtsi"
/ {
	reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
		hv_ram: hypervisor@40000000 { reg = <0x0 0x40000000 0x0 0x00400000>; no-map; }; };
	hypervisor { compatible = "hvcc,hypervisor"; memory-region = <&hv_ram>; console = <&uart0>; };
	guests {
		linux {
			compatible = "hvcc,guest";
			#address-cells = <2>;
			#size-cells = <2>;
			cpus = <&cpu1 &cpu2>;
${guestBody}
		};
	};
};
`,
  );
  return file;
}

function lineOf(file: string, text: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
}

describe('guest boot files', () => {
  test('a Linux Image, an initrd and the generated device tree are placed as arm64 Linux wants', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-boot-'));
    writeFileSync(join(dir, 'Image'), fakeLinuxImage(0n, 0x30_0000n, 4096));
    writeFileSync(join(dir, 'initrd'), new Uint8Array(12345));
    const file = system(
      dir,
      `			image = "Image";
			initrd = "initrd";
			bootargs = "console=ttyAMA0 rdinit=/init";
			memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x08000000>; };`,
    );
    const result = analyze({ file });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const g = result.layout!.guests[0]!;
    expect(g.imageFormat).toBe('kernel');
    expect(g.entry).toBe(0x4000_0000n);
    const [kernel, initrd, dtb] = g.segments;
    // The kernel's image_size (3 MiB) is reserved: the initrd starts after it, page aligned.
    expect(kernel!.ipa).toBe(0x4000_0000n);
    expect(BigInt(kernel!.data.length) + kernel!.zeroSize).toBe(0x30_0000n);
    expect(initrd!.ipa).toBe(0x4030_0000n);
    // The device tree goes on the next 2 MiB boundary, and x0 points at it.
    expect(dtb!.ipa).toBe(0x4040_0000n);
    expect(g.bootArg).toBe(0x4040_0000n);
    // Every piece lands where the guest's RAM really is.
    const ram = g.memory[0]!;
    for (const s of g.segments) expect(s.destPa).toBe(ram.pa + (s.ipa - ram.ipa));

    // The blob is one dtc reads, with /chosen naming the initrd the layout placed.
    writeFileSync(join(dir, 'guest.dtb'), dtb!.data);
    const dts = execFileSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', join(dir, 'guest.dtb')], { encoding: 'utf8' });
    expect(dts).toContain('bootargs = "console=ttyAMA0 rdinit=/init";');
    expect(dts).toContain('linux,initrd-start = <0x00 0x40300000>;');
    expect(dts).toContain(`linux,initrd-end = <0x00 ${'0x' + (0x4030_0000 + 12345).toString(16)}>;`);
    expect(dts).toMatch(/cpu@1 \{[^}]*enable-method = "psci";/);
    expect(dts).toContain('method = "hvc";');
  });

  test('an initrd that does not fit is located and coded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-boot-'));
    writeFileSync(join(dir, 'Image'), fakeLinuxImage(0n, 0x10_0000n, 4096));
    writeFileSync(join(dir, 'initrd'), new Uint8Array(0x20_0000));
    const file = system(
      dir,
      `			image = "Image";
			initrd = "initrd";
			memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x00200000>; };`,
    );
    const d = analyze({ file }).diagnostics.find((x) => x.code === 'HV3035');
    expect(d?.span?.file).toBe(file);
    expect(d?.span?.start.line).toBe(lineOf(file, 'initrd = "initrd";'));
  });

  test('a reference from inside a guest to a board node is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-boot-'));
    writeFileSync(join(dir, 'Image'), fakeLinuxImage(0n, 0x10_0000n, 4096));
    const file = system(
      dir,
      `			image = "Image";
			memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x01000000>; };
			uart@9000000 { compatible = "arm,pl011"; reg = <0x0 0x09000000 0x0 0x1000>; clocks = <&apb_pclk>; };`,
    );
    const d = analyze({ file }).diagnostics.find((x) => x.code === 'HV3037');
    expect(d?.message).toContain('&apb_pclk');
    expect(d?.span?.start.line).toBe(lineOf(file, 'clocks = <&apb_pclk>'));
  });
});
