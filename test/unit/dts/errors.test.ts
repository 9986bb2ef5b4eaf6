/** Every HV1xxx code, triggered by a minimal source: code and file:line:column asserted. */
import { describe, expect, test } from '@jest/globals';
import { decodeDtb, dtsMessages, parseDts, type ParseDtsOptions } from '../../../compiler/dts/index.js';
import { at, show } from './harness.js';
import { DtsParser } from '../../../compiler/dts/parser.js';

/** One parser for every source this file parses (building one costs ~30 ms). */
const parser = new DtsParser();

const V = '/dts-v1/;\n';

function run(files: Record<string, string | Uint8Array>, opts: ParseDtsOptions = {}) {
  return parseDts('main.dts', { readFile: (p) => files[p], preprocess: false, parser, ...opts });
}

/** [code, files (main.dts is the entry), expected location, options] */
const cases: [string, Record<string, string | Uint8Array>, string, ParseDtsOptions?][] = [
  ['HV1001', { 'main.dts': V + '/ {\n\ta = <1 2;\n};\n' }, 'main.dts:3:10'],
  ['HV1002', { 'main.dts': V + '/ { a = <1> $; };\n' }, 'main.dts:2:13'],
  ['HV1003', { 'main.dts': V + '/ { a = <08>; };\n' }, 'main.dts:2:10'],
  ['HV1004', { 'main.dts': V + '/ { a = <0x10000000000000000>; };\n' }, 'main.dts:2:10'],
  ['HV1005', { 'main.dts': V + "/ { a = <''>; };\n" }, 'main.dts:2:10'],
  ['HV1006', { 'main.dts': V + '/ { a = "\\xg"; };\n' }, 'main.dts:2:9'],
  ['HV1007', { 'main.dts': V + '/ { a = "open; };\n' }, 'main.dts:2:9'],
  ['HV1008', { 'main.dts': V + '/include/ "nope.dtsi"\n/ { };\n' }, 'main.dts:2:1'],
  ['HV1009', { 'main.dts': V + '/ { };\n/include/ "main.dts"\n' }, 'main.dts:3:1'],
  ['HV1010', { 'main.dts': V + '/ { a = /incbin/("b.bin", (-1), 4); };\n', 'b.bin': new Uint8Array(8) }, 'main.dts:2:9'],
  ['HV1011', { 'main.dts': V + '/ { a = /bits/ 7 <1>; };\n' }, 'main.dts:2:16'],
  ['HV1012', { 'main.dts': V + '/ { a = /bits/ 8 <1 256>; };\n' }, 'main.dts:2:21'],
  ['HV1013', { 'main.dts': V + '/ { l: n { a = /bits/ 16 <&l>; }; };\n' }, 'main.dts:2:27'],
  ['HV1014', { 'main.dts': V + '/ { a = <(7 / (1 - 1))>; };\n' }, 'main.dts:2:11'],
  ['HV1015', { 'main.dts': V + '/ { };\n&nope { };\n' }, 'main.dts:3:1'],
  ['HV1016', { 'main.dts': V + '/ {\n\tn { };\n\tlate = <1>;\n};\n' }, 'main.dts:4:2'],
  ['HV1018', {}, '<nowhere>'],
  ['HV1020', { 'main.dts': '/include/ "b.dtsi"\n/ { };\n', 'b.dtsi': '/ { };\n' }, 'main.dts:1:1'],
  ['HV1021', { 'main.dts': V + '/ { a = <16M>; };\n' }, 'main.dts:2:10'],
  // The 129th level: the root's brace is the first, at column 3, and each ' n {' four columns on.
  ['HV1022', { 'main.dts': V + '/ {' + ' n {'.repeat(128) + ' };'.repeat(128) + '\n};\n' }, 'main.dts:2:515'],
  // checks (HV11xx)
  ['HV1101', { 'main.dts': V + '/ {\n\tn { };\n\tn { };\n};\n' }, 'main.dts:4:2'],
  ['HV1102', { 'main.dts': V + '/ {\n\ta = <1>;\n\ta = <2>;\n};\n' }, 'main.dts:3:2'],
  ['HV1103', { 'main.dts': V + '/ {\n\tbad#name { };\n};\n' }, 'main.dts:3:2'],
  ['HV1104', { 'main.dts': V + '/ {\n\tn@1@2 { reg = <1>; };\n};\n' }, 'main.dts:3:2'],
  ['HV1105', { 'main.dts': V + '/ {\n\tprop@x = <1>;\n};\n' }, 'main.dts:3:2'],
  ['HV1106', { 'main.dts': V + '/ {\n\tn {\n\t\tname = <1>;\n\t};\n};\n' }, 'main.dts:4:3'],
  ['HV1107', { 'main.dts': V + '/ {\n\tn {\n\t\tname = "m";\n\t};\n};\n' }, 'main.dts:4:3'],
  ['HV1108', { 'main.dts': V + '/ {\n\tl: a { };\n\tl: b { };\n};\n' }, 'main.dts:4:5'],
  ['HV1109', { 'main.dts': V + '/ {\n\tn {\n\t\tphandle = <0>;\n\t};\n};\n' }, 'main.dts:4:3'],
  ['HV1110', { 'main.dts': V + '/ {\n\ta = <1 &missing>;\n};\n' }, 'main.dts:3:9'],
  ['HV1111', { 'main.dts': V + '/ {\n\ta = &missing;\n};\n' }, 'main.dts:3:6'],
  ['HV1112', { 'main.dts': V + '/ {\n\tn {\n\t\t#address-cells = <1 2>;\n\t};\n};\n' }, 'main.dts:4:3'],
  ['HV1113', { 'main.dts': V + '/ {\n\tn {\n\t\t#size-cells = "x";\n\t};\n};\n' }, 'main.dts:4:3'],
  ['HV1114', { 'main.dts': V + '/ {\n\tn {\n\t\tinterrupts-extended = <0>;\n\t\t#interrupt-cells = <1 1>;\n\t};\n};\n' }, 'main.dts:5:3'],
  ['HV1115', { 'main.dts': V + '/ {\n\tn {\n\t\tdevice_type = <1>;\n\t};\n};\n' }, 'main.dts:4:3'],
  ['HV1116', { 'main.dts': V + '/ {\n\tmodel = <1>;\n};\n' }, 'main.dts:3:2'],
  ['HV1117', { 'main.dts': V + '/ {\n\tstatus = <1>;\n};\n' }, 'main.dts:3:2'],
  ['HV1118', { 'main.dts': V + '/ {\n\tlabel = <1>;\n};\n' }, 'main.dts:3:2'],
  ['HV1119', { 'main.dts': V + '/ {\n\tcompatible = "a", [01];\n};\n' }, 'main.dts:3:2'],
  ['HV1120', { 'main.dts': V + '/ {\n\tclock-names = <1>;\n};\n' }, 'main.dts:3:2'],
  ['HV1122', { 'main.dts': V + '/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tn@1 {\n\t\treg = <1>;\n\t};\n};\n' }, 'main.dts:6:3'],
  ['HV1123', { 'main.dts': V + '/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tb@1 {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <1>;\n\t\tranges = <1 2>;\n\t};\n};\n' }, 'main.dts:8:3'],
  ['HV1124', { 'main.dts': V + '/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tb {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <1>;\n\t\tdma-ranges = <1 2>;\n\t};\n};\n' }, 'main.dts:8:3'],
  ['HV1125', { 'main.dts': V + '/ {\n\tn@1 { };\n};\n' }, 'main.dts:3:2'],
  ['HV1126', { 'main.dts': V + '/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tn@0x10 {\n\t\treg = <0x10 1>;\n\t};\n};\n' }, 'main.dts:5:2'],
  ['HV1127', { 'main.dts': V + '/ {\n\tn@1 {\n\t\treg = <0 1 1>;\n\t};\n};\n' }, 'main.dts:3:2'],
  ['HV1128', { 'main.dts': V + '/ {\n\tn {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <1>;\n\t\tc { };\n\t};\n};\n' }, 'main.dts:3:2'],
  ['HV1129', { 'main.dts': V + '/ {\n\t#address-cells = <1>;\n\t#size-cells = <0>;\n\ta@1 { reg = <1>; };\n\tb@1 { reg = <1>; };\n};\n' }, 'main.dts:5:2'],
  ['HV1130', { 'main.dts': V + '/ {\n\tn {\n\t\tinterrupts = <1>;\n\t};\n};\n' }, 'main.dts:4:3'],
  ['HV1131', { 'main.dts': V + '/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tsoc {\n\t\tcompatible = "simple-bus";\n\t\t#address-cells = <1>;\n\t\t#size-cells = <1>;\n\t\tranges;\n\t\tu@100 { reg = <0x200 1>; };\n\t};\n};\n' }, 'main.dts:10:3'],
  ['HV1132', { 'main.dts': V + '/ {\n\tn {\n\t\tchosen { };\n\t};\n};\n' }, 'main.dts:4:3'],
  ['HV1133', { 'main.dts': V + '/ {\n\tchosen {\n\t\tbootargs = <1>;\n\t};\n};\n' }, 'main.dts:4:3'],
  ['HV1134', { 'main.dts': V + '/ {\n\tchosen {\n\t\tlinux,stdout-path = "/";\n\t};\n};\n' }, 'main.dts:4:3'],
  ['HV1135', { 'main.dts': V + '/ {\n\taliases {\n\t\tserial0 = "/nope";\n\t};\n};\n' }, 'main.dts:4:3'],
  ['HV1136', { 'main.dts': V + '/ {\n\tc: clk {\n\t\t#clock-cells = <1>;\n\t};\n\tn {\n\t\tclocks = <&c>;\n\t};\n};\n' }, 'main.dts:7:3'],
  ['HV1137', { 'main.dts': V + '/ {\n\tic {\n\t\tinterrupt-controller;\n\t\t#address-cells = <0>;\n\t};\n};\n' }, 'main.dts:3:2'],
  ['HV1138', { 'main.dts': V + '/ {\n\tfoo = <1>;\n\tfoo { };\n};\n' }, 'main.dts:4:2'],
  ['HV1139', { 'main.dts': V + '/ {\n\t#address-cells = <1>;\n\t#size-cells = <0>;\n\ta@1 { reg = <1>; };\n\tb@1 { reg = <1>; };\n};\n' }, 'main.dts:5:2', { checkFlags: [{ kind: 'W', arg: 'no-unique_unit_address' }, { kind: 'W', arg: 'unique_unit_address_if_enabled' }] }],
  ['HV1140', { 'main.dts': V + '/ {\n\tn_x { };\n};\n' }, 'main.dts:3:2', { checkFlags: [{ kind: 'W', arg: 'node_name_chars_strict' }] }],
  ['HV1141', { 'main.dts': V + '/ {\n\tp_x;\n};\n' }, 'main.dts:3:2', { checkFlags: [{ kind: 'W', arg: 'property_name_chars_strict' }] }],
  ['HV1142', { 'main.dts': V + '/ {\n\t__symbols__ {\n\t\tl = "/x";\n\t};\n\tl: n { };\n};\n' }, 'main.dts:6:5', { symbols: true }],
];

