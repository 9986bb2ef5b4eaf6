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

function expand(name: string, block: Uint8Array, size: number): { status: number | null; bytes?: Buffer; stdout: string } {
  const blockFile = join(dir, `${name}.lz4`);
  const outFile = join(dir, `${name}.out`);
  writeFileSync(blockFile, block);
  const r = spawnSync(binary, ['expand', blockFile, String(size), outFile], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
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
