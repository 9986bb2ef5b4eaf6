/**
 * The mutation fuzzer (test/support/mutation-fuzz.ts), seeded and bounded: the examples, both boards and the
 * files they include, mutated (numbers, paths, strings, references, names, cells, lines, node blocks, bytes)
 * and analyzed in-process. No case may throw, report an internal error, or give a diagnostic that is not
 * well formed (no place to point at, a span outside its text, a message on several lines or with a
 * JavaScript value in it). HVCC_MUTATION_CASES (default 1500) and HVCC_MUTATION_SEED (default 14) set the
 * run; `npm run fuzz -- --cases 100000` runs it at scale.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Diagnostic } from '../../../compiler/diagnostics/diagnostic.js';
import { DtsParser } from '../../../compiler/dts/parser.js';
import { packageRoot } from '../../../compiler/paths.js';
import { diagnosticProblem, disposeCorpus, ENTRIES, fuzz, loadCorpus, makeCase, runCase, type Corpus } from '../../support/mutation-fuzz.js';
import { analyzeText, buildGuests } from './harness.js';

const CASES = Number(process.env.HVCC_MUTATION_CASES ?? 1500);
const SEED = Number(process.env.HVCC_MUTATION_SEED ?? 14);
const parser = new DtsParser();
let corpus: Corpus;
beforeAll(() => {
  buildGuests();
  corpus = loadCorpus(parser);
});
afterAll(() => disposeCorpus(corpus));

describe('the corpus', () => {
  test('every example and the files it includes (both boards among them)', () => {
    expect(corpus.entries.map((e) => e.file)).toEqual(ENTRIES);
    const included = new Set(corpus.entries.flatMap((e) => e.files.slice(1)).map((f) => relative(packageRoot, f)));
    expect(included).toContain('boards/qemu-virt-aarch64/board.dtsi');
    expect(included).toContain('boards/qemu-virt-riscv64/board.dtsi');
  });

  test('cases are reproducible and mutate descriptions and included files alike', () => {
    const a = makeCase(corpus, SEED, 123);
    const b = makeCase(corpus, SEED, 123);
    expect([...a.changed.entries()]).toEqual([...b.changed.entries()]);
    const cases = Array.from({ length: 300 }, (_, i) => makeCase(corpus, SEED, i));
    const steps = cases.flatMap((c) => c.steps);
    for (const kind of ['number', 'path', 'string', 'reference', 'property-name', 'node-name', 'cells', 'line', 'node-block', 'bytes']) expect(steps.some((s) => s.startsWith(`${kind} in`))).toBe(true);
    expect(steps.some((s) => s.includes(' in boards/'))).toBe(true);
    // A mutation changes the text (most of the time: a replacement may pick the same word).
    expect(cases.filter((c) => [...c.changed].some(([f, t]) => t !== corpus.texts.get(f))).length).toBeGreaterThan(250);
  });
});

test('a finding is reported, not lost: what counts as one', () => {
  const span = { file: '/x.dts', start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } };
  const sources = new Map([['/x.dts', 'x;']]);
  const d = (over: Partial<Diagnostic>): Diagnostic => ({ code: 'HV3004', name: 'cpu-shared', severity: 'error', message: 'm', related: [], notes: [], span, ...over });
  expect(diagnosticProblem(d({}), sources)).toBeUndefined();
  expect(diagnosticProblem(d({ code: 'HV0002' }), sources)).toMatch(/^internal error/);
  expect(diagnosticProblem(d({ message: 'a\nb' }), sources)).toMatch(/^a message on several lines/);
  expect(diagnosticProblem(d({ notes: ['value undefined'] }), sources)).toMatch(/JavaScript value/);
  expect(diagnosticProblem(d({ span: undefined }), sources)).toMatch(/^no span/);
  expect(diagnosticProblem(d({ span: { ...span, file: '/y.dts' } }), sources)).toMatch(/not read/);
  expect(diagnosticProblem(d({ span: { ...span, end: { line: 1, column: 9, offset: 9 } } }), sources)).toMatch(/outside its file/);
  // Fixed by the fuzzer's first run: a NUL in a guest's image path threw a TypeError from readFileSync.
  const c = makeCase(corpus, SEED, 0);
  c.changed.set(c.entry, corpus.texts.get(c.entry)!.replace(/image = "([^"]*)"/, 'image = "$1\\0"'));
  expect(runCase(c, parser, corpus)).toEqual([]);
});

test(`${CASES} mutated descriptions (seed ${SEED}): no exception, no internal error, every diagnostic well formed`, () => {
  const run = fuzz({ seed: SEED, cases: CASES, parser, corpus, maxFindings: 20 });
  const report = run.findings.map((f) => `case ${f.case.index} (${relative(packageRoot, f.case.entry)}: ${f.case.steps.join(', ')}): ${f.what}`);
  expect(report).toEqual([]);
  expect(run.clean).toBe(CASES);
});

describe('found by the fuzzer, fixed', () => {
  test("a guest's '#address-cells = <0xffffffff 2>' (not one cell) is dtc's warning, not 4 billion cells of reg in its device tree", () => {
    const file = join(packageRoot, 'examples', 'riscv64', 'two-guests', 'system.dts');
    const text = readFileSync(file, 'utf8').replace('#address-cells = <2>;', '#address-cells = <0xffffffff 2>;');
    const started = Date.now();
    const result = analyzeText(file, text);
    expect(result.diagnostics.filter((d) => d.severity !== 'note').map((d) => d.code)).toEqual(['HV1112']);
    expect(result.layout).toBeDefined();
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
