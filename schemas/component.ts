import { z } from 'zod';

/**
 * The manifest (`manifest.json`) every runtime component folder carries: what the component provides and
 * what it needs. The compiler discovers components by these files alone, so adding a driver, an emulator
 * or an arch port never means editing the compiler.
 */
export const ComponentKind = z.enum(['core', 'arch', 'driver', 'emulator']);
export type ComponentKind = z.infer<typeof ComponentKind>;

export const ComponentManifest = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'component names are lower-case words joined by "-"'),
    kind: ComponentKind,
    description: z.string().min(1),
    /** Device-tree compatible strings this component serves: a host device for a driver, a guest device for an emulator. */
    compatible: z.array(z.string()).default([]),
    /** For "arch" components: the architecture name; for others: the architectures they build for (empty = any). */
    arch: z.array(z.string()).default([]),
    /** C and assembly sources, relative to the folder. `.c` files become bitcode; `.S` files become objects. */
    sources: z.array(z.string()).min(1),
    /** Include directories, relative to the folder, added for every component's sources. */
    'public-include': z.array(z.string()).default([]),
    /** Other components (by name) this one is always linked with. */
    needs: z.array(z.string()).default([]),
    /** The Kconfig symbol (without CONFIG_) that must be enabled for this component to be linked. */
    kconfig: z.string().optional(),
    /** For drivers and emulators: the symbol of the ops object the generated config points at. */
    ops: z.string().optional(),
    /** For emulators: bytes of zeroed state the generated config reserves per device instance. */
    'instance-state-bytes': z.number().int().nonnegative().default(0),
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
  .strict();
export type ComponentManifest = z.infer<typeof ComponentManifest>;
