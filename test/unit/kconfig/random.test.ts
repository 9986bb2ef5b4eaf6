import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { conf } from '../../../compiler/kconfig/conf-cli.js';
import type { ConfMode } from '../../../compiler/kconfig/conf-cli.js';
import { generateKconfig, mulberry32 } from './generate.js';
import { haveFrontends, normalise } from './harness.js';

/**
 * Differential fuzzing: random Kconfig trees (seeded, so failures reproduce) with random .config files, every mode
 * run by kconfig-conf (Linux 4.11 C code; hvcc in its linux-4.11 compatibility mode) and by hvcc.
 */
const SEEDS = Number(process.env['HVCC_KCONFIG_FUZZ_SEEDS'] ?? 40);
const MODES: { mode: ConfMode; withConfig: boolean }[] = [
  { mode: 'allnoconfig', withConfig: false },
  { mode: 'allyesconfig', withConfig: false },
  { mode: 'allmodconfig', withConfig: false },
  { mode: 'alldefconfig', withConfig: false },
  { mode: 'olddefconfig', withConfig: true },
  { mode: 'savedefconfig', withConfig: true },
  { mode: 'listnewconfig', withConfig: true },
  { mode: 'defconfig', withConfig: false },
  { mode: 'oldaskconfig', withConfig: false },
  { mode: 'oldconfig', withConfig: true },
];

/** Seeded answers for the interactive modes (valid and invalid ones, help requests, defaults). */
function answers(seed: number): string {
  const r = mulberry32(seed * 7919);
  const pool = ['y', 'n', 'm', '', '', '?', '3', '1', '2', '0x40', 'abc', '17', 'yes', 'no'];
  const out: string[] = [];
  for (let i = 0; i < 400; i++) out.push(pool[Math.floor(r() * pool.length)]!);
  return out.join('\n') + '\n';
}

async function both(kconfig: string, config: string | null, mode: ConfMode, defconfig: string, stdin: string): Promise<[string, string]> {
  const outs: string[] = [];
  for (const who of ['ref', 'ours'] as const) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hvcc-kfuzz-'));
    fs.writeFileSync(path.join(dir, 'Kconfig'), kconfig);
    if (config !== null) fs.writeFileSync(path.join(dir, '.config'), config);
    fs.writeFileSync(path.join(dir, 'def.in'), defconfig);
    let stdout = '';
    if (who === 'ref') {
      const arg = mode === 'savedefconfig' ? '--savedefconfig=defconfig.out' : mode === 'defconfig' ? '--defconfig=def.in' : `--${mode}`;
      const r = spawnSync('kconfig-conf', [arg, 'Kconfig'], { cwd: dir, encoding: 'latin1', env: { PATH: process.env['PATH'] ?? '' }, input: stdin });
      stdout = r.stdout;
      if (r.status !== 0) stdout += `\nSTATUS ${r.status}\n${r.stderr}`;
    } else {
      const status = await conf(
        { mode, kconfig: 'Kconfig', compat: 'linux-4.11', ...(mode === 'savedefconfig' ? { file: 'defconfig.out' } : mode === 'defconfig' ? { file: 'def.in' } : {}) },
        { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, stdin, env: {}, cwd: dir },
      );
      if (status !== 0) stdout += `\nSTATUS ${status}\n`;
    }
    let out: string;
    if (mode === 'savedefconfig') out = fs.readFileSync(path.join(dir, 'defconfig.out'), 'latin1');
    else if (mode === 'listnewconfig') out = stdout.split('\n').filter((l) => l.startsWith('CONFIG_')).join('\n');
    else out = normalise(fs.readFileSync(path.join(dir, '.config'), 'latin1'), 'frontends');
    fs.rmSync(dir, { recursive: true, force: true });
    outs.push(out);
  }
  return [outs[0]!, outs[1]!];
}

const d = haveFrontends() ? describe : describe.skip;
d('random Kconfig trees vs kconfig-conf', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    test(`seed ${seed}`, async () => {
      const g = generateKconfig(seed, 40 + (seed % 5) * 10);
      for (const m of MODES) {
        const [ref, ours] = await both(g.kconfig, m.withConfig ? g.config : null, m.mode, g.config, answers(seed));
        expect({ mode: m.mode, out: ours }).toEqual({ mode: m.mode, out: ref });
      }
    });
  }
});
