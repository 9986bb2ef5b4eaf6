import { basename, dirname, extname, resolve } from 'node:path';
import type { z } from 'zod';
import { binding, cpuBinding, dt, guestBinding, guestMemoryBinding, hostOnlyProperties, hypervisorBinding, sharedRegionBinding, sharedWindowBinding, virtioDiskBinding, networkBinding, type Binding, type BindingSet } from '../../schemas/bindings/index.js';
import type { AddressRange, Board, BoardCpu, BoardDevice, Disk, Guest, GuestDevice, GuestMemory, GuestVcpu, HostNode, Hypervisor, Interrupt, Network, SharedRegion, SharedWindow, System } from '../../schemas/model.js';
import { SCHEDULING, type GuestProperties } from '../../schemas/bindings/hvcc.js';
import type { DtNode, DtTree } from '../dts/tree.js';
import { findNode } from '../dts/values.js';
import { closest } from '../diagnostics/suggest.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import type { Span } from '../diagnostics/span.js';
import { formatRange } from '../util/ranges.js';
import { decodeNode, type PropertySpans } from './decode.js';
import { decodeInterrupts, firstInterruptController, interruptParent } from './interrupts.js';
import { modelMessages as M } from './messages.js';
import { DEFAULT_ESCAPE_KEY, ESCAPE_KEY_FORMS, parseEscapeKey } from '../console/escape-key.js';
import { PropertyReader } from './props.js';

/** For nodes hvcc reads only the address window of (memory, devices it has no binding for). */
const REG_ONLY = binding({
  id: 'reg',
  match: { compatible: '' },
  role: 'host-device',
  title: 'a node with an address window',
  description: '',
  properties: { reg: dt.reg('Address/size pairs.').optional() },
});

const HYPERVISOR_COMPATIBLE = 'hvcc,hypervisor';
const GUEST_COMPATIBLE = 'hvcc,guest';

/** Node names at the root that are not devices of the board. */
const NOT_DEVICES = new Set(['cpus', 'chosen', 'aliases', 'hypervisor', 'guests', '__symbols__', '__fixups__', '__local_fixups__', 'reserved-memory']);

class ModelBuilder {
  readonly diagnostics: Diagnostic[] = [];
  readonly props = new PropertyReader(this.diagnostics);
  /** /hypervisor's children rejected while read (System.undecodedHostNodes). */
  readonly undecodedHostNodes: string[] = [];

  constructor(
    readonly tree: DtTree,
    readonly file: string,
    readonly bindings: BindingSet,
  ) {}

  decode<S extends z.ZodRawShape>(node: DtNode, binding: Binding<S>, warnUnknown: boolean) {
    // Guest nodes hold guest-physical addresses: only the board's (and the hypervisor's) go through `ranges`.
    return decodeNode(this.tree, node, binding, this.props, { warnUnknown, translate: binding.role !== 'hvcc' || binding.id === hypervisorBinding.id });
  }

  compatible(node: DtNode): string[] {
    const p = this.props.find(node, 'compatible');
    return p ? (this.props.strings(p) ?? []) : [];
  }

  deviceType(node: DtNode): string | undefined {
    const p = this.props.find(node, 'device_type');
    const c = p?.chunks[0];
    return c?.kind === 'string' ? c.value : undefined;
  }

  status(node: DtNode): BoardDevice['status'] {
    const p = this.props.find(node, 'status');
    const c = p?.chunks[0];
    const s = c?.kind === 'string' ? c.value : 'okay';
    if (s === 'disabled' || s === 'reserved') return s;
    return s.startsWith('fail') ? 'fail' : 'okay';
  }

  ranges(entries: readonly { base: bigint; size: bigint }[] | undefined, spans: PropertySpans | undefined, fallback: Span): AddressRange[] {
    return (entries ?? []).map((e, i) => ({ base: e.base, size: e.size, span: spans?.items[i] ?? spans?.value ?? fallback }));
  }

  /** `reg` of a node without a binding of its own: decoded with the parent's cells, errors reported, translated. */
  plainReg(node: DtNode): AddressRange[] {
    const decoded = this.decode(node, REG_ONLY, false);
    return this.ranges(decoded.values?.reg, decoded.spans.get('reg'), node.span);
  }

