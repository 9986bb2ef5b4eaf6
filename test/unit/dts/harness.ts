import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../../compiler/diagnostics/diagnostic.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** test/fixtures/dts in the source tree (tests run from the compiled output folder). */
export function fixturesRoot(): string {
  let dir = here;
  for (let i = 0; i < 8; i++) {
    const cand = path.join(dir, 'test', 'fixtures', 'dts');
    if (fs.existsSync(cand) && !dir.includes(`${path.sep}dist`)) return cand;
    dir = path.dirname(dir);
  }
  throw new Error('test/fixtures/dts not found');
}

export function haveTool(tool: string, args = ['--version']): boolean {
  try {
    return spawnSync(tool, args, { stdio: 'ignore' }).status !== null;
  } catch {
    return false;
  }
}

export const haveDtc = haveTool('dtc');

export interface DtcRun {
  status: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs Debian's dtc. */
export function dtc(args: string[], opts: { cwd?: string; input?: Buffer | string } = {}): DtcRun {
  const r = spawnSync('dtc', args, { cwd: opts.cwd, input: opts.input, maxBuffer: 1 << 28 });
  return { status: r.status ?? -1, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString('utf8') ?? '' };
}

export function cpp(args: string[], cwd: string): string {
  return execFileSync('cpp', args, { cwd, encoding: 'latin1', maxBuffer: 1 << 28 });
}

export function at(d: Diagnostic): string {
  return d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.column}` : '<nowhere>';
}

export function show(ds: Diagnostic[]): string {
  return ds.map((d) => `${at(d)} ${d.severity} ${d.code} ${d.message}`).join('\n');
}

import { seededRandom as rng } from '../../support/rng.js';
export { rng };
