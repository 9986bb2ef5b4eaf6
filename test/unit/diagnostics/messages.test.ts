import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogue } from '../../../compiler/messages/catalogue.js';
import { checksMarkdown, diagnosticsMarkdown, optionsMarkdown } from '../../../compiler/docs/generate.js';
import { packageRoot } from '../../../compiler/paths.js';

describe('message catalogue', () => {
  const all = catalogue.flatMap((a) => a.messages);

  test('codes and names are unique', () => {
    expect(new Set(all.map((m) => m.code)).size).toBe(all.length);
    expect(new Set(all.map((m) => m.name)).size).toBe(all.length);
  });

  test('codes are in their area and well formed', () => {
    for (const area of catalogue) {
      const digit = /HV(\d)xxx/.exec(area.area)![1];
      for (const m of area.messages) {
        expect(m.code).toMatch(new RegExp(`^HV${digit}\\d{3}$`));
        expect(m.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      }
    }
  });

  test('docs/diagnostics.md is the generated one (run `npm run docs`)', () => {
    expect(readFileSync(join(packageRoot, 'docs', 'diagnostics.md'), 'utf8')).toBe(diagnosticsMarkdown());
  });

  test('docs/options.md is the generated one (run `npm run docs`)', () => {
    expect(readFileSync(join(packageRoot, 'docs', 'options.md'), 'utf8')).toBe(optionsMarkdown());
  });

  test('docs/checks.md is the generated one (run `npm run docs`)', () => {
    expect(readFileSync(join(packageRoot, 'docs', 'checks.md'), 'utf8')).toBe(checksMarkdown());
  });
});
