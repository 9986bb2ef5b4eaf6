/**
 * docs/explain/<CODE>.md: every HV2xxx, HV3xxx and HV4xxx code has a page; each page's Wrong example yields
 * its code and its Corrected example yields nothing (a description checked as if it were
 * examples/explain-<code>/system.dts, through `readFile`, with the page's component files on the search
 * path; a command line run as it is); `hvcc explain CODE` prints the page.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from '../../../compiler/driver/build.js';
import { main } from '../../../compiler/cli/main.js';
import { catalogue } from '../../../compiler/messages/catalogue.js';
import { examples, explanationsDir, type ExplanationExample } from '../../../compiler/explain/explain.js';
import { analyzeText, buildGuests, overlay, describeDiagnostic, problems, root } from './harness.js';

const codes = catalogue
  .flatMap((a) => a.messages)
  .map((m) => m.code)
  .filter((c) => /^HV[234]\d{3}$/.test(c));

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

/** Writes an example's component files into a fresh folder for the search path. */
function componentFolder(e: ExplanationExample): string[] {
  if (e.components.length === 0) return [];
  const dir = mkdtempSync(join(tmp, 'components-'));
  for (const f of e.components) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
  return [dir];
}

/** What an example yields: the codes of its problems, and their descriptions for a failure's message. */
async function run(e: ExplanationExample, file: string, options: ReturnType<typeof pageOptions>): Promise<{ codes: string[]; described: string[]; status?: number }> {
  if (e.command) {
    let out = '';
    const io = { stdout: (s: string | Uint8Array) => void (out += String(s)), stderr: (s: string | Uint8Array) => void (out += String(s)), color: false, cwd: root };
    const status = await main(e.command, io);
    return { codes: [...new Set([...out.matchAll(/\b(HV\d{4})\b/g)].map((m) => m[1]!))], described: [out], status };
  }
  const componentPath = componentFolder(e);
  // Examples live one folder below examples/, as examples/two-guests does: its relative paths hold.
  const source = e.source ?? readFileSync(join(root, 'examples', 'two-guests', 'system.dts'), 'utf8');
  const diagnostics = problems(analyzeText(file, source, { ...options, componentPath }).diagnostics);
  return { codes: diagnostics.map((d) => d.code), described: diagnostics.map(describeDiagnostic) };
}
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

  test.each(codes)('%s: the Wrong example yields it, the Corrected one nothing', async (code) => {
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
        expect(problems(analyzeText(file, e.source!, options).diagnostics).map(describeDiagnostic)).toEqual([]);
        const out = mkdtempSync(join(tmp, 'build-'));
        const readFile = overlay(file, e.source!);
        const result = build({ ...options, file, readFile, outDir: out, verbose: false, log: () => {} });
        expect(result.ok).toBe(false);
        expect(result.diagnostics.map((d) => d.code)).toContain(code);
        continue;
      }
      const found = await run(e, file, options);
      expect({ codes: found.codes, described: found.described }).toEqual({ codes: expect.arrayContaining([code]), described: found.described });
    }
    for (const e of corrected) {
      const found = await run(e, file, options);
      if (e.command) expect({ status: found.status, output: found.described }).toEqual({ status: 0, output: found.described });
      else expect(found.described).toEqual([]);
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
