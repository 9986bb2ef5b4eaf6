import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic, type MessageDef } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import { M } from './messages.js';
import type { DtNode, DtProperty, DtTree } from './tree.js';
import {
  asStringList,
  asU32Array,
  chunkLength,
  getProperty,
  propertyBytes,
  refResolver,
  propertyLength,
  walkNodes,
} from './values.js';

/** How a check reports: as dtc does, each check is a warning or an error, and may be switched off. */
export type CheckLevel = 'off' | 'warning' | 'error';

export interface CheckContext {
  tree: DtTree;
  /** Reports against a node (or one of its properties); the message gets dtc's "<path>: " prefix. */
  fail(node: DtNode, message: string, span?: Span, prop?: DtProperty): void;
  phandles: PhandleAllocator;
  /** Nodes referenced by a phandle or path reference (for /omit-if-no-ref/). */
  referenced: Set<DtNode>;
  /** -@ is in effect (dtc then keeps labelled /omit-if-no-ref/ nodes). */
  symbols: boolean;
  /** Resolves &label / &{/path} (label index built once per run; labels do not change while checks run). */
  resolve: (ref: string) => DtNode | undefined;
  /** Where each label is first found: node labels, then property labels, then value labels (dtc's lookup order). */
  labelOwner: (label: string) => { node: DtNode; prop?: DtProperty; mark: boolean } | undefined;
}

export interface Check {
  /** dtc's name (underscores), as in `dtc -W no-<name>`. */
  name: string;
  def: MessageDef;
  /** Default level, as in dtc's checks.c. */
  level: CheckLevel;
  /** Checks whose results this one needs first (dtc's prereqs). */
  prereqs?: string[];
  /** Per node, parents before children. */
  node?: (ctx: CheckContext, node: DtNode) => void;
  /** Whole tree, once. */
  tree?: (ctx: CheckContext) => void;
}

/** Allocates phandles the way dtc's get_node_phandle does (first free value from 1, adds a `phandle` property). */
export class PhandleAllocator {
  private next = 1;
  private byValue = new Map<number, DtNode>();

  register(node: DtNode, value: number): void {
    node.phandle = value;
    if (!this.byValue.has(value)) this.byValue.set(value, node);
  }

  lookup(value: number): DtNode | undefined {
    return this.byValue.get(value);
  }

  /** The node's phandle, assigning one (and adding a `phandle` property) when it has none. */
  get(node: DtNode): number {
    if (node.phandle !== undefined && node.phandle !== 0 && node.phandle !== 0xffffffff) return node.phandle;
    while (this.byValue.has(this.next)) this.next++;
    const value = this.next;
    this.register(node, value);
    if (!getProperty(node, 'phandle')) {
      node.properties.push({
        name: 'phandle',
        labels: [],
        span: node.span,
        chunks: [{ kind: 'cells', bits: 32, items: [{ value: BigInt(value), span: node.span }], span: node.span }],
      });
    }
    return value;
  }
}

const isValidPhandle = (p: number) => p !== 0 && p !== 0xffffffff;

function spanOf(node: DtNode, prop?: DtProperty): Span {
  return prop ? prop.span : node.span;
}

// ---------------------------------------------------------------------------------------------------------------
// Structure checks


