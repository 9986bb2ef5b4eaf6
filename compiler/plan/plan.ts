import type { Interrupt, System } from '../../schemas/model.js';
import type { ArchBackend } from '../arch/backend.js';
import { archBackend, archBackends } from '../arch/index.js';
import type { Span } from '../diagnostics/span.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { closest } from '../diagnostics/suggest.js';
import { findNode } from '../dts/values.js';
import type { Component, ComponentCatalogue } from '../components/catalogue.js';
import { componentMessages as M } from '../components/messages.js';
import { readParameters, type ParameterValue } from '../components/parameters.js';
import { provider } from '../components/providers.js';
import type { CheckContext } from '../checks/check.js';
import { sharedCpus, vcpuName } from '../model/cpu-sharing.js';
import { append } from '../util/arrays.js';

/** Why a component is in the image: the description node (or rule) that needed it. */
export interface PlanReason {
  why: string;
  /** Device-tree path of the node that needed it, when a node did. */
  node?: string;
  span?: Span;
}

export interface PlannedComponent {
  component: Component;
  reasons: PlanReason[];
}

/** One device a component serves: a guest device for an emulator, the console for a driver. */
export interface PlannedInstance {
  component: Component;
  params: ParameterValue[];
}

export interface Plan {
  arch: Component;
  backend: ArchBackend;
  console: PlannedInstance;
  /** The host driver of the board's interrupt controller, when a component needed one (a virtual interrupt controller's `needs`). */
  irqchipDriver?: Component;
  /** The vCPU scheduler, when some CPU may run more than one vCPU. */
  scheduler?: Component;
  /** The emulator instance of each guest device, keyed by `${guestIndex}:${devicePath}`. */
  emulators: ReadonlyMap<string, PlannedInstance>;
  /** Instances the hypervisor runs itself (disks, networks: nodes under /hypervisor), in source order. */
  hosts?: (PlannedInstance & { path: string })[];
  /** Every component linked in, in a stable order (core and arch first), with why. */
  components: PlannedComponent[];
}

/** Answers whether a Kconfig symbol (without CONFIG_) is enabled; components without a symbol are always on. */
export type SymbolEnabled = (symbol: string) => boolean;

export function emulatorKey(guestIndex: number, devicePath: string): string {
  return `${guestIndex}:${devicePath}`;
}

/**
 * The architecture port serving the board's boot CPU, and the compiler backend for its architecture. The
 * rest of the pipeline asks the backend whatever is architecture-specific.
 */
export function selectArch(system: System, catalogue: ComponentCatalogue): { arch?: Component; backend?: ArchBackend; diagnostics: Diagnostic[] } {
  const cpu = system.board.cpus[0]!;
  const arch = catalogue.components.find((c) => c.manifest.kind === 'arch' && cpu.compatible.some((cc) => c.manifest.compatible.includes(cc)));
  if (!arch) {
    const known = catalogue.components.filter((c) => c.manifest.kind === 'arch').flatMap((c) => c.manifest.compatible);
    return {
      diagnostics: [
        diagnostic(M.noArch, `no architecture port supports CPUs compatible with ${cpu.compatible.map((c) => `"${c}"`).join(', ') || '(none)'}`, cpu.span, {
          notes: [`supported CPUs: ${known.join(', ')}`],
        }),
      ],
    };
  }
  const name = arch.manifest.arch[0] ?? arch.manifest.name;
  const backend = archBackend(name);
  if (!backend) {
    return {
      diagnostics: [
        diagnostic(M.noArch, `the architecture port '${arch.manifest.name}' is for '${name}', which the compiler has no backend for`, cpu.span, {
          notes: [`compiler backends: ${archBackends.map((b) => b.name).join(', ')}`, `the port is ${arch.manifestPath}`],
        }),
      ],
    };
  }
  return { arch, backend, diagnostics: [] };
}

/** The component providing vCPU scheduling, if any, and whether this architecture's port has the hooks it needs. */
export function schedulerComponent(catalogue: ComponentCatalogue, arch: string): Component | undefined {
  const port = catalogue.components.find((c) => c.manifest.kind === 'arch' && (c.manifest.arch[0] ?? c.manifest.name) === arch);
  if (!port?.manifest['arch-services'].includes('scheduler')) return undefined;
  return catalogue.components.find((c) => c.manifest.kind === 'service' && c.manifest.service === 'scheduler' && (c.manifest.arch.length === 0 || c.manifest.arch.includes(arch)));
}

