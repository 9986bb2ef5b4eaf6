import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { ArchBackend } from '../arch/backend.js';
import type { Component } from '../components/catalogue.js';
import { parameterHeader, parameterStructName, type ParameterValue } from '../components/parameters.js';
import type { Layout } from '../layout/layout.js';
import type { TableSet } from '../layout/tables.js';
import { templatesDir } from '../paths.js';
import { MAX_DICTIONARY } from '../compress/lz4.js';
import { abiStructs, abiTypeDefinitions } from './abi.js';
import { arrayPointer, bytePointer, cString, i64, identifier, NULL_I8 } from './ir.js';

/** hv_config's ABI version; runtime/core/include/hv/config.h defines the same number. */
export const CONFIG_ABI_VERSION = 8;
/** hv_guest_config.flags */
const GUEST_NO_AUTOSTART = 1n;
const NO_GUEST = (1n << 64n) - 1n;

/** A blob the link step assembles (.incbin) into an object defining `symbol`: a guest's image, a parameter's file. */
export interface ImageBlob {
  symbol: string;
  /** Names the section (.rodata.guest.<section>). */
  section: string;
  /** Referenced from the config module (a guest image), rather than from the instances source. */
  fromConfig: boolean;
  /** The bytes; each segment's offset within a guest image is 16-byte aligned. */
  bytes: Uint8Array;
}

export interface ConfigModule {
  /** The module as LLVM IR text. */
  text: string;
  /**
   * Per guest, per segment: the bytes the image stores for it, whether they are an LZ4 block, and the
   * earlier segment the block was made against (its dictionary), if any.
   */
  storedSegments: { bytes: number; lz4: boolean; dictionary?: SegmentRef }[][];
  /** Blobs the module or the instances source references, to be assembled and linked. */
  images: ImageBlob[];
  /** Symbols of the runtime the module references (ops objects). */
  externals: string[];
  /**
   * C source defining every instance's state object and parameter block (so their types, and their sizes
   * under this Kconfig, are the components' own), compiled with the runtime.
   */
  instancesSource: string;
  /** Generated headers: <params/NAME.h> for each planned component with parameters, by path relative to the include dir. */
  headers: Map<string, string>;
}

/** A guest image segment: the guest's index and the segment's, in the layout. */
export interface SegmentRef {
  guest: number;
  segment: number;
}

export interface ConfigModuleInput {
  systemName: string;
  version: string;
  triple: string;
  dataLayout: string;
  layout: Layout;
  arch: ArchBackend;
  /** Every planned component (each one with parameters gets its header, instances or not). */
  components: readonly Component[];
  /** Resolved Kconfig symbols (name without CONFIG_ -> value as .config writes it). */
  kconfig?: ReadonlyMap<string, string>;
  /**
   * Guest image segments of at most `maxBytes` (CONFIG_HV_GUEST_IMAGE_LZ4_MAX KiB, read by the driver) are
   * stored as the smallest LZ4 block `compress` makes, alone or against an earlier segment as its
   * dictionary, when that is smaller; without this, every segment as it is.
   */
  guestImageLz4?: { maxBytes: number; compress: (data: Uint8Array, dictionary?: Uint8Array) => Uint8Array };
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
  count: number;
  /** The initializer; `zeroinitializer` for a table filled at boot from `hv_table_writes`. */
  entries: string;
  kind: 'constant' | 'global';
  section: string;
  align: number;
}

/**
 * A run of entries of a boot-filled table: the first slot's address and the descriptor stored there (IR
 * constants), how many consecutive slots the run fills, and what each next descriptor adds (the block size
 * in the descriptor's units for blocks of consecutive memory with the same attributes, the usual run; 0 for
 * a run of one).
 */
interface TableWrite {
  slot: string;
  value: string;
  count: number;
  step: bigint;
}

/**
 * A table is aligned to its size (so a whole table to the granule, a concatenated root to all of it, a short
 * root to its few entries, but 64 bytes at least: an architecture may ask that of a root of fewer than eight
 * entries). Read-only tables smaller than the granule go to a section of their own, placed after the
 * granule-aligned ones, so that they leave no padding between those.
 *
 * Whole tables (a granule or more, a guest's writable root too, when it is as large) are mostly invalid
 * entries: they are not in the image but in `.bss.hv.pgtables` (zeroed at boot with the rest of .bss), and
 * their valid entries are listed in `writes` for the boot CPU's start.S to store before anything reads them
 * (`hv_table_writes`): before translation is on, and before the arch port's C code first touches a table (a
 * fix-up of its pointers, the valid bits of a root cleared to block a guest). A 4 KiB table holding two
 * descriptors then costs 32 bytes of the image, not 4096; a 16 KiB root, 16 bytes a valid entry.
 */
