/** The API the model builder consumes: tree shape, spans, value helpers, phandles, runDtc. */
import { describe, expect, test } from '@jest/globals';
import {
  addressCells,
  asString,
  asStringList,
  asU32Array,
  asU64Cells,
  findNode,
  getProperty,
  isEmpty,
  nodeByLabel,
  parseDts,
  propertyBytes,
  regEntries,
  resolvePhandle,
  runDtc,
  sizeCells,
} from '../../../compiler/dts/index.js';

const SRC = `/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <1>;
	compatible = "a,b", "c";
	soc {
		#address-cells = <1>;
		#size-cells = <1>;
		uart: serial@1000 {
			reg = <0x1000 0x100>, <0x2000 0x10>;
			clocks = <&clk 3>;
			empty;
			name-path = &clk;
		};
	};
	clk: clock-controller {
		#clock-cells = <1>;
	};
	mem@80000000 {
		reg = <0x0 0x80000000 0x40000000>;
	};
};
`;

describe('parseDts API', () => {
  const r = parseDts('board.dts', { readFile: (p) => (p === 'board.dts' ? SRC : undefined) });
  const tree = r.tree!;

  test('tree shape, names, paths, labels, parents', () => {
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const uart = findNode(tree, '/soc/serial@1000')!;
    expect(uart.name).toBe('serial');
    expect(uart.unitAddress).toBe('1000');
    expect(uart.fullName).toBe('serial@1000');
    expect(uart.path).toBe('/soc/serial@1000');
    expect(uart.labels).toEqual(['uart']);
    expect(uart.parent!.path).toBe('/soc');
    expect(nodeByLabel(tree, 'uart')).toBe(uart);
    expect(r.sources.get('board.dts')).toBe(SRC);
  });

  test('spans: node name, property name and value', () => {
    const uart = findNode(tree, '/soc/serial@1000')!;
    expect(uart.span).toMatchObject({ file: 'board.dts', start: { line: 9, column: 9 } });
    const reg = getProperty(uart, 'reg')!;
    expect(reg.span.start).toMatchObject({ line: 10, column: 4 });
    expect(reg.valueSpan!.start).toMatchObject({ line: 10, column: 10 });
    expect(reg.valueSpan!.end).toMatchObject({ line: 10, column: 39 });
    const cells = reg.chunks[0]!;
    expect(cells.kind).toBe('cells');
    if (cells.kind === 'cells') expect(cells.items[1]!.span.start).toMatchObject({ line: 10, column: 18 });
  });

  test('phandle references resolved as dtc does (phandle property added to the target)', () => {
    const uart = findNode(tree, '/soc/serial@1000')!;
    const clk = findNode(tree, '/clock-controller')!;
    expect(clk.phandle).toBe(1);
    expect(asU32Array(getProperty(clk, 'phandle')!)).toEqual([1]);
    const clocks = getProperty(uart, 'clocks')!;
    expect(asU32Array(clocks)).toEqual([1, 3]);
    const c = clocks.chunks[0]!;
    if (c.kind === 'cells') expect(c.items[0]!.ref).toBe('clk');
    expect(resolvePhandle(tree, 1)).toBe(clk);
    expect(asString(getProperty(uart, 'name-path')!)).toBe('/clock-controller');
  });

  test('value helpers', () => {
    expect(asStringList(getProperty(tree.root, 'compatible')!)).toEqual(['a,b', 'c']);
    expect(asString(getProperty(tree.root, 'compatible')!)).toBeUndefined();
    const uart = findNode(tree, '/soc/serial@1000')!;
    expect(isEmpty(getProperty(uart, 'empty')!)).toBe(true);
    expect(propertyBytes(getProperty(uart, 'empty')!).length).toBe(0);
    expect(asU64Cells(getProperty(uart, 'reg')!, 2)).toEqual([0x1000_0000_0100n, 0x2000_0000_0010n]);
    expect(regEntries(uart)).toEqual([
      { address: 0x1000n, size: 0x100n },
      { address: 0x2000n, size: 0x10n },
    ]);
    const mem = findNode(tree, '/mem@80000000')!;
    expect(addressCells(mem.parent)).toBe(2);
    expect(sizeCells(mem.parent)).toBe(1);
    expect(regEntries(mem)).toEqual([{ address: 0x80000000n, size: 0x40000000n }]);
  });
});

describe('runDtc', () => {
  test('dts -> dts to stdout, exit codes', async () => {
    let out = '';
    let err = '';
    const io = { stdout: (s: string | Uint8Array) => (out += typeof s === 'string' ? s : Buffer.from(s).toString('latin1')), stderr: (s: string) => (err += s) };
    const file = `/tmp/hvcc-api-${process.pid}.dts`;
    (await import('node:fs')).writeFileSync(file, '/dts-v1/;\n/ { a = <1>; s = "x"; };\n');
    expect(await runDtc(['-O', 'dts', file], io)).toBe(0);
    expect(out).toBe('/dts-v1/;\n\n/ {\n\ta = <0x01>;\n\ts = "x";\n};\n');
    (await import('node:fs')).writeFileSync(file, '/dts-v1/;\n/ { a = <&nope>; };\n');
    expect(await runDtc(['-o', '/dev/null', file], io)).toBe(2);
    expect(err).toContain('ERROR (phandle_references)');
    (await import('node:fs')).writeFileSync(file, '/dts-v1/;\n/ { a = <1; };\n');
    expect(await runDtc(['-o', '/dev/null', file], io)).toBe(1);
    expect(await runDtc(['-W', 'no-such_check', file], io)).toBe(1);
    (await import('node:fs')).rmSync(file);
  });

  test('formats guessed as dtc guesses them: a blob by its magic number, the output by its name', async () => {
    const fs = await import('node:fs');
    const dir = fs.mkdtempSync(`/tmp/hvcc-api-guess-`);
    const io = { stdout: () => undefined, stderr: () => undefined };
    const src = `${dir}/in.dts`;
    fs.writeFileSync(src, '/dts-v1/;\n/ { a = <1>; };\n');
    // No -O: source in, a blob out; a blob in (whatever its name), source out.
    expect(await runDtc(['-o', `${dir}/a`, src], io)).toBe(0);
    expect(fs.readFileSync(`${dir}/a`).readUInt32BE(0)).toBe(0xd00dfeed);
    fs.copyFileSync(`${dir}/a`, `${dir}/a.blob`);
    expect(await runDtc(['-o', `${dir}/b`, `${dir}/a.blob`], io)).toBe(0);
    expect(fs.readFileSync(`${dir}/b`, 'utf8')).toBe('/dts-v1/;\n\n/ {\n\ta = <0x01>;\n};\n');
    // The output's name decides: .dts is source even from source, .dtb a blob even from a blob.
    expect(await runDtc(['-o', `${dir}/c.dts`, src], io)).toBe(0);
    expect(fs.readFileSync(`${dir}/c.dts`, 'utf8')).toMatch(/^\/dts-v1\/;/);
    expect(await runDtc(['-o', `${dir}/d.dtb`, `${dir}/a.blob`], io)).toBe(0);
    expect(fs.readFileSync(`${dir}/d.dtb`).equals(fs.readFileSync(`${dir}/a`))).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });
});
