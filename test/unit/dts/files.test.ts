/**
 * The front end's files through compiler/fs: an /include/ or /incbin/ (or the entry file) that exists but
 * cannot be read is reported with the file system's code at the place it is named; one that is nowhere is
 * dtc's HV1008, listing where it was looked for.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDts, runDtc } from '../../../compiler/dts/index.js';
import { at } from './harness.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hvcc-dts-files-'));
  mkdirSync(join(dir, 'sub'));
  mkdirSync(join(dir, 'inc'));
  writeFileSync(join(dir, 'inc', 'sub'), '/ { from-inc; };\n');
  writeFileSync(join(dir, 'blob.bin'), Buffer.from([1, 2, 3]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function source(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('files named by the source', () => {
  test('an /include/ naming a folder: HV0005 at the /include/, and the search stops there', () => {
    const file = source('a.dts', '/dts-v1/;\n/include/ "sub"\n/ { };\n');
    // inc/sub is a file, but the including file's folder comes first, and there "sub" is a folder.
    const r = parseDts(file, { includeDirs: [join(dir, 'inc')], preprocess: false });
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect([d.code, d.message, at(d)]).toEqual(['HV0005', "cannot read the included file 'sub': it is a folder, not a file", `${file}:2:1`]);
    expect(d.notes).toEqual([`the path is ${join(dir, 'sub')}`]);
  });

  test('an /incbin/ naming a folder: HV0005 at the file name', () => {
    const file = source('b.dts', '/dts-v1/;\n/ { x = /incbin/("sub"); };\n');
    const r = parseDts(file, { preprocess: false });
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect([d.code, at(d)]).toEqual(['HV0005', `${file}:2:18`]);
  });

  test('an /incbin/ that reads', () => {
    const file = source('c.dts', '/dts-v1/;\n/ { x = /incbin/("blob.bin"); };\n');
    const r = parseDts(file, { preprocess: false });
    expect(r.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
  });

  test('nowhere: HV1008, naming every place searched', () => {
    const file = source('d.dts', '/dts-v1/;\n/include/ "gone.dtsi"\n/ { };\n');
    const r = parseDts(file, { includeDirs: [join(dir, 'inc')], preprocess: false });
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect([d.code, d.message]).toEqual(['HV1008', 'Couldn\'t open "gone.dtsi": No such file or directory']);
    expect(d.notes).toEqual([`looked for '${join(dir, 'gone.dtsi')}', '${join(dir, 'inc', 'gone.dtsi')}'`]);
  });

  test('the entry file a folder: HV0005; missing: dtc\'s HV1018', () => {
    expect(parseDts(join(dir, 'sub')).diagnostics.map((d) => d.code)).toEqual(['HV0005']);
    expect(parseDts(join(dir, 'none.dts')).diagnostics.map((d) => d.code)).toEqual(['HV1018']);
  });

  test('hvcc dtc says it in dtc\'s words', async () => {
    let err = '';
    const io = { stdout: () => {}, stderr: (s: string) => void (err += s) };
    expect(await runDtc(['-I', 'dtb', '-o', '/dev/null', join(dir, 'sub')], io)).toBe(1);
    expect(err).toBe(`FATAL ERROR: Couldn't open "${join(dir, 'sub')}": Is a directory\n`);
    err = '';
    expect(await runDtc(['-o', join(dir, 'sub'), source('e.dts', '/dts-v1/;\n/ { };\n')], io)).toBe(1);
    expect(err).toBe(`FATAL ERROR: Couldn't open output file ${join(dir, 'sub')}: Is a directory\n`);
  });
});