function tablesView(prefix: string, set: TableSet, writableRoot: boolean, writes: TableWrite[]): TableView[] {
  const name = (id: number) => identifier([prefix, 't', id]);
  const granule = Number(set.format.granule);
  const type = (id: number) => `[${set.tables[id]!.entries.length} x i64]`;
  return set.tables.map((t) => {
    const entries = t.entries.map((e) => {
      if (e.kind === 'invalid') return 'i64 0';
      if (e.kind === 'leaf') return i64(e.descriptor);
      // Tables are granule-aligned, so adding the descriptor bits is the same as or-ing them, and the
      // linker can resolve it as an ordinary relocation with an addend.
      return `i64 add (i64 ptrtoint (${type(e.table)}* @${name(e.table)} to i64), i64 ${set.format.tableBits})`;
    });
    const writable = writableRoot && t.id === 0;
    const whole = t.entries.length * 8 >= granule;
    if (whole) {
      // Consecutive leaves a constant step apart (blocks of consecutive memory with the same attributes,
      // mostly) are one run: 1 GiB of RAM mapped as 511 blocks of 2 MiB is one record, not 511.
      const slot = (i: number) => `i64 ptrtoint (i64* getelementptr inbounds (${type(t.id)}, ${type(t.id)}* @${name(t.id)}, i64 0, i64 ${i}) to i64)`;
      let run: { first: number; descriptor: bigint; count: number; step: bigint } | undefined;
      const flush = () => {
        if (run) writes.push({ slot: slot(run.first), value: i64(run.descriptor), count: run.count, step: run.step });
        run = undefined;
      };
      t.entries.forEach((e, i) => {
        if (e.kind !== 'leaf') {
          flush();
          if (e.kind === 'table') writes.push({ slot: slot(i), value: entries[i]!, count: 1, step: 0n });
          return;
        }
        const step = run ? e.descriptor - (run.descriptor + run.step * BigInt(run.count - 1)) : 0n;
        if (run && run.first + run.count === i && step > 0n && (run.count === 1 || step === run.step)) {
          run.step = step;
          run.count++;
          return;
        }
        flush();
        run = { first: i, descriptor: e.descriptor, count: 1, step: 0n };
      });
      flush();
    }
    return {
      name: name(t.id),
      count: t.entries.length,
      kind: writable || whole ? 'global' : 'constant',
      section: whole ? '.bss.hv.pgtables' : writable ? '.data.hv.pgtables' : '.rodata.hv.pgtables.small',
      align: Math.max(64, t.entries.length * 8),
      entries: whole ? 'zeroinitializer' : `[${entries.join(', ')}]`,
    };
  });
}

/** A C string literal. */
function cLiteral(value: string): string {
  return `"${[...Buffer.from(value, 'utf8')].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c && b !== 0x3f ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`)).join('')}"`;
}

/** The C initializer of a parameter block. */
function paramsInitializer(params: readonly ParameterValue[], blobSymbol: (p: ParameterValue) => string, device: (path: string) => string, host: (path: string) => string): string {
  return params
    .map((p) => {
      if (p.type === 'string') return `\t.${p.name} = ${cLiteral(p.value)},`;
      if (p.type === 'file') return `\t.${p.name} = ${blobSymbol(p)},\n\t.${p.name}_size = ${p.bytes.length}UL,`;
      if (p.type === 'host-device') return `\t.${p.name} = ${p.path === undefined ? '0' : host(p.path)},`;
      if (p.type === 'board-device') return `\t.${p.name}_base = 0x${(p.base ?? 0n).toString(16)}UL,\n\t.${p.name}_size = 0x${(p.size ?? 0n).toString(16)}UL,\n\t.${p.name}_irq = ${p.irq ?? 0}UL,`;
      if (p.type === 'devices') {
        const list = p.paths.map(device);
        return list.length === 0 ? `\t.${p.name} = 0,\n\t.${p.name}_count = 0UL,` : `\t.${p.name} = (const struct hv_device *const[]){ ${list.join(', ')} },\n\t.${p.name}_count = ${list.length}UL,`;
      }
      if (p.type === 'interrupt') return `\t.${p.name} = 0x${p.id.toString(16)}UL,\n\t.${p.name}_flags = 0x${p.flags.toString(16)}UL,`;
      return `\t.${p.name} = 0x${p.value.toString(16)}UL,`;
    })
    .join('\n');
}

