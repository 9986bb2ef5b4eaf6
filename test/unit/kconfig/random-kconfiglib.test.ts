import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { conf } from '../../../compiler/kconfig/conf-cli.js';
import type { ConfMode } from '../../../compiler/kconfig/conf-cli.js';
import { generateKconfig } from './generate.js';
import { KCONFIGLIB_DIR, haveKconfiglib, normalise } from './harness.js';

/**
 * Differential fuzzing of hvcc's default (current Linux) semantics against kconfiglib, on random trees without the
 * constructs where kconfiglib knowingly differs from Linux (generateKconfig's kconfiglibSafe). savedefconfig is
 * left out: with tristate choices Linux's choice-flag quirk (which hvcc reproduces, see the choice fixture) differs.
 */
const SEEDS = Number(process.env['HVCC_KCONFIG_FUZZ_SEEDS_KCONFIGLIB'] ?? 12);
const MODES: { mode: ConfMode; withConfig: boolean }[] = [
  { mode: 'allnoconfig', withConfig: false },
  { mode: 'allyesconfig', withConfig: false },
  { mode: 'allmodconfig', withConfig: false },
  { mode: 'alldefconfig', withConfig: false },
  { mode: 'olddefconfig', withConfig: true },
  { mode: 'listnewconfig', withConfig: true },
];

async function run(who: 'ref' | 'ours', kconfig: string, config: string | null, mode: ConfMode): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hvcc-kfuzzl-'));
  fs.writeFileSync(path.join(dir, 'Kconfig'), kconfig);
  if (config !== null) fs.writeFileSync(path.join(dir, '.config'), config);
  let stdout = '';
  if (who === 'ref') {
    const r = spawnSync('python3', [path.join(KCONFIGLIB_DIR, `${mode}.py`), 'Kconfig'], {
      cwd: dir,
      encoding: 'latin1',
      env: { PATH: process.env['PATH'] ?? '', srctree: dir, KCONFIG_CONFIG_HEADER: '' },
    });
    stdout = r.stdout;
  } else {
    await conf({ mode, kconfig: 'Kconfig' }, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, stdin: '', env: {}, cwd: dir });
  }
  const out = mode === 'listnewconfig' ? stdout.split('\n').filter((l) => l.startsWith('CONFIG_')).join('\n') : normalise(fs.readFileSync(path.join(dir, '.config'), 'latin1'), 'kconfiglib');
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

const d = haveKconfiglib() ? describe : describe.skip;
d('random Kconfig trees vs kconfiglib (current Linux semantics)', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    test(`seed ${seed}`, async () => {
      const g = generateKconfig(seed, 40 + (seed % 5) * 10, { kconfiglibSafe: true });
      for (const m of MODES) {
        const cfg = m.withConfig ? g.config : null;
        expect({ mode: m.mode, out: await run('ours', g.kconfig, cfg, m.mode) }).toEqual({ mode: m.mode, out: await run('ref', g.kconfig, cfg, m.mode) });
      }
    });
  }
});
