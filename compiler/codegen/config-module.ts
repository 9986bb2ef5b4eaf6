import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Layout } from '../layout/layout.js';
import type { TableSet } from '../layout/pagetables.js';
import { templatesDir } from '../paths.js';
import { arrayPointer, bytePointer, cString, i64, identifier, NULL_I8 } from './ir.js';

/** hv_config's ABI version; runtime/core/include/hv/config.h defines the same number. */
export const CONFIG_ABI_VERSION = 2;
const NO_GUEST = (1n << 64n) - 1n;

/** An image blob the link step assembles (.incbin) into an object defining `symbol`. */
export interface ImageBlob {
  symbol: string;
  guest: string;
  /** The concatenated segments; each segment's offset is 16-byte aligned. */
  bytes: Uint8Array;
}

export interface ConfigModule {
  /** The module as LLVM IR text. */
  text: string;
  /** Image blobs the module references, to be assembled and linked. */
  images: ImageBlob[];
  /** Symbols of the runtime the module references (ops objects). */
  externals: string[];
}

export interface ConfigModuleInput {
  systemName: string;
  version: string;
  triple: string;
  dataLayout: string;
  layout: Layout;
  /** Symbol of the console driver's ops object. */
  consoleOps: string;
  /** Resolved Kconfig symbols (name without CONFIG_ -> value as .config writes it). */
  kconfig?: ReadonlyMap<string, string>;
}

/** A Kconfig value as an IR constant: numbers as i64, y/m/n as i8 (2/1/0, like tristates), text as a string. */
function kconfigConstant(value: string): string {
  if (value === 'y' || value === 'm' || value === 'n') return `i8 ${value === 'y' ? 2 : value === 'm' ? 1 : 0}`;
  if (/^-?(0x[0-9a-fA-F]+|\d+)$/.test(value)) return i64(BigInt(value));
  const s = cString(value.replace(/^"|"$/g, ''));
  return `[${s.length} x i8] c"${s.escaped}"`;
}

interface TableView {
  name: string;
  entries: string;
  kind: 'constant' | 'global';
  section: string;
}

function tablesView(prefix: string, set: TableSet, writableRoot: boolean): TableView[] {
  const name = (id: number) => identifier([prefix, 't', id]);
  return set.tables.map((t) => ({
    name: name(t.id),
    kind: writableRoot && t.id === 0 ? 'global' : 'constant',
    section: writableRoot && t.id === 0 ? '.data.hv.pgtables' : '.rodata.hv.pgtables',
    entries: t.entries
      .map((e) => {
        if (e.kind === 'invalid') return 'i64 0';
        if (e.kind === 'leaf') return i64(e.descriptor);
        // Tables are 4 KiB aligned, so adding the descriptor type bits is the same as or-ing them, and the
        // linker can resolve it as an ordinary relocation with an addend.
        return `i64 add (i64 ptrtoint ([512 x i64]* @${name(e.table)} to i64), i64 3)`;
      })
      .join(', '),
  }));
}

/**
 * Emits the configuration module: hv_config and everything it points at, as constant data. The text is
 * parsed back by LLVM (llvm-bindings' parseIRFile) and linked with the runtime's bitcode.
 */
