import { binding, dt } from './dt.js';

/** Bindings of the devices hvcc drives on the host or emulates for guests. */

const interrupts = () => dt.u32Array('Interrupt specifiers in the interrupt controller\'s #interrupt-cells (GIC: type, number, flags).');

export const pl011GuestBinding = binding({
  id: 'arm,pl011 (emulated)',
  match: { compatible: 'arm,pl011' },
  role: 'guest-device',
  title: 'Emulated PL011 UART',
  description: "An ARM PrimeCell UART the hypervisor emulates for the guest; the guest's output appears on the host console, a line at a time, prefixed with [guest-name].",
  properties: {
    reg: dt.reg('Guest-physical window; 4 KiB.'),
    interrupts: interrupts().optional(),
    'clock-frequency': dt.u32('UART reference clock the guest is told about, in Hz.').optional(),
    'current-speed': dt.u32('Baud rate (informational).').optional(),
    clocks: dt.phandleArray("The UART clock, then the APB clock: a fixed-clock node in the guest's subtree (Linux's pl011 driver needs it).").optional(),
    'clock-names': dt.stringList('"uartclk", "apb_pclk".').optional(),
  },
});

export const gicV3GuestBinding = binding({
  id: 'arm,gic-v3 (emulated)',
  match: { compatible: 'arm,gic-v3' },
  role: 'guest-device',
  title: 'Emulated GICv3 interrupt controller',
  description:
    "A virtual GICv3 for the guest: the distributor and the redistributors are emulated by trapping the guest's accesses, the CPU interface is the hardware's virtual CPU interface (list registers). It delivers the virtual timer's PPI 27 and the emulated devices' SPIs.",
  properties: {
    reg: dt.reg('Guest-physical windows: the distributor (64 KiB), then the redistributors (128 KiB per vCPU).'),
    'interrupt-controller': dt.flag('Marks the interrupt controller.'),
    '#interrupt-cells': dt.u32('Cells per interrupt specifier: 3 (type, number, flags).'),
    '#redistributor-regions': dt.u32('How many redistributor regions reg lists: 1.').optional(),
    ranges: dt.flag('For child nodes.').optional(),
  },
});

export const pl011HostBinding = binding({
  id: 'arm,pl011',
  match: { compatible: 'arm,pl011' },
  role: 'host-device',
  title: 'PL011 UART (host)',
  description: 'An ARM PrimeCell UART on the board; the hypervisor can use it as its console.',
  properties: {
    reg: dt.reg('MMIO window.'),
    interrupts: interrupts().optional(),
    clocks: dt.phandleArray('The UART clock, then the APB clock.').optional(),
    'clock-names': dt.stringList('"uartclk", "apb_pclk".').optional(),
    'clock-frequency': dt.u32('Reference clock in Hz, when there is no clocks property.').optional(),
  },
});

export const gicV3Binding = binding({
  id: 'arm,gic-v3',
  match: { compatible: 'arm,gic-v3' },
  role: 'host-device',
  title: 'GICv3 interrupt controller',
  description: 'The board\'s interrupt controller: distributor and redistributors.',
  properties: {
    reg: dt.reg('Distributor, then the redistributor regions.'),
    'interrupt-controller': dt.flag('Marks the interrupt controller.'),
    '#interrupt-cells': dt.u32('Cells per interrupt specifier: 3 (type, number, flags).'),
    '#redistributor-regions': dt.u32('How many redistributor regions reg lists.').optional(),
  },
});

export const psciBinding = binding({
  id: 'arm,psci',
  match: { compatible: 'arm,psci' },
  role: 'host-device',
  title: 'PSCI firmware',
  description: 'Power State Coordination Interface: how the hypervisor starts CPUs and powers the machine off.',
  properties: {
    method: dt.oneOf(['smc', 'hvc'], 'The conduit: "smc" (the hypervisor runs at EL2, so firmware is reached by SMC) or "hvc".'),
  },
});

export const cpuBinding = binding({
  id: 'cpu',
  match: { deviceType: 'cpu' },
  role: 'board',
  title: 'A CPU (/cpus/cpu@N)',
  description: "A physical CPU. Its compatible picks the architecture port.",
  properties: {
    reg: dt.u32Array('MPIDR affinity bits, in /cpus\' #address-cells.'),
    'enable-method': dt.string('"psci": secondary CPUs are started through PSCI CPU_ON.').optional(),
  },
});

export const deviceBindings = [pl011GuestBinding, pl011HostBinding, gicV3GuestBinding, gicV3Binding, psciBinding, cpuBinding];
