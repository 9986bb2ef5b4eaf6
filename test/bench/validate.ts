/**
 * `hvcc validate` on generated systems of 1, 8 and 64 guests with 16 emulated devices each (every pass short
 * of the toolchain: front end, model, checks, plan, layout), on a generated board with enough CPUs and RAM.
 * The median of several runs per size, and the time per guest, to show how it grows.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../compiler/driver/analyze.js';
import { systemText, type GuestSpec } from '../unit/validate/systems.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const RUNS = Number(process.env.HVCC_BENCH_RUNS ?? 5);
const SIZES = [1, 8, 64];
const DEVICES = 16;
const CPUS = 72;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** The QEMU virt board with CPUS CPUs and 2 GiB of RAM. */
/** Exported for profiling the validate passes on the same systems. */
export function boardText(): string {
  const cpus = Array.from({ length: CPUS }, (_, i) => `
		cpu${i}: cpu@${i.toString(16)} {
			device_type = "cpu";
			compatible = "arm,cortex-a57";
			reg = <0x${i.toString(16)}>;
			enable-method = "psci";
		};`).join('\n');
  return `/ {
	model = "linux,dummy-virt";
	compatible = "linux,dummy-virt";
	#address-cells = <2>;
	#size-cells = <2>;
	interrupt-parent = <&gic>;

	psci {
		compatible = "arm,psci-1.0", "arm,psci-0.2", "arm,psci";
		method = "smc";
	};

	cpus {
		#address-cells = <1>;
		#size-cells = <0>;
${cpus}
	};

	memory@40000000 {
		device_type = "memory";
		reg = <0x0 0x40000000 0x0 0x80000000>;
	};

	gic: intc@8000000 {
		compatible = "arm,gic-v3";
		reg = <0x0 0x08000000 0x0 0x10000>, <0x0 0x080a0000 0x0 0xf60000>;
		#redistributor-regions = <1>;
		interrupts = <1 9 4>;
		interrupt-controller;
		#interrupt-cells = <3>;
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
	};

	apb_pclk: apb-pclk {
		compatible = "fixed-clock";
		#clock-cells = <0>;
		clock-frequency = <24000000>;
	};

	uart0: pl011@9000000 {
		compatible = "arm,pl011", "arm,primecell";
		reg = <0x0 0x09000000 0x0 0x1000>;
		interrupts = <0 1 4>;
		clocks = <&apb_pclk>, <&apb_pclk>;
		clock-names = "uartclk", "apb_pclk";
	};
};
`;
}

export function devices(): string {
  return Array.from({ length: DEVICES }, (_, k) => {
    const base = 0x09000000 + k * 0x1000;
    return `
			uart@${base.toString(16)} {
				compatible = "arm,pl011", "arm,primecell";
				reg = <0x0 0x${base.toString(16)} 0x0 0x1000>;
				interrupts = <0 ${k + 1} 4>;
				clock-frequency = <24000000>;
			};
`;
  }).join('');
}

export async function benchValidate(): Promise<string[]> {
  execFileSync('make', ['-s', '-C', join(root, 'examples', 'guests')]);
  const dir = mkdtempSync(join(tmpdir(), 'hvcc-bench-validate-'));
  const lines: string[] = [];
  try {
    writeFileSync(join(dir, 'board.dtsi'), boardText());
    writeFileSync(join(dir, 'defconfig'), 'CONFIG_HV_MAX_CPUS=64\nCONFIG_HV_MAX_VCPUS=64\n');
    const images = join(root, 'examples', 'guests', 'build');
    const extra = devices();
    const medians: number[] = [];
    for (const count of SIZES) {
      const guests: GuestSpec[] = Array.from({ length: count }, (_, i) => ({ name: `g${i}`, cpus: [i], sizeMiB: 2, image: 'hello-alpha.elf' }));
      const file = join(dir, `system-${count}.dts`);
      writeFileSync(file, systemText({ guests }, { board: 'board.dtsi', images, hvSizeMiB: 32, extraDevices: () => extra }));
      // defconfig next to the description is picked up as for `hvcc build`.
      const first = analyze({ file });
      const errors = first.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0 || !first.layout) throw new Error(`the ${count}-guest bench system is not clean: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = process.hrtime.bigint();
        analyze({ file });
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      const m = median(times);
      medians.push(m);
      lines.push(`validate, ${count} guest${count === 1 ? '' : 's'} x ${DEVICES} devices: median ${m.toFixed(1)} ms over ${RUNS} runs`);
    }
    // Linear growth: the cost of each guest beyond the first is the same whatever the system's size.
    const marginal = SIZES.slice(1).map((n, i) => `${((medians[i + 1]! - medians[0]!) / (n - SIZES[0]!)).toFixed(2)} ms (${SIZES[0]}→${n})`);
    lines.push(`validate: cost of each added guest: ${marginal.join(', ')}; the rest is the fixed cost (Kconfig, board, runtime catalogue)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}
