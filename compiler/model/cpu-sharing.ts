import type { Guest, GuestVcpu, System } from '../../schemas/model.js';

/** One vCPU of the system, with its guest and its index in the guest. */
export interface VcpuRef {
  guest: Guest;
  index: number;
  vcpu: GuestVcpu;
}

/** A board CPU more than one vCPU may run on: the scheduler has to share it between them. */
export interface SharedCpu {
  /** Index into board.cpus. */
  cpu: number;
  /** Every vCPU whose affinity holds it, in description order. */
  vcpus: VcpuRef[];
}

export function allVcpus(system: System): VcpuRef[] {
  return system.guests.flatMap((guest) => guest.vcpus.map((vcpu, index) => ({ guest, index, vcpu })));
}

/**
 * The CPUs in the affinity of more than one vCPU. None means static partitioning: every vCPU owns the one CPU
 * it may run on, and the image needs no scheduler.
 */
export function sharedCpus(system: System): SharedCpu[] {
  const byCpu = new Map<number, VcpuRef[]>();
  for (const ref of allVcpus(system)) for (const cpu of ref.vcpu.affinity) byCpu.set(cpu, [...(byCpu.get(cpu) ?? []), ref]);
  return [...byCpu.entries()].filter(([, vcpus]) => vcpus.length > 1).sort(([a], [b]) => a - b).map(([cpu, vcpus]) => ({ cpu, vcpus }));
}

/** "guest 'linux' vCPU 1", or "guest 'bare'" for a guest of one vCPU. */
export function vcpuName(ref: VcpuRef): string {
  return ref.guest.vcpus.length === 1 ? `guest '${ref.guest.name}'` : `guest '${ref.guest.name}' vCPU ${ref.index}`;
}