  /** A node's `interrupts`, decoded through the controller they go to (searched up to `top`, else `fallbackController`). */
  interrupts(node: DtNode, role: 'host-device' | 'guest-device', top: DtNode | undefined, fallbackController?: DtNode): { interrupts: Interrupt[]; span?: Span } {
    const p = this.props.find(node, 'interrupts');
    if (!p) return { interrupts: [] };
    const cells = this.props.cells(p);
    if (!cells || cells.length === 0) return { interrupts: [], span: this.props.spanOf(p) };
    const controller = interruptParent(this.tree, node, top) ?? fallbackController;
    const decoded = decodeInterrupts(controller, cells.map((c) => ({ value: Number(c.value), span: c.span })), this.bindings, role, this.props.spanOf(p));
    return { interrupts: decoded, span: this.props.spanOf(p) };
  }

  board(): Board | undefined {
    const root = this.tree.root;
    const cpusNode = root.children.find((c) => c.name === 'cpus');
    if (!cpusNode) {
      this.diagnostics.push(diagnostic(M.missingNode, 'the board has no /cpus node', root.span));
      return undefined;
    }
    const cpus: BoardCpu[] = [];
    for (const node of cpusNode.children) {
      if (node.name !== 'cpu' && this.deviceType(node) !== 'cpu') continue;
      const decoded = this.decode(node, cpuBinding, false);
      if (!decoded.values) continue;
      const cells = decoded.values.reg;
      const hwid = cells.reduce((a, c) => (a << 32n) | BigInt(c), 0n);
      const cpu: BoardCpu = { index: cpus.length, path: node.path, hwid, compatible: this.compatible(node), status: this.status(node), span: node.span };
      if (decoded.values['enable-method']) cpu.enableMethod = decoded.values['enable-method'];
      cpus.push(cpu);
    }
    if (cpus.length === 0) {
      this.diagnostics.push(diagnostic(M.missingNode, 'the /cpus node has no cpu nodes', cpusNode.span));
      return undefined;
    }
    const memory: AddressRange[] = [];
    const devices: BoardDevice[] = [];
    const visit = (node: DtNode) => {
      for (const child of node.children) {
        if (node === root && NOT_DEVICES.has(child.name)) continue;
        // Memory nodes are the root's children (devicetree specification); deeper ones are not board RAM.
        if (node === root && this.deviceType(child) === 'memory') {
          memory.push(...this.plainReg(child));
          continue;
        }
        const compatible = this.compatible(child);
        if (compatible.includes('hvcc,guest')) {
          this.diagnostics.push(
            diagnostic(M.misplacedGuest, `${child.path} is a guest node outside /guests`, child.span, { help: 'guests are the children of the root\'s `guests` node' }),
          );
          continue;
        }
        if (compatible.length > 0) {
          // Board files carry many properties hvcc does not use: only the ones a binding defines are checked.
          const binding = this.bindings.forCompatible('host-device', compatible);
          const properties: Record<string, unknown> = {};
          const propertySpans: Record<string, Span> = {};
          if (binding) {
            const decoded = this.decode(child, binding, false);
            for (const [name, spans] of decoded.spans) propertySpans[name] = spans.value;
            if (decoded.values) Object.assign(properties, decoded.values);
          }
          const device: BoardDevice = {
            path: child.path,
            name: child.fullName,
            labels: child.labels,
            compatible,
            reg: this.props.find(child, 'reg') ? this.plainReg(child) : [],
            interrupts: this.interrupts(child, 'host-device', root).interrupts,
            status: this.status(child),
            properties,
            propertySpans,
            span: child.span,
          };
          devices.push(device);
        }
        visit(child);
      }
    };
    visit(root);
    if (memory.length === 0) {
      this.diagnostics.push(diagnostic(M.missingNode, 'the board has no memory node (device_type = "memory")', root.span));
      return undefined;
    }
    for (let i = 0; i < memory.length; i++) {
      for (let j = 0; j < i; j++) {
        const [a, b] = [memory[i]!, memory[j]!];
        if (a.base < b.base + b.size && b.base < a.base + a.size) {
          this.diagnostics.push(diagnostic(M.memoryOverlap, `board RAM ${formatRange(a)} overlaps ${formatRange(b)}`, a.span, { related: [{ span: b.span, message: 'the other range' }] }));
          return undefined;
        }
      }
    }
    const modelProp = this.props.find(root, 'model');
    const model = modelProp?.chunks[0]?.kind === 'string' ? modelProp.chunks[0].value : basename(this.file);
    const compatibleProp = this.props.find(root, 'compatible');
    const board: Board = { model, compatible: this.compatible(root), file: compatibleProp?.span.file ?? this.file, cpus, memory, devices, span: root.span };
    const parent = this.props.find(root, 'interrupt-parent');
    const parentCell = parent?.chunks[0]?.kind === 'cells' ? parent.chunks[0].items[0] : undefined;
    const controller = parentCell ? nodeByPhandle(this.tree, parentCell.value) : undefined;
    if (controller) board.interruptController = controller.path;
    return board;
  }

