import { beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleGuests, hvcc, root, symbols, tempDir } from './harness.js';
import { defaultCacheDir } from '../../compiler/paths.js';
import { sha256 } from '../../compiler/toolchain/cache.js';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(() => buildExampleGuests());

describe('two guests on QEMU virt', () => {
  test('both guests print, power off, and hvcc run exits 0', () => {
    const out = tempDir('two');
    const r = hvcc(['run', 'examples/two-guests/system.dts', '-O', out, '--timeout', '60']);
    expect(r.stderr).not.toMatch(/error\[/);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('[alpha] ')).length).toBeGreaterThanOrEqual(3);
    expect(lines.filter((l) => l.startsWith('[beta] ')).length).toBeGreaterThanOrEqual(3);
    expect(r.stdout).toContain('[hv] all guests have stopped, powering off');
    // Lines are never interleaved mid-line: every line is a whole prefixed line.
    for (const l of lines.filter((x) => x.length > 0)) expect(l).toMatch(/^\[(hv|alpha|beta)\] /);
  });

  test('build writes the image, the config module, the map and a manifest that says why each component is there', () => {
    const out = tempDir('build');
    const r = hvcc(['build', 'examples/two-guests/system.dts', '-O', out]);
    expect(r.status).toBe(0);
    for (const f of ['hypervisor.elf', 'hypervisor.bin', 'config.ll', 'hypervisor.map', 'manifest.json']) expect(existsSync(join(out, f))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const emulator = manifest.components.find((c: { kind: string }) => c.kind === 'emulator');
    expect(emulator.name).toBe('pl011-emulator');
    expect(emulator.reasons.map((x: { node: string }) => x.node)).toEqual(['/guests/alpha/uart@9000000', '/guests/beta/uart@9000000']);
    expect(emulator.reasons[0].at).toMatch(/examples\/two-guests\/system\.dts:\d+:\d+$/);
    const beta = manifest.guests.find((g: { name: string }) => g.name === 'beta');
    expect(beta.memory[0]).toEqual({ ipa: '[0x40000000, 0x41000000)', host: '[0x48000000, 0x49000000)', placed: 'pinned' });
    expect(readFileSync(join(out, 'config.ll'), 'utf8')).toContain('@hv_config = constant %hv.system_config');
    // hypervisor.bin is written by hvcc from the ELF's loaded segments: byte for byte what llvm-objcopy makes.
    const bin = join(out, 'objcopy.bin');
    execFileSync('llvm-objcopy-14', ['-O', 'binary', join(out, 'hypervisor.elf'), bin]);
    expect(sha(join(out, 'hypervisor.bin'))).toBe(sha(bin));
    // A loader that enters the flat binary at its load address runs _start: the ELF's entry is the load
    // address, where the vector table's first slots (never taken as vectors) hold the boot code, whose first
    // instruction masks every exception (msr daifset, #0xf).
    const entry = readFileSync(join(out, 'hypervisor.elf')).readBigUInt64LE(24);
    expect(entry).toBe(BigInt(manifest.hypervisor.loaded[0].address));
    expect(readFileSync(join(out, 'hypervisor.bin')).readUInt32LE(0)).toBe(0xd5034fdf);
  });

  test('-v prints every toolchain command', () => {
    const out = tempDir('verbose');
    const r = hvcc(['build', 'examples/two-guests/system.dts', '-O', out, '-v']);
    expect(r.status).toBe(0);
    for (const tool of ['llvm-as-14', 'ld.lld-14']) expect(r.stderr).toContain(`  ${tool}`);
    // One link-time-optimizing link: no separate llvm-link, opt or llc step.
    expect(r.stderr).toMatch(/ {2}ld\.lld-14 .*--lto-O2/);
  });
});

