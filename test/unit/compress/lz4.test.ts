/**
 * The compiler's LZ4 compressor against the runtime's expander (runtime/core/src/lz4.c), built for the build
 * machine with gcc's AddressSanitizer and UndefinedBehaviorSanitizer (test/unit/compress/harness.c): every
 * block the compiler writes expands to the bytes it was made from, and damaged blocks are refused or expand
 * inside their buffers, never outside.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lz4Compress } from '../../../compiler/compress/lz4.js';
import { packageRoot } from '../../../compiler/paths.js';
import { seededRandom } from '../../support/rng.js';

const here = join(packageRoot, 'test', 'unit', 'compress');
let dir: string;
let binary: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hvcc-lz4-'));
  binary = join(dir, 'harness');
  execFileSync('gcc', [
    '-g', '-O1', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-Wall', '-Wextra', '-Werror',
    `-I${join(packageRoot, 'runtime', 'core', 'include')}`,
    join(here, 'harness.c'), join(packageRoot, 'runtime', 'core', 'src', 'lz4.c'),
    '-o', binary,
  ]);
});

function expand(name: string, block: Uint8Array, size: number, dictionary?: Uint8Array): { status: number | null; bytes?: Buffer; stdout: string } {
  const blockFile = join(dir, `${name}.lz4`);
  const outFile = join(dir, `${name}.out`);
  const dictFile = join(dir, `${name}.dict`);
  writeFileSync(blockFile, block);
  if (dictionary) writeFileSync(dictFile, dictionary);
  const r = spawnSync(binary, ['expand', blockFile, String(size), outFile, ...(dictionary ? [dictFile] : [])], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
  return { status: r.status, stdout: r.stdout + r.stderr, ...(r.status === 0 ? { bytes: readFileSync(outFile) } : {}) };
}

const rand = seededRandom(0x5eed);
const inputs: [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['one byte', Uint8Array.of(7)],
  ['twelve bytes (too short for a match)', new Uint8Array(12).fill(0x41)],
  ['zeros, 100 KiB (lengths over 255)', new Uint8Array(100 * 1024)],
  ['random, 20 KiB (incompressible)', Uint8Array.from({ length: 20 * 1024 }, () => Math.floor(rand() * 256))],
  ['text with far repeats (offsets near 64 KiB)', new TextEncoder().encode(Array.from({ length: 3000 }, (_, i) => `line ${i % 700}: the quick brown fox ${i * 7919 % 1000}\n`).join(''))],
  ['a period of 3 bytes (overlapping matches)', Uint8Array.from({ length: 5000 }, (_, i) => [1, 2, 3][i % 3]!)],
  ['a bare-metal guest', readFileSync(join(packageRoot, 'examples', 'guests', 'build', 'hello-alpha.elf'))],
];

describe('LZ4 blocks the compiler writes expand to what they were made from', () => {
  test.each(inputs)('%s', (name, data) => {
    const block = lz4Compress(data);
    const got = expand(name.replace(/\W+/g, '-'), block, data.length);
    expect(got.stdout).toContain(`harness: expanded ${data.length} bytes`);
    expect(Buffer.compare(got.bytes!, Buffer.from(data))).toBe(0);
  });

  test('repetitive input compresses, random input grows only by its few token bytes', () => {
    expect(lz4Compress(new Uint8Array(100 * 1024)).length).toBeLessThan(500);
    const noise = inputs.find(([n]) => n.startsWith('random'))![1];
    expect(lz4Compress(noise).length).toBeLessThanOrEqual(noise.length + Math.ceil(noise.length / 255) + 16);
  });

  test('a buffer one byte too small is refused, not overrun', () => {
    const data = inputs.find(([n]) => n.startsWith('text'))![1];
    expect(expand('short', lz4Compress(data), data.length - 1)).toMatchObject({ status: 2, stdout: expect.stringContaining('harness: malformed') });
  });

  test('an offset reaching before the start of the output is refused', () => {
    // Four literals, then a match 5 bytes back: one byte before the buffer.
    expect(expand('before', Uint8Array.of(0x40, 1, 2, 3, 4, 5, 0, 0x00), 64)).toMatchObject({ status: 2 });
  });
});

describe('damaged blocks', () => {
  test.each([1, 0xdeadbeef])('seed %i: 3000 damaged copies expand inside their buffers or are refused', (seed) => {
    const data = inputs.find(([n]) => n.startsWith('a bare-metal'))![1];
    const blockFile = join(dir, `fuzz-${seed}.lz4`);
    writeFileSync(blockFile, lz4Compress(data));
    const out = execFileSync(binary, ['fuzz', blockFile, String(data.length), String(seed), '3000'], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
    expect(out).toMatch(/harness: fuzz ok \(3000 rounds, \d+ refused, \d+ expanded\)/);
    // Damage is caught, not only survived: most damaged copies are refused.
    expect(Number(/(\d+) refused/.exec(out)![1])).toBeGreaterThan(1000);
  });
});

/** A bare-metal example guest as the image loads it: its segments' bytes, as a raw binary. */
function loadedBytes(guest: string): Buffer {
  const out = join(dir, `${guest}.bin`);
  execFileSync('llvm-objcopy-14', ['-O', 'binary', join(packageRoot, 'examples', 'guests', 'build', `${guest}.elf`), out]);
  return readFileSync(out);
}