function checkPhandleProp(ctx: CheckContext, node: DtNode, name: string): number {
  const prop = getProperty(node, name);
  if (!prop) return 0;
  const len = propertyLength(prop);
  if (len !== 4) {
    ctx.fail(node, `bad length (${len}) ${name} property`, prop.span, prop);
    return 0;
  }
  const c = prop.chunks[0];
  if (c && c.kind === 'cells' && c.items[0]?.ref !== undefined) {
    if (ctx.resolve(c.items[0].ref) !== node) ctx.fail(node, `${name} is a reference to another node`, prop.span, prop);
    return 0;
  }
  const v = asU32Array(prop)![0]!;
  if (!isValidPhandle(v)) {
    ctx.fail(node, `bad value (0x${v.toString(16)}) in ${name} property`, prop.span, prop);
    return 0;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers mirroring dtc's

const u32 = (p: DtProperty, i = 0): number => {
  const b = propertyBytes(p);
  if (b.length < (i + 1) * 4) return 0;
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(i * 4);
};
/** dtc's data_is_one_string. */
function isOneString(p: DtProperty): boolean {
  const b = propertyBytes(p);
  if (b.length === 0) return false;
  for (let i = 0; i < b.length - 1; i++) if (b[i] === 0) return false;
  return b[b.length - 1] === 0;
}
function isStringList(p: DtProperty): boolean {
  const b = propertyBytes(p);
  let rem = b.length;
  let o = 0;
  while (rem > 0) {
    let l = 0;
    while (l < rem && b[o + l] !== 0) l++;
    if (l === rem) return false;
    rem -= l + 1;
    o += l + 1;
  }
  return true;
}
/** #address-cells / #size-cells as dtc's fixup_addr_size_cells records them (-1 when absent). */
const rawCells = (n: DtNode, name: string): number => {
  const p = getProperty(n, name);
  return p ? u32(p) : -1;
};
const addrCells = (n: DtNode) => {
  const v = rawCells(n, '#address-cells');
  return v === -1 ? 2 : v;
};
const sizeCellsOf = (n: DtNode) => {
  const v = rawCells(n, '#size-cells');
  return v === -1 ? 1 : v;
};
const unitName = (n: DtNode) => n.unitAddress ?? '';
const isCompatible = (n: DtNode, compat: string) => {
  const p = getProperty(n, 'compatible');
  if (!p) return false;
  const b = propertyBytes(p);
  return Buffer.from(b).toString('latin1').split('\0').includes(compat);
};
const isInterruptProvider = (n: DtNode) => !!getProperty(n, 'interrupt-controller') || !!getProperty(n, 'interrupt-map');
const firstNotIn = (name: string, allowed: string): number => {
  for (let i = 0; i < name.length; i++) if (!allowed.includes(name[i]!)) return i;
  return -1;
};

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const NODECHARS = LOWER + UPPER + DIGITS + ',._+-@';
const PROPCHARS = LOWER + UPPER + DIGITS + ',._+*#?-';
const STRICTCHARS = LOWER + UPPER + DIGITS + ',-';

const bus = new WeakMap<DtNode, 'pci' | 'simple-bus' | 'i2c' | 'spi' | 'graph-port' | 'graph-ports'>();

function isString(name: string, prop: string, def: MessageDef, level: CheckLevel = 'warning'): Check {
  return {
    name,
    def,
    level,
    node(ctx, node) {
      const p = getProperty(node, prop);
      if (p && !isOneString(p)) ctx.fail(node, 'property is not a string', p.span, p);
    },
  };
}
function isStringListCheck(name: string, prop: string, def: MessageDef): Check {
  return {
    name,
    def,
    level: 'warning',
    node(ctx, node) {
      const p = getProperty(node, prop);
      if (p && !isStringList(p)) ctx.fail(node, 'property is not a string list', p.span, p);
    },
  };
}
function isCell(name: string, prop: string, def: MessageDef): Check {
  return {
    name,
    def,
    level: 'warning',
    node(ctx, node) {
      const p = getProperty(node, prop);
      if (p && propertyLength(p) !== 4) ctx.fail(node, 'property is not a single cell', p.span, p);
    },
  };
}

function phandleArgs(ctx: CheckContext, node: DtNode, prop: DtProperty, cellName: string, optional: boolean): void {
  const len = propertyLength(prop);
  if (len % 4 !== 0) {
    ctx.fail(node, `property size (${len}) is invalid, expected multiple of 4`, prop.span, prop);
    return;
  }
  const refOffsets = new Set<number>();
  let hasMarkers = false;
  const typed = !ctx.tree.fromDtb;
  let off = 0;
  for (const c of prop.chunks) {
    if (c.kind === 'cells') {
      c.items.forEach((it, i) => {
        if (it.ref !== undefined) refOffsets.add(off + (i * c.bits) / 8);
      });
      hasMarkers = true;
    } else hasMarkers = true;
    off += chunkLength(c);
  }
  const ncells = len / 4;
  let cellsize = 0;
  for (let cell = 0; cell < ncells; cell += cellsize + 1) {
    const ph = u32(prop, cell);
    if (!isValidPhandle(ph)) {
      if (ctx.tree.plugin) break;
      cellsize = 0;
      continue;
    }
    if (typed && hasMarkers && !refOffsets.has(cell * 4)) ctx.fail(node, `cell ${cell} is not a phandle reference`, prop.span, prop);
    const provider = ctx.phandles.lookup(ph);
    if (!provider) {
      ctx.fail(node, `Could not get phandle node for (cell ${cell})`, prop.span, prop);
      break;
    }
    const cp = getProperty(provider, cellName);
    if (cp) cellsize = u32(cp);
    else if (optional) cellsize = 0;
    else {
      ctx.fail(node, `Missing property '${cellName}' in node ${provider.path} or bad phandle (referred from ${prop.name}[${cell}])`, prop.span);
      break;
    }
    const expected = (cell + cellsize + 1) * 4;
    if (len < expected) {
      ctx.fail(node, `property size (${len}) too small for cell size ${cellsize}`, prop.span, prop);
      break;
    }
  }
}

function providerChecks(id: string, prop: string, cellName: string, optional = false): Check[] {
  return [
    {
      name: `${id}_property`,
      def: M.phandleMisuse,
      level: 'warning',
      prereqs: [`${id}_is_cell`, 'phandle_references'],
      node(ctx, node) {
        const p = getProperty(node, prop);
        if (p) phandleArgs(ctx, node, p, cellName, optional);
      },
    },
    isCell(`${id}_is_cell`, cellName, cellName === '#interrupt-cells' ? M.interruptCellsIsCell : M.phandleMisuse),
  ];
}

function rangesCheck(name: string, prop: string, def: MessageDef): Check {
  return {
    name,
    def,
    level: 'warning',
    prereqs: ['addr_size_cells'],
    node(ctx, node) {
      const p = getProperty(node, prop);
      if (!p) return;
      if (!node.parent) {
        ctx.fail(node, `Root node has a "${prop}" property`, p.span, p);
        return;
      }
      const pa = addrCells(node.parent);
      const ps = sizeCellsOf(node.parent);
      const ca = addrCells(node);
      const cs = sizeCellsOf(node);
      const len = propertyLength(p);
      const entry = (pa + ca + cs) * 4;
      if (len === 0) {
        if (pa !== ca) ctx.fail(node, `empty "${prop}" property but its #address-cells (${ca}) differs from ${node.parent.path} (${pa})`, p.span, p);
        if (ps !== cs) ctx.fail(node, `empty "${prop}" property but its #size-cells (${cs}) differs from ${node.parent.path} (${ps})`, p.span, p);
      } else if (entry === 0 ? len !== 0 : len % entry !== 0) {
        ctx.fail(node, `"${prop}" property has invalid length (${len} bytes) (parent #address-cells == ${pa}, child #address-cells == ${ca}, #size-cells == ${cs})`, p.span, p);
      }
    },
  };
}

function uniqueUnitAddress(ctx: CheckContext, node: DtNode, skipDisabled: boolean): void {
  if (rawCells(node, '#address-cells') < 0 || rawCells(node, '#size-cells') < 0) return;
  const disabled = (n: DtNode) => {
    const p = getProperty(n, 'status');
    if (!p) return false;
    const b = propertyBytes(p);
    const z = b.indexOf(0);
    return Buffer.from(b.subarray(0, z < 0 ? b.length : z)).toString('latin1') === 'disabled';
  };
  const kids = node.children;
  for (let a = 0; a < kids.length; a++) {
    const ca = kids[a]!;
    const ua = unitName(ca);
    if (!ua) continue;
    if (skipDisabled && disabled(ca)) continue;
    for (let b = 0; b < a; b++) {
      const cb = kids[b]!;
      if (skipDisabled && disabled(cb)) continue;
      if (unitName(cb) === ua) ctx.fail(cb, `duplicate unit-address (also used in node ${ca.path})`, cb.span);
    }
  }
}

/**
 * Every pair i < j of equal names, in the order dtc's nested loops visit them (by i, then j), found through
 * a map: a node with 100,000 children is checked in linear time, not in 5 billion comparisons.
 */
function* equalPairs(names: readonly string[]): Generator<[number, number]> {
  const at = new Map<string, number[]>();
  names.forEach((name, i) => {
    const list = at.get(name);
    if (list) list.push(i);
    else at.set(name, [i]);
  });
  for (let i = 0; i < names.length; i++) {
    const same = at.get(names[i]!)!;
    if (same.length === 1) continue;
    for (const j of same) if (j > i) yield [i, j];
  }
}

/** dtc's check table (checks.c), in dtc's order; `name` is dtc's check name. */
export const checkTable: Check[] = [
  {
    name: 'duplicate_node_names',
    def: M.duplicateNodeNames,
    level: 'error',
    node(ctx, node) {
      const kids = node.children;
      for (const [, j] of equalPairs(kids.map((k) => k.fullName))) ctx.fail(kids[j]!, 'Duplicate node name', kids[j]!.span);
    },
  },
  {
    name: 'duplicate_property_names',
    def: M.duplicatePropertyNames,
    level: 'error',
    node(ctx, node) {
      const ps = node.properties;
      for (const [i] of equalPairs(ps.map((p) => p.name))) ctx.fail(node, 'Duplicate property name', ps[i]!.span, ps[i]);
    },
  },
  {
    name: 'node_name_chars',
    def: M.nodeNameChars,
    level: 'error',
    node(ctx, node) {
      const i = firstNotIn(node.fullName, NODECHARS);
      if (i >= 0) ctx.fail(node, `Bad character '${node.fullName[i]}' in node name`, node.span);
    },
  },
  {
    name: 'node_name_format',
    def: M.nodeNameFormat,
    level: 'error',
    prereqs: ['node_name_chars'],
    node(ctx, node) {
      if (unitName(node).includes('@')) ctx.fail(node, `multiple '@' characters in node name`, node.span);
    },
  },
  {
    name: 'property_name_chars',
    def: M.propertyNameChars,
    level: 'error',
    node(ctx, node) {
      for (const p of node.properties) {
        const i = firstNotIn(p.name, PROPCHARS);
        if (i >= 0) ctx.fail(node, `Bad character '${p.name[i]}' in property name`, p.span, p);
      }
    },
  },
  isString('name_is_string', 'name', M.nameIsString, 'error'),
  {
    name: 'name_properties',
    def: M.nameProperties,
    level: 'error',
    prereqs: ['name_is_string'],
    node(ctx, node) {
      const i = node.properties.findIndex((p) => p.name === 'name');
      if (i < 0) return;
      const p = node.properties[i]!;
      const b = propertyBytes(p);
      const base = Buffer.from(node.name, 'latin1');
      if (b.length !== base.length + 1 || Buffer.compare(Buffer.from(b.subarray(0, base.length)), base) !== 0) {
        const z = b.indexOf(0);
        const shown = Buffer.from(b.subarray(0, z < 0 ? b.length : z)).toString('latin1');
        ctx.fail(node, `"name" property is incorrect ("${shown}" instead of base node name)`, p.span);
      } else {
        // The name property is correct, and therefore redundant: dtc deletes it.
        node.properties.splice(i, 1);
      }
    },
  },
  {
    name: 'node_name_vs_property_name',
    def: M.nodeNameVsPropertyName,
    level: 'warning',
    prereqs: ['node_name_chars'],
    node(ctx, node) {
      if (node.parent && getProperty(node.parent, node.fullName)) ctx.fail(node, 'node name and property name conflict', node.span);
    },
  },
  {
    name: 'duplicate_label',
    def: M.duplicateLabel,
    level: 'error',
    node(ctx, node) {
      const desc = (n: DtNode, p: DtProperty | undefined, mark: boolean) =>
        `${mark ? 'value of ' : ''}${p ? `'${p.name}' in ` : ''}${n.path}`;
      const check = (label: string, p: DtProperty | undefined, mark: boolean, span: Span) => {
        const other = ctx.labelOwner(label);
        if (!other) return;
        if (other.node !== node || other.prop !== p || other.mark !== mark)
          ctx.fail(node, `Duplicate label '${label}' on ${desc(node, p, mark)} and ${desc(other.node, other.prop, other.mark)}`, span);
      };
      for (const l of node.labels) check(l, undefined, false, node.span);
      for (const p of node.properties) {
        for (const l of p.labels) check(l, p, false, p.span);
        for (const vl of p.valueLabels ?? []) check(vl.name, p, true, vl.span);
      }
    },
  },
  {
    name: 'explicit_phandles',
    def: M.explicitPhandles,
    level: 'error',
    node(ctx, node) {
      const ph = checkPhandleProp(ctx, node, 'phandle');
      const lph = checkPhandleProp(ctx, node, 'linux,phandle');
      if (!ph && !lph) return;
      if (ph && lph && ph !== lph) ctx.fail(node, `mismatching 'phandle' and 'linux,phandle' properties`, node.span);
      const value = ph || lph;
      const other = ctx.phandles.lookup(value);
      if (other && other !== node) {
        ctx.fail(node, `duplicated phandle 0x${value.toString(16)} (seen before at ${other.path})`, node.span);
        return;
      }
      ctx.phandles.register(node, value);
    },
  },
  {
    name: 'phandle_references',
    def: M.phandleReferences,
    level: 'error',
    prereqs: ['duplicate_node_names', 'explicit_phandles'],
    node(ctx, node) {
      for (const p of node.properties) {
        for (const c of p.chunks) {
          if (c.kind !== 'cells') continue;
          for (const it of c.items) {
            if (it.ref === undefined) continue;
            const target = ctx.resolve(it.ref);
            if (!target) {
              if (!ctx.tree.plugin) ctx.fail(node, `Reference to non-existent node or label "${it.ref}"`, it.span);
              it.value = 0xffffffffn;
              continue;
            }
            it.value = BigInt(ctx.phandles.get(target));
            ctx.referenced.add(target);
          }
        }
      }
    },
  },
  {
    name: 'path_references',
    def: M.pathReferences,
    level: 'error',
    prereqs: ['duplicate_node_names'],
    node(ctx, node) {
      for (const p of node.properties) {
        for (const c of p.chunks) {
          if (c.kind !== 'path-ref') continue;
          const target = ctx.resolve(c.target);
          if (!target) {
            ctx.fail(node, `Reference to non-existent node or label "${c.target}"`, c.span);
            continue;
          }
          c.path = target.path;
          ctx.referenced.add(target);
        }
      }
    },
  },
  {
    name: 'omit_unused_nodes',
    def: M.phandleReferences,
    level: 'error',
    prereqs: ['phandle_references', 'path_references'],
    tree(ctx) {
      const walk = (n: DtNode) => {
        n.children = n.children.filter(
          (c) => !(c.omitIfNoRef && !ctx.referenced.has(c) && !(ctx.symbols && (c.labels.length || c.deletedLabels?.length))),
        );
        for (const c of n.children) walk(c);
      };
      walk(ctx.tree.root);
    },
  },
  isCell('address_cells_is_cell', '#address-cells', M.addressCellsIsCell),
  isCell('size_cells_is_cell', '#size-cells', M.sizeCellsIsCell),
  isString('device_type_is_string', 'device_type', M.deviceTypeIsString),
  isString('model_is_string', 'model', M.modelIsString),
  isString('status_is_string', 'status', M.statusIsString),
  isString('label_is_string', 'label', M.labelIsString),
  isStringListCheck('compatible_is_string_list', 'compatible', M.compatibleIsStringList),
  {
    name: 'names_is_string_list',
    def: M.namesIsStringList,
    level: 'warning',
    node(ctx, node) {
      for (const p of node.properties)
        if (p.name.endsWith('-names') && !isStringList(p)) ctx.fail(node, 'property is not a string list', p.span, p);
    },
  },
  {
    name: 'property_name_chars_strict',
    def: M.propertyNameCharsStrict,
    level: 'off',
    node(ctx, node) {
      for (const p of node.properties) {
        let name = p.name;
        let n = firstNotIn(name, STRICTCHARS);
        if (n < 0 || name === 'device_type') continue;
        if (name[n] === '#' && (n === 0 || name[n - 1] === ',')) {
          name = name.slice(n + 1);
          n = firstNotIn(name, STRICTCHARS);
        }
        if (n >= 0) ctx.fail(node, `Character '${name[n]}' not recommended in property name`, p.span, p);
      }
    },
  },
  {
    name: 'node_name_chars_strict',
    def: M.nodeNameCharsStrict,
    level: 'off',
    node(ctx, node) {
      const n = firstNotIn(node.fullName, STRICTCHARS);
      if (n >= 0 && n < node.name.length) ctx.fail(node, `Character '${node.fullName[n]}' not recommended in node name`, node.span);
    },
  },
  {
    name: 'addr_size_cells',
    def: M.addrSizeCells,
    level: 'warning',
    prereqs: ['address_cells_is_cell', 'size_cells_is_cell'],
  },
  {
    name: 'reg_format',
    def: M.regFormat,
    level: 'warning',
    prereqs: ['addr_size_cells'],
    node(ctx, node) {
      const p = getProperty(node, 'reg');
      if (!p) return;
      if (!node.parent) {
        ctx.fail(node, 'Root node has a "reg" property', node.span);
        return;
      }
      const len = propertyLength(p);
      if (len === 0) ctx.fail(node, 'property is empty', p.span, p);
      const ac = addrCells(node.parent);
      const sc = sizeCellsOf(node.parent);
      const entry = (ac + sc) * 4;
      if (entry === 0 ? len !== 0 : len % entry !== 0)
        ctx.fail(node, `property has invalid length (${len} bytes) (#address-cells == ${ac}, #size-cells == ${sc})`, p.span, p);
    },
  },
  rangesCheck('ranges_format', 'ranges', M.rangesFormat),
  rangesCheck('dma_ranges_format', 'dma-ranges', M.dmaRangesFormat),
  {
    name: 'unit_address_vs_reg',
    def: M.unitAddressVsReg,
    level: 'warning',
    node(ctx, node) {
      if (node.children.some((c) => c.fullName === '__overlay__')) return;
      let p = getProperty(node, 'reg');
      if (!p) {
        p = getProperty(node, 'ranges');
        if (p && propertyLength(p) === 0) p = undefined;
      }
      if (p) {
        if (!unitName(node)) ctx.fail(node, 'node has a reg or ranges property, but no unit name', node.span);
      } else if (unitName(node)) ctx.fail(node, 'node has a unit name, but no reg or ranges property', node.span);
    },
  },
  {
    name: 'unit_address_format',
    def: M.unitAddressFormat,
    level: 'warning',
    prereqs: ['node_name_format', 'pci_bridge', 'simple_bus_bridge'],
    node(ctx, node) {
      if (node.parent && bus.has(node.parent)) return;
      let u = unitName(node);
      if (!u) return;
      if (u.startsWith('0x')) {
        ctx.fail(node, 'unit name should not have leading "0x"', node.span);
        u = u.slice(2);
      }
      if (u[0] === '0' && /^[0-9a-fA-F]$/.test(u[1] ?? '')) ctx.fail(node, 'unit name should not have leading 0s', node.span);
    },
  },
  {
    name: 'pci_bridge',
    def: M.simpleBusReg,
    level: 'warning',
    prereqs: ['device_type_is_string', 'addr_size_cells'],
    node(ctx, node) {
      const dt = getProperty(node, 'device_type');
      if (!dt || asStringList(dt)?.[0] !== 'pci') return;
      bus.set(node, 'pci');
      if (!node.name.startsWith('pci')) ctx.fail(node, 'node name is not "pci" or "pcie"', node.span);
      if (!getProperty(node, 'ranges')) ctx.fail(node, 'missing ranges for PCI bridge (or not a bridge)', node.span);
      if (addrCells(node) !== 3) ctx.fail(node, 'incorrect #address-cells for PCI bridge', node.span);
      if (sizeCellsOf(node) !== 2) ctx.fail(node, 'incorrect #size-cells for PCI bridge', node.span);
      const br = getProperty(node, 'bus-range');
      if (!br) return;
      if (propertyLength(br) !== 8) {
        ctx.fail(node, 'value must be 2 cells', br.span, br);
        return;
      }
      if (u32(br, 0) > u32(br, 1)) ctx.fail(node, '1st cell must be less than or equal to 2nd cell', br.span, br);
      if (u32(br, 1) > 0xff) ctx.fail(node, 'maximum bus number must be less than 256', br.span, br);
    },
  },
  {
    name: 'pci_device_reg',
    def: M.simpleBusReg,
    level: 'warning',
    prereqs: ['reg_format', 'pci_bridge'],
    node(ctx, node) {
      if (!node.parent || bus.get(node.parent) !== 'pci') return;
      const p = getProperty(node, 'reg');
      if (!p) return;
      if (u32(p, 1) || u32(p, 2)) ctx.fail(node, 'PCI reg config space address cells 2 and 3 must be 0', p.span, p);
      const reg = u32(p, 0);
      const dev = (reg & 0xf800) >>> 11;
      const func = (reg & 0x700) >>> 8;
      if (reg & 0xff000000) ctx.fail(node, 'PCI reg address is not configuration space', p.span, p);
      if (reg & 0xff) ctx.fail(node, 'PCI reg config space address register number must be 0', p.span, p);
      if (func === 0 && unitName(node) === dev.toString(16)) return;
      const expect = `${dev.toString(16)},${func.toString(16)}`;
      if (unitName(node) === expect) return;
      ctx.fail(node, `PCI unit address format error, expected "${expect}"`, node.span);
    },
  },
  {
    name: 'pci_device_bus_num',
    def: M.simpleBusReg,
    level: 'warning',
    prereqs: ['reg_format', 'pci_bridge'],
    node(ctx, node) {
      if (!node.parent || bus.get(node.parent) !== 'pci') return;
      const p = getProperty(node, 'reg');
      if (!p) return;
      const busNum = (u32(p, 0) & 0x00ff0000) >>> 16;
      const br = getProperty(node.parent, 'bus-range');
      const min = br ? u32(br, 0) : 0;
      const max = br ? u32(br, 1) : 0;
      if (busNum < min || busNum > max) ctx.fail(node, `PCI bus number ${busNum} out of range, expected (${min} - ${max})`, (br ?? p).span);
    },
  },
  {
    name: 'simple_bus_bridge',
    def: M.simpleBusReg,
    level: 'warning',
    prereqs: ['addr_size_cells', 'compatible_is_string_list'],
    node(_ctx, node) {
      if (isCompatible(node, 'simple-bus')) bus.set(node, 'simple-bus');
    },
  },
  {
    name: 'simple_bus_reg',
    def: M.simpleBusReg,
    level: 'warning',
    prereqs: ['reg_format', 'simple_bus_bridge'],
    node(ctx, node) {
      if (!node.parent || bus.get(node.parent) !== 'simple-bus') return;
      let cells: number[] | undefined;
      const reg = getProperty(node, 'reg');
      if (reg) cells = asU32Array(reg) ?? [];
      else {
        const r = getProperty(node, 'ranges');
        if (r && propertyLength(r)) cells = (asU32Array(r) ?? []).slice(addrCells(node));
      }
      if (!cells) {
        if (node.parent.parent && bus.get(node) !== 'simple-bus') ctx.fail(node, 'missing or empty reg/ranges property', node.span);
        return;
      }
      let v = 0n;
      for (let i = 0; i < addrCells(node.parent); i++) v = ((v << 32n) | BigInt(cells[i] ?? 0)) & ((1n << 64n) - 1n);
      const expect = v.toString(16);
      if (unitName(node) !== expect) ctx.fail(node, `simple-bus unit address format error, expected "${expect}"`, node.span);
    },
  },
  {
    name: 'i2c_bus_bridge',
    def: M.simpleBusReg,
    level: 'warning',
    prereqs: ['addr_size_cells'],
    node(ctx, node) {
      // dtc's strprefixeq(name, basenamelen, "i2c") compares the whole base name: i2c_ao is no bus.
      if (node.name === 'i2c-bus' || node.name === 'i2c-arb') bus.set(node, 'i2c');
      else if (node.name === 'i2c') {
        if (node.children.some((c) => c.fullName.slice(0, node.name.length).startsWith('i2c-bus'))) return;
        bus.set(node, 'i2c');
      } else return;
      if (!node.children.length) return;
      if (addrCells(node) !== 1) ctx.fail(node, 'incorrect #address-cells for I2C bus', node.span);
      if (sizeCellsOf(node) !== 0) ctx.fail(node, 'incorrect #size-cells for I2C bus', node.span);
    },
  },
  {
    name: 'i2c_bus_reg',
    def: M.simpleBusReg,
    level: 'warning',
    prereqs: ['reg_format', 'i2c_bus_bridge'],
    node(ctx, node) {
      if (!node.parent || bus.get(node.parent) !== 'i2c') return;
      const p = getProperty(node, 'reg');
      if (!p) {
        ctx.fail(node, 'missing or empty reg property', node.span);
        return;
      }
      const cells = asU32Array(p) ?? [];
      const first = ((cells[0] ?? 0) & ~(1 << 30)) >>> 0;
      if (unitName(node) !== first.toString(16))
        ctx.fail(node, `I2C bus unit address format error, expected "${first.toString(16)}"`, node.span);
      for (const c of cells) {
        const r = (c & ~(1 << 30)) >>> 0;
        if (r & 0x80000000) {
          if ((r & 0x7fffffff) > 0x3ff) ctx.fail(node, `I2C address must be less than 10-bits, got "0x${r.toString(16)}"`, p.span, p);
        } else if (r > 0x7f)
          ctx.fail(node, `I2C address must be less than 7-bits, got "0x${r.toString(16)}". Set I2C_TEN_BIT_ADDRESS for 10 bit addresses or fix the property`, p.span, p);
      }
    },
  },
  {
    name: 'spi_bus_bridge',
    def: M.simpleBusReg,
    level: 'warning',
    prereqs: ['addr_size_cells'],
    node(ctx, node) {
      if (node.name === 'spi') bus.set(node, 'spi'); // the whole base name, as for I2C: spi-flash is no bus
      else {
        if (addrCells(node) !== 1 || sizeCellsOf(node) !== 0) return;
        if (node.children.some((c) => c.properties.some((p) => p.name.startsWith('spi-')))) bus.set(node, 'spi');
        if (bus.get(node) === 'spi' && getProperty(node, 'reg')) ctx.fail(node, "node name for SPI buses should be 'spi'", node.span);
      }
      if (bus.get(node) !== 'spi' || !node.children.length) return;
      const want = getProperty(node, 'spi-slave') ? 0 : 1;
      if (addrCells(node) !== want) ctx.fail(node, 'incorrect #address-cells for SPI bus', node.span);
      if (sizeCellsOf(node) !== 0) ctx.fail(node, 'incorrect #size-cells for SPI bus', node.span);
    },
  },
  {
    name: 'spi_bus_reg',
    def: M.simpleBusReg,
    level: 'warning',
    prereqs: ['reg_format', 'spi_bus_bridge'],
    node(ctx, node) {
      if (!node.parent || bus.get(node.parent) !== 'spi') return;
      if (getProperty(node.parent, 'spi-slave')) return;
      const p = getProperty(node, 'reg');
      if (!p) {
        ctx.fail(node, 'missing or empty reg property', node.span);
        return;
      }
      const r = u32(p, 0);
      if (unitName(node) !== r.toString(16)) ctx.fail(node, `SPI bus unit address format error, expected "${r.toString(16)}"`, node.span);
    },
  },
  {
    name: 'avoid_default_addr_size',
    def: M.avoidDefaultAddrSize,
    level: 'warning',
    prereqs: ['addr_size_cells'],
    node(ctx, node) {
      if (!node.parent) return;
      if (!getProperty(node, 'reg') && !getProperty(node, 'ranges')) return;
      if (rawCells(node.parent, '#address-cells') === -1) ctx.fail(node, 'Relying on default #address-cells value', node.span);
      if (rawCells(node.parent, '#size-cells') === -1) ctx.fail(node, 'Relying on default #size-cells value', node.span);
    },
  },
  {
    name: 'avoid_unnecessary_addr_size',
    def: M.avoidUnnecessaryAddrSize,
    level: 'warning',
    prereqs: ['avoid_default_addr_size'],
    node(ctx, node) {
      if (!node.parent || rawCells(node, '#address-cells') < 0 || rawCells(node, '#size-cells') < 0) return;
      if (getProperty(node, 'ranges') || getProperty(node, 'dma-ranges') || !node.children.length) return;
      if (!node.children.some((c) => getProperty(c, 'reg')))
        ctx.fail(node, 'unnecessary #address-cells/#size-cells without "ranges" or child "reg" property', node.span);
    },
  },
  {
    name: 'unique_unit_address',
    def: M.uniqueUnitAddress,
    level: 'warning',
    prereqs: ['avoid_default_addr_size'],
    node: (ctx, node) => uniqueUnitAddress(ctx, node, false),
  },
  {
    name: 'unique_unit_address_if_enabled',
    def: M.uniqueUnitAddressIfEnabled,
    level: 'off',
    prereqs: ['avoid_default_addr_size'],
    node: (ctx, node) => uniqueUnitAddress(ctx, node, true),
  },
  {
    name: 'obsolete_chosen_interrupt_controller',
    def: M.chosenNodeIsRoot,
    level: 'warning',
    node(ctx, node) {
      if (node.parent) return;
      const chosen = node.children.find((c) => c.fullName === 'chosen');
      const p = chosen && getProperty(chosen, 'interrupt-controller');
      if (p) ctx.fail(node, '/chosen has obsolete "interrupt-controller" property', p.span, p);
    },
  },
  {
    name: 'chosen_node_is_root',
    def: M.chosenNodeIsRoot,
    level: 'warning',
    node(ctx, node) {
      if (node.fullName === 'chosen' && node.parent !== ctx.tree.root) ctx.fail(node, 'chosen node must be at root node', node.span);
    },
  },
  {
    name: 'chosen_node_bootargs',
    def: M.chosenNodeBootargs,
    level: 'warning',
    node(ctx, node) {
      if (node.fullName !== 'chosen') return;
      const p = getProperty(node, 'bootargs');
      if (p && !isOneString(p)) ctx.fail(node, 'property is not a string', p.span, p);
    },
  },
  {
    name: 'chosen_node_stdout_path',
    def: M.chosenNodeStdoutPath,
    level: 'warning',
    node(ctx, node) {
      if (node.fullName !== 'chosen') return;
      let p = getProperty(node, 'stdout-path');
      if (!p) {
        p = getProperty(node, 'linux,stdout-path');
        if (!p) return;
        ctx.fail(node, "Use 'stdout-path' instead", p.span, p);
      }
      if (!isOneString(p)) ctx.fail(node, 'property is not a string', p.span, p);
    },
  },
  ...providerChecks('clocks', 'clocks', '#clock-cells'),
  ...providerChecks('cooling_device', 'cooling-device', '#cooling-cells'),
  ...providerChecks('dmas', 'dmas', '#dma-cells'),
  ...providerChecks('hwlocks', 'hwlocks', '#hwlock-cells'),
  ...providerChecks('interrupts_extended', 'interrupts-extended', '#interrupt-cells'),
  ...providerChecks('io_channels', 'io-channels', '#io-channel-cells'),
  ...providerChecks('iommus', 'iommus', '#iommu-cells'),
  ...providerChecks('mboxes', 'mboxes', '#mbox-cells'),
  ...providerChecks('msi_parent', 'msi-parent', '#msi-cells', true),
  ...providerChecks('mux_controls', 'mux-controls', '#mux-control-cells'),
  ...providerChecks('phys', 'phys', '#phy-cells'),
  ...providerChecks('power_domains', 'power-domains', '#power-domain-cells'),
  ...providerChecks('pwms', 'pwms', '#pwm-cells'),
  ...providerChecks('resets', 'resets', '#reset-cells'),
  ...providerChecks('sound_dai', 'sound-dai', '#sound-dai-cells'),
  ...providerChecks('thermal_sensors', 'thermal-sensors', '#thermal-sensor-cells'),
  {
    name: 'deprecated_gpio_property',
    def: M.phandleMisuse,
    level: 'off',
    node(ctx, node) {
      for (const p of node.properties)
        if (isGpioProp(p.name) && p.name.endsWith('gpio')) ctx.fail(node, "'[*-]gpio' is deprecated, use '[*-]gpios' instead", p.span, p);
    },
  },
  {
    name: 'gpios_property',
    def: M.phandleMisuse,
    level: 'warning',
    prereqs: ['phandle_references'],
    node(ctx, node) {
      if (getProperty(node, 'gpio-hog')) return;
      for (const p of node.properties) if (isGpioProp(p.name)) phandleArgs(ctx, node, p, '#gpio-cells', false);
    },
  },
  {
    name: 'interrupts_property',
    def: M.interruptsProperty,
    level: 'warning',
    node(ctx, node) {
      const irq = getProperty(node, 'interrupts');
      if (!irq) return;
      const len = propertyLength(irq);
      if (len % 4 !== 0) ctx.fail(node, `size (${len}) is invalid, expected multiple of 4`, irq.span, irq);
      let irqNode: DtNode | undefined;
      let parent: DtNode | undefined = node;
      let prop: DtProperty | undefined;
      while (parent && !prop) {
        if (parent !== node && isInterruptProvider(parent)) {
          irqNode = parent;
          break;
        }
        prop = getProperty(parent, 'interrupt-parent');
        if (prop) {
          const ph = u32(prop);
          if (!isValidPhandle(ph)) {
            if (ctx.tree.plugin) return;
            ctx.fail(parent, 'Invalid phandle', prop.span, prop);
            continue;
          }
          irqNode = ctx.phandles.lookup(ph);
          if (!irqNode) {
            ctx.fail(parent, 'Bad phandle', prop.span, prop);
            return;
          }
          if (!isInterruptProvider(irqNode)) ctx.fail(irqNode, 'Missing interrupt-controller or interrupt-map property', irqNode.span);
          break;
        }
        parent = parent.parent;
      }
      if (!irqNode) {
        ctx.fail(node, 'Missing interrupt-parent', irq.span);
        return;
      }
      const cp = getProperty(irqNode, '#interrupt-cells');
      if (!cp) return;
      const cells = u32(cp);
      if (cells * 4 === 0 ? len !== 0 : len % (cells * 4) !== 0)
        ctx.fail(node, `size is (${len}), expected multiple of ${cells * 4}`, irq.span, cp);
    },
  },
  {
    name: 'interrupt_provider',
    def: M.interruptProvider,
    level: 'warning',
    prereqs: ['interrupts_extended_is_cell'],
    node(ctx, node) {
      // dtc 1.6.1: providers need #interrupt-cells and #address-cells.
      if (!isInterruptProvider(node)) return;
      if (!getProperty(node, '#interrupt-cells')) ctx.fail(node, 'Missing #interrupt-cells in interrupt provider', node.span);
      if (!getProperty(node, '#address-cells')) ctx.fail(node, 'Missing #address-cells in interrupt provider', node.span);
    },
  },
  {
    name: 'alias_paths',
    def: M.aliasPaths,
    level: 'warning',
    node(ctx, node) {
      if (node.fullName !== 'aliases') return;
      for (const p of node.properties) {
        if (p.name === 'phandle' || p.name === 'linux,phandle') continue;
        const b = propertyBytes(p);
        const z = b.indexOf(0);
        const v = Buffer.from(b.subarray(0, z < 0 ? b.length : z)).toString('latin1');
        if (!b.length || !v.startsWith('/') || !findNodeByPath(ctx.tree, v)) {
          ctx.fail(node, `aliases property is not a valid node (${v})`, p.span, p);
          continue;
        }
        if (firstNotIn(p.name, LOWER + DIGITS + '-') >= 0) ctx.fail(node, "aliases property name must include only lowercase and '-'", p.span);
      }
    },
  },
];

function isGpioProp(name: string): boolean {
  if (name.endsWith(',nr-gpios')) return false;
  return name.endsWith('-gpios') || name === 'gpios' || name.endsWith('-gpio') || name === 'gpio';
}

function findNodeByPath(tree: DtTree, path: string): DtNode | undefined {
  let n: DtNode | undefined = tree.root;
  for (const part of path.split('/')) {
    if (!part) continue;
    n = n.children.find((c: DtNode) => c.fullName === part);
    if (!n) return undefined;
  }
  return n;
}

/** dtc's lookup order for duplicate_label: node labels, then property labels, then value labels. */
function labelOwners(tree: DtTree): (label: string) => { node: DtNode; prop?: DtProperty; mark: boolean } | undefined {
  const owners = new Map<string, { node: DtNode; prop?: DtProperty; mark: boolean }>();
  const nodes = [...walkNodes(tree.root)];
  for (const n of nodes) for (const l of n.labels) if (!owners.has(l)) owners.set(l, { node: n, mark: false });
  for (const n of nodes) for (const p of n.properties) for (const l of p.labels) if (!owners.has(l)) owners.set(l, { node: n, prop: p, mark: false });
  for (const n of nodes)
    for (const p of n.properties) for (const v of p.valueLabels ?? []) if (!owners.has(v.name)) owners.set(v.name, { node: n, prop: p, mark: true });
  return (label) => owners.get(label);
}





export interface CheckOptions {
  /** Direct levels by check name (dtc's underscore names or our kebab-case names). */
  levels?: Record<string, CheckLevel>;
  /**
   * dtc's -W/-E options in order, e.g. { kind: 'W', arg: 'no-unit_address_vs_reg' }: enabling raises the
   * check's prerequisites too, disabling lowers the checks that depend on it, exactly as dtc does.
   */
  flags?: { kind: 'W' | 'E'; arg: string }[];
  /** Run only the fixups dtc implements as checks (phandles, references, /omit-if-no-ref/). */
  fixupsOnly?: boolean;
  /** -@ is in effect. */
  symbols?: boolean;
  /** Keep running checks after an error (dtc stops at the first failed error-level check). */
  allChecks?: boolean;
  /**
   * A check skipped because a check it needs failed: 'dtc' reports each as dtc does ("Failed prerequisite",
   * a note per skipped check, for `hvcc dtc`); 'summary' (the default) says nothing when the failed check's
   * own findings are reported — they are the cause — and one line naming every skipped check when they are
   * not (the failed check is switched off).
   */
  prerequisiteNotes?: 'dtc' | 'summary';
}

const FIXUPS = new Set(['explicit_phandles', 'phandle_references', 'path_references', 'omit_unused_nodes', 'duplicate_node_names']);

const normalize = (n: string) => n.replace(/-/g, '_');

export function isCheckName(name: string): boolean {
  const n = normalize(name.replace(/^no[-_]/, ''));
  return checkTable.some((c) => c.name === n);
}

/**
 * The checks a name stands for: dtc's name (underscores or dashes), or the catalogue name of a code several
 * dtc checks share (`phandle-provider-cells` is HV1136: clocks_property, dmas_property, ...).
 */
export function checksNamed(name: string): Check[] {
  const n = normalize(name);
  const byDtcName = checkTable.filter((c) => c.name === n);
  return byDtcName.length ? byDtcName : checkTable.filter((c) => c.def.name === name);
}

/** Every name `checksNamed` knows, dashed: dtc's checks and the catalogue names of their codes. */
export function dtcCheckNames(): string[] {
  return [...new Set([...checkTable.map((c) => c.name.replace(/_/g, '-')), ...checkTable.map((c) => c.def.name)])];
}

interface State {
  warn: boolean;
  error: boolean;
  status: 'unchecked' | 'passed' | 'failed' | 'prereq';
}

/** Runs dtc's checks (and the fixups dtc implements as checks: phandle and path references) over the tree. */
export function runChecks(tree: DtTree, diags: Diagnostic[], options: CheckOptions = {}): PhandleAllocator {
  const byName = new Map(checkTable.map((c) => [c.name, c]));
  const st = new Map<string, State>();
  for (const c of checkTable) st.set(c.name, { warn: c.level === 'warning', error: c.level === 'error', status: 'unchecked' });
  for (const [k, v] of Object.entries(options.levels ?? {})) {
    for (const c of checksNamed(k)) {
      const s = st.get(c.name)!;
      s.warn = v === 'warning';
      s.error = v === 'error';
    }
  }
  const enable = (c: Check, warn: boolean, error: boolean) => {
    const s = st.get(c.name)!;
    if ((warn && !s.warn) || (error && !s.error)) for (const p of c.prereqs ?? []) enable(byName.get(p)!, warn, error);
    s.warn ||= warn;
    s.error ||= error;
  };
  const disable = (c: Check, warn: boolean, error: boolean) => {
    const s = st.get(c.name)!;
    if ((warn && s.warn) || (error && s.error))
      for (const cc of checkTable) if (cc.prereqs?.includes(c.name)) disable(cc, warn, error);
    s.warn &&= !warn;
    s.error &&= !error;
  };
  for (const f of options.flags ?? []) {
    let name = f.arg;
    let on = true;
    if (/^no[-_]/.test(name)) {
      name = name.slice(3);
      on = false;
    }
    const c = byName.get(normalize(name));
    if (!c) continue;
    if (on) enable(c, f.kind === 'W', f.kind === 'E');
    else disable(c, f.kind === 'W', f.kind === 'E');
  }
  if (options.fixupsOnly) {
    for (const c of checkTable) {
      const s = st.get(c.name)!;
      if (!FIXUPS.has(c.name)) s.warn = s.error = false;
    }
  }
  const phandles = new PhandleAllocator();
  let current: Check = checkTable[0]!;
  const ctx: CheckContext = {
    tree,
    phandles,
    referenced: new Set(),
    symbols: options.symbols ?? false,
    resolve: refResolver(tree),
    labelOwner: labelOwners(tree),
    fail(node, message, span, prop) {
      const s = st.get(current.name)!;
      s.status = 'failed';
      if (!s.warn && !s.error) return;
      const where = prop ? `${node.path}:${prop.name}` : node.path;
      const d = diagnostic(
        { ...current.def, name: current.name.replace(/_/g, '-'), severity: s.error ? 'error' : 'warning' },
        `${where}: ${message}`,
        span ?? spanOf(node, prop),
      );
      d.notes.push(`dtc check: ${current.name}`);
      diags.push(d);
    },
  };
  const run = (c: Check) => {
    const s = st.get(c.name)!;
    if (s.status !== 'unchecked') return;
    for (const p of c.prereqs ?? []) {
      const pc = byName.get(p)!;
      run(pc);
      if (st.get(p)!.status !== 'passed') {
        s.status = 'prereq';
        // dtc says so when the check is enabled; it is a consequence, not a finding, so it is a note here.
        if (s.warn || s.error) {
          if (options.prerequisiteNotes === 'dtc') {
            const d = diagnostic({ ...c.def, name: c.name.replace(/_/g, '-'), severity: 'note' }, `Failed prerequisite '${p}'`, tree.root.span);
            d.notes.push(`dtc check: ${c.name}`);
            diags.push(d);
          } else if (!skipped.some((x) => x.check === c)) skipped.push({ check: c, prereq: p });
        }
      }
    }
    if (s.status !== 'unchecked') return;
    const saved = current;
    current = c;
    if (c.tree) c.tree(ctx);
    if (c.node) {
      const walk = (n: DtNode) => {
        c.node!(ctx, n);
        for (const ch of n.children) walk(ch);
      };
      walk(tree.root);
    }
    current = saved;
    if (s.status === 'unchecked') s.status = 'passed';
  };
  const skipped: { check: Check; prereq: string }[] = [];
  let error = false;
  for (const c of checkTable) {
    const s = st.get(c.name)!;
    if (!(s.warn || s.error)) continue;
    // dtc's process_checks stops running checks after the first failed error-level check
    // (`error = error || run_check(c)`), unless asked to keep going.
    if (error && !options.allChecks) break;
    run(c);
    for (const [name, x] of st) if (x.error && (x.status === 'failed' || x.status === 'prereq') && name) error = true;
  }
  summarizeSkipped(skipped, st, byName, diags);
  return phandles;
}

/**
 * The 'summary' form of skipped checks: grouped by the failed check at the root of each chain of
 * prerequisites; nothing when that check reported its findings (they are what to fix), else one note.
 */
function summarizeSkipped(skipped: { check: Check; prereq: string }[], st: Map<string, State>, byName: Map<string, Check>, diags: Diagnostic[]): void {
  const rootOf = (name: string, seen = new Set<string>()): string => {
    const s = st.get(name)!;
    if (s.status !== 'prereq' || seen.has(name)) return name;
    seen.add(name);
    const failed = (byName.get(name)!.prereqs ?? []).find((p) => st.get(p)!.status !== 'passed');
    return failed === undefined ? name : rootOf(failed, seen);
  };
  const byRoot = new Map<string, string[]>();
  for (const { check, prereq } of skipped) {
    const root = rootOf(prereq);
    const list = byRoot.get(root) ?? [];
    list.push(check.name.replace(/_/g, '-'));
    byRoot.set(root, list);
  }
  for (const [root, names] of byRoot) {
    const s = st.get(root)!;
    if (s.warn || s.error) continue;
    const c = byName.get(root)!;
    const shown = root.replace(/_/g, '-');
    const d = diagnostic(
      { ...c.def, name: shown, severity: 'note' },
      `${names.length === 1 ? 'a check was' : `${names.length} checks were`} skipped because the check '${shown}', which is switched off, failed: ${names.join(', ')}`,
      undefined,
      { help: `switch '${shown}' back on to see what it found` },
    );
    d.notes.push(`dtc check: ${root}`);
    diags.push(d);
  }
}