describe("the runtime's own check of the configuration", () => {
  // The compiler checked the configuration; the runtime checks it again at boot (core/src/config-check.c),
  // and link-time optimization folds away each check the configuration cannot fail. A configuration that
  // does fail one is made here by editing the generated module and linking it again, as the build did.
  test('folds away for a sound configuration, and still stops a broken one at boot with its message', async () => {
    const out = tempDir('config-check');
    const r = hvcc(['build', 'examples/two-guests/system.dts', '-O', out, '-v']);
    expect(r.status).toBe(0);
    const image = readFileSync(join(out, 'hypervisor.elf'), 'latin1');
    for (const message of ['share VMID', 'has no second-stage translation root', 'is incomplete', 'affinity 0x']) expect(image).not.toContain(message);

    // The link as -v printed it, with the build's work folder (gone now) replaced by this test's.
    const link = /^ {2}ld\.lld-14 (.*?)(?: {2}# .*)?$/m.exec(r.stderr)![1]!;
    const work = /-T (\S+)\/hypervisor\.ld /.exec(link)![1]!;
    const dir = tempDir('config-check-link');
    writeFileSync(join(dir, 'hypervisor.ld'), readFileSync(join(out, 'hypervisor.ld')));
    // beta (the second guest, whose name is .str.3) given alpha's VMID 1.
    const ll = readFileSync(join(out, 'config.ll'), 'utf8');
    expect(ll).toContain('@.str.3 = private unnamed_addr constant [5 x i8] c"beta\\00"');
    const beta = '[5 x i8]* @.str.3, i64 0, i64 0), i64 2,';
    expect(ll.split(beta)).toHaveLength(2);
    writeFileSync(join(dir, 'config.ll'), ll.replace(beta, '[5 x i8]* @.str.3, i64 0, i64 0), i64 1,'));
    execFileSync('llvm-as-14', [join(dir, 'config.ll'), '-o', join(dir, 'config.bc')]);
    execFileSync('ld.lld-14', link.replaceAll(`${work}/`, `${dir}/`).split(' '));
    const broken = join(dir, 'hypervisor.elf');
    expect(readFileSync(broken, 'latin1')).toContain("guests '%s' and '%s' share VMID %lu");
    // It panics before any guest runs, and stays up (a panic never powers the machine off): stopped here.
    const output = await new Promise<string>((done) => {
      const qemu = spawn('qemu-system-aarch64', ['-M', 'virt,virtualization=on,gic-version=3', '-cpu', 'cortex-a57', '-smp', '2', '-m', '256M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-nic', 'none', '-kernel', broken], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      const timer = setTimeout(() => qemu.kill('SIGKILL'), 60_000);
      qemu.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('PANIC') && text.endsWith('\n')) qemu.kill('SIGKILL');
      });
      qemu.on('close', () => {
        clearTimeout(timer);
        done(text);
      });
    });
    expect(output).toContain("[hv] PANIC: guests 'alpha' and 'beta' share VMID 1\n");
    expect(output).not.toMatch(/^\[(alpha|beta)\] /m);
  }, 120_000);
});

describe('a guest image of 320 KiB', () => {
  test('is stored as an LZ4 block, compressed once (the cache keeps the block), expanded at boot, and runs', () => {
    const dir = tempDir('raw-image');
    // hello-alpha as a raw binary, then 256 KiB of text it never reads: one piece over the 64 KiB below which blocks are not cached.
    const raw = join(dir, 'alpha.bin');
    execFileSync('llvm-objcopy-14', ['-O', 'binary', join(root, 'examples', 'guests', 'build', 'hello-alpha.elf'), raw]);
    const code = readFileSync(raw);
    const padded = Buffer.concat([code, Buffer.alloc(64 * 1024 - code.length), Buffer.from('the quick brown fox jumps over the lazy dog; '.repeat(6000)).subarray(0, 256 * 1024)]);
    writeFileSync(raw, padded);
    const dts = join(dir, 'system.dts');
    const text = readFileSync(join(root, 'examples', 'two-guests', 'system.dts'), 'utf8')
      .replace('"../../boards/', `"${root}/boards/`)
      .replaceAll('"../guests/', `"${root}/examples/guests/`)
      .replace(`image = "${root}/examples/guests/build/hello-alpha.elf";`, 'image = "alpha.bin";\n\t\t\tload-address = <0x0 0x40000000>;');
    expect(text).toContain('image = "alpha.bin"');
    writeFileSync(dts, text);
    const block = join(defaultCacheDir(), ...((key) => [key.slice(0, 2), `${key}.lz4`])(sha256('lz4-block', padded)));
    const out = join(dir, 'out');
    const r = hvcc(['run', dts, '-O', out, '--timeout', '60']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\[alpha\] Hello from alpha!/m);
    expect(r.stdout).toMatch(/^\[beta\] Hello from beta!/m);
    expect(existsSync(block)).toBe(true);
    const alpha = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).guests[0].loads[0];
    expect(alpha).toMatchObject({ bytes: padded.length, lz4: true });
    expect(alpha.stored).toBeLessThan(padded.length / 10);
    expect(alpha.stored).toBe(readFileSync(block).length);
  }, 300_000);
});