  /**
   * The /hypervisor node. It is found by its name and must say what it is: a node named so with another
   * compatible, or one compatible with "hvcc,hypervisor" under another name, is an error (either would make
   * a misspelling silently change what the system is).
   */
  hypervisor(): Hypervisor | undefined {
    const root = this.tree.root;
    const node = root.children.find((c) => c.name === 'hypervisor');
    const elsewhere = root.children.find((c) => c !== node && this.compatible(c).includes(HYPERVISOR_COMPATIBLE));
    if (elsewhere) {
      this.diagnostics.push(
        diagnostic(M.hypervisorNode, `${elsewhere.path} is compatible with "hvcc,hypervisor", but the hypervisor node must be /hypervisor`, elsewhere.span, {
          help: `rename it \`hypervisor\``,
        }),
      );
      if (!node) return undefined;
    }
    if (!node) {
      this.diagnostics.push(diagnostic(M.missingNode, 'the system has no /hypervisor node', root.span, { help: 'add `hypervisor { compatible = "hvcc,hypervisor"; memory-region = <&...>; };` at the root' }));
      return undefined;
    }
    const compatible = this.compatible(node);
    if (!compatible.includes(HYPERVISOR_COMPATIBLE)) {
      const prop = this.props.find(node, 'compatible');
      const suggestion = compatible.map((c) => closest(c, [HYPERVISOR_COMPATIBLE])).find((x) => x !== undefined);
      this.diagnostics.push(
        diagnostic(
          M.hypervisorNode,
          prop ? `/hypervisor is compatible with ${compatible.map((c) => `"${c}"`).join(', ')}, not "hvcc,hypervisor"` : '/hypervisor has no compatible; it must be "hvcc,hypervisor"',
          prop ? this.props.spanOf(prop) : node.span,
          suggestion ? { help: `did you mean "${suggestion}"?` } : { help: 'add `compatible = "hvcc,hypervisor";`' },
        ),
      );
      return undefined;
    }
    const decoded = this.decode(node, hypervisorBinding, true);
    // A wrong optional property (system-name) is reported; the rest of the description is still read.
    const values = decoded.values ?? decoded.partial;
    if (!values) return undefined;
    const regionNode = findNode(this.tree, values['memory-region'])!;
    // The hypervisor's RAM is carved out of board RAM as reserved memory; board RAM itself is everyone's.
    if (regionNode.parent?.name !== 'reserved-memory' || regionNode.parent.parent !== root) {
      const span = decoded.spans.get('memory-region')?.value ?? node.span;
      const isRam = this.deviceType(regionNode) === 'memory';
      this.diagnostics.push(
        diagnostic(M.memoryRegionNotReserved, `the hypervisor's memory-region ${regionNode.path} is ${isRam ? 'board RAM (a memory node), not a node under /reserved-memory' : 'not a node under /reserved-memory'}`, span, {
          related: [{ span: regionNode.span, message: isRam ? 'board RAM' : 'the node' }],
          help: 'describe the hypervisor\'s RAM as a child of /reserved-memory (with `no-map;`) and point memory-region at it',
        }),
      );
      return undefined;
    }
    const region = this.plainReg(regionNode)[0];
    if (!region) {
      if (!this.props.find(regionNode, 'reg')) this.diagnostics.push(diagnostic(M.missingProperty, `${regionNode.path} (the hypervisor's memory-region) needs a 'reg' property`, regionNode.span));
      return undefined;
    }
    let console = values.console;
    let consoleSpan = decoded.spans.get('console')?.value ?? node.span;
    if (console === undefined) {
      const chosen = root.children.find((c) => c.name === 'chosen');
      const stdout = chosen && this.props.find(chosen, 'stdout-path');
      if (!stdout) {
        this.diagnostics.push(diagnostic(M.missingProperty, 'the hypervisor has no console: set `console = <&uart>;` in /hypervisor or `stdout-path` in /chosen', node.span));
        return undefined;
      }
      consoleSpan = this.props.spanOf(stdout);
      const written = (this.props.string(stdout) ?? '').split(':')[0]!;
      console = this.resolvePathOrAlias(written);
      if (console === undefined) {
        this.diagnostics.push(diagnostic(M.badReference, `/chosen stdout-path names '${written}', which is not a node or alias`, consoleSpan));
        return undefined;
      }
    }
    const hypervisor: Hypervisor = { region, console, consoleSpan, escapeKey: DEFAULT_ESCAPE_KEY, span: node.span };
    const escape = values['escape-key'];
    if (escape !== undefined) {
      const span = decoded.spans.get('escape-key')!.value;
      const key = parseEscapeKey(escape);
      if (key === undefined) {
        this.diagnostics.push(diagnostic(M.propertyType, `escape-key "${escape}" is not a key the console can use`, span, { help: `write ${ESCAPE_KEY_FORMS}` }));
        return undefined;
      }
      hypervisor.escapeKey = key;
      hypervisor.escapeKeySpan = span;
    }
    return hypervisor;
  }

