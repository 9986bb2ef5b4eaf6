/**
 * Interrupts are decoded through the binding of the controller they go to, and checked against what that
 * controller's emulator declares it can deliver (with Kconfig counts resolved).
 */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeText, problems, root } from './harness.js';

const file = join(root, 'test', 'fixtures', 'systems', 'vgic', 'system.dts');
const base = readFileSync(file, 'utf8');
/** The vgic fixture with its UART's interrupt specifier replaced. */
const withUart = (spec: string) => base.replace(/(uart@9000000 \{[^}]*?interrupts = )<[^>]*>;/, `$1<${spec}>;`);

describe('interrupts through their controller', () => {
  test('the fixture wires its UART to SPI 1 (ID 33), decoded through the virtual GIC\'s binding', () => {
    expect(withUart('0 1 4')).toBe(base);
    const result = analyzeText(file, base);
    expect(problems(result.diagnostics)).toEqual([]);
    const uart = result.system!.guests[0]!.devices.find((d) => d.name === 'uart@9000000')!;
    expect(uart.interrupts).toEqual([expect.objectContaining({ controller: '/guests/irq/intc@8000000', kind: 'SPI', number: 1, id: 33, flags: 4 })]);
  });

  test('an SPI the virtual GIC does not have (it has CONFIG_HV_VGIC_SPIS of them) is an error at the specifier, with the way out', () => {
    const result = analyzeText(file, withUart('0 100 4'));
    const errors = problems(result.diagnostics);
    expect(errors.map((d) => d.code)).toEqual(['HV3025']);
    expect(errors[0]!.message).toContain('SPI 100 (ID 132) cannot be delivered');
    expect(errors[0]!.message).toContain('IDs 32-95 (CONFIG_HV_VGIC_SPIS = 64)');
    expect(errors[0]!.help).toContain('raise CONFIG_HV_VGIC_SPIS');
    const text = withUart('0 100 4');
    const line = text.split('\n').findIndex((l) => l.includes('<0 100 4>')) + 1;
    expect(errors[0]!.span?.start.line).toBe(line);
  });

  test('with more SPIs configured, the same description is clean', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-spis-'));
    writeFileSync(join(dir, 'config'), 'CONFIG_HV_VGIC_SPIS=128\n');
    expect(problems(analyzeText(file, withUart('0 100 4'), { configFile: join(dir, 'config') }).diagnostics)).toEqual([]);
  });

  test('a specifier its controller cannot read, and one of an unknown kind, are HV3023', () => {
    // dtc's interrupts_property check sees the cell count too.
    expect(problems(analyzeText(file, withUart('0 1')).diagnostics).map((d) => [d.code, d.message])).toEqual([
      ['HV1130', expect.stringContaining('expected multiple of 12')],
      ['HV3023', expect.stringContaining("'interrupts' has 2 cells; /guests/irq/intc@8000000 takes 3 per interrupt (type, number, flags)")],
    ]);
    expect(problems(analyzeText(file, withUart('2 1 4')).diagnostics).map((d) => [d.code, d.message])).toEqual([
      ['HV3023', expect.stringContaining('interrupt type 2 is not one /guests/irq/intc@8000000 has: SPI (0), PPI (1)')],
    ]);
  });

  test('a trigger type the virtual GIC does not take (falling edge, both edges, low level) is HV3023 at the specifier', () => {
    for (const flags of [2, 3, 8]) {
      const text = withUart(`0 1 ${flags}`);
      const found = problems(analyzeText(file, text).diagnostics);
      expect(found.map((d) => [d.code, d.message])).toEqual([['HV3023', expect.stringContaining(`SPI 1 has trigger flags ${flags} (`)]]);
      expect(found[0]!.message).toContain('which /guests/irq/intc@8000000 does not take: 0 (none), 1 (edge, rising), 4 (level, high)');
      const line = text.split('\n').findIndex((l) => l.includes(`interrupts = <0 1 ${flags}>`)) + 1;
      expect(found[0]!.span!.start.line).toBe(line);
    }
    for (const flags of [0, 1, 4]) expect(problems(analyzeText(file, withUart(`0 1 ${flags}`)).diagnostics)).toEqual([]);
  });
});

describe('interrupts through a virtual PLIC (riscv64)', () => {
  const plicFile = join(root, 'examples', 'riscv64', 'plic', 'system.dts');
  const plicBase = readFileSync(plicFile, 'utf8');
  const withSource = (n: string) => plicBase.replace(/(serial@10000000 \{[^}]*?interrupts = )<[^>]*>;/, `$1<${n}>;`);

  test('the example wires its UART to source 10, decoded through the PLIC\'s one-cell binding', () => {
    const result = analyzeText(plicFile, plicBase);
    expect(problems(result.diagnostics)).toEqual([]);
    const uart = result.system!.guests[0]!.devices.find((d) => d.name === 'serial@10000000')!;
    expect(uart.interrupts).toEqual([expect.objectContaining({ controller: '/guests/plic/plic@c000000', id: 10 })]);
  });

  test('a source beyond CONFIG_HV_VPLIC_SOURCES is an error at the specifier; more sources configured make it clean', () => {
    const errors = problems(analyzeText(plicFile, withSource('100')).diagnostics);
    expect(errors.map((d) => d.code)).toEqual(['HV3025']);
    expect(errors[0]!.message).toContain('interrupt 100 cannot be delivered by /guests/plic/plic@c000000 (vplic-emulator): it delivers sources: IDs 1-63 (CONFIG_HV_VPLIC_SOURCES = 63)');
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-plic-'));
    writeFileSync(join(dir, 'config'), 'CONFIG_HV_VPLIC_SOURCES=127\n');
    expect(problems(analyzeText(plicFile, withSource('100'), { configFile: join(dir, 'config') }).diagnostics)).toEqual([]);
  });

  test('source 0 (no interrupt on a PLIC) is refused too', () => {
    expect(problems(analyzeText(plicFile, withSource('0')).diagnostics).map((d) => d.code)).toEqual(['HV3025']);
  });
});
