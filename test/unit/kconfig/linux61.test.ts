/**
 * hvcc's conf against Linux 6.1's own scripts/kconfig/conf (built from Debian's linux-source-6.1 by
 * test/support/linux-kconfig.ts, cached by the tarball's hash), on the kernel's real Kconfig trees of three
 * architectures: every file either leaves in its folder — .config, and the include/ files conf writes when
 * there is no auto.conf yet (auto.conf, auto.conf.cmd, autoconf.h, rustc_cfg, one include/config/<SYMBOL>
 * per changed symbol) — must be byte for byte the same, and so must stdout and the exit status; for
 * defconfig (the architecture's own), alldefconfig, allnoconfig and randconfig with fixed KCONFIG_SEEDs;
 * syncconfig from scratch and again after .config changed (which symbols it touches); listnewconfig; the
 * tristate rewrites (yes2modconfig, mod2yesconfig, mod2noconfig).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runConf } from '../../../compiler/kconfig/conf-cli.js';
import { kbuildEnv, prepareLinuxKconfig, referenceRun, type LinuxKconfig } from '../../support/linux-kconfig.js';

let lk: LinuxKconfig;
let tmp: string;
beforeAll(async () => {
  lk = await prepareLinuxKconfig();
  tmp = mkdtempSync(join(tmpdir(), 'hvcc-linux61-'));
}, 600_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file under `dir`, relative, with its bytes. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'latin1'));
    }
  };
  walk(dir);
  return out;
}

async function hvcc(args: string[], env: Record<string, string>, dir: string): Promise<{ stdout: string; stderr: string; status: number }> {
  let stdout = '';
  let stderr = '';
  const status = await runConf([...args, 'Kconfig'], { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, stdin: '', env, cwd: dir });
  return { stdout, stderr, status };
}

/** Compares two folders as sorted file lists, then file by file (a difference shows the first lines that differ). */
function expectSameTree(ours: string, theirs: string): void {
  const a = tree(ours);
  const b = tree(theirs);
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [name, text] of b) {
    if (a.get(name) === text) continue;
    const x = a.get(name)!.split('\n');
    const y = text.split('\n');
    const i = y.findIndex((l, k) => l !== x[k]);
    expect({ file: name, line: i + 1, ours: x.slice(i, i + 3) }).toEqual({ file: name, line: i + 1, ours: y.slice(i, i + 3) });
  }
}

const DEFCONFIG: Record<string, string> = { arm64: 'arch/arm64/configs/defconfig', riscv: 'arch/riscv/configs/defconfig', x86_64: 'arch/x86/configs/x86_64_defconfig' };
const ARCHS = Object.keys(DEFCONFIG);

let n = 0;
async function compare(arch: string, args: string[], extraEnv: Record<string, string> = {}, files: Record<string, string> = {}): Promise<{ ours: string; theirs: string }> {
  const env = kbuildEnv(lk, arch, extraEnv);
  const theirs = join(tmp, `linux-${++n}`);
  const ref = referenceRun(lk, args, env, files, theirs);
  const ours = join(tmp, `hvcc-${n}`);
  mkdirSync(ours);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(ours, name), text, 'latin1');
  const got = await hvcc(args, env, ours);
  expect({ status: got.status, stdout: got.stdout }).toEqual({ status: ref.status, stdout: ref.stdout });
  expectSameTree(ours, theirs);
  return { ours, theirs };
}

// Each run reads a whole kernel tree and runs its $(shell ...) probes of the compiler (20-30 s a run on a busy
// machine), so the modes are spread over the architectures rather than multiplied by them.
describe.each(ARCHS)('%s', (arch) => {
  test('defconfig (the architecture\'s own)', async () => {
    await compare(arch, [`--defconfig=${join(lk.src, DEFCONFIG[arch]!)}`]);
  }, 300_000);
  // riscv's "$(SRCARCH) Debugging" menu is empty: Linux still ends it with "# end of riscv Debugging".
  test('--allnoconfig', async () => {
    await compare(arch, ['--allnoconfig']);
  }, 300_000);
  test('--randconfig, KCONFIG_SEED=0x1234', async () => {
    await compare(arch, ['--randconfig'], { KCONFIG_SEED: '0x1234' });
  }, 300_000);
});

