import * as z from 'zod';

/**
 * The manifest (`manifest.json`) every runtime component folder carries: what the component provides and
 * what it needs. The compiler discovers components by these files alone, so adding a driver, an emulator
 * or an arch port never means editing the compiler.
 */
/**
 * The schemas are made on first use (componentSchemas()): a command whose component catalogue comes from the
 * cache (components/catalogue.ts) checks no manifest, and building these zod schemas took milliseconds of
 * every start.
 */
function makeSchemas() {
  /**
   * core: always linked; arch: the port for the board's CPUs; driver: a board device the hypervisor uses;
   * emulator: a guest device it emulates; service: a part no node asks for. A service with a `service` name is
   * one of the core's optional services, linked when the system needs it (the scheduler, when a CPU is
   * shared); one without is linked when its Kconfig symbol is enabled (the management terminal, its command
   * groups).
   */
  const ComponentKind = z.enum(['core', 'arch', 'service', 'driver', 'emulator']);

  /** A Kconfig int symbol (without CONFIG_) or a number: a capability that scales with the configuration. */
  const CountOrSymbol = z.union([z.number().int().nonnegative(), z.string().regex(/^[A-Z0-9_]+$/, 'a Kconfig symbol without CONFIG_')]);

  const ParameterType = z.enum(['u32', 'u64', 'flag', 'string', 'clock', 'file', 'interrupt', 'devices', 'host-device', 'board-device', 'mac']);

  const ComponentParameter = z
    .object({
      /** The C field name. */
      name: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a C identifier in lower case'),
      /** The device-tree property it is read from. */
      property: z.string().min(1),
      /**
       * u32/u64/flag: a number (a flag is 1 when the property is present); string: the text; clock: the node's
       * clock-frequency, else that of the node its first `clocks` phandle names; file: a path relative to the
       * file the property is written in, whose bytes are linked into the image; devices: phandles of other
       * device instances (in this guest or another), as pointers to their hv_device; host-device: the phandle
       * of a node under /hypervisor a host driver serves (a disk), as a pointer to its hv_host_device;
       * board-device: the phandle of a board device the hypervisor drives, whose first window is mapped in
       * the hypervisor's map and given as <name>_base/<name>_size, its first interrupt as <name>_irq; mac: six bytes
       * ([52 54 00 12 34 56]) as one u64, the first byte the most significant of the 48; interrupt: the node's
       * first `interrupts` specifier decoded through its controller's binding (the controller's number for it
       * and the trigger flags; ~0 as the number when the node has none, and a default is not needed).
       */
      type: ParameterType,
      /** Used when the property is absent; without one the property is required. */
      default: z.union([z.number(), z.string()]).optional(),
      description: z.string().default(''),
    })
    .strict();

  const InterruptControllerCapabilities = z
    .object({
      /** Interrupt numbers (decoded, the controller's own) it can deliver from emulated devices. */
      deliverable: z.array(z.object({ first: z.number().int().nonnegative(), count: CountOrSymbol, what: z.string().min(1) }).strict()).min(1),
      /** A window that must hold `bytes` per vCPU of the guest (one redistributor-like frame per vCPU). */
      'per-cpu-window': z.object({ window: z.number().int().nonnegative(), bytes: z.number().int().positive(), what: z.string().min(1) }).strict().optional(),
    })
    .strict();

  const ComponentManifest = z
    .object({
      name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'component names are lower-case words joined by "-"'),
      kind: ComponentKind,
      description: z.string().min(1),
      /** Device-tree compatible strings this component serves: a host device for a driver, a guest device for an emulator. */
      compatible: z.array(z.string()).default([]),
      /**
       * For emulators: generic compatible strings a node lists after one of `compatible` (`"virtio,mmio"` after
       * `"hvcc,virtio-console"`): the guest's drivers match the generic one, the hypervisor the specific one. A
       * node that lists only a generic string gets told which specific ones exist.
       */
      'generic-compatible': z.array(z.string()).default([]),
      /** For "arch" components: the architecture name; for others: the architectures they build for (empty = any). */
      arch: z.array(z.string()).default([]),
      /** C and assembly sources, relative to the folder. `.c` files become bitcode; `.S` files become objects. */
      sources: z.array(z.string()).min(1),
      /**
       * Of `sources`, the C files whose code runs rarely (boot, management, diagnostics, formatting): compiled
       * for size (-Oz, so their functions carry minsize through link-time optimization) instead of -O2.
       */
      'cold-sources': z.array(z.string()).default([]),
      /**
       * Of `sources`, C files on an exit path that -Os leaves as fast as -O2 (the per-exit instruction counts
       * of `npm run bench` say so): compiled for size without minsize's cost in speed (-Os).
       */
      'size-sources': z.array(z.string()).default([]),
      /** Include directories, relative to the folder, added for every component's sources. */
      'public-include': z.array(z.string()).default([]),
      /** Other components (by name) this one is always linked with. */
      needs: z.array(z.string()).default([]),
      /**
       * Also link the driver of the board's interrupt controller (whichever serves the board's
       * interrupt-parent), so that the hypervisor takes interrupts: the management terminal does, for its
       * console's input and so that idle CPUs sleep; a scheduler does, to preempt through its timer interrupt.
       */
      'needs-irqchip': z.boolean().default(false),
      /** For services: it starts guests at run time (the terminal's guest commands), so `no-autostart` guests can run. */
      'starts-guests': z.boolean().default(false),
      /** The Kconfig symbol (without CONFIG_) that must be enabled for this component to be linked. */
      kconfig: z.string().optional(),
      /** For drivers, emulators and services: the symbol of the ops object the generated config points at. */
      ops: z.string().optional(),
      /**
       * For "service" components: which of the core's optional services it provides. "scheduler": vCPU
       * scheduling, linked when some CPU may run more than one vCPU; its ops become hv_config.scheduler.
       */
      service: z.enum(['scheduler']).optional(),
      /**
       * For "arch" components: the core's optional services whose arch hooks this port implements (hv/arch.h:
       * "scheduler" needs its context switching). A service is linked only on a port that lists it.
       */
      'arch-services': z.array(z.enum(['scheduler'])).default([]),
      /**
       * For drivers and emulators: the C type of one instance's state. The compiler defines one zeroed object of
       * it per instance (in a generated C file that includes `header`), so its size follows the Kconfig values it
       * is compiled with.
       */
      state: z
        .object({
          type: z.string().regex(/^(struct|union) [A-Za-z_][A-Za-z0-9_]*$|^[A-Za-z_][A-Za-z0-9_]*$/, 'a C type name, e.g. "struct uart_state"'),
          /** The header declaring the type, relative to the folder. */
          header: z.string(),
        })
        .strict()
        .optional(),
      /**
       * Device-tree properties compiled into a per-instance parameter block, `struct <name>_params` (the
       * component's name with '-' as '_') in the generated header <params/<name>.h>, fields in this order.
       */
      parameters: z.array(ComponentParameter).default([]),
      /** For emulators: a device it serves can be a guest's console (/chosen stdout-path; console input goes to it). */
      'guest-console': z.boolean().default(false),
      /** Interrupts of the board's interrupt controller the hypervisor itself takes when this component is linked. */
      'hypervisor-interrupts': z.array(z.object({ id: z.number().int().nonnegative(), what: z.string().min(1) }).strict()).default([]),
      /** For emulators of a guest interrupt controller: what it can deliver, checked against the description. */
      'interrupt-controller': InterruptControllerCapabilities.optional(),
      /** Symbols referenced from outside LLVM bitcode (assembly, the linker script); kept through internalize. */
      exports: z.array(z.string()).default([]),
      /** For "arch" components: the linker script template (handlebars), relative to the folder. */
      'linker-script': z.string().optional(),
      /** For "arch" components: the target triple and code-generation flags. */
      target: z
        .object({
          triple: z.string(),
          'cflags': z.array(z.string()).default([]),
          'llc-flags': z.array(z.string()).default([]),
          'data-layout': z.string(),
        })
        .optional(),
    })
    .strict()
    .superRefine((m, ctx) => {
      for (const key of ['cold-sources', 'size-sources'] as const) {
        m[key].forEach((source, i) => {
          if (!source.endsWith('.c') || !m.sources.includes(source)) ctx.addIssue({ code: 'custom', path: [key, i], message: `'${source}' is not one of the C files in sources` });
          else if (key === 'size-sources' && m['cold-sources'].includes(source)) ctx.addIssue({ code: 'custom', path: [key, i], message: `'${source}' is in cold-sources too: a file has one optimization level` });
        });
      }
    });
  return { ComponentKind, CountOrSymbol, ParameterType, ComponentParameter, InterruptControllerCapabilities, ComponentManifest };
}

let schemas: ReturnType<typeof makeSchemas> | undefined;
export const componentSchemas = (): ReturnType<typeof makeSchemas> => (schemas ??= makeSchemas());
type Schemas = ReturnType<typeof makeSchemas>;
export type ComponentKind = z.infer<Schemas['ComponentKind']>;
export type CountOrSymbol = z.infer<Schemas['CountOrSymbol']>;
export type ParameterType = z.infer<Schemas['ParameterType']>;
export type ComponentParameter = z.infer<Schemas['ComponentParameter']>;
export type InterruptControllerCapabilities = z.infer<Schemas['InterruptControllerCapabilities']>;
export type ComponentManifest = z.infer<Schemas['ComponentManifest']>;
