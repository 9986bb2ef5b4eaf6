/**
 * Differential tests against Debian's dtc (/usr/bin/dtc): every case is compiled by both and passes only on
 * identical bytes (blobs, decompiled sources, and check messages).
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeDtb, encodeDtb, parseDts, printDts, runDtc, type ParseDtsOptions } from '../../../compiler/dts/index.js';
import { formatDtcDiagnostic } from '../../../compiler/dts/dtc-cli.js';
import { generateDts } from '../../bench/dts.js';
import { cpp, dtc, fixturesRoot, haveDtc, haveTool, rng, show } from './harness.js';
import { DtsParser } from '../../../compiler/dts/parser.js';

/** One parser for every source this file parses (building one costs ~30 ms). */
const parser = new DtsParser();

const root = fixturesRoot();
const diffDir = path.join(root, 'diff');
const incDir = path.join(root, 'inc');
const cases = fs.readdirSync(diffDir).filter((f) => f.endsWith('.dts')).sort();
const d = haveDtc ? describe : describe.skip;

function ours(file: string, opts: ParseDtsOptions = {}): Buffer {
  const r = parseDts(file, { includeDirs: [incDir], preprocess: false, parser, ...opts });
  if (!r.tree || r.diagnostics.some((x) => x.severity === 'error')) throw new Error(`hvcc failed on ${file}:\n${show(r.diagnostics)}`);
  return Buffer.from(encodeDtb(r.tree));
}

function theirs(file: string, args: string[] = []): Buffer {
  const r = dtc(['-q', '-I', 'dts', '-O', 'dtb', '-i', incDir, ...args, file]);
  if (r.status !== 0) throw new Error(`dtc failed on ${file}: ${r.stderr}`);
  return r.stdout;
}

d('dts -> dtb is byte-identical to dtc', () => {
  test.each(cases)('%s', (name) => {
    const file = path.join(diffDir, name);
    expect(ours(file).equals(theirs(file))).toBe(true);
  });
  test.each(cases)('%s with -@', (name) => {
    const file = path.join(diffDir, name);
    expect(ours(file, { symbols: true }).equals(theirs(file, ['-@']))).toBe(true);
  });
  test('header options -b -R -p -S -a', () => {
    const file = path.join(diffDir, 'basic.dts');
    const r = parseDts(file, { preprocess: false });
    const variants: [string[], Parameters<typeof encodeDtb>[1]][] = [
      [['-b', '3'], { bootCpuidPhys: 3 }],
      [['-R', '2'], { reserve: 2 }],
      [['-p', '100'], { pad: 100 }],
      [['-S', '8192'], { minSize: 8192 }],
      [['-a', '64'], { align: 64 }],
      [['-a', '16', '-p', '3'], { align: 16, pad: 3 }],
    ];
    for (const [args, opts] of variants) {
      expect(Buffer.from(encodeDtb(r.tree!, opts)).equals(theirs(file, args))).toBe(true);
    }
  });
});

