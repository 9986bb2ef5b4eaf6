/**
 * `npm run bench`, scaling: `hvcc validate` and `hvcc build` as whole processes on generated systems of 1, 8
 * and 64 guests with 16 emulated devices each (validate.ts's board and systems), and the image's loaded
 * bytes: time and bytes per added guest, to show how they grow.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemText, type GuestSpec } from '../unit/validate/systems.js';
import { boardText, devices } from './validate.js';
import { loadedBytes, median } from './util.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SIZES = [1, 8, 64];
const RUNS = Math.min(Number(process.env.HVCC_BENCH_RUNS ?? 5), 3);

function wall(args: string[]): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, [join(root, 'bin', 'hvcc.js'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function benchScaling(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hvcc-bench-scaling-'));
  const rows: { n: number; validate: number; build: number; bytes: number }[] = [];
  try {
    writeFileSync(join(dir, 'board.dtsi'), boardText());
    writeFileSync(join(dir, 'defconfig'), 'CONFIG_HV_MAX_CPUS=64\nCONFIG_HV_MAX_VCPUS=64\n');
    const images = join(root, 'examples', 'guests', 'build');
    const extra = devices();
    for (const n of SIZES) {
      const guests: GuestSpec[] = Array.from({ length: n }, (_, i) => ({ name: `g${i}`, cpus: [i], sizeMiB: 2, image: 'hello-alpha.elf' }));
      const file = join(dir, `system-${n}.dts`);
      writeFileSync(file, systemText({ guests }, { board: 'board.dtsi', images, hvSizeMiB: 32, extraDevices: () => extra }));
      const out = join(dir, `out-${n}`);
      wall(['build', file, '-O', out]);
      const validate = median(Array.from({ length: RUNS }, () => wall(['validate', file])));
      const build = median(Array.from({ length: RUNS }, () => wall(['build', file, '-O', out])));
      rows.push({ n, validate, build, bytes: loadedBytes(join(out, 'hypervisor.elf'), 183) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const first = rows[0]!;
  return [
    `Scaling (generated systems, 16 emulated devices per guest; whole processes, median of ${RUNS})`,
    ...rows.map((r) => `  ${String(r.n).padStart(2)} guest(s): validate ${r.validate.toFixed(0)} ms, build ${r.build.toFixed(0)} ms, image ${(r.bytes / 1024).toFixed(1)} KiB loaded`),
    ...rows.slice(1).map((r) => `  each guest added (1→${r.n}): validate +${((r.validate - first.validate) / (r.n - 1)).toFixed(1)} ms, build +${((r.build - first.build) / (r.n - 1)).toFixed(1)} ms, image +${((r.bytes - first.bytes) / (r.n - 1) / 1024).toFixed(2)} KiB`),
  ];
}