/** Set by bin/bundle.mjs: config.ll.hbs precompiled when hvcc was built, with the text it was compiled from. */
declare const __hvcc_config_template: { source: string; spec: string } | undefined;

/** What bin/bundle.mjs precompiles the template with: the same options as a compile here. */
export const CONFIG_TEMPLATE_OPTIONS = { noEscape: false, strict: true } as const;

/**
 * The configuration module's template. Compiling it is most of codegen's time in a warm build (Handlebars'
 * compiler runs cold in every process), so the bundle carries it precompiled; a template edited since is
 * compiled here, as it is when hvcc runs unbundled.
 */
function configTemplate(): HandlebarsTemplateDelegate {
  const source = readFileSync(join(templatesDir, 'config.ll.hbs'), 'utf8');
  const built = typeof __hvcc_config_template === 'undefined' ? undefined : __hvcc_config_template;
  if (built?.source === source) return Handlebars.template(new Function(`return ${built.spec}`)() as TemplateSpecification);
  return Handlebars.compile(source, CONFIG_TEMPLATE_OPTIONS);
}

/** How many earlier segments a segment's block is tried against as its dictionary: the most recent ones. */
const DICTIONARY_CANDIDATES = 3;

interface StoredSegment {
  bytes: Uint8Array;
  lz4: boolean;
  dictionary?: SegmentRef;
}

/**
 * What the image stores for each guest image segment: the smallest LZ4 block of a segment of at most
 * `maxBytes`, when smaller than the segment (hv_guest_load() expands it), else the bytes themselves. The
 * block is made alone and against each of the last few earlier segments that can be a dictionary: guests
 * built from the same code, and guest device trees, share most of their bytes. A dictionary is an LZ4
 * block made without one, of at most MAX_DICTIONARY bytes, so the runtime expands it in one step into a
 * scratch buffer of that size at most.
 */
function storeSegments(guests: Layout['guests'], lz4: ConfigModuleInput['guestImageLz4']): StoredSegment[][] {
  const stored: StoredSegment[][] = guests.map(() => []);
  const dictionaries: (SegmentRef & { data: Uint8Array })[] = [];
  guests.forEach((g, gi) =>
    g.segments.forEach(({ data }, si) => {
      let best: StoredSegment = { bytes: data, lz4: false };
      if (lz4 && data.length > 0 && data.length <= lz4.maxBytes) {
        const alone = lz4.compress(data);
        if (alone.length < data.length) best = { bytes: alone, lz4: true };
        // Worth it only when it saves an eighth: it costs an expansion at every start, and a segment
        // stored alone can be the dictionary of later ones.
        for (const d of dictionaries.slice(-DICTIONARY_CANDIDATES)) {
          const block = lz4.compress(data, d.data);
          if (block.length <= (best.bytes.length * 7) / 8) best = { bytes: block, lz4: true, dictionary: { guest: d.guest, segment: d.segment } };
        }
        if (best.lz4 && !best.dictionary && data.length <= MAX_DICTIONARY) dictionaries.push({ guest: gi, segment: si, data });
      }
      stored[gi]!.push(best);
    }),
  );
  return stored;
}

/**
 * Emits the configuration module: hv_config and everything it points at, as constant data, plus the C source
 * of the instances' state objects and parameter blocks. The IR text is turned into bitcode by llvm-as-14
 * and linked with the runtime's bitcode by ld.lld-14 (link-time optimization).
 */