describe('hvcc run on an up-to-date build', () => {
  test('boots from its run stamp without reading the description; a changed description is built again', () => {
    const dir = tempDir('stamp');
    const dts = join(dir, 'system.dts');
    const text = readFileSync(join(root, 'examples', 'two-guests', 'system.dts'), 'utf8').replace('"../../boards/', `"${root}/boards/`).replaceAll('"../guests/', `"${root}/examples/guests/`);
    writeFileSync(dts, text);
    // Older than the build: a file changed just before it is never stamped.
    utimesSync(dts, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    const out = join(dir, 'out');
    const env = { HVCC_CACHE_DIR: join(dir, 'cache') };
    const first = hvcc(['run', dts, '-O', out, '-v'], { env });
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('ld.lld-14');
    const second = hvcc(['run', dts, '-O', out, '-v'], { env });
    expect(second.status).toBe(0);
    expect(second.stderr).toContain('is up to date (no file it was built from changed)');
    expect(second.stdout).toContain('[hv] all guests have stopped, powering off');
    // A change to the description: no stamp holds, the pipeline runs and rebuilds.
    writeFileSync(dts, text.replace('hvcc,hypervisor";', 'hvcc,hypervisor";\n\t\tsystem-name = "stamped";'));
    const third = hvcc(['run', dts, '-O', out, '-v'], { env });
    expect(third.status).toBe(0);
    expect(third.stderr).not.toContain('no file it was built from changed');
    expect(third.stderr).toContain('ld.lld-14');
  });
});

describe('fault containment', () => {
  test('the attacker is stopped with a report while the other guest keeps printing, then the machine powers off', () => {
    const out = tempDir('contain');
    const r = hvcc(['run', 'examples/containment/system.dts', '-O', out, '--timeout', '60']);
    // The machine powered off, but a guest was stopped by a fault: that is not a success unless accepted.
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/^hvcc: a guest was stopped by a fault \(--accept-faults accepts that\): guest 'attacker' stopped: vCPU 0 /m);
    const lines = r.stdout.split('\n');
    const report = lines.findIndex((l) => l.startsWith("[hv] guest 'attacker' stopped"));
    expect(report).toBeGreaterThanOrEqual(0);
    expect(lines[report]).toMatch(/at IPA 0x80000000, PC 0x4/);
    // "steady" prints a line every 100 ms: its count goes on after the attacker was stopped, to the end.
    const after = lines.slice(report + 1).filter((l) => l.startsWith('[steady] steady: line '));
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(lines).toContain('[steady] steady: line 10 of 10');
    expect(lines.filter((l) => l.startsWith('[attacker] '))).toHaveLength(1);
    expect(r.stdout).toContain('[hv] all guests have stopped, powering off');
  });
});

