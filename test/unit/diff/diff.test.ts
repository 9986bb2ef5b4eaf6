/**
 * `hvcc diff`: each kind of change between two descriptions is reported (and nothing else), two descriptions
 * of the same system written differently compare equal, and the exit status is diff(1)'s.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../compiler/cli/main.js';
import { packageRoot } from '../../../compiler/paths.js';

const board = join(packageRoot, 'boards', 'qemu-virt-aarch64', 'board.dtsi');
const guests = join(packageRoot, 'examples', 'guests', 'build');
let dir: string;

beforeAll(() => {
  execFileSync('make', ['-s', '-C', join(packageRoot, 'examples', 'guests')]);
  dir = mkdtempSync(join(tmpdir(), 'hvcc-diff-'));
});

interface Parts {
  hvRam?: string;
  alphaCpus?: string;
  alphaMemory?: string;
  alphaHost?: string;
  alphaMemory2?: string;
  alphaUart?: string;
  alphaExtra?: string;
  betaCpus?: string;
  beta?: boolean;
  gamma?: boolean;
  extraRoot?: string;
  /** After the root node: overrides of board nodes. */
  tail?: string;
  alphaPassthrough?: string;
}

/** The base system: alpha (placed, with a virtual GIC and a UART on SPI 1) and beta (pinned). */
function system(p: Parts = {}): string {
  return `/dts-v1/;
/include/ "${board}"
/ {
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		hv_ram: hypervisor@40000000 { reg = <${p.hvRam ?? '0x0 0x40000000 0x0 0x00400000'}>; no-map; };
	};
	hypervisor { compatible = "hvcc,hypervisor"; memory-region = <&hv_ram>; console = <&uart0>; };
	guests {
		alpha {
			compatible = "hvcc,guest";
			#address-cells = <2>;
			#size-cells = <2>;
			cpus = <${p.alphaCpus ?? '&cpu0 &cpu2'}>;
			image = "${guests}/irq.elf";
			${p.alphaPassthrough ? `passthrough = <${p.alphaPassthrough}>;` : ''}
			memory@40000000 { device_type = "memory"; reg = <${p.alphaMemory ?? '0x0 0x40000000 0x0 0x01000000'}>; ${p.alphaHost ? `host-address = <${p.alphaHost}>;` : ''} };
			memory@50000000 { device_type = "memory"; reg = <${p.alphaMemory2 ?? '0x0 0x50000000 0x0 0x00200000'}>; };
			intc@8000000 {
				compatible = "arm,gic-v3";
				reg = <0x0 0x08000000 0x0 0x10000>, <0x0 0x080a0000 0x0 0x40000>;
				interrupt-controller;
				#interrupt-cells = <3>;
				#address-cells = <2>;
				#size-cells = <2>;
			};
			${p.alphaUart ?? 'uart@9000000 { compatible = "arm,pl011", "arm,primecell"; reg = <0x0 0x09000000 0x0 0x1000>; interrupts = <0 1 4>; clock-frequency = <24000000>; };'}
			${p.alphaExtra ?? ''}
		};
${
  p.beta === false
    ? ''
    : `		beta {
			compatible = "hvcc,guest";
			#address-cells = <2>;
			#size-cells = <2>;
			cpus = <${p.betaCpus ?? '&cpu1'}>;
			image = "${guests}/hello-beta.elf";
			memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x01000000>; host-address = <0x0 0x48000000>; };
			uart@9000000 { compatible = "arm,pl011", "arm,primecell"; reg = <0x0 0x09000000 0x0 0x1000>; clock-frequency = <24000000>; };
		};
`
}${
    p.gamma
      ? `		gamma {
			compatible = "hvcc,guest";
			#address-cells = <2>;
			#size-cells = <2>;
			cpus = <&cpu3>;
			image = "${guests}/hello-alpha.elf";
			memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x01000000>; };
		};
`
      : ''
  }	};
	${p.extraRoot ?? ''}
};
${p.tail ?? ''}`;
}

