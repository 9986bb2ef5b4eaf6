import type { System } from '../../schemas/model.js';
import type { Span } from '../diagnostics/span.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/define.js';
import { closest } from '../diagnostics/suggest.js';
import type { Component, ComponentCatalogue } from '../components/catalogue.js';
import { componentMessages as M } from '../components/messages.js';

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

export interface Plan {
  arch: Component;
  consoleDriver: Component;
  /** The host driver of the board's interrupt controller, when a component needed one (a virtual GIC's `needs`). */
  irqchipDriver?: Component;
  /** Emulator for each guest device, keyed by `${guestIndex}:${devicePath}`. */
  emulators: ReadonlyMap<string, Component>;
  /** Every component linked in, in a stable order (core and arch first), with why. */
  components: PlannedComponent[];
}

/** Answers whether a Kconfig symbol (without CONFIG_) is enabled; components without a symbol are always on. */
export type SymbolEnabled = (symbol: string) => boolean;

export function emulatorKey(guestIndex: number, devicePath: string): string {
  return `${guestIndex}:${devicePath}`;
}

function provider(catalogue: ComponentCatalogue, kind: 'driver' | 'emulator', compatibles: readonly string[], arch: string): Component | undefined {
  // A node's compatible list goes from most to least specific: the first string anyone serves wins.
  for (const compat of compatibles) {
    const found = catalogue.components.find(
      (c) => c.manifest.kind === kind && c.manifest.compatible.includes(compat) && (c.manifest.arch.length === 0 || c.manifest.arch.includes(arch)),
    );
    if (found) return found;
  }
  return undefined;
}

/**
 * Decides which runtime components the description needs, and why. Only these are compiled and linked, so a
 * system with no emulated UART carries no UART emulator code.
 */
export function planSystem(system: System, catalogue: ComponentCatalogue, enabled: SymbolEnabled): { plan?: Plan; diagnostics: Diagnostic[] } {
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

  const board = system.board;
  const cpuCompatibles = board.cpus[0]!.compatible;
  const arch = catalogue.components.find((c) => c.manifest.kind === 'arch' && cpuCompatibles.some((cc) => c.manifest.compatible.includes(cc)));
  if (!arch) {
    const known = catalogue.components.filter((c) => c.manifest.kind === 'arch').flatMap((c) => c.manifest.compatible);
    diagnostics.push(
      diagnostic(M.noArch, `no architecture port supports CPUs compatible with ${cpuCompatibles.map((c) => `"${c}"`).join(', ') || '(none)'}`, board.cpus[0]!.span, {
        notes: [`supported CPUs: ${known.join(', ')}`],
      }),
    );
    return { diagnostics };
  }
  const archName = arch.manifest.arch[0] ?? arch.manifest.name;

  for (const core of catalogue.components.filter((c) => c.manifest.kind === 'core')) {
    need(core, { why: 'the hypervisor core' });
  }
  need(arch, { why: `CPU ${board.cpus[0]!.path} (${cpuCompatibles[0]})`, node: board.cpus[0]!.path, span: board.cpus[0]!.span });

  const consoleDevice = board.devices.find((d) => d.path === system.hypervisor.console);
  let consoleDriver: Component | undefined;
  if (consoleDevice) {
    consoleDriver = provider(catalogue, 'driver', consoleDevice.compatible, archName);
    if (consoleDriver) {
      need(consoleDriver, { why: `hypervisor console ${consoleDevice.path}`, node: consoleDevice.path, span: system.hypervisor.consoleSpan });
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

  const emulators = new Map<string, Component>();
  system.guests.forEach((guest, gi) => {
    for (const device of guest.devices) {
      const emulator = provider(catalogue, 'emulator', device.compatible, archName);
      if (!emulator) {
        const known = catalogue.components.filter((c) => c.manifest.kind === 'emulator').flatMap((c) => c.manifest.compatible);
        const suggestion = device.compatible.map((c) => closest(c, known)).find((s) => s !== undefined);
        const extras: { notes: string[]; help?: string } = { notes: [`emulators exist for: ${known.join(', ') || '(none)'}`] };
        if (suggestion) extras.help = `did you mean "${suggestion}"?`;
        diagnostics.push(
          diagnostic(M.noEmulator, `no device emulator for ${device.compatible.map((c) => `"${c}"`).join(', ')} (guest '${guest.name}', ${device.path})`, device.compatibleSpan, extras),
        );
        continue;
      }
      need(emulator, { why: `emulated device ${device.path} of guest '${guest.name}'`, node: device.path, span: device.span }, device.compatibleSpan);
      emulators.set(emulatorKey(gi, device.path), emulator);
    }
  });

  // Close over `needs` (manifests name their dependencies).
  const queue = [...chosen.values()];
  while (queue.length > 0) {
    const item = queue.shift()!;
    for (const needed of item.component.manifest.needs) {
      const dep = catalogue.byName.get(needed);
      if (!dep) continue; // reported by loadCatalogue
      const before = chosen.has(needed);
      need(dep, { why: `needed by component '${item.component.manifest.name}'` });
      if (!before && chosen.has(needed)) queue.push(chosen.get(needed)!);
    }
  }

  if (!consoleDriver || diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const order = { core: 0, arch: 1, driver: 2, emulator: 3 } as const;
  const components = [...chosen.values()].sort(
    (a, b) => order[a.component.manifest.kind] - order[b.component.manifest.kind] || a.component.manifest.name.localeCompare(b.component.manifest.name),
  );
  // The interrupt controller is driven only when something linked its driver in (through `needs`): then it is
  // the planned driver serving the board's interrupt-parent device.
  const irqDevice = board.devices.find((d) => d.path === board.interruptController);
  const irqchipDriver = irqDevice
    ? components.find((c) => c.component.manifest.kind === 'driver' && c.component !== consoleDriver && irqDevice.compatible.some((cc) => c.component.manifest.compatible.includes(cc)))?.component
    : undefined;
  return { plan: { arch, consoleDriver, emulators, components, ...(irqchipDriver ? { irqchipDriver } : {}) }, diagnostics };
}
