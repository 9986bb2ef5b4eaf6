import type { ArchBackend } from '../arch/backend.js';

/**
 * The configuration contract (runtime/core/include/hv/config.h) as the IR sees it: every struct, field by
 * field, by name. The `%hv.*` type definitions of the config module are generated from this list, and a test
 * compares each field's offset with the C header's, so the two cannot drift apart. Every field is 64 bits
 * wide (an i64, a pointer or a nested struct of those), so there is no padding to get wrong.
 */
export interface AbiStruct {
  /** The IR type's name without the leading '%' (`hv.device`). */
  ir: string;
  /** The C type (`struct hv_device`). */
  c: string;
  fields: readonly (readonly [name: string, type: string])[];
}

export function abiStructs(arch: ArchBackend): AbiStruct[] {
  return [
    { ir: 'hv.window', c: 'struct hv_window', fields: [['base', 'i64'], ['size', 'i64']] },
    { ir: 'hv.irq', c: 'struct hv_irq', fields: [['id', 'i64'], ['flags', 'i64']] },
    {
      ir: 'hv.device',
      c: 'struct hv_device',
      fields: [['path', 'i8*'], ['ops', 'i8*'], ['state', 'i8*'], ['params', 'i8*'], ['window_count', 'i64'], ['windows', '%hv.window*'], ['irq_count', 'i64'], ['irqs', '%hv.irq*']],
    },
    { ir: 'hv.load_segment', c: 'struct hv_load_segment', fields: [['dest_pa', 'i64'], ['src', 'i8*'], ['size', 'i64'], ['stored_size', 'i64'], ['zero_size', 'i64'], ['dict', '%hv.load_segment*']] },
    { ir: 'hv.mem_region', c: 'struct hv_mem_region', fields: [['ipa', 'i64'], ['pa', 'i64'], ['size', 'i64'], ['flags', 'i64']] },
    { ir: 'hv.vcpu_config', c: 'struct hv_vcpu_config', fields: [['pcpu', 'i64'], ['hwid', 'i64'], ['affinity', 'i64'], ['priority', 'i64'], ['time_slice_ns', 'i64']] },
    { ir: 'hv.arch_guest_config', c: 'struct hv_arch_guest_config', fields: arch.config.guest.fields.map((f) => [f, 'i64'] as const) },
    {
      ir: 'hv.guest_config',
      c: 'struct hv_guest_config',
      fields: [
        ['name', 'i8*'],
        ['vmid', 'i64'],
        ['vcpu_count', 'i64'],
        ['vcpus', '%hv.vcpu_config*'],
        ['entry', 'i64'],
        ['boot_arg', 'i64'],
        ['mem_count', 'i64'],
        ['mem', '%hv.mem_region*'],
        ['segment_count', 'i64'],
        ['segments', '%hv.load_segment*'],
        ['device_count', 'i64'],
        ['devices', '%hv.device*'],
        ['console', '%hv.device*'],
        ['s2_root', 'i64*'],
        ['arch', '%hv.arch_guest_config'],
        ['passthrough_irq_count', 'i64'],
        ['passthrough_irqs', '%hv.irq*'],
        ['flags', 'i64'],
      ],
    },
    { ir: 'hv.pcpu_config', c: 'struct hv_pcpu_config', fields: [['hwid', 'i64'], ['guest', 'i64'], ['vcpu', 'i64']] },
    { ir: 'hv.console_config', c: 'struct hv_console_config', fields: [['base', 'i64'], ['params', 'i8*'], ['ops', 'i8*']] },
    { ir: 'hv.irqchip_config', c: 'struct hv_irqchip_config', fields: [['window_count', 'i64'], ['windows', '%hv.window*'], ['ops', 'i8*']] },
    { ir: 'hv.host_device', c: 'struct hv_host_device', fields: [['path', 'i8*'], ['ops', 'i8*'], ['state', 'i8*'], ['params', 'i8*']] },
    { ir: 'hv.arch_config', c: 'struct hv_arch_config', fields: arch.config.system.fields.map((f) => [f, 'i64'] as const) },
    {
      ir: 'hv.system_config',
      c: 'struct hv_system_config',
      fields: [
        ['abi_version', 'i64'],
        ['system_name', 'i8*'],
        ['pcpu_count', 'i64'],
        ['pcpus', '%hv.pcpu_config*'],
        ['guest_count', 'i64'],
        ['guests', '%hv.guest_config*'],
        ['console', '%hv.console_config'],
        ['irqchip', '%hv.irqchip_config'],
        ['hv_root', 'i64*'],
        ['arch', '%hv.arch_config'],
        ['scheduler', 'i8*'],
        ['version', 'i8*'],
        ['console_escape', 'i64'],
        ['host_device_count', 'i64'],
        ['host_devices', '%hv.host_device*'],
        ['image_scratch', 'i8*'],
        ['image_scratch_size', 'i64'],
      ],
    },
  ];
}

/** Byte offset of every field, and each struct's size, as the IR lays them out (all fields 8 bytes or nested). */
export function abiOffsets(structs: readonly AbiStruct[]): Map<string, { size: number; offsets: Map<string, number> }> {
  const out = new Map<string, { size: number; offsets: Map<string, number> }>();
  for (const s of structs) {
    const offsets = new Map<string, number>();
    let at = 0;
    for (const [name, type] of s.fields) {
      offsets.set(name, at);
      const nested = type.startsWith('%') && !type.endsWith('*') ? out.get(type.slice(1)) : undefined;
      at += nested ? nested.size : 8;
    }
    out.set(s.ir, { size: at, offsets });
  }
  return out;
}

/** The `%hv.* = type { ... }` lines of the config module. */
export function abiTypeDefinitions(structs: readonly AbiStruct[]): string {
  return structs.map((s) => `%${s.ir} = type { ${s.fields.map(([, t]) => t).join(', ')} }`).join('\n');
}