/** The base system again, written differently: nodes and properties reordered, paths for labels, other number bases and expressions. */
const rewritten = () => `/dts-v1/;
/include/ "${board}"
#define MiB (1024 * 1024)
/ {
	guests {
		beta {
			image = "${guests}/../build/hello-beta.elf";
			cpus = <&{/cpus/cpu@1}>;
			#size-cells = <2>;
			#address-cells = <2>;
			compatible = "hvcc,guest";
			uart@9000000 { clock-frequency = <(24 * 1000 * 1000)>; reg = <0x0 0x9000000 0x0 4096>; compatible = "arm,pl011", "arm,primecell"; };
			memory@40000000 { host-address = <0 (0x40000000 + 8 * 0x1000000)>; reg = <0 1073741824 0 (16 * MiB)>; device_type = "memory"; };
		};
		alpha {
			compatible = "hvcc,guest";
			#size-cells = <0x2>;
			#address-cells = <0x2>;
			image = "${guests}/irq.elf";
			cpus = <&{/cpus/cpu@0}>, <&{/cpus/cpu@2}>;
			uart@9000000 { interrupts = <0 0x1 0x4>; reg = <0 0x09000000 0 0x00001000>; clock-frequency = <0x16e3600>; compatible = "arm,pl011", "arm,primecell"; };
			/* RAM regions stay in order: hvcc places them first-fit in that order, so reordering them is a real change. */
			memory@40000000 { reg = <0 0x40000000 0 0x1000000>; device_type = "memory"; };
			intc@8000000 {
				#size-cells = <2>;
				#address-cells = <2>;
				#interrupt-cells = <3>;
				interrupt-controller;
				reg = <0 134217728 0 65536>, <0 0x80a0000 0 (256 * 1024)>;
				compatible = "arm,gic-v3";
			};
			memory@50000000 { reg = <0 0x50000000 0 (2 * MiB)>; device_type = "memory"; };
		};
	};
	hypervisor { console = <&{/pl011@9000000}>; memory-region = <&{/reserved-memory/hypervisor@40000000}>; compatible = "hvcc,hypervisor"; };
	reserved-memory {
		ranges;
		#size-cells = <2>;
		#address-cells = <2>;
		hypervisor@40000000 { no-map; reg = <0 (1 << 30) 0 (4 * MiB)>; };
	};
};
`;

let n = 0;
function write(text: string, defconfig?: string): string {
  const d = join(dir, `s${n++}`);
  mkdirSync(d);
  writeFileSync(join(d, 'system.dts'), text);
  if (defconfig !== undefined) writeFileSync(join(d, 'defconfig'), defconfig);
  return join(d, 'system.dts');
}

async function diff(a: string, b: string, format = 'json'): Promise<{ exit: number; out: string; err: string; changes: { category: string; kind: string; subject: string; old: string | null; new: string | null; summary: string }[] }> {
  let out = '';
  let err = '';
  const exit = await main(['diff', a, b, '--format', format], { stdout: (t) => (out += String(t)), stderr: (t) => (err += t), color: false, cwd: dir });
  return { exit, out, err, changes: format === 'json' && out ? (JSON.parse(out) as { changes: never[] }).changes : [] };
}

const base = () => write(system());