  resolvePathOrAlias(written: string): string | undefined {
    if (written.startsWith('/')) return findNode(this.tree, written)?.path;
    const aliases = this.tree.root.children.find((c) => c.name === 'aliases');
    const alias = aliases && this.props.find(aliases, written);
    const target = alias ? this.props.string(alias) : undefined;
    return target ? findNode(this.tree, target)?.path : undefined;
  }

  /** The shared memory regions: `hvcc,shared-region` children of /hypervisor. */
  sharedRegions(): SharedRegion[] {
    const node = this.tree.root.children.find((c) => c.name === 'hypervisor');
    const regions: SharedRegion[] = [];
    for (const child of node?.children ?? []) {
      if (!this.compatible(child).includes('hvcc,shared-region')) continue;
      const decoded = this.decode(child, sharedRegionBinding, true);
      if (!decoded.values) {
        this.undecodedHostNodes.push(child.path);
        continue;
      }
      const region: SharedRegion = { path: child.path, name: child.name, size: decoded.values.size, sizeSpan: decoded.spans.get('size')!.value, span: child.span };
      if (decoded.values['host-address'] !== undefined) region.hostAddress = decoded.values['host-address'];
      regions.push(region);
    }
    return regions;
  }

  /** Children of /hypervisor a host driver serves: every one with a compatible but the shared regions. */
  hostNodes(): HostNode[] {
    const node = this.tree.root.children.find((c) => c.name === 'hypervisor');
    return (node?.children ?? []).flatMap((child) => {
      const compatible = this.compatible(child);
      const prop = this.props.find(child, 'compatible');
      if (!prop || compatible.length === 0 || compatible.includes('hvcc,shared-region')) return [];
      return [{ path: child.path, name: child.name, compatible, compatibleSpan: this.props.spanOf(prop), span: child.span }];
    });
  }

  /** The disks: `hvcc,virtio-disk` children of /hypervisor, on a transport of the board. */
  disks(board: Board): Disk[] {
    const node = this.tree.root.children.find((c) => c.name === 'hypervisor');
    const disks: Disk[] = [];
    for (const child of node?.children ?? []) {
      if (!this.compatible(child).includes('hvcc,virtio-disk')) continue;
      const decoded = this.decode(child, virtioDiskBinding, true);
      if (!decoded.values) {
        this.undecodedHostNodes.push(child.path);
        continue;
      }
      const deviceSpan = decoded.spans.get('device')!.value;
      const transport = board.devices.find((d) => d.path === decoded.values!.device);
      if (!transport || !transport.compatible.includes('virtio,mmio')) {
        this.diagnostics.push(diagnostic(M.badReference, `${child.path}: 'device' refers to ${decoded.values.device}, which is not a virtio-mmio transport of the board (compatible = "virtio,mmio")`, deviceSpan));
        this.undecodedHostNodes.push(child.path);
        continue;
      }
      disks.push({ path: child.path, name: child.name, device: transport.path, deviceSpan, size: decoded.values.size, sizeSpan: decoded.spans.get('size')!.value, span: child.span });
    }
    return disks;
  }