export function emitConfigModule(input: ConfigModuleInput): ConfigModule {
  const { layout } = input;
  const template = configTemplate();
  const strings: { name: string; escaped: string; length: number }[] = [];
  const addString = (value: string) => {
    const name = `.str.${strings.length}`;
    strings.push({ name, ...cString(value) });
    const s = strings[strings.length - 1]!;
    return `i8* getelementptr inbounds ([${s.length} x i8], [${s.length} x i8]* @${name}, i64 0, i64 0)`;
  };
  const arrays: { name: string; count: number; type: string; elements: string; linkage: string }[] = [];
  const addArray = (name: string, type: string, elements: string[], linkage = 'internal') => {
    if (elements.length === 0) return `${type}* null`;
    arrays.push({ name, count: elements.length, type, elements: elements.join(', '), linkage });
    return `${type}* ${arrayPointer(name, elements.length, type)}`;
  };
  const externals = new Set<string>();
  const instanceGlobals: { name: string; kind: 'global' | 'constant' }[] = [];
  const tables: TableView[] = [];
  const tableWrites: TableWrite[] = [];
  const images: ImageBlob[] = [];
  const headers = new Map<string, string>();
  const instanceIncludes = new Set<string>();
  const instanceDefinitions: string[] = [];

  for (const c of input.components) {
    if (c.manifest.parameters.length > 0) headers.set(`params/${c.manifest.name}.h`, parameterHeader(c));
  }

  // Parameters naming other instances point into the guests' device arrays (declared for the instances source).
  const deviceAt = new Map<string, { array: string; index: number }>();
  layout.guests.forEach((g, gi) => g.devices.forEach((d, di) => deviceAt.set(d.path, { array: `${identifier(['hv_guest', gi])}_devices`, index: di })));
  const declaredArrays = new Set<string>();
  const devicePointer = (path: string): string => {
    const at = deviceAt.get(path);
    if (!at) return '0';
    if (!declaredArrays.has(at.array)) {
      declaredArrays.add(at.array);
      instanceDefinitions.unshift(`extern const struct hv_device ${at.array}[];`);
    }
    return `&${at.array}[${at.index}]`;
  };

  const hostIndex = new Map((layout.hosts ?? []).map((h, i) => [h.path, i]));
  const hostPointer = (path: string): string => {
    const i = hostIndex.get(path);
    if (i === undefined) return '0';
    if (!declaredArrays.has('hv_host_devices')) {
      declaredArrays.add('hv_host_devices');
      instanceDefinitions.unshift('extern const struct hv_host_device hv_host_devices[];');
    }
    return `&hv_host_devices[${i}]`;
  };

  /** Defines `prefix`'s state object and parameter block in the instances source; returns IR pointers to them. */
  const instance = (prefix: string, component: Component, params: readonly ParameterValue[]): { state: string; params: string } => {
    let state = NULL_I8;
    let block = NULL_I8;
    const stateType = component.manifest.state;
    if (stateType) {
      const name = `${prefix}_state`;
      instanceIncludes.add(join(component.dir, stateType.header));
      // At least 16 bytes aligned, more when the type wants it (a variable's aligned attribute would lower it).
      instanceDefinitions.push(`${stateType.type} ${name} __attribute__((aligned(__alignof__(${stateType.type}) > 16 ? __alignof__(${stateType.type}) : 16)));`);
      instanceGlobals.push({ name, kind: 'global' });
      state = bytePointer(name, 'i8');
    }
    if (component.manifest.parameters.length > 0) {
      const name = `${prefix}_params`;
      instanceIncludes.add(`<params/${component.manifest.name}.h>`);
      const blob = (p: ParameterValue) => {
        const symbol = identifier([prefix, p.name, 'data']);
        if (p.type === 'file') {
          images.push({ symbol, section: identifier([prefix, p.name]), bytes: p.bytes, fromConfig: false });
          instanceDefinitions.push(`extern const u8 ${symbol}[];`);
        }
        return symbol;
      };
      const init = paramsInitializer(params, blob, devicePointer, hostPointer);
      instanceDefinitions.push(`const struct ${parameterStructName(component)} ${name} = {\n${init}\n};`);
      instanceGlobals.push({ name, kind: 'constant' });
      block = bytePointer(name, 'i8');
    }
    return { state, params: block };
  };

  const hvTables = tablesView('hv_root', layout.hv.tables, false, tableWrites);
  tables.push(...hvTables);

  const stored = storeSegments(layout.guests, input.guestImageLz4);
  const storedSegments: ConfigModule['storedSegments'] = stored.map((g) => g.map(({ bytes, lz4, dictionary }) => ({ bytes: bytes.length, lz4, ...(dictionary ? { dictionary } : {}) })));
  const segmentsName = (gi: number) => `${identifier(['hv_guest', gi])}_segments`;
  const segmentPointer = ({ guest, segment }: SegmentRef) => {
    const count = layout.guests[guest]!.segments.length;
    return `%hv.load_segment* getelementptr inbounds ([${count} x %hv.load_segment], [${count} x %hv.load_segment]* @${segmentsName(guest)}, i64 0, i64 ${segment})`;
  };
  // Big enough for the largest dictionary a segment is expanded against.
  const scratch = Math.max(0, ...stored.flat().map((s) => (s.dictionary ? layout.guests[s.dictionary.guest]!.segments[s.dictionary.segment]!.data.length : 0)));
  const guestConstants = layout.guests.map((g, gi) => {
    const prefix = identifier(['hv_guest', gi]);
    const vcpus = addArray(`${prefix}_vcpus`, '%hv.vcpu_config', g.vcpus.map((v) => `%hv.vcpu_config { ${i64(v.pcpuSlot)}, ${i64(v.hwid)}, ${i64(v.affinity)}, ${i64(BigInt(v.priority))}, ${i64(v.timeSliceNs)} }`));
    const mem = addArray(`${prefix}_mem`, '%hv.mem_region', g.memory.map((m) => `%hv.mem_region { ${i64(m.ipa)}, ${i64(m.pa)}, ${i64(m.size)}, i64 1 }`));

    const imageSymbol = `${prefix}_image`;
    const chunks: Uint8Array[] = [];
    let offset = 0;
    const segmentElements = g.segments.map((s, si) => {
      const at = offset;
      const { bytes, dictionary } = stored[gi]![si]!;
      chunks.push(bytes);
      offset += bytes.length;
      const pad = (16 - (offset % 16)) % 16;
      if (pad) chunks.push(new Uint8Array(pad));
      offset += pad;
      const src = s.data.length > 0 ? bytePointer(imageSymbol, 'i8', BigInt(at)) : NULL_I8;
      const dict = dictionary ? segmentPointer(dictionary) : '%hv.load_segment* null';
      return `%hv.load_segment { ${i64(s.destPa)}, ${src}, ${i64(s.data.length)}, ${i64(bytes.length)}, ${i64(s.zeroSize)}, ${dict} }`;
    });
    if (offset > 0) images.push({ symbol: imageSymbol, section: identifier([g.name]), bytes: Buffer.concat(chunks), fromConfig: true });
    const segments = addArray(segmentsName(gi), '%hv.load_segment', segmentElements);

    const devicesName = `${prefix}_devices`;
    const devices = addArray(
      devicesName,
      '%hv.device',
      g.devices.map((d, di) => {
        const ops = d.emulator.manifest.ops!;
        externals.add(ops);
        const own = instance(identifier([prefix, 'dev', di]), d.emulator, d.params);
        const windows = addArray(identifier([prefix, 'dev', di, 'windows']), '%hv.window', d.windows.map((w) => `%hv.window { ${i64(w.base)}, ${i64(w.size)} }`));
        const irqs = addArray(identifier([prefix, 'dev', di, 'irqs']), '%hv.irq', d.irqs.map((q) => `%hv.irq { ${i64(q.id)}, ${i64(q.flags)} }`));
        return `%hv.device { ${addString(d.path)}, ${bytePointer(ops, 'i8')}, ${own.state}, ${own.params}, ${i64(d.windows.length)}, ${windows}, ${i64(d.irqs.length)}, ${irqs} }`;
      }),
      // Other instances' parameter blocks may point at these devices (a 'devices' parameter): visible to the
      // instances source until internalize makes them internal.
      'dso_local',
    );
    const console =
      g.console === undefined
        ? '%hv.device* null'
        : `%hv.device* getelementptr inbounds ([${g.devices.length} x %hv.device], [${g.devices.length} x %hv.device]* @${devicesName}, i64 0, i64 ${g.console})`;
    const s2 = tablesView(`${prefix}_s2`, g.stage2, true, tableWrites);
    tables.push(...s2);
    const root = `i64* ${arrayPointer(s2[0]!.name, s2[0]!.count, 'i64')}`;
    const arch = `%hv.arch_guest_config { ${g.arch.map(i64).join(', ')} }`;
    const forwarded = g.passthroughIrqs ?? [];
    const passthroughIrqs = addArray(`${prefix}_passthrough_irqs`, '%hv.irq', forwarded.map((q) => `%hv.irq { ${i64(q.id)}, ${i64(q.flags)} }`));
    return `%hv.guest_config { ${addString(g.name)}, ${i64(g.vmid)}, ${i64(g.vcpus.length)}, ${vcpus}, ${i64(g.entry)}, ${i64(g.bootArg)}, ${i64(g.memory.length)}, ${mem}, ${i64(g.segments.length)}, ${segments}, ${i64(g.devices.length)}, ${devices}, ${console}, ${root}, ${arch}, ${i64(forwarded.length)}, ${passthroughIrqs}, ${i64(g.autostart ? 0n : GUEST_NO_AUTOSTART)} }`;
  });
  const guests = addArray('hv_guests', '%hv.guest_config', guestConstants);
  const pcpus = addArray(
    'hv_pcpus',
    '%hv.pcpu_config',
    layout.pcpus.map((p) => `%hv.pcpu_config { ${i64(p.hwid)}, ${i64(p.guest === undefined ? NO_GUEST : BigInt(p.guest))}, ${i64(p.vcpu ?? 0)} }`),
  );
  const consoleOps = layout.console.driver.manifest.ops!;
  externals.add(consoleOps);
  const consoleInstance = instance('hv_console', layout.console.driver, layout.console.params);
  const console = `%hv.console_config { ${i64(layout.console.base)}, ${consoleInstance.params}, ${bytePointer(consoleOps, 'i8')} }`;
  let irqchip = `%hv.irqchip_config { i64 0, %hv.window* null, i8* null }`;
  if (layout.irqchip) {
    const ops = layout.irqchip.driver.manifest.ops!;
    externals.add(ops);
    const windows = addArray('hv_irqchip_windows', '%hv.window', layout.irqchip.windows.map((w) => `%hv.window { ${i64(w.base)}, ${i64(w.size)} }`));
    irqchip = `%hv.irqchip_config { ${i64(layout.irqchip.windows.length)}, ${windows}, ${bytePointer(ops, 'i8')} }`;
  }
  const arch = `%hv.arch_config { ${layout.arch.map(i64).join(', ')} }`;
  const hostList = layout.hosts ?? [];
  const hosts = addArray(
    'hv_host_devices',
    '%hv.host_device',
    hostList.map((h, i) => {
      const ops = h.driver.manifest.ops!;
      externals.add(ops);
      const own = instance(identifier(['hv_host', i]), h.driver, h.params);
      return `%hv.host_device { ${addString(h.path)}, ${bytePointer(ops, 'i8')}, ${own.state}, ${own.params} }`;
    }),
    'dso_local',
  );
  let scheduler = NULL_I8;
  if (layout.scheduler) {
    const ops = layout.scheduler.manifest.ops!;
    externals.add(ops);
    scheduler = bytePointer(ops, 'i8');
  }
  const config = `{ ${i64(CONFIG_ABI_VERSION)}, ${addString(input.systemName)}, ${i64(layout.pcpus.length)}, ${pcpus}, ${i64(layout.guests.length)}, ${guests}, ${console}, ${irqchip}, i64* ${arrayPointer(hvTables[0]!.name, hvTables[0]!.count, 'i64')}, ${arch}, ${scheduler}, ${addString(input.version)}, ${i64(BigInt(layout.console.escape))}, ${i64(hostList.length)}, ${hosts}, ${scratch ? bytePointer('hv_image_scratch', `[${scratch} x i8]`) : NULL_I8}, ${i64(BigInt(scratch))} }`;

  const text = template({
    system: input.systemName.replace(/[^\x20-\x7e]/g, '?'),
    version: input.version,
    triple: input.triple,
    dataLayout: input.dataLayout,
    types: abiTypeDefinitions(abiStructs(input.arch)),
    externals: [...externals].sort(),
    instances: instanceGlobals,
    images: images.filter((i) => i.fromConfig).map((i) => i.symbol),
    strings,
    tables,
    tableWrites: tableWrites.map((w) => ({ ...w, step: i64(w.step) })),
    tableWriteCount: tableWrites.length + 1,
    arrays,
    scratch,
    config,
    kconfig: [...(input.kconfig ?? new Map())].sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name: `CONFIG_${name}`, value: kconfigConstant(value) })),
  });
  const instancesSource = [
    `/* Generated by hvcc for system '${input.systemName.replace(/\*\//g, '* /').replace(/[^\x20-\x7e]/g, '?')}': every device instance's state and parameters; do not edit. */`,
    '#include <hv/core.h>',
    ...[...instanceIncludes].sort().map((h) => (h.startsWith('<') ? `#include ${h}` : `#include ${cLiteral(h)}`)),
    '',
    ...instanceDefinitions,
    '',
  ].join('\n');
  return { text, storedSegments, images, externals: [...externals].sort(), instancesSource, headers };
}
