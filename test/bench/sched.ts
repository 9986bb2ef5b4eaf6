/**
 * `npm run bench`, vCPU scheduler: what sharing a CPU costs, from instructions counted by the TCG plugin
 * (insn-count.c) under `-icount shift=0,sleep=off`, where the guests' clock follows the instructions executed
 * (1 ns each), so a figure does not depend on how loaded the host is.
 *
 *   - context-switch cost: the hypervisor's own instructions (those fetched from its image) in a run where
 *     two count guests share one CPU with 1 ms slices, less those of the same guest alone on a CPU of its
 *     own, per switch. A switch here is the whole preemption: the slice timer's interrupt, the trap, the
 *     decision, the vCPU state out and in (EL1 registers, FP/SIMD, timers, and the virtual GIC's interface
 *     for guests that have one), the thread switch and the return to the guest.
 *   - scheduler overhead: how fast two guests sharing a CPU progress together against one alone on it, as
 *     the share of the CPU's instructions that are the guests' (10 ms slices, the default, and 1 ms); the
 *     guests' own iteration counts are printed too.
 *   - the Linux guest's boot to its /init marker and power-off, pinned (2 vCPUs on CPUs 1 and 2, the
 *     bare-metal guest on CPU 0) against all three vCPUs sharing CPU 0: instructions of the whole machine.
 *
 * Every system runs on one CPU but the pinned Linux one: QEMU 7.2's round robin under -icount starves a CPU
 * that holds a spinlock another one spins on, and shares instructions between CPUs unevenly anyway.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plugin } from './linux.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const HV_BYTES = 0x400000;

interface Guest {
  name: string;
  image: string;
  cpus: string;
  sliceUs?: number;
  gic?: boolean;
}

function system(guests: Guest[]): string {
  const guest = (g: Guest) => `
		${g.name} {
			compatible = "hvcc,guest";
			#address-cells = <2>;
			#size-cells = <2>;
			cpus = ${g.cpus};${g.sliceUs ? `\n\t\t\ttime-slice-us = <${g.sliceUs}>;` : ''}
			image = "${root}/examples/guests/build/${g.image}.elf";

			memory@40000000 {
				device_type = "memory";
				reg = <0x0 0x40000000 0x0 0x01000000>;
			};
${g.gic ? `
			intc@8000000 {
				compatible = "arm,gic-v3";
				reg = <0x0 0x08000000 0x0 0x10000>, <0x0 0x080a0000 0x0 0x20000>;
				interrupt-controller;
				#interrupt-cells = <3>;
				#address-cells = <2>;
				#size-cells = <2>;
				ranges;
			};
` : ''}
			uart@9000000 {
				compatible = "arm,pl011", "arm,primecell";
				reg = <0x0 0x09000000 0x0 0x1000>;${g.gic ? '\n\t\t\t\tinterrupts = <0 1 4>;' : ''}
				clock-frequency = <24000000>;
			};
		};`;
  return `/dts-v1/;
/include/ "${root}/boards/qemu-virt-aarch64/board.dtsi"
/ {
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		hv_ram: hypervisor@40000000 {
			reg = <0x0 0x40000000 0x0 0x${HV_BYTES.toString(16)}>;
			no-map;
		};
	};
	hypervisor {
		compatible = "hvcc,hypervisor";
		memory-region = <&hv_ram>;
		console = <&uart0>;
	};
	guests {${guests.map(guest).join('\n')}
	};
};
`;
}

interface Counted {
  /** Instructions of the whole machine, and of the hypervisor's image. */
  total: number;
  hv: number;
  stdout: string;
}

