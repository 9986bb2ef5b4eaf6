/**
 * How `cpus`, `vcpus`, `priority` and `time-slice-us` become the vCPUs of the layout and the configuration:
 * affinity masks over the CPU slots, starting CPUs, owned and shared CPUs, and when the plan links the
 * scheduler (and the interrupt controller's driver it needs).
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeText, buildGuests, describeDiagnostic, problems, root } from '../validate/harness.js';

const file = join(root, 'examples', 'sharing', 'system.dts');

function guest(name: string, props: string): string {
  return `
		${name} {
			compatible = "hvcc,guest";
			#address-cells = <2>;
			#size-cells = <2>;
${props}
			image = "../guests/build/hello-alpha.elf";
			memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x01000000>; };
		};`;
}

function analyzeGuests(...guests: string[]) {
  const text = `/dts-v1/;
/include/ "../../boards/qemu-virt-aarch64/board.dtsi"
/ {
	reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
		hv_ram: hypervisor@40000000 { reg = <0x0 0x40000000 0x0 0x00400000>; no-map; }; };
	hypervisor { compatible = "hvcc,hypervisor"; memory-region = <&hv_ram>; console = <&uart0>; };
	guests {${guests.join('\n')}
	};
};
`;
  const result = analyzeText(file, text);
  expect(problems(result.diagnostics).map(describeDiagnostic)).toEqual([]);
  return result;
}

const names = (r: ReturnType<typeof analyzeGuests>) => r.plan!.components.map((c) => c.component.manifest.name);

beforeAll(() => buildGuests());

describe('sharing CPUs', () => {
  test('every vCPU on a CPU of its own: no scheduler, each CPU owned, one-bit affinities', () => {
    const r = analyzeGuests(guest('a', '\t\t\tcpus = <&cpu0 &cpu1>;'), guest('b', '\t\t\tcpus = <&cpu2>;'));
    expect(names(r)).not.toContain('scheduler');
    expect(names(r)).not.toContain('gicv3-driver');
    expect(r.layout!.scheduler).toBeUndefined();
    const [a, b] = r.layout!.guests;
    expect(a!.vcpus.map((v) => [v.pcpuSlot, v.affinity])).toEqual([
      [0, 1n],
      [1, 2n],
    ]);
    expect(b!.vcpus.map((v) => [v.pcpuSlot, v.affinity])).toEqual([[2, 4n]]);
    expect(r.layout!.pcpus.map((p) => [p.guest, p.vcpu])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
    expect(a!.vcpus[0]!.priority).toBe(128);
    expect(a!.vcpus[0]!.timeSliceNs).toBe(10_000_000n);
  });

  test('two guests on one CPU link the scheduler and the interrupt controller driver, and own no CPU', () => {
    const r = analyzeGuests(guest('a', '\t\t\tcpus = <&cpu0>;\n\t\t\tpriority = <200>;\n\t\t\ttime-slice-us = <2000>;'), guest('b', '\t\t\tcpus = <&cpu0>;'));
    expect(names(r)).toEqual(expect.arrayContaining(['scheduler', 'gicv3-driver']));
    const scheduler = r.plan!.components.find((c) => c.component.manifest.name === 'scheduler')!;
    expect(scheduler.reasons.map((x) => x.why)).toEqual(["CPU /cpus/cpu@0 may run guest 'a', guest 'b'"]);
    expect(r.layout!.scheduler?.manifest.ops).toBe('sched_ops');
    expect(r.layout!.pcpus).toHaveLength(1);
    expect(r.layout!.pcpus[0]!.guest).toBeUndefined();
    expect(r.layout!.pcpus[0]!.runs).toEqual([
      { guest: 0, vcpu: 0 },
      { guest: 1, vcpu: 0 },
    ]);
    const [a, b] = r.layout!.guests;
    expect([a!.vcpus[0]!.priority, a!.vcpus[0]!.timeSliceNs]).toEqual([200, 2_000_000n]);
    expect([b!.vcpus[0]!.priority, b!.vcpus[0]!.timeSliceNs]).toEqual([128, 10_000_000n]);
  });

  test('vcpus gives every vCPU the whole of cpus; they start on the least loaded CPU, pinned vCPUs counted first', () => {
    const r = analyzeGuests(
      guest('pinned', '\t\t\tcpus = <&cpu1>;'),
      guest('free', '\t\t\tcpus = <&cpu0 &cpu1 &cpu2>;\n\t\t\tvcpus = <4>;\n\t\t\tpriority = <10 20 30 40>;'),
    );
    const slots = r.layout!.pcpus.map((p) => p.boardCpu);
    const free = r.layout!.guests[1]!;
    const all = (1n << BigInt(slots.length)) - 1n;
    expect(free.vcpus.every((v) => v.affinity === all)).toBe(true);
    // cpu1 already has the pinned guest: the four go to cpu0, cpu2, cpu0, then any of the three (cpu0 has two).
    expect(free.vcpus.map((v) => slots[v.pcpuSlot])).toEqual([0, 2, 0, 1]);
    expect(free.vcpus.map((v) => v.priority)).toEqual([10, 20, 30, 40]);
    expect(free.vcpus.map((v) => v.hwid)).toEqual([0n, 1n, 2n, 3n]);
  });
});

describe('an architecture without a scheduler component', () => {
  test('two riscv64 guests on one hart: HV3004 at the second guest, naming the architecture', () => {
    const riscv = join(root, 'examples', 'riscv64', 'two-guests', 'system.dts');
    const text = readFileSync(riscv, 'utf8').replace(/cpus = <&cpu1>;/g, 'cpus = <&cpu0>;');
    expect(text).not.toContain('&cpu1');
    const found = problems(analyzeText(riscv, text).diagnostics);
    expect(found.map((d) => d.code)).toEqual(['HV3004']);
    expect(found[0]!.message).toContain('the riscv64 port cannot switch vCPUs');
  });
});
