/**
 * The mutation fuzzer: the project's own descriptions (every example, both boards and every file they
 * include), mutated — numbers, paths, strings, references, property and node names, lines, node blocks,
 * bytes — and analyzed in-process as `hvcc validate` analyzes them. A finding is anything that is not a
 * well-formed diagnostic: an exception, an internal error (HV0002), a diagnostic with no place to point at
 * (other than a description that cannot be read at all), a span outside the text it names, a message on
 * several lines or with "undefined", "NaN" or "[object Object]" in it.
 *
 * Seeded (mulberry32): case N of seed S is always the same case, so a finding is reproduced with its numbers.
 * `test/unit/validate/mutation-fuzz.test.ts` runs a bounded run in the suite; `npm run fuzz` runs it at scale.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { analyze } from '../../compiler/driver/analyze.js';
import { loadCatalogue } from '../../compiler/components/catalogue.js';
import { packageRoot, runtimeDir } from '../../compiler/paths.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { DtsParser } from '../../compiler/dts/parser.js';
import { defaultReadFile, type ReadFile } from '../../compiler/dts/source.js';
import { seededRandom } from './rng.js';

type Rng = () => number;
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** The descriptions the fuzzer starts from: every example's system.dts (each includes its board). */
export const ENTRIES = [
  'examples/two-guests/system.dts',
  'examples/containment/system.dts',
  'examples/passthrough/system.dts',
  'examples/rtc-emulated/system.dts',
  'examples/linux-guest/system.dts',
  'examples/riscv64/two-guests/system.dts',
  'examples/riscv64/containment/system.dts',
  'examples/riscv64/plic/system.dts',
  'examples/riscv64/sbi/system.dts',
].map((p) => join(packageRoot, p));

export interface Corpus {
  /** Each entry with the files it reads (itself first, then its includes), as read from disk. */
  entries: { file: string; files: string[] }[];
  texts: Map<string, string>;
  /** Words seen in the corpus, for replacements that make sense to the parser. */
  propertyNames: string[];
  nodeNames: string[];
  labels: string[];
  strings: string[];
  /** The component catalogue every case reuses (loading it is most of an analysis's time). */
  catalogue: ReturnType<typeof loadCatalogue>;
  /** A folder of odd files: a symbolic-link loop, a dangling link, an empty file, a binary. */
  oddDir: string;
}

