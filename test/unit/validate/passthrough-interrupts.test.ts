/**
 * Passed-through devices' interrupts are forwarded to the guest's virtual interrupt controller under their
 * own numbers: the layout lists them, the guest's tree keeps them, and the checks treat them as taken.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../compiler/driver/analyze.js';
import { analyzeText, buildGuests, describeDiagnostic, problems, root } from './harness.js';

const file = join(root, 'examples', 'passthrough', 'system.dts');
const source = () => readFileSync(file, 'utf8');

beforeAll(() => buildGuests());

describe('forwarded passthrough interrupts', () => {
  test('the example forwards the PL031 alarm (SPI 2) to "clock" and validates clean', () => {
    const result = analyze({ file });
    expect(result.diagnostics.map(describeDiagnostic)).toEqual([]);
    const clock = result.layout!.guests.find((g) => g.name === 'clock')!;
    expect(clock.passthroughIrqs).toEqual([{ id: 34, flags: 4, device: '/pl031@9010000' }]);
    const node = clock.deviceTree!.root.children.find((n) => n.name === 'pl031')!;
    expect(node.properties.map((p) => p.name)).toContain('interrupts');
    expect(result.layout!.guests.find((g) => g.name === 'nosy')!.passthroughIrqs).toBeUndefined();
  });

  test('without a virtual interrupt controller the guest must poll (HV3043)', () => {
    const text = source().replace(/\t\t\tintc@8000000 \{[\s\S]*?\n\t\t\t\};\n/, '');
    const result = analyzeText(file, text);
    expect(problems(result.diagnostics).map((d) => d.code)).toEqual(['HV3043']);
    expect(result.layout?.guests.find((g) => g.name === 'clock')?.passthroughIrqs).toBeUndefined();
  });

  test('an emulated device of the guest cannot raise a forwarded interrupt (HV3024), nor a virtio one (HV3070)', () => {
    const uart = source().replace(
      '\t\t\tuart@9000000 {\n\t\t\t\tcompatible = "arm,pl011", "arm,primecell";\n\t\t\t\treg = <0x0 0x09000000 0x0 0x1000>;\n\t\t\t\tclock-frequency',
      '\t\t\tuart@9000000 {\n\t\t\t\tcompatible = "arm,pl011", "arm,primecell";\n\t\t\t\treg = <0x0 0x09000000 0x0 0x1000>;\n\t\t\t\tinterrupts = <0 2 4>;\n\t\t\t\tclock-frequency',
    );
    expect(uart).not.toBe(source());
    expect(problems(analyzeText(file, uart).diagnostics).map((d) => d.code)).toEqual(['HV3024']);
    const virtio = source().replace(
      '\t\t\tintc@8000000 {',
      '\t\t\tvirtio@a000000 {\n\t\t\t\tcompatible = "hvcc,virtio-console", "virtio,mmio";\n\t\t\t\treg = <0x0 0x0a000000 0x0 0x1000>;\n\t\t\t\tinterrupts = <0 2 4>;\n\t\t\t};\n\n\t\t\tintc@8000000 {',
    );
    expect(problems(analyzeText(file, virtio).diagnostics).map((d) => d.code)).toEqual(['HV3070']);
  });
});

describe('passed-through windows', () => {
  test('a device passed through beyond the guest address space is HV3007 at the passthrough, not a table-building failure', () => {
    const text = `${source()}\n&rtc {\n\treg = <0x80 0x09010000 0x0 0x1000>;\n};\n`;
    const codes = problems(analyzeText(file, text).diagnostics).map((d) => d.code);
    expect(codes).toContain('HV3007');
    expect(codes).toEqual(['HV3007']);
  });
});
