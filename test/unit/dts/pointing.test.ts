/**
 * Mistakes are reported where they are, saying what they are: a missing /dts-v1/; in the file that lacks
 * it, a missing ';' at the end of its line, numbers with suffixes or separators as such, no message with a
 * multi-line token in it, and one error (no train of "failed prerequisite" notes) for one mistyped label.
 * Each source here is also checked to be an error for dtc itself, where dtc is installed.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDts, type ParseDtsOptions } from '../../../compiler/dts/index.js';
import { numberFix } from '../../../compiler/dts/lexer.js';
import { shownToken } from '../../../compiler/dts/parser.js';
import { at, dtc } from './harness.js';

const V = '/dts-v1/;\n';

function run(files: Record<string, string>, opts: ParseDtsOptions = {}) {
  return parseDts('main.dts', { readFile: (p) => files[p], preprocess: false, ...opts });
}

const problems = (r: ReturnType<typeof run>) => r.diagnostics.filter((d) => d.severity !== 'note').map((d) => `${d.code} ${at(d)} ${d.message}`);

/** dtc rejects the same files (written to a folder of their own). */
function dtcRejects(files: Record<string, string>): void {
  const dir = mkdtempSync(join(tmpdir(), 'hvcc-pointing-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    expect(dtc(['-q', '-o', '/dev/null', join(dir, 'main.dts')]).status).not.toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('/dts-v1/;', () => {
  test('missing in the entry file, which starts with an /include/: said of the entry file, at the /include/', () => {
    const files = { 'main.dts': '/include/ "board.dtsi"\n/ {\n\ta = <1>;\n};\n', 'board.dtsi': '/ {\n\tmodel = "m";\n};\n' };
    expect(problems(run(files))).toEqual(["HV1020 main.dts:1:1 'main.dts' does not start with '/dts-v1/;': its first /include/ comes before it"]);
    dtcRejects(files);
  });
  test('missing, the file starting with the tree: at its first token; the rest is still parsed', () => {
    const files = { 'main.dts': '\n/ {\n\ta = <1 2;\n};\n' };
    expect(problems(run(files))).toEqual(["HV1020 main.dts:2:1 'main.dts' does not start with '/dts-v1/;': it starts with '/'", "HV1001 main.dts:3:10 syntax error: expected '>' but found ';'"]);
    dtcRejects(files);
  });
  test('an empty file', () => {
    expect(problems(run({ 'main.dts': '' }))).toEqual(["HV1020 main.dts:1:1 'main.dts' is empty: a device-tree source starts with '/dts-v1/;'"]);
  });
  test('an included file need not have it', () => {
    expect(problems(run({ 'main.dts': V + '/include/ "board.dtsi"\n', 'board.dtsi': '/ { };\n' }))).toEqual([]);
  });
});

describe("a missing ';'", () => {
  test('before a closing brace on the next line: at the end of its own line', () => {
    const files = { 'main.dts': V + '/ {\n\tn {\n\t\ta = <1>\n\t};\n};\n' };
    const r = run(files);
    expect(problems(r)).toEqual(["HV1001 main.dts:4:10 syntax error: missing ';' at the end of the line"]);
    expect(r.diagnostics[0]!.help).toBe("a property or node ends with ';' (the next token is '}', on line 5)");
    dtcRejects(files);
  });
  test('before the next property: at the end of its line, and each one found', () => {
    const files = { 'main.dts': V + '/ {\n\ta = <1>\n\tb = "x"\n\tc = <&l>;\n\tl: n { };\n};\n' };
    expect(problems(run(files))).toEqual([
      "HV1001 main.dts:3:9 syntax error: missing ';' at the end of the line",
      "HV1001 main.dts:4:9 syntax error: missing ';' at the end of the line",
    ]);
    dtcRejects(files);
  });
  test('after a node, before the next node', () => {
    const files = { 'main.dts': V + '/ {\n\tn { }\n\tm { };\n};\n' };
    expect(problems(run(files))).toEqual(["HV1001 main.dts:3:7 syntax error: missing ';' at the end of the line"]);
    dtcRejects(files);
  });
  test('at the end of the file', () => {
    const files = { 'main.dts': V + '/ {\n}\n' };
    expect(problems(run(files))).toEqual(["HV1001 main.dts:3:2 syntax error: missing ';' at the end of the line"]);
    dtcRejects(files);
  });
  test("on the same line, it is still 'expected ; but found' at the token", () => {
    expect(problems(run({ 'main.dts': V + '/ { a = <1> <2>; };\n' }))).toEqual(["HV1001 main.dts:2:13 syntax error: expected ';' but found '<'"]);
  });
});

describe('numbers with a suffix or separators', () => {
  test.each([
    ['16M', '0x1000000', '16 MiB'],
    ['4K', '0x1000', '4 KiB'],
    ['0x10M', '0x1000000', '0x10 MiB'],
    ['2GiB', '0x80000000', '2 GiB'],
  ])('%s: its own error, and what to write', (word, literal, meaning) => {
    const files = { 'main.dts': V + `/ { a = <${word}>; };\n` };
    const r = run(files);
    expect(problems(r)).toEqual([`HV1021 main.dts:2:10 '${word}' is not a DTS number: DTS numbers have no size suffixes (K, M, G)`]);
    expect(r.diagnostics[0]!.help).toBe(`write ${literal} (${meaning})`);
    expect(numberFix(word)?.literal).toBe(literal);
    dtcRejects(files);
  });
  test('digit separators', () => {
    const files = { 'main.dts': V + '/ { a = <0x4000_0000 1_000>; };\n' };
    const r = run(files);
    expect(problems(r)).toEqual([
      "HV1021 main.dts:2:10 '0x4000_0000' is not a DTS number: digits cannot be separated with '_'",
      "HV1021 main.dts:2:22 '1_000' is not a DTS number: digits cannot be separated with '_'",
    ]);
    expect(r.diagnostics.map((d) => d.help)).toEqual(['write 0x40000000', 'write 1000']);
    dtcRejects(files);
  });
  test('anything else stuck to a number', () => {
    const r = run({ 'main.dts': V + '/ { a = <12abc>; };\n' });
    expect(problems(r)).toEqual(["HV1021 main.dts:2:10 '12abc' is not a number"]);
  });
  test('a label right after a number is not a suffix (dtc accepts <1l: 2>)', () => {
    const files = { 'main.dts': V + '/ { a = <1l: 2>; b = <0x10m: 3>; };\n' };
    const r = run(files);
    expect(problems(r)).toEqual([]);
    expect(r.tree!.root.properties[0]!.valueLabels?.map((l) => l.name)).toEqual(['l']);
  });
});

describe('tokens in messages', () => {
  test('a multi-line token is shown by its first line, elided', () => {
    const r = run({ 'main.dts': V + '/ { a = <1> "first line\nsecond line"; };\n' });
    const d = r.diagnostics.find((x) => x.code === 'HV1001')!;
    expect(d.message).toBe("syntax error: expected ';' but found '\"first line...'");
    expect(shownToken('x'.repeat(60))).toBe('x'.repeat(37) + '...');
  });
  test('no message of the HV1xxx cases has a line break', () => {
    const sources = ['/ { a = "x\ny" "z"; };\n', '/ { a = <1 "p\nq">; };\n', '/ { "s\nt" };\n', '/ { a = [00 "u\nv"]; };\n'];
    for (const src of sources) for (const d of run({ 'main.dts': V + src }).diagnostics) expect(d.message).not.toContain('\n');
  });
});

describe('checks skipped after a failed check', () => {
  const src = V + '/ {\n\tcpus {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <0>;\n\t\tcpu0: cpu@0 { device_type = "cpu"; reg = <0>; };\n\t};\n\tg { cpus = <&cpu4>; };\n};\n';
  test('one mistyped label: one error, no notes', () => {
    const r = run({ 'main.dts': src }, { allChecks: true });
    expect(r.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['error HV1110']);
  });
  test('the failed check switched off: one line naming the skipped checks, without a code frame', () => {
    const r = run({ 'main.dts': src }, { allChecks: true, checks: { 'phandle-references': 'off' } });
    expect(r.diagnostics).toHaveLength(1);
    const note = r.diagnostics[0]!;
    expect(note.severity).toBe('note');
    expect(note.span).toBeUndefined();
    expect(note.message).toMatch(/^\d+ checks were skipped because the check 'phandle-references', which is switched off, failed: omit-unused-nodes, clocks-property, /);
  });
  test("dtc's way for hvcc dtc: a 'Failed prerequisite' note per skipped check", () => {
    const r = run({ 'main.dts': src }, { allChecks: true, prerequisiteNotes: 'dtc' });
    expect(r.diagnostics.filter((d) => d.message === "Failed prerequisite 'phandle_references'").length).toBeGreaterThan(10);
  });
});

describe('a string whose closing quote is missing', () => {
  test('the syntax error after it points back at where the string starts', () => {
    const r = run({ 'main.dts': `${V}/ {\n\ta = "abc;\n\tb = <1>;\n\tc = "x";\n};\n` });
    const err = r.diagnostics.find((d) => d.code === 'HV1001')!;
    expect(err).toBeDefined();
    expect(err.related.map((x) => `${x.span.start.line}:${x.span.start.column} ${x.message}`)).toEqual([`3:6 this string runs over 3 lines, to line 5: is its closing '"' missing?`]);
    // A message shows one line of a token, never the token's lines.
    for (const d of r.diagnostics) expect(d.message).not.toContain('\n');
  });
});

describe('found by the mutation fuzzer', () => {
  test('a binary file included by mistake: the first 20 characters no token can start, then one error for the rest', () => {
    const binary = String.fromCharCode(...Array.from({ length: 200 }, (_, i) => (i % 2 ? 0x01 : 0x7f)));
    const r = run({ 'main.dts': `${V}/include/ "blob.elf"\n/ { };\n`, 'blob.elf': binary });
    const invalid = r.diagnostics.filter((d) => d.code === 'HV1002');
    expect(invalid).toHaveLength(21);
    expect(invalid[20]!.message).toBe('syntax error: 180 more characters that cannot start a token follow');
    expect(invalid[20]!.help).toContain('this looks like a binary file');
  });

  test('a cpp error cpp places past the last line is located inside the file', () => {
    const text = `${V}/ { };\n#include "missing.h"\t};`;
    const r = run({ 'main.dts': text }, { preprocess: true });
    const d = r.diagnostics.find((x) => x.code === 'HV1017' && x.message.includes('missing.h'))!;
    expect(d).toBeDefined();
    const lines = text.split('\n');
    expect(d.span!.start.line).toBeLessThanOrEqual(lines.length);
    expect(d.span!.start.column).toBeLessThanOrEqual(lines[d.span!.start.line - 1]!.length + 1);
    expect(d.span!.end.offset).toBeLessThanOrEqual(text.length);
  });
});
