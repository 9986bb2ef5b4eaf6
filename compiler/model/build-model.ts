import { basename, dirname, extname, resolve } from 'node:path';
import type { AddressRange, Board, BoardCpu, BoardDevice, Guest, GuestDevice, GuestMemory, Hypervisor, System } from '../../schemas/model.js';
import type { DtNode, DtTree } from '../dts/tree.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { closest } from '../diagnostics/suggest.js';
import { modelMessages as M } from './messages.js';
import { findNode, resolvePhandle } from '../dts/values.js';
import { childCells, PropertyReader } from './props.js';

/** Node names at the root that are not devices of the board. */
const NOT_DEVICES = new Set(['cpus', 'chosen', 'aliases', 'hypervisor', 'guests', '__symbols__', '__fixups__', '__local_fixups__', 'reserved-memory']);

/** Properties each hvcc node may have: anything else is probably a typo. */
const GUEST_PROPERTIES = ['compatible', 'cpus', 'image', 'load-address', 'entry', '#address-cells', '#size-cells', 'phandle', 'status', 'bootargs'];
const HYPERVISOR_PROPERTIES = ['compatible', 'reg', 'console', 'system-name', 'phandle'];
const GUEST_MEMORY_PROPERTIES = ['device_type', 'reg', 'host-address', 'phandle'];

class ModelBuilder {
  readonly diagnostics: Diagnostic[] = [];
  readonly props = new PropertyReader(this.diagnostics);

  constructor(
    readonly tree: DtTree,
    readonly file: string,
  ) {}

  compatible(node: DtNode): string[] {
    const p = this.props.find(node, 'compatible');
    return p ? (this.props.strings(p) ?? []) : [];
  }

  status(node: DtNode): BoardDevice['status'] {
    const p = this.props.find(node, 'status');
    const s = p ? this.props.string(p) : undefined;
    if (s === undefined || s === 'ok' || s === 'okay') return 'okay';
    if (s === 'disabled' || s === 'reserved') return s;
    return s.startsWith('fail') ? 'fail' : 'okay';
  }

  /** Reads `reg` with the parent's cell sizes, translated through the parent buses' `ranges`. */
  reg(node: DtNode, required: boolean): AddressRange[] {
    const prop = this.props.find(node, 'reg');
    if (!prop) {
      if (required) this.props.missing(node, 'reg', 'address and size');
      return [];
    }
    const cells = childCells(node.parent ?? node);
    const tuples = this.props.tuples(prop, [cells.address, cells.size], "'reg'");
    if (!tuples) return [];
    const ranges: AddressRange[] = [];
    for (const t of tuples) {
      const [base, size] = t.values as [bigint, bigint];
      if (size === 0n) {
        this.diagnostics.push(diagnostic(M.propertyType, `${node.path}: a 'reg' entry has size 0`, t.span));
        continue;
      }
      ranges.push({ base: this.translate(node.parent, base), size, span: t.span });
    }
    return ranges;
  }

  /** Maps a child-bus address to the root's address space through each ancestor's `ranges`. */
  translate(bus: DtNode | undefined, address: bigint): bigint {
    let addr = address;
    for (let node = bus; node?.parent; node = node.parent) {
      const ranges = this.props.find(node, 'ranges');
      if (!ranges || this.props.isEmpty(ranges)) continue;
      const own = childCells(node);
      const up = childCells(node.parent);
      const entries = this.props.tuples(ranges, [own.address, up.address, own.size], "'ranges'") ?? [];
      const hit = entries.find((e) => addr >= e.values[0]! && addr < e.values[0]! + e.values[2]!);
      if (hit) addr = addr - hit.values[0]! + hit.values[1]!;
    }
    return addr;
  }

  phandleTarget(node: DtNode, propName: string, value: bigint, span: AddressRange['span']): DtNode | undefined {
    const target = value > 0n && value < 0xffffffffn ? resolvePhandle(this.tree, Number(value)) : undefined;
    if (!target) this.diagnostics.push(diagnostic(M.badReference, `${node.path}: '${propName}' refers to phandle ${value}, which no node has`, span));
    return target;
  }

