/**
 * docs/explain/<CODE>.md: every HV3xxx and HV2xxx code, HV4006 and HV4007 has a page; each page's Wrong
 * example yields its code and its Corrected example yields nothing (checked as if it were
 * examples/explain-<code>/system.dts, through `readFile`); `hvcc explain CODE` prints the page.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../../compiler/driver/build.js';
import { main } from '../../../compiler/cli/main.js';
import { catalogue } from '../../../compiler/messages/catalogue.js';
import { examples, explanationsDir } from '../../../compiler/explain/explain.js';
import { analyzeText, buildGuests, overlay, describeDiagnostic, problems, root } from './harness.js';

const codes = catalogue
  .flatMap((a) => a.messages)
  .map((m) => m.code)
  .filter((c) => /^HV3\d{3}$/.test(c) || /^HV2\d{3}$/.test(c) || c === 'HV4006' || c === 'HV4007');

/** Codes only `hvcc build` reports (after the toolchain): their Wrong example is checked by a real build. */
const BUILD_ONLY = new Set(['HV3015']);

function page(code: string): string {
  return readFileSync(join(explanationsDir, `${code}.md`), 'utf8');
}

/** The page's ```kconfig block, if any, is the configuration both examples are checked with. */
function pageOptions(markdown: string, dir: string): { configFile?: string; disabled: Set<string> } {
  const kconfig = /^```kconfig\n([\s\S]*?)^```$/m.exec(markdown);
  const disabled = new Set([...markdown.matchAll(/checked with `-W no-([a-z0-9-]+)`/g)].map((m) => m[1]!));
  if (!kconfig) return { disabled };
  const configFile = join(dir, 'config');
  writeFileSync(configFile, kconfig[1]!);
  return { configFile, disabled };
}

let tmp: string;
beforeAll(() => {
  buildGuests();
  tmp = mkdtempSync(join(tmpdir(), 'hvcc-explain-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('explanations', () => {
  test('every page is for a catalogue code, and the codes in scope all have one', () => {
    const pages = readdirSync(explanationsDir).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3));
    const all = new Set(catalogue.flatMap((a) => a.messages).map((m) => m.code));
    for (const p of pages) expect(all.has(p) ? p : `${p} (not in the catalogue)`).toBe(p);
    expect(codes.filter((c) => !pages.includes(c))).toEqual([]);
  });

  test.each(codes)('%s: the Wrong example yields it, the Corrected one nothing', (code) => {
    const markdown = page(code);
    expect(markdown.startsWith(`# ${code}: `)).toBe(true);
    const found = examples(markdown);
    const wrong = found.filter((e) => e.kind === 'wrong');
    const corrected = found.filter((e) => e.kind === 'corrected');
    expect(wrong.length).toBeGreaterThan(0);
    expect(corrected.length).toBeGreaterThan(0);
    const file = join(root, 'examples', `explain-${code.toLowerCase()}`, 'system.dts');
    const options = pageOptions(markdown, tmp);

    for (const e of wrong) {
      if (BUILD_ONLY.has(code)) {
        // validate cannot see it: the analysis is clean, the real build reports it.
        expect(problems(analyzeText(file, e.source, options).diagnostics).map(describeDiagnostic)).toEqual([]);
        const out = mkdtempSync(join(tmp, 'build-'));
        const readFile = overlay(file, e.source);
        const result = build({ ...options, file, readFile, outDir: out, verbose: false, log: () => {} });
        expect(result.ok).toBe(false);
        expect(result.diagnostics.map((d) => d.code)).toContain(code);
        continue;
      }
      const codesFound = problems(analyzeText(file, e.source, options).diagnostics).map((d) => d.code);
      expect(codesFound).toContain(code);
    }
    for (const e of corrected) {
      expect(problems(analyzeText(file, e.source, options).diagnostics).map(describeDiagnostic)).toEqual([]);
    }
  });

  test('`hvcc explain` prints the page, by code and by check name', async () => {
    let out = '';
    const io = { stdout: (s: string | Uint8Array) => void (out += String(s)), stderr: () => {}, color: false, cwd: root };
    expect(await main(['explain', 'HV3004'], io)).toBe(0);
    expect(out).toBe(page('HV3004'));
    out = '';
    expect(await main(['explain', 'cpu-shared'], io)).toBe(0);
    expect(out).toContain('## Corrected');
  });
});
