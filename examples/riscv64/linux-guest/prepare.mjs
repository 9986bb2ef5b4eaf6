#!/usr/bin/env node
// Builds the Linux guest of examples/riscv64/linux-guest. Debian 12 has no riscv64 kernel package, so: Linux
// 6.1 from Debian's linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz), configured as allnoconfig plus the
// small linux.config beside this script, compiled with Debian's gcc-riscv64-linux-gnu; and, Debian 12 having
// no riscv64 busybox either, an initramfs (newc cpio, written here) holding only init.c, a static program
// that prints the marker, the kernel release and the number of CPUs, then powers off.
//
// The kernel is cached by content hash in ~/.cache/hvcc/linux-riscv64/<hash>/: the hash covers the source
// tarball, linux.config, the cross compiler's version and KERNEL_RECIPE (bump it when buildKernel() changes),
// so a second run (CI's included) only links the cached files into build/. The initramfs is cached the same
// way, by init.c and the compiler, in initramfs-<hash>/. Prints where the files are.
//
//   node examples/riscv64/linux-guest/prepare.mjs     (env HVCC_LINUX_CACHE overrides the cache directory)
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpioEntry } from '../../linux-guest/prepare.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cacheRoot = process.env.HVCC_LINUX_CACHE ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hvcc', 'linux-riscv64');
const build = join(here, 'build');
const TARBALL = '/usr/src/linux-source-6.1.tar.xz';
const CROSS = 'riscv64-linux-gnu-';
export const MARKER = 'HVCC-LINUX-GUEST-UP';
const KERNEL_RECIPE = 'allnoconfig with linux.config as KCONFIG_ALLCONFIG, checked; make Image; kernelrelease (1)';

const log = (m) => process.stderr.write(`prepare: ${m}\n`);
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });

/**
 * A long command (the kernel's compilation): on a terminal, one line rewritten in place with how many files
 * it has compiled and the last; quiet otherwise. When it fails, the end of its output says why.
 */
function runLong(cmd, args, what) {
  const tty = process.stderr.isTTY;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = [];
    let pending = '';
    let files = 0;
    const take = (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 60) tail.shift();
        const step = /^\s+(CC|AS|LD|AR|OBJCOPY|GEN|HOSTCC)\s+(\S+)/.exec(line);
        if (!step) continue;
        files++;
        if (tty) process.stderr.write(`\r\x1b[Kprepare: ${what}: ${files} steps (${step[1]} ${step[2]})`.slice(0, (process.stderr.columns || 80) - 1));
      }
    };
    child.stdout.setEncoding('utf8').on('data', take);
    child.stderr.setEncoding('utf8').on('data', take);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (tty) process.stderr.write('\r\x1b[K');
      if (code === 0) return resolve(files);
      reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit status ${code}`}); its output ended with:\n${[...tail, pending].join('\n')}`));
    });
  });
}

async function sha256File(path) {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk);
  return h.digest('hex');
}

/** An uncompressed newc initramfs: /dev/console (the kernel opens it for init) and /init. */
export function initramfs(init) {
  const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFCHR = 0o020000;
  let ino = 1;
  const parts = [];
  const add = (name, mode, data, rdev) => parts.push(cpioEntry(name, mode, data, ino++, rdev));
  add('dev', S_IFDIR | 0o755);
  add('dev/console', S_IFCHR | 0o600, undefined, [5, 1]);
  add('init', S_IFREG | 0o755, init);
  parts.push(cpioEntry('TRAILER!!!', 0));
  return Buffer.concat(parts);
}

function place(src, dest) {
  try { lstatSync(dest); unlinkSync(dest); } catch { /* not there */ }
  try { symlinkSync(src, dest); } catch { copyFileSync(src, dest); }
}

/** The kernel build: extract, configure, check the configuration took, compile the Image. */
async function buildKernel(work, out) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  log(`extracting ${TARBALL} into ${work}`);
  run('tar', ['-xf', TARBALL, '-C', work]);
  const src = join(work, 'linux-source-6.1');
  const make = (...args) => run('make', ['-C', src, 'ARCH=riscv', `CROSS_COMPILE=${CROSS}`, ...args]);
  make(`KCONFIG_ALLCONFIG=${join(here, 'linux.config')}`, 'allnoconfig');
  const config = readFileSync(join(src, '.config'), 'utf8');
  for (const line of readFileSync(join(here, 'linux.config'), 'utf8').split('\n').filter((l) => /^CONFIG_\w+=y$/.test(l))) {
    if (!config.includes(`${line}\n`)) throw new Error(`the kernel configuration did not take ${line} (see ${join(src, '.config')})`);
  }
  const jobs = String(Math.max(1, cpus().length));
  log(`compiling Linux (make -j${jobs} Image): a few minutes, once`);
  const steps = await runLong('make', ['-C', src, 'ARCH=riscv', `CROSS_COMPILE=${CROSS}`, `-j${jobs}`, 'Image'], 'compiling Linux');
  log(`compiled Linux (${steps} steps)`);
  copyFileSync(join(src, 'arch', 'riscv', 'boot', 'Image'), join(out, 'Image.tmp'));
  writeFileSync(join(out, 'release'), make('-s', 'kernelrelease').trim() + '\n');
  copyFileSync(join(src, '.config'), join(out, 'config'));
  renameSync(join(out, 'Image.tmp'), join(out, 'Image'));
  rmSync(work, { recursive: true, force: true });
}

/** /init: static, no C library (not even libgcc). */
function buildInit(out) {
  run(`${CROSS}gcc`, ['-static', '-nostdlib', '-ffreestanding', '-fno-pic', '-no-pie', '-O2', '-march=rv64imac', '-mabi=lp64', '-Wall', '-Werror',
    `-DMARKER="${MARKER}"`, '-Wl,-e,_start', '-o', join(out, 'init'), join(here, 'init.c')]);
  writeFileSync(join(out, 'initramfs.cpio'), initramfs(readFileSync(join(out, 'init'))));
}

async function main() {
  if (!existsSync(TARBALL)) throw new Error(`${TARBALL} is missing: apt-get install linux-source-6.1 (bootstrap.sh does)`);
  const gcc = run(`${CROSS}gcc`, ['--version']).split('\n')[0];
  const hash = (...parts) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest('hex').slice(0, 16);
  const key = hash(await sha256File(TARBALL), readFileSync(join(here, 'linux.config')), gcc, KERNEL_RECIPE);
  const out = join(cacheRoot, key);
  mkdirSync(out, { recursive: true });
  if (!existsSync(join(out, 'Image'))) await buildKernel(join(cacheRoot, `work-${key}`), out);
  else log(`kernel from the cache (${out})`);
  const initOut = join(cacheRoot, `initramfs-${hash(readFileSync(join(here, 'init.c')), gcc, MARKER, initramfs.toString())}`);
  mkdirSync(initOut, { recursive: true });
  if (!existsSync(join(initOut, 'initramfs.cpio'))) buildInit(initOut);
  mkdirSync(build, { recursive: true });
  place(join(out, 'Image'), join(build, 'Image'));
  place(join(initOut, 'initramfs.cpio'), join(build, 'initramfs.cpio'));
  const release = readFileSync(join(out, 'release'), 'utf8').trim();
  writeFileSync(join(build, 'release'), `${release}\n`);
  log(`kernel ${release}, ${statSync(join(out, 'Image')).size} bytes: ${join(out, 'Image')}`);
  console.log(JSON.stringify({ release, image: join(build, 'Image'), initrd: join(build, 'initramfs.cpio'), cache: out, marker: MARKER }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
