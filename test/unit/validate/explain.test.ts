/**
 * docs/explain/<CODE>.md: every code of the catalogue has a page (HV4001-HV4005, the runtime's own
 * component errors, aside), and every example on a page is run:
 *
 * - ```dts: a system description, checked as examples/explain-<code>/system.dts by `analyze` (what
 *   `hvcc validate` runs); on HV1xxx pages a device-tree source, checked by the front end alone (`parseDts`
 *   as `hvcc validate` calls it, plus the `hvcc dtc` options the page names);
 * - ```kconfig: a Kconfig file, examples/explain-<code>/Kconfig, loaded and resolved;
 * - ```config: a .config, read against the page's Kconfig (a ```kconfig file=Kconfig block) or the runtime's;
 * - ```sh: hvcc command lines, run by bin/hvcc.js in a copy of examples/explain-<code>/ holding the page's
 *   file=NAME blocks (with boards/, examples/guests/ and examples/two-guests/ where they are in the tree);
 *   component pages put their components there (file=components-wrong/NAME/manifest.json, say).
 *
 * A Wrong example yields its code (a command line prints it); a Corrected one yields nothing (a command line
 * exits 0). A ```config before the first example is the configuration its ```dts examples are checked with.
 * "Switch it off with `-W no-NAME`" is checked too: NAME is a check, and it silences the Wrong example.
 * Pages of codes no input can produce (EXEMPT) say why and have no examples.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from '../../../compiler/driver/build.js';
import { main } from '../../../compiler/cli/main.js';
import { switchableChecks } from '../../../compiler/cli/warnings.js';
import { catalogue } from '../../../compiler/messages/catalogue.js';
import type { Diagnostic } from '../../../compiler/diagnostics/diagnostic.js';
import { parseDts } from '../../../compiler/dts/index.js';
import { examples, explanationsDir, pageBlocks, type PageBlock } from '../../../compiler/explain/explain.js';
import { FileFailure, tryReadBytes } from '../../../compiler/fs/files.js';
import { loadKconfig, readDotConfig, resolve } from '../../../compiler/kconfig/index.js';
import { runtimeDir } from '../../../compiler/paths.js';
import { analyzeText, buildGuests, overlay, describeDiagnostic, problems, root } from './harness.js';

/** Every code is in scope: component errors have pages too, their examples command lines with component folders. */
const OUT_OF_SCOPE = new Set<string>();

/** Codes with a page but no example: nothing a user writes or types produces them (the page says the same). */
export const EXEMPT: Record<string, string> = {
  HV0002: 'internal-error is a bug in hvcc: no input is meant to produce it.',
  HV0007: 'permission-denied: hvcc runs as root here, and root may read and write every ordinary file (tested in test/unit/fs/files.test.ts through sysfs).',
  HV0008: 'io-error: a full disk, an I/O error, a link loop, a name too long; not something to write down as an example (tested in test/unit/fs/files.test.ts).',
  HV1022: 'nested-too-deeply: a source 129 levels deep does not fit on a page (tested in test/unit/dts/errors.test.ts).',
  HV1023: 'source-too-large: 16 MiB of source does not fit on a page (tested in test/unit/dts/errors.test.ts).',
  HV1018: "read-error: the front end's report of an entry file it cannot open; hvcc's commands report a missing description as HV0001 before the front end runs, and `hvcc dtc` prints dtc's words, without codes.",
  HV1019: 'bad-dtb: reported by `hvcc dtc -I dtb` and `hvcc fdtoverlay`, which print dtc\'s and fdtoverlay\'s words, without codes (tested in test/unit/dts/errors.test.ts).',
  HV1121: "addr-size-cells: dtc's addr_size_cells check reports nothing itself; it only runs the #address-cells/#size-cells checks (HV1112, HV1113) first.",
  HV5003: 'ir-link-failed: two runtime components defining one symbol; no description can cause it.',
  HV5004: 'ir-verify-failed: the linked module failing the IR verifier is a bug of the code generator or the runtime.',
  HV5005: 'output-write: no longer reported; a file that cannot be written is HV0004-HV0008 (compiler/fs).',
  HV6016: "kconfig-shell-failed: only when /bin/sh itself cannot be started; a command that fails is not an error (as in Linux).",
  HV6017: 'kconfig-too-deep: thousands of nested levels, which only a generator writes (tested in test/unit/kconfig/errors.test.ts).',
};

