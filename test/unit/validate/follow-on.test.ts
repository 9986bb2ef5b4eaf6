/**
 * A device node its binding rejects is reported once, for what is wrong with it: the checks after the model
 * neither read its properties (whose meaning the binding would have given) nor take it for something else.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText, problems, root } from './harness.js';

function errors(example: string, edit: (text: string) => string) {
  const file = join(root, 'examples', example, 'system.dts');
  const text = readFileSync(file, 'utf8');
  const edited = edit(text);
  expect(edited).not.toBe(text);
  return problems(analyzeText(file, edited).diagnostics)
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.code} ${d.message}`);
}

describe('the rest of a description is still read', () => {
  test("a wrong optional property of /hypervisor (system-name) is reported, and the guests are checked too", () => {
    const found = errors('two-guests', (t) => t.replace('compatible = "hvcc,hypervisor";', 'compatible = "hvcc,hypervisor";\n\t\tsystem-name = "my system";').replace('host-address = <0x0 0x48000000>;', 'host-address = <0x0 0x3f000000>;'));
    expect(found.map((e) => e.slice(0, 6))).toEqual(['HV2007', 'HV3003']);
  });
});

describe('no follow-on errors from a rejected memory node', () => {
  test("a 'reg' of size 0: HV2002 alone, not also 'at least 1 entry' and 'has no memory'", () => {
    expect(errors('two-guests', (t) => t.replace('reg = <0x0 0x40000000 0x0 0x01000000>;\t/* 16 MiB', 'reg = <0x0 0x40000000 0x0 0x0>;\t/* 16 MiB'))).toEqual(["HV2002 /guests/alpha/memory@40000000: a 'reg' entry has size 0"]);
  });

  test('a misspelled device_type: HV3009 says which node is not RAM, and why', () => {
    const file = join(root, 'examples', 'two-guests', 'system.dts');
    const text = readFileSync(file, 'utf8').replace('device_type = "memory";', 'device_type = "memroy";');
    const d = problems(analyzeText(file, text).diagnostics).find((x) => x.code === 'HV3009')!;
    expect(d.related.map((r) => r.message)).toEqual(['not RAM: its device_type is "memroy", not "memory"']);
    expect(d.help).toBe('give memory@40000000 `device_type = "memory";`');
  });
});

describe('no follow-on errors from a rejected device', () => {
  test("a network card without its required 'local-mac-address': HV2001, not HV3037 for its 'network' reference", () => {
    expect(errors('virtio-net', (t) => t.replace(/\n\s*local-mac-address = \[52 54 00 00 00 0a\];/, ''))).toEqual(["HV2001 /guests/a/ethernet@a000000 needs a 'local-mac-address' property"]);
  });

  test('a doorbell whose interrupts are a string: HV2002 alone, not HV3037 for its references nor HV3074 in the guest that rings it', () => {
    const found = errors('shared-memory', (t) => t.replace('interrupts = <0 20 4>;', 'interrupts = "spi20";'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^HV2002 .*doorbell@[0-9a-f]+: 'interrupts' must be interrupt specifiers/);
  });
});

describe('an empty region or extent is refused where it is written, not by what it does to its users', () => {
  test("a shared region of size 0: HV2007 on its 'size' alone, not HV3073 for each window (with the advice to make the window empty)", () => {
    expect(errors('shared-memory', (t) => t.replace('size = <0x0 0x10000>;', 'size = <0x0 0x0>;'))).toEqual(["HV2007 /hypervisor/ring: 'size' must be at least 4096"]);
  });

  test("a disk of size 0: HV2007 on its 'size' alone", () => {
    expect(errors('guest-disk', (t) => t.replace('size = <0x0 0x04000000>;', 'size = <0x0 0x0>;'))).toEqual(["HV2007 /hypervisor/disk0: 'size' must be at least 512"]);
  });

  test("an extent of 0 bytes: HV2007 on its 'disk-size'", () => {
    const found = errors('guest-disk', (t) => t.replace('disk-size = <0x0 0x00100000>;', 'disk-size = <0x0 0x0>;'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^HV2007 \/guests\/\w+\/\S+: 'disk-size' must be at least 512$/);
  });
});

describe('no follow-on errors from a rejected region, disk or network under /hypervisor', () => {
  test("a shared region whose size is a string: HV2002 alone, not HV3074 for each doorbell of the region", () => {
    const found = errors('shared-memory', (t) => t.replace('size = <0x0 0x10000>;', 'size = "64K";'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^HV2002 \/hypervisor\/ring: 'size' must be a number/);
  });

  test("a disk on a node that is not a transport: HV2004 alone, not HV3075 ('not a disk') for each guest's extent", () => {
    expect(errors('guest-disk', (t) => t.replace(/(compatible = "hvcc,virtio-disk";\s*device = )<&[\w]+>/, '$1<&cpu0>'))).toEqual([
      "HV2004 /hypervisor/disk0: 'device' refers to /cpus/cpu@0, which is not a virtio-mmio transport of the board (compatible = \"virtio,mmio\")",
    ]);
  });

  test("a network whose uplink is not a transport: HV2004 alone, not HV3037 ('not a network') for each card on it", () => {
    expect(errors('guest-network', (t) => t.replace('compatible = "hvcc,network";', 'compatible = "hvcc,network";\n\t\t\tuplink = <&cpu0>;'))).toEqual([
      "HV2004 /hypervisor/lan: 'uplink' refers to /cpus/cpu@0, which is not a virtio-mmio transport of the board (compatible = \"virtio,mmio\")",
    ]);
  });
});

describe("an NS16550A's register layout is one its driver and emulator can use", () => {
  test('reg-io-width 3 on the host console: HV2007 names the widths there are (1, 2, 4)', () => {
    const found = errors('riscv64/two-guests', (t) => t.replace('/ {', '&uart0 { reg-io-width = <3>; };\n\n/ {'));
    expect(found).toEqual(["HV2007 /soc/serial@10000000: 'reg-io-width' must be one of 1, 2, 4"]);
  });

  test('reg-shift 32 on an emulated UART (a shift C cannot do): HV2007, at most 3', () => {
    const found = errors('riscv64/two-guests', (t) => t.replace('compatible = "ns16550a";', 'compatible = "ns16550a";\n\t\t\t\treg-shift = <32>;'));
    expect(found).toEqual([expect.stringMatching(/^HV2007 \/guests\/\w+\/serial@10000000: 'reg-shift' must be at most 3$/)]);
  });

  test('reg-io-width 2 and 4 are taken', () => {
    for (const width of [2, 4]) expect(errors('riscv64/two-guests', (t) => t.replace('/ {', `&uart0 { reg-shift = <2>; reg-io-width = <${width}>; };\n\n/ {`))).toEqual([]);
  });
});