test('riscv --alldefconfig', async () => {
  await compare('riscv', ['--alldefconfig']);
}, 300_000);

describe('arm64: .config kept, include/ synced', () => {
  test('--randconfig with KCONFIG_PROBABILITY', async () => {
    await compare('arm64', ['--randconfig'], { KCONFIG_SEED: '0xbeef', KCONFIG_PROBABILITY: '20:10' });
  }, 300_000);

  test('--syncconfig from scratch, then again after .config changed: the same symbols touched', async () => {
    const env = kbuildEnv(lk, 'arm64');
    const first = await compare('arm64', [`--defconfig=${join(lk.src, DEFCONFIG.arm64!)}`]);
    // A changed .config (a random one) over the defconfig's include/: syncconfig touches what changed.
    const changed = await compare('arm64', ['--randconfig'], { KCONFIG_SEED: '42' });
    const dotConfig = readFileSync(join(changed.theirs, '.config'), 'latin1');
    for (const dir of [first.ours, first.theirs]) {
      writeFileSync(join(dir, '.config'), dotConfig, 'latin1');
      // Only the touch files made now are compared: the first run's are removed.
      for (const f of readdirSync(join(dir, 'include', 'config'))) if (!f.startsWith('auto.conf')) unlinkSync(join(dir, 'include', 'config', f));
    }
    const r = spawnSync(lk.conf, ['--syncconfig', 'Kconfig'], { cwd: first.theirs, env, encoding: 'latin1' });
    const got = await hvcc(['--syncconfig'], env, first.ours);
    expect({ status: got.status, stdout: got.stdout }).toEqual({ status: r.status, stdout: r.stdout });
    const touched = readdirSync(join(first.theirs, 'include', 'config')).filter((f) => !f.startsWith('auto.conf'));
    expect(touched.length).toBeGreaterThan(100);
    expect(statSync(join(first.theirs, 'include', 'config', touched[0]!)).size).toBe(0);
    expectSameTree(first.ours, first.theirs);
  }, 600_000);

  test('--helpnewconfig on a .config that lacks some symbols (arm64 and riscv): the help, dependencies and locations as Linux lays them out', async () => {
    for (const [arch, drop] of [
      ['arm64', /CONFIG_(NET|USB_|SND)/],
      ['riscv', /CONFIG_(NET|USB|SND|DRM|CRYPTO|BLK|SCSI)/],
    ] as const) {
      const base = referenceRun(lk, ['--alldefconfig'], kbuildEnv(lk, arch), {}, join(tmp, `base-help-${arch}`));
      const partial = readFileSync(join(base.dir, '.config'), 'latin1')
        .split('\n')
        .filter((l) => !drop.test(l))
        .join('\n');
      const { theirs } = await compare(arch, ['--helpnewconfig'], {}, { '.config': partial });
      expect(readFileSync(join(theirs, '.config'), 'latin1')).toBe(partial);
    }
  }, 600_000);

  test('--yes2modconfig, --mod2yesconfig and --mod2noconfig on the defconfig\'s .config', async () => {
    const base = referenceRun(lk, [`--defconfig=${join(lk.src, DEFCONFIG.arm64!)}`], kbuildEnv(lk, 'arm64'), {}, join(tmp, 'base-rewrite'));
    const dotConfig = readFileSync(join(base.dir, '.config'), 'latin1');
    expect(dotConfig).toMatch(/=m$/m);
    for (const mode of ['--yes2modconfig', '--mod2yesconfig', '--mod2noconfig']) {
      const { theirs } = await compare('arm64', [mode], {}, { '.config': dotConfig });
      expect(readFileSync(join(theirs, '.config'), 'latin1')).not.toBe(dotConfig);
    }
  }, 600_000);

  test('--listnewconfig on a .config that lacks some symbols', async () => {
    const base = referenceRun(lk, [`--defconfig=${join(lk.src, DEFCONFIG.arm64!)}`], kbuildEnv(lk, 'arm64'), {}, join(tmp, 'base'));
    const partial = readFileSync(join(base.dir, '.config'), 'latin1')
      .split('\n')
      .filter((l) => !/CONFIG_(NET|USB_|SND)/.test(l))
      .join('\n');
    await compare('arm64', ['--listnewconfig'], {}, { '.config': partial });
  }, 300_000);
});
