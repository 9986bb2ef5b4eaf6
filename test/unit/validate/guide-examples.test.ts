/**
 * The whole systems the guides show (a ```dts block with `/dts-v1/;` and a `hvcc,hypervisor` node in
 * docs/*.md) validate without a diagnostic, checked as if they were examples/<name>/system.dts: a reader
 * who copies one starts from a clean description. (The explain pages' examples are explain.test.ts's.)
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText, describeDiagnostic, problems, root } from './harness.js';

const pages = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'));
const systems = pages.flatMap((page) =>
  [...readFileSync(join(root, 'docs', page), 'utf8').matchAll(/^```dts\n([\s\S]*?)^```$/gm)]
    .map((m, i) => ({ page, index: i + 1, text: m[1]! }))
    .filter((b) => b.text.includes('/dts-v1/;') && b.text.includes('"hvcc,hypervisor"')),
);

describe("the guides' whole systems", () => {
  test('there are some (the pattern still finds them)', () => {
    expect(systems.map((s) => s.page)).toContain('description.md');
  });

  test.each(systems.map((s) => [`${s.page}, dts block ${s.index}`, s] as const))('%s validates with no problems', (_, s) => {
    const file = join(root, 'examples', `guide-${s.page.replace(/\.md$/, '')}-${s.index}`, 'system.dts');
    expect(problems(analyzeText(file, s.text).diagnostics).map(describeDiagnostic)).toEqual([]);
  });
});
