/**
 * Descriptions far larger than boards are (generated ones): every problem is still reported, rendered and
 * counted, and the compiler does not fail inside. 40,000 nodes with four warnings each are 160,000
 * diagnostics, more than one JavaScript call takes as spread arguments (the limit that used to crash here).
 */
import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { renderDiagnostic } from '../../../compiler/diagnostics/render.js';
import { append } from '../../../compiler/util/arrays.js';
import { analyzeText } from '../validate/harness.js';

const NODES = 40_000;

function generated(duplicates: number): string {
  const lines = ['/dts-v1/;', '/ {'];
  for (let i = 0; i < NODES; i++) lines.push(`\tnode${i} { reg = <0x${(i * 16).toString(16)} 0x10>; };`);
  for (let i = 0; i < duplicates; i++) lines.push('\ttwin { };');
  lines.push('};', '');
  return lines.join('\n');
}

describe('a generated description of 40,000 nodes', () => {
  test('160,000 warnings are all reported, the last rendered with its line, and the duplicate node names as dtc reports them', () => {
    const file = join(tmpdir(), 'hvcc-large', 'system.dts');
    const text = generated(3);
    const result = analyzeText(file, text);
    expect(result.diagnostics.filter((d) => d.code === 'HV0002')).toEqual([]);
    const perNode = ['HV1122', 'HV1125', 'HV1127'];
    expect(result.diagnostics.filter((d) => perNode.includes(d.code))).toHaveLength(4 * NODES);
    // dtc compares every pair: the second 'twin' is reported once, the third twice.
    const twins = result.diagnostics.filter((d) => d.message.includes('Duplicate node name')).map((d) => d.span!.start.line);
    expect(twins).toEqual([NODES + 4, NODES + 5, NODES + 5]);
    const last = result.diagnostics.filter((d) => d.code === 'HV1125').at(-1)!;
    expect(renderDiagnostic(last, { color: false, cwd: tmpdir(), sources: result.sources })).toContain(`node${NODES - 1} { reg = <0x${((NODES - 1) * 16).toString(16)} 0x10>; };`);
  }, 120_000);
});

describe('append', () => {
  test('appends more items than a call takes as arguments', () => {
    const many = Array.from({ length: 500_000 }, (_, i) => i);
    expect(() => [].push(...(many as never[]))).toThrow(RangeError);
    const to = [-1];
    expect(append(to, many)).toBe(to);
    expect(to).toHaveLength(500_001);
    expect(to.at(-1)).toBe(499_999);
  });
});
