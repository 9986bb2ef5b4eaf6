/**
 * Fuzzing: seeded mutations of the valid fixtures. Whatever the input, parseDts must not throw, must not hang,
 * and every error or warning must be a located diagnostic. HVCC_FUZZ_CASES sets the number of cases (default 3000);
 * HVCC_FUZZ_SEED the first seed.
 */
import { describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeDtb, parseDts, printDts } from '../../../compiler/dts/index.js';
import { fixturesRoot, rng } from './harness.js';
import { DtsParser } from '../../../compiler/dts/parser.js';

/** One parser for every source this file parses (building one costs ~30 ms). */
const parser = new DtsParser();

const CASES = Number(process.env.HVCC_FUZZ_CASES ?? 3000);
const SEED = Number(process.env.HVCC_FUZZ_SEED ?? 1);

const root = fixturesRoot();
const corpus = fs
  .readdirSync(path.join(root, 'diff'))
  .filter((f) => f.endsWith('.dts'))
  .map((f) => fs.readFileSync(path.join(root, 'diff', f), 'latin1'))
  .concat(fs.readdirSync(path.join(root, 'warn')).map((f) => fs.readFileSync(path.join(root, 'warn', f), 'latin1')));

const TOKENS = [
  '{', '}', ';', '=', '<', '>', '[', ']', '(', ')', ',', '/', '&', '&lbl', '&{/a/b}', '&{/}', 'lbl:', 'x:', '"', "'", "'a'",
  '"str"', '/*', '*/', '//', '\n', '0x', '0x1f', '08', '99999999999999999999999', '/bits/ 8', '/bits/ 13', '/delete-node/',
  '/delete-property/', '/omit-if-no-ref/', '/memreserve/ 1 2;', '/dts-v1/;', '/plugin/;', '/include/ "inc.dtsi"',
  '/include/ "self.dts"', '/incbin/("blob.bin")', '/incbin/("blob.bin", 4, 1000)', '/incbin/("nope")', '(1/0)', '(1 ? 2 : 3)',
  '<<', '>>', '||', '&&', '==', '!=', '-', '~', '!', '?', ':', '\\', '#', '@', 'node@1', 'phandle = <1>;', 'phandle = <&lbl>;',
  'name = "x";', 'reg = <1 2>;', '#address-cells = <1>;', 'n { };', 'lbl: n { };', '\u00e9', '\x00', '\t', '"\\x"',
  '# 1 "other.dts"\n', '#include <x.h>\n',
];

function mutate(src: string, r: () => number): string {
  let s = src;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(r() * (s.length + 1));
    const op = Math.floor(r() * 6);
    if (op === 0) s = s.slice(0, pos) + s.slice(Math.min(s.length, pos + 1 + Math.floor(r() * 20)));
    else if (op === 1) s = s.slice(0, pos) + TOKENS[Math.floor(r() * TOKENS.length)] + s.slice(pos);
    else if (op === 2) {
      const len = Math.floor(r() * 60);
      s = s.slice(0, pos) + s.slice(pos, pos + len) + s.slice(pos);
    } else if (op === 3) s = s.slice(0, pos);
    else if (op === 4) s = s.slice(0, pos) + String.fromCharCode(Math.floor(r() * 256)) + s.slice(pos + 1);
    else {
      const a = Math.floor(r() * s.length);
      const b = Math.floor(r() * s.length);
      s = s.slice(0, Math.min(a, b)) + s.slice(Math.max(a, b)) + s.slice(Math.min(a, b), Math.max(a, b));
    }
  }
  return s;
}

describe('fuzz: mutated sources', () => {
  test(`${CASES} cases from seed ${SEED}: no throw, no hang, every problem located`, () => {
    const problems: string[] = [];
    let withTree = 0;
    for (let i = 0; i < CASES; i++) {
      const seed = SEED + i;
      const r = rng(seed);
      const src = mutate(corpus[Math.floor(r() * corpus.length)]!, r);
      const files: Record<string, string | Uint8Array> = {
        'self.dts': src,
        'inc.dtsi': mutate('/ { inc { a = <1>; }; };\n', r),
        'blob.bin': new Uint8Array(16),
      };
      const start = Date.now();
      let res;
      try {
        res = parseDts('self.dts', { readFile: (p) => files[p], preprocess: false, symbols: r() < 0.3, parser });
      } catch (e) {
        problems.push(`seed ${seed}: threw ${(e as Error).stack}`);
        continue;
      }
      const ms = Date.now() - start;
      if (ms > 20000) problems.push(`seed ${seed}: took ${ms} ms`);
      for (const d of res.diagnostics) {
        if (d.message.startsWith('internal error')) problems.push(`seed ${seed}: ${d.message}`);
        if (d.severity === 'note') continue;
        const sp = d.span;
        if (!sp || !sp.file || sp.start.line < 1 || sp.start.column < 1)
          problems.push(`seed ${seed}: unlocated ${d.code} ${d.message} ${JSON.stringify(sp)}`);
      }
      if (res.tree) {
        withTree++;
        try {
          encodeDtb(res.tree);
          printDts(res.tree);
        } catch (e) {
          problems.push(`seed ${seed}: encode threw ${(e as Error).message}`);
        }
      }
      if (problems.length > 20) break;
    }
    expect(problems).toEqual([]);
    // the mutations should leave a fair share of inputs valid enough to build a tree
    expect(withTree).toBeGreaterThan(CASES / 20);
  });
});
