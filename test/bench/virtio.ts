/**
 * Virtio figures, printed: the same Debian kernel and initramfs (examples/linux-guest/prepare.mjs, its
 * bench-* roles) under hvcc, on the hypervisor's virtio-net/switch and virtio-blk, and on bare QEMU with
 * QEMU's own virtio devices (two QEMUs joined by a socket netdev for the network), in the same run:
 *
 *   - ping round trip (20 pings, 0.2 s apart) and TCP throughput (16 MiB through busybox nc), guest to guest
 *     (examples/guest-network without its bare-metal watcher, which polls);
 *   - sequential write (16 MiB with dd, then sync) and read (16 MiB, after dropping the page cache) of the
 *     guest's disk;
 *   - under hvcc, exits per request: the register accesses each virtio device took (each one a trap), per
 *     frame or per block request, and the guest's traps of any kind, from CONFIG_HV_GUEST_STATS.
 *
 * Times come from the guest's /proc/uptime (10 ms resolution), so they are the guest's view, in QEMU's
 * virtual time under multi-threaded TCG on whatever the build machine is: compare the ratios, not the
 * absolute figures.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MiB = 1 << 20;

interface Figures {
  rttMs?: number;
  tcpMBs?: number;
  writeMBs?: number;
  readMBs?: number;
}

/** The figures a guest printed (HVCC-BENCH lines, busybox ping's summary). */
function parse(out: string): Figures {
  const f: Figures = {};
  const rtt = /round-trip min\/avg\/max = [\d.]+\/([\d.]+)\/[\d.]+ ms/.exec(out);
  if (rtt) f.rttMs = Number(rtt[1]);
  const tcp = /HVCC-BENCH: tcp (\d+) bytes from ([\d.]+) to ([\d.]+)/.exec(out);
  if (tcp) f.tcpMBs = Number(tcp[1]) / MiB / (Number(tcp[3]) - Number(tcp[2]));
  const disk = /HVCC-BENCH: disk (\d+) bytes written from ([\d.]+) to ([\d.]+), read from ([\d.]+) to ([\d.]+)/.exec(out);
  if (disk) {
    f.writeMBs = Number(disk[1]) / MiB / (Number(disk[3]) - Number(disk[2]));
    f.readMBs = Number(disk[1]) / MiB / (Number(disk[5]) - Number(disk[4]));
  }
  return f;
}

/** An example's description with absolute paths and its guests' roles swapped for the bench's. */
function variant(example: string, work: string, roles: [string, string][]): string {
  let text = readFileSync(join(root, 'examples', example, 'system.dts'), 'utf8')
    .replace('"../../boards/', `"${root}/boards/`)
    .replaceAll('"../linux-guest/build/', `"${root}/examples/linux-guest/build/`)
    .replaceAll('"../guests/build/', `"${root}/examples/guests/build/`);
  for (const [from, to] of roles) text = text.replaceAll(`hvcc.role=${from};`, `hvcc.role=${to};`).replaceAll(`hvcc.role=${from}"`, `hvcc.role=${to}"`);
  // The bare-metal watcher polls its card in a loop, which would take a host CPU from the kernels measured.
  text = text.replace(/\n\t\twatch \{.*?\n\t\t\};\n/s, '\n');
  const file = join(work, `${example}.dts`);
  writeFileSync(file, text);
  return file;
}

function hvccRun(file: string, out: string, config: string, qemu: string[] = []): string {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'hvcc.js'), 'run', file, '-O', out, '--config', config, '--timeout', '600', ...(qemu.length ? ['--', ...qemu] : [])], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`hvcc run ${file}: exit ${r.status}\n${(r.stdout + r.stderr).split('\n').slice(-30).join('\n')}`);
  return r.stdout;
}

const bareMachine = (image: string, initrd: string, append: string) => [
  '-M', 'virt,gic-version=3', '-cpu', 'cortex-a57', '-smp', '1', '-m', '128M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-nic', 'none',
  '-kernel', image, '-initrd', initrd, '-append', append,
];

function qemu(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('qemu-system-aarch64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) done(out);
      else fail(new Error(`qemu ${args.join(' ')}: exit ${code}\n${out.split('\n').slice(-20).join('\n')}`));
    });
  });
}

/** The per-device counts CONFIG_HV_GUEST_STATS printed: register accesses per frame or request. */
function exits(out: string, guest: string, kind: 'frame' | 'request'): string {
  const dev = new RegExp(`\\[hv\\] guest '${guest}': \\S+: virtio-\\w+: .*?(\\d+) register accesses, (\\d+) notifications, (\\d+) interrupts \\(([\\d.]+) accesses per ${kind}\\)`).exec(out);
  const traps = new RegExp(`\\[hv\\] guest '${guest}': (\\d+) traps to the hypervisor`).exec(out);
  return dev ? `${dev[4]} register accesses (traps) per ${kind} (${dev[2]} notifications, ${dev[3]} interrupts); ${traps?.[1] ?? '?'} traps of any kind in the run` : 'n/a';
}