const codes = catalogue
  .flatMap((a) => a.messages)
  .map((m) => m.code)
  .filter((c) => !OUT_OF_SCOPE.has(c));

/** Codes only `hvcc build` reports (after the toolchain): their Wrong example is checked by a real build. */
const BUILD_ONLY = new Set(['HV3015']);

function page(code: string): string {
  return readFileSync(join(explanationsDir, `${code}.md`), 'utf8');
}

/** Where the examples of a page pretend to be. */
const exampleDir = (code: string) => join(root, 'examples', `explain-${code.toLowerCase()}`);

/** The page's ```config block before its examples, if any: the configuration its ```dts examples are checked with. */
function pageOptions(markdown: string, dir: string): { configFile?: string; disabled: Set<string> } {
  const disabled = new Set([...markdown.matchAll(/checked with `-W no-([a-z0-9-]+)`/g)].map((m) => m[1]!));
  const config = pageBlocks(markdown).find((b) => b.lang === 'config' && b.kind === undefined && b.file === undefined);
  if (!config) return { disabled };
  const configFile = join(dir, 'config');
  writeFileSync(configFile, config.text);
  return { configFile, disabled };
}

/** A reader with the page's files (file=NAME blocks) in the example folder and everything else from disk. */
function pageReader(code: string, blocks: PageBlock[], main?: { path: string; text: string }) {
  const files = new Map(blocks.filter((b) => b.file !== undefined).map((b) => [join(exampleDir(code), b.file!), b.text]));
  if (main) files.set(main.path, main.text);
  return (path: string): string | Uint8Array | undefined | FileFailure => {
    const own = files.get(path);
    if (own !== undefined) return own;
    const r = tryReadBytes(path);
    return r instanceof FileFailure && r.missing ? undefined : r;
  };
}

