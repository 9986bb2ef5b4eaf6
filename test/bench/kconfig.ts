/**
 * Kconfig benchmark (figures only, asserts nothing): a generated 10,000-symbol tree (the fuzzer's generator, so it
 * has menus, ifs, choices, selects, implies, ranges), timed for hvcc (parse + finalize, resolve, write .config)
 * beside Linux's C conf (kconfig-conf from kconfig-frontends) and kconfiglib, each running olddefconfig with a
 * .config that sets about a third of the symbols.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKconfig, readDotConfig, resolve, writeDotConfig, writeMinimalDefconfig } from '../../compiler/kconfig/index.js';
import { loadUserValues, postRead } from '../../compiler/kconfig/confdata.js';
import { KconfigState } from '../../compiler/kconfig/symbol.js';
import { generateKconfig } from '../unit/kconfig/generate.js';

const SYMBOLS = 10_000;
const RUNS = Number(process.env['HVCC_BENCH_RUNS'] ?? 5);

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function external(cmd: string, args: string[], dir: string, config: string): number | null {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    writeFileSync(join(dir, '.config'), config);
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: dir, encoding: 'latin1', env: { PATH: process.env['PATH'] ?? '', srctree: dir } });
    const d = ms(t);
    if (r.error || r.status !== 0) return null;
    times.push(d);
  }
  return median(times);
}

export async function benchKconfig(): Promise<string[]> {
  const g = generateKconfig(20260101, SYMBOLS);
  const dir = mkdtempSync(join(tmpdir(), 'hvcc-kbench-'));
  try {
    writeFileSync(join(dir, 'Kconfig'), g.kconfig);
    const cfg = readDotConfig({ text: g.config });
    const load: number[] = [];
    const res: number[] = [];
    const write: number[] = [];
    const minimal: number[] = [];
    let symbols = 0;
    for (let i = 0; i < RUNS; i++) {
      let t = process.hrtime.bigint();
      const { tree } = loadKconfig('Kconfig', { cwd: dir, env: {} });
      load.push(ms(t));
      symbols = [...tree.byName.values()].filter((s) => s.type !== 'unknown').length;
      t = process.hrtime.bigint();
      const r = resolve(tree, cfg);
      res.push(ms(t));
      t = process.hrtime.bigint();
      writeDotConfig(r);
      write.push(ms(t));
      t = process.hrtime.bigint();
      writeMinimalDefconfig(r);
      minimal.push(ms(t));
    }
    const lines = [
      `kconfig: generated tree with ${symbols} symbols (${g.kconfig.split('\n').length} lines), median of ${RUNS} runs`,
      `  hvcc load (parse + menu_finalize): ${median(load).toFixed(1)} ms`,
      `  hvcc resolve (.config with ${cfg.entries.length} assignments): ${median(res).toFixed(1)} ms`,
      `  hvcc write .config: ${median(write).toFixed(1)} ms; savedefconfig: ${median(minimal).toFixed(1)} ms`,
      `  hvcc total load + resolve + write: ${(median(load) + median(res) + median(write)).toFixed(1)} ms (in-process)`,
    ];
    const c = external('kconfig-conf', ['--olddefconfig', 'Kconfig'], dir, g.config);
    if (c === null) lines.push('  kconfig-conf (Linux 4.11 C conf): not installed');
    else {
      const theirs = readFileSync(join(dir, '.config'), 'latin1').split('\n').slice(4).join('\n');
      const { tree } = loadKconfig('Kconfig', { cwd: dir, env: {} });
      const st = new KconfigState(tree);
      st.compat = 'linux-4.11';
      loadUserValues(st, cfg);
      postRead(st);
      const ours = writeDotConfig(st).split('\n').slice(4).join('\n');
      lines.push(`  kconfig-conf --olddefconfig (Linux 4.11 C, whole process): ${c.toFixed(1)} ms; same .config as hvcc (4.11 mode): ${ours === theirs ? 'yes' : 'NO'}`);
    }
    const k = external('python3', ['/usr/lib/python3/dist-packages/olddefconfig.py', 'Kconfig'], dir, g.config);
    lines.push(k === null ? '  kconfiglib: not installed' : `  kconfiglib olddefconfig.py (whole process): ${k.toFixed(1)} ms`);
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    lines.push(`  (node process start-up alone: ${ms(t).toFixed(1)} ms)`);
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