describe('each HV1xxx code from a minimal source', () => {
  // (a rest parameter: jest treats a declared parameter beyond the row's length as a `done` callback)
  test.each(cases)('%s', (...row) => {
    const [code, files, where, opts] = row;
    const r = run(files, opts ?? {});
    const hit = r.diagnostics.find((d) => d.code === code);
    if (!hit) throw new Error(`no ${code}; got:\n${show(r.diagnostics)}`);
    expect(at(hit)).toBe(where);
    expect(hit.message.length).toBeGreaterThan(0);
  });

  test('HV1017: preprocessor errors point at the #include', () => {
    const r = run({ 'main.dts': V + '#include "missing.h"\n/ { };\n' }, { preprocess: true });
    const hit = r.diagnostics.find((d) => d.code === 'HV1017');
    expect(hit && at(hit)).toBe('main.dts:2:10');
  });

  test('HV1022: parentheses past 64 deep at the one that goes past; anything else deep enough, at the start, not a stack trace', () => {
    const parens = run({ 'main.dts': V + '/ { a = <' + '('.repeat(100) + '1' + ')'.repeat(100) + '>; };\n' });
    expect(parens.diagnostics.map((d) => [d.code, at(d), d.message])).toEqual([['HV1022', 'main.dts:2:74', 'parentheses nested more than 64 deep: hvcc does not process a source this deep']]);
    // At both limits (the root and 127 nodes), every pass runs.
    const fine = run({ 'main.dts': V + '/ { a = <' + '('.repeat(64) + '1' + ')'.repeat(64) + '>; n {' + ' m {'.repeat(126) + ' };'.repeat(127) + ' };\n' });
    expect(fine.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const unary = run({ 'main.dts': V + '/ { a = <(' + '-'.repeat(20_000) + '1)>; };\n' });
    expect(unary.diagnostics.map((d) => [d.code, at(d)])).toEqual([['HV1022', 'main.dts:1:1']]);
    expect(unary.diagnostics[0]!.message).not.toMatch(/internal/);
  });

  test('HV1023: sources over 16 MiB together, at the /include/ that passes the limit; nothing is parsed', () => {
    const comment = (mib: number) => `/* ${'x'.repeat(mib * 2 ** 20)} */\n`;
    const r = run({ 'main.dts': V + '/include/ "a.dtsi"\n/include/ "b.dtsi"\n/ { };\n', 'a.dtsi': comment(9), 'b.dtsi': comment(9) });
    expect(r.diagnostics.map((d) => [d.code, at(d)])).toEqual([['HV1023', 'main.dts:3:1']]);
    expect(r.diagnostics[0]!.message).toMatch(/more than 16\.0 MiB together \(18\.0 MiB with "b\.dtsi"\)/);
    expect(r.tree).toBeUndefined();
    // One file that large: at its start.
    expect(run({ 'main.dts': V + comment(17) + '/ { };\n' }).diagnostics.map((d) => [d.code, at(d)])).toEqual([['HV1023', 'main.dts:1:1']]);
    // Just under the limit, it is read.
    expect(run({ 'main.dts': V + comment(15) + '/ { };\n' }).diagnostics).toEqual([]);
  });

  test('HV1019: a bad blob', () => {
    const r = decodeDtb(new Uint8Array([0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0, 0x30, ...new Array(60).fill(0)]));
    expect(r.diagnostics[0]?.code).toBe('HV1019');
    expect(r.tree).toBeUndefined();
    expect(decodeDtb(new Uint8Array(3)).diagnostics[0]?.code).toBe('HV1019');
  });

  test('every catalogue code has a case here', () => {
    const covered = new Set([...cases.map((c) => c[0]), 'HV1017', 'HV1019', 'HV1023']);
    // HV1121 (addr-size-cells) is a fixup with no message of its own in dtc 1.6.1.
    const missing = Object.values(dtsMessages)
      .map((m) => m.code)
      .filter((c) => !covered.has(c) && c !== 'HV1121');
    expect(missing).toEqual([]);
  });

  test('several syntax errors in one run', () => {
    const r = run({ 'main.dts': V + '/ {\n\ta = <1 2;\n\tb = "x";\n\tc = <3>>;\n\tn { d = [00 1]; };\n\tm { e = (1); };\n};\n' });
    const syntax = r.diagnostics.filter((d) => d.code === 'HV1001' || d.code === 'HV1002');
    expect(syntax.length).toBeGreaterThanOrEqual(3);
    expect(r.tree).toBeUndefined();
  });
});