  /** The networks: `hvcc,network` children of /hypervisor, with their uplink transport. */
  networks(board: Board): Network[] {
    const node = this.tree.root.children.find((c) => c.name === 'hypervisor');
    const networks: Network[] = [];
    for (const child of node?.children ?? []) {
      if (!this.compatible(child).includes('hvcc,network')) continue;
      const decoded = this.decode(child, networkBinding, true);
      if (!decoded.values) {
        this.undecodedHostNodes.push(child.path);
        continue;
      }
      const network: Network = { path: child.path, name: child.name, span: child.span };
      const uplink = decoded.values.uplink;
      if (uplink !== undefined) {
        const span = decoded.spans.get('uplink')!.value;
        const transport = board.devices.find((d) => d.path === uplink);
        if (!transport || !transport.compatible.includes('virtio,mmio')) {
          this.diagnostics.push(diagnostic(M.badReference, `${child.path}: 'uplink' refers to ${uplink}, which is not a virtio-mmio transport of the board (compatible = "virtio,mmio")`, span));
          this.undecodedHostNodes.push(child.path);
          continue;
        }
        network.uplink = transport.path;
        network.uplinkSpan = span;
      }
      networks.push(network);
    }
    return networks;
  }

  /** A guest's `hvcc,shared-memory` window. */
  sharedWindow(node: DtNode): SharedWindow | undefined {
    const decoded = this.decode(node, sharedWindowBinding, true);
    if (!decoded.values) return undefined;
    const v = decoded.values;
    const target = findNode(this.tree, v['memory-region']);
    const regionSpan = decoded.spans.get('memory-region')!.value;
    if (!target || !this.compatible(target).includes('hvcc,shared-region')) {
      this.diagnostics.push(
        diagnostic(M.badReference, `${node.path}: 'memory-region' refers to ${v['memory-region']}, which is not a shared region (compatible = "hvcc,shared-region" under /hypervisor)`, regionSpan),
      );
      return undefined;
    }
    const reg = v.reg[0]!;
    const regSpans = decoded.spans.get('reg')!;
    if (v.reg.length > 1) this.diagnostics.push(diagnostic(M.propertyValue, `${node.path}: 'reg' must be one range (the window on the region)`, regSpans.items[1] ?? regSpans.value));
    return { path: node.path, region: target.path, regionSpan, ipa: reg.base, size: reg.size, readOnly: v['read-only'] === true, span: regSpans.items[0] ?? regSpans.value };
  }

  /** Guest nodes under /guests, read or not. */
  declaredGuests(): number {
    const container = this.tree.root.children.find((c) => c.name === 'guests');
    return container ? container.children.filter((n) => this.compatible(n).includes('hvcc,guest')).length : 0;
  }

  guests(board: Board): Guest[] {
    const container = this.tree.root.children.find((c) => c.name === 'guests');
    if (!container) return [];
    const guests: Guest[] = [];
    for (const node of container.children) {
      if (!this.compatible(node).includes('hvcc,guest')) {
        const prop = this.props.find(node, 'compatible');
        const suggestion = this.compatible(node).map((c) => closest(c, [GUEST_COMPATIBLE])).find((x) => x !== undefined);
        this.diagnostics.push(
          diagnostic(
            M.unknownGuestNode,
            prop ? `${node.path} is not a guest: its compatible is ${this.compatible(node).map((c) => `"${c}"`).join(', ')}, not "hvcc,guest"` : `${node.path} is not a guest: it has no compatible`,
            prop ? this.props.spanOf(prop) : node.span,
            suggestion ? { help: `did you mean "${suggestion}"?` } : { help: 'only guests (compatible = "hvcc,guest") belong under /guests' },
          ),
        );
        continue;
      }
      const guest = this.guest(node, board);
      if (guest) guests.push(guest);
    }
    return guests;
  }

