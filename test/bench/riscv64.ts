/**
 * `npm run bench`, riscv64 next to aarch64 (printed, asserts nothing):
 *
 *   - image size: the loaded bytes of the two-guest example's hypervisor image on each architecture;
 *   - boot to a guest's first line: instructions from power-on until a one-guest system's guest has printed
 *     its first line and powered off (examples/guests/first.c), counted by the TCG plugin of linux.ts under
 *     -icount. On riscv64 that includes OpenSBI (M-mode), whose own share is measured with a payload that
 *     only shuts down, and reported apart;
 *   - the riscv64 Linux guest (examples/riscv64/linux-guest) against the same kernel on bare QEMU: the
 *     instruction ratio, when the kernel has been built (prepare.mjs; it is not built here).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plugin } from './linux.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const hvcc = join(root, 'bin', 'hvcc.js');
const MARKER = 'HVCC-LINUX-GUEST-UP';

interface Arch {
  name: string;
  example: string;
  qemu: string[];
  guests: string;
}

const ARCHES: Arch[] = [
  { name: 'aarch64', example: 'examples/two-guests/system.dts', qemu: ['qemu-system-aarch64', '-M', 'virt,virtualization=on,gic-version=3', '-cpu', 'cortex-a57', '-smp', '4', '-m', '1024M'], guests: 'examples/guests/build' },
  { name: 'riscv64', example: 'examples/riscv64/two-guests/system.dts', qemu: ['qemu-system-riscv64', '-M', 'virt', '-cpu', 'rv64,h=true', '-smp', '4', '-m', '1022M'], guests: 'examples/guests/build/riscv64' },
];

const COMMON = ['-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-nic', 'none'];

function loadedBytes(elf: string): { total: number; text: number } {
  const out = execFileSync('llvm-readelf-14', ['-S', '-W', elf], { encoding: 'utf8' });
  let total = 0;
  let text = 0;
  for (const line of out.split('\n')) {
    const m = /\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+(\S*A\S*)/.exec(line);
    if (!m || m[2] === 'NOBITS') continue;
    const size = Number.parseInt(m[3]!, 16);
    total += size;
    if (m[1] === '.text') text = size;
  }
  return { total, text };
}

/**
 * Instructions the whole machine executes until it powers off (every CPU and privilege level), or undefined
 * when it does not power off within `timeoutMs`.
 */
