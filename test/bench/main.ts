/**
 * `npm run bench`: prints figures, asserts nothing. For each example system: cold build (empty runtime
 * cache) and warm build (cache filled) as the median of several runs, the image's loaded bytes per
 * section, and the wall time of a QEMU boot to power-off. Then the front ends' own benchmarks.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const RUNS = Number(process.env.HVCC_BENCH_RUNS ?? 5);
const EXAMPLES = ['examples/two-guests/system.dts', 'examples/containment/system.dts'];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function timed(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'hvcc.js'), ...args], { cwd: root, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`hvcc ${args.join(' ')} failed:\n${r.stderr}`);
  return ms;
}

function sectionSizes(elf: string): string[] {
  const out = execFileSync('llvm-readelf-14', ['-S', '-W', elf], { encoding: 'utf8' });
  const rows: string[] = [];
  for (const line of out.split('\n')) {
    const m = /\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+(\S*A\S*)/.exec(line);
    if (m && Number.parseInt(m[3]!, 16) > 0) rows.push(`${m[1]} ${Number.parseInt(m[3]!, 16)} B${m[2] === 'NOBITS' ? ' (not loaded from the file)' : ''}`);
  }
  return rows;
}

async function main(): Promise<void> {
  execFileSync('make', ['-s', '-C', join(root, 'examples', 'guests')]);
  for (const example of EXAMPLES) {
    const out = mkdtempSync(join(tmpdir(), 'hvcc-bench-'));
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const cache = mkdtempSync(join(tmpdir(), 'hvcc-bench-cache-'));
      const env = { ...process.env, HVCC_CACHE_DIR: cache };
      cold.push(timed(['build', example, '-O', out], env));
      warm.push(timed(['build', example, '-O', out], env));
      rmSync(cache, { recursive: true, force: true });
    }
    const elf = join(out, 'hypervisor.elf');
    const boots: number[] = [];
    for (let i = 0; i < RUNS; i++) boots.push(timed(['run', example, '-O', out], process.env));
    console.log(`${example}`);
    console.log(`  build, cold cache: median ${median(cold).toFixed(0)} ms over ${RUNS} runs`);
    console.log(`  build, warm cache: median ${median(warm).toFixed(0)} ms over ${RUNS} runs`);
    console.log(`  run (up-to-date build + QEMU boot to power-off): median ${median(boots).toFixed(0)} ms`);
    console.log(`  image sections (allocated): ${sectionSizes(elf).join(', ')}`);
    rmSync(out, { recursive: true, force: true });
  }
  for (const [file, fn] of [['dts.js', 'benchDts'], ['kconfig.js', 'benchKconfig'], ['linux.js', 'benchLinux'], ['riscv64.js', 'benchRiscv64'], ['sched.js', 'benchSched'], ['virtio.js', 'benchVirtio'], ['validate.js', 'benchValidate'], ['consoles.js', 'benchConsoles']] as const) {
    const path = join(dirname(fileURLToPath(import.meta.url)), file);
    if (!existsSync(path)) continue;
    const mod = (await import(pathToFileURL(path).href)) as Record<string, () => Promise<string[]>>;
    for (const line of await mod[fn]!()) console.log(line);
  }
}

await main();
