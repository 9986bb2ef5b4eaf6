/**
 * Random valid systems for the property-based tests and the benchmark: a seeded generator of descriptions
 * that must validate with no diagnostic at all.
 */

import { seededRandom as rng } from '../../support/rng.js';
export { rng };

export const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const hex = (n: number) => `0x${n.toString(16)}`;
const MiB = 0x100000;

export interface GuestSpec {
  name: string;
  cpus: number[];
  sizeMiB: number;
  /** Host address, or undefined for hvcc to place it. */
  host?: number;
  /** A UART; with an interrupt only when the guest has a virtual GIC to deliver it (SPIs 0-63: the default CONFIG_HV_VGIC_SPIS). */
  uart?: { spi?: number };
  vgic?: boolean;
  image: string;
}

export interface SystemSpec {
  guests: GuestSpec[];
}

/** Up to 3 guests on distinct CPUs of the 4-CPU QEMU virt board, 2-32 MiB each, some pinned, some with a UART. */
export function randomSystem(r: () => number): SystemSpec {
  const count = int(r, 1, 3);
  const cpus = [0, 1, 2, 3].sort(() => r() - 0.5);
  const names = ['alpha', 'beta', 'gamma', 'delta', 'rtos', 'linux'].sort(() => r() - 0.5);
  const guests: GuestSpec[] = [];
  for (let i = 0; i < count; i++) {
    const sizeMiB = pick(r, [2, 4, 8, 16, 32]);
    const g: GuestSpec = { name: names[i]!, cpus: [cpus[i]!], sizeMiB, image: pick(r, ['hello-alpha.elf', 'hello-beta.elf']) };
    // Pinned guests get a 64 MiB slot of their own, at a 2 MiB-aligned offset (so stage 2 can use blocks).
    if (r() < 0.5) g.host = 0x48000000 + i * 64 * MiB + int(r, 0, (64 - sizeMiB) / 2) * 2 * MiB;
    if (r() < 0.6) {
      g.vgic = r() < 0.5;
      g.uart = g.vgic ? { spi: int(r, 0, 63) } : {};
    }
    guests.push(g);
  }
  return { guests };
}

/**
 * The description of a spec, as `examples/<name>/system.dts` would hold it; `board` overrides the include
 * (the benchmark's generated board).
 */
export function systemText(spec: SystemSpec, options: { board?: string; images?: string; hvSizeMiB?: number; extraDevices?: (g: GuestSpec) => string } = {}): string {
  const board = options.board ?? '../../boards/qemu-virt-aarch64/board.dtsi';
  const images = options.images ?? '../guests/build';
  const guests = spec.guests.map((g) => {
    const vgic = g.vgic
      ? `
			intc@8000000 {
				compatible = "arm,gic-v3";
				reg = <0x0 0x08000000 0x0 0x10000>, <0x0 0x080a0000 0x0 ${hex(0x20000 * g.cpus.length)}>;
				interrupt-controller;
				#interrupt-cells = <3>;
				#address-cells = <0>;
			};
`
      : '';
    const uart = g.uart
      ? `
			uart@9000000 {
				compatible = "arm,pl011", "arm,primecell";
				reg = <0x0 0x09000000 0x0 0x1000>;${g.uart.spi === undefined ? '' : `
				interrupts = <0 ${g.uart.spi} 4>;`}
				clock-frequency = <24000000>;
			};
`
      : '';
    return `
		${g.name} {
			compatible = "hvcc,guest";
			#address-cells = <2>;
			#size-cells = <2>;
			cpus = <${g.cpus.map((c) => `&cpu${c}`).join(' ')}>;
			image = "${images}/${g.image}";

			memory@40000000 {
				device_type = "memory";
				reg = <0x0 0x40000000 0x0 ${hex(g.sizeMiB * MiB)}>;${g.host === undefined ? '' : `\n				host-address = <0x0 ${hex(g.host)}>;`}
			};
${vgic}${uart}${options.extraDevices?.(g) ?? ''}		};
`;
  });
  return `/dts-v1/;

/include/ "${board}"

/ {
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;

		hv_ram: hypervisor@40000000 {
			reg = <0x0 0x40000000 0x0 ${hex((options.hvSizeMiB ?? 4) * MiB)}>;
			no-map;
		};
	};

	hypervisor {
		compatible = "hvcc,hypervisor";
		memory-region = <&hv_ram>;
		console = <&uart0>;
	};

	guests {${guests.join('')}	};
};
`;
}