describe('hvcc diff', () => {
  test('a system against itself, and against itself written differently: no change, exit 0', async () => {
    const a = base();
    const same = await diff(a, base());
    expect(same.err).toBe('');
    expect(same.changes).toEqual([]);
    expect(same.exit).toBe(0);
    const other = await diff(a, write(rewritten()));
    expect(other.err).toBe('');
    expect(other.changes).toEqual([]);
    expect(other.exit).toBe(0);
    const text = await diff(a, write(rewritten()), 'text');
    expect(text.out).toMatch(/no changes in the system/);
  });

  test.each<[string, Parts, { category: string; kind: string; subject?: RegExp; old?: string; new?: string }[]]>([
    ['a guest added', { gamma: true }, [{ category: 'guests', kind: 'guest-added', subject: /gamma/ }]],
    ['a guest removed', { beta: false }, [{ category: 'guests', kind: 'guest-removed', subject: /beta/ }]],
    // alpha's second region is placed after its first: it moves in host RAM too.
    ['memory resized', { alphaMemory: '0x0 0x40000000 0x0 0x02000000' }, [{ category: 'memory', kind: 'memory-resized', old: '16 MiB', new: '32 MiB' }, { category: 'memory', kind: 'memory-host-moved', subject: /0x50000000/, old: '0x41400000', new: '0x42400000' }]],
    ['memory moved in guest-physical space', { alphaMemory2: '0x0 0x60000000 0x0 0x00200000' }, [{ category: 'memory', kind: 'memory-moved', old: '0x50000000', new: '0x60000000' }]],
    ['memory moved in host RAM (pinned elsewhere)', { alphaHost: '0x0 0x50000000' }, [{ category: 'memory', kind: 'memory-host-moved', old: '0x40400000', new: '0x50000000' }, { category: 'memory', kind: 'memory-host-moved', subject: /0x50000000/, old: '0x41400000', new: '0x40400000' }]],
    [
      'memory moved in host RAM (the hypervisor grew, placement follows)',
      { hvRam: '0x0 0x40000000 0x0 0x00800000' },
      [{ category: 'memory', kind: 'memory-host-moved', old: '0x40400000', new: '0x40800000' }, { category: 'memory', kind: 'memory-host-moved', subject: /0x50000000/, old: '0x41400000', new: '0x41800000' }, { category: 'hypervisor', kind: 'hypervisor-memory' }],
    ],
    ['CPUs reassigned', { alphaCpus: '&cpu0 &cpu3' }, [{ category: 'cpus', kind: 'cpus-reassigned', old: 'cpu@0, cpu@2', new: 'cpu@0, cpu@3' }]],
    ['a vCPU more', { betaCpus: '&cpu1 &cpu3' }, [{ category: 'cpus', kind: 'cpus-reassigned', old: 'cpu@1', new: 'cpu@1, cpu@3' }]],
    ['a device added', { alphaExtra: 'rtc@9010000 { compatible = "arm,pl031", "arm,primecell"; reg = <0x0 0x09010000 0x0 0x1000>; };' }, [{ category: 'devices', kind: 'device-added', subject: /alpha: rtc@9010000/ }]],
    ['a device removed', { alphaUart: '' }, [{ category: 'devices', kind: 'device-removed', subject: /alpha: uart@9000000/ }]],
    [
      'a device rewired: moved to another window',
      { alphaUart: 'uart@9100000 { compatible = "arm,pl011", "arm,primecell"; reg = <0x0 0x09100000 0x0 0x1000>; interrupts = <0 1 4>; clock-frequency = <24000000>; };' },
      [{ category: 'devices', kind: 'device-rewired', old: '[0x9000000, 0x9001000)', new: '[0x9100000, 0x9101000)' }],
    ],
    ['a device passed through', { alphaPassthrough: '&gpio' }, [{ category: 'devices', kind: 'passthrough-added', subject: /alpha: \/pl061@9030000/ }]],
    [
      'an interrupt moved',
      { alphaUart: 'uart@9000000 { compatible = "arm,pl011", "arm,primecell"; reg = <0x0 0x09000000 0x0 0x1000>; interrupts = <0 5 4>; clock-frequency = <24000000>; };' },
      [{ category: 'interrupts', kind: 'interrupt-moved', old: 'SPI 1 (ID 33), level-high', new: 'SPI 5 (ID 37), level-high' }],
    ],
    ["a board device's interrupt moved", { tail: '&rtc { interrupts = <0 9 4>; };' }, [{ category: 'interrupts', kind: 'interrupt-moved', subject: /pl031@9010000/, old: 'SPI 2 (ID 34), level-high', new: 'SPI 9 (ID 41), level-high' }]],
    ['the board gained a device', { tail: '/ { gpio2: pl061@9040000 { compatible = "arm,pl061", "arm,primecell"; reg = <0x0 0x09040000 0x0 0x1000>; }; };' }, [{ category: 'board', kind: 'device-added', subject: /pl061@9040000/ }]],
  ])('%s', async (_name, parts, expected) => {
    const a = base();
    const r = await diff(a, write(system(parts)));
    expect(r.err).not.toMatch(/error\[/);
    expect(r.changes.map((c) => `${c.category}/${c.kind}`).sort()).toEqual(expected.map((e) => `${e.category}/${e.kind}`).sort());
    for (const e of expected) {
      const c = r.changes.find((x) => x.kind === e.kind && (!e.subject || e.subject.test(x.subject)))!;
      if (e.subject) expect(c.subject).toMatch(e.subject);
      if (e.old !== undefined) expect(c.old).toBe(e.old);
      if (e.new !== undefined) expect(c.new).toBe(e.new);
    }
    expect(r.exit).toBe(1);
  });

  test('what the hypervisor runs (a disk resized) and how a guest is scheduled', async () => {
    const text = readFileSync(join(packageRoot, 'examples', 'virtio-blk', 'system.dts'), 'utf8')
      .replaceAll('"../../boards/', `"${packageRoot}/boards/`)
      .replaceAll('"../guests/build/', `"${packageRoot}/examples/guests/build/`);
    const changed = text
      .replace('size = <0x0 0x00400000>;', 'size = <0x0 0x00800000>;')
      .replace('image = "' + packageRoot + '/examples/guests/build/blk-owner.elf";', 'image = "' + packageRoot + '/examples/guests/build/blk-owner.elf";\n\t\t\tpriority = <200>;');
    expect(changed).toContain('priority = <200>;');
    const r = await diff(write(text), write(changed));
    expect(r.err).toBe('');
    expect(r.exit).toBe(1);
    expect(r.changes.map(({ category, kind, subject, old, new: now }) => ({ category, kind, subject, old, new: now }))).toEqual([
      { category: 'cpus', kind: 'guest-scheduling', subject: 'owner: scheduling', old: 'priority 128, slice 10000 us', new: 'priority 200, slice 10000 us' },
      { category: 'hypervisor', kind: 'hypervisor-node-changed', subject: 'disk0', old: 'disk on /virtio_mmio@a003e00, 4194304 bytes', new: 'disk on /virtio_mmio@a003e00, 8388608 bytes' },
    ]);
  });

  test("a guest's image: compared by content, wherever it is", async () => {
    const a = base();
    const copy = join(dir, 'irq-copy.elf');
    writeFileSync(copy, readFileSync(join(guests, 'irq.elf')));
    const moved = await diff(a, write(system().replace(`${guests}/irq.elf`, copy)));
    expect(moved.changes).toEqual([]);
    const other = await diff(a, write(system().replace(`${guests}/irq.elf`, `${guests}/smp.elf`)));
    expect(other.changes).toEqual([expect.objectContaining({ category: 'guests', kind: 'guest-image', subject: 'alpha: image' })]);
    expect(other.changes[0]!.new).toMatch(/smp\.elf \(sha256 [0-9a-f]{12}\)$/);
  });

  test('Kconfig options changed (a defconfig next to the description)', async () => {
    const a = write(system(), 'CONFIG_HV_MAX_CPUS=4\n');
    const b = write(system(), 'CONFIG_HV_MAX_CPUS=8\n');
    const r = await diff(a, b);
    expect(r.changes).toEqual([expect.objectContaining({ category: 'options', kind: 'option-changed', subject: 'CONFIG_HV_MAX_CPUS', old: '4', new: '8' })]);
    expect(r.exit).toBe(1);
  });

  test('markdown for a pull request: a summary line and one table per kind of change', async () => {
    const r = await diff(base(), write(system({ gamma: true, alphaMemory: '0x0 0x40000000 0x0 0x02000000' })), 'markdown');
    expect(r.exit).toBe(1);
    expect(r.out).toContain('<!-- hvcc-diff -->');
    expect(r.out).toMatch(/\*\*3 changes in the system\*\* — `s\d+\/system.dts` → `s\d+\/system.dts`: guests 1, memory 2\./);
    expect(r.out).toMatch(/#### Guests\n\n\| \| change \| what \| old \| new \|\n\| --- \| --- \| --- \| --- \| --- \|\n\| ➕ \| added \| guest gamma \|/);
    expect(r.out).toMatch(/#### Memory\n[\s\S]*\| ✏️ \| resized \| alpha: RAM \[0x40000000, 0x41000000\) \| 16 MiB \| 32 MiB \|/);
    let labelled = '';
    await main(['diff', base(), write(system({ gamma: true })), '--format', 'markdown', '--old-label', 'system.dts (base)', '--new-label', 'system.dts'], { stdout: (t) => (labelled += String(t)), stderr: () => {}, color: false, cwd: dir });
    expect(labelled).toMatch(/— `system.dts \(base\)` → `system.dts`/);
    const none = await diff(base(), base(), 'markdown');
    expect(none.out).toMatch(/\*\*No changes in the system\*\*/);
  });

  test('exit 2: a description with errors (compared as far as it could be read, and said so), or one that cannot be read', async () => {
    const broken = write(system({ betaCpus: '&uart0' })); // beta's cpus names a UART: HV3060
    const r = await diff(base(), broken);
    expect(r.exit).toBe(2);
    expect(r.err).toMatch(/HV3060/);
    const out = JSON.parse(r.out) as { problems: string[] };
    expect(out.problems.join()).toMatch(/has 1 error/);
    expect(r.changes).toEqual([expect.objectContaining({ kind: 'cpus-reassigned', old: 'cpu@1', new: 'none' })]);
    const missing = await diff(base(), join(dir, 'nope.dts'));
    expect(missing.exit).toBe(2);
    expect(missing.out).toBe('');
    let err = '';
    expect(await main(['diff', base()], { stdout: () => {}, stderr: (t) => (err += t), color: false, cwd: dir })).toBe(2);
    expect(err).toMatch(/Not enough non-option arguments|new/);
  });
});