const ratio = (hv: number | undefined, bare: number | undefined) => (hv !== undefined && bare !== undefined && bare > 0 ? `${(hv / bare).toFixed(2)}x` : 'n/a');
const num = (v: number | undefined, unit: string, digits = 2) => (v === undefined ? 'n/a' : `${v.toFixed(digits)} ${unit}`);

export async function benchVirtio(): Promise<string[]> {
  const prepared = JSON.parse(execFileSync(process.execPath, [join(root, 'examples', 'linux-guest', 'prepare.mjs')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop()!) as {
    release: string;
    image: string;
    initrd: string;
  };
  execFileSync('make', ['-s', '-C', join(root, 'examples', 'guests')]);
  const work = mkdtempSync(join(tmpdir(), 'hvcc-bench-virtio-'));
  const config = join(work, 'stats.config');
  writeFileSync(config, 'CONFIG_HV_GUEST_STATS=y\n');
  try {
    // The network: hvcc's switch, then two bare QEMUs on a socket netdev.
    const net = variant('guest-network', work, [['net-a', 'bench-net-a'], ['net-b', 'bench-net-b']]);
    const hvNetOut = hvccRun(net, join(work, 'net'), config);
    const hvNet = parse(hvNetOut.split('\n').filter((l) => l.startsWith('[a] ')).join('\n'));
    const port = String(20000 + (process.pid % 20000));
    const common = 'panic=-1 quiet ipv6.disable=1';
    const b = qemu([...bareMachine(prepared.image, prepared.initrd, `console=ttyAMA0 ${common} hvcc.role=bench-net-b`), '-netdev', `socket,id=n0,listen=127.0.0.1:${port}`, '-device', 'virtio-net-device,netdev=n0,mac=52:54:00:00:00:0b']);
    await new Promise((r) => setTimeout(r, 1500));
    const a = qemu([...bareMachine(prepared.image, prepared.initrd, `console=ttyAMA0 ${common} hvcc.role=bench-net-a`), '-netdev', `socket,id=n0,connect=127.0.0.1:${port}`, '-device', 'virtio-net-device,netdev=n0,mac=52:54:00:00:00:0a']);
    const [bareNetOut] = await Promise.all([a, b]);
    const bareNet = parse(bareNetOut);

    // The disk: an extent of the board's disk under hvcc, a whole disk of the same size on bare QEMU.
    const disk = variant('guest-disk', work, [['disk', 'bench-disk']]);
    const image = join(work, 'disk.img');
    writeFileSync(image, Buffer.alloc(64 * MiB));
    const hvDiskOut = hvccRun(disk, join(work, 'disk'), config, ['-drive', `file=${image},if=none,format=raw,id=d0`, '-device', 'virtio-blk-device,drive=d0']);
    const hvDisk = parse(hvDiskOut.split('\n').filter((l) => l.startsWith('[linux] ')).join('\n'));
    const bareImage = join(work, 'bare.img');
    writeFileSync(bareImage, Buffer.alloc(32 * MiB));
    const bareDiskOut = await qemu([...bareMachine(prepared.image, prepared.initrd, `console=ttyAMA0 panic=-1 quiet hvcc.role=bench-disk`), '-drive', `file=${bareImage},if=none,format=raw,id=d0`, '-device', 'virtio-blk-device,drive=d0']);
    const bareDisk = parse(bareDiskOut);

    return [
      `Virtio under hvcc and on bare QEMU (Debian ${prepared.release}, 1 vCPU per kernel, the guest's clock; hvcc/bare)`,
      `  ping round trip, guest to guest: hvcc ${num(hvNet.rttMs, 'ms', 3)}, bare ${num(bareNet.rttMs, 'ms', 3)} (${ratio(hvNet.rttMs, bareNet.rttMs)})`,
      `  TCP, 16 MiB through nc: hvcc ${num(hvNet.tcpMBs, 'MB/s')}, bare ${num(bareNet.tcpMBs, 'MB/s')} (${ratio(hvNet.tcpMBs, bareNet.tcpMBs)})`,
      `  virtio-net exits, sender: ${exits(hvNetOut, 'a', 'frame')}`,
      `  disk, sequential write 16 MiB (+ sync): hvcc ${num(hvDisk.writeMBs, 'MB/s')}, bare ${num(bareDisk.writeMBs, 'MB/s')} (${ratio(hvDisk.writeMBs, bareDisk.writeMBs)})`,
      `  disk, sequential read 16 MiB (page cache dropped): hvcc ${num(hvDisk.readMBs, 'MB/s')}, bare ${num(bareDisk.readMBs, 'MB/s')} (${ratio(hvDisk.readMBs, bareDisk.readMBs)})`,
      `  virtio-blk exits: ${exits(hvDiskOut, 'linux', 'request')}`,
      '  (bare QEMU has no hypervisor, so no exits to compare with)',
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