  clockHz(node: DtNode): bigint | undefined {
    const direct = this.props.find(node, 'clock-frequency');
    if (direct) return this.props.number(direct);
    const clocks = this.props.find(node, 'clocks');
    const first = clocks ? this.props.cells(clocks)?.[0] : undefined;
    if (!first) return undefined;
    const clock = this.phandleTarget(node, 'clocks', first.value, first.span);
    const freq = clock ? this.props.find(clock, 'clock-frequency') : undefined;
    return freq ? this.props.number(freq) : undefined;
  }

  interrupts(node: DtNode): number[] {
    const p = this.props.find(node, 'interrupts');
    return p ? (this.props.cells(p) ?? []).map((c) => Number(c.value)) : [];
  }

  board(): Board | undefined {
    const root = this.tree.root;
    const modelProp = this.props.find(root, 'model');
    const cpusNode = root.children.find((c) => c.name === 'cpus');
    if (!cpusNode) {
      this.diagnostics.push(diagnostic(M.missingNode, 'the board has no /cpus node', root.span));
      return undefined;
    }
    const cpuCells = childCells(cpusNode);
    const cpus: BoardCpu[] = [];
    for (const node of cpusNode.children) {
      const deviceType = this.props.find(node, 'device_type');
      if (node.name !== 'cpu' && (!deviceType || this.props.string(deviceType) !== 'cpu')) continue;
      const regProp = this.props.find(node, 'reg');
      if (!regProp) {
        this.props.missing(node, 'reg', "the CPU's MPIDR affinity");
        continue;
      }
      const reg = this.props.tuples(regProp, [cpuCells.address], "'reg'");
      const method = this.props.find(node, 'enable-method');
      const cpu: BoardCpu = { index: cpus.length, path: node.path, mpidr: reg?.[0]?.values[0] ?? 0n, compatible: this.compatible(node), span: node.span };
      const enableMethod = method ? this.props.string(method) : undefined;
      if (enableMethod) cpu.enableMethod = enableMethod;
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
        const deviceType = this.props.find(child, 'device_type');
        if (deviceType && this.props.string(deviceType) === 'memory') {
          memory.push(...this.reg(child, true));
          continue;
        }
        const compatible = this.compatible(child);
        if (compatible.length > 0) {
          const device: BoardDevice = {
            path: child.path,
            name: child.fullName,
            labels: child.labels,
            compatible,
            reg: this.reg(child, false),
            interrupts: this.interrupts(child),
            status: this.status(child),
            span: child.span,
          };
          const clockHz = this.clockHz(child);
          if (clockHz !== undefined) device.clockHz = clockHz;
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
    const board: Board = {
      model: (modelProp && this.props.string(modelProp)) || basename(this.file),
      compatible: this.compatible(root),
      cpus,
      memory,
      devices,
      span: root.span,
    };
    const parent = this.props.find(root, 'interrupt-parent');
    const parentCell = parent ? this.props.cells(parent)?.[0] : undefined;
    if (parentCell) {
      const controller = this.phandleTarget(root, 'interrupt-parent', parentCell.value, parentCell.span);
      if (controller) board.interruptController = controller.path;
    }
    const psci = devices.find((d) => d.compatible.some((c) => c.startsWith('arm,psci')));
    if (psci) {
      const node = findNode(this.tree, psci.path)!;
      const method = this.props.find(node, 'method');
      const m = method ? this.props.string(method) : undefined;
      if (m === 'smc' || m === 'hvc') board.psciMethod = m;
    }
    return board;
  }

  warnUnknownProperties(node: DtNode, allowed: readonly string[]): void {
    for (const p of node.properties) {
      if (allowed.includes(p.name)) continue;
      const suggestion = allowed.find((a) => a.replace(/[-_]/g, '') === p.name.replace(/[-_]/g, '')) ?? closest(p.name, allowed);
      this.diagnostics.push(
        diagnostic(M.unknownProperty, `${node.path}: unknown property '${p.name}'`, p.span, suggestion ? { help: `did you mean '${suggestion}'?` } : { notes: [`known properties: ${allowed.join(', ')}`] }),
      );
    }
  }

  hypervisor(board: Board): Hypervisor | undefined {
    const root = this.tree.root;
    const node = root.children.find((c) => c.name === 'hypervisor');
    if (!node) {
      this.diagnostics.push(diagnostic(M.missingNode, 'the system has no /hypervisor node', root.span, { help: 'add `hypervisor { compatible = "hvcc,hypervisor"; reg = <...>; };` at the root' }));
      return undefined;
    }
    this.warnUnknownProperties(node, HYPERVISOR_PROPERTIES);
    const region = this.reg(node, true)[0];
    let console: string | undefined;
    let consoleSpan = node.span;
    const consoleProp = this.props.find(node, 'console');
    if (consoleProp) {
      const cell = this.props.cells(consoleProp)?.[0];
      consoleSpan = this.props.spanOf(consoleProp);
      const target = cell ? this.phandleTarget(node, 'console', cell.value, cell.span) : undefined;
      console = target?.path;
    } else {
      const chosen = root.children.find((c) => c.name === 'chosen');
      const stdout = chosen && this.props.find(chosen, 'stdout-path');
      if (stdout) {
        consoleSpan = this.props.spanOf(stdout);
        const written = (this.props.string(stdout) ?? '').split(':')[0]!;
        console = this.resolvePathOrAlias(written);
        if (console === undefined) {
          this.diagnostics.push(diagnostic(M.badReference, `/chosen stdout-path names '${written}', which is not a node or alias`, consoleSpan));
        }
      } else {
        this.diagnostics.push(
          diagnostic(M.missingProperty, 'the hypervisor has no console: set `console = <&uart>;` in /hypervisor or `stdout-path` in /chosen', node.span),
        );
      }
    }
    if (!region || console === undefined) return undefined;
    void board;
    return { region, console, consoleSpan, span: node.span };
  }

  resolvePathOrAlias(written: string): string | undefined {
    if (written.startsWith('/')) return findNode(this.tree, written)?.path;
    const aliases = this.tree.root.children.find((c) => c.name === 'aliases');
    const alias = aliases && this.props.find(aliases, written);
    const target = alias ? this.props.string(alias) : undefined;
    return target ? findNode(this.tree, target)?.path : undefined;
  }

  guests(board: Board): Guest[] {
    const container = this.tree.root.children.find((c) => c.name === 'guests');
    if (!container) return [];
    const guests: Guest[] = [];
    for (const node of container.children) {
      if (!this.compatible(node).includes('hvcc,guest')) {
        this.diagnostics.push(diagnostic(M.unknownGuestNode, `${node.path} is not a guest (compatible is not "hvcc,guest"); it is ignored`, node.span));
        continue;
      }
      const guest = this.guest(node, board);
      if (guest) guests.push(guest);
    }
    return guests;
  }

  guest(node: DtNode, board: Board): Guest | undefined {
    this.warnUnknownProperties(node, GUEST_PROPERTIES);
    const cells = childCells(node);
    const cpusProp = this.props.find(node, 'cpus');
    const imageProp = this.props.find(node, 'image');
    if (!cpusProp) return this.props.missing(node, 'cpus', 'the physical CPUs its vCPUs run on, e.g. <&cpu0>');
    if (!imageProp) return this.props.missing(node, 'image', 'the path of the guest image');
    const vcpus = (this.props.cells(cpusProp) ?? []).flatMap((cell) => {
      const target = this.phandleTarget(node, 'cpus', cell.value, cell.span);
      if (!target) return [];
      const cpu = board.cpus.find((c) => c.path === target.path);
      if (!cpu) {
        this.diagnostics.push(diagnostic(M.badReference, `${node.path}: 'cpus' refers to ${target.path}, which is not a CPU of the board`, cell.span));
        return [];
      }
      return [{ pcpu: cpu.index, span: cell.span }];
    });
    const written = this.props.string(imageProp);
    if (written === undefined) return undefined;
    const memory: GuestMemory[] = [];
    const devices: GuestDevice[] = [];
    for (const child of node.children) {
      const deviceType = this.props.find(child, 'device_type');
      if (deviceType && this.props.string(deviceType) === 'memory') {
        this.warnUnknownProperties(child, GUEST_MEMORY_PROPERTIES);
        const hostProp = this.props.find(child, 'host-address');
        const host = hostProp ? this.props.number(hostProp) : undefined;
        const regProp = this.props.find(child, 'reg');
        if (!regProp) {
          this.props.missing(child, 'reg', 'guest-physical address and size');
          continue;
        }
        const tuples = this.props.tuples(regProp, [cells.address, cells.size], "'reg'") ?? [];
        tuples.forEach((t, i) => {
          const m: GuestMemory = { ipa: t.values[0]!, size: t.values[1]!, span: t.span };
          // A host address pins the first range; the others follow it contiguously.
          if (host !== undefined) m.hostAddress = host + tuples.slice(0, i).reduce((a, p) => a + p.values[1]!, 0n);
          if (m.size > 0n) memory.push(m);
        });
        continue;
      }
      const compatProp = this.props.find(child, 'compatible');
      if (!compatProp) continue;
      const device: GuestDevice = {
        path: child.path,
        name: child.fullName,
        compatible: this.compatible(child),
        reg: this.reg(child, true),
        interrupts: this.interrupts(child),
        span: child.span,
        compatibleSpan: this.props.spanOf(compatProp),
      };
      const clock = this.props.find(child, 'clock-frequency');
      const hz = clock ? this.props.number(clock) : undefined;
      if (hz !== undefined) device.clockHz = hz;
      devices.push(device);
    }
    const guest: Guest = {
      name: node.fullName,
      path: node.path,
      vcpus,
      memory,
      image: { path: resolve(dirname(imageProp.span.file), written), written, span: this.props.spanOf(imageProp) },
      devices,
      span: node.span,
      cpusSpan: this.props.spanOf(cpusProp),
    };
    const load = this.props.find(node, 'load-address');
    if (load) {
      const v = this.props.number(load);
      if (v !== undefined) guest.image.loadAddress = v;
    }
    const entry = this.props.find(node, 'entry');
    if (entry) {
      const v = this.props.number(entry);
      if (v !== undefined) guest.entry = v;
    }
    return guest;
  }
}

/** The system's name: /hypervisor's `system-name`, else the file's base name (its folder's for `system.dts`). */
function systemName(tree: DtTree, file: string, props: PropertyReader): string {
  const hv = tree.root.children.find((c) => c.name === 'hypervisor');
  const named = hv && props.find(hv, 'system-name');
  const explicit = named && props.string(named);
  if (explicit) return explicit;
  const base = basename(file, extname(file));
  return base === 'system' ? basename(dirname(resolve(file))) : base;
}

/** Builds the typed model (board, hypervisor, guests) from an evaluated device tree. */
export function buildModel(tree: DtTree, file: string): { system?: System; diagnostics: Diagnostic[] } {
  const builder = new ModelBuilder(tree, file);
  const board = builder.board();
  if (!board) return { diagnostics: builder.diagnostics };
  const hypervisor = builder.hypervisor(board);
  const guests = builder.guests(board);
  if (!hypervisor) return { diagnostics: builder.diagnostics };
  return { system: { name: systemName(tree, file, builder.props), file: resolve(file), board, hypervisor, guests }, diagnostics: builder.diagnostics };
}
