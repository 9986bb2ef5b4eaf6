/**
 * `hvcc map` on a description with errors: the map is still made (from the model as read), its conflicts
 * named, in every format, and the exit status is 1; on a clean one, 0. `-o` writes a file.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../compiler/cli/main.js';
import { analyze } from '../../../compiler/driver/analyze.js';
import { packageRoot } from '../../../compiler/paths.js';
import { PALETTE } from '../../../compiler/map/model.js';

beforeAll(() => {
  execFileSync('make', ['-s', '-C', join(packageRoot, 'examples', 'guests')]);
});

async function hvcc(args: string[]): Promise<{ exit: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const exit = await main(args, { stdout: (t) => (out += String(t)), stderr: (t) => (err += t), color: false, cwd: packageRoot });
  return { exit, out, err };
}

const overlap = 'test/fixtures/checks/HV3001-guest-memory-overlap/system.dts';

describe('hvcc map on partial results', () => {
  test('analyze keeps what it computed before the errors in `partial`, and `system`/`layout` only for a clean description', () => {
    const bad = analyze({ file: join(packageRoot, overlap) });
    expect(bad.system).toBeUndefined();
    expect(bad.layout).toBeUndefined();
    expect(bad.partial?.system.guests.map((g) => g.name)).toEqual(['alpha', 'beta']);
    expect(bad.partial?.plan).toBeDefined();
    const good = analyze({ file: join(packageRoot, 'examples/two-guests/system.dts') });
    expect(good.layout).toBeDefined();
    expect(good.partial?.layout).toBe(good.layout);
  });

  test('text and JSON of a description with errors: the host ranges, the shared one and the conflict; exit 1', async () => {
    const text = await hvcc(['map', overlap]);
    expect(text.exit).toBe(1);
    expect(text.err).toMatch(/HV3001/);
    expect(text.out).toMatch(/^\(the description has errors/);
    expect(text.out).toMatch(/\[0x48800000, 0x49000000\)\s+claimed twice\s+shared: alpha RAM \+ beta RAM, 8 MiB {2}⚠ HV3001/);
    expect(text.out).toMatch(/Conflicts:\n {2}HV3001 {2}the memory of guest 'beta'/);
    const json = await hvcc(['map', overlap, '--format', 'json']);
    expect(json.exit).toBe(1);
    const parsed = JSON.parse(json.out) as { entries: unknown[]; map: { complete: boolean; conflicts: { code: string; at: { text: string } }[]; host: { range: { base: string }; owner: string }[] } };
    expect(parsed.entries).toEqual([]);
    expect(parsed.map.complete).toBe(false);
    expect(parsed.map.conflicts.map((c) => `${c.code} ${c.at.text}`)).toEqual(['HV3001 test/fixtures/checks/HV3001-guest-memory-overlap/system.dts:49:20']);
    expect(parsed.map.host.find((s) => s.owner === 'shared')?.range.base).toBe('0x48800000');
  });

  test('-o writes the file; a clean description exits 0 and its JSON keeps the ledger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvcc-map-o-'));
    const r = await hvcc(['map', 'examples/two-guests/system.dts', '--format', 'svg', '-o', join(dir, 'map.svg')]);
    expect(r.exit).toBe(0);
    expect(r.out).toBe('');
    expect(readFileSync(join(dir, 'map.svg'), 'utf8')).toMatch(/^<\?xml/);
    const json = JSON.parse((await hvcc(['map', 'examples/two-guests/system.dts', '--format', 'json'])).out) as { entries: { owner: string }[]; map: { complete: boolean } };
    expect(json.entries.length).toBeGreaterThan(10);
    expect(json.map.complete).toBe(true);
    expect((await hvcc(['map', 'examples/two-guests/system.dts', '--format', 'png'])).exit).toBe(2);
  });
});

describe("the map's colors", () => {
  /** WCAG 2's contrast ratio of two '#rrggbb' colors. */
  function contrast(a: string, b: string): number {
    const lum = (hex: string) => {
      const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
    };
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x! + 0.05) / (y! + 0.05);
  }

  test("text on every owner color has a contrast of at least 4.5:1, and the guests' colors are distinct", () => {
    for (const c of [PALETTE.hypervisor, PALETTE.free, PALETTE.board, PALETTE.shared, ...PALETTE.guests]) expect([c.color, contrast(c.color, c.ink) >= 4.5]).toEqual([c.color, true]);
    expect(new Set(PALETTE.guests.map((g) => g.color)).size).toBe(PALETTE.guests.length);
  });
});
