import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyOverlays } from '../../../compiler/dts/overlay.js';
import { main } from '../../../compiler/cli/main.js';
import { packageRoot } from '../../../compiler/paths.js';

const fixtures = join(packageRoot, 'test', 'fixtures', 'dts');

/**
 * libfdt leaves the alignment padding after a property it inserted or resized holding whatever bytes were
 * there before (its splice is a memmove that does not clear), so fdtoverlay's padding is stale memory, not
 * data. Everything else — header, reservations, structure, strings, property and node order — must match.
 */
function zeroPadding(blob: Uint8Array): Uint8Array {
  const b = Uint8Array.from(blob);
  const view = new DataView(b.buffer);
  let p = view.getUint32(8);
  for (;;) {
    const tag = view.getUint32(p);
    p += 4;
    if (tag === 1) {
      let end = p;
      while (b[end] !== 0) end++;
      const aligned = (end + 1 + 3) & ~3;
      b.fill(0, end + 1, aligned);
      p = aligned;
    } else if (tag === 3) {
      const len = view.getUint32(p);
      const value = p + 8;
      const aligned = (value + len + 3) & ~3;
      b.fill(0, value + len, aligned);
      p = aligned;
    } else if (tag === 9) return b;
  }
}

function compile(tool: 'dtc' | 'hvcc', source: string, out: string): Promise<void> | void {
  if (tool === 'dtc') {
    execFileSync('dtc', ['-q', '-@', '-I', 'dts', '-O', 'dtb', '-o', out, source]);
    return;
  }
  return main(['dtc', '-q', '-@', '-I', 'dts', '-O', 'dtb', '-o', out, source], { stdout: () => {}, stderr: () => {}, color: false, cwd: packageRoot }).then((code) => {
    expect(code).toBe(0);
  });
}

describe('applying overlays (fdtoverlay)', () => {
  test.each(['dtc', 'hvcc'] as const)('overlays compiled by %s apply to a base exactly as Debian fdtoverlay applies them', async (tool) => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-overlay-'));
    const base = join(dir, 'base.dtb');
    const overlays = ['overlay-1', 'overlay-2'].map((n) => join(dir, `${n}.dtbo`));
    await compile(tool, join(fixtures, 'overlay-base.dts'), base);
    await compile(tool, join(fixtures, 'overlay-1.dts'), overlays[0]!);
    await compile(tool, join(fixtures, 'overlay-2.dts'), overlays[1]!);
    const reference = join(dir, 'reference.dtb');
    execFileSync('fdtoverlay', ['-i', base, '-o', reference, ...overlays]);

    const ours = applyOverlays(readFileSync(base), overlays.map((o) => ({ name: o, bytes: readFileSync(o) })));
    expect(Buffer.from(zeroPadding(ours)).equals(Buffer.from(zeroPadding(readFileSync(reference))))).toBe(true);
    expect(Buffer.from(ours).equals(Buffer.from(zeroPadding(ours)))).toBe(true); // ours pads with zeros

    // The CLI writes the same blob.
    const cliOut = join(dir, 'cli.dtb');
    const code = await main(['fdtoverlay', '-i', base, '-o', cliOut, ...overlays], { stdout: () => {}, stderr: () => {}, color: false, cwd: packageRoot });
    expect(code).toBe(0);
    expect(readFileSync(cliOut).equals(Buffer.from(ours))).toBe(true);

    // What the merge did, read back by dtc: a new node under a label target, a resolved base label, symbols.
    const dts = execFileSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', cliOut], { encoding: 'utf8' });
    expect(dts).toMatch(/sensor@40 \{[^}]*label-on-second = "yes";/);
    expect(dts).toMatch(/sensor = "\/soc\/bus@3000\/sensor@40";/);
    expect(dts).toMatch(/extra = "\/extra";/);
  });

  test('an overlay naming a label the base does not have is an error, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-overlay-'));
    execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', join(dir, 'base.dtb'), join(fixtures, 'overlay-base.dts')]);
    execFileSync('dtc', ['-q', '-@', '-I', 'dts', '-O', 'dtb', '-o', join(dir, 'o.dtbo'), join(fixtures, 'overlay-1.dts')]);
    let err = '';
    const code = await main(['fdtoverlay', '-i', join(dir, 'base.dtb'), '-o', join(dir, 'out.dtb'), join(dir, 'o.dtbo')], { stdout: () => {}, stderr: (s) => (err += s), color: false, cwd: packageRoot });
    expect(code).toBe(1);
    expect(err).toMatch(/no __symbols__ \(compile it with -@\)/);
  });
});
