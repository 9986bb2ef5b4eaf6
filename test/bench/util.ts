/** Helpers the benches share (a module of its own: main.ts imports the benches, which must not import it). */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readElfImage } from '../../compiler/layout/images.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * Starts `program args`, and returns when the first stdout line matching each pattern appeared (ms from the
 * start). With `stopAfter`, the process is stopped (SIGTERM: hvcc stops its QEMU) once every pattern was seen.
 */
export function firstLines(program: string, args: string[], patterns: RegExp[], stopAfter = false): Promise<(number | undefined)[]> {
  return new Promise((done, fail) => {
    const start = process.hrtime.bigint();
    const seen: (number | undefined)[] = patterns.map(() => undefined);
    const child = spawn(program, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const now = Number(process.hrtime.bigint() - start) / 1e6;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) patterns.forEach((p, i) => {
        if (seen[i] === undefined && p.test(line)) seen[i] = now;
      });
      if (stopAfter && seen.every((s) => s !== undefined)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => {
      if (code !== 0 && !(stopAfter && signal === 'SIGTERM') && !(stopAfter && code === 130)) fail(new Error(`${program} ${args.join(' ')}: exit ${code ?? signal}\n${stderr}`));
      else done(seen);
    });
  });
}

/**
 * `hvcc run ARGS --timings` on an up-to-date build: when it spawned QEMU, in ms from node's start, as its
 * timings report it (the "starts QEMU within 0.2 s"). The run is ended by its --timeout.
 */
export function qemuSpawnedAt(args: string[]): number {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'hvcc.js'), 'run', ...args, '--timeout', '1', '--timings'], { cwd: root, encoding: 'utf8' });
  const m = /([\d.]+) ms\s+spawned, counted from the process start/.exec(r.stderr);
  if (!m) throw new Error(`hvcc run ${args.join(' ')} printed no spawn time (exit ${r.status}):\n${r.stderr}`);
  return Number(m[1]);
}

/** What QEMU loads from the image: the file bytes of its PT_LOAD segments. */
export function loadedBytes(elf: string, machine: number): number {
  const r = readElfImage(readFileSync(elf), machine);
  if (!r.ok) throw new Error(r.reason);
  return r.image.segments.reduce((a, s) => a + s.data.length, 0);
}

