/**
 * One fixture per check (test/fixtures/checks/<CODE>-<name>/): each folder holds a minimal description
 * with its expectations written in it as comments (syntax in test/fixtures/checks/README.md). `analyze`
 * must report exactly the marked diagnostics, at the marked lines and columns, with the marked related
 * spans; and every code a description can trigger must have a fixture.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyze } from '../../../compiler/driver/analyze.js';
import { catalogue } from '../../../compiler/messages/catalogue.js';
import { buildGuests, describeDiagnostic, problems, root } from './harness.js';

const fixturesDir = join(root, 'test', 'fixtures', 'checks');

/**
 * Codes of the description-model, system-check and plan areas that no description can make `hvcc validate`
 * report, with the reason. Every other code of HV2xxx, HV3xxx and HV4006/HV4007 needs a fixture.
 */
export const UNTRIGGERABLE: Record<string, string> = {
  HV3015:
    'hypervisor-region-size compares the linked image with its region: only `hvcc build` knows the image size, after the toolchain (validate stops before it; HV3027 is the estimate validate can make).',
};
/** The plan codes in scope besides HV2xxx and HV3xxx (HV4001-HV4003 and HV4008-HV4011 are about components, not a description: test/fixtures/components/). */
const PLAN_CODES = ['HV4004', 'HV4005', 'HV4006', 'HV4007'];

interface Mark {
  kind: 'expect' | 'related';
  code: string;
  file: string;
  line: number;
  column: number;
}

const MARK = /\/\/ (expect|related): (HV\d{4}) "(.*?)"(?=\s*(?:\/\/|$))/g;

/** Reads the markers of every .dts/.dtsi file in a fixture folder. */
export function readMarks(dir: string): { marks: Mark[]; disabled: Set<string> } {
  const marks: Mark[] = [];
  const disabled = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => /\.dtsi?$/.test(n)).sort()) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    lines.forEach((text, i) => {
      const d = /^\/\/ disable: (.+)$/.exec(text);
      if (d) for (const n of d[1]!.split(/[ ,]+/)) disabled.add(n);
      const code = text.split(/ \/\/ (?:expect|related): /)[0]!;
      for (const m of text.matchAll(MARK)) {
        const at = code.indexOf(m[3]!);
        if (at < 0) throw new Error(`${name}:${i + 1}: marker text ${JSON.stringify(m[3])} is not on its line`);
        marks.push({ kind: m[1] as Mark['kind'], code: m[2]!, file: name, line: i + 1, column: at + 1 });
      }
    });
  }
  return { marks, disabled };
}

const fixtures = readdirSync(fixturesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

beforeAll(() => buildGuests());

describe('check fixtures', () => {
  test.each(fixtures)('%s', (name) => {
    const dir = join(fixturesDir, name);
    const { marks, disabled } = readMarks(dir);
    const ownCode = name.slice(0, 6);
    expect(marks.filter((m) => m.kind === 'expect').map((m) => m.code)).toContain(ownCode);

    const result = analyze({ file: join(dir, 'system.dts'), disabled });
    const where = (s: { file: string; start: { line: number; column: number } }) => ({ file: relative(dir, s.file), line: s.start.line, column: s.start.column });
    const got = problems(result.diagnostics)
      .map((d) => ({ code: d.code, at: d.span ? where(d.span) : null, related: d.related.map((r) => where(r.span)) }))
      .sort((a, b) => a.code.localeCompare(b.code));
    const want = marks
      .filter((m) => m.kind === 'expect')
      .map((m) => ({
        code: m.code,
        at: { file: m.file, line: m.line, column: m.column },
        related: marks.filter((r) => r.kind === 'related' && r.code === m.code).map((r) => ({ file: r.file, line: r.line, column: r.column })),
      }))
      .sort((a, b) => a.code.localeCompare(b.code));
    const context = problems(result.diagnostics).map(describeDiagnostic).join('\n');
    expect({ got, context }).toEqual({ got: want, context });
  });

  test('every code a description can trigger has a fixture', () => {
    const codes = catalogue
      .flatMap((a) => a.messages)
      .map((m) => m.code)
      .filter((c) => /^HV[23]\d{3}$/.test(c) || PLAN_CODES.includes(c));
    const covered = new Set(fixtures.map((f) => f.slice(0, 6)));
    const missing = codes.filter((c) => !covered.has(c) && !(c in UNTRIGGERABLE));
    expect(missing).toEqual([]);
    // The exceptions stay honest: no fixture for them, and each is still a code of the catalogue.
    for (const c of Object.keys(UNTRIGGERABLE)) {
      expect(covered.has(c)).toBe(false);
      expect(codes).toContain(c);
    }
  });

  test('fixture folders are named <CODE>-<check name>', () => {
    const all = catalogue.flatMap((a) => a.messages);
    for (const f of fixtures) {
      const m = all.find((x) => x.code === f.slice(0, 6));
      expect(`${m?.code}-${m?.name}`).toBe(f);
    }
  });
});

/** Examples a fresh checkout can validate (examples/linux-guest needs its prepare.mjs downloads). */
const CLEAN_EXAMPLES = ['two-guests', 'containment', 'shared-cpus', 'passthrough', 'virtio-console', 'shared-memory', 'virtio-blk', 'virtio-net', 'net-uplink', 'riscv64/two-guests', 'riscv64/containment', 'riscv64/plic', 'riscv64/virtio-console'];

describe('clean examples (no false positives)', () => {
  test.each(CLEAN_EXAMPLES)('examples/%s validates with no diagnostics at all', (name) => {
    const result = analyze({ file: join(root, 'examples', name, 'system.dts') });
    expect(result.diagnostics.map(describeDiagnostic)).toEqual([]);
    expect(result.layout).toBeDefined();
  });

  test('every board has a clean example', () => {
    const boards = readdirSync(join(root, 'boards'));
    for (const board of boards) {
      const users = CLEAN_EXAMPLES.filter((e) => readFileSync(join(root, 'examples', e, 'system.dts'), 'utf8').includes(`boards/${board}/`));
      expect({ board, users: users.length > 0 }).toEqual({ board, users: true });
    }
  });
});