/** The host driver of the board's interrupt controller, if the board has one and a driver serves it. */
function irqchipProvider(system: System, catalogue: ComponentCatalogue, arch: string): Component | undefined {
  const device = system.board.devices.find((d) => d.path === system.board.interruptController);
  return device ? provider(catalogue, 'driver', device.compatible, arch) : undefined;
}

/**
 * Whether the image could share a CPU between vCPUs, and in the cpu-shared check's words why not: it needs the
 * scheduler component, enabled, and (for one that preempts with a timer interrupt) the driver of the board's
 * interrupt controller, enabled.
 */
export function schedulerAvailability(system: System, catalogue: ComponentCatalogue, arch: string, enabled: SymbolEnabled): CheckContext['scheduler'] {
  const scheduler = schedulerComponent(catalogue, arch);
  const alone = 'or give each vCPU a CPU of its own';
  const only = 'give each vCPU a CPU of its own';
  if (!scheduler) {
    const port = catalogue.components.find((c) => c.manifest.kind === 'arch' && (c.manifest.arch[0] ?? c.manifest.name) === arch);
    if (port && !port.manifest['arch-services'].includes('scheduler')) {
      return { available: false, why: `the ${arch} port cannot switch vCPUs (its manifest's "arch-services" has no "scheduler")`, help: only };
    }
    return { available: false, why: `no runtime component provides one for ${arch}`, help: `add a component with "service": "scheduler", ${alone}` };
  }
  const symbol = scheduler.manifest.kconfig;
  if (symbol && !enabled(symbol)) return { available: false, why: `CONFIG_${symbol} is not set`, help: `enable ${symbol} (\`hvcc config\`, or CONFIG_${symbol}=y in the configuration), ${alone}` };
  if (scheduler.manifest['needs-irqchip']) {
    const driver = irqchipProvider(system, catalogue, arch);
    if (!driver) return { available: false, why: 'the board has no interrupt controller the hypervisor drives, and the scheduler preempts guests with its timer interrupt', help: only };
    const driverSymbol = driver.manifest.kconfig;
    if (driverSymbol && !enabled(driverSymbol)) {
      return { available: false, why: `the scheduler preempts guests through the interrupt controller's driver, and CONFIG_${driverSymbol} is not set`, help: `enable ${driverSymbol}, ${alone}` };
    }
  }
  return { available: true };
}

/**
 * Decides which runtime components the description needs, and why, and reads each instance's parameters.
 * Only these are compiled and linked, so a system with no emulated UART carries no UART emulator code.
 */