/** hvcc dtc options a page names ("checked with `hvcc dtc -W x -@`"). */
function dtcOptions(markdown: string): { checkFlags: { kind: 'W' | 'E'; arg: string }[]; symbols: boolean } {
  const m = /checked with `hvcc dtc ([^`]*)`/.exec(markdown);
  const words = m ? m[1]!.split(/\s+/) : [];
  const checkFlags: { kind: 'W' | 'E'; arg: string }[] = [];
  for (let i = 0; i < words.length; i++) if (words[i] === '-W' || words[i] === '-E') checkFlags.push({ kind: words[i]!.slice(1) as 'W' | 'E', arg: words[++i]! });
  return { checkFlags, symbols: words.includes('-@') };
}

function frontEnd(code: string, markdown: string, blocks: PageBlock[], source: string, off: string[] = []): Diagnostic[] {
  const path = join(exampleDir(code), 'system.dts');
  const checks = Object.fromEntries(off.map((name) => [name, 'off' as const]));
  return parseDts(path, { readFile: pageReader(code, blocks, { path, text: source }), allChecks: true, checks, ...dtcOptions(markdown) }).diagnostics;
}

function kconfigDiagnostics(code: string, blocks: PageBlock[], source: string): Diagnostic[] {
  const dir = exampleDir(code);
  const path = join(dir, 'Kconfig');
  const read = pageReader(code, blocks, { path, text: source });
  const loaded = loadKconfig(path, {
    cwd: dir,
    env: { srctree: dir },
    readFile: (p) => {
      const r = read(p.startsWith('/') ? p : join(dir, p));
      return r === undefined || r instanceof FileFailure ? undefined : typeof r === 'string' ? r : Buffer.from(r).toString('latin1');
    },
    listDir: (d) => {
      const abs = d.startsWith('/') ? d : join(dir, d);
      const names = blocks.filter((b) => b.file !== undefined && dirname(join(dir, b.file)).startsWith(abs)).map((b) => join(dir, b.file!).slice(abs.length + 1).split('/')[0]!);
      return [...new Set(names)];
    },
  });
  if (loaded.diagnostics.some((d) => d.severity === 'error')) return loaded.diagnostics;
  return [...loaded.diagnostics, ...resolve(loaded.tree).warnings];
}

function dotConfigDiagnostics(code: string, blocks: PageBlock[], text: string): Diagnostic[] {
  const own = blocks.find((b) => b.lang === 'kconfig' && b.file === 'Kconfig');
  const tree = own
    ? loadKconfig(join(exampleDir(code), 'Kconfig'), { cwd: exampleDir(code), env: {}, readFile: () => own.text }).tree
    : loadKconfig(join(runtimeDir, 'Kconfig'), { srctree: runtimeDir, cwd: runtimeDir, env: {} }).tree;
  const state = resolve(tree, readDotConfig({ text, file: join(exampleDir(code), '.config') }));
  return [...state.readDiagnostics, ...state.warnings];
}

let tmp: string;
beforeAll(() => {
  buildGuests();
  tmp = mkdtempSync(join(tmpdir(), 'hvcc-explain-'));
  // The tree as command-line examples see it: boards/ and examples/guests/ where they are in the repository.
  mkdirSync(join(tmp, 'tree', 'examples'), { recursive: true });
  symlinkSync(join(root, 'boards'), join(tmp, 'tree', 'boards'));
  symlinkSync(join(root, 'examples', 'guests'), join(tmp, 'tree', 'examples', 'guests'));
  symlinkSync(join(root, 'examples', 'two-guests'), join(tmp, 'tree', 'examples', 'two-guests'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Runs the ```sh lines of one example in the page's example folder, as a user would: bin/hvcc.js in a child
 * process, with the VAR=value words before `hvcc` in its environment. The output of all, the last exit status.
 */
