#!/usr/bin/env node
// Fetches and prepares the Linux guest of examples/linux-guest (and guest-network, guest-disk): Debian 12's arm64
// kernel (linux-image-arm64, an uncompressed arm64 Image) and busybox-static for arm64, downloaded with apt for
// arm64 without touching the host's dpkg architecture, unpacked with dpkg -x into a cache outside the
// repository; then an initramfs (newc cpio + gzip, written here: no cpio binary needed) with the kernel's own
// virtio modules (virtio_mmio, virtio_blk, virtio_console, virtio_net and what it needs, ext4 and what it needs),
// which its /init loads, then does what the kernel command line's hvcc.role= says (nothing: print a marker
// line and power off). Idempotent: what is already in the cache is reused. Prints where the files are.
//
//   node examples/linux-guest/prepare.mjs        (env HVCC_LINUX_CACHE overrides the cache directory)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, lstatSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
const cache = process.env.HVCC_LINUX_CACHE ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hvcc', 'linux-guest');
const build = join(here, 'build');
export const MARKER = 'HVCC-LINUX-GUEST-UP';

const log = (m) => process.stderr.write(`prepare: ${m}\n`);

// On a terminal apt shows its own progress (its output on our stderr, so stdout stays this script's); quiet otherwise.
const tty = Boolean(process.stderr.isTTY);

