/**
 * The component catalogue's diagnostics (HV4001-HV4011 but the plan's): one fixture folder each under
 * test/fixtures/components/<CODE>-<name>/, holding the components (on the search path for the run) and,
 * when the mistake needs one, a description (else examples/two-guests is validated); expect.json lists the
 * diagnostics the run must report, at their locations, and nothing else.
 */
import { describe, expect, test } from '@jest/globals';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { analyze } from '../../../compiler/driver/analyze.js';
import { catalogue } from '../../../compiler/messages/catalogue.js';
import { buildGuests, problems, root } from './harness.js';

const dir = join(root, 'test', 'fixtures', 'components');
const fixtures = readdirSync(dir).filter((f) => /^HV\d{4}-/.test(f)).sort();

interface Expected {
  code: string;
  file?: string;
  line?: number;
  column?: number;
}

describe('component catalogue fixtures', () => {
  test.each(fixtures)('%s', (name) => {
    buildGuests();
    const folder = join(dir, name);
    const options = existsSync(join(folder, 'options.json')) ? (JSON.parse(readFileSync(join(folder, 'options.json'), 'utf8')) as { componentPath?: string[] }) : {};
    const componentPath = (options.componentPath ?? ['components']).map((p) => join(folder, p));
    const file = existsSync(join(folder, 'system.dts')) ? join(folder, 'system.dts') : join(root, 'examples', 'two-guests', 'system.dts');
    const result = analyze({ file, componentPath });
    const got = problems(result.diagnostics).map((d) => {
      const e: Expected = { code: d.code };
      if (d.span) Object.assign(e, { file: relative(folder, d.span.file), line: d.span.start.line, column: d.span.start.column });
      return e;
    });
    const want = JSON.parse(readFileSync(join(folder, 'expect.json'), 'utf8')) as Expected[];
    expect({ got, messages: problems(result.diagnostics).map((d) => d.message) }).toEqual({ got: want, messages: expect.anything() });
  });

  // A binding's property schemas are built when a description first uses the binding, so a pattern that is
  // not a regular expression must be caught when the file is read, not crash a later pass.
  test('a binding whose pattern is not a regular expression is HV4008 at the pattern', () => {
    buildGuests();
    const components = mkdtempSync(join(tmpdir(), 'hvcc-binding-'));
    try {
      cpSync(join(dir, 'HV4008-component-binding', 'components', 'acme-uart', 'manifest.json'), join(components, 'acme-uart', 'manifest.json'), { recursive: true });
      const text = JSON.stringify({ compatible: 'acme,uart', role: 'guest-device', title: 'ACME UART', description: 'An ACME UART.', properties: { 'acme,mode': { type: 'string', pattern: '([a-z' } } }, null, 2);
      writeFileSync(join(components, 'acme-uart', 'binding.json'), text);
      const result = analyze({ file: join(root, 'examples', 'two-guests', 'system.dts'), componentPath: [components] });
      const found = problems(result.diagnostics).map((d) => ({ code: d.code, line: d.span?.start.line, message: d.message }));
      expect(found).toEqual([{ code: 'HV4008', line: text.split('\n').findIndex((l) => l.includes('"pattern"')) + 1, message: expect.stringContaining('is not a valid regular expression') }]);
    } finally {
      rmSync(components, { recursive: true, force: true });
    }
  });

  test('a binding whose enum does not fit its type (numbers for a string) is HV4008 at the enum', () => {
    buildGuests();
    const components = mkdtempSync(join(tmpdir(), 'hvcc-binding-'));
    try {
      cpSync(join(dir, 'HV4008-component-binding', 'components', 'acme-uart', 'manifest.json'), join(components, 'acme-uart', 'manifest.json'), { recursive: true });
      const text = JSON.stringify({ compatible: 'acme,uart', role: 'guest-device', title: 'ACME UART', description: 'An ACME UART.', properties: { 'acme,mode': { type: 'string', enum: [1, 2] } } }, null, 2);
      writeFileSync(join(components, 'acme-uart', 'binding.json'), text);
      const result = analyze({ file: join(root, 'examples', 'two-guests', 'system.dts'), componentPath: [components] });
      const found = problems(result.diagnostics).map((d) => ({ code: d.code, message: d.message }));
      expect(found).toEqual([{ code: 'HV4008', message: expect.stringContaining('an "enum" lists strings for a string property') }]);
    } finally {
      rmSync(components, { recursive: true, force: true });
    }
  });

  // Optimization levels by file: each list names C files of `sources`, and a file is in one list at most.
  test.each([
    ['cold-sources', { sources: ['uart.c'], 'cold-sources': ['src/uart.c'] }, ['cold-sources', 0], 'is not one of the C files in sources'],
    ['cold-sources', { sources: ['uart.c', 'entry.S'], 'cold-sources': ['entry.S'] }, ['cold-sources', 0], 'is not one of the C files in sources'],
    ['size-sources', { sources: ['uart.c', 'fifo.c'], 'cold-sources': ['uart.c'], 'size-sources': ['fifo.c', 'uart.c'] }, ['size-sources', 1], 'is in cold-sources too'],
  ])('a manifest whose %s names a file it cannot is HV4001 at that entry', (_list, fields, at, message) => {
    buildGuests();
    const components = mkdtempSync(join(tmpdir(), 'hvcc-manifest-'));
    try {
      const manifest = { ...JSON.parse(readFileSync(join(dir, 'HV4008-component-binding', 'components', 'acme-uart', 'manifest.json'), 'utf8')), ...fields };
      const text = JSON.stringify(manifest, null, 2);
      cpSync(join(dir, 'HV4008-component-binding', 'components', 'acme-uart'), join(components, 'acme-uart'), { recursive: true });
      writeFileSync(join(components, 'acme-uart', 'manifest.json'), text);
      const result = analyze({ file: join(root, 'examples', 'two-guests', 'system.dts'), componentPath: [components] });
      const found = problems(result.diagnostics).filter((d) => d.code === 'HV4001').map((d) => ({ line: d.span?.start.line, message: d.message }));
      // At the list's key; the message names the entry.
      const line = text.split('\n').findIndex((l) => l.includes(`"${at[0]}"`)) + 1;
      const entry = (fields as Record<string, string[]>)[at[0] as string]![at[1] as number]!;
      expect(found).toEqual([{ line, message: expect.stringContaining(`'${entry}' ${message}`) }]);
    } finally {
      rmSync(components, { recursive: true, force: true });
    }
  });

  test('every component-catalogue code has a fixture, named <CODE>-<name>', () => {
    const all = catalogue.flatMap((a) => a.messages);
    for (const f of fixtures) {
      const m = all.find((x) => x.code === f.slice(0, 6));
      expect(`${m?.code}-${m?.name}`).toBe(f);
    }
    const covered = new Set(fixtures.map((f) => f.slice(0, 6)));
    // HV4004-HV4007 and HV4012 on are the plan's: description fixtures in test/fixtures/checks/ cover them.
    const catalogueCodes = all.map((m) => m.code).filter((c) => /^HV40(0[1-3]|0[89]|1[01])$/.test(c));
    expect(catalogueCodes.filter((c) => !covered.has(c))).toEqual([]);
  });
});