export function loadCorpus(parser: DtsParser): Corpus {
  const texts = new Map<string, string>();
  const catalogue = loadCatalogue(runtimeDir);
  const entries = ENTRIES.map((file) => {
    const a = analyze({ file, parser, catalogue });
    const files = [file, ...[...a.sources.keys()].filter((f) => f !== file && /\.dtsi?$/.test(f))];
    for (const f of files) texts.set(f, a.sources.get(f)!);
    return { file, files };
  });
  const all = [...texts.values()].join('\n');
  const uniq = (xs: Iterable<string>) => [...new Set(xs)].sort();
  const oddDir = mkdtempSync(join(tmpdir(), 'hvcc-mutation-'));
  symlinkSync(join(oddDir, 'loop'), join(oddDir, 'loop'));
  symlinkSync(join(oddDir, 'nowhere'), join(oddDir, 'dangling'));
  writeFileSync(join(oddDir, 'empty'), '');
  writeFileSync(join(oddDir, 'binary'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(56).fill(0xff)]));
  mkdirSync(join(oddDir, 'folder'));
  return {
    entries,
    texts,
    catalogue,
    propertyNames: uniq([...all.matchAll(/^\s*([#a-z][\w,.#+-]*)\s*[=;]/gm)].map((m) => m[1]!)),
    nodeNames: uniq([...all.matchAll(/^\s*(?:\w+:\s*)?([a-z][\w,.+-]*(?:@[0-9a-f,]+)?)\s*\{/gm)].map((m) => m[1]!)),
    labels: uniq([...all.matchAll(/&(\w+)/g)].map((m) => m[1]!)),
    strings: uniq([...all.matchAll(/"([^"\n\\]*)"/g)].map((m) => m[1]!)),
    oddDir,
  };
}

export function disposeCorpus(corpus: Corpus): void {
  rmSync(corpus.oddDir, { recursive: true, force: true });
}

/** One mutation of one file's text. */
interface Mutator {
  name: string;
  apply(text: string, r: Rng, ctx: { corpus: Corpus; file: string }): string;
}

const NUMBERS = ['0', '1', '2', '3', '4', '7', '31', '32', '63', '64', '1019', '1020', '1023', '1024', '0x7', '0xfff', '0x1000', '0x1001', '0x1fffff', '0x200000', '0x7fffffff', '0x80000000', '0xffffffff', '0x100000000', '0xffffffffffffffff', '0x10000000000000000', '18446744073709551616', '99999999999999999999', '-1', '(-1)', '(0 - 1)', '(1 << 31)', '(1 << 63)', '(1 << 64)', '(5 / 0)', '(5 % 0)', '16M', '0x4000_0000', '1_000', '0b101', '08', '0x', '1e3', "'a'", "'\\0'", '', ' ', '0x0 0x0', '((((1))))'];
const PATHS = (ctx: { corpus: Corpus; file: string }): string[] => {
  const here = dirname(ctx.file);
  const o = ctx.corpus.oddDir;
  return ['', '.', '..', '/', '/nonexistent/x.elf', 'missing.elf', join(o, 'folder'), join(o, 'loop'), join(o, 'dangling'), join(o, 'empty'), join(o, 'binary'), `${ctx.file}/x`, ctx.file, relative(here, ctx.file), '/dev/null', 'x'.repeat(300), `${'a/'.repeat(3000)}b`, '\\', 'a\\"b', '~/x', '%s%n', join(here, '..'), ...ctx.corpus.strings.filter((s) => s.includes('/')).slice(0, 20)];
};

/** Positions of a pattern's matches in a text. */
function matches(text: string, re: RegExp): RegExpMatchArray[] {
  return [...text.matchAll(re)];
}

function replaceMatch(text: string, m: RegExpMatchArray, replacement: string, group = 0): string {
  const start = m.index! + (group === 0 ? 0 : m[0].indexOf(m[group]!));
  return text.slice(0, start) + replacement + text.slice(start + m[group]!.length);
}

/** Whole node blocks `name { ... };` (balanced braces), as [start, end) offsets. */
function blocks(text: string): [number, number][] {
  const out: [number, number][] = [];
  const stack: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') {
      const lineStart = text.lastIndexOf('\n', i) + 1;
      stack.push(lineStart);
    } else if (c === '}' && stack.length > 0) {
      const start = stack.pop()!;
      let end = i + 1;
      if (text[end] === ';') end++;
      if (text[end] === '\n') end++;
      out.push([start, end]);
    }
  }
  return out;
}

const MUTATORS: Mutator[] = [
  {
    name: 'number',
    apply: (t, r) => {
      const ms = matches(t, /(?<![\w.])(?:0x[0-9a-fA-F]+|\d+)(?![\w.])/g);
      if (ms.length === 0) return t;
      const m = pick(r, ms);
      const v = BigInt(m[0]);
      const near = [v + 1n, v - 1n, v * 2n, v << 12n, v >> 1n, v + 0x1000n, v + 0x200000n].map((x) => (x < 0n ? '0' : `0x${x.toString(16)}`));
      return replaceMatch(t, m, pick(r, r() < 0.5 ? NUMBERS : near));
    },
  },
  {
    name: 'path',
    apply: (t, r, ctx) => {
      const ms = matches(t, /(?:image|initrd|\/include\/|\/incbin\/\(|#include)\s*=?\s*"([^"\n]*)"/g);
      if (ms.length === 0) return t;
      return replaceMatch(t, pick(r, ms), pick(r, PATHS(ctx)), 1);
    },
  },
  {
    name: 'string',
    apply: (t, r, ctx) => {
      const ms = matches(t, /"([^"\n]*)"/g);
      if (ms.length === 0) return t;
      const m = pick(r, ms);
      const s = m[1]!;
      const misspelt = s.length > 1 ? s.slice(0, int(r, 0, s.length - 1)) + pick(r, ['', 'x', '-', ',', '.']) + s.slice(int(r, 1, s.length)) : 'x';
      return replaceMatch(t, m, pick(r, [misspelt, pick(r, ctx.corpus.strings), '', s.toUpperCase(), `${s}", "${s}`, `${s}\\n`, `${s}\\x00`, 'okay', 'disabled', 'hvcc,guest', 'hvcc,hypervisor', 'memory']), 1);
    },
  },
  {
    name: 'reference',
    apply: (t, r, ctx) => {
      const ms = matches(t, /&(\w+)/g);
      if (ms.length === 0) return t;
      return replaceMatch(t, pick(r, ms), pick(r, [...ctx.corpus.labels, 'nolabel', 'cpu4', 'cpu0 &cpu0', '{/cpus/cpu@0}', '{/}', '{/nonexistent}', '{/guests}', '{/memory@40000000}']), 1);
    },
  },
  {
    name: 'property-name',
    apply: (t, r, ctx) => {
      const ms = matches(t, /^\s*([#a-z][\w,.#+-]*)\s*(?==|;)/gm);
      if (ms.length === 0) return t;
      return replaceMatch(t, pick(r, ms), pick(r, [...ctx.corpus.propertyNames, 'x', '#address-cells', '#size-cells', 'status', 'reg', 'ranges', 'interrupts', 'host-address', 'memory-region']), 1);
    },
  },
  {
    name: 'node-name',
    apply: (t, r, ctx) => {
      const ms = matches(t, /^\s*(?:\w+:\s*)?([a-z][\w,.+-]*(?:@[0-9a-f,]+)?)\s*\{/gm);
      if (ms.length === 0) return t;
      return replaceMatch(t, pick(r, ms), pick(r, [...ctx.corpus.nodeNames, 'guests', 'guest', 'hypervisor', 'reserved-memory', 'cpus', 'memory@0', 'x@', '@1', 'a@zz']), 1);
    },
  },
  {
    name: 'cells',
    apply: (t, r) => {
      const ms = matches(t, /<([^<>\n]*)>/g);
      if (ms.length === 0) return t;
      const m = pick(r, ms);
      const cells = m[1]!.trim().split(/\s+/).filter(Boolean);
      const op = int(r, 0, 3);
      if (op === 0) cells.splice(int(r, 0, Math.max(0, cells.length - 1)), 1);
      else if (op === 1) cells.splice(int(r, 0, cells.length), 0, pick(r, NUMBERS.filter(Boolean)));
      else if (op === 2) cells.length = 0;
      else cells.push(...cells);
      return replaceMatch(t, m, cells.join(' '), 1);
    },
  },
  {
    name: 'line',
    apply: (t, r) => {
      const lines = t.split('\n');
      const i = int(r, 0, lines.length - 1);
      const op = int(r, 0, 3);
      if (op === 0) lines.splice(i, 1);
      else if (op === 1) lines.splice(i, 0, lines[i]!);
      else if (op === 2) {
        const j = int(r, 0, lines.length - 1);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      } else lines[i] = lines[i]!.replace(/;\s*$/, '');
      return lines.join('\n');
    },
  },
  {
    name: 'node-block',
    apply: (t, r) => {
      const bs = blocks(t);
      if (bs.length === 0) return t;
      const [s, e] = pick(r, bs);
      const op = int(r, 0, 2);
      if (op === 0) return t.slice(0, s) + t.slice(e);
      if (op === 1) return t.slice(0, e) + t.slice(s, e) + t.slice(e);
      // Moved into another node.
      const body = t.slice(s, e);
      const rest = t.slice(0, s) + t.slice(e);
      const opens = matches(rest, /\{\n/g);
      if (opens.length === 0) return rest;
      const at = pick(r, opens).index! + 2;
      return rest.slice(0, at) + body + rest.slice(at);
    },
  },
  {
    name: 'bytes',
    apply: (t, r) => {
      let s = t;
      for (let k = int(r, 1, 3); k > 0; k--) {
        const at = int(r, 0, Math.max(0, s.length - 1));
        const junk = pick(r, ['"', '<', '>', '{', '}', ';', '&', '/', '*', '\\', '\n', '@', '=', ',', '\0', 'é', '\r', '\t', '/*', '*/', '//', '/delete-node/ ', '/delete-property/ ', '/bits/ 8 ', '/memreserve/ 0 1;', '/plugin/;', 'x:', '[00 11]', '#include "x"', '#define A 1\n', '#if 1\n', '/dts-v1/;']);
        const op = int(r, 0, 2);
        s = op === 0 ? s.slice(0, at) + junk + s.slice(at) : op === 1 ? s.slice(0, at) + s.slice(at + int(r, 1, 12)) : s.slice(0, at) + junk + s.slice(at + 1);
      }
      return s;
    },
  },
];

export interface FuzzCase {
  index: number;
  entry: string;
  /** The mutated files (the others are read from disk). */
  changed: Map<string, string>;
  /** What was done, for the report. */
  steps: string[];
}

/** Case `index` of `seed`: the same case every time. */
export function makeCase(corpus: Corpus, seed: number, index: number): FuzzCase {
  const r = seededRandom((seed * 0x9e3779b1 + index * 0x85ebca6b) >>> 0);
  const entry = pick(r, corpus.entries);
  const changed = new Map<string, string>();
  const steps: string[] = [];
  for (let k = int(r, 1, 3); k > 0; k--) {
    // The description most of the time, its board (or another included file) otherwise.
    const file = r() < 0.65 || entry.files.length === 1 ? entry.file : pick(r, entry.files.slice(1));
    const mutator = pick(r, MUTATORS);
    const before = changed.get(file) ?? corpus.texts.get(file)!;
    changed.set(file, mutator.apply(before, r, { corpus, file }));
    steps.push(`${mutator.name} in ${relative(packageRoot, file)}`);
  }
  return { index, entry: entry.file, changed, steps };
}

export interface Finding {
  case: FuzzCase;
  what: string;
}

function readerFor(c: FuzzCase): ReadFile {
  return (path) => c.changed.get(resolve(path)) ?? defaultReadFile(path);
}

/** What is wrong with one diagnostic, if anything. */
export function diagnosticProblem(d: Diagnostic, sources: ReadonlyMap<string, string>): string | undefined {
  const show = `${d.code} ${d.message.slice(0, 200)}`;
  if (d.code === 'HV0002') return `internal error: ${show}`;
  for (const text of [d.message, ...d.notes, d.help ?? '', ...d.related.map((x) => x.message)]) {
    if (/\n/.test(text)) return `a message on several lines: ${JSON.stringify(text.slice(0, 200))}`;
    if (/\bundefined\b|\bNaN\b|\[object Object\]/.test(text)) return `a message with a JavaScript value in it: ${JSON.stringify(text.slice(0, 200))}`;
  }
  if (!d.span) {
    // A description that cannot be read at all (HV0001, or HV0004-HV0008 of the file itself) has no place;
    // notes (dtc's "failed prerequisite") neither.
    if (d.severity === 'note' || /^HV000[1-8]$/.test(d.code) || /^HV6/.test(d.code)) return undefined;
    return `no span: ${show}`;
  }
  for (const s of [d.span, ...d.related.map((x) => x.span)]) {
    const text = sources.get(s.file);
    if (text === undefined) return `a span in a file that was not read (${s.file}): ${show}`;
    if (s.start.offset > text.length || s.end.offset > text.length || s.end.offset < s.start.offset) return `a span outside its file (${s.file}:${s.start.line}:${s.start.column}): ${show}`;
  }
  return undefined;
}

/** Runs one case; its findings (none when every diagnostic is well formed). */
export function runCase(c: FuzzCase, parser: DtsParser, corpus: Corpus): string[] {
  let result: ReturnType<typeof analyze>;
  try {
    result = analyze({ file: c.entry, parser, catalogue: corpus.catalogue, readFile: readerFor(c) });
  } catch (e) {
    return [`threw: ${(e as Error).stack ?? String(e)}`.split('\n').slice(0, 8).join('\n')];
  }
  const out: string[] = [];
  for (const d of result.diagnostics) {
    const p = diagnosticProblem(d, result.sources);
    if (p) out.push(p);
  }
  return out;
}

export interface FuzzRun {
  cases: number;
  seconds: number;
  findings: Finding[];
  /** Cases without a finding. */
  clean: number;
}

/** Cases [from, from + count) of `seed`; stops collecting after `maxFindings`. */
export function fuzz(options: { seed: number; cases: number; from?: number; maxFindings?: number; parser?: DtsParser; corpus?: Corpus; progress?: (done: number) => void; before?: (index: number) => void; slowMs?: number }): FuzzRun {
  const parser = options.parser ?? new DtsParser();
  const corpus = options.corpus ?? loadCorpus(parser);
  const started = process.hrtime.bigint();
  const findings: Finding[] = [];
  let clean = 0;
  try {
    for (let i = 0; i < options.cases; i++) {
      const c = makeCase(corpus, options.seed, (options.from ?? 0) + i);
      options.before?.(c.index);
      const t0 = process.hrtime.bigint();
      const found = runCase(c, parser, corpus);
      // A case that takes seconds is a finding too: a number used as a size or a count somewhere.
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (ms > (options.slowMs ?? 5000)) found.push(`slow: ${ms.toFixed(0)} ms`);
      if (found.length === 0) clean++;
      for (const what of found) if (findings.length < (options.maxFindings ?? 1000)) findings.push({ case: c, what });
      if (options.progress && (i + 1) % 1000 === 0) options.progress(i + 1);
    }
  } finally {
    if (!options.corpus) disposeCorpus(corpus);
  }
  return { cases: options.cases, seconds: Number(process.hrtime.bigint() - started) / 1e9, findings, clean };
}
