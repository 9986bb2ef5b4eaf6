#!/usr/bin/env node
// Fetches and prepares the Linux guest of examples/linux-guest: Debian 12's arm64 kernel (linux-image-arm64, an
// uncompressed arm64 Image) and busybox-static for arm64, downloaded with apt for arm64 without touching the
// host's dpkg architecture, unpacked with dpkg -x into a cache outside the repository; then an initramfs
// (newc cpio + gzip, written here: no cpio binary needed) whose /init prints a marker line and powers off.
// Idempotent: what is already in the cache is reused. Prints where the files are.
//
//   node examples/linux-guest/prepare.mjs        (env HVCC_LINUX_CACHE overrides the cache directory)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, lstatSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const cache = process.env.HVCC_LINUX_CACHE ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hvcc', 'linux-guest');
const build = join(here, 'build');
export const MARKER = 'HVCC-LINUX-GUEST-UP';

const log = (m) => process.stderr.write(`prepare: ${m}\n`);

function apt(args, aptDir, cwd = aptDir) {
  const opts = [
    '-q', '-oAPT::Architecture=arm64', '-oAPT::Architectures=arm64',
    `-oDir::State::Lists=${join(aptDir, 'lists')}`, `-oDir::Cache=${join(aptDir, 'cache')}`,
    `-oDir::State::status=${join(aptDir, 'status')}`, '-oDebug::NoLocking=1',
    // Downloads into a directory the _apt user cannot write: let apt fetch as the current user.
    '-oAPT::Sandbox::User=root',
  ];
  return execFileSync('apt-get', [...opts, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function aptCache(args, aptDir) {
  return execFileSync('apt-cache', ['-q', '-oAPT::Architecture=arm64', '-oAPT::Architectures=arm64',
    `-oDir::State::Lists=${join(aptDir, 'lists')}`, `-oDir::Cache=${join(aptDir, 'cache')}`,
    `-oDir::State::status=${join(aptDir, 'status')}`, ...args], { encoding: 'utf8' });
}

/** Downloads the .debs (once) and unpacks them with dpkg -x into cache/root. Returns the kernel release. */
export function fetchGuest() {
  const aptDir = join(cache, 'apt');
  const debs = join(cache, 'debs');
  const root = join(cache, 'root');
  const done = join(cache, 'unpacked.json');
  if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8'));
  mkdirSync(join(aptDir, 'lists', 'partial'), { recursive: true });
  mkdirSync(join(aptDir, 'cache', 'archives', 'partial'), { recursive: true });
  rmSync(debs, { recursive: true, force: true }); // an interrupted earlier attempt's .debs
  mkdirSync(debs, { recursive: true });
  if (!existsSync(join(aptDir, 'status'))) writeFileSync(join(aptDir, 'status'), '');
  log(`apt-get update (arm64 package lists, in ${aptDir})`);
  apt(['update'], aptDir);
  // linux-image-arm64 is a metapackage: its dependency is the versioned kernel package.
  const deps = aptCache(['depends', 'linux-image-arm64'], aptDir);
  const kpkg = /Depends: (linux-image-[0-9][^\s]*-arm64)\b/.exec(deps)?.[1];
  if (!kpkg) throw new Error(`cannot find the kernel package linux-image-arm64 depends on:\n${deps}`);
  log(`downloading ${kpkg} and busybox-static (arm64)`);
  apt(['download', kpkg, 'busybox-static'], aptDir, debs);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const f of readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
    execFileSync('dpkg', ['-x', join(debs, f), root]);
  }
  const kernels = readdirSync(join(root, 'boot')).filter((f) => f.startsWith('vmlinuz-'));
  if (kernels.length !== 1) throw new Error(`expected one kernel in ${join(root, 'boot')}, found ${kernels.join(', ')}`);
  const release = kernels[0].slice('vmlinuz-'.length);
  const info = { release, package: kpkg, image: join(root, 'boot', kernels[0]), busybox: join(root, 'bin', 'busybox') };
  writeFileSync(done, JSON.stringify(info, null, 2));
  return info;
}

/** One newc cpio entry. */
function cpioEntry(name, mode, data = Buffer.alloc(0), ino = 0, rdev = [0, 0]) {
  const hex = (n) => n.toString(16).padStart(8, '0');
  const nameBytes = Buffer.from(`${name}\0`);
  const header = '070701' + [ino, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0].map(hex).join('');
  const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  const head = Buffer.concat([Buffer.from(header), nameBytes]);
  return Buffer.concat([head, pad(head.length), data, pad(data.length)]);
}

export const INIT = `#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
grep -E 'arch_timer|uart|IPI0:' /proc/interrupts
echo "${MARKER}: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs online (nproc $(nproc))"
grep -E 'uart' /proc/interrupts
# The console transmits by interrupt once its FIFO is full: let it drain before the power goes (poweroff -f
# does not wait), as on hardware.
usleep 100000
poweroff -f
`;

/** A gzipped newc initramfs: busybox, its applet links (and `applets` besides), /dev/console, and `init` as /init. */
export function initramfs(busybox, init = INIT, applets = []) {
  const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000, S_IFCHR = 0o020000;
  let ino = 1;
  const parts = [];
  const add = (name, mode, data, rdev) => parts.push(cpioEntry(name, mode, data, ino++, rdev));
  for (const d of ['bin', 'dev', 'proc', 'sys']) add(d, S_IFDIR | 0o755);
  add('dev/console', S_IFCHR | 0o600, undefined, [5, 1]);
  add('bin/busybox', S_IFREG | 0o755, readFileSync(busybox));
  for (const applet of ['sh', 'mount', 'echo', 'uname', 'grep', 'nproc', 'usleep', 'poweroff', 'reboot', 'cat', ...applets]) add(`bin/${applet}`, S_IFLNK | 0o777, Buffer.from('busybox'));
  add('init', S_IFREG | 0o755, Buffer.from(init));
  parts.push(cpioEntry('TRAILER!!!', 0));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

function place(src, dest) {
  try { lstatSync(dest); unlinkSync(dest); } catch { /* not there */ }
  try { symlinkSync(src, dest); } catch { copyFileSync(src, dest); }
}

function main() {
  const info = fetchGuest();
  mkdirSync(build, { recursive: true });
  const initrd = join(cache, 'initramfs.cpio.gz');
  const fresh = initramfs(info.busybox);
  if (!existsSync(initrd) || !readFileSync(initrd).equals(fresh)) {
    writeFileSync(`${initrd}.tmp`, fresh);
    renameSync(`${initrd}.tmp`, initrd);
  }
  place(info.image, join(build, 'Image'));
  place(initrd, join(build, 'initramfs.cpio.gz'));
  writeFileSync(join(build, 'release'), `${info.release}\n`);
  log(`kernel ${info.release} (${info.package}), ${statSync(info.image).size} bytes: ${info.image}`);
  log(`initramfs ${statSync(initrd).size} bytes: ${initrd}`);
  console.log(JSON.stringify({ release: info.release, image: join(build, 'Image'), initrd: join(build, 'initramfs.cpio.gz'), busybox: info.busybox, cache, marker: MARKER }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