  /**
   * A guest's vCPUs from `cpus`, `vcpus`, `priority` and `time-slice-us`. Without `vcpus` each entry of `cpus`
   * is a vCPU pinned to it (static partitioning); with it, every vCPU may run on any of them. Entries that are
   * not CPUs stay with their vCPU as strays, for the vcpu-affinity check to report where they are written.
   */
  vcpus(node: DtNode, board: Board, v: GuestProperties, spans: Map<string, PropertySpans>): GuestVcpu[] {
    const cpuSpans = spans.get('cpus')!;
    const entries = v.cpus.map((path, i) => ({ path, cpu: board.cpus.find((c) => c.path === path)?.index, span: cpuSpans.items[i] ?? cpuSpans.value }));
    const strays = (list: typeof entries) => list.filter((e) => e.cpu === undefined).map((e) => ({ path: e.path, span: e.span }));
    const placed: Pick<GuestVcpu, 'affinity' | 'strays' | 'span'>[] =
      v.vcpus === undefined
        ? entries.map((e) => ({ affinity: e.cpu === undefined ? [] : [e.cpu], strays: strays([e]), span: e.span }))
        : Array.from({ length: v.vcpus }, () => ({ affinity: [...new Set(entries.flatMap((e) => (e.cpu === undefined ? [] : [e.cpu])))], strays: strays(entries), span: cpuSpans.value }));
    // One value for every vCPU, or one per vCPU.
    const perVcpu = (name: 'priority' | 'time-slice-us', fallback: number): { value: number; span?: Span }[] => {
      const values = v[name];
      const at = spans.get(name);
      if (values === undefined || !at) return placed.map(() => ({ value: fallback }));
      if (values.length !== 1 && values.length !== placed.length) {
        this.diagnostics.push(
          diagnostic(M.propertyValue, `${node.path}: '${name}' has ${values.length} values for ${placed.length} vCPU(s)`, at.value, { help: 'give one value for every vCPU, or one per vCPU' }),
        );
        return placed.map(() => ({ value: fallback }));
      }
      return placed.map((_, i) => (values.length === 1 ? { value: values[0]!, span: at.items[0] ?? at.value } : { value: values[i]!, span: at.items[i] ?? at.value }));
    };
    const priorities = perVcpu('priority', SCHEDULING.priority.default);
    const slices = perVcpu('time-slice-us', SCHEDULING.timeSliceUs.default);
    return placed.map((p, i) => {
      const vcpu: GuestVcpu = { ...p, priority: priorities[i]!.value, timeSliceUs: slices[i]!.value };
      if (priorities[i]!.span) vcpu.prioritySpan = priorities[i]!.span;
      if (slices[i]!.span) vcpu.timeSliceSpan = slices[i]!.span;
      return vcpu;
    });
  }