function apt(args, aptDir, cwd = aptDir) {
  const opts = [
    ...(tty ? [] : ['-q']), '-oAPT::Architecture=arm64', '-oAPT::Architectures=arm64',
    `-oDir::State::Lists=${join(aptDir, 'lists')}`, `-oDir::Cache=${join(aptDir, 'cache')}`,
    `-oDir::State::status=${join(aptDir, 'status')}`, '-oDebug::NoLocking=1',
    // Downloads into a directory the _apt user cannot write: let apt fetch as the current user.
    '-oAPT::Sandbox::User=root',
  ];
  execFileSync('apt-get', [...opts, ...args], { cwd, stdio: tty ? ['ignore', 2, 2] : ['ignore', 'pipe', 'pipe'] });
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

/** One newc cpio entry (examples/riscv64/linux-guest/prepare.mjs uses it too). */
export function cpioEntry(name, mode, data = Buffer.alloc(0), ino = 0, rdev = [0, 0]) {
  const hex = (n) => n.toString(16).padStart(8, '0');
  const nameBytes = Buffer.from(`${name}\0`);
  const header = '070701' + [ino, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0].map(hex).join('');
  const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  const head = Buffer.concat([Buffer.from(header), nameBytes]);
  return Buffer.concat([head, pad(head.length), data, pad(data.length)]);
}

/** The kernel's modules the initramfs carries, by name; their dependencies come along. */
export const MODULES = ['virtio_mmio', 'virtio_console', 'virtio_blk', 'virtio_net', 'crc32c_generic', 'ext4'];

/**
 * The modules' files under lib/modules/<release>/, dependencies first (from each module's own `depends=`, as
 * modprobe would read them from modules.dep, which the package does not ship: depmod makes it at install).
 */
export function moduleFiles(root, release, names = MODULES) {
  const dir = join(root, 'lib', 'modules', release);
  const byName = new Map(readFileSync(join(dir, 'modules.order'), 'utf8').split('\n').filter(Boolean).map((p) => [p.split('/').pop().replace(/\.ko$/, '').replace(/-/g, '_'), p]));
  const order = [];
  const visit = (name) => {
    const path = byName.get(name.replace(/-/g, '_'));
    if (!path || order.includes(path)) return; // built in, or already there
    const text = readFileSync(join(dir, path)).toString('latin1');
    const depends = /\0depends=([^\0]*)\0/.exec(text)?.[1] ?? '';
    for (const d of depends.split(',').filter(Boolean)) visit(d);
    order.push(path);
  };
  for (const n of names) visit(n);
  return order.map((path) => ({ path, file: join(dir, path) }));
}

export const INIT = `#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The kernel's own virtio drivers (and ext4), in dependency order.
for m in $(cat /lib/modules/load 2>/dev/null); do insmod /lib/modules/$m; done
role=
for w in $(cat /proc/cmdline); do case "$w" in hvcc.role=*) role="\${w#hvcc.role=}";; esac; done
# A guest whose console is the virtio console has none until its driver is loaded.
case " $(cat /proc/cmdline) " in *" console=hvc0 "*) [ -c /dev/hvc0 ] && exec </dev/hvc0 >/dev/hvc0 2>&1;; esac
case "$role" in
net-a|net-b)
	me=10.0.0.1; peer=10.0.0.2
	[ "$role" = net-b ] && me=10.0.0.2 && peer=10.0.0.1
	ip link set lo up
	ip addr add $me/24 dev eth0
	ip link set eth0 up
	# The kernel sets the operational state a moment after the link comes up (its link watch).
	n=0
	while [ "$(cat /sys/class/net/eth0/operstate)" != up ] && [ $n -lt 30 ]; do usleep 100000; n=$((n + 1)); done
	echo "HVCC-NET: $role up: eth0 $(cat /sys/class/net/eth0/address) $me, link $(cat /sys/class/net/eth0/operstate)"
	if [ "$role" = net-b ]; then
		nc -l -p 5000 > /tmp/recv
		echo "HVCC-NET: received $(wc -c < /tmp/recv) bytes, md5 $(md5sum < /tmp/recv | cut -d' ' -f1)"
	else
		n=0
		until ping -c 1 -W 1 $peer > /dev/null 2>&1; do n=$((n + 1)); [ $n -ge 60 ] && break; done
		ping -c 5 -i 0.2 $peer | grep -E 'packets transmitted|round-trip'
		dd if=/dev/urandom of=/tmp/file bs=1024 count=256 2> /dev/null
		echo "HVCC-NET: sending $(wc -c < /tmp/file) bytes, md5 $(md5sum < /tmp/file | cut -d' ' -f1)"
		n=0
		until nc $peer 5000 < /tmp/file; do n=$((n + 1)); [ $n -ge 30 ] && break; sleep 1; done
		echo "HVCC-NET: sent"
		# An address nobody has: its ARP broadcast tells the network's watcher that the test is over.
		ping -c 1 -W 1 10.0.0.99 > /dev/null 2>&1
	fi
	;;
bench-net-a|bench-net-b)
	# test/bench/virtio.ts: round trip and TCP throughput, a to b (the listener is up before the address).
	me=10.0.0.1; peer=10.0.0.2
	[ "$role" = bench-net-b ] && me=10.0.0.2 && peer=10.0.0.1
	# A background job's stdin is /dev/null, and nc stops at its end: give it one that never ends.
	[ "$role" = bench-net-b ] && { nc -l -p 5000 < /dev/console | wc -c > /tmp/count & }
	ip link set lo up
	ip addr add $me/24 dev eth0
	ip link set eth0 up
	if [ "$role" = bench-net-b ]; then
		wait
		echo "HVCC-BENCH: received $(cat /tmp/count) bytes"
	else
		n=0
		until ping -c 1 -W 1 $peer > /dev/null 2>&1; do n=$((n + 1)); [ $n -ge 60 ] && break; done
		ping -c 20 -i 0.2 $peer | grep round-trip
		t0=$(cut -d' ' -f1 /proc/uptime)
		dd if=/dev/zero bs=65536 count=256 2> /dev/null | nc $peer 5000
		t1=$(cut -d' ' -f1 /proc/uptime)
		echo "HVCC-BENCH: tcp 16777216 bytes from $t0 to $t1"
		ping -c 1 -W 1 10.0.0.99 > /dev/null 2>&1
	fi
	;;
bench-disk)
	# test/bench/virtio.ts: sequential write (with a flush), then read from the disk, not from the cache.
	t0=$(cut -d' ' -f1 /proc/uptime)
	dd if=/dev/zero of=/dev/vda bs=1048576 count=16 2> /dev/null
	sync
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo 3 > /proc/sys/vm/drop_caches
	t2=$(cut -d' ' -f1 /proc/uptime)
	dd if=/dev/vda of=/dev/null bs=1048576 count=16 2> /dev/null
	t3=$(cut -d' ' -f1 /proc/uptime)
	echo "HVCC-BENCH: disk 16777216 bytes written from $t0 to $t1, read from $t2 to $t3"
	;;
disk)
	if mount -t ext4 /dev/vda /mnt 2> /dev/null; then
		echo "HVCC-DISK: mounted the file system on /dev/vda"
	else
		mke2fs -q /dev/vda > /dev/null && mount -t ext4 /dev/vda /mnt && echo "HVCC-DISK: made a file system on /dev/vda ($(cat /sys/block/vda/size) sectors)"
	fi
	[ -f /mnt/hello.txt ] && echo "HVCC-DISK: found hello.txt: $(cat /mnt/hello.txt)"
	boots=$(( $(cat /mnt/boots 2> /dev/null || echo 0) + 1 ))
	echo $boots > /mnt/boots
	echo "written by boot $boots of $(uname -r)" > /mnt/hello.txt
	sync
	umount /mnt
	echo "HVCC-DISK: wrote hello.txt in boot $boots"
	;;
*)
	grep -E 'arch_timer|uart|IPI0:' /proc/interrupts
	echo "${MARKER}: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs online (nproc $(nproc))"
	grep -E 'uart' /proc/interrupts
	;;
esac
# The console transmits by interrupt once its FIFO is full: let it drain before the power goes (poweroff -f
# does not wait), as on hardware.
usleep 100000
poweroff -f
`;

const APPLETS = ['sh', 'mount', 'umount', 'echo', 'uname', 'grep', 'nproc', 'usleep', 'sleep', 'poweroff', 'reboot', 'cat', 'insmod', 'ip', 'ping', 'nc', 'dd', 'md5sum', 'wc', 'cut', 'mke2fs', 'sync', 'ls'];

/**
 * A gzipped newc initramfs: busybox, its applet links (and `applets` besides), /dev/console, `init` as
 * /init, and kernel `modules` (moduleFiles()) under lib/modules/ with lib/modules/load listing them in the
 * order to load.
 */
export function initramfs(busybox, init = INIT, { modules = [], applets = [] } = {}) {
  const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000, S_IFCHR = 0o020000;
  let ino = 1;
  const parts = [];
  const add = (name, mode, data, rdev) => parts.push(cpioEntry(name, mode, data, ino++, rdev));
  for (const d of ['bin', 'dev', 'proc', 'sys', 'mnt', 'tmp', 'lib', 'lib/modules']) add(d, S_IFDIR | 0o755);
  add('dev/console', S_IFCHR | 0o600, undefined, [5, 1]);
  add('bin/busybox', S_IFREG | 0o755, readFileSync(busybox));
  for (const applet of [...APPLETS, ...applets]) add(`bin/${applet}`, S_IFLNK | 0o777, Buffer.from('busybox'));
  const dirs = new Set();
  for (const m of modules) {
    const parts = m.path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        add(`lib/modules/${d}`, S_IFDIR | 0o755);
      }
    }
    add(`lib/modules/${m.path}`, S_IFREG | 0o644, readFileSync(m.file));
  }
  if (modules.length > 0) add('lib/modules/load', S_IFREG | 0o644, Buffer.from(modules.map((m) => m.path).join('\n') + '\n'));
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
  const modules = moduleFiles(join(cache, 'root'), info.release);
  const fresh = initramfs(info.busybox, INIT, { modules });
  // Named by its contents: checkouts with another /init share the cache without overwriting each other's.
  const initrd = join(cache, `initramfs-${createHash('sha256').update(fresh).digest('hex').slice(0, 12)}.cpio.gz`);
  if (!existsSync(initrd) || !readFileSync(initrd).equals(fresh)) {
    writeFileSync(`${initrd}.tmp`, fresh);
    renameSync(`${initrd}.tmp`, initrd);
  }
  place(info.image, join(build, 'Image'));
  place(initrd, join(build, 'initramfs.cpio.gz'));
  writeFileSync(join(build, 'release'), `${info.release}\n`);
  log(`kernel ${info.release} (${info.package}), ${statSync(info.image).size} bytes: ${info.image}`);
  log(`initramfs ${statSync(initrd).size} bytes, modules ${modules.map((m) => m.path.split('/').pop()).join(' ')}: ${initrd}`);
  console.log(JSON.stringify({ release: info.release, image: join(build, 'Image'), initrd: join(build, 'initramfs.cpio.gz'), busybox: info.busybox, cache, marker: MARKER }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