/** Runs a description (a file, or the text of one) to power-off under -icount with the plugin. */
function counted(so: string, work: string, description: { file: string } | { text: string }, name: string): Counted {
  const dir = join(work, name);
  let system: string;
  if ('file' in description) system = description.file;
  else writeFileSync((system = join(work, `${name}.dts`)), description.text);
  const out = join(work, `${name}.count`);
  const hvOut = join(work, `${name}.hv`);
  const r = spawnSync(process.execPath, [join(root, 'bin', 'hvcc.js'), 'run', system, '-O', dir, '--timeout', '1200', '--', '-icount', 'shift=0,sleep=off', '-plugin', `${so},out=${out},hv=${HV_BYTES},hvstart=0x40000000,hvout=${hvOut}`], {
    cwd: root,
    encoding: 'utf8',
    timeout: 1_300_000,
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`${name}: hvcc run exited ${r.status}\n${r.stderr}\n${(r.stdout ?? '').split('\n').slice(-20).join('\n')}`);
  return { total: Number(readFileSync(out, 'utf8').trim()), hv: Number(readFileSync(hvOut, 'utf8').trim()), stdout: r.stdout };
}

function iterations(run: Counted, guest: string): number {
  const m = new RegExp(`^\\[${guest}\\] count: (\\d+) iterations in`, 'm').exec(run.stdout);
  if (!m) throw new Error(`no count from guest '${guest}'`);
  return Number(m[1]);
}

function switches(run: Counted, cpu = 0): number {
  const m = new RegExp(`^\\[hv\\] sched: pCPU ${cpu}: (\\d+) switches`, 'm').exec(run.stdout);
  if (!m) throw new Error(`no scheduler figures for pCPU ${cpu}`);
  return Number(m[1]);
}

export async function benchSched(): Promise<string[]> {
  execFileSync('make', ['-s', '-C', join(root, 'examples', 'guests')]);
  const so = plugin();
  const work = mkdtempSync(join(tmpdir(), 'hvcc-bench-sched-'));
  const lines: string[] = ['vCPU scheduler (instructions under -icount, 1 per ns; count guests spin 3 s with interrupts masked)'];
  try {
    const alone = counted(so, work, { text: system([{ name: 'a', image: 'count', cpus: '<&cpu0>' }]) }, 'alone');
    const aloneGic = counted(so, work, { text: system([{ name: 'a', image: 'count', cpus: '<&cpu0>', gic: true }]) }, 'alone-gic');
    const shared = (sliceUs: number, gic: boolean) =>
      counted(so, work, { text: system(['a', 'b'].map((name) => ({ name, image: 'count', cpus: '<&cpu0>', sliceUs, gic }))) }, `shared-${sliceUs}${gic ? '-gic' : ''}`);
    const s10 = shared(10_000, false);
    const s1 = shared(1_000, false);
    const s1gic = shared(1_000, true);

    const cost = (run: Counted, base: Counted) => (run.hv - base.hv) / switches(run);
    lines.push(
      `  context switch (preemption at a slice end, 1 ms slices): ${cost(s1, alone).toFixed(0)} hypervisor instructions per switch, ${cost(s1gic, aloneGic).toFixed(0)} for guests with a virtual GIC (${switches(s1)} and ${switches(s1gic)} switches)`,
    );
    // The guests' progress is the CPU's instructions that are theirs (1 per ns): the hypervisor's are the rest.
    const guestShare = (run: Counted) => (run.total - run.hv) / run.total;
    const pct = (x: number) => `${(x * 100).toFixed(3)}%`;
    lines.push(
      `  scheduler overhead: two guests sharing a CPU progress ${pct(guestShare(s10) / guestShare(alone))} as fast together as one alone with 10 ms slices, ${pct(guestShare(s1) / guestShare(alone))} with 1 ms (the hypervisor's share of the instructions: ${pct(1 - guestShare(alone))} alone, ${pct(1 - guestShare(s10))} and ${pct(1 - guestShare(s1))} shared)`,
    );
    // The guests' own counts agree, but each counts for 3 s from its own start: the second starts one turn late.
    lines.push(
      `  their counts: ${iterations(s10, 'a')} + ${iterations(s10, 'b')} iterations shared (10 ms), ${iterations(s1, 'a')} + ${iterations(s1, 'b')} (1 ms), ${iterations(alone, 'a')} alone`,
    );

    const linux = join(root, 'examples', 'linux-guest');
    if (existsSync(join(linux, 'build', 'Image'))) {
      const pinned = counted(so, work, { file: join(linux, 'system.dts') }, 'linux-pinned');
      const sharedLinux = counted(so, work, { file: join(linux, 'shared.dts') }, 'linux-shared');
      const m = (n: number) => `${(n / 1e6).toFixed(1)} M`;
      lines.push(
        `  Linux boot to its /init marker and power-off: pinned (3 CPUs) ${m(pinned.total)} instructions, sharing one CPU ${m(sharedLinux.total)}: ${(sharedLinux.total / pinned.total).toFixed(3)}x; the hypervisor's own ${m(pinned.hv)} and ${m(sharedLinux.hv)} (${switches(sharedLinux)} switches)`,
      );
    } else {
      lines.push('  Linux boot: skipped (run `node examples/linux-guest/prepare.mjs` first)');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return lines;
}