describe('blocks made against a dictionary', () => {
  let alpha: Buffer;
  let beta: Buffer;
  beforeAll(() => {
    alpha = loadedBytes('hello-alpha');
    beta = loadedBytes('hello-beta');
  });
  const noise = Uint8Array.from({ length: 4000 }, () => Math.floor(rand() * 256));
  const tail = noise.subarray(-100);
  // Data and dictionary made when the test runs: the example guests are read in beforeAll.
  const cases: [string, () => [Uint8Array, Uint8Array]][] = [
    ["one guest against another's build of the same code", () => [beta, alpha]],
    // The dictionary's last 100 bytes twice: one match from the dictionary on into the output it wrote.
    ['a match that runs from the dictionary into the output', () => [Buffer.concat([tail, tail, noise.subarray(0, 50)]), noise]],
    ['a dictionary over 64 KiB (only its last 65,535 bytes reachable)', () => [Buffer.concat([noise, noise.subarray(0, 1000)]), Buffer.concat([noise, new Uint8Array(70 * 1024)])]],
    ['an empty segment', () => [new Uint8Array(0), noise]],
  ];

  test.each(cases)('%s', (name, make) => {
    const [data, dictionary] = make();
    const block = lz4Compress(data, dictionary);
    const got = expand(name.replace(/\W+/g, '-'), block, data.length, dictionary);
    expect(got.stdout).toContain(`harness: expanded ${data.length} bytes`);
    expect(Buffer.compare(got.bytes!, Buffer.from(data))).toBe(0);
  });

  test('a similar dictionary makes the block a fraction of the one made alone', () => {
    expect(lz4Compress(beta, alpha).length).toBeLessThan(lz4Compress(beta).length / 3);
    expect(lz4Compress(Buffer.concat([tail, tail]), noise).length).toBeLessThan(20);
  });

  test('without its dictionary, or with one too short, the block is refused', () => {
    const block = lz4Compress(beta, alpha);
    expect(expand('no-dictionary', block, beta.length)).toMatchObject({ status: 2, stdout: expect.stringContaining('harness: malformed') });
    // The expander must not read before the dictionary it was given (ASan would end the run).
    expect(expand('short-dictionary', lz4Compress(Buffer.concat([tail, tail]), noise), 200, tail.subarray(50))).toMatchObject({ status: 2 });
  });

  test.each([7, 0xc0ffee])('seed %i: 3000 damaged copies expand inside their buffers, reading only the dictionary, or are refused', (seed) => {
    const blockFile = join(dir, `fuzz-dict-${seed}.lz4`);
    const dictFile = join(dir, `fuzz-dict-${seed}.dict`);
    writeFileSync(blockFile, lz4Compress(beta, alpha));
    writeFileSync(dictFile, alpha);
    const out = execFileSync(binary, ['fuzz', blockFile, String(beta.length), String(seed), '3000', dictFile], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
    expect(out).toMatch(/harness: fuzz ok \(3000 rounds, \d+ refused, \d+ expanded\)/);
    expect(Number(/(\d+) refused/.exec(out)![1])).toBeGreaterThan(1000);
  });
});