export function planSystem(system: System, catalogue: ComponentCatalogue, selected: { arch: Component; backend: ArchBackend }, enabled: SymbolEnabled): { plan?: Plan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const chosen = new Map<string, PlannedComponent>();
  const need = (component: Component, reason: PlanReason, kconfigSpan?: Span) => {
    const symbol = component.manifest.kconfig;
    if (symbol && !enabled(symbol)) {
      diagnostics.push(
        diagnostic(M.componentDisabled, `${reason.why} needs component '${component.manifest.name}', but CONFIG_${symbol} is not set`, kconfigSpan ?? reason.span, {
          help: `enable ${symbol} (e.g. \`hvcc config\`, or CONFIG_${symbol}=y in the configuration)`,
          notes: component.kconfigPath ? [`${symbol} is declared in ${component.kconfigPath}`] : [],
        }),
      );
      return;
    }
    const entry = chosen.get(component.manifest.name);
    if (entry) entry.reasons.push(reason);
    else chosen.set(component.manifest.name, { component, reasons: [reason] });
  };
  const instance = (component: Component, path: string, interrupts: readonly Interrupt[]): PlannedInstance => {
    const node = findNode(system.tree, path);
    if (!node) return { component, params: [] };
    const read = readParameters(system.tree, node, component, interrupts);
    append(diagnostics, read.diagnostics);
    return { component, params: read.values };
  };

  const { arch, backend } = selected;
  const board = system.board;
  for (const core of catalogue.components.filter((c) => c.manifest.kind === 'core')) need(core, { why: 'the hypervisor core' });
  need(arch, { why: `CPU ${board.cpus[0]!.path} (${board.cpus[0]!.compatible[0]})`, node: board.cpus[0]!.path, span: board.cpus[0]!.span });

  const consoleDevice = board.devices.find((d) => d.path === system.hypervisor.console);
  let console: PlannedInstance | undefined;
  if (consoleDevice) {
    const driver = provider(catalogue, 'driver', consoleDevice.compatible, backend.name);
    if (driver) {
      need(driver, { why: `hypervisor console ${consoleDevice.path}`, node: consoleDevice.path, span: system.hypervisor.consoleSpan });
      console = instance(driver, consoleDevice.path, consoleDevice.interrupts);
    } else {
      const known = catalogue.components.filter((c) => c.manifest.kind === 'driver').flatMap((c) => c.manifest.compatible);
      diagnostics.push(
        diagnostic(M.noConsoleDriver, `no host driver for the console device ${consoleDevice.path} (compatible ${consoleDevice.compatible.map((c) => `"${c}"`).join(', ')})`, system.hypervisor.consoleSpan, {
          related: [{ span: consoleDevice.span, message: 'the console device' }],
          notes: [`host drivers exist for: ${known.join(', ')}`],
        }),
      );
    }
  }

  const emulators = new Map<string, PlannedInstance>();
  system.guests.forEach((guest, gi) => {
    for (const device of guest.devices) {
      const emulator = provider(catalogue, 'emulator', device.compatible, backend.name);
      if (!emulator) {
        const known = catalogue.components.filter((c) => c.manifest.kind === 'emulator' && (c.manifest.arch.length === 0 || c.manifest.arch.includes(backend.name))).flatMap((c) => c.manifest.compatible);
        const suggestion = device.compatible.map((c) => closest(c, known)).find((s) => s !== undefined);
        const extras: { notes: string[]; help?: string } = { notes: [`emulators exist for: ${known.join(', ') || '(none)'}`] };
        if (suggestion) extras.help = `did you mean "${suggestion}"?`;
        // A generic string alone ("virtio,mmio") names a transport, not a device: say which devices it carries.
        const generic = device.compatible.find((c) => catalogue.components.some((e) => e.manifest.kind === 'emulator' && e.manifest['generic-compatible'].includes(c)));
        if (generic) {
          const specific = catalogue.components.filter((e) => e.manifest.kind === 'emulator' && e.manifest['generic-compatible'].includes(generic)).flatMap((e) => e.manifest.compatible);
          extras.help = `"${generic}" alone does not say which device it is: list the device first, e.g. compatible = "${specific[0]}", "${generic}"; (devices: ${specific.map((c) => `"${c}"`).join(', ')})`;
        }
        diagnostics.push(
          diagnostic(M.noEmulator, `no device emulator for ${device.compatible.map((c) => `"${c}"`).join(', ')} (guest '${guest.name}', ${device.path})`, device.compatibleSpan, extras),
        );
        continue;
      }
      need(emulator, { why: `emulated device ${device.path} of guest '${guest.name}'`, node: device.path, span: device.span }, device.compatibleSpan);
      emulators.set(emulatorKey(gi, device.path), instance(emulator, device.path, device.interrupts));
    }
  });

  // Disks, networks: nodes under /hypervisor that a host driver serves, one instance each.
  const hosts: (PlannedInstance & { path: string })[] = [];
  for (const node of system.hostNodes) {
    const driver = provider(catalogue, 'driver', node.compatible, backend.name);
    if (!driver) {
      const known = catalogue.components.filter((c) => c.manifest.kind === 'driver').flatMap((c) => c.manifest.compatible);
      const guess = node.compatible[0] === undefined ? undefined : closest(node.compatible[0], known);
      diagnostics.push(
        diagnostic(M.noHostDriver, `no host driver for ${node.compatible.map((c) => `"${c}"`).join(', ')} (${node.path})`, node.compatibleSpan, {
          notes: [`host drivers exist for: ${known.join(', ')}`],
          ...(guess ? { help: `did you mean "${guess}"?` } : {}),
        }),
      );
      continue;
    }
    need(driver, { why: `${node.path}`, node: node.path, span: node.span }, node.compatibleSpan);
    hosts.push({ path: node.path, ...instance(driver, node.path, []) });
  }

  // Services no node asks for and no need selects: the configuration switches them on.
  for (const service of catalogue.components.filter((c) => c.manifest.kind === 'service' && !c.manifest.service)) {
    const fits = service.manifest.arch.length === 0 || service.manifest.arch.includes(backend.name);
    if (fits && (!service.manifest.kconfig || enabled(service.manifest.kconfig))) need(service, { why: service.manifest.kconfig ? `CONFIG_${service.manifest.kconfig}` : 'a service' });
  }

  // A CPU more than one vCPU may run on is time-shared by the scheduler; the cpu-shared check reports
  // (mandatory) when there is none to link.
  const shared = sharedCpus(system);
  const scheduler = schedulerComponent(catalogue, backend.name);
  if (shared.length > 0 && scheduler && schedulerAvailability(system, catalogue, backend.name, enabled).available) {
    for (const s of shared) {
      const cpu = board.cpus[s.cpu]!;
      need(scheduler, { why: `CPU ${cpu.path} may run ${s.vcpus.map(vcpuName).join(', ')}`, node: cpu.path, span: s.vcpus[1]!.vcpu.span });
    }
  }

  // Close over `needs` (manifests name their dependencies), and over `needs-irqchip`: the driver serving the
  // board's interrupt controller.
  const irqDevice = board.devices.find((d) => d.path === board.interruptController);
  const irqProvider = irqchipProvider(system, catalogue, backend.name);
  const queue = [...chosen.values()];
  while (queue.length > 0) {
    const item = queue.shift()!;
    const deps = item.component.manifest.needs.flatMap((n) => catalogue.byName.get(n) ?? []); // unknown names: reported by loadCatalogue
    if (item.component.manifest['needs-irqchip'] && irqProvider) deps.push(irqProvider);
    for (const dep of deps) {
      const before = chosen.has(dep.manifest.name);
      const byName = item.component.manifest.needs.includes(dep.manifest.name);
      need(dep, byName ? { why: `needed by component '${item.component.manifest.name}'` } : { why: `the board's interrupt controller, for component '${item.component.manifest.name}'`, node: irqDevice!.path, span: irqDevice!.span });
      if (!before && chosen.has(dep.manifest.name)) queue.push(chosen.get(dep.manifest.name)!);
    }
  }

  // A guest that does not start at boot needs someone to start it: the terminal's guest commands.
  const starter = catalogue.components.find((c) => c.manifest.kind === 'service' && c.manifest['starts-guests']);
  for (const guest of system.guests.filter((g) => !g.autostart)) {
    if (starter && chosen.has(starter.manifest.name)) continue;
    const symbol = starter?.manifest.kconfig;
    diagnostics.push(
      diagnostic(M.guestNeverStarts, `guest '${guest.name}' does not start at boot (no-autostart), and nothing in the image can start it`, guest.span, {
        ...(symbol ? { help: `enable CONFIG_${symbol} (the management terminal's guest commands), or drop no-autostart` } : { help: 'drop no-autostart' }),
      }),
    );
  }

  if (!console || diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const order = { core: 0, arch: 1, service: 2, driver: 3, emulator: 4 } as const;
  const components = [...chosen.values()].sort(
    (a, b) => order[a.component.manifest.kind] - order[b.component.manifest.kind] || a.component.manifest.name.localeCompare(b.component.manifest.name),
  );
  // The interrupt controller is driven only when something linked its driver in (through `needs`): then it is
  // the planned driver serving the board's interrupt-parent device.
  const irqchipDriver = irqDevice
    ? components.find((c) => c.component.manifest.kind === 'driver' && c.component !== console!.component && irqDevice.compatible.some((cc) => c.component.manifest.compatible.includes(cc)))?.component
    : undefined;
  const planned = components.find((c) => c.component === scheduler)?.component;
  return { plan: { arch, backend, console, emulators, components, hosts, ...(irqchipDriver ? { irqchipDriver } : {}), ...(planned ? { scheduler: planned } : {}) }, diagnostics };
}