function instructions(qemu: string[], kernel: string, so: string, work: string, expect: string, timeoutMs = 900_000): number | undefined {
  const file = join(work, `count-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(qemu[0]!, [...qemu.slice(1), ...COMMON, '-kernel', kernel, '-icount', 'shift=0,sleep=off', '-plugin', `${so},out=${file}`], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return undefined;
  if (r.status !== 0 || !r.stdout.includes(expect)) throw new Error(`${qemu[0]} -kernel ${kernel}: exit ${r.status}, no "${expect}"\n${r.stdout.split('\n').slice(-15).join('\n')}`);
  return Number(readFileSync(file, 'utf8').trim());
}

/** The example with one guest, `first`, on the boot CPU. */
function firstLineSystem(arch: Arch, work: string): string {
  const text = readFileSync(join(root, arch.example), 'utf8');
  const start = text.indexOf('\tguests {');
  const alpha = text.indexOf('\t\talpha {');
  const beta = text.indexOf('\t\tbeta {');
  const guest = text.slice(alpha, beta).replace(/image = "[^"]*";/, `image = "${join(root, arch.guests, 'first.elf')}";`).replace(/^(\s*)alpha \{/, '$1first {');
  const file = join(work, `${arch.name}-first.dts`);
  writeFileSync(file, (text.slice(0, start) + '\tguests {\n' + guest.trimEnd() + '\n\t};\n};\n').replace(/\/include\/ "[./]*boards\//, `/include/ "${root}/boards/`));
  return file;
}

/** An S-mode payload for OpenSBI that only asks it to shut down (SBI SRST), built with clang here. */
function opensbiOnly(work: string): string {
  const s = join(work, 'off.S');
  writeFileSync(s, '.globl _start\n_start:\n li a7, 0x53525354\n li a6, 0\n li a0, 0\n li a1, 0\n ecall\n1: j 1b\n');
  const ld = join(work, 'off.ld');
  // One segment at the next stage's address: QEMU hands OpenSBI the ELF's lowest address, not its entry.
  writeFileSync(ld, 'ENTRY(_start)\nPHDRS { text PT_LOAD FLAGS(5); }\nSECTIONS { . = 0x80200000; .text : { *(.text) } :text /DISCARD/ : { *(.comment) *(.riscv.attributes) } }\n');
  const elf = join(work, 'off.elf');
  execFileSync('clang-14', ['--target=riscv64-unknown-elf', '-march=rv64imac', '-mabi=lp64', '-mno-relax', '-nostdlib', '-fuse-ld=lld', `-Wl,-T,${ld}`, s, '-o', elf]);
  return elf;
}

export async function benchRiscv64(): Promise<string[]> {
  execFileSync('make', ['-s', '-C', join(root, 'examples', 'guests')]);
  const so = plugin();
  const work = mkdtempSync(join(tmpdir(), 'hvcc-bench-rv-'));
  const lines = ['riscv64 next to aarch64'];
  const first: Record<string, number | undefined> = {};
  for (const arch of ARCHES) {
    const out = join(work, `${arch.name}-two`);
    execFileSync(process.execPath, [hvcc, 'build', arch.example, '-O', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    const { total, text } = loadedBytes(join(out, 'hypervisor.elf'));
    lines.push(`  ${arch.name} two-guest image: ${total} bytes loaded (.text ${text} bytes; hypervisor.bin ${statSync(join(out, 'hypervisor.bin')).size} bytes, guest images included)`);
    const fout = join(work, `${arch.name}-first`);
    execFileSync(process.execPath, [hvcc, 'build', firstLineSystem(arch, work), '-O', fout], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    first[arch.name] = instructions(arch.qemu, join(fout, 'hypervisor.elf'), so, work, '[first] first line');
  }
  const firmware = instructions(ARCHES[1]!.qemu, opensbiOnly(work), so, work, 'OpenSBI');
  const k = (n: number | undefined) => (n === undefined ? 'did not finish' : `${(n / 1e3).toFixed(1)} k`);
  lines.push(`  power-on to the first guest line and power-off, instructions (-icount, all CPUs and levels): aarch64 ${k(first.aarch64!)}; riscv64 ${k(first.riscv64!)}, of which OpenSBI booting and shutting down ${k(firmware)}, so hvcc ${k(firmware === undefined ? undefined : first.riscv64! - firmware)}`);

  const build = join(root, 'examples', 'riscv64', 'linux-guest', 'build');
  if (existsSync(join(build, 'Image'))) {
    const out = join(work, 'linux');
    execFileSync(process.execPath, [hvcc, 'build', 'examples/riscv64/linux-guest/system.dts', '-O', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    const bareArgs = ['qemu-system-riscv64', '-M', 'virt', '-cpu', 'rv64', '-smp', '2', '-m', '256M', '-initrd', join(build, 'initramfs.cpio'), '-append', 'console=ttyS0 panic=-1'];
    // Wall time with multi-threaded TCG first (what `hvcc run` does), then instructions under -icount.
    const wall = (qemu: string[], kernel: string) => {
      const start = process.hrtime.bigint();
      const r = spawnSync(qemu[0]!, [...qemu.slice(1), ...COMMON, '-kernel', kernel], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
      if (r.status !== 0 || !r.stdout.includes(`${MARKER}: `)) throw new Error(`${qemu[0]} -kernel ${kernel}: exit ${r.status}, no marker`);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const bareMs = wall(bareArgs, join(build, 'Image'));
    const hvMs = wall(ARCHES[1]!.qemu, join(out, 'hypervisor.elf'));
    lines.push(`  riscv64 Linux guest, wall time of QEMU to power-off (multi-threaded TCG): bare ${bareMs.toFixed(0)} ms, hvcc ${hvMs.toFixed(0)} ms (${(hvMs / bareMs).toFixed(2)}x, the bare-metal guest and the copy of the kernel into guest RAM included)`);
    // Bounded: under -icount QEMU runs single-threaded, and a Linux boot that idles badly can take very long.
    const limit = Number(process.env.HVCC_BENCH_LINUX_MS ?? 300_000);
    const bare = instructions(bareArgs, join(build, 'Image'), so, work, `${MARKER}: `, limit);
    const hv = instructions(ARCHES[1]!.qemu, join(out, 'hypervisor.elf'), so, work, `${MARKER}: `, limit);
    const m = (n: number | undefined) => (n === undefined ? `did not finish within ${limit / 1000} s` : `${(n / 1e6).toFixed(1)} M`);
    const ratio = bare !== undefined && hv !== undefined ? `: ${(hv / bare).toFixed(3)}x` : '';
    lines.push(`  riscv64 Linux guest (${readFileSync(join(build, 'release'), 'utf8').trim()}, 2 vCPUs, to the /init marker and power-off), instructions: bare QEMU ${m(bare)}, hvcc ${m(hv)} (with the bare-metal guest beside it)${ratio}`);
  } else {
    lines.push('  riscv64 Linux guest: not built (node examples/riscv64/linux-guest/prepare.mjs)');
  }
  rmSync(work, { recursive: true, force: true });
  return lines;
}