export function emitConfigModule(input: ConfigModuleInput): ConfigModule {
  const { layout } = input;
  const template = Handlebars.compile(readFileSync(join(templatesDir, 'config.ll.hbs'), 'utf8'), { noEscape: false, strict: true });
  const strings: { name: string; escaped: string; length: number }[] = [];
  const addString = (value: string) => {
    const name = `.str.${strings.length}`;
    strings.push({ name, ...cString(value) });
    const s = strings[strings.length - 1]!;
    return `i8* getelementptr inbounds ([${s.length} x i8], [${s.length} x i8]* @${name}, i64 0, i64 0)`;
  };
  const arrays: { name: string; count: number; type: string; elements: string }[] = [];
  const addArray = (name: string, type: string, elements: string[]) => {
    if (elements.length === 0) return `${type}* null`;
    arrays.push({ name, count: elements.length, type, elements: elements.join(', ') });
    return `${type}* ${arrayPointer(name, elements.length, type)}`;
  };
  const externals = new Set<string>();
  const tables: TableView[] = [];
  const states: { name: string; size: number }[] = [];
  const images: ImageBlob[] = [];

  const el2Tables = tablesView('hv_el2', layout.el2.tables, false);
  tables.push(...el2Tables);

  const guestConstants = layout.guests.map((g, gi) => {
    const prefix = identifier(['hv_guest', gi]);
    const vcpus = addArray(`${prefix}_vcpus`, '%hv.vcpu_config', g.vcpus.map((v) => `%hv.vcpu_config { ${i64(v.pcpuSlot)}, ${i64(v.mpidr)} }`));
    const mem = addArray(`${prefix}_mem`, '%hv.mem_region', g.memory.map((m) => `%hv.mem_region { ${i64(m.ipa)}, ${i64(m.pa)}, ${i64(m.size)}, i64 1 }`));

    const imageSymbol = `${prefix}_image`;
    const chunks: Uint8Array[] = [];
    let offset = 0;
    const segmentElements = g.segments.map((s) => {
      const at = offset;
      chunks.push(s.data);
      offset += s.data.length;
      const pad = (16 - (offset % 16)) % 16;
      if (pad) chunks.push(new Uint8Array(pad));
      offset += pad;
      const src = s.data.length > 0 ? bytePointer(imageSymbol, 'i8', BigInt(at)) : NULL_I8;
      return `%hv.load_segment { ${i64(s.destPa)}, ${src}, ${i64(s.data.length)}, ${i64(s.zeroSize)} }`;
    });
    if (offset > 0) images.push({ symbol: imageSymbol, guest: g.name, bytes: Buffer.concat(chunks) });
    const segments = addArray(`${prefix}_segments`, '%hv.load_segment', segmentElements);

    const devices = addArray(
      `${prefix}_devices`,
      '%hv.device',
      g.devices.map((d, di) => {
        const ops = d.emulator.manifest.ops!;
        externals.add(ops);
        const stateBytes = d.emulator.manifest['instance-state-bytes'];
        let state = NULL_I8;
        if (stateBytes > 0) {
          const name = identifier([prefix, 'dev', di, 'state']);
          states.push({ name, size: stateBytes });
          state = bytePointer(name, `[${stateBytes} x i8]`);
        }
        const list = d.windows ?? [{ base: d.ipa, size: d.size }];
        const windows = addArray(identifier([prefix, 'dev', di, 'windows']), '%hv.window', list.map((w) => `%hv.window { ${i64(w.base)}, ${i64(w.size)} }`));
        return `%hv.device { ${i64(d.ipa)}, ${i64(d.size)}, ${bytePointer(ops, 'i8')}, ${state}, ${i64(d.irq)}, ${i64(d.clockHz)}, ${i64(list.length)}, ${windows} }`;
      }),
    );
    const s2 = tablesView(`${prefix}_s2`, g.stage2, true);
    tables.push(...s2);
    const root = `i64* ${arrayPointer(s2[0]!.name, 512, 'i64')}`;
    return `%hv.guest_config { ${addString(g.name)}, ${i64(g.vmid)}, ${i64(g.vcpus.length)}, ${vcpus}, ${i64(g.entry)}, ${i64(g.bootArg)}, ${i64(g.memory.length)}, ${mem}, ${i64(g.segments.length)}, ${segments}, ${i64(g.devices.length)}, ${devices}, ${root}, ${i64(g.vtcr)} }`;
  });
  const guests = addArray('hv_guests', '%hv.guest_config', guestConstants);
  const pcpus = addArray(
    'hv_pcpus',
    '%hv.pcpu_config',
    layout.pcpus.map((p) => `%hv.pcpu_config { ${i64(p.mpidr)}, ${i64(p.guest === undefined ? NO_GUEST : BigInt(p.guest))}, ${i64(p.vcpu ?? 0)} }`),
  );
  const consoleOps = input.consoleOps;
  externals.add(consoleOps);
  let irqchip = `i64 0, %hv.window* null, i8* null`;
  if (layout.irqchip) {
    const ops = layout.irqchip.driver.manifest.ops!;
    externals.add(ops);
    const windows = addArray('hv_irqchip_windows', '%hv.window', layout.irqchip.windows.map((w) => `%hv.window { ${i64(w.base)}, ${i64(w.size)} }`));
    irqchip = `${i64(layout.irqchip.windows.length)}, ${windows}, ${bytePointer(ops, 'i8')}`;
  }
  const config = `{ ${i64(CONFIG_ABI_VERSION)}, ${addString(input.systemName)}, ${i64(layout.pcpus.length)}, ${pcpus}, ${i64(layout.guests.length)}, ${guests}, ${i64(layout.console.base)}, ${i64(layout.console.clockHz)}, ${bytePointer(consoleOps, 'i8')}, i64* ${arrayPointer(el2Tables[0]!.name, 512, 'i64')}, ${i64(layout.el2.tcr)}, ${i64(layout.el2.mair)}, ${irqchip} }`;

  const text = template({
    system: input.systemName.replace(/[^\x20-\x7e]/g, '?'),
    version: input.version,
    triple: input.triple,
    dataLayout: input.dataLayout,
    externals: [...externals].sort(),
    images: images.map((i) => i.symbol),
    strings,
    tables,
    states,
    arrays,
    config,
    kconfig: [...(input.kconfig ?? new Map())].sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name: `CONFIG_${name}`, value: kconfigConstant(value) })),
  });
  return { text, images, externals: [...externals].sort() };
}