d('dtc -d: the same dependency file', () => {
  test.each(['include-main.dts', 'values.dts', 'basic.dts'])('%s', async (name) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hvcc-dep-'));
    try {
      const file = path.join(diffDir, name);
      const out = path.join(dir, 'out.dtb');
      const ref = dtc(['-q', '-i', incDir, '-d', path.join(dir, 'theirs.d'), '-o', out, file]);
      expect(ref.status).toBe(0);
      const code = await runDtc(['-q', '-i', incDir, '-d', path.join(dir, 'ours.d'), '-o', out, file], { stdout: () => {}, stderr: () => {} });
      expect(code).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'ours.d'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'theirs.d'), 'utf8'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

d('dtb -> dts and dtb -> dtb match dtc', () => {
  test.each(cases)('%s', (name) => {
    const blob = theirs(path.join(diffDir, name));
    const dec = decodeDtb(new Uint8Array(blob));
    expect(show(dec.diagnostics)).toBe('');
    const viaDtc = dtc(['-q', '-I', 'dtb', '-O', 'dts', '-'], { input: blob });
    expect(printDts(dec.tree!)).toBe(viaDtc.stdout.toString('latin1'));
    const reenc = dtc(['-q', '-I', 'dtb', '-O', 'dtb', '-'], { input: blob });
    expect(Buffer.from(encodeDtb(dec.tree!)).equals(reenc.stdout)).toBe(true);
  });
});

d("dtc's checks: same messages, same order", () => {
  const warnDir = path.join(root, 'warn');
  const files = fs.readdirSync(warnDir).filter((f) => f.endsWith('.dts'));
  test.each(files)('%s', (name) => {
    const file = path.join(warnDir, name);
    const r = parseDts(file, { preprocess: false, prerequisiteNotes: 'dtc' });
    const mine = r.diagnostics.map((x) => formatDtcDiagnostic(x).replace(/^[^ ]+: (?=(Warning|ERROR) \()/, '')).join('');
    const ref = dtc(['-f', '-O', 'dtb', '-o', '/dev/null', file]).stderr;
    const refLines = ref
      .split('\n')
      .filter((l) => l && !l.includes('output forced'))
      .map((l) => l.replace(/^[^ ]+: (?=(Warning|ERROR) \()/, '') + '\n')
      .join('');
    expect(mine).toBe(refLines);
  });
  test('-W no-<check> and -E <check> through runDtc', async () => {
    const file = path.join(warnDir, 'bus.dts');
    for (const args of [['-W', 'no-reg_format'], ['-W', 'no-avoid_default_addr_size'], ['-E', 'unit_address_vs_reg'], ['-W', 'node_name_chars_strict']]) {
      let err = '';
      const code = await runDtc([...args, '-o', '/dev/null', file], { stdout: () => {}, stderr: (s) => (err += s) });
      const ref = dtc([...args, '-o', '/dev/null', file]);
      const strip = (s: string) =>
        s.split('\n').filter((l) => /(Warning|ERROR) \(/.test(l)).map((l) => l.replace(/^[^ ]+: (?=(Warning|ERROR) \()/, '')).join('\n');
      expect(strip(err)).toBe(strip(ref.stderr));
      expect(code).toBe(ref.status);
    }
  });
});

d('QEMU virt (gic-version=3, virtualization=on) DTB', () => {
  const qemu = haveTool('qemu-system-aarch64');
  (qemu ? test : test.skip)('dumped, decompiled by dtc, recompiled by both', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hvcc-dts-'));
    try {
      const dumped = path.join(dir, 'virt.dtb');
      const q = spawnSync(
        'qemu-system-aarch64',
        ['-M', `virt,virtualization=on,gic-version=3,dumpdtb=${dumped}`, '-cpu', 'cortex-a57', '-nographic'],
        { stdio: 'ignore', timeout: 60000 },
      );
      expect(q.status).toBe(0);
      const blob = fs.readFileSync(dumped);
      const dts = dtc(['-q', '-I', 'dtb', '-O', 'dts', dumped]).stdout.toString('latin1');
      // our decompiler agrees with dtc's
      expect(printDts(decodeDtb(new Uint8Array(blob)).tree!)).toBe(dts);
      const src = path.join(dir, 'virt.dts');
      fs.writeFileSync(src, dts, 'latin1');
      expect(ours(src).equals(theirs(src))).toBe(true);
      expect(ours(src, { symbols: true }).equals(theirs(src, ['-@']))).toBe(true);
      // dtb -> dtb
      const dec = decodeDtb(new Uint8Array(blob));
      expect(Buffer.from(encodeDtb(dec.tree!)).equals(dtc(['-q', '-I', 'dtb', '-O', 'dtb', dumped]).stdout)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

d('Linux-style board through the C preprocessor', () => {
  const linux = path.join(root, 'linux');
  const viaCpp = (defines: string[]) => {
    const pp = cpp(['-nostdinc', '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', '-I', 'include', ...defines.map((x) => `-D${x}`), 'board.dts'], linux);
    return dtc(['-q', '-I', 'dts', '-O', 'dtb', '-'], { input: Buffer.from(pp, 'latin1'), cwd: linux }).stdout;
  };
  test.each([[[]], [['EXTRA_UART']], [['EXTRA_UART', 'UNUSED=1']]])('defines %j', (defines) => {
    const r = parseDts(path.join(linux, 'board.dts'), { includeDirs: [path.join(linux, 'include')], defines });
    expect(show(r.diagnostics.filter((x) => x.severity !== 'note'))).toBe('');
    // cpp resolves includes relative to the cwd-independent paths we pass, so compile from the fixture dir for dtc
    expect(Buffer.from(encodeDtb(r.tree!)).equals(viaCpp(defines))).toBe(true);
  });
  test('spans point into the original files', () => {
    const r = parseDts(path.join(linux, 'board.dts'), { includeDirs: [path.join(linux, 'include')] });
    const uart0 = r.tree!.root.children.find((c) => c.name === 'soc')!.children.find((c) => c.labels.includes('uart0'))!;
    expect(uart0.span.file).toBe(path.join(linux, 'board-soc.dtsi'));
    expect(uart0.span.start.line).toBe(66);
    const model = r.tree!.root.properties.find((p) => p.name === 'model')!;
    expect(model.span.file).toBe(path.join(linux, 'board.dts'));
    expect(model.span.start.line).toBe(9);
    expect(model.span.start.column).toBe(2);
    expect(r.sources.get(path.join(linux, 'board-soc.dtsi'))).toContain('UART(0, 0x1000, 1);');
  });
});

d('generated large source (the benchmark generator, 512 KB)', () => {
  test('byte-identical to dtc, with and without -@', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hvcc-dts-'));
    try {
      const file = path.join(dir, 'big.dts');
      fs.writeFileSync(file, generateDts(512 * 1024));
      expect(ours(file).equals(theirs(file))).toBe(true);
      expect(ours(file, { symbols: true }).equals(theirs(file, ['-@']))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

d('statement-level mutations of the fixtures agree with dtc', () => {
  // Inserts valid-looking statements at statement boundaries; wherever dtc accepts the result, the blobs must be
  // identical, and wherever it rejects it, hvcc must report an error.
  const CASES = Math.max(50, Math.floor(Number(process.env.HVCC_FUZZ_CASES ?? 3000) / 20));
  const GOOD = ['lbl: ', 'x: ', '/delete-node/ n;', '/delete-property/ a;', 'n { };', 'a = <1>;', 'a = <&lbl>;', 'b = &lbl;',
    'lbl: n { a = <2>; };', '/omit-if-no-ref/ ', 'phandle = <3>;', 'phandle = <&lbl>;', 'c = "s", <1>, [01];', 'd = /bits/ 8 <1>;',
    'n@1 { reg = <1 1>; };', '#address-cells = <1>;', 'e = <(1 + 2)>;', '&lbl { f; };', '/ { g; };', '/delete-node/ &lbl;', 'z: ',
    'name = "n";', 'linux,phandle = <7>;'];
  const sources = cases.filter((c) => !c.startsWith('include')).map((c) => fs.readFileSync(path.join(diffDir, c), 'latin1'));
  test(`${CASES} cases`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hvcc-dts-'));
    const bad: string[] = [];
    try {
      for (let seed = 1; seed <= CASES; seed++) {
        const r = rng(seed);
        let s = sources[Math.floor(r() * sources.length)]!;
        const k = 1 + Math.floor(r() * 3);
        for (let j = 0; j < k; j++) {
          const idx: number[] = [];
          for (let q = 0; q < s.length; q++) if (s[q] === ';' && s[q + 1] === '\n') idx.push(q + 2);
          const at = idx[Math.floor(r() * idx.length)] ?? s.length;
          s = s.slice(0, at) + GOOD[Math.floor(r() * GOOD.length)] + '\n' + s.slice(at);
        }
        const sym = r() < 0.3;
        const file = path.join(dir, 'case.dts');
        fs.writeFileSync(file, s, 'latin1');
        const ref = dtc(['-q', '-O', 'dtb', ...(sym ? ['-@'] : []), file]);
        const res = parseDts(file, { preprocess: false, symbols: sym, parser });
        const ok = !!res.tree && !res.diagnostics.some((x) => x.severity === 'error');
        if ((ref.status === 0) !== ok) bad.push(`seed ${seed}: dtc status ${ref.status}, hvcc ${ok ? 'ok' : show(res.diagnostics)}`);
        else if (ok && !Buffer.from(encodeDtb(res.tree!)).equals(ref.stdout)) bad.push(`seed ${seed}: different bytes`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(bad).toEqual([]);
  });
});
