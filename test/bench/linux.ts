/**
 * `npm run bench`, Linux guest: the Debian kernel of examples/linux-guest booting to its /init marker and
 * powering off, under hvcc (examples/linux-guest/system.dts: 2 vCPUs beside a bare-metal guest) against the
 * same kernel and initramfs on bare QEMU (`-M virt` directly, 2 CPUs, the guest's 256 MiB).
 *
 * Two figures each: wall time of the whole QEMU run (multi-threaded TCG, as `hvcc run` boots), and the
 * instructions the emulated machine executed (every CPU, every exception level: guest plus hypervisor),
 * counted by a small TCG plugin (insn-count.c) under `-icount shift=0,sleep=off`, which makes QEMU
 * single-threaded and its clock follow the instruction count, so the count is repeatable.
 *
 * Debian ships no QEMU plugin binaries; the plugin is built here (qemu-plugin.ts) against qemu-plugin.h from
 * Debian's qemu source package, cached by content hash in the cache folder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildPlugin } from './qemu-plugin.js';
import { firstLines, median, qemuSpawnedAt } from './util.js';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SYSTEM = 'examples/linux-guest/system.dts';
const MARKER = 'HVCC-LINUX-GUEST-UP';
/** The instruction-counting plugin (insn-count.c). */
export function plugin(): string {
  return buildPlugin(join(root, 'test', 'bench', 'insn-count.c'));
}

interface Run {
  ms: number;
  stdout: string;
}

function timed(program: string, args: string[]): Run {
  const start = process.hrtime.bigint();
  const r = spawnSync(program, args, { cwd: root, encoding: 'utf8', timeout: 900_000, maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  if (r.status !== 0 || !out.includes(`${MARKER}: `)) throw new Error(`${program} ${args.join(' ')}: exit ${r.status}, no marker\n${out.split('\n').slice(-20).join('\n')}`);
  return { ms, stdout: out };
}

function count(file: string): number {
  return Number(readFileSync(file, 'utf8').trim());
}

function prepare(): { release: string; image: string; initrd: string } {
  return JSON.parse(execFileSync(process.execPath, [join(root, 'examples', 'linux-guest', 'prepare.mjs')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop()!) as {
    release: string;
    image: string;
    initrd: string;
  };
}

/**
 * `hvcc run` of the Linux example on an up-to-date build: when its first console line appears (QEMU
 * started, the hypervisor booting), stopped there. Issue 15: QEMU started within 200 ms, with no re-hashing
 * of the unchanged 33 MB kernel.
 */
export async function benchLinuxRun(): Promise<string[]> {
  prepare();
  execFileSync('make', ['-s', '-C', join(root, 'examples', 'guests')]);
  const work = mkdtempSync(join(tmpdir(), 'hvcc-bench-linux-run-'));
  try {
    const out = join(work, 'build');
    const hvcc = join(root, 'bin', 'hvcc.js');
    execFileSync(process.execPath, [hvcc, 'build', SYSTEM, '-O', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    const runs = Number(process.env.HVCC_BENCH_RUNS ?? 5);
    const first: number[] = [];
    const spawned: number[] = [];
    for (let i = 0; i < runs; i++) {
      first.push((await firstLines(process.execPath, [hvcc, 'run', SYSTEM, '-O', out], [/^\[hv\] /], true))[0]!);
      spawned.push(qemuSpawnedAt([SYSTEM, '-O', out]));
    }
    return [
      `${SYSTEM}: run, up-to-date build: QEMU spawned at median ${median(spawned).toFixed(0)} ms from node's start   (target: within 200 ms)`,
      `${SYSTEM}: run, up-to-date build, first [hv] line: median ${median(first).toFixed(0)} ms over ${runs} runs (QEMU's own start included)`,
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function benchLinux(): Promise<string[]> {
  const prepared = JSON.parse(execFileSync(process.execPath, [join(root, 'examples', 'linux-guest', 'prepare.mjs')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop()!) as {
    release: string;
    image: string;
    initrd: string;
  };
  execFileSync('make', ['-s', '-C', join(root, 'examples', 'guests')]);
  const so = plugin();
  const work = mkdtempSync(join(tmpdir(), 'hvcc-bench-linux-'));
  const hvcc = [join(root, 'bin', 'hvcc.js')];
  const out = join(work, 'build');
  execFileSync(process.execPath, [...hvcc, 'build', SYSTEM, '-O', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });

  const bare = ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a57', '-smp', '2', '-m', '256M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-nic', 'none',
    '-kernel', prepared.image, '-initrd', prepared.initrd, '-append', 'console=ttyAMA0 panic=-1'];
  const icount = (file: string) => ['-icount', 'shift=0,sleep=off', '-plugin', `${so},out=${file}`];
  const hvRun = (extra: string[]) => [...hvcc, 'run', SYSTEM, '-O', out, '--timeout', '600', ...(extra.length ? ['--', ...extra] : [])];

  const buildStart = process.hrtime.bigint();
  execFileSync(process.execPath, [...hvcc, 'build', SYSTEM, '-O', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const upToDateBuildMs = Number(process.hrtime.bigint() - buildStart) / 1e6;
  const bareWall = timed('qemu-system-aarch64', bare);
  const hvWall = timed(process.execPath, hvRun([]));
  // The image alone under QEMU, with the machine `hvcc run` starts for this board (compiler/run/qemu.ts).
  const hvQemu = timed('qemu-system-aarch64', ['-M', 'virt,virtualization=on,gic-version=3', '-cpu', 'cortex-a57', '-smp', '4', '-m', '1024M', '-display', 'none',
    '-monitor', 'none', '-serial', 'stdio', '-nic', 'none', '-kernel', join(out, 'hypervisor.elf')]);
  const bareCountFile = join(work, 'bare.count');
  const hvCountFile = join(work, 'hvcc.count');
  const bareIcount = timed('qemu-system-aarch64', [...bare, ...icount(bareCountFile)]);
  const hvIcount = timed(process.execPath, hvRun(icount(hvCountFile)));
  const bareInsns = count(bareCountFile);
  const hvInsns = count(hvCountFile);
  rmSync(work, { recursive: true, force: true });

  const m = (n: number) => `${(n / 1e6).toFixed(1)} M`;
  return [
    `Linux guest (Debian ${prepared.release}, 2 vCPUs, boot to the /init marker and power-off)`,
    `  wall time, multi-threaded TCG: bare QEMU ${bareWall.ms.toFixed(0)} ms, hvcc ${hvWall.ms.toFixed(0)} ms (${(hvWall.ms / bareWall.ms).toFixed(2)}x; hvcc run's includes its up-to-date build, ${upToDateBuildMs.toFixed(0)} ms, the bare-metal guest and the copy of the kernel into guest RAM)`,
    `  wall time of QEMU alone: bare ${bareWall.ms.toFixed(0)} ms, hvcc's image ${hvQemu.ms.toFixed(0)} ms (${(hvQemu.ms / bareWall.ms).toFixed(2)}x)`,
    `  instructions (-icount, every CPU and EL): bare QEMU ${m(bareInsns)}, hvcc ${m(hvInsns)}: ${(hvInsns / bareInsns).toFixed(3)}x (target <= 1.05x)`,
    `  wall time under -icount: bare QEMU ${bareIcount.ms.toFixed(0)} ms, hvcc ${hvIcount.ms.toFixed(0)} ms`,
  ];
}