describe('device passthrough', () => {
  test('the guest given the PL031 reads it directly and gets its alarm interrupt; the guest not given it is stopped at the same access', () => {
    const out = tempDir('passthrough');
    const r = hvcc(['run', 'examples/passthrough/system.dts', '-O', out, '--timeout', '60', '--accept-faults']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    // PeriphID0 0x31 is the PL031's own ID register: the access reached the device, not an emulator.
    const reading = lines.find((l) => l.startsWith('[clock] rtc: PL031 PeriphID0 0x0000000000000031, time '));
    expect(reading).toBeDefined();
    const seconds = Number(/time (\d+) s/.exec(reading!)![1]);
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(24 * 3600);
    expect(lines.find((l) => l.startsWith("[hv] guest 'nosy' stopped"))).toMatch(/read 4 bytes outside its memory at IPA 0x9010fe0/);
    // Its alarm: the device's own SPI 2, forwarded from the host GIC to the guest's virtual GICv3.
    for (const check of ['interrupt from the passed-through PL031 = 34', 'its MIS at the interrupt = 1', 'RIS after ICR = 0', 'nothing pending after the clear = 1023']) {
      expect(lines).toContain(`[clock] rtc: ${check} ok`);
    }
    expect(lines.some((l) => /^\[clock\] rtc: the interrupt arrived after \d+ ms ok$/.test(l))).toBe(true);
    expect(r.stdout).not.toContain('ERROR');
    expect(r.stdout).toContain('[hv] all guests have stopped, powering off');
    // The stage-2 mapping says why: the device window is in the manifest and the map, owned by 'clock'.
    const map = hvcc(['map', 'examples/passthrough/system.dts', '--format', 'json']);
    const entries = JSON.parse(map.stdout).entries as { kind: string; owner: string; detail: string }[];
    expect(entries.find((e) => e.kind === 'device' && e.detail.startsWith('/pl031@9010000'))?.owner).toBe('guest:clock');
  });
});

describe('only what the plan needs is linked', () => {
  test('a system without an emulated UART has no UART emulator code in the image', () => {
    const out = tempDir('no-uart');
    const r = hvcc(['build', 'test/fixtures/systems/no-uart/system.dts', '-O', out]);
    expect(r.status).toBe(0);
    const syms = symbols(join(out, 'hypervisor.elf'));
    expect(syms.filter((s) => /pl011_emul|pl011_emulator/.test(s))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.components.map((c: { name: string }) => c.name)).not.toContain('pl011-emulator');
    // ...while the two-guest system does link it.
    const out2 = tempDir('with-uart');
    expect(hvcc(['build', 'examples/two-guests/system.dts', '-O', out2]).status).toBe(0);
    expect(symbols(join(out2, 'hypervisor.elf')).some((s) => /pl011_emul/.test(s))).toBe(true);
  });
});

describe('errors', () => {
  test('a description error is located and coded, exit 1, and leaves the previous outputs untouched', () => {
    const work = tempDir('atomic');
    const sys = join(work, 'sys');
    mkdirSync(sys);
    const good = readFileSync(join(root, 'examples/two-guests/system.dts'), 'utf8')
      .replace('../../boards/', `${root}/boards/`)
      .replaceAll('../guests/build/', `${root}/examples/guests/build/`);
    writeFileSync(join(sys, 'system.dts'), good);
    const out = join(work, 'out');
    expect(hvcc(['build', join(sys, 'system.dts'), '-O', out]).status).toBe(0);
    const before = sha(join(out, 'hypervisor.elf'));

    // Give beta alpha's CPU with the scheduler off: HV3004, pointing at beta's `cpus` and, secondarily, at alpha's.
    writeFileSync(join(sys, 'defconfig'), '# CONFIG_HV_SCHEDULER is not set\n');
    const bad = good.replace(/cpus = <&cpu1>;/, 'cpus = <&cpu0>;');
    writeFileSync(join(sys, 'system.dts'), bad);
    const r = hvcc(['build', join(sys, 'system.dts'), '-O', out]);
    expect(r.status).toBe(1);
    const line = bad.slice(0, bad.indexOf('cpus = <&cpu0>;', bad.indexOf('beta {'))).split('\n').length;
    expect(r.stderr).toContain('error[HV3004]');
    expect(r.stderr).toMatch(new RegExp(`system\\.dts:${line}:\\d+`));
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace
    expect(sha(join(out, 'hypervisor.elf'))).toBe(before);
  });

  test('validate --format json reports the same check as data', () => {
    const r = hvcc(['validate', 'test/fixtures/systems/cpu-shared/system.dts', '--format', 'json']);
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout);
    const d = json.diagnostics.find((x: { code: string }) => x.code === 'HV3004');
    expect(d.name).toBe('cpu-shared');
    expect(d.span.file).toMatch(/cpu-shared\/system\.dts$/);
    expect(d.related).toHaveLength(1);
  });

  test('usage errors exit 2 and run nothing', () => {
    for (const args of [['build'], ['frobnicate'], ['run', 'examples/two-guests/system.dts', '--no-such-option']]) {
      const r = hvcc(args);
      expect(r.status).toBe(2);
      // One usage diagnostic, pointing at --help; nothing else ran (no other diagnostic, no build).
      expect(r.stderr.match(/error\[HV\d{4}\]/g)).toEqual(['error[HV0003]']);
      expect(r.stderr).toContain("--help' lists the options");
    }
  });

  test('a missing file is a coded error, not a crash', () => {
    const r = hvcc(['build', 'no/such/system.dts']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[HV0001]');
  });
});