function runCommands(code: string, blocks: PageBlock[], text: string): { code: number; output: string } {
  const dir = join(tmp, 'tree', 'examples', `explain-${code.toLowerCase()}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const b of blocks.filter((x) => x.file !== undefined)) {
    mkdirSync(dirname(join(dir, b.file!)), { recursive: true });
    writeFileSync(join(dir, b.file!), b.text);
  }
  let output = '';
  let status = 0;
  for (const line of text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'))) {
    const words = line.trim().split(/\s+/);
    const env: Record<string, string> = { ...(process.env as Record<string, string>), NO_COLOR: '1' };
    while (/^[A-Z_]+=/.test(words[0]!)) {
      const [k, ...v] = words.shift()!.split('=');
      env[k!] = v.join('=');
    }
    expect(words.shift()).toBe('hvcc');
    const r = spawnSync(process.execPath, [join(root, 'bin', 'hvcc.js'), ...words], { cwd: dir, env, encoding: 'utf8', timeout: 300000 });
    output += `${r.stdout}${r.stderr}`;
    status = r.status ?? -1;
  }
  return { code: status, output };
}

describe('explanations', () => {
  test('every page is for a catalogue code, and every code in scope has one', () => {
    const pages = readdirSync(explanationsDir).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3));
    const all = new Set(catalogue.flatMap((a) => a.messages).map((m) => m.code));
    for (const p of pages) expect(all.has(p) ? p : `${p} (not in the catalogue)`).toBe(p);
    expect(codes.filter((c) => !pages.includes(c))).toEqual([]);
  });

  test.each(codes)('%s: the Wrong example yields it, the Corrected one nothing', async (code) => {
    const markdown = page(code);
    const def = catalogue.flatMap((a) => a.messages).find((m) => m.code === code)!;
    expect(markdown.startsWith(`# ${code}: ${def.name} (${def.severity})\n\n${def.summary}\n`)).toBe(true);
    const blocks = pageBlocks(markdown);
    const wrong = blocks.filter((b) => b.kind === 'wrong' && b.file === undefined);
    const corrected = blocks.filter((b) => b.kind === 'corrected' && b.file === undefined);
    if (code in EXEMPT) {
      expect([wrong.length, corrected.length]).toEqual([0, 0]);
      return;
    }
    expect(wrong.length).toBeGreaterThan(0);
    expect(corrected.length).toBeGreaterThan(0);
    const file = join(exampleDir(code), 'system.dts');
    const options = pageOptions(markdown, tmp);
    const language = code.startsWith('HV1') ? 'dts-source' : 'system';

    const yields = async (b: PageBlock): Promise<{ codes: string[]; clean: boolean; shown: string[] }> => {
      switch (b.lang) {
        case 'dts': {
          const ds = language === 'dts-source' ? frontEnd(code, markdown, blocks, b.text) : analyzeText(file, b.text, options).diagnostics;
          const found = language === 'dts-source' ? ds : problems(ds);
          return { codes: ds.map((d) => d.code), clean: found.length === 0, shown: found.map(describeDiagnostic) };
        }
        case 'kconfig': {
          const ds = kconfigDiagnostics(code, blocks, b.text);
          return { codes: ds.map((d) => d.code), clean: ds.length === 0, shown: ds.map(describeDiagnostic) };
        }
        case 'config': {
          const ds = dotConfigDiagnostics(code, blocks, b.text);
          return { codes: ds.map((d) => d.code), clean: ds.length === 0, shown: ds.map(describeDiagnostic) };
        }
        case 'sh': {
          const r = runCommands(code, blocks, b.text);
          return { codes: r.output.includes(`[${code}]`) ? [code] : [], clean: r.code === 0 && !r.output.includes(`[${code}]`), shown: [`exit ${r.code}`, r.output] };
        }
        default:
          throw new Error(`${code}: an example in \`\`\`${b.lang}, which nothing runs`);
      }
    };

    for (const e of wrong) {
      if (BUILD_ONLY.has(code)) {
        // validate cannot see it: the analysis is clean, the real build reports it.
        expect(problems(analyzeText(file, e.text, options).diagnostics).map(describeDiagnostic)).toEqual([]);
        const out = mkdtempSync(join(tmp, 'build-'));
        const result = build({ ...options, file, readFile: overlay(file, e.text), outDir: out, verbose: false, log: () => {} });
        expect(result.ok).toBe(false);
        expect(result.diagnostics.map((d) => d.code)).toContain(code);
        continue;
      }
      const r = await yields(e);
      expect(r.codes.includes(code) ? code : r.shown).toBe(code);
    }
    for (const e of corrected) {
      const r = await yields(e);
      expect(r.clean ? [] : r.shown).toEqual([]);
    }

    // "Switch it off with `-W no-NAME`": NAME is a check, and switching it off silences the Wrong example.
    const off = /Switch it off with `-W no-([a-z0-9-]+)`/.exec(markdown);
    if (off) {
      expect(switchableChecks()).toContain(off[1]);
      for (const e of wrong.filter((b) => b.lang === 'dts' && !BUILD_ONLY.has(code))) {
        const ds =
          language === 'system'
            ? analyzeText(file, e.text, { ...options, disabled: new Set([...options.disabled, off[1]!]) }).diagnostics
            : problems(frontEnd(code, markdown, blocks, e.text, [off[1]!]));
        expect(ds.map((d) => d.code)).not.toContain(code);
      }
    }
  });

  test('examples() still gives the ```dts examples of a page', () => {
    expect(examples(page('HV3004')).map((e) => e.kind)).toEqual(['wrong', 'corrected']);
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