  guest(node: DtNode, board: Board): Guest | undefined {
    const decoded = this.decode(node, guestBinding, true);
    const memory: GuestMemory[] = [];
    const devices: GuestDevice[] = [];
    const undecoded: string[] = [];
    const shared: SharedWindow[] = [];
    for (const child of node.children) {
      if (this.deviceType(child) === 'memory') {
        const mem = this.decode(child, guestMemoryBinding, true);
        if (!mem.values) {
          undecoded.push(child.path);
          continue;
        }
        const host = mem.values['host-address'];
        const ranges = this.ranges(mem.values.reg, mem.spans.get('reg'), child.span);
        let offset = 0n;
        for (const r of ranges) {
          const m: GuestMemory = { ipa: r.base, size: r.size, span: r.span };
          // A host address pins the first range; the others follow it contiguously.
          if (host !== undefined) {
            m.hostAddress = host + offset;
            const at = mem.spans.get('host-address')?.value;
            if (at) m.hostAddressSpan = at;
          }
          offset += r.size;
          memory.push(m);
        }
        continue;
      }
      const compatible = this.compatible(child);
      const compatProp = this.props.find(child, 'compatible');
      // A window on shared memory is mapped, not emulated.
      if (compatible.includes('hvcc,shared-memory')) {
        const window = this.sharedWindow(child);
        if (window) shared.push(window);
        continue;
      }
      // Only nodes with an MMIO window are emulated; the rest (clocks, ...) only describe, in the guest's tree.
      if (!compatProp || !this.props.find(child, 'reg')) continue;
      // A device without a binding has no emulator either: the plan reports it (HV4006).
      const binding = this.bindings.forCompatible('guest-device', compatible);
      const dev = binding ? this.decode(child, binding, true) : undefined;
      if (binding && !dev?.values) {
        undecoded.push(child.path);
        continue;
      }
      const values = (dev?.values ?? {}) as { reg?: { base: bigint; size: bigint }[] };
      // A guest's devices are wired to its own interrupt controller unless a node says otherwise.
      const interrupts = this.interrupts(child, 'guest-device', node, firstInterruptController(node));
      const device: GuestDevice = {
        path: child.path,
        name: child.fullName,
        compatible,
        reg: values.reg ? this.ranges(values.reg, dev!.spans.get('reg'), child.span) : this.props.find(child, 'reg') ? this.plainReg(child) : [],
        interrupts: interrupts.interrupts,
        properties: { ...(dev?.values ?? {}) },
        propertySpans: Object.fromEntries([...(dev?.spans ?? new Map())].map(([name, sp]) => [name, { value: sp.value, items: sp.items }])),
        hostOnly: binding ? hostOnlyProperties(binding) : [],
        span: child.span,
        compatibleSpan: this.props.spanOf(compatProp),
      };
      if (interrupts.span) device.interruptsSpan = interrupts.span;
      devices.push(device);
    }
    if (!decoded.values) return undefined;
    const v = decoded.values;
    const cpuSpans = decoded.spans.get('cpus')!;
    const vcpus = this.vcpus(node, board, v, decoded.spans);
    const imageSpans = decoded.spans.get('image')!;
    const guest: Guest = {
      name: node.name,
      path: node.path,
      node,
      vcpus,
      memory,
      image: { path: resolve(dirname(imageSpans.name.file), v.image), written: v.image, span: imageSpans.value },
      devices,
      undecoded,
      shared,
      passthrough: (v.passthrough ?? []).map((device, i) => ({ device, span: decoded.spans.get('passthrough')!.items[i]! })),
      autostart: v['no-autostart'] === undefined,
      span: node.span,
      cpusSpan: cpuSpans.value,
    };
    if (v.vcpus !== undefined) guest.vcpusSpan = decoded.spans.get('vcpus')!.value;
    if (v['load-address'] !== undefined) guest.image.loadAddress = v['load-address'];
    if (v.initrd !== undefined) {
      const spans = decoded.spans.get('initrd')!;
      guest.initrd = { path: resolve(dirname(spans.name.file), v.initrd), written: v.initrd, span: spans.value };
    }
    if (v.bootargs !== undefined) guest.bootargs = v.bootargs;
    if (v.entry !== undefined) {
      guest.entry = v.entry;
      guest.entrySpan = decoded.spans.get('entry')!.value;
    }
    return guest;
  }
}

function nodeByPhandle(tree: DtTree, phandle: bigint): DtNode | undefined {
  if (phandle === 0n || phandle >= 0xffff_ffffn) return undefined;
  const walk = (n: DtNode): DtNode | undefined => {
    if (n.phandle !== undefined && BigInt(n.phandle) === phandle) return n;
    for (const c of n.children) {
      const r = walk(c);
      if (r) return r;
    }
    return undefined;
  };
  return walk(tree.root);
}

/** The system's name: /hypervisor's `system-name`, else the file's base name (its folder's for `system.dts`). */
function systemName(tree: DtTree, file: string, props: PropertyReader): string {
  const hv = tree.root.children.find((c) => c.name === 'hypervisor');
  const named = hv && props.find(hv, 'system-name');
  const chunk = named?.chunks[0];
  if (chunk?.kind === 'string' && chunk.value) return chunk.value;
  const base = basename(file, extname(file));
  return base === 'system' ? basename(dirname(resolve(file))) : base;
}

/**
 * Builds the typed model (board, hypervisor, guests) from an evaluated device tree, decoding every node
 * hvcc uses through its binding (hvcc's own in schemas/bindings/, the devices' from their components). Carries on past errors so one run reports them all.
 */
export function buildModel(tree: DtTree, file: string, bindings: BindingSet): { system?: System; diagnostics: Diagnostic[] } {
  const builder = new ModelBuilder(tree, file, bindings);
  const board = builder.board();
  if (!board) return { diagnostics: builder.diagnostics };
  const hypervisor = builder.hypervisor();
  const guests = builder.guests(board);
  if (!hypervisor) return { diagnostics: builder.diagnostics };
  return {
    system: {
      name: systemName(tree, file, builder.props),
      file: resolve(file),
      tree,
      board,
      hypervisor,
      sharedRegions: builder.sharedRegions(),
      hostNodes: builder.hostNodes(),
      disks: builder.disks(board),
      networks: builder.networks(board),
      undecodedHostNodes: builder.undecodedHostNodes,
      guests,
      declaredGuests: builder.declaredGuests(),
    },
    diagnostics: builder.diagnostics,
  };
}
